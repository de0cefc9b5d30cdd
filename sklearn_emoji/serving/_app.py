"""The ASGI app of ``sklearn-emoji serve``: a JSON API and a demo page around one fitted model."""

from __future__ import annotations

import json
import logging
from numbers import Integral
from pathlib import Path

try:
    from fastapi import FastAPI, HTTPException
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import FileResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles
    from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, model_validator
except ImportError as exc:  # pragma: no cover - exercised with the extra uninstalled
    raise ImportError(f'serving a model needs FastAPI and uvicorn: pip install "sklearn-emoji[serve]" ({exc})') from exc
from .. import __version__
from .._utils import final_estimator
from .._validation import check_dialogues
from ..metrics import classes_of, top_k_emojis

__all__ = ["create_app"]

logger = logging.getLogger("sklearn_emoji.serving")

_STATIC = Path(__file__).resolve().parent / "static"
# The page loads nothing but its own files; no inline script, no other origin.
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}
# A Chinese and an English turn: the warm-up loads jieba's dictionary before the first request.
_WARM_UP = [("今天天气真好", "haha so funny")]


class RecommendRequest(BaseModel):
    """Body of ``POST /recommend``: one dialogue (``turns``) or a batch (``dialogues``)."""

    model_config = ConfigDict(extra="forbid")

    turns: list[StrictStr] | None = Field(
        default=None, description="One dialogue: its turns, oldest first; the last is the reply."
    )
    dialogues: list[list[StrictStr]] | None = Field(
        default=None, description="A batch: a list of dialogues, each a list of turns."
    )
    k: StrictInt = Field(default=3, description="Number of emojis per dialogue (1 to the number of classes).")

    @model_validator(mode="after")
    def _one_of(self):
        if (self.turns is None) == (self.dialogues is None):
            raise ValueError(
                "give either 'turns' (one dialogue: a list of str) or 'dialogues' (a batch: a list of lists of str)"
            )
        return self


def _has_attention(model):
    """Whether ``model`` is a pipeline ending with an attention LSTM that
    :func:`~sklearn_emoji.inspection.explain_attention` can read."""
    steps = getattr(model, "steps", None)
    if not steps or len(steps) < 2:
        return False
    final = final_estimator(model)
    return hasattr(final, "attention_weights") and getattr(final, "pooling", None) == "attention"


def _recommend(model, dialogues, k, attention):
    """Top ``k`` emojis of each dialogue, with the attention weights where the model has them."""
    if attention:
        from ..inspection import explain_attention

        return [
            {"emojis": [{"emoji": e, "score": s} for e, s in ex["emojis"]], "attention": ex["turns"]}
            for ex in explain_attention(model, dialogues, k=k)
        ]
    return [
        {"emojis": [{"emoji": e, "score": s} for e, s in ranked], "attention": None}
        for ranked in top_k_emojis(model, dialogues, k=k)
    ]


def _location(loc):
    """``("body", "turns", 1)`` -> ``"turns[1]"``."""
    out = ""
    for part in loc[1:] if loc and loc[0] == "body" else loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "request body"


def _validation_message(errors):
    """One readable line for pydantic's errors, without echoing the input."""
    for err in errors:
        if err.get("type") == "json_invalid":
            reason = (err.get("ctx") or {}).get("error", err.get("msg", ""))
            return 400, f"malformed JSON: {reason}"
    parts = []
    for err in errors:
        where = _location(tuple(err.get("loc", ())))
        if where == "request body" and err.get("type") in ("model_attributes_type", "missing"):
            parts.append(
                "the request body must be a JSON object (Content-Type: application/json) "
                "with 'turns' or 'dialogues' and optionally 'k'"
            )
        else:
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return 422, "; ".join(parts)


class _BodyLimit:
    """Pure ASGI middleware answering 413 to a request body over ``max_bytes``.

    A declared ``Content-Length`` is checked before anything is read; a body
    without one (chunked) is read here up to the limit and then handed on.
    """

    def __init__(self, app, max_bytes):
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, scope, receive, send, status, detail):
        await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_big = f"the request body is over the limit of {self.max_bytes} bytes"
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                return await self._reject(scope, receive, send, 400, "invalid Content-Length header")
            if int(length) > self.max_bytes:
                return await self._reject(scope, receive, send, 413, too_big)
            return await self.app(scope, receive, send)
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                return await self._reject(scope, receive, send, 413, too_big)
            if not message.get("more_body", False):
                break
        pending = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replay():
            return pending.pop() if pending else await receive()

        return await self.app(scope, replay, send)


def _json_safe(value):
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


class _InvalidParameterError(ValueError, TypeError):
    """A bad argument of :func:`create_app` (a ValueError and a TypeError, as scikit-learn's own)."""


