"""The ``sklearn-emoji`` command.

``sklearn-emoji evaluate``
    The main job: load the Weibo dialogues, split them into train and test by
    root post, fit every method, print the paper's Table 2 (P@1, P@3, MRR and
    macro-F1 per method) and Table 3 (P@1 per emoji) and write both as JSON.
    With ``--dataset tweeteval``: the English methods on the official
    TweetEval train/test split, F1 per emoji in Table 3.
``sklearn-emoji train``
    Fit one method on the Weibo dialogues and save it.
``sklearn-emoji pretrain``
    Pre-train an LSTM encoder on many emojis, without the test threads.
``sklearn-emoji recommend``
    Rank emojis for a dialogue typed on the command line with a saved model.
``sklearn-emoji serve``
    Serve a saved model over HTTP, with a demo page (the ``serve`` extra).

This module only parses arguments: the work is done by
:mod:`sklearn_emoji.evaluation` and the other modules, imported by each
command once its arguments are parsed (so ``--help`` and a usage error
import neither scikit-learn nor torch). A bad argument, a missing or refused
file, an output path that cannot be written (checked before any work), or an
option the command would not use ends a command with ``error: ...`` and exit
status 2; Ctrl-C ends it with status 130 and writes nothing (``evaluate``
keeps the methods it finished); anything else is a bug and raises.

A saved model file holds no code (skops and safetensors, checked against
its SHA-256 before it is read, see :mod:`sklearn_emoji.persistence`). A
model file of the old pickle format loads only with ``--trust-pickle``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from ._options import FINE_TUNINGS, LSTM_METHODS, POOLINGS, TOKENIZER_NAMES

__all__ = ["main"]

#: Moved to sklearn_emoji.evaluation and sklearn_emoji.persistence; still importable from here,
#: imported on first use.
_MOVED = ("TWEETEVAL_METHODS", "evaluate_methods", "format_table2", "format_table3", "load_model", "save_model")

#: The methods ``evaluate --dataset tweeteval`` runs by default (``evaluation.TWEETEVAL_METHODS``, which
#: this module does not import before parsing; a test keeps the two the same).
_TWEETEVAL_DEFAULT = ("S-BOW", "LEXICON", "LEXICON+BOW", "EN-LINEAR", "EN-LINEAR+SVM")


def __getattr__(name):
    if name in ("load_model", "save_model"):
        from . import persistence

        return getattr(persistence, name)
    if name in _MOVED:
        from . import evaluation

        return getattr(evaluation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_TRUST = (
    "A model file holds no code; one of the old pickle format loads only with --trust-pickle "
    "(unpickling runs any code it holds: only a file you trust)."
)

#: What a user can cause by a bad argument or file (the library's own errors,
#: EncoderFileError and DataFileError, are ValueErrors): reported in one line.
_USER_ERRORS = (ValueError, FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)


def _writable_folder(folder, flag, shown):
    """Refuse ``folder`` (to be created if missing) unless it can hold new files; the nearest existing part decides."""
    existing = Path(folder)
    while not existing.exists():
        if existing.is_symlink():  # a dangling link
            raise ValueError(f"{flag} {shown}: {existing} is a broken link")
        parent = existing.parent
        if parent == existing:
            break
        existing = parent
    if not existing.is_dir():
        raise NotADirectoryError(f"{flag} {shown}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"{flag} {shown}: cannot write in {existing}")


def _check_output_file(path, flag="--output"):
    """Refuse, before any work, a file path that cannot be written: a folder, under a file, unwritable.

    Parameters
    ----------
    path : str or Path
        Where a command will write a file (missing folders are created then).
    flag : str, default="--output"
        The option named in the message.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{flag} {path} is a folder; give a file path, e.g. {path / 'out.json'}")
    _writable_folder(path.parent if str(path.parent) else Path("."), flag, path)


