"""torch threads for LSTM training on a small machine: 1 against 2, idle and busy.

Run from the project root (data home defaults to ../shared/data)::

    .venv/bin/python benchmarks/bench_threads.py [--n-samples 3000] [--repeats 3]

One step of the recipe's work, the same in every cell: an attention H-LSTM
(chars, 128 dimensions, batch 128) trained for one epoch on ``--n-samples``
Weibo pre-training dialogues, then ``predict_proba`` on 1,000. Each cell runs
in a fresh process with ``torch.set_num_threads(N)`` (``OMP_NUM_THREADS=N``
too), the threads settings interleaved so that drift in the machine's load
hits both alike. "busy" starts ``--busy`` processes that spin on the CPU
(``while True: pass``, one per core by default) for the cell's duration,
the way a shared CI runner or a laptop with a browser open is busy.

Prints a Markdown table: median seconds per cell, range, and each
setting's time relative to one thread in the same load.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if "SKLEARN_EMOJI_DATA" not in os.environ and SHARED.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(SHARED)

STEP = """
import sys, time, torch
torch.set_num_threads({threads})
from sklearn_emoji import load_weibo_pretraining, make_method
pre = load_weibo_pretraining(n_samples={n})
model = make_method("H-LSTM", random_state=0, tokens__tokenizer="chars", clf__max_epochs=1,
                    clf__embedding_dim=128, clf__hidden_dim=128, clf__validation_fraction=None)
start = time.perf_counter()
model.fit(pre.data, pre.target)
fit = time.perf_counter() - start
start = time.perf_counter()
model.predict_proba(pre.data[:1000])
print(fit, time.perf_counter() - start)
"""


def cell(threads, n, busy):
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy)]
    try:
        out = subprocess.run(
            [sys.executable, "-c", STEP.format(threads=threads, n=n)], capture_output=True, text=True, env=env
        )
    finally:
        for p in spinners:
            p.kill()
    if out.returncode:
        raise SystemExit(out.stderr)
    fit, predict = map(float, out.stdout.split()[-2:])
    return fit, predict


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-samples", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--busy", type=int, default=os.cpu_count() or 2, help="spinning processes when busy")
    args = parser.parse_args()
    settings = [int(t) for t in args.threads.split(",")]
    results = {}
    load0 = os.getloadavg()[0]
    for load, busy in (("idle", 0), ("busy", args.busy)):
        for _ in range(args.repeats):
            for threads in settings:
                results.setdefault((load, threads), []).append(cell(threads, args.n_samples, busy))
    print(f"{os.cpu_count()} cores, load average {load0:.2f} at the start, {args.n_samples} dialogues, 1 epoch")
    print("| machine | torch threads | fit (s), median | range | predict 1,000 (s) | fit vs 1 thread |")
    print("| --- | ---: | ---: | --- | ---: | ---: |")
    for (load, threads), runs in results.items():
        fits = [f for f, _ in runs]
        base = statistics.median(f for f, _ in results[(load, settings[0])])
        print(
            f"| {load} | {threads} | {statistics.median(fits):.1f} | {min(fits):.1f}-{max(fits):.1f} | "
            f"{statistics.median(p for _, p in runs):.2f} | {statistics.median(fits) / base:.2f}x |"
        )
    print(f"({time.strftime('%Y-%m-%d %H:%M')}; 'idle' means no spinner of ours: other work may share the machine)")


if __name__ == "__main__":
    main()
