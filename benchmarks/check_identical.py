"""Write every registry method's ``predict_proba`` on real data, to compare two versions of the code bit for bit.

Run it once on each version (the base with ``PYTHONPATH=<base checkout>``) and
compare the two output folders with ``--compare``::

    PYTHONPATH=/tmp/base python benchmarks/check_identical.py --out /tmp/probas-base
    PYTHONPATH=.          python benchmarks/check_identical.py --out /tmp/probas-new
    python benchmarks/check_identical.py --compare /tmp/probas-base /tmp/probas-new

Data: the first ``--weibo`` dialogues of ``load_weibo_dialogues(random_state=0)``
(the paper's filters) and the first ``--tweets`` TweetEval training tweets;
each set is split 80/20 (by root post for Weibo), every method of
:func:`sklearn_emoji.pipelines.available_methods` is fitted on the first part
with ``random_state=0`` and scores the second. The LSTMs train for
``--epochs`` epochs (2 shared cores: keep it small); everything else runs with
its defaults. Outputs: ``<out>/<dataset>__<method>.npy`` (float64) and the
``classes_`` beside it; ``--compare`` prints a table and exits 1 on any
difference, of shape, classes or a single bit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")


def _datasets(n_weibo, n_tweets):
    from sklearn.model_selection import GroupShuffleSplit

    from sklearn_emoji.datasets import load_tweeteval_emoji, load_weibo_dialogues

    out = {}
    if n_weibo:
        b = load_weibo_dialogues(random_state=0, n_samples=n_weibo)
        X, y, g = list(b.data), np.asarray(b.target), np.asarray(b.groups)
        tr, te = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(X, y, g))
        out["weibo"] = ([X[i] for i in tr], y[tr], g[tr], [X[i] for i in te])
    if n_tweets:
        b = load_tweeteval_emoji("train")
        X, y = list(b.data[:n_tweets]), np.asarray(b.target[:n_tweets])
        cut = int(0.8 * len(X))
        out["tweets"] = (X[:cut], y[:cut], np.arange(cut), X[cut:])
    return out


def run(out, n_weibo, n_tweets, epochs, methods=None):
    from sklearn_emoji.pipelines import available_methods, make_method, method_info

    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for dname, (Xtr, ytr, gtr, Xte) in _datasets(n_weibo, n_tweets).items():
        for name in methods or available_methods():
            info = method_info(name)
            params = {}
            fit_params = {}
            if info.neural:
                params[f"{info.lstm_prefix}clf__max_epochs"] = epochs
                fit_params[info.groups_param] = gtr
            est = make_method(name, random_state=0, **params)
            start = time.perf_counter()
            est.fit(Xtr, ytr, **fit_params)
            proba = np.asarray(est.predict_proba(Xte), dtype=np.float64)
            secs = time.perf_counter() - start
            stem = f"{dname}__{name}"
            np.save(out / f"{stem}.npy", proba)
            (out / f"{stem}.json").write_text(json.dumps([str(c) for c in est.classes_], ensure_ascii=False))
            rows.append((dname, name, proba.shape, secs))
            print(f"{dname:7} {name:15} {proba.shape!s:12} {secs:7.1f} s", flush=True)
    return rows


def compare(a, b):
    a, b = Path(a), Path(b)
    names = sorted(p.stem for p in a.glob("*.npy"))
    other = sorted(p.stem for p in b.glob("*.npy"))
    bad = 0
    if names != other:
        print(
            f"different sets of outputs: only in {a}: {sorted(set(names) - set(other))}, "
            f"only in {b}: {sorted(set(other) - set(names))}"
        )
        bad += 1
    print(f"{'output':32} {'shape':12} {'identical':9} max |diff|")
    for stem in sorted(set(names) & set(other)):
        pa, pb = np.load(a / f"{stem}.npy"), np.load(b / f"{stem}.npy")
        ca, cb = (json.loads((d / f"{stem}.json").read_text()) for d in (a, b))
        same = pa.shape == pb.shape and ca == cb and pa.tobytes() == pb.tobytes()
        diff = float(np.max(np.abs(pa - pb))) if pa.shape == pb.shape and pa.size else float("nan")
        print(f"{stem:32} {pa.shape!s:12} {str(same):9} {diff:.3g}")
        bad += not same
    print(f"{len(set(names) & set(other)) - bad} of {len(set(names) | set(other))} outputs bit-identical")
    return bad


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path)
    p.add_argument("--weibo", type=int, default=3000)
    p.add_argument("--tweets", type=int, default=20000)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--methods", nargs="*")
    p.add_argument("--compare", nargs=2, metavar=("A", "B"))
    args = p.parse_args(argv)
    if args.compare:
        return 1 if compare(*args.compare) else 0
    if args.out is None:
        p.error("--out is required unless --compare is given")
    import sklearn_emoji

    print(f"sklearn_emoji from {sklearn_emoji.__file__}", flush=True)
    run(args.out, args.weibo, args.tweets, args.epochs, args.methods)
    return 0


if __name__ == "__main__":
    sys.exit(main())
