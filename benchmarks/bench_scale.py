"""Scaling out: a grid search on Dask, memory and speed as the corpus grows.

Three parts, each printing a table (``all`` runs them in order)::

    python benchmarks/bench_scale.py grid      # GridSearchCV locally vs on a 2-worker LocalCluster
    python benchmarks/bench_scale.py memory    # peak memory and throughput at 1x, 4x, 16x (~12 min)
    python benchmarks/bench_scale.py all       # both

``grid`` runs the same search (H-LSTM, ``embedding_dim`` in {16, 32}, P@1,
P@3 and MRR, 3-fold grouped CV) in this process and on a
``LocalCluster(n_workers=2, threads_per_worker=1)`` through
:func:`sklearn_emoji.parallel.dask_backend`, and checks that the scores are
equal. On one 2-core machine no speed-up is expected: the point is the path.

``memory`` replicates the Weibo dialogues of
``load_weibo_dialogues(long_turns="truncate")`` (all 43,320, or a sample of
``--base-n``) 1, 4 and 16 times as a stream read from a JSON-lines file,
runs each stage in a fresh subprocess, so each peak is its own, and prints
the projection to 1.16M and 100M dialogues:

- ``write``: :func:`~sklearn_emoji.neural.write_token_arrays` (one copy
  of the base per chunk) into memory-mapped ids on disk;
- ``in-memory``: for contrast, the replicated list tokenized at once
  with ``HierarchicalTokenizer.transform`` (what the library did before);
- ``loader``: one pass of a torch ``DataLoader`` over the memmap
  (:class:`~sklearn_emoji.neural.TokenDataset`, batches of 128): the input
  pipeline alone, the bound on a GPU's rate per data-loading process;
- ``epoch``: one epoch of ``HLSTMClassifier`` on the memmap (CPU, small
  dimensions: ``--dim``, default 32);
- ``lexicon``: ``LexiconEmojiRecommender.partial_fit``, one copy of the
  base per chunk.

The tokenizer remembers texts and segmented Han runs, so a replicated copy
would cost nothing: each copy is made a distinct text (trailing spaces) and
the memories are emptied before each copy is read, so that ``write`` and
``lexicon`` pay for each copy what new text would cost. ``in-memory``
tokenizes everything in one call, so its copies do hit the memories: its
rate is flattered, its memory is not. Peak RSS is the
kernel's ``VmHWM``; it counts the memmap's file pages, which the kernel can
drop at any time, so the table also gives the peak of anonymous memory
(``RssAnon``, sampled every 20 ms): the memory the process really holds,
and what the stage added to it over the imports (``stage anon``).

The projection uses the measured rates and sizes, and GPU epoch times
measured on one NVIDIA H100 by ``benchmarks/transfer_results.py``
(``results/transfer/gpu*/runs.jsonl``); the assumptions are printed with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

STAGES = ("write", "in-memory", "loader", "epoch", "lexicon")

# One NVIDIA H100, pre-training epochs of the H-LSTM (words, last state, 384
# dimensions, batches of 128) over 146,035 dialogues, from
# results/transfer/gpu3/runs.jsonl ("H_words_last_384": 10.6, 11.2, 12.5 s).
GPU_EPOCH_S, GPU_EPOCH_N = (10.58 + 11.24 + 12.53) / 3, 146_035


# ----------------------------------------------------------------------
# memory: one stage in a fresh process
# ----------------------------------------------------------------------
class _Peak:
    """Peak of RssAnon (sampled) and VmHWM of this process."""

    def __init__(self, interval=0.02):
        self.interval, self.anon, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _status(field):
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        return 0

    def _run(self):
        while not self._stop.is_set():
            self.anon = max(self.anon, self._status("RssAnon"))
            time.sleep(self.interval)

    def __enter__(self):
        self.before_anon = self._status("RssAnon")
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.anon = max(self.anon, self._status("RssAnon"))
        self.hwm = self._status("VmHWM")


def _stream(path, scale, forget=False):
    """Dialogues and labels of the base file, ``scale`` times over, one at a time.

    Copy ``k`` ends every turn with ``k`` spaces (no token), so that no copy
    is the same text as another; with ``forget``, the tokenizer's memories
    (whole texts, segmented Han runs) are emptied at the start of each copy,
    so that a copy tokenized in a chunk of its own costs what new text would.
    """
    from sklearn_emoji.text import cached_tokenize

    for k in range(scale):
        if forget:
            cached_tokenize.cache_clear()
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                d["x"] = [turn + " " * k for turn in d["x"]]
                yield d


def _stage(args):
    import joblib
    import numpy as np
    import torch

    torch.set_num_threads(1)
    work = Path(args.workdir)
    base, scale = work / "base.jsonl", args.scale
    tok = joblib.load(work / "tokenizer.joblib")
    corpus = work / f"ids_x{scale}"
    with open(base, encoding="utf-8") as fh:
        n_base = sum(1 for _ in fh)
    out = {"stage": args.stage, "scale": scale}
    from sklearn_emoji.text import tokenize

    tokenize("先加载结巴词典")  # jieba loads its dictionary on first use: not part of the rate
    with _Peak() as peak:
        start = time.perf_counter()
        if args.stage == "write":
            from sklearn_emoji.neural import write_token_arrays

            arrays = write_token_arrays(
                (d["x"] for d in _stream(base, scale, forget=True)),
                tok,
                corpus,
                y=(d["y"] for d in _stream(base, scale)),
                chunk_size=n_base,
            )
            n = arrays.n_samples
            out["disk_bytes"] = sum(f.stat().st_size for f in corpus.iterdir())
            out["label_bytes"] = int(arrays.y.itemsize)
        elif args.stage == "in-memory":
            X = [d["x"] for d in _stream(base, scale)]
            ids = tok.transform(X)
            n = len(ids)
            out["ids_bytes"] = int(ids.nbytes)
        elif args.stage == "loader":
            from sklearn_emoji.neural import TokenDataset, load_token_arrays

            arrays = load_token_arrays(corpus)
            y = np.unique(arrays.y, return_inverse=True)[1]
            loader = torch.utils.data.DataLoader(TokenDataset(arrays.ids, y, arrays.vocab_size), batch_size=128)
            n = sum(len(xb) for xb, _ in loader)
        elif args.stage == "epoch":
            from sklearn_emoji.neural import HLSTMClassifier, load_token_arrays

            arrays = load_token_arrays(corpus)
            clf = HLSTMClassifier(
                embedding_dim=args.dim,
                hidden_dim=args.dim,
                batch_size=args.batch_size,
                max_epochs=1,
                validation_fraction=None,
                pooling="last",
                random_state=0,
            )
            clf.fit(arrays.ids, arrays.y)
            n = arrays.n_samples
        elif args.stage == "lexicon":
            from sklearn_emoji.lexicon import LexiconEmojiRecommender

            lex = LexiconEmojiRecommender(tokenizer=tokenize)
            n, chunk = 0, []
            for d in _stream(base, scale, forget=True):
                chunk.append(d)
                if len(chunk) == n_base:
                    lex.partial_fit([c["x"] for c in chunk], [c["y"] for c in chunk])
                    n, chunk = n + len(chunk), []
            if chunk:
                lex.partial_fit([c["x"] for c in chunk], [c["y"] for c in chunk])
                n += len(chunk)
        out["seconds"] = time.perf_counter() - start
    out.update(n=n, rate=n / out["seconds"], peak_rss=peak.hwm, peak_anon=peak.anon, start_anon=peak.before_anon)
    print(json.dumps(out))


def _prepare(work, base_n):
    import joblib

    from sklearn_emoji.datasets import load_weibo_dialogues
    from sklearn_emoji.preprocessing import HierarchicalTokenizer
    from sklearn_emoji.text import tokenize

    data = load_weibo_dialogues(long_turns="truncate", n_samples=base_n or None, random_state=0)
    with open(work / "base.jsonl", "w", encoding="utf-8") as fh:
        for x, y in zip(data.data, data.target):
            fh.write(json.dumps({"x": list(x), "y": str(y)}, ensure_ascii=False) + "\n")
    tok = HierarchicalTokenizer(max_turns=4, max_len=50, min_freq=2, tokenizer=tokenize).fit(data.data)
    joblib.dump(tok, work / "tokenizer.joblib")
    turns = sum(len(x) for x in data.data) / len(data.data)
    return len(data.data), tok.vocab_size_, turns


def _mb(n):
    return f"{n / 2**20:,.0f}"


def run_memory(args):
    root = Path(args.workdir or tempfile.mkdtemp(prefix="bench_scale_"))
    root.mkdir(parents=True, exist_ok=True)
    n_base, vocab, turns = _prepare(root, args.base_n)
    print(
        f"\nbase: {n_base:,} Weibo dialogues (load_weibo_dialogues(long_turns='truncate'), mean {turns:.2f} turns), "
        f"vocabulary {vocab:,}; replicated x{', x'.join(map(str, args.scales))}; work folder {root}"
    )
    print(f"H-LSTM epoch on CPU, 1 thread: embedding = hidden = {args.dim}, batch {args.batch_size}\n")
    rows = []
    header = (
        f"{'stage':<10} {'scale':>5} {'dialogues':>10} {'seconds':>8} {'dialogues/s':>12} "
        f"{'peak RSS MB':>12} {'peak anon MB':>13} {'stage anon MB':>14} {'disk MB':>8}"
    )
    print(header)
    print("-" * len(header))
    for scale in args.scales:
        for stage in args.stages:
            cmd = [sys.executable, __file__, "_stage", stage, "--scale", str(scale), "--workdir", str(root)]
            cmd += ["--dim", str(args.dim), "--batch-size", str(args.batch_size)]
            proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
            if proc.returncode:
                sys.exit(f"stage {stage} x{scale} failed:\n{proc.stderr[-3000:]}")
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            rows.append(row)
            disk = _mb(row["disk_bytes"]) if "disk_bytes" in row else ""
            print(
                f"{stage:<10} {'x' + str(scale):>5} {row['n']:>10,} {row['seconds']:>8.1f} {row['rate']:>12,.0f} "
                f"{_mb(row['peak_rss']):>12} {_mb(row['peak_anon']):>13} "
                f"{_mb(row['peak_anon'] - row['start_anon']):>14} {disk:>8}",
                flush=True,
            )
    return {"rows": rows, "n_base": n_base, "dim": args.dim, "workdir": str(root)}


# ----------------------------------------------------------------------
# grid: local vs LocalCluster
# ----------------------------------------------------------------------
def run_grid(args):
    import numpy as np
    from distributed import LocalCluster
    from sklearn.model_selection import GridSearchCV, GroupKFold

    from sklearn_emoji.datasets import load_weibo_dialogues
    from sklearn_emoji.metrics import get_scorer_dict
    from sklearn_emoji.parallel import dask_backend
    from sklearn_emoji.pipelines import make_method

    data = load_weibo_dialogues(n_samples=args.grid_n, random_state=0)
    X, y, groups = list(data.data), data.target, data.groups
    scoring = {k: v for k, v in get_scorer_dict().items() if k in ("p@1", "p@3", "mrr")}
    pipe = make_method("H-LSTM", random_state=0, clf__max_epochs=2, clf__validation_fraction=None, clf__device="auto")
    grid = {"clf__embedding_dim": [16, 32], "clf__hidden_dim": [32]}

    def search():
        return GridSearchCV(pipe, grid, scoring=scoring, refit=False, cv=GroupKFold(n_splits=3))

    def timed(label, fit):
        start = time.perf_counter()
        result = fit()
        times.setdefault(label, []).append(time.perf_counter() - start)
        return result

    times = {}
    local = timed("local (this process)", lambda: search().fit(X, y, groups=groups))
    cluster = timed(
        "start LocalCluster(2 workers)",
        lambda: LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, silence_logs=40
        ),
    )
    with cluster, dask_backend(cluster, timeout=120):
        remote = timed("dask, first search (workers import torch, jieba)", lambda: search().fit(X, y, groups=groups))
        # Then interleaved rounds: the load of a shared machine moves between runs.
        for _ in range(args.grid_rounds):
            timed("local (this process)", lambda: search().fit(X, y, groups=groups))
            timed("dask, 2 workers", lambda: search().fit(X, y, groups=groups))
    diff = max(
        float(np.max(np.abs(local.cv_results_[k] - remote.cv_results_[k])))
        for k in local.cv_results_
        if k.startswith("split") and "test" in k
    )
    print(
        f"\ngrid: H-LSTM embedding_dim {{16, 32}}, hidden 32, 2 epochs, 3-fold grouped CV = 6 fits, "
        f"{len(X):,} Weibo dialogues, P@1/P@3/MRR"
    )
    print(f"{'run':<52} {'seconds (each run)':>30}")
    print("-" * 83)
    for name, secs in times.items():
        print(f"{name:<52} {', '.join(f'{sec:.1f}' for sec in secs):>30}")
    print(f"largest |local - dask| over every split score: {diff:.2e}")
    print("mean P@1 per candidate, local:", np.round(local.cv_results_["mean_test_p@1"], 4).tolist())
    print("mean P@1 per candidate, dask: ", np.round(remote.cv_results_["mean_test_p@1"], 4).tolist())
    return {"times": times, "max_diff": diff}


# ----------------------------------------------------------------------
# projection
# ----------------------------------------------------------------------
def _hours(seconds):
    return f"{seconds / 3600:,.1f} h" if seconds >= 3600 else f"{seconds / 60:,.1f} min"


def project(memory, *, epochs=10, folds=5, n_configs=25, dp_efficiency=0.85):
    rows = {(r["stage"], r["scale"]): r for r in memory["rows"]}
    top = max(r["scale"] for r in memory["rows"])
    write = rows[("write", top)]
    disk_per = write["disk_bytes"] / write["n"]
    gpu_rate = GPU_EPOCH_N / GPU_EPOCH_S
    loader_rate = rows[("loader", top)]["rate"] if ("loader", top) in rows else float("nan")
    scales = sorted({r["scale"] for r in memory["rows"]})

    def memory_at(stage, n):
        # The peak at the largest scale plus the growth per dialogue measured
        # between the two largest scales (never less than zero).
        hi, lo = rows[(stage, scales[-1])], rows[(stage, scales[-2])]
        slope = max(0.0, (hi["peak_anon"] - lo["peak_anon"]) / (hi["n"] - lo["n"]))
        return hi["peak_anon"] + slope * max(0.0, n - hi["n"]), slope

    print(
        "\nprojection (assumptions: GPU rate = H-LSTM 384 dims, words, batches of 128 on one H100, measured by "
        f"transfer_results.py: {gpu_rate:,.0f} dialogues/s per epoch; {epochs} epochs per fit (early stopping); "
        f"the paper's grid = {n_configs} (embedding, hidden) pairs x {folds} folds, each fit on {folds - 1}/{folds} "
        f"of the data; 8 GPUs = 8 Dask workers with one GPU each, one fit per GPU; one fit on 8 GPUs = "
        f"data-parallel (accelerate) at {dp_efficiency:.0%} efficiency, not measured; tokenizing at the "
        f"measured rate of one core; disk = the measured {disk_per:,.0f} bytes per dialogue (int32 4 x 50 grid "
        "+ labels); memory = the measured peak of anonymous memory at the largest scale plus its measured "
        "growth per dialogue between the two largest scales, extrapolated linearly)"
    )
    write_rate = write["rate"]
    header = f"{'':<44} {'1.16M dialogues':>18} {'100M dialogues':>18}"
    print(header)
    print("-" * len(header))
    lines = []
    for n in (1.16e6, 100e6):
        train_n = n * (folds - 1) / folds
        epoch_1 = n / gpu_rate
        fit_1 = epochs * train_n / gpu_rate
        grid_1 = n_configs * folds * fit_1
        lines.append(
            {
                "tokenize to disk, 1 core / 16 cores": f"{_hours(n / write_rate)} / {_hours(n / write_rate / 16)}",
                "disk (token ids + labels)": f"{n * disk_per / 1e9:,.1f} GB",
                "one epoch, 1 GPU": _hours(epoch_1),
                "one fit (10 epochs), 1 GPU / 8 GPUs DP": f"{_hours(fit_1)} / {_hours(fit_1 / (8 * dp_efficiency))}",
                "paper's grid (125 fits), 1 GPU / 8 GPUs": f"{_hours(grid_1)} / {_hours(grid_1 / 8)}",
            }
        )
        for stage in ("write", "epoch", "lexicon", "in-memory"):
            if (stage, scales[-1]) in rows and len(scales) > 1:
                peak, slope = memory_at(stage, n)
                lines[-1][f"memory, {stage} ({slope:,.0f} B/dialogue)"] = f"{peak / 1e9:,.1f} GB"
    for key in lines[0]:
        print(f"{key:<44} {lines[0][key]:>18} {lines[1][key]:>18}")
    print(
        f"input pipeline bound: the DataLoader over the memmap gave {loader_rate:,.0f} dialogues/s per CPU "
        f"process here, vs {gpu_rate:,.0f} needed to keep the H100 busy"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", choices=["grid", "memory", "all", "_stage"])
    parser.add_argument("stage", nargs="?", choices=STAGES)
    parser.add_argument("--base-n", type=int, default=0, help="dialogues in the 1x corpus (default 0: all 43,320)")
    parser.add_argument("--scales", type=lambda s: [int(v) for v in s.split(",")], default=[1, 4, 16])
    parser.add_argument("--stages", type=lambda s: s.split(","), default=list(STAGES))
    parser.add_argument("--dim", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--grid-n", type=int, default=1500)
    parser.add_argument("--grid-rounds", type=int, default=2, help="interleaved local / dask rounds after the first")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--json", default=None, help="also write the measurements to this file")
    args = parser.parse_args(argv)
    if args.part == "_stage":
        _stage(args)
        return
    import torch

    torch.set_num_threads(1)
    results = {}
    if args.part in ("grid", "all"):
        results["grid"] = run_grid(args)
    if args.part in ("memory", "all"):
        results["memory"] = run_memory(args)
        project(results["memory"])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
