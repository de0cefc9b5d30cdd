"""H-LSTM training and inference speed on real Weibo dialogues.

Prints one table, all rows measured in the same run on the same tokenized
data and the same model size:

* training throughput (dialogues / s) of ``HLSTMClassifier.fit`` (skorch),
  of a plain PyTorch loop training the same module (packed) with the same
  optimizer and batch size -- the difference is the wrapper's overhead --,
  and of the plain loop over fixed-size padded batches without packing or
  trimming (``HierarchicalLSTM(packed=False)``);
* inference latency for one dialogue (median and 99th percentile), through
  ``predict_proba`` (its direct path for inputs of at most ``batch_size``
  dialogues), through skorch's own ``net.predict_proba`` loop (the path
  before) and through the bare module, called in turn;
* inference throughput for large batches through ``predict_proba``.

Training methods are run in interleaved rounds and the best round is kept,
which damps the noise of a shared machine.

Usage::

    python benchmarks/bench_hlstm.py                       # CPU, a few minutes
    python benchmarks/bench_hlstm.py --device cuda --n-train 20000 --dim 384
"""

import argparse
import platform
import time

import numpy as np
import torch

from sklearn_emoji.datasets import load_weibo_dialogues
from sklearn_emoji.neural import HierarchicalLSTM, HLSTMClassifier, TokenDataset
from sklearn_emoji.preprocessing import HierarchicalTokenizer


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    p.add_argument("--n-train", type=int, default=2000, help="training dialogues")
    p.add_argument("--dim", type=int, default=128, help="embedding and hidden size")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--epochs", type=int, default=1, help="epochs per timed round")
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (best kept)")
    p.add_argument("--max-turns", type=int, default=4)
    p.add_argument("--max-len", type=int, default=50)
    p.add_argument("--latency-calls", type=int, default=300)
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def sync(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def plain_loop(X, y, n_classes, vocab_size, args, packed):
    """A minimal hand-written training loop of the same module."""
    device = torch.device(args.device)
    torch.manual_seed(args.seed)
    module = HierarchicalLSTM(
        vocab_size, n_classes, embedding_dim=args.dim, hidden_dim=args.dim, dropout=0.5, packed=packed
    ).to(device)
    opt = torch.optim.Adadelta(module.parameters(), lr=1.0, rho=0.95)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt = torch.as_tensor(X)
    yt = torch.as_tensor(y)
    module.train()
    sync(args.device)
    t0 = time.perf_counter()
    for _ in range(args.epochs):
        perm = torch.randperm(len(Xt))
        total = 0.0
        for start in range(0, len(Xt), args.batch_size):
            idx = perm[start : start + args.batch_size]
            xb, yb = Xt[idx].to(device), yt[idx].to(device)
            opt.zero_grad()
            loss = loss_fn(module(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item()
    sync(args.device)
    return time.perf_counter() - t0


def skorch_fit(X, y, args):
    clf = HLSTMClassifier(
        embedding_dim=args.dim,
        hidden_dim=args.dim,
        batch_size=args.batch_size,
        max_epochs=args.epochs,
        validation_fraction=None,  # same work as the plain loop: no validation pass
        device=args.device,
        random_state=args.seed,
        # the plain loop's module and optimizer (the classifier's defaults are
        # Adam and attention pooling since 0.2)
        optimizer=torch.optim.Adadelta,
        lr=1.0,
        pooling="last",
    )
    sync(args.device)
    t0 = time.perf_counter()
    clf.fit(X, y)
    sync(args.device)
    return time.perf_counter() - t0, clf


def latency(fns, calls):
    """Median and 99th percentile (ms) of each function, called in turn (interleaved)."""
    times = np.zeros((len(fns), calls))
    for i in range(calls):
        for j, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn(i)
            times[j, i] = time.perf_counter() - t0
    times *= 1e3
    return [(float(np.median(t)), float(np.percentile(t, 99))) for t in times]


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("--device cuda requested but CUDA is not available on this machine")

    t0 = time.perf_counter()
    data = load_weibo_dialogues(n_samples=args.n_train + 1000, random_state=args.seed)
    dialogues, labels = data.data, np.asarray(data.target)
    tok = HierarchicalTokenizer(max_turns=args.max_turns, max_len=args.max_len, min_freq=2)
    X_all = tok.fit_transform(dialogues)
    X, X_test = X_all[: args.n_train], X_all[args.n_train :]
    classes, y = np.unique(labels[: args.n_train], return_inverse=True)
    y_str = labels[: args.n_train]
    vocab_size = int(X_all.max()) + 1
    prep_s = time.perf_counter() - t0

    n_turns = (X != 0).any(-1).sum(-1)
    tok_len = (X != 0).sum(-1)
    print(
        f"# H-LSTM benchmark  device={args.device}  torch={torch.__version__}  "
        f"threads={torch.get_num_threads()}  cpu={platform.processor() or platform.machine()}"
    )
    print(
        f"# data: {len(X)} train / {len(X_test)} test Weibo dialogues, X {X.shape}, "
        f"{len(classes)} emojis, vocab {vocab_size}; mean turns {n_turns.mean():.2f}, "
        f"mean non-empty turn length {tok_len[tok_len > 0].mean():.1f} tokens "
        f"(padded grid {args.max_turns}x{args.max_len}); load+tokenize {prep_s:.1f}s"
    )
    print(
        f"# model: embedding_dim = hidden_dim = {args.dim}, batch {args.batch_size}, "
        f"Adadelta(lr=1, rho=0.95); {args.rounds} rounds x {args.epochs} epoch(s), best kept"
    )

    # warm-up (first calls pay one-off costs: allocator, kernels, imports)
    skorch_fit(X[:256], y_str[:256], args)
    plain_loop(X[:256], y[:256], len(classes), vocab_size, args, True)
    plain_loop(X[:256], y[:256], len(classes), vocab_size, args, False)

    best = {"skorch": np.inf, "plain": np.inf, "plain_unpacked": np.inf}
    clf = None
    for r in range(args.rounds):
        t, clf = skorch_fit(X, y_str, args)
        best["skorch"] = min(best["skorch"], t)
        best["plain"] = min(best["plain"], plain_loop(X, y, len(classes), vocab_size, args, True))
        best["plain_unpacked"] = min(best["plain_unpacked"], plain_loop(X, y, len(classes), vocab_size, args, False))
        print(f"#   round {r + 1}: " + ", ".join(f"{k} {v:.2f}s" for k, v in best.items()))

    n_seen = len(X) * args.epochs
    rate = {k: n_seen / v for k, v in best.items()}
    overhead = best["skorch"] / best["plain"] - 1

    # inference
    module = clf.net_.module_.eval()
    device = torch.device(args.device)
    X_test = np.where(X_test >= clf.vocab_size_, 1, X_test)  # the bare module needs known ids
    one = [X_test[i : i + 1] for i in range(min(len(X_test), args.latency_calls))]

    def one_proba(i):  # the classifier: validation, then one direct module call (n <= batch_size)
        clf.predict_proba(one[i % len(one)])

    def one_skorch(i):  # what predict_proba did before 0.3: skorch's DataLoader loop
        clf.net_.predict_proba(TokenDataset(one[i % len(one)], None, clf.vocab_size_))

    def one_module(i):
        with torch.no_grad():
            module(torch.as_tensor(one[i % len(one)]).to(device)).softmax(-1).cpu()

    fns = (one_proba, one_skorch, one_module)
    latency(fns, 20)  # warm up
    lat_proba, lat_skorch, lat_module = latency(fns, args.latency_calls)

    big = np.concatenate([X_test] * max(1, 4000 // max(len(X_test), 1)))[:4000]
    thr = {}
    for bs in (args.batch_size, 1024):
        clf.net_.batch_size = bs  # predict_proba batches by net.batch_size
        clf.predict_proba(big[:bs])
        sync(args.device)
        t0 = time.perf_counter()
        clf.predict_proba(big)
        sync(args.device)
        thr[bs] = len(big) / (time.perf_counter() - t0)

    rows = [
        (
            "train: HLSTMClassifier.fit (skorch)",
            f"{rate['skorch']:.0f} dialogues/s",
            f"wrapper overhead {overhead * 100:+.1f}% vs plain loop",
        ),
        ("train: plain PyTorch loop, packed + trimmed", f"{rate['plain']:.0f} dialogues/s", "reference"),
        (
            "train: plain loop, padded (packed=False)",
            f"{rate['plain_unpacked']:.0f} dialogues/s",
            f"packing speed-up x{rate['plain'] / rate['plain_unpacked']:.2f}",
        ),
        (
            "infer: 1 dialogue, predict_proba",
            f"median {lat_proba[0]:.2f} ms",
            f"p99 {lat_proba[1]:.2f} ms; {lat_proba[0] - lat_module[0]:+.2f} ms vs bare module",
        ),
        (
            "infer: 1 dialogue, skorch net.predict_proba",
            f"median {lat_skorch[0]:.2f} ms",
            f"p99 {lat_skorch[1]:.2f} ms; {lat_skorch[0] - lat_module[0]:+.2f} ms vs bare module",
        ),
        ("infer: 1 dialogue, bare module", f"median {lat_module[0]:.2f} ms", f"p99 {lat_module[1]:.2f} ms"),
    ]
    for bs, v in thr.items():
        rows.append((f"infer: predict_proba, {len(big)} dialogues, batch {bs}", f"{v:.0f} dialogues/s", ""))
    w = max(len(r[0]) for r in rows)
    w2 = max(len(r[1]) for r in rows)
    print()
    print(f"| {'measure':<{w}} | {'value':<{w2}} | note |")
    print(f"|{'-' * (w + 2)}|{'-' * (w2 + 2)}|------|")
    for a, b, c in rows:
        print(f"| {a:<{w}} | {b:<{w2}} | {c} |")


if __name__ == "__main__":
    main()
