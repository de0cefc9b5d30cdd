"""Serve a fitted model over HTTP: a JSON API and a demo page (``sklearn-emoji serve``).

Needs the optional extra: ``pip install "sklearn-emoji[serve]"`` (FastAPI and
uvicorn). Importing this package does not import them; :func:`create_app` does,
and says which extra to install when they are missing.

With no model named, ``sklearn-emoji serve`` serves the default ready model
(``sklearn_emoji.pretrained.DEFAULT_MODEL``: safetensors and JSON, no
pickle). A saved model file is a pickle, and loading a pickle runs code:
serve only model files you trust (see :ref:`serving`).
"""

from __future__ import annotations

import importlib

__all__ = ["create_app", "add_arguments", "run"]

_LAZY = {"create_app": "._app", "add_arguments": "._cli", "run": "._cli"}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