def _check_output_folder(path, flag="--save-models"):
    """Refuse, before any work, a folder path that cannot hold new files: a file, under a file, unwritable."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{flag} {path} is a file, not a folder")
    _writable_folder(path, flag, path)


class _UnusedOption(ValueError):
    """An option given to a command that would ignore it."""


def _refuse(args, reason, *flags):
    """Refuse each of ``flags`` (``--name``) given on the command line, with ``reason``."""
    given = [f for f in flags if getattr(args, f[2:].replace("-", "_"), None) is not None]
    if given:
        raise _UnusedOption(f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} not used {reason}")


_LSTM_FLAGS = ("--embedding-dim", "--hidden-dim", "--max-epochs", "--batch-size", "--device")


def _check_lstm_flags(args, methods):
    """LSTM options and ``--pretrained`` only with an LSTM method; ``--fine-tuning`` only with ``--pretrained``."""
    if args.pretrained is None:
        _refuse(args, "without --pretrained", "--fine-tuning")
    from .pipelines import method_info

    if not any(method_info(m).neural for m in methods):
        flags = [*_LSTM_FLAGS, "--pretrained", "--fine-tuning"]
        _refuse(args, f"by {', '.join(methods)} (no LSTM method)", *flags)
        if args.paper_settings:
            raise _UnusedOption(f"--paper-settings is not used by {', '.join(methods)} (no LSTM method)")


def _lstm_params(args):
    """The LSTM options given on the command line, by classifier parameter name."""
    from .evaluation import LSTM_PARAMS

    return {k: getattr(args, k) for k in LSTM_PARAMS if getattr(args, k, None) is not None}


def _lstm_kwargs(args):
    return {
        "lstm_params": _lstm_params(args),
        "settings": "paper" if getattr(args, "paper_settings", False) else None,
        "pretrained": getattr(args, "pretrained", None),
    }


#: The README's numbers (P@1, P@3, MRR, %) for the default Weibo split, printed beside a run's.
#: LSTM rows (with --pretrained weibo-128, 128 dims): H-LSTM, the mean of the shipped build's 3
#: fine-tuning seeds (README, "Ready models"); H-LSTM+LEXICON, `make demo` (seed 0).
README_NUMBERS = {
    "S-BOW": (24.3, 48.5, 43.1),
    "F-BOW": (33.7, 62.1, 52.9),
    "LEXICON": (35.5, 60.6, 53.1),
    "LEXICON+BOW": (33.4, 61.3, 52.5),
    "H-LSTM": (39.6, 69.1, 58.0),
    "H-LSTM+LEXICON": (39.6, 69.9, 57.9),
}


def _with_readme(result, pretrained):
    """The README's numbers beside those of this run (default split, LSTMs only when pre-trained)."""
    s = result["settings"]
    if s.get("n_samples") is not None or s.get("test_size") != 0.2 or s.get("random_state") != 0:
        return ""
    lines = []
    for name, row in result["table2"].items():
        ref = README_NUMBERS.get(name)
        if ref is None or ("LSTM" in name and not pretrained):
            continue
        mine = (100 * row["p@1"], 100 * row["p@3"], 100 * row["mrr"])
        cells = " ".join(f"{v:6.1f}" for v in mine)
        lines.append(f"{name:<16} {cells}   README " + " ".join(f"{v:5.1f}" for v in ref))
    if not lines:
        return ""
    return "\nThis run beside the README (P@1 / P@3 / MRR, %)\n" + "\n".join(lines)


