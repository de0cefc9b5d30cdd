"""The neural English path on TweetEval emoji: S-LSTM, word vectors, and a vote with EN-LINEAR.

Run from the project root (data home defaults to ../shared/data)::

    .venv/bin/python benchmarks/english_neural.py --seeds 0 --remnants remove keep --cache /tmp/english_neural
    .venv/bin/python benchmarks/english_neural.py --seeds 1 2 --remnants remove --lstm w2v --threads 1 \
        --cache /tmp/english_neural

(the numbers of the user guide, ``docs/user_guide/english.rst``: about 25
minutes on two shared cores for the first command, 9 for the second, run beside it).

Official split: every model is fitted on the 45,000 training tweets, the
5,000 validation tweets decide every choice (early stopping of the LSTMs,
the prior-shift power, the vote weight) and the 50,000 test tweets are
scored once, with those choices. For each leak setting (``--remnants keep``:
the texts as published; ``remove``: the library's default) and each seed:

* ``EN-LINEAR``: ``make_method("EN-LINEAR")``, unchanged;
* ``S-LSTM``: ``make_method("S-LSTM")`` (attention pooling, Adam) at
  ``--dim`` dimensions, early stopping on the validation split (patience
  ``--patience``, at most ``--max-epochs`` epochs);
* ``S-LSTM+w2v``: the same, its embedding started from skip-gram word2vec
  trained on the training tweets' text
  (:func:`sklearn_emoji.vectors.word_vectors_encoder`);
* each S-LSTM also with a prior shift (power chosen on validation from
  0, 0.25, ..., 1, as :class:`~sklearn_emoji.calibration.PriorShiftClassifier`
  does after training);
* ``vote``: ``w * EN-LINEAR + (1 - w) * best S-LSTM`` on the unshifted
  probabilities, then a prior shift; ``w`` (0.1 .. 0.95) and the power
  chosen together on validation macro-F1; and the same vote with the
  fixed settings ``FIXED_VOTE`` in every run.

The English ``words`` and ``chars`` tokenizers are the same outside Han
script (``chars`` only splits Chinese characters), so only ``words`` is run.
Torch uses ``--threads`` threads (2 by default). With ``--cache DIR`` the
probabilities of every fitted model are kept (``.npz``, written atomically)
and a rerun reuses them, so the table can be redone without training.
Prints a Markdown table: macro-F1, P@1, P@3 and MRR (percent) on validation
and test, and the chosen settings.
"""

import argparse
import io
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if "SKLEARN_EMOJI_DATA" not in os.environ and SHARED.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(SHARED)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from skorch.helper import predefined_split  # noqa: E402

from sklearn_emoji._utils import atomic_write_bytes  # noqa: E402
from sklearn_emoji.datasets import load_tweeteval_emoji  # noqa: E402
from sklearn_emoji.metrics import macro_f1, mean_reciprocal_rank, precision_at_k  # noqa: E402
from sklearn_emoji.neural import TokenDataset  # noqa: E402
from sklearn_emoji.pipelines import make_method  # noqa: E402
from sklearn_emoji.vectors import word_vectors_encoder  # noqa: E402

POWERS = (0.0, 0.25, 0.5, 0.75, 1.0)
#: A vote with fixed settings (EN-LINEAR's weight, shift power): seed 0's leak-free choice, applied to every run.
FIXED_VOTE = (0.9, 0.5)
VOTE_WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


def shift(proba, prior, power):
    """Probabilities divided by the class prior to ``power`` (PriorShiftClassifier's rule)."""
    p = proba * prior ** (-power)
    return p / p.sum(1, keepdims=True)


def scores(y, proba, labels):
    return {
        "macro_f1": 100 * macro_f1(y, proba, labels=labels),
        "p1": 100 * precision_at_k(y, proba, k=1, labels=labels),
        "p3": 100 * precision_at_k(y, proba, k=3, labels=labels),
        "mrr": 100 * mean_reciprocal_rank(y, proba, labels=labels),
    }


