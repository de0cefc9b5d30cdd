"""Result tables of the sibling-lexicon model (Idrees & Al-Solami, 2024).

Run from the project root (data home defaults to ../shared/data)::

    .venv/bin/python benchmarks/lexicon_results.py [--quick] [--skip-tweeteval] [--skip-weibo]

Tables:

1. TweetEval emoji, test set (train on the 45,000 training tweets): P@1,
   P@3, MRR and macro-F1 (official metric) of LEXICON, LEXICON+BOW
   (TF-IDF + SiblingLexiconFeatures + logistic regression) and TF-IDF + LR.
2. TweetEval validation: ablations of the reading of the paper.
3. Weibo dialogues (load_weibo_dialogues defaults), grouped 80/20 split by
   root post: the same metrics beside S-BOW and F-BOW.
4. Weibo, five grouped folds: the paper's set metrics of the recommended
   sets (precision, recall, F1, F2).
5. Weibo counts: dialogues from load_weibo_dialogues(balance=False,
   long_turns="truncate") with the reply's emoji repeated ``target_counts``
   times, five grouped folds: how often the predicted count of the true
   emoji is right, beside "always the most frequent count".
"""

import argparse
import os
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if "SKLEARN_EMOJI_DATA" not in os.environ and SHARED.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(SHARED)

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import GroupKFold, GroupShuffleSplit  # noqa: E402
from sklearn.pipeline import FeatureUnion, Pipeline  # noqa: E402

from sklearn_emoji.datasets import load_tweeteval_emoji, load_weibo_dialogues  # noqa: E402
from sklearn_emoji.lexicon import LexiconEmojiRecommender, SiblingLexiconFeatures  # noqa: E402
from sklearn_emoji.metrics import mean_reciprocal_rank, precision_at_k, set_scores  # noqa: E402
from sklearn_emoji.preprocessing import DialogueFlattener  # noqa: E402
from sklearn_emoji.text import cached_tokenize  # noqa: E402


def lexicon(**kw):
    return LexiconEmojiRecommender(**kw)  # the default tokenizer is the cached one


def lexicon_bow(flatten=None, **kw):
    steps = [("flatten", flatten)] if flatten is not None else []
    steps += [
        (
            "features",
            FeatureUnion(
                [
                    ("tfidf", TfidfVectorizer(analyzer=cached_tokenize, sublinear_tf=True, min_df=2)),
                    ("lexicon", SiblingLexiconFeatures(random_state=0, **kw)),
                ]
            ),
        ),
        ("clf", LogisticRegression(max_iter=1000)),
    ]
    return Pipeline(steps)


def bow(turns=None):
    steps = [("flatten", DialogueFlattener(turns=turns))] if turns else []
    steps += [
        ("tfidf", TfidfVectorizer(analyzer=cached_tokenize, sublinear_tf=True, min_df=2)),
        ("clf", LogisticRegression(max_iter=1000)),
    ]
    return Pipeline(steps)


def scores(model, X, y):
    P = model.predict_proba(X)
    labels = model.classes_
    pred = labels[P.argmax(axis=1)]
    return dict(
        p1=precision_at_k(y, P, k=1, labels=labels),
        p3=precision_at_k(y, P, k=3, labels=labels),
        mrr=mean_reciprocal_rank(y, P, labels=labels),
        f1=100 * f1_score(y, pred, average="macro"),
    )


def run(name, model, Xtr, ytr, Xte, yte, rows):
    t = time.perf_counter()
    model.fit(Xtr, ytr)
    fit = time.perf_counter() - t
    r = scores(model, Xte, yte)
    r.update(name=name, fit=fit)
    rows.append(r)
    print(
        f"  {name:44s} P@1 {r['p1']:.3f}  P@3 {r['p3']:.3f}  MRR {r['mrr']:.3f}  "
        f"macro-F1 {r['f1']:5.1f}  fit {fit:6.1f}s",
        flush=True,
    )
    return model


