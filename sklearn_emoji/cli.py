"""The ``sklearn-emoji`` command.

``sklearn-emoji evaluate``
    The main job: load the Weibo dialogues, split them into train and test by
    root post, fit every method, print the paper's Table 2 (P@1, P@3, MRR and
    macro-F1 per method) and Table 3 (P@1 per emoji) and write both as JSON.
    With ``--dataset tweeteval``: the English methods on the official
    TweetEval train/test split, F1 per emoji in Table 3.
``sklearn-emoji train``
    Fit one method on the Weibo dialogues and save it.
``sklearn-emoji recommend``
    Rank emojis for a dialogue typed on the command line with a saved model.

Saved models are pickles: load only files you trust.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from . import __version__
from ._utils import atomic_write_bytes

__all__ = ["main", "evaluate_methods", "save_model", "load_model"]


def save_model(model, path):
    """Pickle a fitted model to ``path`` atomically (no half-written file).

    Parameters
    ----------
    model : estimator
    path : str or Path
    """
    atomic_write_bytes(path, pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))


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


def _split_indices(bunch, test_size, random_state):
    """Train and test indices of the split by root post that ``evaluate`` uses."""
    from sklearn.model_selection import GroupShuffleSplit

    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
    return next(splitter.split(bunch.data, bunch.target, groups=bunch.groups))


def _split(bunch, test_size, random_state):
    """Train/test split by root post; also returns the training part's groups."""
    train, test = _split_indices(bunch, test_size, random_state)
    X = bunch.data
    return (
        [X[i] for i in train],
        bunch.target[train],
        [X[i] for i in test],
        bunch.target[test],
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


def _method_params(args, name, encoder=None):
    """``make_method`` keyword arguments for method ``name`` from the command line.

    The registry says which methods are neural (and where their LSTM step
    sits), so a name with stray spaces or in lower case gets the same flags.
    """
    from .pipelines import method_info

    info = method_info(name)
    if not info["neural"]:
        return {}
    prefix = info["lstm_prefix"]
    params = {prefix + k: v for k, v in _neural_params(args).items()}
    if getattr(args, "paper_settings", False):
        params["settings"] = "paper"
    if encoder is not None:
        params["pretrained"] = encoder
    if getattr(args, "fine_tuning", None):
        params[prefix + "clf__fine_tuning"] = args.fine_tuning
    return params


def _load_encoder(args, test_groups=None):
    """The ``--pretrained`` encoder, checked against the test threads."""
    if not getattr(args, "pretrained", None):
        return None
    from .neural import check_no_overlap, load_encoder

    encoder = load_encoder(args.pretrained)
    if test_groups is not None:
        n_seen = check_no_overlap(encoder, test_groups)
        print(f"pre-trained encoder {args.pretrained}: {n_seen} root posts seen, none of the test threads")
    return encoder


def evaluate_methods(
    methods,
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    random_state=0,
    params=None,
    progress=True,
    groups=None,
    per_emoji="p@1",
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
    per_emoji : {"p@1", "f1"}, default="p@1"
        What ``table3`` holds for each emoji: the P@1 of its test samples
        (Xie et al.'s Table 3, the recall of that emoji) or its F1
        (:func:`~sklearn_emoji.metrics.per_emoji_f1`, whose mean is the
        macro-F1 of TweetEval).

    Returns
    -------
    table2 : dict
        Method -> ``{"p@1", "p@3", "mrr", "macro_f1", "fit_seconds"}`` (and
        ``"n_epochs"`` for models trained in epochs).
    table3 : dict
        Method -> emoji -> P@1 (or F1, see ``per_emoji``) of that emoji.
    models : dict
        Method -> fitted model.
    """
    from tqdm.auto import tqdm

    from .metrics import macro_f1, mean_reciprocal_rank, per_emoji_f1, precision_at_k
    from .pipelines import make_method

    if per_emoji not in ("p@1", "f1"):
        raise ValueError(f"per_emoji must be 'p@1' or 'f1', got {per_emoji!r}")

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
            "macro_f1": macro_f1(y_test, proba, labels=classes, unseen="miss"),
            "fit_seconds": fit_seconds,
        }
        _, final = _final_step(model)
        if hasattr(final, "n_epochs_"):  # the LSTMs: epochs run before early stopping
            table2[name]["n_epochs"] = int(final.n_epochs_)
        if per_emoji == "f1":
            f1 = per_emoji_f1(y_test, proba, labels=classes, unseen="miss")
            table3[name] = {str(e): f1.get(str(e), 0.0) for e in sorted(set(y_test))}
        else:
            top1 = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
            table3[name] = {str(e): float(np.mean(top1[y_test == e] == e)) for e in sorted(set(y_test))}
        models[name] = model
    return table2, table3, models


def format_table2(table2):
    """Table 2 of Xie et al. as text (percentages), with macro-F1 where the rows have it."""
    width = max([12] + [len(name) + 2 for name in table2])
    f1 = all("macro_f1" in row for row in table2.values())
    lines = [
        f"{'Method':<{width}}{'P@1 (%)':>9}{'P@3 (%)':>9}{'MRR (%)':>9}"
        + (f"{'F1 (%)':>9}" if f1 else "")
        + f"{'fit (s)':>9}"
    ]
    for name, row in table2.items():
        lines.append(
            f"{name:<{width}}{100 * row['p@1']:>9.1f}{100 * row['p@3']:>9.1f}{100 * row['mrr']:>9.1f}"
            + (f"{100 * row['macro_f1']:>9.1f}" if f1 else "")
            + f"{row['fit_seconds']:>9.1f}"
        )
    return "\n".join(lines)


def format_table3(table3):
    """Table 3 of Xie et al. (P@1 per emoji, or F1 per emoji) as text (percentages)."""
    methods = list(table3)
    emojis = sorted({e for row in table3.values() for e in row})
    widths = [max(10, len(m) + 2) for m in methods]
    lines = [f"{'Emoji':<10}" + "".join(f"{m:>{w}}" for m, w in zip(methods, widths))]
    for e in emojis:
        lines.append(
            f"{e:<10}" + "".join(f"{100 * table3[m].get(e, float('nan')):>{w}.1f}" for m, w in zip(methods, widths))
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


#: Methods ``evaluate --dataset tweeteval`` runs by default: the English
#: ones that train on a CPU in minutes (F-BOW equals S-BOW on one-turn tweets).
TWEETEVAL_METHODS = ["S-BOW", "LEXICON", "LEXICON+BOW", "EN-LINEAR"]


def _subsample(X, y, n_samples, random_state):
    if n_samples is None or n_samples >= len(X):
        return X, y
    if n_samples < 1:
        raise ValueError(f"--n-samples must be a positive int, got {n_samples}")
    idx = np.sort(np.random.RandomState(random_state).choice(len(X), n_samples, replace=False))
    return [X[i] for i in idx], y[idx]


def _evaluate_tweeteval(args):
    """``evaluate --dataset tweeteval``: the official train/test split of TweetEval emoji."""
    from .datasets import load_tweeteval_emoji

    methods = [m.strip() for m in args.methods.split(",") if m.strip()] if args.methods else TWEETEVAL_METHODS
    kw = dict(data_home=args.data_home, remnants=args.remnants, return_X_y=True)
    X_train, y_train = _subsample(*load_tweeteval_emoji("train", **kw), args.n_samples, args.random_state)
    X_test, y_test = _subsample(*load_tweeteval_emoji("test", **kw), args.n_samples, args.random_state + 1)
    print(
        f"TweetEval emoji: {len(X_train)} train, {len(X_test)} test tweets (official split), "
        f"{len(set(y_train) | set(y_test))} emojis, emoji remnants {'kept' if args.remnants == 'keep' else 'removed'}",
        flush=True,
    )
    encoder = _load_encoder(args)
    params = {m: _method_params(args, m, encoder) for m in methods}
    table2, table3, models = evaluate_methods(
        methods,
        X_train,
        y_train,
        X_test,
        y_test,
        random_state=args.random_state,
        params=params,
        progress=not args.quiet,
        per_emoji="f1",
    )
    print("\nEmoji prediction (macro-F1 is the official measure)\n" + format_table2(table2))
    print("\nF1 per emoji\n" + format_table3(table3))
    result = {
        "version": __version__,
        "settings": {
            "dataset": "tweeteval",
            "methods": methods,
            "n_train": len(X_train),
            "n_test": len(X_test),
            "remnants": args.remnants,
            "random_state": args.random_state,
            "n_samples": args.n_samples,
            "neural_params": _neural_params(args),
        },
        "table2": table2,
        "table3": table3,
        "table3_measure": "f1",
    }
    _write_results(args, result, models)
    return 0


def _write_results(args, result, models):
    if args.output:
        atomic_write_bytes(args.output, json.dumps(result, ensure_ascii=False, indent=2).encode("utf-8"))
        print(f"\nwrote {args.output}")
    if args.save_models:
        for name, model in models.items():
            save_model(model, Path(args.save_models) / f"{name}.pkl")
        print(f"saved {len(models)} models under {args.save_models}")


def _cmd_evaluate(args):
    from .pipelines import available_methods

    if args.output is None:
        args.output = "results/evaluate_tweeteval.json" if args.dataset == "tweeteval" else "results/evaluate.json"
    if args.dataset == "tweeteval":
        return _evaluate_tweeteval(args)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()] if args.methods else available_methods()
    bunch = _load(args)
    X_train, y_train, X_test, y_test, groups_train = _split(bunch, args.test_size, args.random_state)
    print(
        f"Weibo dialogues: {len(bunch.data)} ({len(X_train)} train, {len(X_test)} test, split by root post), "
        f"{len(bunch.target_names)} emojis",
        flush=True,
    )
    *_, test_idx = _split_indices(bunch, args.test_size, args.random_state)
    encoder = _load_encoder(args, bunch.groups[test_idx])
    neural = _neural_params(args)
    params = {m: _method_params(args, m, encoder) for m in methods}
    table2, table3, models = evaluate_methods(
        methods,
        X_train,
        y_train,
        X_test,
        y_test,
        random_state=args.random_state,
        params=params,
        progress=not args.quiet,
        groups=groups_train,
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
            "pretrained": getattr(args, "pretrained", None),
            "fine_tuning": getattr(args, "fine_tuning", None),
            "paper_settings": bool(getattr(args, "paper_settings", False)),
        },
        "table2": table2,
        "table3": table3,
    }
    if args.output:
        atomic_write_bytes(args.output, json.dumps(result, ensure_ascii=False, indent=2).encode("utf-8"))
        print(f"\nwrote {args.output}")
    if args.save_models:
        for name, model in models.items():
            save_model(model, Path(args.save_models) / f"{name}.pkl")
        print(f"saved {len(models)} models under {args.save_models}")
    return 0


def _cmd_train(args):
    from .pipelines import make_method

    bunch = _load(args)
    params = _method_params(args, args.method, _load_encoder(args))
    model = make_method(args.method, random_state=args.random_state, **params)
    print(f"fitting {args.method} on {len(bunch.data)} Weibo dialogues", flush=True)
    model.fit(bunch.data, bunch.target, **_group_fit_params(model, bunch.groups))
    save_model(model, args.output)
    print(f"saved {args.output}")
    return 0


def _cmd_pretrain(args):
    from .datasets import load_weibo_pretraining
    from .pretraining import pretrain_encoder

    exclude = None
    if not args.include_test_threads:
        bunch = _load(args)
        *_, test_idx = _split_indices(bunch, args.test_size, args.random_state)
        exclude = bunch.groups[test_idx]
    corpus = load_weibo_pretraining(
        n_emojis=args.n_emojis,
        exclude_groups=exclude,
        data_home=args.data_home,
        n_samples=args.n_samples,
        random_state=args.random_state,
    )
    initial = None
    if args.word_vectors:
        from .neural import load_encoder

        initial = load_encoder(args.word_vectors)
    what = "all threads" if exclude is None else f"test threads of the evaluate split excluded ({len(set(exclude))})"
    print(
        f"pre-training a {args.method} encoder on {len(corpus.data)} Weibo dialogues, "
        f"{len(corpus.target_names)} emojis, {what}",
        flush=True,
    )
    encoder = pretrain_encoder(
        corpus.data,
        corpus.target,
        method=args.method,
        groups=corpus.groups,
        embedding_dim=args.dim,
        hidden_dim=args.dim,
        pooling=args.pooling,
        tokenizer=args.tokenizer,
        max_epochs=args.epochs,
        batch_size=args.batch_size or 128,
        device=args.device or "cpu",
        random_state=args.random_state,
        verbose=0 if args.quiet else 2,
        pretrained=initial,
        corpus=f"weibo CED, {args.n_emojis} emojis, {what}",
    )
    encoder.save(args.output)
    print(f"saved {encoder!r} to {args.output} ({encoder.info['train_seconds']:.0f} s)")
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
    p.add_argument(
        "--long-turns",
        choices=["drop", "truncate"],
        default="drop",
        help="drop dialogues with a turn over 50 words (the paper) or truncate the turn",
    )
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--embedding-dim", type=int, default=None, help="LSTM methods: embedding size (paper: 384)")
    p.add_argument("--hidden-dim", type=int, default=None, help="LSTM methods: hidden size (paper: 384)")
    p.add_argument("--max-epochs", type=int, default=None, help="LSTM methods: epoch cap")
    p.add_argument("--batch-size", type=int, default=None, help="LSTM methods: batch size (paper: 128)")
    p.add_argument("--device", default=None, help="LSTM methods: cpu or cuda")


def _add_transfer_args(p):
    p.add_argument(
        "--pretrained",
        default=None,
        help="LSTM methods: fine-tune from this encoder (saved by `sklearn-emoji pretrain`); "
        "evaluate checks it saw none of the test threads",
    )
    p.add_argument(
        "--fine-tuning",
        choices=["full", "last", "chain-thaw"],
        default=None,
        help="LSTM methods with --pretrained: how to fine-tune (default: full)",
    )
    p.add_argument(
        "--paper-settings",
        action="store_true",
        help="LSTM methods: the paper's settings (384 dimensions, AdaDelta, last-state pooling) "
        "instead of the library's defaults",
    )


def build_parser():
    """The argument parser of ``sklearn-emoji``."""
    parser = argparse.ArgumentParser(prog="sklearn-emoji", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ev = sub.add_parser("evaluate", help="fit every method on Weibo dialogues and print Tables 2 and 3")
    _add_data_args(ev)
    _add_transfer_args(ev)
    ev.add_argument(
        "--dataset",
        choices=["weibo", "tweeteval"],
        default="weibo",
        help="weibo: CED dialogues, split by root post; tweeteval: English tweets, the official "
        "train/test split (--n-samples then takes that many tweets of each)",
    )
    ev.add_argument(
        "--remnants",
        choices=["remove", "keep"],
        default="remove",
        help="tweeteval: remove the emoji remnants (lone U+FE0F, a label leak) or keep the texts "
        "as published, to compare with the leaderboard",
    )
    ev.add_argument(
        "--methods",
        default=None,
        help="comma-separated names (default: all; tweeteval: " + ",".join(TWEETEVAL_METHODS) + ")",
    )
    ev.add_argument("--test-size", type=float, default=0.2, help="weibo: share of root posts held out")
    ev.add_argument(
        "--output",
        default=None,
        help="JSON file for the tables (default: results/evaluate.json, results/evaluate_tweeteval.json for tweeteval)",
    )
    ev.add_argument("--save-models", default=None, help="folder to save each fitted model in")
    ev.add_argument("--quiet", action="store_true", help="no progress bar")
    ev.set_defaults(func=_cmd_evaluate)

    tr = sub.add_parser("train", help="fit one method on the Weibo dialogues and save it")
    _add_data_args(tr)
    _add_transfer_args(tr)
    tr.add_argument("--method", default="S-BOW")
    tr.add_argument("--output", required=True, help="where to save the model (.pkl)")
    tr.set_defaults(func=_cmd_train)

    pt = sub.add_parser(
        "pretrain",
        help="pre-train an LSTM encoder on many emojis (distant supervision) and save it",
        description="Pre-train the encoder of an S-, F- or H-LSTM on the Weibo dialogues whose reply holds one "
        "of the N most frequent emojis, without the test threads of the split `evaluate` uses (same "
        "--test-size and --random-state), and save it for `evaluate --pretrained` / `train --pretrained`.",
    )
    _add_data_args(pt)
    pt.add_argument("--output", required=True, help="where to save the encoder (.pt)")
    pt.add_argument("--method", choices=["H-LSTM", "F-LSTM", "S-LSTM"], default="H-LSTM")
    pt.add_argument(
        "--tokenizer",
        choices=["chars", "words"],
        default="chars",
        help="Han characters or jieba words as tokens (default: chars)",
    )
    pt.add_argument("--pooling", choices=["attention", "last"], default="attention")
    pt.add_argument("--dim", type=int, default=128, help="embedding and hidden size (paper: 384)")
    pt.add_argument("--epochs", type=int, default=3)
    pt.add_argument("--n-emojis", type=int, default=64)
    pt.add_argument("--test-size", type=float, default=0.2)
    pt.add_argument(
        "--include-test-threads",
        action="store_true",
        help="pre-train on every thread (for a model to ship, not for evaluation)",
    )
    pt.add_argument(
        "--word-vectors",
        default=None,
        help="start from an embedding saved by sklearn_emoji.vectors.word_vectors_encoder",
    )
    pt.add_argument("--quiet", action="store_true", help="no progress bar")
    pt.set_defaults(func=_cmd_pretrain)

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
