"""Stacking, pools, block weights and a calibrated SVM for EN-LINEAR on TweetEval emoji (issue 9).

Run from the project root (data home defaults to ../shared/data)::

    .venv/bin/python benchmarks/english_stack.py --remnants remove keep --svm --test \
        --cache /tmp/exp9/cache --cv3 EN-LINEAR "chars x0.5" \
        --variants "chars x0.5" "chars x0.75" "chars x1.5" "chars x2" "union L2" \
        "union L2, chars x0.5" "char 1-6, 500k" "chars x0.35" "chars x0.25" \
        "chars x0.5, C 5" "chars x0.5, C 2" "chars x0.5, char 1-6, 500k"

(the numbers of the user guide, ``docs/user_guide/english.rst``: about 30
minutes per leak setting on two shared cores, one thread, the first time:
5-fold out-of-fold probabilities of six base models, 2 minutes of meta
models, 40 to 70 s per EN-LINEAR variant; a few minutes from the cache
afterwards). What it measures, on the official split (fit on the 45,000
training tweets, every choice on the 5,000 validation tweets, the 50,000
test tweets printed only with ``--test``), for each leak setting
(``--remnants``):

* ``EN-LINEAR``: ``make_method("EN-LINEAR")`` (power 0.5), and the same
  logistic regression with the power chosen on validation;
* **stacking** of diverse views: out-of-fold (5-fold, stratified, on the
  training split) probabilities of base models fitted on the other folds,

  - ``words``: word 1-2-gram TF-IDF -> logistic regression (EN-LINEAR's
    word block alone),
  - ``chars``: char_wb 2-5-gram TF-IDF -> logistic regression (its
    character block alone),
  - ``lexicon``: ``make_method("LEXICON")``,
  - ``nb``: word 1-2-gram counts -> multinomial naive Bayes,
  - ``enlin``: EN-LINEAR unshifted (power 0),
  - ``svm`` (with ``--svm``): the ``svm`` half of ``make_method("EN-LINEAR+SVM")``,
    word 1-3 and char 1-6 TF-IDF -> ``LinearSVC(C=0.1)``, sigmoid-calibrated,

  then a multinomial logistic regression (``C`` chosen on validation) on
  their concatenated log-probabilities, then the prior shift (power chosen
  on validation). Each stack also gets an out-of-fold estimate: the meta
  model cross-validated (same 5 folds) on the base models' out-of-fold
  probabilities, shifted with the chosen power, against EN-LINEAR's own
  out-of-fold macro-F1;
* **log-linear pools** of the same base models: softmax of a weighted sum of
  their log-probabilities (weights on the simplex, step 0.1) then the
  shift, weights and power chosen on out-of-fold macro-F1;
* ``EN-LINEAR+SVM``: ``make_method("EN-LINEAR+SVM")``, the mean of the
  ``enlin`` and ``svm`` probabilities shifted with power 0.5 (no choice);
* **block weights**: EN-LINEAR with ``features__transformer_weights``
  (character block scaled by 0.5 .. 2), with the union's output
  L2-normalised, and with ``char`` (not ``char_wb``) 1-6-grams capped by
  ``max_features``, and a few more (``--variants``), with the power 0.5 and
  chosen on validation; ``--cv3`` adds their 3-fold cross-validation on the
  training split (mean macro-F1 of the folds, power 0.5).

Base-model probabilities (out-of-fold, validation, test) are kept under
``--cache`` (``.npz``, written atomically), so a rerun only redoes the
cheap meta models. Prints Markdown tables: macro-F1, P@1, P@3 and MRR
(percent) on validation (and test with ``--test``), the out-of-fold
macro-F1 where there is one, the chosen settings and the fit time.
"""

import argparse
import io
import itertools
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if "SKLEARN_EMOJI_DATA" not in os.environ and SHARED.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(SHARED)

import numpy as np  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_predict  # noqa: E402
from sklearn.naive_bayes import MultinomialNB  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import Normalizer, StandardScaler  # noqa: E402