def table(title, rows):
    print(f"\n{title}\n")
    print("| method | P@1 | P@3 | MRR | macro-F1 | fit (s) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {r['p1']:.3f} | {r['p3']:.3f} | {r['mrr']:.3f} | {r['f1']:.1f} | {r['fit']:.1f} |")
    print(flush=True)


def tweeteval(quick):
    Xtr, ytr = load_tweeteval_emoji("train", return_X_y=True)
    Xva, yva = load_tweeteval_emoji("validation", return_X_y=True)
    Xte, yte = load_tweeteval_emoji("test", return_X_y=True)
    Xtr, Xva, Xte = list(Xtr), list(Xva), list(Xte)
    if quick:
        Xtr, ytr, Xte, yte = Xtr[:8000], ytr[:8000], Xte[:5000], yte[:5000]
    majority = Counter(ytr).most_common(1)[0][0]
    print(
        f"TweetEval: {len(Xtr)} train, {len(Xte)} test; majority class {majority} = "
        f"{np.mean(np.asarray(yte) == majority):.3f} of the test set",
        flush=True,
    )
    rows = []
    run("LEXICON (default)", lexicon(), Xtr, ytr, Xte, yte, rows)
    run("TF-IDF + LR", bow(), Xtr, ytr, Xte, yte, rows)
    run("LEXICON+BOW (TF-IDF + lexicon features + LR)", lexicon_bow(), Xtr, ytr, Xte, yte, rows)
    table("TweetEval emoji, test set (published macro-F1: SVM 29.3, fastText 25.8, LSTM 24.7)", rows)

    rows = []
    for name, kw in [
        ("default (lift, prior 1.5, granularity 0.5, 3 iters)", {}),
        ("no siblings (max_iter=0)", {"max_iter": 0}),
        ("no granularity (granularity=0)", {"granularity": 0}),
        ("granularity=1", {"granularity": 1.0}),
        ("prior_weight=1 (plain naive sum)", {"prior_weight": 1.0}),
        ("prior_weight=0", {"prior_weight": 0.0}),
        ("n_keywords=40 (paper's ~40 per emoji)", {"n_keywords": 40}),
        ("n_keywords=40, no siblings", {"n_keywords": 40, "max_iter": 0}),
        ("weighting='tfidf', prior_weight=0 (literal)", {"weighting": "tfidf", "prior_weight": 0.0}),
    ]:
        run(name, lexicon(**kw), Xtr, ytr, Xva, yva, rows)
    table("TweetEval validation: readings of the paper (LEXICON)", rows)


def read_weibo_counts(max_samples=30000, seed=0):
    """Weibo dialogues with the reply's emoji repeated as often as it was written.

    The loader removes emojis from the text but keeps how many times the reply
    held its emoji (``target_counts``); no balancing (counts are what is
    studied), long turns truncated rather than dropped (more data).
    """
    b = load_weibo_dialogues(balance=False, long_turns="truncate", n_samples=max_samples, random_state=seed)
    y = [[t] * int(c) for t, c in zip(b.target, b.target_counts)]
    return b.data, y, np.asarray(b.groups)


