"""The ``sklearn-emoji`` command.

``sklearn-emoji evaluate``
    The main job: load the Weibo dialogues, split them into train and test by
    root post, fit every method, print the paper's Table 2 (P@1, P@3, MRR per
    method) and Table 3 (P@1 per emoji) and write both as JSON.
``sklearn-emoji train``
    Fit one method on the Weibo dialogues and save it.
``sklearn-emoji recommend``
    Rank emojis for a dialogue typed on the command line with a saved model.

Saved models are pickles: load only files you trust.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import __version__

__all__ = ["main", "evaluate_methods", "save_model", "load_model"]


def _atomic_write_bytes(path, data):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_model(model, path):
    """Pickle a fitted model to ``path`` atomically (no half-written file).

    Parameters
    ----------
    model : estimator
    path : str or Path
    """
    _atomic_write_bytes(path, pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))


def load_model(path):
    """Load a model saved by :func:`save_model` (only load files you trust).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    estimator
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no saved model at {path}; train one with `sklearn-emoji train --output {path}`")
    try:
        with open(path, "rb") as fh:
            model = pickle.load(fh)
    except Exception as exc:  # unpickling raises many kinds of errors
        raise ValueError(f"{path} is not a readable sklearn-emoji model ({type(exc).__name__}: {exc})") from exc
    if not hasattr(model, "predict_proba"):
        raise ValueError(f"{path} holds a {type(model).__name__}, not a model with predict_proba")
    return model


def _split(bunch, test_size, random_state):
    """Train/test split by root post; also returns the training part's groups."""
    from sklearn.model_selection import GroupShuffleSplit

    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
    train, test = next(splitter.split(bunch.data, bunch.target, groups=bunch.groups))
    X = bunch.data
    return (
        [X[i] for i in train], bunch.target[train], [X[i] for i in test], bunch.target[test],
        bunch.groups[train],
    )


def _final_step(model):
    """``(step name, estimator)`` of a pipeline's last step; ``(None, model)`` otherwise."""
    steps = getattr(model, "steps", None)
    return tuple(steps[-1]) if steps else (None, model)


def _group_fit_params(model, groups):
    """``fit`` keyword arguments that hand ``groups`` to a final step taking them.

    The LSTM classifiers hold out whole groups for early stopping when given
    ``groups``; other models ignore them.
    """
    import inspect

    if groups is None:
        return {}
    name, final = _final_step(model)
    if "groups" not in inspect.signature(final.fit).parameters:
        return {}
    return {f"{name}__groups" if name else "groups": groups}


def _neural_params(args):
    params = {}
    for name in ("embedding_dim", "hidden_dim", "max_epochs", "batch_size", "device"):
        value = getattr(args, name, None)
        if value is not None:
            params[f"clf__{name}"] = value
    return params


