"""The ready models: cold start to the first recommendation, and the 64-emoji task as a benchmark.

Run from the project root (data home defaults to ../shared/data)::

    .venv/bin/python benchmarks/bench_ready.py [--cold-runs 3] [--skip-64] [--threads 1]

1. ``cold``: for each shipped model and three paths (``recommend()``, which
   scores a ready Weibo model in NumPy; ``load_pretrained`` + ``top_k_emojis``,
   the full torch estimator; the ``sklearn-emoji recommend`` command), a
   fresh process imports the library, loads the model and prints one
   recommendation; the wall time of the whole process (interpreter, imports,
   jieba's start-up, the checksum, the forward pass) is measured
   ``--cold-runs`` times, median and range printed.
2. ``64 emojis``: the pre-training task on the canonical held-out threads
   (the dialogues of ``load_weibo_pretraining()`` whose root post is a test
   thread of ``split_by_root_post(load_weibo_dialogues(), test_size=0.2,
   random_state=0)``): P@1 / P@5 / MRR of the shipped ``weibo-64`` (no
   fine-tuning) beside F-BOW and LEXICON trained on the same 64 labels over
   the pre-training dialogues (the test threads excluded).

Prints Markdown tables. torch threads: ``--threads`` (default 1).
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

PATHS = {
    # what a user types; recommend() scores a ready Weibo model in NumPy (no torch, no scikit-learn)
    "recommend()": (
        "from sklearn_emoji import recommend; print(recommend(['今天下大雨', '我没带伞'], k=3, model={name!r}))"
    ),
    # the full estimator (torch, skorch, scikit-learn): what fine-tuning and Pipelines use
    "load_pretrained + top_k_emojis": (
        "from sklearn_emoji import load_pretrained, top_k_emojis; "
        "print(top_k_emojis(load_pretrained({name!r}), [['今天下大雨', '我没带伞']], k=3)[0])"
    ),
}


def cold(names, runs):
    rows = []
    cli = [str(Path(sys.executable).with_name("sklearn-emoji")), "recommend"]
    for name in names:
        commands = {label: [sys.executable, "-c", code.format(name=name)] for label, code in PATHS.items()}
        commands["sklearn-emoji recommend"] = [*cli, "--model", name, "今天下大雨", "我没带伞"]
        for label, command in commands.items():
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                out = subprocess.run(command, capture_output=True, text=True, check=True)
                times.append(time.perf_counter() - start)
            text = " ".join(out.stdout.split())
            rows.append((name, label, statistics.median(times), min(times), max(times), text))
    print("| model | path | cold process to first recommendation (s), median | range | output |")
    print("| --- | --- | ---: | --- | --- |")
    for name, label, med, lo, hi, text in rows:
        print(f"| {name} | {label} | {med:.2f} | {lo:.2f}-{hi:.2f} | {text[:50]} |")


def task64(threads):
    import numpy as np
    import torch

    from sklearn_emoji import load_pretrained, load_weibo_dialogues, load_weibo_pretraining, make_method
    from sklearn_emoji.evaluation import split_by_root_post
    from sklearn_emoji.metrics import mean_reciprocal_rank, precision_at_k

    torch.set_num_threads(threads)
    split = split_by_root_post(load_weibo_dialogues(), test_size=0.2, random_state=0)
    test = set(map(str, split.groups_test))
    pre = load_weibo_pretraining(exclude_groups=split.groups_test)
    full = load_weibo_pretraining()
    held = np.array([str(g) in test for g in full.groups])
    keep = np.isin(np.asarray(full.target), np.asarray(pre.target_names))
    idx = np.flatnonzero(held & keep)
    X_test, y_test = [full.data[i] for i in idx], np.asarray(full.target)[idx]
    print(f"64-emoji task: {len(pre.data)} training dialogues, {len(X_test)} held-out dialogues")

    def score(name, model, seconds):
        proba = model.predict_proba(X_test)
        labels = list(model.classes_)
        row = [100 * precision_at_k(y_test, proba, k=k, labels=labels) for k in (1, 5)]
        row.append(100 * mean_reciprocal_rank(y_test, proba, labels=labels))
        return (name, *row, seconds)

    rows = [score("weibo-64 (shipped, no training here)", load_pretrained("weibo-64"), 0.0)]
    for method in ("LEXICON", "F-BOW"):
        model = make_method(method, random_state=0)
        start = time.perf_counter()
        model.fit(pre.data, pre.target)
        rows.append(score(f"{method} (trained on the 64 labels)", model, time.perf_counter() - start))
    majority = max(set(pre.target), key=list(pre.target).count)
    print(f"always the most frequent emoji ({majority}): P@1 {100 * np.mean(y_test == majority):.1f}")
    print("| model | P@1 (%) | P@5 (%) | MRR (%) | fit (s) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, p1, p5, mrr, sec in rows:
        print(f"| {name} | {p1:.1f} | {p5:.1f} | {mrr:.1f} | {sec:.0f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--skip-64", action="store_true", help="only the cold-start table")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for the 64-emoji task")
    args = parser.parse_args()
    from sklearn_emoji.pretrained import MODELS

    cold(list(MODELS), args.cold_runs)
    if not args.skip_64:
        task64(args.threads)


if __name__ == "__main__":
    main()