def _check_arguments(model, metadata, limits, warm_up):
    """:func:`create_app`'s argument checks, written here rather than with scikit-learn's ``validate_params``
    so that serving a model that needs no scikit-learn (an ONNX one) does not import it."""

    def bad(name, expected, value):
        return _InvalidParameterError(
            f"The {name!r} parameter of create_app must be {expected}. Got {value!r} instead."
        )

    if not callable(getattr(model, "predict_proba", None)):
        raise bad("model", "an object implementing 'predict_proba'", model)
    if metadata is not None and not isinstance(metadata, dict):
        raise bad("metadata", "an instance of 'dict' or None", metadata)
    for name, value in limits.items():
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            raise bad(name, "an int in the range [1, inf)", value)
    if not isinstance(warm_up, bool) and type(warm_up).__name__ != "bool_":
        raise bad("warm_up", "an instance of 'bool' or an instance of 'numpy.bool'", warm_up)


def create_app(
    model,
    metadata=None,
    *,
    max_turns=16,
    max_turn_chars=1000,
    max_chars=20000,
    max_batch=64,
    max_body_bytes=1 << 20,
    warm_up=True,
):
    """Build the FastAPI app that serves ``model``: JSON API and demo page.

    Routes:

    ``POST /recommend``
        Body ``{"turns": [str, ...], "k": 3}`` for one dialogue (oldest turn
        first, the last is the reply) answers ``{"emojis": [{"emoji",
        "score"}, ...], "attention": ...}``, best first; body
        ``{"dialogues": [[str, ...], ...], "k": 3}`` answers ``{"results":
        [...]}``, one such object per dialogue. ``"attention"`` is ``null``
        unless the model is a pipeline ending with an attention LSTM (such
        as ``make_method("H-LSTM")``): then it lists the turns the model
        read, oldest first, each ``{"tokens", "weights", "turn_weight"}``
        (see :func:`~sklearn_emoji.inspection.explain_attention`).
    ``GET /health``
        ``{"status": "ok", "method", "version"}``.
    ``GET /model``
        What is served: ``metadata`` (for instance the header of the model
        file, or a ready model's name and held-out numbers) with
        ``method``, ``classes``, ``uniform_score`` (``1 / len(classes)``,
        the score of every emoji for a model that knows nothing),
        ``attention`` and the limits.
    ``GET /``
        The demo page: type turns, see the emojis as you type.

    Errors are JSON ``{"detail": str}``: 400 for malformed JSON, 413 for a
    request over a limit, 422 for a body of the wrong shape (missing or
    non-string turns, ``k`` out of range, an unknown field), and 500 with a
    short message (the traceback goes to the log) when the model fails.

    Parameters
    ----------
    model : fitted classifier or Pipeline
        Anything with ``predict_proba`` and ``classes_``, taking dialogues.
        Predictions run in FastAPI's thread pool, off the event loop.
    metadata : dict or None, default=None
        Shown by ``GET /model``, e.g. ``read_model_metadata(path)``.
    max_turns : int, default=16
        Turns per dialogue (the models read the last few anyway).
    max_turn_chars : int, default=1000
        Characters per turn.
    max_chars : int, default=20000
        Characters per request, all turns of all dialogues together.
    max_batch : int, default=64
        Dialogues per request.
    max_body_bytes : int, default=1048576
        Bytes of a request body.
    warm_up : bool, default=True
        Rank one dialogue before serving, so that the first request does
        not pay for loading the tokenizer's dictionary, and a model that
        cannot rank dialogues is refused now rather than on every request.

    Returns
    -------
    app : fastapi.FastAPI

    Raises
    ------
    ValueError
        ``model`` has no ``predict_proba``, is not fitted or fails on the
        warm-up dialogue, or a limit is not a positive int (the argument
        errors are TypeErrors too).

    Examples
    --------
    >>> from fastapi.testclient import TestClient
    >>> from sklearn_emoji.pipelines import make_method
    >>> from sklearn_emoji.serving import create_app
    >>> model = make_method("S-BOW", tfidf__min_df=1).fit(
    ...     ["so funny", "so sad", "funny day", "sad day"], ["😂", "😢", "😂", "😢"])
    >>> client = TestClient(create_app(model))
    >>> client.post("/recommend", json={"turns": ["what a day", "so funny"], "k": 1}).json()["emojis"][0]["emoji"]
    '😂'
    >>> client.post("/recommend", json={"turns": "so funny"}).status_code
    422
    """
    limits = {
        "max_turns": max_turns,
        "max_turn_chars": max_turn_chars,
        "max_chars": max_chars,
        "max_batch": max_batch,
        "max_body_bytes": max_body_bytes,
    }
    _check_arguments(model, metadata, limits, warm_up)
    classes = _served_classes(model)
    attention = _has_attention(model)
    if warm_up:
        _warm_up(model, attention)
    limits["k"] = [1, len(classes)]
    info = _model_info(model, metadata, classes, attention, limits)
    app = _new_app(max_body_bytes)
    _add_routes(app, model, info, _limit_checker(limits, len(classes)), attention)
    return app