def evaluate_methods(
    methods, X_train, y_train, X_test, y_test, *, random_state=0, params=None, progress=True, groups=None
):
    """Fit each named method and score it on the test part.

    Parameters
    ----------
    methods : list of str
        Names for :func:`sklearn_emoji.pipelines.make_method`.
    X_train, y_train, X_test, y_test : lists
        Dialogues and emojis.
    random_state : int, default=0
    params : dict of str -> dict, default=None
        Extra ``set_params`` arguments per method name.
    progress : bool, default=True
        Show a progress bar over the methods.
    groups : array-like of shape (len(X_train),), default=None
        Group of each training sample (root post). Models that accept it
        (the LSTM classifiers) keep whole groups out for early stopping.

    Returns
    -------
    table2 : dict
        Method -> ``{"p@1", "p@3", "mrr", "fit_seconds"}`` (and ``"n_epochs"``
        for models trained in epochs).
    table3 : dict
        Method -> emoji -> P@1 of the test samples of that emoji.
    models : dict
        Method -> fitted model.
    """
    from tqdm.auto import tqdm

    from .metrics import mean_reciprocal_rank, precision_at_k
    from .pipelines import make_method

    params = params or {}
    table2, table3, models = {}, {}, {}
    y_test = np.asarray(y_test, dtype=object)
    bar = tqdm(methods, desc="methods", disable=not progress)
    for name in bar:
        bar.set_postfix_str(name)
        model = make_method(name, random_state=random_state, **params.get(name, {}))
        start = time.perf_counter()
        model.fit(X_train, y_train, **_group_fit_params(model, groups))
        fit_seconds = time.perf_counter() - start
        proba = model.predict_proba(X_test)
        classes = list(model.classes_)
        table2[name] = {
            "p@1": precision_at_k(y_test, proba, k=1, labels=classes, unseen="miss"),
            "p@3": precision_at_k(y_test, proba, k=3, labels=classes, unseen="miss"),
            "mrr": mean_reciprocal_rank(y_test, proba, labels=classes, unseen="miss"),
            "fit_seconds": fit_seconds,
        }
        _, final = _final_step(model)
        if hasattr(final, "n_epochs_"):  # the LSTMs: epochs run before early stopping
            table2[name]["n_epochs"] = int(final.n_epochs_)
        top1 = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
        table3[name] = {str(e): float(np.mean(top1[y_test == e] == e)) for e in sorted(set(y_test))}
        models[name] = model
    return table2, table3, models


def format_table2(table2):
    """Table 2 of Xie et al. as text (percentages)."""
    lines = [f"{'Method':<12}{'P@1 (%)':>9}{'P@3 (%)':>9}{'MRR (%)':>9}{'fit (s)':>9}"]
    for name, row in table2.items():
        lines.append(
            f"{name:<12}{100 * row['p@1']:>9.1f}{100 * row['p@3']:>9.1f}{100 * row['mrr']:>9.1f}"
            f"{row['fit_seconds']:>9.1f}"
        )
    return "\n".join(lines)


def format_table3(table3):
    """Table 3 of Xie et al. (P@1 per emoji) as text (percentages)."""
    methods = list(table3)
    emojis = sorted({e for row in table3.values() for e in row})
    widths = [max(10, len(m) + 2) for m in methods]
    lines = [f"{'Emoji':<10}" + "".join(f"{m:>{w}}" for m, w in zip(methods, widths))]
    for e in emojis:
        lines.append(
            f"{e:<10}"
            + "".join(f"{100 * table3[m].get(e, float('nan')):>{w}.1f}" for m, w in zip(methods, widths))
        )
    return "\n".join(lines)


def _load(args):
    from .datasets import load_weibo_dialogues

    return load_weibo_dialogues(
        data_home=args.data_home,
        long_turns=args.long_turns,
        n_samples=args.n_samples,
        random_state=args.random_state,
    )


def _cmd_evaluate(args):
    from .pipelines import available_methods

    methods = args.methods.split(",") if args.methods else available_methods()
    bunch = _load(args)
    X_train, y_train, X_test, y_test, groups_train = _split(bunch, args.test_size, args.random_state)
    print(
        f"Weibo dialogues: {len(bunch.data)} ({len(X_train)} train, {len(X_test)} test, split by root post), "
        f"{len(bunch.target_names)} emojis",
        flush=True,
    )
    neural = _neural_params(args)
    params = {m: neural for m in methods if m.upper().endswith("LSTM")}
    table2, table3, models = evaluate_methods(
        methods, X_train, y_train, X_test, y_test, random_state=args.random_state, params=params,
        progress=not args.quiet, groups=groups_train,
    )
    print("\nTable 2: emoji classification\n" + format_table2(table2))
    print("\nTable 3: P@1 per emoji\n" + format_table3(table3))
    result = {
        "version": __version__,
        "settings": {
            "methods": methods,
            "n_dialogues": len(bunch.data),
            "n_train": len(X_train),
            "n_test": len(X_test),
            "test_size": args.test_size,
            "random_state": args.random_state,
            "long_turns": args.long_turns,
            "n_samples": args.n_samples,
            "neural_params": neural,
        },
        "table2": table2,
        "table3": table3,
    }
    if args.output:
        _atomic_write_bytes(args.output, json.dumps(result, ensure_ascii=False, indent=2).encode("utf-8"))
        print(f"\nwrote {args.output}")
    if args.save_models:
        for name, model in models.items():
            save_model(model, Path(args.save_models) / f"{name}.pkl")
        print(f"saved {len(models)} models under {args.save_models}")
    return 0


