"""Speed of the sibling-lexicon model beside TF-IDF + logistic regression.

Run from the project root (data home defaults to ../shared/data)::

    .venv/bin/python benchmarks/bench_lexicon.py [--n-train 45000] [--n-predict 10000]

Fits every model on the first ``--n-train`` TweetEval training tweets and
times ``predict_proba`` on ``--n-predict`` test tweets. Tokenization is part
of every timing (the plain :func:`sklearn_emoji.text.tokenize`, no cache), so
the models compare on equal terms. Prints a Markdown table.
"""

import argparse
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if "SKLEARN_EMOJI_DATA" not in os.environ and SHARED.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(SHARED)

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import FeatureUnion, Pipeline  # noqa: E402

from sklearn_emoji.datasets import load_tweeteval_emoji  # noqa: E402
from sklearn_emoji.lexicon import LexiconEmojiRecommender, SiblingLexiconFeatures  # noqa: E402
from sklearn_emoji.text import tokenize  # noqa: E402


def models():
    return {
        "tokenize only (reference)": None,
        "LEXICON (LexiconEmojiRecommender)": LexiconEmojiRecommender(tokenizer=tokenize),
        "LEXICON, max_iter=0 (no siblings)": LexiconEmojiRecommender(tokenizer=tokenize, max_iter=0),
        "TF-IDF + LR": Pipeline(
            [
                ("tfidf", TfidfVectorizer(analyzer=tokenize, sublinear_tf=True, min_df=2)),
                ("clf", LogisticRegression(max_iter=1000)),
            ]
        ),
        "LEXICON+BOW (TF-IDF + lexicon + LR)": Pipeline(
            [
                (
                    "features",
                    FeatureUnion(
                        [
                            ("tfidf", TfidfVectorizer(analyzer=tokenize, sublinear_tf=True, min_df=2)),
                            ("lexicon", SiblingLexiconFeatures(tokenizer=tokenize, random_state=0)),
                        ]
                    ),
                ),
                ("clf", LogisticRegression(max_iter=1000)),
            ]
        ),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-train", type=int, default=45000)
    ap.add_argument("--n-predict", type=int, default=10000)
    ap.add_argument("--skip", nargs="*", default=[], help="substrings of model names to skip")
    args = ap.parse_args()
    Xtr, ytr = load_tweeteval_emoji("train", return_X_y=True)
    Xte, _ = load_tweeteval_emoji("test", return_X_y=True)
    Xtr, ytr = list(Xtr)[: args.n_train], list(ytr)[: args.n_train]
    Xte = list(Xte)[: args.n_predict]
    rows = []
    for name, model in models().items():
        if any(s in name for s in args.skip):
            continue
        if model is None:
            t = time.perf_counter()
            for x in Xtr:
                tokenize(x)
            fit = time.perf_counter() - t
            t = time.perf_counter()
            for x in Xte:
                tokenize(x)
            pred = time.perf_counter() - t
        else:
            t = time.perf_counter()
            model.fit(Xtr, ytr)
            fit = time.perf_counter() - t
            t = time.perf_counter()
            model.predict_proba(Xte)
            pred = time.perf_counter() - t
        rows.append((name, fit, len(Xte) / pred))
        print(f"  {name}: fit {fit:.1f} s, {len(Xte) / pred:,.0f} predictions/s", flush=True)
    print(
        f"\nTweetEval emoji: fit on {len(Xtr):,} tweets, predict_proba on {len(Xte):,} tweets "
        f"(one process, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')})\n"
    )
    print("| model | fit (s) | predictions / s |")
    print("|---|---|---|")
    for name, fit, rate in rows:
        print(f"| {name} | {fit:.1f} | {rate:,.0f} |")


if __name__ == "__main__":
    main()