from sklearn_emoji._utils import atomic_write_bytes  # noqa: E402
from sklearn_emoji.datasets import load_tweeteval_emoji  # noqa: E402
from sklearn_emoji.metrics import macro_f1, mean_reciprocal_rank, precision_at_k  # noqa: E402
from sklearn_emoji.pipelines import _en_words, make_method  # noqa: E402
from sklearn_emoji.preprocessing import DialogueFlattener  # noqa: E402
from sklearn_emoji.text import cached_tokenize  # noqa: E402

POWERS = (0.0, 0.25, 0.5, 0.75, 1.0)
META_C = (0.1, 10.0)
POOL_STEP = 0.1  # grid step of the pooling weights (on the simplex)
N_FOLDS = 5
CLIP = 1e-6  # log-probabilities are clipped at log(CLIP) before the meta model

#: The stacks: name -> base models whose log-probabilities the meta model reads.
STACKS = {
    "STACK enlin (alone)": ("enlin",),
    "STACK words+chars": ("words", "chars"),
    "STACK words+chars+lexicon": ("words", "chars", "lexicon"),
    "STACK words+chars+lexicon+nb": ("words", "chars", "lexicon", "nb"),
    "STACK enlin+lexicon": ("enlin", "lexicon"),
    "STACK enlin+lexicon+nb": ("enlin", "lexicon", "nb"),
    "STACK enlin+words+chars+lexicon+nb": ("enlin", "words", "chars", "lexicon", "nb"),
}


#: Log-linear pools: name -> base models; weights (on the simplex) and power chosen on out-of-fold macro-F1.
POOLS = {
    "POOL words+chars": ("words", "chars"),
    "POOL words+chars+lexicon": ("words", "chars", "lexicon"),
    "POOL words+chars+lexicon+nb": ("words", "chars", "lexicon", "nb"),
    "POOL enlin+lexicon": ("enlin", "lexicon"),
    "POOL enlin+lexicon+nb": ("enlin", "lexicon", "nb"),
    "POOL enlin+words+chars+lexicon+nb": ("enlin", "words", "chars", "lexicon", "nb"),
    "POOL enlin+svm": ("enlin", "svm"),
    "POOL enlin+svm+lexicon": ("enlin", "svm", "lexicon"),
}


def _lr(seed):
    return LogisticRegression(solver="saga", C=3.0, tol=1e-3, max_iter=1000, random_state=seed)


def base_model(name, seed):
    """The unshifted base models of the stacks, unfitted."""
    flat = ("flatten", DialogueFlattener(turns="all"))
    if name == "words":
        return Pipeline([flat, ("tfidf", _en_words((1, 2))), ("clf", _lr(seed))])
    if name == "chars":
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
        return Pipeline([flat, ("tfidf", chars), ("clf", _lr(seed))])
    if name == "lexicon":
        return make_method("LEXICON")
    if name == "nb":
        counts = CountVectorizer(
            tokenizer=cached_tokenize, token_pattern=None, lowercase=False, ngram_range=(1, 2), min_df=2
        )
        return Pipeline([flat, ("counts", counts), ("clf", MultinomialNB(alpha=0.5))])
    if name == "svm":
        # the library's: Coltekin and Rama (2018) style word 1-3 and char 1-6 TF-IDF, linear SVM, sigmoid calibration
        return make_method("EN-LINEAR+SVM", random_state=seed).get_params()["estimator__svm"]
    if name == "enlin":
        return make_method("EN-LINEAR", random_state=seed, clf__power=0.0)
    raise ValueError(name)


def en_linear_variant(name, seed):
    """EN-LINEAR changed as ``name`` says, unshifted (power 0).

    ``name`` is a comma-separated list of: ``chars xW`` (the character block
    weighted by W in the union, ``features__transformer_weights``), ``union L2``
    (the union's output L2-normalised), ``char 1-6`` (``analyzer="char"``,
    1- to 6-grams), ``500k`` (at most 500,000 character n-grams), ``C V``
    (the logistic regression's ``C``).
    """
    model = make_method("EN-LINEAR", random_state=seed, clf__power=0.0)
    for part in name.split(", "):
        if part.startswith("chars x"):
            model.set_params(features__transformer_weights={"words": 1.0, "chars": float(part[len("chars x") :])})
        elif part == "union L2":
            model.steps.insert(2, ("l2", Normalizer()))
        elif part == "char 1-6":
            model.set_params(features__chars__analyzer="char", features__chars__ngram_range=(1, 6))
        elif part == "500k":
            model.set_params(features__chars__max_features=500_000)
        elif part.startswith("C "):
            model.set_params(clf__estimator__C=float(part[2:]))
        else:
            raise ValueError(f"unknown variant part {part!r}")
    return model