def _cmd_train(args):
    from .pipelines import make_method

    bunch = _load(args)
    params = _neural_params(args) if args.method.upper().endswith("LSTM") else {}
    model = make_method(args.method, random_state=args.random_state, **params)
    print(f"fitting {args.method} on {len(bunch.data)} Weibo dialogues", flush=True)
    model.fit(bunch.data, bunch.target, **_group_fit_params(model, bunch.groups))
    save_model(model, args.output)
    print(f"saved {args.output}")
    return 0


def _cmd_recommend(args):
    from .metrics import top_k_emojis

    model = load_model(args.model)
    dialogue = list(args.turns)
    for emoji, score in top_k_emojis(model, [dialogue], k=args.k)[0]:
        print(f"{emoji}\t{score:.4f}")
    return 0


def _add_data_args(p):
    p.add_argument("--data-home", default=None, help="folder holding weibo_ced/ (default: $SKLEARN_EMOJI_DATA)")
    p.add_argument("--n-samples", type=int, default=None, help="use a random subset of this many dialogues")
    p.add_argument("--long-turns", choices=["drop", "truncate"], default="drop",
                   help="drop dialogues with a turn over 50 words (the paper) or truncate the turn")
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--embedding-dim", type=int, default=None, help="LSTM methods: embedding size (paper: 384)")
    p.add_argument("--hidden-dim", type=int, default=None, help="LSTM methods: hidden size (paper: 384)")
    p.add_argument("--max-epochs", type=int, default=None, help="LSTM methods: epoch cap")
    p.add_argument("--batch-size", type=int, default=None, help="LSTM methods: batch size (paper: 128)")
    p.add_argument("--device", default=None, help="LSTM methods: cpu or cuda")


def build_parser():
    """The argument parser of ``sklearn-emoji``."""
    parser = argparse.ArgumentParser(prog="sklearn-emoji", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ev = sub.add_parser("evaluate", help="fit every method on Weibo dialogues and print Tables 2 and 3")
    _add_data_args(ev)
    ev.add_argument("--methods", default=None, help="comma-separated names (default: all)")
    ev.add_argument("--test-size", type=float, default=0.2)
    ev.add_argument("--output", default="results/evaluate.json", help="JSON file for the tables")
    ev.add_argument("--save-models", default=None, help="folder to save each fitted model in")
    ev.add_argument("--quiet", action="store_true", help="no progress bar")
    ev.set_defaults(func=_cmd_evaluate)

    tr = sub.add_parser("train", help="fit one method on the Weibo dialogues and save it")
    _add_data_args(tr)
    tr.add_argument("--method", default="S-BOW")
    tr.add_argument("--output", required=True, help="where to save the model (.pkl)")
    tr.set_defaults(func=_cmd_train)

    rc = sub.add_parser("recommend", help="rank emojis for a dialogue with a saved model")
    rc.add_argument("--model", required=True, help="a model saved by train or evaluate --save-models")
    rc.add_argument("-k", type=int, default=3, help="number of emojis to print")
    rc.add_argument("turns", nargs="+", help="the dialogue's turns, oldest first; the last is the reply")
    rc.set_defaults(func=_cmd_recommend)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, OSError) as exc:
        print(f"sklearn-emoji: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
