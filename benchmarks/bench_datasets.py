"""Load times of the dataset loaders: first (uncached) and cached.

Run from the project root (the data home defaults to ../shared/data when it
exists)::

    .venv/bin/python benchmarks/bench_datasets.py

The Weibo "first" load parses the whole CED archive into a fresh, temporary
cache folder (the user's cache is not touched); "cached" loads read it back
and apply the filters. TweetEval has no parse cache (reading the text files
is already fast); its second load shows the OS file cache's effect.
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if "SKLEARN_EMOJI_DATA" not in os.environ and SHARED.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(SHARED)


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="cached loads to time (best of)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sklearn_emoji_bench_") as cache:
        os.environ["SKLEARN_EMOJI_CACHE"] = cache
        from sklearn_emoji.datasets import load_tweeteval_emoji, load_weibo_dialogues

        rows = []
        cases = [
            ("weibo default (drop)", lambda: load_weibo_dialogues(verbose=False)),
            ("weibo long_turns=truncate", lambda: load_weibo_dialogues(long_turns="truncate", verbose=False)),
            ("tweeteval subset=all", lambda: load_tweeteval_emoji(subset="all")),
            ("tweeteval subset=validation", lambda: load_tweeteval_emoji(subset="validation")),
        ]
        for name, fn in cases:
            first, bunch = _timed(fn)
            cached = min(_timed(fn)[0] for _ in range(args.repeat))
            rows.append((name, first, cached, len(bunch.data)))

    print(f"{'loader':<30} {'first (s)':>10} {'cached (s)':>11} {'samples':>9}")
    print("-" * 63)
    for name, first, cached, n in rows:
        print(f"{name:<30} {first:>10.2f} {cached:>11.2f} {n:>9,}")
    print("\nThe truncate row's 'first' already reads the cache written by the default row.")


if __name__ == "__main__":
    main()
