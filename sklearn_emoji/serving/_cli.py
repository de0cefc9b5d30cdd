"""``sklearn-emoji serve``: its options and its run, without importing FastAPI or uvicorn up front."""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run"]

TRUST_NOTE = (
    "A model file is a pickle: loading it runs whatever code it holds, so serve only files you "
    "trust (files without this library's model header are refused, but the header is no protection "
    "against a file made to harm)."
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
    >>> args = parser.parse_args(["--model", "m.pkl"])
    >>> args.host, args.port
    ('127.0.0.1', 8000)
    """
    if parser.description is None:
        parser.description = (
            "Serve a saved model: POST /recommend (JSON), GET /health, GET /model and a demo page at /. " + TRUST_NOTE
        )
    parser.add_argument(
        "--model",
        required=True,
        help="a model saved by `sklearn-emoji train` or `evaluate --save-models`. " + TRUST_NOTE,
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


def run(args):
    """Load the model once and serve it with uvicorn until interrupted.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed by a parser given :func:`add_arguments`.

    Returns
    -------
    int
        Exit status: 0 after a clean shutdown, 2 when the extra is missing
        or the model cannot be served (not one of this library's model
        files, unreadable, unfitted, failing), uvicorn's status when it
        cannot start (a port in use), 1 if it gives none.
    """
    try:
        import uvicorn

        from ._app import create_app
    except ImportError as exc:
        msg = str(exc)
        if "sklearn-emoji[serve]" not in msg:
            msg = f'serving a model needs FastAPI and uvicorn: pip install "sklearn-emoji[serve]" ({msg})'
        return _error(msg)
    from ..evaluation import load_model, read_model_metadata

    try:
        metadata = read_model_metadata(args.model)  # checks the header without unpickling
        model = load_model(args.model)
        app = create_app(
            model,
            metadata,
            max_turns=args.max_turns,
            max_turn_chars=args.max_turn_chars,
            max_chars=args.max_chars,
            max_batch=args.max_batch,
        )
    except (OSError, ValueError, TypeError) as exc:
        return _error(f"cannot serve {args.model}: {exc}")
    print(
        f"serving {metadata.get('method') or metadata.get('estimator')} from {args.model} "
        f"on http://{args.host}:{args.port}/ (Ctrl+C stops)",
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
