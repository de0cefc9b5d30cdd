"""Model files: a header, then a pickle (see :mod:`sklearn_emoji.evaluation`)."""

from __future__ import annotations

import json
import pickle
import platform
from datetime import datetime, timezone
from pathlib import Path

from .._utils import atomic_write_bytes

__all__ = ["MODEL_FORMAT_VERSION", "save_model", "load_model", "read_model_metadata"]

#: Version of the model file format that :func:`save_model` writes.
MODEL_FORMAT_VERSION = 1

_MAGIC = b"sklearn-emoji-model "
#: The metadata line is read with this cap, so a large foreign file is never read whole.
_MAX_HEADER_BYTES = 1 << 20


def _model_classes(model):
    """``classes_`` of a fitted model (or of a pipeline's last step) as strings; ``None`` if unfitted."""
    from sklearn.exceptions import NotFittedError

    from ..metrics import _classes_of

    try:
        return [str(c) for c in _classes_of(model)]
    except (NotFittedError, AttributeError, TypeError):
        return None


def save_model(model, path, *, metadata=None):
    """Write a model to ``path``: a header, then the pickle, atomically.

    Parameters
    ----------
    model : estimator
        A classifier or pipeline with ``predict_proba`` (fitted, usually).
    path : str or Path
        Where to write; missing folders are created. The file is written
        whole or not at all, with the mode the umask gives.
    metadata : dict, default=None
        Extra entries for the header, JSON-serialisable, e.g.
        ``{"method": "H-LSTM", "training_data": "Weibo CED, 8000 dialogues"}``.
        They are added to (and may override) what is recorded anyway:
        ``format_version``, ``library_version``, ``sklearn_version``,
        ``python_version``, ``estimator`` (the class name), ``classes``
        (strings, ``None`` for an unfitted model), ``created`` (UTC, ISO
        8601), ``method`` and ``training_data`` (``None`` unless given).

    Returns
    -------
    path : str

    Raises
    ------
    TypeError
        If ``model`` has no ``predict_proba`` or ``metadata`` is not a
        JSON-serialisable dict (nothing is written).

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_emoji.evaluation import load_model, read_model_metadata, save_model
    >>> model = LogisticRegression().fit([[0.0], [1.0]], ["😢", "😂"])
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = os.path.join(tmp.name, "model.pkl")
    >>> _ = save_model(model, path, metadata={"training_data": "two points"})
    >>> meta = read_model_metadata(path)
    >>> meta["classes"], meta["training_data"], meta["format_version"]
    (['😂', '😢'], 'two points', 1)
    >>> str(load_model(path).predict([[0.9]])[0])
    '😂'
    >>> tmp.cleanup()
    """
    import sklearn

    from .. import __version__

    if not hasattr(model, "predict_proba"):
        raise TypeError(f"save_model needs a model with predict_proba, got a {type(model).__name__}")
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict or None, got {type(metadata).__name__}")
    header = {
        "format_version": MODEL_FORMAT_VERSION,
        "library_version": __version__,
        "sklearn_version": sklearn.__version__,
        "python_version": platform.python_version(),
        "estimator": type(model).__name__,
        "method": None,
        "classes": _model_classes(model),
        "training_data": None,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **(metadata or {}),
    }
    try:
        line = json.dumps(header, ensure_ascii=True, allow_nan=False)  # ASCII JSON holds no newline
    except (TypeError, ValueError) as exc:
        raise TypeError(f"metadata must be JSON-serialisable: {exc}") from exc
    data = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    head = _MAGIC + str(MODEL_FORMAT_VERSION).encode("ascii") + b"\n" + line.encode("ascii") + b"\n"
    return atomic_write_bytes(path, head + data)


def _read_header(fh, path):
    """Metadata dict of an open model file, leaving ``fh`` at the pickle; ``None`` for a legacy pickle."""
    first = fh.readline(len(_MAGIC) + 16)
    if not first.startswith(_MAGIC):
        if first[:1] == b"\x80":  # a bare pickle (protocol 2 or later): a version 0.1 model file
            return None
        raise ValueError(
            f"{path} is not an sklearn-emoji model file (it does not start with the "
            f"{_MAGIC.decode().strip()!r} header); refusing to unpickle it"
        )
    version = first[len(_MAGIC) :].strip()
    if not version.isdigit() or not first.endswith(b"\n"):
        raise ValueError(f"{path} has a malformed sklearn-emoji model header: {first[:40]!r}")
    if int(version) > MODEL_FORMAT_VERSION:
        raise ValueError(
            f"{path} is a model file of format {int(version)}, newer than this library reads "
            f"({MODEL_FORMAT_VERSION}); upgrade sklearn-emoji to load it"
        )
    line = fh.readline(_MAX_HEADER_BYTES)
    try:
        if not line.endswith(b"\n"):
            raise ValueError("truncated")
        meta = json.loads(line.decode("ascii"))
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ValueError(f"{path} has a broken sklearn-emoji model header ({exc})") from exc
    return meta


def _open_model_file(path):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no saved model at {path}; train one with `sklearn-emoji train --output {path}`")
    return path, open(path, "rb")


def _legacy_error(path):
    return ValueError(
        f"{path} is a headerless pickle (a model file of sklearn-emoji 0.1, or not one of this library's "
        "files); it is not unpickled. If you trust it, load it with load_model(path, allow_legacy=True) "
        "and save it again with save_model to add the header."
    )


def read_model_metadata(path):
    """The header of a model file, without unpickling anything.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save_model`.

    Returns
    -------
    dict
        The metadata (see :func:`save_model`).

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file is not a model file with a header (the message names it).
    """
    path, fh = _open_model_file(path)
    with fh:
        meta = _read_header(fh, path)
    if meta is None:
        raise _legacy_error(path)
    return meta


def load_model(path, *, allow_legacy=False):
    """Load a model written by :func:`save_model`. Only load files you trust.

    The header is checked before anything is unpickled: a file that does not
    start with it is refused. Unpickling a file that has it still runs
    whatever code the file holds, so the header guards against mistakes,
    not against an attacker.

    Parameters
    ----------
    path : str or Path
    allow_legacy : bool, default=False
        Also load a headerless pickle (a model file of version 0.1). Only for
        a file you trust; save it again with :func:`save_model` to add the
        header.

    Returns
    -------
    estimator
        A model with ``predict_proba``.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file has no header (and ``allow_legacy`` is false), a broken
        or newer one, cannot be unpickled, holds no model with
        ``predict_proba``, or its classes disagree with its header.
    """
    path, fh = _open_model_file(path)
    with fh:
        meta = _read_header(fh, path)
        if meta is None:
            if not allow_legacy:
                raise _legacy_error(path)
            fh.seek(0)
        try:
            model = pickle.load(fh)
        except Exception as exc:  # unpickling raises many kinds of errors
            raise ValueError(f"{path} is not a readable sklearn-emoji model ({type(exc).__name__}: {exc})") from exc
    if not hasattr(model, "predict_proba"):
        raise ValueError(f"{path} holds a {type(model).__name__}, not a model with predict_proba")
    if meta is not None and meta.get("classes") is not None and meta["classes"] != _model_classes(model):
        raise ValueError(f"{path}: the model's classes differ from those its header records")
    return model