def weibo(quick):
    b = load_weibo_dialogues(n_samples=4000 if quick else None)
    X, y, groups = b.data, np.asarray(b.target, dtype=object), np.asarray(b.groups)
    print(
        f"Weibo dialogues: {len(X)} ({len(b.target_names)} emojis), "
        f"{sum(1 for d in X if not d[-1].strip())} with an empty reply",
        flush=True,
    )
    tr, te = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(X, y, groups))
    Xtr, Xte = [X[i] for i in tr], [X[i] for i in te]
    rows = []
    run("LEXICON (turns='all')", lexicon(), Xtr, y[tr], Xte, y[te], rows)
    run("LEXICON (turns='reply')", lexicon(turns="reply"), Xtr, y[tr], Xte, y[te], rows)
    run("LEXICON (turns='all', prior_weight=1)", lexicon(prior_weight=1.0), Xtr, y[tr], Xte, y[te], rows)
    run("LEXICON (turns='all', no siblings)", lexicon(max_iter=0), Xtr, y[tr], Xte, y[te], rows)
    run("S-BOW (TF-IDF + LR on reply)", bow("reply"), Xtr, y[tr], Xte, y[te], rows)
    run("F-BOW (TF-IDF + LR on all turns)", bow("all"), Xtr, y[tr], Xte, y[te], rows)
    run("LEXICON+BOW (all turns)", lexicon_bow(DialogueFlattener(turns="all")), Xtr, y[tr], Xte, y[te], rows)
    table("Weibo dialogues, grouped 80/20 split (by root post)", rows)

    print("Weibo, five grouped folds: set metrics of the recommended sets (LEXICON)\n")
    print("| set rule | precision | recall | F1 | F2 | mean set size |")
    print("|---|---|---|---|---|---|")
    rules = [
        ("set_threshold=0.5, max 3 (default)", {}),
        ("set_threshold=0.2, max 3", {"set_threshold": 0.2}),
        ("top-1", {"max_set_size": 1}),
    ]
    folds = list(GroupKFold(n_splits=5).split(X, y, groups))
    for name, kw in rules:
        acc = Counter()
        size = []
        for tr, te in folds:
            m = lexicon(**kw).fit([X[i] for i in tr], y[tr])
            recs = m.recommend([X[i] for i in te])
            s = set_scores([[v] for v in y[te]], [[e for e, _, _ in r] for r in recs])
            acc.update(s)
            size += [len(r) for r in recs]
        print(
            f"| {name} | {acc['precision'] / 5:.3f} | {acc['recall'] / 5:.3f} | {acc['f1'] / 5:.3f} | "
            f"{acc['f2'] / 5:.3f} | {np.mean(size):.2f} |",
            flush=True,
        )

    Xc, yc, gc = read_weibo_counts(max_samples=8000 if quick else 30000)
    cnt = np.array([len(v) for v in yc])
    print(
        f"\nWeibo counts: {len(Xc)} dialogues; count distribution {dict(sorted(Counter(cnt.tolist()).items())[:6])}\n"
    )
    print("| model | count right (true emoji) | always mode | count right when count > 1 |")
    print("|---|---|---|---|")
    for name, kw in [
        ("learned keys (defaults: support 20, smoothing 20, threshold 1)", {}),
        (
            "learned keys, looser (support 10, smoothing 10, threshold 0.5)",
            {"min_multiplication_support": 10, "multiplication_smoothing": 10.0, "multiplication_threshold": 0.5},
        ),
        ("multiplication_keys='default' list", {"multiplication_keys": "default"}),
    ]:
        right, base, right_multi = [], [], []
        for tr, te in GroupKFold(n_splits=5).split(Xc, cnt, gc):
            m = lexicon(**kw).fit([Xc[i] for i in tr], [yc[i] for i in tr])
            C = m.predict_counts([Xc[i] for i in te])
            j = np.searchsorted(m.classes_, [yc[i][0] for i in te])
            pred = C[np.arange(len(te)), j]
            mode = Counter(cnt[tr].tolist()).most_common(1)[0][0]
            right += (pred == cnt[te]).tolist()
            base += (cnt[te] == mode).tolist()
            right_multi += (pred == cnt[te])[cnt[te] > 1].tolist()
        print(f"| {name} | {np.mean(right):.3f} | {np.mean(base):.3f} | {np.mean(right_multi):.3f} |", flush=True)
    m = lexicon().fit(Xc, yc)
    rows = m.lexicon_table(kinds="multiplication")
    top = sorted(rows, key=lambda r: -r["weight"])[:10]
    print("\nstrongest multiplication keys:", ", ".join(f"{r['term']}->{r['emoji']}x{r['weight']:.1f}" for r in top))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="subsets, for a smoke run")
    ap.add_argument("--skip-tweeteval", action="store_true")
    ap.add_argument("--skip-weibo", action="store_true")
    args = ap.parse_args()
    if not args.skip_tweeteval:
        tweeteval(args.quick)
    if not args.skip_weibo:
        weibo(args.quick)


if __name__ == "__main__":
    main()