def _cmd_evaluate(args):
    from .evaluation import (
        evaluate_on_tweeteval,
        evaluate_on_weibo,
        format_table2,
        format_table3,
        save_models,
        write_results,
    )
    from .neural._transfer import TestThreadsSeen as _TestThreadsSeen

    if args.methods is not None and not [m for m in args.methods.split(",") if m.strip()]:
        raise ValueError("--methods is empty; name at least one method (e.g. --methods F-BOW,LEXICON)")
    if args.dataset == "tweeteval":
        _refuse(args, "with --dataset tweeteval (its split is the official one)", "--test-size", "--long-turns")
    else:
        _refuse(args, "with --dataset weibo (it is a TweetEval option)", "--remnants")
    from .pipelines import available_methods, method_info

    if args.methods is not None:
        methods = [method_info(m).name for m in args.methods.split(",") if m.strip()]
    else:
        methods = list(_TWEETEVAL_DEFAULT) if args.dataset == "tweeteval" else available_methods()
    _check_lstm_flags(args, methods)
    output = args.output
    if output is None:
        output = "results/evaluate_tweeteval.json" if args.dataset == "tweeteval" else "results/evaluate.json"
    if output:
        _check_output_file(output)
    if args.save_models:
        _check_output_folder(args.save_models)
    common = {
        "data_home": args.data_home,
        "n_samples": args.n_samples,
        "random_state": args.random_state,
        "progress": not args.quiet,
        **_lstm_kwargs(args),
    }
    if not args.quiet:
        common["lstm_params"] = {"verbose": 1, **common["lstm_params"]}
    if args.dataset == "tweeteval":
        result, models = evaluate_on_tweeteval(args.methods, remnants=args.remnants or "remove", **common)
        titles = ("Emoji prediction (macro-F1 is the official measure)", "F1 per emoji")
    else:

        def save_so_far(partial):  # every finished method is kept if the run is interrupted
            if output and partial["table2"]:
                write_results(partial, output)

        try:
            result, models = evaluate_on_weibo(
                args.methods,
                long_turns=args.long_turns or "drop",
                test_size=0.2 if args.test_size is None else args.test_size,
                on_method_done=save_so_far,
                **common,
            )
        except _TestThreadsSeen as exc:
            raise ValueError(
                f"{exc.found}. Pre-train it with `sklearn-emoji pretrain` and the same --n-samples, --long-turns, "
                "--test-size and --random-state as this evaluate command (the split that defines its test threads)"
            ) from None
        titles = ("Table 2: emoji classification", "Table 3: P@1 per emoji")
    print(f"\n{titles[0]}\n" + format_table2(result["table2"]))
    print(f"\n{titles[1]}\n" + format_table3(result["table3"]))
    if args.dataset != "tweeteval":
        print(_with_readme(result, args.pretrained))
    if output:
        write_results(result, output)
        print(f"\nwrote {output}")
    if args.save_models:
        save_models(models, args.save_models, training_data=result["training_data"])
        print(f"saved {len(models)} models under {args.save_models}")
    return 0


def _cmd_train(args):
    from .pipelines import method_info

    method = method_info(args.method).name
    _check_lstm_flags(args, [method])
    _check_output_file(args.output)
    from .evaluation import save_model, train_on_weibo

    model, metadata = train_on_weibo(
        method,
        data_home=args.data_home,
        n_samples=args.n_samples,
        long_turns=args.long_turns or "drop",
        random_state=args.random_state,
        **_lstm_kwargs(args),
    )
    save_model(model, args.output, metadata=metadata)
    print(f"saved {args.output}")
    return 0


def _cmd_pretrain(args):
    from .datasets import load_weibo_dialogues, load_weibo_pretraining
    from .evaluation import split_by_root_post
    from .pretraining import pretrain_encoder

    if args.include_test_threads:
        _refuse(args, "with --include-test-threads (no split is made)", "--test-size", "--long-turns")
    if args.language_model < 0:
        raise ValueError(f"--language-model must be a number of epochs >= 0, got {args.language_model}")
    embedding_dim = args.embedding_dim or args.dim or 128
    hidden_dim = args.hidden_dim or args.dim or 128
    _check_output_file(args.output)
    initial = None
    if args.word_vectors and args.word_vectors != "train":
        from .neural import load_encoder

        initial = load_encoder(args.word_vectors)
        theirs = initial.info.get("tokenizer", "words")
        if args.tokenizer is not None and args.tokenizer != theirs:
            raise ValueError(
                f"--tokenizer {args.tokenizer} does not match the tokenizer of --word-vectors {args.word_vectors} "
                f"({theirs}), which is the one used; leave --tokenizer out"
            )
    exclude = None
    if not args.include_test_threads:
        bunch = load_weibo_dialogues(
            data_home=args.data_home,
            long_turns=args.long_turns or "drop",
            n_samples=args.n_samples,
            random_state=args.random_state,
        )
        test_size = 0.2 if args.test_size is None else args.test_size
        exclude = split_by_root_post(bunch, test_size=test_size, random_state=args.random_state).groups_test
    if args.word_vectors == "train":
        # the shipped recipe (build-models): word2vec on the unlabelled replies, the same threads excluded
        from .vectors import reply_vectors

        initial, n_replies = reply_vectors(
            exclude,
            embedding_dim=embedding_dim,
            max_vocab=args.max_vocab,
            corpus="Weibo replies" + ("" if exclude is None else ", test threads of the evaluate split excluded"),
            tokenizer=args.tokenizer or "words",
            random_state=args.random_state,
            data_home=args.data_home,
            n_samples=args.n_samples,
        )
        print(f"word2vec on {n_replies} replies: {len(initial.vocabulary)} tokens", flush=True)
    if args.language_model:
        initial = _language_model(args, initial, exclude, embedding_dim, hidden_dim)
    corpus = load_weibo_pretraining(
        n_emojis=args.n_emojis,
        exclude_groups=exclude,
        data_home=args.data_home,
        n_samples=args.n_samples,
        random_state=args.random_state,
    )
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
        embedding_dim=embedding_dim,
        hidden_dim=hidden_dim,
        pooling=args.pooling,
        tokenizer=args.tokenizer or "chars",
        max_epochs=args.max_epochs or 3,
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


