"""Speed of tokenization, side by side in one run (issue 14).

Run from the project root (data home defaults to ../shared/data)::

    .venv/bin/python benchmarks/bench_tokenize.py [--repeats 3]

What is timed, each ``--repeats`` times, interleaved, with every memory of
:mod:`sklearn_emoji.text` emptied before each timing (``cache_clear``):

* English: :func:`~sklearn_emoji.text.tokenize` on the 45,000 TweetEval
  training tweets, and ``predict_proba`` of the lexicon model
  (``make_method("LEXICON")``) and of S-BOW on 10,000 test tweets never
  tokenized before (both fitted once on the training tweets).
* Chinese: ``tokenize`` and raw ``jieba.lcut`` on the same 40,000 distinct
  Weibo turns (from :func:`~sklearn_emoji.datasets.load_weibo_pretraining`),
  jieba's dictionary loaded beforehand.
* ``SequenceTokenizer(n_jobs=...).fit_transform`` on 100,000 distinct Weibo
  turns, ``n_jobs=1`` against ``n_jobs=2``, every process having tokenized
  40,000 other Weibo texts first (a process at work, not a fresh one):
  ``n_jobs=2`` as it runs on Linux (workers forked for the call, warm), and
  as it runs elsewhere (joblib's loky workers, started inside the timing,
  cold).
* The machine's own ceiling for two processes: the same pure-Python loop
  run twice in one process against once in each of two forked processes
  (on a shared VM the second core is rarely a whole core).
* With ``--break-even``, a second table: ``n_jobs=2`` against ``n_jobs=1``
  on growing numbers of characters, where :data:`~sklearn_emoji.text.PARALLEL_MIN_CHARS`
  comes from.

Prints one Markdown table: the median of the repeats and their range.
"""

import argparse
import contextlib
import multiprocessing
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if "SKLEARN_EMOJI_DATA" not in os.environ and SHARED.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(SHARED)

import jieba  # noqa: E402
from joblib.externals.loky import get_reusable_executor  # noqa: E402

from sklearn_emoji.datasets import load_tweeteval_emoji, load_weibo_pretraining, load_weibo_replies  # noqa: E402
from sklearn_emoji.pipelines import make_method  # noqa: E402
from sklearn_emoji.preprocessing import SequenceTokenizer  # noqa: E402
from sklearn_emoji.text import _pool as text_module  # noqa: E402  (the pool: its thresholds and fork test)
from sklearn_emoji.text import cached_tokenize, cached_tokenize_chars, tokenize, tokenize_many  # noqa: E402


def forget():
    cached_tokenize.cache_clear()
    cached_tokenize_chars.cache_clear()


def timed(func, *args):
    forget()
    return timed_keep(func, *args)


def burn(n):
    s = 0
    for i in range(n):
        s += i * i % 7
    return s


def ceiling(n=3_000_000):
    """(wall-clock of the loop twice in this process, of once in each of two forked processes)."""
    t = time.perf_counter()
    burn(n), burn(n)
    one = time.perf_counter() - t
    with multiprocessing.get_context("fork").Pool(2) as pool:
        t = time.perf_counter()
        pool.map(burn, [n, n], chunksize=1)
        two = time.perf_counter() - t
    return one, two


@contextlib.contextmanager
def no_fork():
    """tokenize_many as it runs where it cannot fork: joblib's loky workers."""
    saved, text_module._can_fork = text_module._can_fork, lambda: False
    try:
        yield
    finally:
        text_module._can_fork = saved


