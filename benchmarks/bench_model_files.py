"""Model files: the safe format (skops + safetensors + SHA-256) against the old pickle, side by side.

Run from the project root (the data home defaults to ../shared/data when it
exists)::

    .venv/bin/python benchmarks/bench_model_files.py
    .venv/bin/python benchmarks/bench_model_files.py --n-samples 4000 --dim 64 --repeat 5

Every method of the registry is fitted on the first ``--n-samples`` Weibo
dialogues (the LSTMs at ``--dim`` dimensions for ``--epochs`` epochs), plus the
H-LSTM and H-LSTM+LEXICON fine-tuned for one epoch from the shipped encoder
``weibo-10`` (128 dimensions, a 12k-token vocabulary). Each model is then
written in both formats -- "pickle" is what the previous release wrote (a
header line, JSON, ``pickle.dumps``) -- and read back; the table gives the best
of ``--repeat`` save and load times, the file sizes, and whether the loaded
model's probabilities equal the in-memory model's on the held-out dialogues.
"""

import argparse
import json
import os
import pickle
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if "SKLEARN_EMOJI_DATA" not in os.environ and SHARED.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(SHARED)


def _best(fn, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _old_save(model, path):
    """The previous release's writer (commit 2a7f86a): header line, JSON line, pickle."""
    head = b"sklearn-emoji-model 1\n" + json.dumps({"format_version": 1}).encode() + b"\n"
    with open(path, "wb") as f:
        f.write(head + pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))


def _old_load(path):
    with open(path, "rb") as f:
        f.readline()
        f.readline()
        return pickle.load(f)


def main():
    import torch

    from sklearn_emoji.datasets import load_weibo_dialogues
    from sklearn_emoji.persistence import load_model, save_model
    from sklearn_emoji.pipelines import available_methods, make_method, method_info
    from sklearn_emoji.pretrained import load_pretrained_encoder

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-samples", type=int, default=2000)
    parser.add_argument("--dim", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)

    bunch = load_weibo_dialogues(n_samples=args.n_samples, random_state=0)
    n_train = int(0.8 * len(bunch.data))
    X, y, X_test = bunch.data[:n_train], bunch.target[:n_train], bunch.data[n_train:]
    encoder = load_pretrained_encoder("weibo-10")
    runs = [(name, None) for name in available_methods()] + [("H-LSTM", encoder), ("H-LSTM+LEXICON", encoder)]

    print(f"{len(X)} training and {len(X_test)} held-out Weibo dialogues; best of {args.repeat}")
    cols = "method", "save ms", "(pickle)", "load ms", "(pickle)", "size KB", "(pickle)", "equal"
    print("{:<26} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6}".format(*cols))
    with tempfile.TemporaryDirectory() as tmp:
        for name, pre in runs:
            params = {}
            if method_info(name).neural:
                prefix = "hlstm__clf__" if name == "H-LSTM+LEXICON" else "clf__"
                net = {"max_epochs": 1 if pre is not None else args.epochs}
                if pre is None:
                    net.update(embedding_dim=args.dim, hidden_dim=args.dim)
                params = {prefix + k: v for k, v in net.items()}
            model = make_method(name, random_state=0, pretrained=pre, **params).fit(X, y)
            new, old = os.path.join(tmp, "new.skops"), os.path.join(tmp, "old.pkl")
            t_save, _ = _best(lambda: save_model(model, new), args.repeat)
            t_old_save, _ = _best(lambda: _old_save(model, old), args.repeat)
            t_load, back = _best(lambda: load_model(new), args.repeat)
            t_old_load, _ = _best(lambda: _old_load(old), args.repeat)
            equal = np.array_equal(back.predict_proba(X_test), model.predict_proba(X_test))
            label = name + (" (weibo-10)" if pre is not None else "")
            print(
                f"{label:<26} {1e3 * t_save:>9.0f} {1e3 * t_old_save:>9.0f} {1e3 * t_load:>9.0f} "
                f"{1e3 * t_old_load:>9.0f} {os.path.getsize(new) / 1024:>9.0f} {os.path.getsize(old) / 1024:>9.0f} "
                f"{'yes' if equal else 'NO':>6}",
                flush=True,
            )


if __name__ == "__main__":
    main()
