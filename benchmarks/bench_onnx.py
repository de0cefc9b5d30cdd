"""The ready H-LSTM (weibo-10) in torch, as ONNX fp32 and as ONNX int8: agreement, size, speed, server memory.

Run from the project root (data home defaults to ../shared/data)::

    .venv/bin/python benchmarks/bench_onnx.py --lite-python /path/to/venv-without-torch/bin/python

One run does everything, on ``--n`` held-out Weibo dialogues (the test
threads of ``split_by_root_post(load_weibo_dialogues(), test_size=0.2,
random_state=0)``, which weibo-10 never saw; a random ``--n`` of them, seed
0):

- agreement with torch's ``predict_proba``: the largest
  ``|p_onnx - p_torch|`` (fp32, int8), the share of dialogues whose top 1 and
  whose top-3 set are torch's, the mean share of torch's top 3 in the
  model's top 3, and P@1 / P@3 against the true emojis;
- file sizes: the ready model's safetensors + JSON against the ONNX file +
  its tokenizer JSON (fp32, int8);
- one-dialogue latency, p50 and p99 of ``--calls`` calls, interleaved:
  the torch pipeline's ``predict_proba`` against :class:`OnnxEmojiModel`'s
  (both tokenize the same way);
- batch throughput (dialogues per second) over the ``--n`` dialogues, best of
  3, with the tokenizing share shown apart;
- resident memory (VmRSS and peak VmHWM, MiB, ``/proc/PID/status``) of
  ``python -m sklearn_emoji.serving`` after 200 requests: the ONNX models
  served by ``--lite-python`` (an environment where torch is not installed;
  the script checks that it cannot import torch), and the torch model served
  by this interpreter.

Threads: torch ``--threads`` and onnxruntime ``--threads`` (intra-op, one
inter-op) for the in-process numbers; the servers get
``OMP_NUM_THREADS=--threads`` too, and onnxruntime's default session
options.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if "SKLEARN_EMOJI_DATA" not in os.environ and SHARED.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(SHARED)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from sklearn_emoji.datasets import load_weibo_dialogues  # noqa: E402
from sklearn_emoji.evaluation import split_by_root_post  # noqa: E402
from sklearn_emoji.export import export_onnx, load_onnx, quantize_onnx, tokenizer_path  # noqa: E402
from sklearn_emoji.metrics import precision_at_k  # noqa: E402
from sklearn_emoji.pretrained import load_pretrained  # noqa: E402

MODEL = "weibo-10"


def _mib(n_bytes):
    return n_bytes / 2**20


def _memory_mib(pid):
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_memory(python, spec, dialogues, threads, requests=200):
    """Start ``python -m sklearn_emoji.serving --model spec``, send requests, return (RSS, peak) in MiB."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": str(threads), "PYTHONUNBUFFERED": "1"}
    cmd = [python, "-m", "sklearn_emoji.serving", "--model", spec, "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(url + "/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"the server exited: {proc.stderr.read()}") from None
                time.sleep(0.2)
        for i in range(requests):
            body = json.dumps({"turns": list(dialogues[i % len(dialogues)]), "k": 3}).encode()
            req = urllib.request.Request(url + "/recommend", data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as resp:
                assert resp.status == 200
        return _memory_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _latency(fns, dialogues, calls):
    """p50 and p99 (ms) of one-dialogue calls of each function, interleaved call by call."""
    times = {name: [] for name in fns}
    for i in range(calls):
        d = [dialogues[i % len(dialogues)]]
        for name, fn in fns.items():
            start = time.perf_counter()
            fn(d)
            times[name].append(1000 * (time.perf_counter() - start))
    return {name: (np.percentile(t, 50), np.percentile(t, 99)) for name, t in times.items()}


def _throughput(fn, X, rounds=3):
    best = min(_timed(fn, X) for _ in range(rounds))
    return len(X) / best


def _timed(fn, X):
    start = time.perf_counter()
    fn(X)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="held-out dialogues (default: 1000)")
    parser.add_argument("--calls", type=int, default=300, help="one-dialogue calls per model (default: 300)")
    parser.add_argument("--threads", type=int, default=1, help="torch and onnxruntime threads (default: 1)")
    parser.add_argument("--lite-python", default=None, help="python of an environment without torch (for the RSS)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    split = split_by_root_post(load_weibo_dialogues(), test_size=0.2, random_state=0)
    rng = np.random.RandomState(0)
    idx = np.sort(rng.choice(len(split.X_test), size=min(args.n, len(split.X_test)), replace=False))
    X = [list(split.X_test[i]) for i in idx]
    y = np.asarray(split.y_test)[idx]
    print(
        f"{MODEL} on {len(X)} held-out Weibo dialogues (test threads of split_by_root_post, seed 0); "
        f"torch {torch.__version__}, {args.threads} thread(s) for torch and onnxruntime; {os.cpu_count()} CPUs"
    )

    model = load_pretrained(MODEL)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        fp32_path = export_onnx(model, tmp / f"{MODEL}.onnx")
        int8_path = quantize_onnx(fp32_path, tmp / f"{MODEL}-int8.onnx")
        fp32 = load_onnx(fp32_path, threads=args.threads)
        int8 = load_onnx(int8_path, threads=args.threads)
        models = {"torch": model, "onnx fp32": fp32, "onnx int8": int8}

        # -- agreement ----------------------------------------------------------------------
        proba = {name: m.predict_proba(X) for name, m in models.items()}
        labels = list(model.classes_)
        top3 = {name: np.argsort(-p, axis=1, kind="stable")[:, :3] for name, p in proba.items()}
        print(
            "\n| model | max abs diff vs torch | same top 1 (%) | same top-3 set (%) | top-3 overlap (%) "
            "| P@1 (%) | P@3 (%) |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, p in proba.items():
            diff = np.abs(p - proba["torch"]).max()
            same1 = 100 * np.mean(p.argmax(1) == proba["torch"].argmax(1))
            same3 = 100 * np.mean([set(a) == set(b) for a, b in zip(top3[name], top3["torch"])])
            overlap = 100 * np.mean([len(set(a) & set(b)) / 3 for a, b in zip(top3[name], top3["torch"])])
            p1 = 100 * precision_at_k(y, p, k=1, labels=labels)
            p3 = 100 * precision_at_k(y, p, k=3, labels=labels)
            print(f"| {name} | {diff:.2e} | {same1:.1f} | {same3:.1f} | {overlap:.1f} | {p1:.2f} | {p3:.2f} |")

        # -- sizes ----------------------------------------------------------------------------
        from sklearn_emoji.pretrained import _files

        data_dir = Path(_files.__file__).resolve().parent / "data"
        st = (data_dir / f"{MODEL}.safetensors").stat().st_size
        js = (data_dir / f"{MODEL}.json").stat().st_size
        print("\n| file | network (MiB) | tokenizer / JSON (MiB) | total (MiB) |")
        print("| --- | ---: | ---: | ---: |")
        print(f"| torch: {MODEL}.safetensors + .json | {_mib(st):.2f} | {_mib(js):.2f} | {_mib(st + js):.2f} |")
        for name, path in (("onnx fp32", fp32_path), ("onnx int8", int8_path)):
            a, b = path.stat().st_size, tokenizer_path(path).stat().st_size
            print(f"| {name}: {path.name} + .tokenizer.json | {_mib(a):.2f} | {_mib(b):.2f} | {_mib(a + b):.2f} |")

        # -- latency and throughput -------------------------------------------------------------
        fns = {name: m.predict_proba for name, m in models.items()}
        for name in fns:  # warm up (jieba's dictionary, caches, allocators)
            fns[name](X[:64])
        lat = _latency(fns, X, args.calls)
        tokenize = fp32.transform_inputs
        speed = {name: _throughput(fn, X) for name, fn in fns.items()}
        tok_speed = _throughput(tokenize, X)
        print(f"\n| model | one dialogue p50 (ms) | p99 (ms) | batch of {len(X)} (dialogues/s) |")
        print("| --- | ---: | ---: | ---: |")
        for name in fns:
            print(f"| {name} predict_proba | {lat[name][0]:.2f} | {lat[name][1]:.2f} | {speed[name]:.0f} |")
        print(f"| (tokenizing alone, same for all) | | | {tok_speed:.0f} |")

        # -- server memory ----------------------------------------------------------------------
        print("\n| server | python | RSS after 200 requests (MiB) | peak RSS (MiB) |")
        print("| --- | --- | ---: | ---: |")
        if args.lite_python:
            check = subprocess.run([args.lite_python, "-c", "import torch"], capture_output=True)
            if check.returncode == 0:
                raise SystemExit(f"{args.lite_python} can import torch: not an environment without torch")
            for name, path in (("onnx fp32", fp32_path), ("onnx int8", int8_path)):
                rss, peak = _server_memory(args.lite_python, str(path), X, args.threads)
                print(f"| {name} | without torch | {rss:.0f} | {peak:.0f} |")
        else:
            print("| onnx | (no --lite-python given) | | |")
        rss, peak = _server_memory(sys.executable, MODEL, X, args.threads)
        print(f"| torch {MODEL} | with torch | {rss:.0f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