#: The EN-LINEAR variants run by default (``--variants`` to choose others).
VARIANTS = (
    "chars x0.5",
    "chars x0.75",
    "chars x1.5",
    "chars x2",
    "union L2",
    "union L2, chars x0.5",
    "char 1-6, 500k",
)


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


def cached(cache, key, compute):
    """``compute()`` -> dict of arrays (with ``seconds``), kept as ``cache/key.npz``."""
    path = None if cache is None else Path(cache) / f"{key}.npz"
    if path is not None and path.exists():
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    start = time.perf_counter()
    out = compute()
    out["seconds"] = np.array(time.perf_counter() - start)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        np.savez(buf, **out)
        atomic_write_bytes(path, buf.getvalue())
    return out


def fit_full(model, data, labels):
    """Fit on train; unshifted probabilities of validation and test."""
    (X_tr, y_tr), (X_va, _), (X_te, _) = data
    model.fit(X_tr, y_tr)
    assert list(model.classes_) == list(labels)
    return {"val": model.predict_proba(X_va), "test": model.predict_proba(X_te)}


def fit_oof(model, data, folds, labels):
    """Out-of-fold probabilities, by hand: ``cross_val_predict`` would fit on integer-encoded labels,
    which LEXICON turns into strings and sorts as strings ('0', '1', '10', ...), permuting its columns."""
    (X_tr, y_tr), _, _ = data
    y_tr = np.asarray(y_tr)
    oof = np.zeros((len(y_tr), len(labels)))
    for train, test in folds:
        fitted = clone(model).fit([X_tr[i] for i in train], y_tr[train])
        assert list(fitted.classes_) == list(labels)
        oof[test] = fitted.predict_proba([X_tr[i] for i in test])
    return {"oof": oof}


def _meta(C):
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))


def fast_macro_f1(y_idx, scores, n_classes):
    """Macro-F1 of the argmax (for the pooling search only; equals ``macro_f1`` without ties)."""
    pred = scores.argmax(1)
    tp = np.bincount(y_idx[pred == y_idx], minlength=n_classes)
    n_true = np.bincount(y_idx, minlength=n_classes)
    n_pred = np.bincount(pred, minlength=n_classes)
    denom = n_true + n_pred
    return 100 * np.mean(np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0))


def simplex(n, step):
    """Every weight vector of ``n`` non-negative multiples of ``step`` summing to 1."""
    k = round(1 / step)
    for combo in itertools.product(range(k + 1), repeat=n - 1):
        if sum(combo) <= k:
            yield np.array([*combo, k - sum(combo)]) / k


def pool(logps, weights, prior, power):
    """Log-linear pooling: softmax of the weighted log-probabilities, then the prior shift."""
    s = sum(w * lp for w, lp in zip(weights, logps)) - power * np.log(prior)
    s = np.exp(s - s.max(1, keepdims=True))
    return s / s.sum(1, keepdims=True)


def logp(probas):
    return np.hstack([np.log(np.clip(p, CLIP, 1.0)) for p in probas])