def _served_classes(model):
    """The model's emojis as str, or a ValueError saying why it cannot be served."""
    try:
        return [str(c) for c in classes_of(model)]
    except Exception as exc:
        raise ValueError(f"cannot serve this {type(model).__name__}: {exc}") from exc


def _warm_up(model, attention):
    """Rank one dialogue now: loads the tokenizer's dictionary and refuses a model that cannot rank."""
    try:
        _recommend(model, _WARM_UP, 1, attention)
    except Exception as exc:
        raise ValueError(
            f"cannot serve this {type(model).__name__}: it failed to rank a test dialogue ({type(exc).__name__}: {exc})"
        ) from exc


def _model_info(model, metadata, classes, attention, limits):
    """What ``GET /model`` answers."""
    info = _json_safe(metadata or {})
    info["method"] = info.get("method") or info.get("estimator") or type(model).__name__
    info.update(
        classes=classes,
        uniform_score=1.0 / len(classes),
        attention=attention,
        limits=limits,
        served_by=f"sklearn-emoji {__version__}",
    )
    return info


def _new_app(max_body_bytes):
    """The FastAPI app with its body limit and its JSON error handlers, before any route."""
    app = FastAPI(
        title="sklearn-emoji",
        version=__version__,
        description="Emoji recommendation for dialogues.",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN
        redoc_url=None,
    )
    app.add_middleware(_BodyLimit, max_bytes=max_body_bytes)

    @app.middleware("http")
    async def _nosniff(request, call_next):  # every answer, JSON and errors too, as the page's
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request, exc):
        status, detail = _validation_message(exc.errors())
        return JSONResponse({"detail": detail}, status_code=status)

    @app.exception_handler(Exception)
    async def _crashed(request, exc):  # pragma: no cover - the endpoints catch the model's failures
        logger.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": "internal server error"}, status_code=500)

    return app


def _limit_checker(limits, n_classes):
    """``check(dialogues, k)``: the request's dialogues, parsed, or an HTTPException naming the limit broken."""
    max_batch, max_turns = limits["max_batch"], limits["max_turns"]
    max_turn_chars, max_chars = limits["max_turn_chars"], limits["max_chars"]

    def check_limits(dialogues, k):
        if not 1 <= k <= n_classes:
            raise HTTPException(422, f"k must be between 1 and {n_classes} (the model's emojis), got {k}")
        if not dialogues:
            raise HTTPException(422, "dialogues: the batch is empty")
        if len(dialogues) > max_batch:
            raise HTTPException(413, f"dialogues: {len(dialogues)} in one request; at most {max_batch} are accepted")
        total = 0
        for i, turns in enumerate(dialogues):
            where = f"dialogues[{i}]" if len(dialogues) > 1 else "turns"
            if len(turns) > max_turns:
                raise HTTPException(413, f"{where}: {len(turns)} turns; at most {max_turns} are accepted")
            for j, turn in enumerate(turns):
                if len(turn) > max_turn_chars:
                    raise HTTPException(
                        413, f"{where}[{j}]: {len(turn)} characters; at most {max_turn_chars} per turn are accepted"
                    )
                total += len(turn)
        if total > max_chars:
            raise HTTPException(413, f"{total} characters in the request; at most {max_chars} are accepted")
        try:
            return check_dialogues(dialogues, what="the request")
        except (TypeError, ValueError) as exc:
            raise HTTPException(422, str(exc)) from exc

    return check_limits


def _add_routes(app, model, info, check_limits, attention):
    """``POST /recommend``, ``GET /health``, ``GET /model``, the demo page and its files."""

    @app.post("/recommend")
    def recommend(body: RecommendRequest):
        """Rank the emojis of one dialogue (``turns``) or of a batch (``dialogues``)."""
        batch = body.dialogues is not None
        dialogues = check_limits(body.dialogues if batch else [body.turns], body.k)
        try:
            results = _recommend(model, dialogues, body.k, attention)
        except Exception as exc:
            logger.exception("the model failed on a request of %d dialogue(s)", len(dialogues))
            raise HTTPException(500, "the model failed on this request; the server log has the details") from exc
        return {"results": results} if batch else results[0]

    @app.get("/health")
    def health():
        """Liveness: the model is loaded and answering."""
        return {"status": "ok", "method": info["method"], "version": __version__}

    @app.get("/model")
    def model_info():
        """What is served: method, classes, training data, versions, limits."""
        return info

    @app.get("/", include_in_schema=False)
    def page():
        return FileResponse(_STATIC / "index.html", headers=_PAGE_HEADERS)

    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
