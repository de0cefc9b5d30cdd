"""Speed of transfer learning on the CPU: pre-training throughput, and the
cost of fine-tuning from a pre-trained encoder against training from scratch.

The recommended recipe (H-LSTM, Han-character tokens, attention pooling,
Adam, batch 128) at ``--dim`` dimensions, on real Weibo dialogues. Three
kinds of epoch are timed side by side, interleaved over ``--rounds`` rounds
on the same ``--n`` dialogues (the best round of each is kept, which damps
the noise of a shared machine):

* ``pre-training``: an H-LSTM over the 64 emojis of the pre-training corpus
  (test threads excluded), from random weights;
* ``fine-tuning``: the 10-emoji task, starting from that encoder
  (``make_method("H-LSTM", pretrained=encoder)``'s classifier);
* ``scratch``: the 10-emoji task from random weights (same tokens).

It prints dialogues/s for each, the projected time of the recipe's
pre-training (3 epochs over the whole corpus), and the projected time of a
fine-tuning and of a scratch training on the 15,286 training dialogues with
the epoch counts measured in the README's runs (4 and 9 to 12, early
stopping included).

Usage::

    python benchmarks/bench_transfer.py [--threads 2] [--n 3000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from sklearn.model_selection import GroupShuffleSplit

from sklearn_emoji.datasets import load_weibo_dialogues, load_weibo_pretraining
from sklearn_emoji.neural import HLSTMClassifier
from sklearn_emoji.pretraining import make_encoder_tokenizer, pretrain_encoder


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--n", type=int, default=3000, help="dialogues per timed epoch")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--device", default="cpu")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)

    bunch = load_weibo_dialogues()
    tr, te = next(GroupShuffleSplit(test_size=0.2, random_state=0).split(bunch.data, groups=bunch.groups))
    full = load_weibo_pretraining(exclude_groups=bunch.groups[te])
    pre = load_weibo_pretraining(exclude_groups=bunch.groups[te], n_samples=args.n)
    # a small encoder to fine-tune from (its quality does not matter for speed)
    enc = pretrain_encoder(
        pre.data,
        pre.target,
        groups=pre.groups,
        embedding_dim=args.dim,
        hidden_dim=args.dim,
        max_epochs=1,
        device=args.device,
        random_state=0,
    )
    _, tok = make_encoder_tokenizer("H-LSTM", encoder=enc)
    X_pre = tok.fit_transform(pre.data)
    idx = np.random.RandomState(0).permutation(tr)[: args.n]
    X_task = tok.transform([bunch.data[i] for i in idx])
    y_task = bunch.target[idx]

    common = dict(max_epochs=1, validation_fraction=None, device=args.device, random_state=0)
    runs = {
        "pre-training (64 emojis)": lambda: HLSTMClassifier(
            embedding_dim=args.dim, hidden_dim=args.dim, vocab_size=enc.vocab_size, **common
        ).fit(X_pre, pre.target),
        "fine-tuning (10 emojis)": lambda: HLSTMClassifier(pretrained=enc, **common).fit(X_task, y_task),
        "scratch (10 emojis)": lambda: HLSTMClassifier(
            embedding_dim=args.dim, hidden_dim=args.dim, vocab_size=enc.vocab_size, **common
        ).fit(X_task, y_task),
    }
    best = {name: float("inf") for name in runs}
    for _ in range(args.rounds):
        for name, run in runs.items():
            t0 = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - t0)

    rate = {name: args.n / secs for name, secs in best.items()}
    n_train = len(tr)
    print(
        f"\ntorch {torch.__version__}, threads {args.threads}, device {args.device}, dimensions {args.dim}, "
        f"{args.n} dialogues per epoch, best of {args.rounds} interleaved rounds"
    )
    print(f"{'epoch kind':28s} {'s/epoch':>8s} {'dialogues/s':>12s}")
    for name in runs:
        print(f"{name:28s} {best[name]:8.1f} {rate[name]:12.0f}")
    pre_total = 3 * len(full.data) / rate["pre-training (64 emojis)"]
    print(f"\nrecipe pre-training, 3 epochs over {len(full.data):,} dialogues: {pre_total / 60:.1f} min")
    ft = 4 * n_train / rate["fine-tuning (10 emojis)"]
    sc = [e * n_train / rate["scratch (10 emojis)"] for e in (9, 12)]
    print(
        f"fine-tuning on {n_train:,} dialogues, 4 epochs: {ft / 60:.1f} min; "
        f"scratch, 9-12 epochs: {sc[0] / 60:.1f}-{sc[1] / 60:.1f} min (validation passes not included)"
    )


if __name__ == "__main__":
    main()