def run_setting(remnants, args):
    data = [
        load_tweeteval_emoji(split, remnants=remnants, return_X_y=True) for split in ("train", "validation", "test")
    ]
    (X_tr, y_tr), (_, y_va), (_, y_te) = data
    y_tr = np.asarray(y_tr)
    labels, counts = np.unique(y_tr, return_counts=True)
    prior = counts / counts.sum()
    folds = list(StratifiedKFold(N_FOLDS, shuffle=True, random_state=args.seed).split(np.zeros(len(y_tr)), y_tr))

    base = {}
    names = ("enlin", "words", "chars", "lexicon", "nb") + (("svm",) if args.svm else ())
    for name in names:
        full = cached(
            args.cache, f"{remnants}-{name}-full", lambda: fit_full(base_model(name, args.seed), data, labels)
        )
        oof = cached(
            args.cache, f"{remnants}-{name}-oof", lambda: fit_oof(base_model(name, args.seed), data, folds, labels)
        )
        base[name] = {"val": full["val"], "test": full["test"], "oof": oof["oof"], "seconds": float(full["seconds"])}
        print(f"[{remnants}] {name}: fit {base[name]['seconds']:.0f} s, OOF {float(oof['seconds']):.0f} s", flush=True)

    rows = []

    folds3 = list(StratifiedKFold(3, shuffle=True, random_state=args.seed).split(np.zeros(len(y_tr)), y_tr))

    def cv3(variant):
        """Mean macro-F1 (power 0.5) over 3 stratified folds of the training split, or None when not asked."""
        if variant not in args.cv3:
            return None
        build = (
            (lambda: base_model("enlin", args.seed))
            if variant == "EN-LINEAR"
            else (lambda: en_linear_variant(variant, args.seed))
        )
        oof = cached(args.cache, f"{remnants}-cv3-{variant}", lambda: fit_oof(build(), data, folds3, labels))["oof"]
        p = shift(oof, prior, 0.5)
        return [100 * macro_f1(y_tr[te], p[te], labels=labels) for _, te in folds3]

    def add(name, val, test, setting, seconds, oof=None, cv=None):
        rows.append(
            {
                "cv3": cv,
                "name": name,
                "val": scores(y_va, val, labels),
                "test": scores(y_te, test, labels),
                "oof": None if oof is None else 100 * macro_f1(y_tr, oof, labels=labels),
                "setting": setting,
                "seconds": seconds,
            }
        )

    e = base["enlin"]
    add(
        "EN-LINEAR (power 0.5)",
        shift(e["val"], prior, 0.5),
        shift(e["test"], prior, 0.5),
        "power 0.5",
        e["seconds"],
        shift(e["oof"], prior, 0.5),
        cv3("EN-LINEAR"),
    )
    a = max(POWERS, key=lambda p: macro_f1(y_va, shift(e["val"], prior, p), labels=labels))
    add(
        "EN-LINEAR (power on val)",
        shift(e["val"], prior, a),
        shift(e["test"], prior, a),
        f"power {a}",
        e["seconds"],
        shift(e["oof"], prior, a),
    )
    for name in names[1:]:
        b = base[name]
        a = max(POWERS, key=lambda p: macro_f1(y_va, shift(b["val"], prior, p), labels=labels))
        add(
            f"base {name} alone",
            shift(b["val"], prior, a),
            shift(b["test"], prior, a),
            f"power {a}",
            b["seconds"],
            shift(b["oof"], prior, a),
        )

    for stack, members in STACKS.items():
        Z_oof = logp([base[m]["oof"] for m in members])
        Z_va = logp([base[m]["val"] for m in members])
        Z_te = logp([base[m]["test"] for m in members])
        best = None
        for C in META_C:
            meta = _meta(C).fit(Z_oof, y_tr)
            p_va = meta.predict_proba(Z_va)
            for a in POWERS:
                f1 = macro_f1(y_va, shift(p_va, prior, a), labels=labels)
                if best is None or f1 > best[0]:
                    best = (f1, C, a, meta)
        _, C, a, meta = best
        oof = cross_val_predict(_meta(C), Z_oof, y_tr, cv=folds, method="predict_proba")
        seconds = sum(base[m]["seconds"] for m in members) * (N_FOLDS + 1)  # every base model refit per fold
        add(
            stack,
            shift(meta.predict_proba(Z_va), prior, a),
            shift(meta.predict_proba(Z_te), prior, a),
            f"meta C {C}, power {a}",
            seconds,
            shift(oof, prior, a),
        )

    if "svm" in base:
        # make_method("EN-LINEAR+SVM"): the mean of the two probabilities (soft vote), then the shift 0.5
        def vote(part):
            return shift((base["enlin"][part] + base["svm"][part]) / 2, prior, 0.5)

        seconds = base["enlin"]["seconds"] + base["svm"]["seconds"]
        add("EN-LINEAR+SVM (vote 1:1, power 0.5)", vote("val"), vote("test"), "fixed", seconds, vote("oof"))

    y_idx = np.searchsorted(labels, y_tr)
    for name, members in POOLS.items():
        if not set(members) <= set(base):
            continue
        L_oof = [np.log(np.clip(base[m]["oof"], CLIP, 1.0)) for m in members]
        best = max(
            ((w, a) for w in simplex(len(members), POOL_STEP) for a in POWERS),
            key=lambda wa: fast_macro_f1(
                y_idx, sum(w * lp for w, lp in zip(wa[0], L_oof)) - wa[1] * np.log(prior), len(labels)
            ),
        )
        w, a = best
        L_va = [np.log(np.clip(base[m]["val"], CLIP, 1.0)) for m in members]
        L_te = [np.log(np.clip(base[m]["test"], CLIP, 1.0)) for m in members]
        seconds = sum(base[m]["seconds"] for m in members)
        setting = ", ".join(f"{m} {x:.1f}" for m, x in zip(members, w)) + f", power {a}"
        add(name, pool(L_va, w, prior, a), pool(L_te, w, prior, a), setting, seconds, pool(L_oof, w, prior, a))

    if args.variants:
        for name in args.variants:
            v = cached(
                args.cache,
                f"{remnants}-variant-{name}",
                lambda: fit_full(en_linear_variant(name, args.seed), data, labels),
            )
            a = max(POWERS, key=lambda p: macro_f1(y_va, shift(v["val"], prior, p), labels=labels))
            print(f"[{remnants}] variant {name}: fit {float(v['seconds']):.0f} s", flush=True)
            add(
                f"EN-LINEAR {name}",
                shift(v["val"], prior, 0.5),
                shift(v["test"], prior, 0.5),
                "power 0.5",
                float(v["seconds"]),
                cv=cv3(name),
            )
            add(
                f"EN-LINEAR {name} (power on val)",
                shift(v["val"], prior, a),
                shift(v["test"], prior, a),
                f"power {a}",
                float(v["seconds"]),
            )
    return rows


