"""``sklearn-emoji serve``: its options and its run, without importing FastAPI or uvicorn up front."""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["add_arguments", "run"]

TRUST_NOTE = (
    "A model file holds no code (skops and safetensors, checked against its SHA-256 before it is read); "
    "a model file of the old pickle format is refused unless --trust-pickle is given, because "
    "unpickling runs whatever code it holds."
)


def _int_type(low, high=None):
    """argparse ``type=``: an int from ``low`` to ``high``, or a message that says so."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            bound = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise argparse.ArgumentTypeError(f"expected an integer {bound}, got {text!r}")
        return value

    return parse


def add_arguments(parser):
    """Add the options of ``sklearn-emoji serve`` to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser

    Examples
    --------
    >>> import argparse
    >>> from sklearn_emoji.serving import add_arguments
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> args = parser.parse_args([])
    >>> args.model, args.host, args.port
    (None, '127.0.0.1', 8000)
    """
    if parser.description is None:
        parser.description = (
            "Serve a ready model (weibo-64 by default) or a saved one: POST /recommend (JSON), GET /health, "
            "GET /model and a demo page at /. " + TRUST_NOTE
        )
    parser.add_argument(
        "--model",
        default=None,
        help="a ready model's name (weibo-64, the default; weibo-10), the path prefix of a model built by "
        "`sklearn-emoji build-models` (DIR/NAME, next to DIR/NAME.manifest.json), or a model file saved by "
        "`sklearn-emoji train` or `evaluate --save-models`, or NAME.onnx written by export_onnx (served by "
        "onnxruntime without torch: the serve-lite extra). Ready models are safetensors and JSON, checked "
        "against their manifest; an ONNX model is data and JSON; a saved model file is skops and safetensors. "
        + TRUST_NOTE,
    )
    parser.add_argument(
        "--trust-pickle",
        action="store_true",
        help="also load a model file of the old pickle format (it can run any code: only a file you trust)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; the server has no "
        "authentication, so put anything public behind a proxy that has)",
    )
    parser.add_argument(
        "--port", type=_int_type(0, 65535), default=8000, help="port to listen on (default: 8000; 0 picks a free one)"
    )
    parser.add_argument("--max-turns", type=_int_type(1), default=16, help="turns per dialogue (default: 16)")
    parser.add_argument("--max-turn-chars", type=_int_type(1), default=1000, help="characters per turn (default: 1000)")
    parser.add_argument(
        "--max-chars",
        type=_int_type(1),
        default=20000,
        help="characters per request, all turns together (default: 20000)",
    )
    parser.add_argument("--max-batch", type=_int_type(1), default=64, help="dialogues per request (default: 64)")
    parser.add_argument(
        "--log-level",
        choices=["critical", "error", "warning", "info", "debug"],
        default="info",
        help="uvicorn's log level (default: info)",
    )


def _error(message):
    print(f"sklearn-emoji serve: error: {message}", file=sys.stderr)
    return 2


def _training_data(model, manifest):
    """One line on what a ready model was trained on, from its encoder's record, else its manifest."""
    from .._utils import final_estimator

    try:
        info = dict(final_estimator(model).pretrained.info)
    except (AttributeError, TypeError):
        info = {}
    corpus, n = info.get("corpus"), info.get("n_dialogues")
    fine_tuning = (manifest.get("recipe") or {}).get("fine_tuning") or {}
    if n and fine_tuning.get("from"):
        return f"{n} dialogues (training threads), fine-tuned from {fine_tuning['from']}"
    if corpus and n:
        return f"{n} dialogues ({corpus})"
    pretraining = manifest.get("pretraining") or {}
    if pretraining.get("n_dialogues"):
        return f"{pretraining['n_dialogues']} Weibo dialogues"
    return corpus or None


def _ready_metadata(spec, model, manifest):
    """What ``GET /model`` says of a ready model: its name, recipe and the manifest's held-out numbers."""
    from .. import pretrained

    recipe = manifest.get("recipe") or {}
    if spec in pretrained.MODELS:
        description = pretrained.MODELS[spec][1]
    else:
        description = f"built by `sklearn-emoji build-models` ({manifest.get('name', os.path.basename(spec))})"
    return {
        "method": recipe.get("method") or "H-LSTM",
        "model": spec,
        "ready_model": True,
        "description": description,
        "artifact": manifest.get("name"),
        "training_data": _training_data(model, manifest),
        "held_out": manifest.get("held_out"),
        "recipe": recipe,
        "storage": manifest.get("storage"),
        "library_version": manifest.get("library_version"),
        "torch_version": manifest.get("torch_version"),
    }