def _language_model(args, initial, exclude, embedding_dim, hidden_dim):
    """``pretrain --language-model``: the word level trained on the replies outside ``exclude``'s threads."""
    from .pretraining import reply_language_model

    lm, n_replies = reply_language_model(
        exclude,
        pretrained=initial,
        embedding_dim=embedding_dim,
        hidden_dim=hidden_dim,
        tokenizer=args.tokenizer or "words",
        max_vocab=args.max_vocab,
        max_epochs=args.language_model,
        batch_size=args.batch_size or 128,
        device=args.device or "cpu",
        random_state=args.random_state,
        verbose=0 if args.quiet else 2,
        corpus="Weibo replies" + ("" if exclude is None else ", test threads of the evaluate split excluded"),
        data_home=args.data_home,
        n_samples=args.n_samples,
    )
    print(
        f"language model on {n_replies} replies: perplexity {lm.info['perplexity']:.1f} "
        f"({lm.info['train_seconds']:.0f} s)",
        flush=True,
    )
    return lm


def _cmd_build_models(args):
    from .pretrained._build import build_models

    build_models(
        args.output,
        data_home=args.data_home,
        dim=args.dim,
        epochs=args.epochs,
        fine_tune_epochs=args.fine_tune_epochs,
        seeds=[int(s) for s in args.seeds.split(",") if s.strip()],
        n_samples=args.n_samples,
        threads=args.threads,
        device=args.device or "cpu",
        word_vectors=not args.chars,
        max_vocab=args.max_vocab,
        language_model=args.language_model,
        english=not args.no_english,
        verbose=not args.quiet,
    )
    return 0


def _load_any_model(name, trusted=False):
    """A ready model by name (no --model: the default), else a saved model file."""
    from .pretrained import DEFAULT_MODEL, is_ready_model, load_pretrained

    name = name or DEFAULT_MODEL
    if str(name).endswith(".onnx"):  # written by export_onnx; runs without torch
        from .export import load_onnx

        return load_onnx(name)
    if is_ready_model(name):
        return load_pretrained(name)
    from .persistence import load_model

    return load_model(name, trusted=trusted)


def _cmd_recommend(args):
    from .pretrained import DEFAULT_MODEL, is_ready_model, recommend

    name = args.model or DEFAULT_MODEL
    # A ready model is scored by recommend() (NumPy, no torch import: under a second).
    model = name if is_ready_model(name) else _load_any_model(name, trusted=args.trust_pickle)
    for emoji, score in recommend(list(args.turns), k=args.k, model=model):
        print(f"{emoji}\t{score:.4f}")
    return 0


def _cmd_serve(args):
    from .serving._cli import run

    return run(args)


def _add_serve_parser(sub):
    """The ``serve`` sub-command; its options come from :mod:`sklearn_emoji.serving` (no FastAPI import)."""
    sv = sub.add_parser(
        "serve",
        help="serve a model over HTTP with a demo page (a ready model by default; the serve extra)",
        description="Serve a model (the ready model weibo-64 by default, or --model): a JSON API and a demo page. "
        + _TRUST,
    )
    from .serving._cli import add_arguments

    add_arguments(sv)
    sv.set_defaults(func=_cmd_serve)


def _add_data_args(p):
    p.add_argument("--data-home", default=None, help="folder holding weibo_ced/ (default: $SKLEARN_EMOJI_DATA)")
    p.add_argument("--n-samples", type=int, default=None, help="use a random subset of this many dialogues")
    p.add_argument(
        "--long-turns",
        choices=["drop", "truncate"],
        default=None,
        help="drop dialogues with a turn over 50 words (the paper; the default) or truncate the turn",
    )
    p.add_argument("--random-state", type=int, default=0)


