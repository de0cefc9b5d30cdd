"""Speed of the English recommenders (EN-LINEAR, EN-LINEAR+SVM) beside TF-IDF + logistic regression.

Run from the project root (data home defaults to ../shared/data)::

    .venv/bin/python benchmarks/bench_english.py [--n-train 45000] [--n-predict 10000] [--remnants remove]

In one run, on the same TweetEval tweets (official training split, then
test tweets): fits each model on the first ``--n-train`` training tweets
and times ``predict_proba`` on ``--n-predict`` test tweets (one batch) and
on one tweet at a time (median latency). Tokenization is part of every
timing: the tokenizer cache of :func:`sklearn_emoji.text.cached_tokenize`
is emptied before each model, and the test tweets were never tokenized
before. The macro-F1 column is on the scored test tweets, for orientation
(the official numbers use all 50,000: ``sklearn-emoji evaluate --dataset
tweeteval``). Prints a Markdown table.
"""

import argparse
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if "SKLEARN_EMOJI_DATA" not in os.environ and SHARED.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(SHARED)

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from sklearn_emoji.datasets import load_tweeteval_emoji  # noqa: E402
from sklearn_emoji.metrics import macro_f1  # noqa: E402
from sklearn_emoji.pipelines import make_method  # noqa: E402
from sklearn_emoji.text import cached_tokenize  # noqa: E402


def models():
    return {
        "TF-IDF + LR (scikit-learn defaults)": make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)),
        "S-BOW (library tokenizer, TF-IDF + LR)": make_method("S-BOW", random_state=0),
        "EN-LINEAR (word + char TF-IDF, LR, prior shift)": make_method("EN-LINEAR", random_state=0),
        "EN-LINEAR+SVM (EN-LINEAR and a calibrated char 1-6 SVM)": make_method("EN-LINEAR+SVM", random_state=0),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-train", type=int, default=45000)
    ap.add_argument("--n-predict", type=int, default=10000)
    ap.add_argument("--latency-calls", type=int, default=200)
    ap.add_argument("--remnants", choices=["remove", "keep"], default="remove")
    args = ap.parse_args()
    Xtr, ytr = load_tweeteval_emoji("train", remnants=args.remnants, return_X_y=True)
    Xte, yte = load_tweeteval_emoji("test", remnants=args.remnants, return_X_y=True)
    Xtr, ytr = Xtr[: args.n_train], ytr[: args.n_train]
    Xte, yte = Xte[: args.n_predict], yte[: args.n_predict]
    single = load_tweeteval_emoji("test", remnants=args.remnants).data[-args.latency_calls :]
    rows = []
    for name, model in models().items():
        cached_tokenize.cache_clear()
        t = time.perf_counter()
        model.fit(Xtr, ytr)
        fit = time.perf_counter() - t
        t = time.perf_counter()
        proba = model.predict_proba(Xte)
        rate = len(Xte) / (time.perf_counter() - t)
        latencies = []
        for text in single:
            t = time.perf_counter()
            model.predict_proba([text])
            latencies.append(time.perf_counter() - t)
        f1 = macro_f1(yte, proba, labels=model.classes_)
        rows.append((name, fit, rate, 1000 * statistics.median(latencies), f1))
        print(
            f"  {name}: fit {fit:.1f} s, {rate:,.0f} predictions/s, "
            f"{rows[-1][3]:.2f} ms per tweet, macro-F1 {100 * f1:.1f}",
            flush=True,
        )
    print(
        f"\nTweetEval emoji (remnants={args.remnants!r}): fit on {len(Xtr):,} tweets, predict_proba on "
        f"{len(Xte):,} test tweets in one batch and on {len(single)} one at a time "
        f"(one process, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')})\n"
    )
    print("| model | fit (s) | predictions / s | one tweet (ms, median) | macro-F1 (%) |")
    print("|---|---:|---:|---:|---:|")
    for name, fit, rate, latency, f1 in rows:
        print(f"| {name} | {fit:.1f} | {rate:,.0f} | {latency:.2f} | {100 * f1:.1f} |")


if __name__ == "__main__":
    main()