def fit_lstm(data, args, seed, pretrained=None):
    """S-LSTM fitted on train with early stopping on val; probabilities of val and test, unshifted."""
    (X_tr, y_tr), (X_va, y_va), (X_te, _) = data
    model = make_method("S-LSTM", random_state=seed, pretrained=pretrained)
    dims = {} if pretrained is not None else {"clf__embedding_dim": args.dim, "clf__hidden_dim": args.dim}
    model.set_params(clf__max_epochs=args.max_epochs, clf__patience=args.patience, clf__verbose=1, **dims)
    front = model[:-1].fit(X_tr)
    classes = np.unique(y_tr)
    vocab_size = front[-1].vocab_size_
    # The official validation split is the early-stopping set (skorch's predefined split).
    valid = TokenDataset(front.transform(X_va), np.searchsorted(classes, y_va).astype(np.int64), vocab_size)
    clf = model[-1].set_params(train_split=predefined_split(valid))
    if pretrained is None:
        clf.set_params(vocab_size=vocab_size)
    clf.fit(front.transform(X_tr), y_tr)
    assert list(clf.classes_) == list(classes)
    return clf.predict_proba(front.transform(X_va)), clf.predict_proba(front.transform(X_te)), clf.n_epochs_


def fit_linear(data, seed):
    """EN-LINEAR's logistic regression, unshifted, and its own shift power."""
    (X_tr, y_tr), (X_va, _), (X_te, _) = data
    model = make_method("EN-LINEAR", random_state=seed).fit(X_tr, y_tr)
    features, lr = model[:-1], model[-1].estimator_  # the logistic regression inside the prior shift
    return lr.predict_proba(features.transform(X_va)), lr.predict_proba(features.transform(X_te)), 0


def cached(cache, key, compute):
    """``compute()`` -> (val proba, test proba, epochs), kept as ``cache/key.npz`` when a cache is given."""
    path = None if cache is None else Path(cache) / f"{key}.npz"
    if path is not None and path.exists():
        with np.load(path) as z:
            return z["val"], z["test"], int(z["epochs"]), float(z["seconds"])
    start = time.perf_counter()
    val, test, epochs = compute()
    seconds = time.perf_counter() - start
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        np.savez(buf, val=val, test=test, epochs=epochs, seconds=seconds)
        atomic_write_bytes(path, buf.getvalue())
    return val, test, epochs, seconds


def best_power(y_va, proba_va, prior, labels):
    return max(POWERS, key=lambda a: macro_f1(y_va, shift(proba_va, prior, a), labels=labels))


