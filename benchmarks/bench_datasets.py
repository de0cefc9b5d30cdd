"""Load times of the dataset loaders: first (uncached) and cached.

Run from the project root (the data home defaults to ../shared/data when it
exists)::

    .venv/bin/python benchmarks/bench_datasets.py

The Weibo "first" load parses the whole CED archive into a fresh, temporary
cache folder (the user's cache is not touched); "cached" loads read it back
and apply the filters. TweetEval has no parse cache (reading the text files
is already fast; its loads include checking every file's SHA-256, once per
process); its second load shows that.

``--what downloads`` (or ``all``) times the verified downloader instead (or
too): the shared data is served by a local HTTP server on 127.0.0.1 and
downloaded into a fresh data home (streamed to a temporary file, hashed while
it streams, length and SHA-256 checked, then renamed), which shows its cost
without the network's::

    .venv/bin/python benchmarks/bench_datasets.py --what downloads --repeat 5
"""

import argparse
import functools
import http.server
import os
import tempfile
import threading
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


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _download_rows(repeat):
    """(name, best seconds, MB) for verified downloads of the shared files from 127.0.0.1."""
    from sklearn_emoji.datasets._base import SHA256, _download

    data = Path(os.environ["SKLEARN_EMOJI_DATA"])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(data)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    rows = []
    try:
        for rel in ["weibo_ced/CED_Dataset.tar.gz", "tweeteval_emoji/test_text.txt"]:
            best = float("inf")
            for _ in range(repeat):
                with tempfile.TemporaryDirectory(prefix="sklearn_emoji_bench_") as home:
                    t = time.perf_counter()
                    _download(f"{url}/{rel}", Path(home) / rel, sha256=SHA256[rel])
                    best = min(best, time.perf_counter() - t)
            rows.append((f"download {rel.split('/')[1]}", best, (data / rel).stat().st_size / 1e6))
    finally:
        server.shutdown()
        server.server_close()
    return rows


def _load_rows(repeat):
    """(name, first seconds, best cached seconds, samples) for each loader, in a fresh cache."""
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
            cached = min(_timed(fn)[0] for _ in range(repeat))
            rows.append((name, first, cached, len(bunch.data)))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="cached loads / downloads to time (best of)")
    parser.add_argument(
        "--what", choices=["loads", "downloads", "all"], default="loads", help="what to time (default: loads)"
    )
    args = parser.parse_args()

    if args.what in ("loads", "all"):
        print(f"{'loader':<30} {'first (s)':>10} {'cached (s)':>11} {'samples':>9}")
        print("-" * 63)
        for name, first, cached, n in _load_rows(args.repeat):
            print(f"{name:<30} {first:>10.2f} {cached:>11.2f} {n:>9,}")
        print("\nThe truncate row's 'first' already reads the cache written by the default row.\n")
    if args.what in ("downloads", "all"):
        print(f"{'verified download (127.0.0.1)':<36} {'best (s)':>9} {'MB':>7} {'MB/s':>7}")
        print("-" * 62)
        for name, seconds, mb in _download_rows(args.repeat):
            print(f"{name:<36} {seconds:>9.3f} {mb:>7.1f} {mb / seconds:>7.0f}")


if __name__ == "__main__":
    main()