def table(remnants, rows, show_test):
    cols = ["val macro-F1", "val P@1", "val P@3", "val MRR"]
    if show_test:
        cols += ["test macro-F1", "test P@1", "test P@3", "test MRR"]
    cols += ["OOF macro-F1", "3-fold CV macro-F1 (folds)", "chosen", "fit (s)"]
    out = [f"\n### remnants={remnants}\n", "| variant | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for r in rows:
        cells = [f"{r['val'][k]:.1f}" for k in ("macro_f1", "p1", "p3", "mrr")]
        if show_test:
            cells += [f"{r['test'][k]:.1f}" for k in ("macro_f1", "p1", "p3", "mrr")]
        cv = "" if r["cv3"] is None else f"{np.mean(r['cv3']):.2f} ({', '.join(f'{x:.1f}' for x in r['cv3'])})"
        cells += ["" if r["oof"] is None else f"{r['oof']:.1f}", cv, r["setting"], f"{r['seconds']:.0f}"]
        out.append(f"| {r['name']} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--remnants", nargs="+", default=["remove", "keep"], choices=["remove", "keep"])
    parser.add_argument("--cache", default=None, help="folder for the base models' probabilities (.npz)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--test", action="store_true", help="also print the test split's scores")
    parser.add_argument(
        "--variants", nargs="*", default=list(VARIANTS), help="EN-LINEAR variants to fit (see en_linear_variant)"
    )
    parser.add_argument(
        "--svm", action="store_true", help="also fit the calibrated SVM (word 1-3, char 1-6) and pool it"
    )
    parser.add_argument(
        "--cv3",
        nargs="*",
        default=[],
        help="also score these (EN-LINEAR or a variant) by 3-fold cross-validation on the training split",
    )
    args = parser.parse_args(argv)
    for remnants in args.remnants:
        rows = run_setting(remnants, args)
        print(table(remnants, rows, args.test), flush=True)


if __name__ == "__main__":
    main()