def run_setting(remnants, seed, args):
    data = [
        load_tweeteval_emoji(split, remnants=remnants, return_X_y=True) for split in ("train", "validation", "test")
    ]
    (X_tr, y_tr), (_, y_va), (_, y_te) = data
    labels, counts = np.unique(y_tr, return_counts=True)
    prior = counts / counts.sum()
    tag = f"{remnants}-seed{seed}"
    probas = {"EN-LINEAR": cached(args.cache, f"en-linear-{tag}", lambda: fit_linear(data, seed))}
    print(f"[{tag}] EN-LINEAR done ({probas['EN-LINEAR'][3]:.0f} s)", flush=True)
    if "scratch" in args.lstm:
        probas["S-LSTM"] = cached(args.cache, f"s-lstm-d{args.dim}-{tag}", lambda: fit_lstm(data, args, seed))
        print(f"[{tag}] S-LSTM done ({probas['S-LSTM'][3]:.0f} s)", flush=True)
    if "w2v" in args.lstm:

        def w2v():
            enc = word_vectors_encoder(
                X_tr, embedding_dim=args.dim, epochs=args.w2v_epochs, workers=1, random_state=seed, corpus=tag
            )
            return fit_lstm(data, args, seed, pretrained=enc)

        probas["S-LSTM+w2v"] = cached(args.cache, f"s-lstm-w2v-d{args.dim}-{tag}", w2v)
        print(f"[{tag}] S-LSTM+w2v done ({probas['S-LSTM+w2v'][3]:.0f} s)", flush=True)

    rows = []

    def add(name, val, test, setting, seconds=None, epochs=None):
        rows.append(
            {
                "remnants": remnants,
                "seed": seed,
                "model": name,
                "setting": setting,
                "epochs": epochs,
                "seconds": seconds,
                "val": scores(y_va, val, labels),
                "test": scores(y_te, test, labels),
            }
        )

    va, te, _, sec = probas["EN-LINEAR"]
    add("EN-LINEAR", shift(va, prior, 0.5), shift(te, prior, 0.5), "power 0.5 (as registered)", sec)
    lstms = [name for name in probas if name != "EN-LINEAR"]
    for name in lstms:
        va, te, ep, sec = probas[name]
        add(name, va, te, "no shift", sec, ep)
        a = best_power(y_va, va, prior, labels)
        add(f"{name} + prior shift", shift(va, prior, a), shift(te, prior, a), f"power {a}", sec, ep)
    # The best S-LSTM on validation (after its own best shift) goes into the vote.
    best = max(
        lstms,
        key=lambda n: macro_f1(
            y_va, shift(probas[n][0], prior, best_power(y_va, probas[n][0], prior, labels)), labels=labels
        ),
    )
    lin_va, lin_te = probas["EN-LINEAR"][:2]
    nn_va, nn_te = probas[best][:2]

    def vote(w, a, split="val"):
        """Weight ``w`` on EN-LINEAR, ``1 - w`` on the S-LSTM, then the shift of power ``a``."""
        lin, nn = (lin_va, nn_va) if split == "val" else (lin_te, nn_te)
        return shift(w * lin + (1 - w) * nn, prior, a)

    chosen = max(
        ((w, a) for w in VOTE_WEIGHTS for a in POWERS), key=lambda wa: macro_f1(y_va, vote(*wa), labels=labels)
    )
    for (w, a), what, fixed in ((chosen, "", ""), (FIXED_VOTE, ", fixed", " (fixed)")):
        add(
            f"vote EN-LINEAR + {best}{what}",
            vote(w, a),
            vote(w, a, "test"),
            f"weight {w} on EN-LINEAR, power {a}{fixed}",
        )
    return rows


def print_table(rows):
    head = "| leak | seed | model | chosen on val | epochs | fit (s) | val macro-F1 | test macro-F1 | P@1 | P@3 | MRR |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for r in rows:
        t = r["test"]
        ep = "" if r["epochs"] is None else str(r["epochs"])
        sec = "" if r["seconds"] is None else f"{r['seconds']:.0f}"
        leak = "kept" if r["remnants"] == "keep" else "removed"
        print(
            f"| {leak} | {r['seed']} | {r['model']} | {r['setting']} | {ep} | {sec} | {r['val']['macro_f1']:.1f} "
            f"| {t['macro_f1']:.1f} | {t['p1']:.1f} | {t['p3']:.1f} | {t['mrr']:.1f} |"
        )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--remnants", nargs="+", choices=["keep", "remove"], default=["remove", "keep"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    ap.add_argument("--dim", type=int, default=128, help="embedding and hidden size of the S-LSTM")
    ap.add_argument("--max-epochs", type=int, default=8)
    ap.add_argument("--patience", type=int, default=2)
    ap.add_argument("--w2v-epochs", type=int, default=5)
    ap.add_argument(
        "--lstm",
        nargs="+",
        choices=["scratch", "w2v"],
        default=["scratch", "w2v"],
        help="S-LSTMs to run: from scratch, and started from word2vec vectors of the training tweets",
    )
    ap.add_argument("--threads", type=int, default=2, help="torch threads")
    ap.add_argument("--cache", default=None, help="folder for the probabilities of fitted models")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for remnants in args.remnants:
        for seed in args.seeds:
            rows += run_setting(remnants, seed, args)
            print_table(rows)
    print()
    print_table(rows)


if __name__ == "__main__":
    main()
