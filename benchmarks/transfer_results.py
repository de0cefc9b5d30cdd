"""Transfer learning on the Weibo dialogues: every row of the README's table.

Three stages, so that the neural part can run on a GPU machine that has no
copy of the corpus:

``prepare`` (CPU, here)
    Loads the default Weibo task and its root-post-grouped 80/20 split
    (``GroupShuffleSplit(test_size=0.2, random_state=0)``, the split of the
    README's Table 2), loads the pre-training corpus *without the test
    threads* (``load_weibo_pretraining(exclude_groups=test_groups)``),
    tokenizes everything with the library's own tokenizers (the vocabulary
    learned on the pre-training corpus, as ``pretrain_encoder`` does) and
    writes a compressed ``pack.npz``.

``run`` (GPU or CPU)
    Pre-trains encoders and fine-tunes S-, F- and H-LSTMs from them with the
    library's classifiers, three seeds per row, plus grouped out-of-fold
    probabilities of the best H-LSTM for the stacked model. One JSON line per
    result, appended as it comes, so a run cut short keeps what it finished.

``report`` (CPU, here)
    Fits the non-neural methods on the same split, builds the stacked
    neural + lexical model from the out-of-fold probabilities (exactly what
    ``StackingClassifier`` does internally: out-of-fold predictions of every
    base model, a logistic regression on top, base models refit on all of
    the training data), and prints the table: mean and spread over seeds.

Usage::

    python benchmarks/transfer_results.py prepare --out results/transfer
    python benchmarks/transfer_results.py run --pack results/transfer/pack.npz \\
        --out results/transfer/runs.jsonl --device cuda
    python benchmarks/transfer_results.py report --runs results/transfer/runs.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

ARCHS = {"H": ("H-LSTM", "hierarchical"), "F": ("F-LSTM", "sequence"), "S": ("S-LSTM", "sequence")}


def _split():
    from sklearn.model_selection import GroupShuffleSplit

    from sklearn_emoji.datasets import load_weibo_dialogues

    bunch = load_weibo_dialogues()
    tr, te = next(GroupShuffleSplit(test_size=0.2, random_state=0).split(bunch.data, groups=bunch.groups))
    return bunch, tr, te


def prepare(args):
    from sklearn_emoji.datasets import load_weibo_pretraining
    from sklearn_emoji.pretraining import make_encoder_tokenizer

    bunch, tr, te = _split()
    pre = load_weibo_pretraining(exclude_groups=bunch.groups[te])
    assert not set(pre.groups) & set(bunch.groups[te])
    arrays = {
        "y_train": bunch.target[tr].astype(str),
        "y_test": bunch.target[te].astype(str),
        "g_train": bunch.groups[tr].astype(str),
        "g_test": bunch.groups[te].astype(str),
        "y_pre": pre.target.astype(str),
        "g_pre": pre.groups.astype(str),
    }
    vocabs = {}
    Xtr = [bunch.data[i] for i in tr]
    Xte = [bunch.data[i] for i in te]
    for key, tok_name in [("H_words", "words"), ("F_words", "words"), ("S_words", "words"), ("H_chars", "chars")]:
        t0 = time.perf_counter()
        method = ARCHS[key[0]][0]
        flat, tok = make_encoder_tokenizer(method, tokenizer=tok_name, min_freq=args.min_freq, max_vocab=args.max_vocab)
        prep = (lambda X: flat.fit_transform(X)) if flat is not None else (lambda X: X)
        tok.fit(prep(pre.data))
        for part, X in (("pre", pre.data), ("train", Xtr), ("test", Xte)):
            ids = tok.transform(prep(X))
            assert ids.max() < 65536
            arrays[f"{key}_{part}"] = ids.astype(np.uint16)
        vocabs[key] = tok.vocabulary_
        print(f"{key}: vocabulary {len(tok.vocabulary_)}, {time.perf_counter() - t0:.0f} s", flush=True)
    os.makedirs(args.out, exist_ok=True)
    np.savez_compressed(os.path.join(args.out, "pack.npz"), **arrays)
    with open(os.path.join(args.out, "vocab.json"), "w", encoding="utf-8") as fh:
        json.dump(vocabs, fh, ensure_ascii=False)
    print(f"pre-training {len(pre.data)} dialogues (test threads excluded), train {len(tr)}, test {len(te)}")


# ----------------------------------------------------------------------
def _metrics(y, proba, classes):
    from sklearn_emoji.metrics import mean_reciprocal_rank, precision_at_k

    return {
        "p1": 100 * precision_at_k(y, proba, k=1, labels=classes),
        "p3": 100 * precision_at_k(y, proba, k=3, labels=classes),
        "mrr": 100 * mean_reciprocal_rank(y, proba, labels=classes),
    }


def _encoder_from(clf, vocabulary, key, groups, seconds, corpus):
    """The encoder of a classifier pre-trained on ids (what pretrain_encoder returns)."""
    from sklearn_emoji.pretraining import _encoder_from_classifier

    return _encoder_from_classifier(
        clf,
        vocabulary,
        tokenizer=key.split("_")[1],
        corpus=corpus,
        n_dialogues=len(groups),
        groups=groups,
        train_seconds=float(seconds),
    )


def run(args):
    import torch

    from sklearn_emoji.neural import FLSTMClassifier, HLSTMClassifier, SLSTMClassifier, check_no_overlap

    classes = {"H": HLSTMClassifier, "F": FLSTMClassifier, "S": SLSTMClassifier}
    pack = np.load(args.pack)
    with open(os.path.join(os.path.dirname(args.pack), "vocab.json"), encoding="utf-8") as fh:
        vocabs = json.load(fh)
    out = open(args.out, "a", encoding="utf-8")

    def emit(row):
        row["device"] = args.device
        out.write(json.dumps(row) + "\n")
        out.flush()
        print(json.dumps(row), flush=True)

    def ids(key, part):
        return pack[f"{key}_{part}"].astype(np.int64)

    y_tr, y_te, g_tr = pack["y_train"], pack["y_test"], pack["g_train"]
    dim = args.dim
    encoders = {}
    adam = dict(optimizer=torch.optim.Adam, lr=args.lr)

    def pretrain_classifier(key, pooling):
        """The unfitted classifier that pre-trains an encoder of ``key`` (at the current ``dim``)."""
        return classes[key[0]](
            embedding_dim=dim,
            hidden_dim=dim,
            pooling=pooling,
            vocab_size=len(vocabs[key]) + 2,
            batch_size=args.pre_batch,
            max_epochs=args.pre_epochs,
            validation_fraction=None,
            patience=None,
            device=args.device,
            random_state=0,
            **adam,
        )

    def pretrain(key, pooling):
        name = f"{key}_{pooling}_{dim}"
        if name in encoders:
            return encoders[name]
        clf = pretrain_classifier(key, pooling)
        t0 = time.perf_counter()
        clf.fit(ids(key, "pre"), pack["y_pre"])
        secs = time.perf_counter() - t0
        enc = _encoder_from(clf, vocabs[key], key, pack["g_pre"], secs, "weibo-64")
        check_no_overlap(enc, pack["g_test"])
        encoders[name] = enc
        emit(
            {
                "kind": "pretrain",
                "name": name,
                "seconds": secs,
                "epochs": clf.n_epochs_,
                "n": int(len(pack["y_pre"])),
                "epoch_seconds": [float(h["dur"]) for h in clf.net_.history],
                "train_loss": [float(h["train_loss"]) for h in clf.net_.history],
            }
        )
        return enc

    def finetune(row, key, pooling, strategy, seed, enc=None, oof=False, extra=None):
        arch = key[0]
        params = dict(
            pooling=pooling,
            max_epochs=args.ft_epochs,
            patience=args.patience,
            device=args.device,
            random_state=seed,
            batch_size=args.ft_batch,
            **adam,
        )
        if enc is not None:
            params.update(pretrained=enc, fine_tuning=strategy)
        else:
            params.update(embedding_dim=dim, hidden_dim=dim, vocab_size=len(vocabs[key]) + 2)
        params.update(extra or {})
        Xtr, Xte = ids(key, "train"), ids(key, "test")
        t0 = time.perf_counter()
        clf = classes[arch](**params).fit(Xtr, y_tr, groups=g_tr)
        secs = time.perf_counter() - t0
        proba = clf.predict_proba(Xte)
        res = {
            "kind": "finetune",
            "row": row,
            "seed": seed,
            "seconds": secs,
            "epochs": clf.n_epochs_,
            **_metrics(y_te, proba, clf.classes_),
        }
        if oof:
            from sklearn.model_selection import GroupKFold

            oof_p = np.zeros((len(y_tr), len(clf.classes_)))
            for a, b in GroupKFold(n_splits=5).split(Xtr, y_tr, g_tr):
                c = classes[arch](**params).fit(Xtr[a], y_tr[a], groups=g_tr[a])
                oof_p[b] = c.predict_proba(Xtr[b])
            res["oof"] = oof_p.round(5).tolist()
            res["test_proba"] = proba.round(5).tolist()
            res["classes"] = [str(c) for c in clf.classes_]
        emit(res)
        return res

    seeds = [int(s) for s in args.seeds.split(",")]
    plan = args.plan.split(",")
    for item in plan:
        if item == "scratch":
            for arch in "HFS":
                for s in seeds:
                    finetune(f"{arch}-LSTM scratch", f"{arch}_words", "last", "full", s)
        elif item == "H-strategies":
            enc = pretrain("H_words", "last")
            for strat in ("full", "last", "chain-thaw"):
                for s in seeds:
                    finetune(f"H-LSTM pre-trained, {strat}", "H_words", "last", strat, s, enc)
        elif item in ("F-strategies", "S-strategies"):
            arch = item[0]
            enc = pretrain(f"{arch}_words", "last")
            for strat in ("full", "chain-thaw"):
                for s in seeds:
                    finetune(f"{arch}-LSTM pre-trained, {strat}", f"{arch}_words", "last", strat, s, enc)
        elif item == "attention":
            enc = pretrain("H_words", "attention")
            for s in seeds:
                finetune("H-LSTM scratch, attention", "H_words", "attention", "full", s)
            for strat in ("full", "chain-thaw"):
                for s in seeds:
                    finetune(f"H-LSTM pre-trained, attention, {strat}", "H_words", "attention", strat, s, enc)
        elif item == "chars":
            enc = pretrain("H_chars", "last")
            for s in seeds:
                finetune("H-LSTM scratch, chars", "H_chars", "last", "full", s)
            for s in seeds:
                finetune("H-LSTM pre-trained, chars, full", "H_chars", "last", "full", s, enc)
        elif item == "chars-attention":
            enc = pretrain("H_chars", "attention")
            for s in seeds:
                finetune("H-LSTM pre-trained, chars, attention, full", "H_chars", "attention", "full", s, enc)
        elif item.startswith("oof:"):
            # oof:<key>:<pooling>:<strategy>
            _, key, pooling, strat = item.split(":")
            enc = pretrain(key, pooling)
            for s in seeds:
                finetune(f"OOF {key} {pooling} {strat}", key, pooling, strat, s, enc, oof=True)
        elif item.startswith("oof-clean:"):
            # out-of-fold probabilities with no leak inside the stack's folds:
            # each fold's encoder is pre-trained without that fold's threads
            from sklearn.model_selection import GroupKFold

            _, key, pooling, strat, d, seed = item.split(":")
            global_dim = dim
            dim, seed = int(d), int(seed)
            try:
                arch = key[0]
                Xtr = ids(key, "train")
                oof_p, t0 = None, time.perf_counter()
                for fold, (a, b) in enumerate(GroupKFold(n_splits=5).split(Xtr, y_tr, g_tr)):
                    keep = ~np.isin(pack["g_pre"], np.unique(g_tr[b]))
                    clf = pretrain_classifier(key, pooling)
                    clf.fit(ids(key, "pre")[keep], pack["y_pre"][keep])
                    enc = _encoder_from(clf, vocabs[key], key, pack["g_pre"][keep], 0.0, "fold")
                    check_no_overlap(enc, g_tr[b], what="held-out fold")
                    c = classes[arch](
                        pooling=pooling,
                        max_epochs=args.ft_epochs,
                        patience=args.patience,
                        device=args.device,
                        random_state=seed,
                        batch_size=args.ft_batch,
                        pretrained=enc,
                        fine_tuning=strat,
                        **adam,
                    ).fit(Xtr[a], y_tr[a], groups=g_tr[a])
                    p = c.predict_proba(Xtr[b])
                    if oof_p is None:
                        oof_p = np.zeros((len(y_tr), p.shape[1]))
                    oof_p[b] = p
                    print(f"fold {fold} done {time.perf_counter() - t0:.0f} s", flush=True)
                emit(
                    {
                        "kind": "oof-clean",
                        "row": f"OOF-clean {key} {pooling} {strat} {dim}",
                        "seed": seed,
                        "oof": oof_p.round(5).tolist(),
                        "classes": [str(c) for c in c.classes_],
                        "seconds": time.perf_counter() - t0,
                    }
                )
            finally:
                dim = global_dim
        elif item == "paper-chars-attention":
            # the best recipe at the paper's 384 dimensions, with its stacked model
            global_dim = dim
            dim = 384
            try:
                enc = pretrain("H_chars", "attention")
                for s in seeds:
                    finetune("OOF H_chars attention full 384", "H_chars", "attention", "full", s, enc, oof=True)
            finally:
                dim = global_dim
        elif item == "paper-size":
            # the paper's 384 dimensions, pre-training epoch time on this device
            global_dim = dim
            dim = 384
            try:
                enc = pretrain("H_words", "last")
                for s in seeds[:1]:
                    finetune("H-LSTM pre-trained, 384, full", "H_words", "last", "full", s, enc)
            finally:
                dim = global_dim
        else:
            raise SystemExit(f"unknown plan item {item!r}")
    out.close()


# ----------------------------------------------------------------------
def report(args):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from sklearn_emoji.pipelines import make_method

    rows = []
    for path in args.runs.split(","):
        rows += [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    # a row and seed run twice (a cut-short run resumed): keep the last
    rows = list({(r["kind"], r.get("row", r.get("name")), r.get("seed")): r for r in rows}.values())
    table = {}
    for r in rows:
        if r["kind"] == "finetune":
            table.setdefault(r["row"], []).append(r)
    bunch, tr, te = _split()
    Xtr = [bunch.data[i] for i in tr]
    Xte = [bunch.data[i] for i in te]
    y_tr, y_te, g_tr = bunch.target[tr], bunch.target[te], bunch.groups[tr]
    base = {}
    for name in ("S-BOW", "F-BOW", "LEXICON", "LEXICON+BOW"):
        t0 = time.perf_counter()
        m = make_method(name, random_state=0).fit(Xtr, y_tr)
        proba = m.predict_proba(Xte)
        table[name] = [{"seed": 0, "seconds": time.perf_counter() - t0, **_metrics(y_te, proba, m.classes_)}]
        base[name] = (m, proba)
        print(name, table[name][0], flush=True)
    # stacked: out-of-fold probabilities of each base model, logistic regression on top
    oof_rows = [r for r in rows if r["kind"] == "finetune" and "oof" in r]
    folds = list(GroupKFold(n_splits=5).split(Xtr, y_tr, g_tr))
    lex_names = args.stack_with.split(",")
    lex_oof = {}
    for name in lex_names:
        o = None
        for a, b in folds:
            m = make_method(name, random_state=0).fit([Xtr[i] for i in a], y_tr[a])
            p = m.predict_proba([Xtr[i] for i in b])
            if o is None:
                o = np.zeros((len(y_tr), p.shape[1]))
            o[b] = p
        lex_oof[name] = o
    for r in oof_rows:
        classes = np.asarray(r["classes"], dtype=object)
        for name in lex_names:
            assert list(base[name][0].classes_) == list(classes)
        Z_tr = np.hstack([np.asarray(r["oof"])] + [lex_oof[n] for n in lex_names])
        Z_te = np.hstack([np.asarray(r["test_proba"])] + [base[n][1] for n in lex_names])
        final = LogisticRegression(max_iter=1000).fit(Z_tr, y_tr)
        proba = final.predict_proba(Z_te)
        label = f"stack({r['row'].replace('OOF ', '')} + {' + '.join(lex_names)})"
        table.setdefault(label, []).append({"seed": r["seed"], **_metrics(y_te, proba, final.classes_)})
        # soft voting with fixed weights (no internal CV to leak into): half the
        # neural model, a quarter each of F-BOW and LEXICON -- the
        # "H-LSTM+LEXICON" method of make_method
        vote = 0.5 * np.asarray(r["test_proba"]) + 0.25 * base["F-BOW"][1] + 0.25 * base["LEXICON"][1]
        label = f"vote({r['row'].replace('OOF ', '')} + F-BOW + LEXICON)"
        table.setdefault(label, []).append({"seed": r["seed"], **_metrics(y_te, vote, classes)})
    print()
    print(f"{'method':58s} {'P@1':>12s} {'P@3':>12s} {'MRR':>12s}  n  epochs")
    summary = {}
    for name, rs in table.items():

        def ms(key):
            v = np.array([r[key] for r in rs])
            return v.mean(), v.std(ddof=0)

        cells = [ms(k) for k in ("p1", "p3", "mrr")]
        ep = np.mean([r.get("epochs", 0) for r in rs])
        summary[name] = {k: {"mean": m, "std": s} for k, (m, s) in zip(("p1", "p3", "mrr"), cells)}
        summary[name]["n_seeds"] = len(rs)
        print(f"{name:58s} " + " ".join(f"{m:6.1f}±{s:4.1f}" for m, s in cells) + f"  {len(rs)}  {ep:.0f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"table": summary, "pretrain": [r for r in rows if r["kind"] == "pretrain"]}, fh, indent=1)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("prepare")
    a.add_argument("--out", default="results/transfer")
    a.add_argument("--min-freq", type=int, default=2)
    a.add_argument("--max-vocab", type=int, default=50000)
    b = sub.add_parser("run")
    b.add_argument("--pack", default="results/transfer/pack.npz")
    b.add_argument("--out", default="results/transfer/runs.jsonl")
    b.add_argument("--device", default="cpu")
    b.add_argument("--dim", type=int, default=128)
    b.add_argument("--lr", type=float, default=1e-3)
    b.add_argument("--pre-epochs", type=int, default=3)
    b.add_argument("--pre-batch", type=int, default=128)
    b.add_argument("--ft-epochs", type=int, default=20)
    b.add_argument("--ft-batch", type=int, default=128)
    b.add_argument("--patience", type=int, default=3)
    b.add_argument("--seeds", default="0,1,2")
    b.add_argument(
        "--plan",
        default="H-strategies,scratch,attention,chars,F-strategies,S-strategies,chars-attention,"
        "oof:H_chars:attention:full,paper-size",
    )
    c = sub.add_parser("report")
    c.add_argument("--runs", default="results/transfer/runs.jsonl")
    c.add_argument("--stack-with", default="F-BOW,LEXICON")
    c.add_argument("--json", default=None)
    args = p.parse_args(argv)
    {"prepare": prepare, "run": run, "report": report}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