def _add_lstm_args(p, what="LSTM methods", dims="default: 128; paper: 384", epochs="epoch cap"):
    p.add_argument("--embedding-dim", type=int, default=None, help=f"{what}: embedding size ({dims})")
    p.add_argument("--hidden-dim", type=int, default=None, help=f"{what}: hidden size ({dims})")
    p.add_argument("--max-epochs", type=int, default=None, help=f"{what}: {epochs}")
    p.add_argument("--batch-size", type=int, default=None, help=f"{what}: batch size (default and paper: 128)")
    p.add_argument("--device", default=None, help=f"{what}: cpu or cuda")
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads (default 1: on 2 shared cores, 2 threads trained 2.6-4.4x slower when the "
        "machine was busy, 1.3x faster when idle, benchmarks/bench_threads.py; 0: torch's own choice)",
    )


def _add_transfer_args(p):
    p.add_argument(
        "--pretrained",
        default=None,
        help="LSTM methods: fine-tune from this encoder: a shipped name (weibo-128) or a file saved by "
        "`sklearn-emoji pretrain`; evaluate checks it saw none of the test threads",
    )
    p.add_argument(
        "--fine-tuning",
        choices=FINE_TUNINGS,
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
    parser = argparse.ArgumentParser(prog="sklearn-emoji", description=__doc__.split("\n\n")[0], epilog=_TRUST)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ev = sub.add_parser("evaluate", help="fit every method on Weibo dialogues and print Tables 2 and 3")
    _add_data_args(ev)
    _add_lstm_args(ev)
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
        default=None,
        help="tweeteval: remove the emoji remnants (lone U+FE0F, a label leak; the default) or keep the texts "
        "as published, to compare with the leaderboard",
    )
    ev.add_argument(
        "--methods",
        default=None,
        help="comma-separated names (default: all; tweeteval: " + ",".join(_TWEETEVAL_DEFAULT) + ")",
    )
    ev.add_argument("--test-size", type=float, default=None, help="weibo: share of root posts held out (0.2)")
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
    _add_lstm_args(tr)
    _add_transfer_args(tr)
    tr.add_argument("--method", default="S-BOW")
    tr.add_argument("--output", required=True, help="where to save the model (a model file, e.g. model.skops)")
    tr.set_defaults(func=_cmd_train)

    pt = sub.add_parser(
        "pretrain",
        help="pre-train an LSTM encoder on many emojis (distant supervision) and save it",
        description="Pre-train the encoder of an S-, F- or H-LSTM on the Weibo dialogues whose reply holds one "
        "of the N most frequent emojis, without the test threads of the split `evaluate` uses (same "
        "--test-size and --random-state), and save it for `evaluate --pretrained` / `train --pretrained`.",
    )
    _add_data_args(pt)
    _add_lstm_args(pt, what="the encoder", dims="default: 128; paper: 384", epochs="epochs (default: 3)")
    pt.add_argument("--output", required=True, help="where to save the encoder (.pt)")
    pt.add_argument("--method", choices=LSTM_METHODS, default="H-LSTM")
    pt.add_argument(
        "--tokenizer",
        choices=TOKENIZER_NAMES,
        default=None,
        help="Han characters or jieba words as tokens (default: chars)",
    )
    pt.add_argument("--pooling", choices=POOLINGS, default="attention")
    pt.add_argument(
        "--dim", type=int, default=None, help="shorthand for --embedding-dim and --hidden-dim of the same size"
    )
    pt.add_argument("--epochs", type=int, dest="max_epochs", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    pt.add_argument("--n-emojis", type=int, default=64)
    pt.add_argument("--test-size", type=float, default=None, help="share of root posts held out (0.2)")
    pt.add_argument(
        "--include-test-threads",
        action="store_true",
        help="pre-train on every thread (for a model to ship, not for evaluation)",
    )
    pt.add_argument(
        "--word-vectors",
        default=None,
        help="start from an embedding saved by sklearn_emoji.vectors.word_vectors_encoder, or 'train': word2vec "
        "on the unlabelled replies without the test threads first (the shipped recipe; needs the vectors extra)",
    )
    pt.add_argument(
        "--max-vocab",
        type=int,
        default=20000,
        help="--word-vectors train or --language-model: the vocabulary, the most frequent tokens",
    )
    pt.add_argument(
        "--language-model",
        type=int,
        default=0,
        metavar="EPOCHS",
        help="before the emoji pre-training, train the word level as a language model on the unlabelled replies "
        "without the test threads for EPOCHS passes (ULMFiT; after --word-vectors when given)",
    )
    pt.add_argument("--quiet", action="store_true", help="no progress bar")
    pt.set_defaults(func=_cmd_pretrain)

    rc = sub.add_parser(
        "recommend",
        help="rank emojis for a dialogue with a saved model",
        description="Rank emojis for a dialogue with a saved model. " + _TRUST,
    )
    rc.add_argument(
        "--model",
        default=None,
        help="a ready model's name (weibo-64, the default; weibo-10), NAME.onnx written by export_onnx (no "
        "torch needed) or a model saved by train or evaluate --save-models",
    )
    rc.add_argument(
        "--trust-pickle",
        action="store_true",
        help="also load a model file of the old pickle format (it can run any code: only a file you trust)",
    )
    rc.add_argument("-k", type=int, default=3, help="number of emojis to print")
    rc.add_argument("turns", nargs="+", help="the dialogue's turns, oldest first; the last is the reply")
    rc.set_defaults(func=_cmd_recommend)

    bm = sub.add_parser(
        "build-models",
        help="rebuild the shipped pre-trained models from the data (weibo-128, weibo-10)",
        description="Train word2vec vectors of jieba words on the unlabelled Weibo replies, pre-train the shipped "
        "H-LSTM encoder from them on the Weibo dialogues of 64 emojis, both without the test "
        "threads of the canonical split, fine-tune it on the paper's 10 emojis, score both on the held-out "
        "threads and write each as safetensors + JSON with a manifest (deterministic on CPU with one thread).",
    )
    bm.add_argument("--output", default=None, help="folder to write to (default: the package's pretrained/data)")
    bm.add_argument("--data-home", default=None, help="folder holding weibo_ced/ (default: $SKLEARN_EMOJI_DATA)")
    bm.add_argument("--dim", type=int, default=128, help="embedding and hidden size (384 wants a GPU)")
    bm.add_argument("--max-epochs", dest="epochs", type=int, default=3, help="pre-training epochs (as for pretrain)")
    bm.add_argument("--epochs", type=int, dest="epochs", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    bm.add_argument("--fine-tune-epochs", type=int, default=20, help="fine-tuning epoch cap (early stopping)")
    bm.add_argument("--seeds", default="0,1,2", help="fine-tuning seeds scored; the first is shipped")
    bm.add_argument("--n-samples", type=int, default=None, help="a subset of the corpora (quick test builds)")
    bm.add_argument("--threads", type=int, default=1, help="torch threads (default 1: deterministic)")
    bm.add_argument("--device", default=None, help="cpu or cuda")
    bm.add_argument(
        "--chars",
        action="store_true",
        help="the earlier recipe: Han characters, no word vectors (the default needs gensim: the vectors extra)",
    )
    bm.add_argument("--max-vocab", type=int, default=20000, help="words given a word2vec vector (the most frequent)")
    bm.add_argument(
        "--language-model",
        type=int,
        default=0,
        metavar="EPOCHS",
        help="language-model pre-training of the word level on the replies first (after the word vectors)",
    )
    bm.add_argument("--no-english", action="store_true", help="skip tweeteval-20 (EN-LINEAR on TweetEval)")
    bm.add_argument("--quiet", action="store_true", help="no progress output")
    bm.set_defaults(func=_cmd_build_models)

    _add_serve_parser(sub)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status.

    A user's error (a bad value, a missing, unreadable or refused file:
    ``ValueError``, ``FileNotFoundError``, ``PermissionError``, and the
    library's own errors, which derive from them) prints one line and
    returns 2. Any other exception is a bug and propagates with its
    traceback.
    """
    args = build_parser().parse_args(argv)
    # build-models has --dim alone; the training commands have all three
    sizes = getattr(args, "embedding_dim", None) or getattr(args, "hidden_dim", None)
    if getattr(args, "dim", None) is not None and sizes:
        print("sklearn-emoji: error: give --dim or --embedding-dim/--hidden-dim, not both", file=sys.stderr)
        return 2
    try:
        threads = getattr(args, "threads", None)
        if threads is not None and args.command != "build-models":
            if threads < 0:
                raise ValueError(f"--threads must be 0 (torch's own choice) or more, got {threads}")
            if threads:
                import torch

                torch.set_num_threads(threads)
        return args.func(args)
    except _USER_ERRORS as exc:
        print(f"sklearn-emoji: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        kept = " (the methods that finished are in its results file)" if args.command == "evaluate" else ""
        print(f"sklearn-emoji: interrupted; nothing more was written{kept}", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