def each(func, texts):
    for t in texts:
        func(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n-zh", type=int, default=40_000)
    ap.add_argument("--n-parallel", type=int, default=100_000)
    ap.add_argument("--break-even", action="store_true", help="also time n_jobs=2 on growing inputs")
    args = ap.parse_args()

    en_train, y_train = load_tweeteval_emoji("train", return_X_y=True)
    en_test = load_tweeteval_emoji("test").data[:10_000]
    turns = list(dict.fromkeys(t for d in load_weibo_pretraining().data for t in d if t.strip()))
    other = [t for t in load_weibo_replies().data[:60_000] if t.strip()][:40_000]
    zh, big = turns[: args.n_zh], turns[: args.n_parallel]
    n_en, n_zh = sum(map(len, en_train)), sum(map(len, zh))
    models = {name: make_method(name).fit(en_train, y_train) for name in ("LEXICON", "S-BOW")}
    jieba.initialize()

    runs = {k: [] for k in ("en", "lex", "sbow", "zh", "jieba", "p1", "p2", "p2loky", "cpu")}
    for r in range(args.repeats):
        runs["en"].append(timed(each, tokenize, en_train))
        runs["lex"].append(timed(models["LEXICON"].predict_proba, en_test))
        runs["sbow"].append(timed(models["S-BOW"].predict_proba, en_test))
        runs["jieba"].append(timed(each, jieba.lcut, zh))
        runs["zh"].append(timed(each, tokenize, zh))
        # n_jobs: this process has tokenized `other` first; the timing starts with the texts unknown.
        for key, n_jobs, where in (
            ("p1", 1, contextlib.nullcontext),
            ("p2", 2, contextlib.nullcontext),
            ("p2loky", 2, no_fork),
        ):
            forget()
            tokenize_many(other)
            with where():
                runs[key].append(timed_keep(SequenceTokenizer(n_jobs=n_jobs).fit_transform, big))
            get_reusable_executor().shutdown(wait=True)
        runs["cpu"].append(ceiling())
        print(f"repeat {r + 1}/{args.repeats} done", flush=True)

    def spread(vals, fmt):
        vals = sorted(vals)
        return f"{statistics.median(vals):{fmt}} ({vals[0]:{fmt}}-{vals[-1]:{fmt}})"

    def rate(key, n, clock=0):
        return spread([n / t[clock] for t in runs[key]], ",.0f")

    def ratio(num, den, clock=0):
        return spread([d[clock] / n[clock] for n, d in zip(runs[num], runs[den])], ".2f") + "x"

    n_big = sum(map(len, big))
    en_chars = statistics.median(n_en / t[1] for t in runs["en"])
    tweets, test = f"{len(en_train):,} TweetEval tweets", f"{len(en_test):,} TweetEval test tweets"
    zh_data, big_data = f"{len(zh):,} Weibo turns, {n_zh:,} chars", f"{len(big):,} Weibo turns, {n_big:,} chars"
    rows = [
        (
            "`tokenize`, English",
            tweets,
            "tweets",
            rate("en", len(en_train)),
            rate("en", len(en_train), 1),
            "",
            "60,000",
        ),
        ("(same, chars/s)", "", "chars", "", f"{en_chars:,.0f}", "", ""),
        (
            "lexicon `predict_proba`",
            test,
            "tweets",
            rate("lex", len(en_test)),
            rate("lex", len(en_test), 1),
            "",
            "40,000",
        ),
        ("S-BOW `predict_proba`", test, "tweets", rate("sbow", len(en_test)), rate("sbow", len(en_test), 1), "", ""),
        ("raw `jieba.lcut`", zh_data, "chars", rate("jieba", n_zh), rate("jieba", n_zh, 1), "1.00x", ""),
        (
            "`tokenize`, Chinese",
            "same",
            "chars",
            rate("zh", n_zh),
            rate("zh", n_zh, 1),
            ratio("zh", "jieba", 1),
            "1.0x",
        ),
        ("`SequenceTokenizer(n_jobs=1).fit_transform`", big_data, "turns", rate("p1", len(big)), "", "1.00x", ""),
        (
            "same, `n_jobs=2` (Linux: forked workers)",
            "same",
            "turns",
            rate("p2", len(big)),
            "",
            ratio("p2", "p1"),
            "1.6x",
        ),
        (
            "same, `n_jobs=2` (elsewhere: loky, cold)",
            "same",
            "turns",
            rate("p2loky", len(big)),
            "",
            ratio("p2loky", "p1"),
            "",
        ),
        (
            "machine: pure-Python loop, 2 processes vs 1",
            "",
            "",
            "",
            "",
            spread([a / b for a, b in runs["cpu"]], ".2f") + "x",
            "",
        ),
    ]
    print(f"\n{args.repeats} repeats, median (range); {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print("Ratios: of CPU time for tokenize/jieba (one process), of wall-clock time for n_jobs.\n")
    print("| what | data | unit | per second (wall clock) | per second (CPU time) | ratio | goal (>=) |")
    print("|---|---|---|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if args.break_even:
        break_even(turns, other, args.repeats)


def break_even(turns, other, repeats):
    """n_jobs=2 against n_jobs=1 of tokenize_many on growing inputs (threshold set to 0 for the timing)."""
    saved, text_module.PARALLEL_MIN_CHARS = text_module.PARALLEL_MIN_CHARS, 0
    print("\n| characters | turns | n_jobs=1 (s) | n_jobs=2, forked (s) | speed-up |")
    print("|---:|---:|---:|---:|---:|")
    try:
        for n in (5_000, 10_000, 20_000, 40_000, 80_000):
            texts = turns[-n:]
            times = {1: [], 2: []}
            for _ in range(repeats):
                for n_jobs in (1, 2):
                    forget()
                    tokenize_many(other)
                    times[n_jobs].append(timed_keep(tokenize_many, texts, None, n_jobs)[0])
            one, two = statistics.median(times[1]), statistics.median(times[2])
            print(f"| {sum(map(len, texts)):,} | {n:,} | {one:.3f} | {two:.3f} | {one / two:.2f}x |")
    finally:
        text_module.PARALLEL_MIN_CHARS = saved


def timed_keep(func, *args):
    """(wall-clock, this process's CPU) seconds, the memories left as the caller prepared them.

    CPU time is what one process costs whatever else the machine runs; it
    leaves out worker processes, so the n_jobs rows use wall-clock time.
    """
    c, t = time.process_time(), time.perf_counter()
    func(*args)
    return time.perf_counter() - t, time.process_time() - c


if __name__ == "__main__":
    main()