def _onnx_model(spec):
    """An ONNX model written by ``export_onnx`` (torch is not imported), with what ``GET /model`` says of it."""
    from ..export import load_onnx

    model = load_onnx(spec)
    meta = model.metadata_
    metadata = {
        "method": meta.get("method"),
        "model": spec,
        "format": "onnx",
        "quantized": meta.get("quantized"),
        "onnx_sha256": meta.get("onnx_sha256"),
        "library_version": meta.get("library_version"),
    }
    weights = "int8" if meta.get("quantized") else "fp32"
    return model, metadata, f"the ONNX model {spec} ({meta.get('method')}, {weights}, onnxruntime)"


def load_served_model(spec=None, *, trusted=False):
    """The model that ``sklearn-emoji serve --model SPEC`` serves, with what ``GET /model`` says of it.

    Parameters
    ----------
    spec : str or None, default=None
        ``None`` for the default ready model
        (``sklearn_emoji.pretrained.DEFAULT_MODEL``); a ready model's
        name (``sklearn_emoji.pretrained.MODELS``); the path prefix
        ``P`` of a model built by ``sklearn-emoji build-models`` (where
        ``P.manifest.json`` exists); a path ending in ``.onnx``, written by
        :func:`~sklearn_emoji.export.export_onnx` (run by onnxruntime,
        without torch); else the path of a model file saved by
        :func:`~sklearn_emoji.persistence.save_model` (no code; checked
        against its SHA-256 before it is read).
    trusted : bool, default=False
        Also load a model file of the old pickle format (see
        :func:`~sklearn_emoji.persistence.load_model`).

    Returns
    -------
    model : fitted estimator
    metadata : dict
        The ready model's name, description, recipe and held-out numbers
        (from its manifest), or the saved file's header.
    label : str
        How the server's start-up line names what it serves.

    Raises
    ------
    OSError, ValueError, TypeError
        The model cannot be loaded; the message says why.
    """
    spec = None if spec is None else os.fspath(spec)
    if spec is not None and spec.endswith(".onnx"):
        return _onnx_model(spec)
    from .. import pretrained

    spec = pretrained.DEFAULT_MODEL if spec is None else spec
    if pretrained.is_ready_model(spec):
        model = pretrained.load_pretrained(spec)
        metadata = _ready_metadata(spec, model, pretrained.pretrained_manifest(spec))
        return model, metadata, f"the ready model {spec}"
    from ..persistence import load_model, read_model_metadata

    try:
        metadata = read_model_metadata(spec)  # checks the header and checksum, builds nothing
    except FileNotFoundError as exc:
        ready = ", ".join(sorted(pretrained.MODELS))
        raise FileNotFoundError(f"{exc}; it is not a ready model's name either ({ready})") from exc
    model = load_model(spec, trusted=trusted)
    return model, metadata, f"{metadata.get('method') or metadata.get('estimator')} from {spec}"


def run(args):
    """Load the model once (see :func:`load_served_model`) and serve it with uvicorn until interrupted.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed by a parser given :func:`add_arguments`.

    Returns
    -------
    int
        Exit status: 0 after a clean shutdown, 2 when the extra is missing
        or the model cannot be served (neither a ready model nor one of
        this library's model files, a ready model's file failing its
        checksum, unreadable, unfitted, failing), uvicorn's status when it
        cannot start (a port in use), 1 if it gives none.
    """
    try:
        import uvicorn

        from ._app import create_app
    except ImportError as exc:
        msg = str(exc)
        if "sklearn-emoji[serve" not in msg:
            msg = f'serving a model needs FastAPI and uvicorn: pip install "sklearn-emoji[serve]" ({msg})'
        return _error(msg)
    try:
        model, metadata, label = load_served_model(args.model, trusted=getattr(args, "trust_pickle", False))
        app = create_app(
            model,
            metadata,
            max_turns=args.max_turns,
            max_turn_chars=args.max_turn_chars,
            max_chars=args.max_chars,
            max_batch=args.max_batch,
        )
    except (OSError, ValueError, TypeError, ImportError) as exc:
        from ..pretrained import DEFAULT_MODEL

        return _error(f"cannot serve {args.model or DEFAULT_MODEL}: {exc}")
    print(
        f"serving {label} on http://{args.host}:{args.port}/ (Ctrl+C stops)",
        file=sys.stderr,
        flush=True,
    )
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level))
    try:
        server.run()
    except SystemExit as exc:  # uvicorn exits when it cannot start, e.g. the port is in use
        _error(f"the server could not start on {args.host}:{args.port} (uvicorn's log above says why)")
        return exc.code if isinstance(exc.code, int) and exc.code else 1
    except KeyboardInterrupt:  # uvicorn shuts down gracefully, then re-raises Ctrl+C
        return 0
    return 0 if server.started else 1
