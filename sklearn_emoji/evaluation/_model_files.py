"""Model files moved to :mod:`sklearn_emoji.persistence`; the old import names keep working."""

from __future__ import annotations

from ..persistence import (
    MODEL_FORMAT_VERSION,
    ModelFileError,
    PickleModelWarning,
    load_model,
    read_model_metadata,
    save_model,
)

__all__ = [
    "MODEL_FORMAT_VERSION",
    "ModelFileError",
    "PickleModelWarning",
    "save_model",
    "load_model",
    "read_model_metadata",
]
