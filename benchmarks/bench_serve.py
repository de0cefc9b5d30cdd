"""Load test of ``sklearn-emoji serve`` on 127.0.0.1: requests per second, latency, memory.

Run from the project root (data home defaults to ../shared/data)::

    .venv/bin/python benchmarks/bench_serve.py [--n-train 2000] [--requests 400] [--clients 4]

For each method (LEXICON, F-BOW, H-LSTM by default) the script fits the model
on ``--n-train`` Weibo dialogues, saves it with
:func:`sklearn_emoji.evaluation.save_model`, starts ``python -m
sklearn_emoji.serving`` (the code of ``sklearn-emoji serve``) on 127.0.0.1 in
a subprocess, waits for ``/health``, warms up, then sends a bounded number of
requests built from held-out dialogues:

- ``single``: one dialogue per request, from 1 client (latency without
  queueing) and from ``--clients`` threads (throughput);
- ``batch32``: 32 dialogues per request, the same two ways.

Each client is a thread with its own keep-alive ``httpx.Client``; every
request must answer 200. Prints a Markdown table: requests/s, dialogues/s,
p50 and p99 latency (ms), and the server's resident memory (VmRSS, and the
peak VmHWM, MiB, from ``/proc/PID/status``) after the run. Only 127.0.0.1 is
ever contacted. The client runs on the same machine, so it takes CPU from
the server: the numbers are a floor.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if "SKLEARN_EMOJI_DATA" not in os.environ and SHARED.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(SHARED)

import httpx  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from sklearn_emoji.datasets import load_weibo_dialogues  # noqa: E402
from sklearn_emoji.evaluation import save_model  # noqa: E402
from sklearn_emoji.pipelines import make_method  # noqa: E402
from sklearn_emoji.serving._app import _has_attention, _recommend  # noqa: E402

HOST = "127.0.0.1"


def _params(name, args):
    if name == "H-LSTM":
        return {
            "clf__embedding_dim": args.dim,
            "clf__hidden_dim": args.dim,
            "clf__max_epochs": args.epochs,
            "clf__validation_fraction": None,
        }
    return {}


def _free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _memory_mib(pid):
    """``(VmRSS, VmHWM)`` of a process, MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def _start_server(path, port, threads):
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    cmd = [sys.executable, "-m", "sklearn_emoji.serving", "--model", str(path), "--host", HOST, "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL)
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not answer /health in 300 s")


def _drive(url, bodies, clients):
    """Send every body once from ``clients`` threads; latencies (s) and wall time."""
    chunks = [bodies[i::clients] for i in range(clients)]

    def worker(chunk):
        out = []
        with httpx.Client(base_url=url, timeout=60) as client:
            for body in chunk:
                start = time.perf_counter()
                response = client.post("/recommend", json=body)
                out.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise RuntimeError(f"status {response.status_code}: {response.text[:200]}")
        return out

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = [t for chunk in pool.map(worker, chunks) for t in chunk]
    return np.asarray(latencies), time.perf_counter() - start


def _summary(latencies, wall, per_request):
    """requests, requests/s, dialogues/s, p50 and p99 (ms)."""
    n = len(latencies)
    p50, p99 = 1000 * np.percentile(latencies, [50, 99])
    return n, n / wall, per_request * n / wall, p50, p99


def _in_process(model, singles):
    """The model's own time on the single dialogues (what the endpoint calls, without HTTP)."""
    attention = _has_attention(model)
    latencies = []
    start = time.perf_counter()
    for body in singles:
        t = time.perf_counter()
        _recommend(model, [body["turns"]], body["k"], attention)
        latencies.append(time.perf_counter() - t)
    return (*_summary(np.asarray(latencies), time.perf_counter() - start, 1), float("nan"), float("nan"), float("nan"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--methods", default="LEXICON,F-BOW,H-LSTM")
    parser.add_argument("--n-train", type=int, default=2000, help="Weibo dialogues to fit each model on")
    parser.add_argument("--requests", type=int, default=400, help="requests per single-dialogue measurement")
    parser.add_argument("--batch-requests", type=int, default=60, help="requests per batch-of-32 measurement")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads for throughput")
    parser.add_argument("--dim", type=int, default=128, help="H-LSTM embedding and hidden size")
    parser.add_argument("--epochs", type=int, default=2, help="H-LSTM training epochs")
    parser.add_argument("--server-threads", type=int, default=1, help="OMP_NUM_THREADS of the server (torch)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.server_threads)  # the in-process rows use the server's threads

    bunch = load_weibo_dialogues(n_samples=args.n_train + 1000, random_state=args.seed)
    X, y = bunch.data, bunch.target
    held_out = [list(d) for d in X[args.n_train :] if any(t.strip() for t in d)]
    rng = np.random.RandomState(args.seed)
    singles = [{"turns": held_out[i], "k": 3} for i in rng.randint(len(held_out), size=args.requests)]
    batches = [
        {"dialogues": [held_out[i] for i in rng.randint(len(held_out), size=32)], "k": 3}
        for _ in range(args.batch_requests)
    ]
    print(
        f"{args.n_train} training dialogues, {len(held_out)} held-out ones for the requests; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start",
        flush=True,
    )

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in [m.strip() for m in args.methods.split(",") if m.strip()]:
            start = time.perf_counter()
            model = make_method(name, random_state=args.seed, **_params(name, args)).fit(
                X[: args.n_train], y[: args.n_train]
            )
            print(f"{name}: fitted in {time.perf_counter() - start:.1f} s", flush=True)
            path = save_model(model, Path(tmp) / f"{name}.pkl", metadata={"method": name})
            rows.append((name, "single, in-process (no HTTP)", 0, *_in_process(model, singles)))
            proc, url = _start_server(path, _free_port(), args.server_threads)
            try:
                rss_idle, _ = _memory_mib(proc.pid)
                _drive(url, singles[:20] + batches[:3], 1)  # warm-up
                for kind, bodies, per in [("single", singles, 1), ("batch32", batches, 32)]:
                    for clients in (1, args.clients):
                        lat, wall = _drive(url, bodies, clients)
                        rss, peak = _memory_mib(proc.pid)
                        rows.append((name, kind, clients, *_summary(lat, wall, per), rss_idle, rss, peak))
                        print(f"  {kind:<8} {clients} client(s): p50 {rows[-1][6]:.1f} ms", flush=True)
            finally:
                proc.terminate()
                proc.wait(timeout=60)

    header = (
        "| model | request | clients | requests | req/s | dialogues/s | p50 (ms) | p99 (ms) "
        "| RSS idle (MiB) | RSS after (MiB) | peak RSS (MiB) |"
    )
    print("\n" + header)
    print("|" + "---|" * (header.count("|") - 1))
    formats = ["{}", "{}", "{}", "{}", "{:.0f}", "{:.0f}", "{:.1f}", "{:.1f}", "{:.0f}", "{:.0f}", "{:.0f}"]
    for row in rows:
        cells = ["-" if v != v or v == 0 else f.format(v) for f, v in zip(formats, row)]  # NaN or 0: not measured
        print("| " + " | ".join(cells) + " |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
