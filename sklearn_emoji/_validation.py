"""Input validation shared by every estimator of the package.

A dialogue is a sequence of turns (``str``), oldest first, the last turn being
the reply. ``X`` is a list-like of dialogues; a plain string is a one-turn
dialogue, so lists of posts or tweets work everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["check_dialogues", "check_texts", "check_y_length"]


def _describe(obj):
    return "None" if obj is None else type(obj).__name__


def _as_list(X, what):
    if X is None:
        raise TypeError(f"{what} must be a list of dialogues or texts, got None")
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"{what} must be a list of dialogues or texts, got a single {type(X).__name__}; wrap it in a list: [text]"
        )
    if isinstance(X, dict):
        raise TypeError(f"{what} must be a list of dialogues or texts, got dict")
    if hasattr(X, "iloc") and getattr(X, "ndim", 1) == 1:  # pandas Series
        X = X.tolist()
    elif isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:  # a single text column
            X = X[:, 0]
        if X.ndim != 1:
            raise ValueError(f"{what} must be 1-D (one dialogue or text per sample), got an array of shape {X.shape}")
        X = X.tolist()
    elif not isinstance(X, Sequence) and not hasattr(X, "__iter__"):
        raise TypeError(f"{what} must be a list of dialogues or texts, got {_describe(X)}")
    X = list(X)
    if len(X) == 0:
        raise ValueError(f"{what} is empty: at least one dialogue or text is needed")
    return X


def check_dialogues(X, *, what="X", allow_empty_reply=True, allow_empty=False):
    """Validate ``X`` and return it as a list of tuples of ``str``.

    Parameters
    ----------
    X : list-like of (str or sequence of str)
        Dialogues; a plain string is a one-turn dialogue.
    what : str, default="X"
        Name used in error messages.
    allow_empty_reply : bool, default=True
        A turn that is empty (for instance a reply that held only an emoji,
        removed in preprocessing) is allowed as long as some turn of the
        dialogue holds text. A dialogue whose every turn is blank is always
        an error unless ``allow_empty`` is true.
    allow_empty : bool, default=False
        Accept dialogues whose every turn is blank. Used by steps that come
        after :class:`~sklearn_emoji.preprocessing.DialogueFlattener`, whose
        reply-only output is empty for an emoji-only reply.

    Returns
    -------
    list of tuple of str

    Raises
    ------
    TypeError
        ``X`` is ``None``, a single string, or a turn is not a string.
    ValueError
        ``X`` is empty, a dialogue has no turns, or a dialogue holds no text.
    """
    X = _as_list(X, what)
    out = []
    for i, d in enumerate(X):
        if isinstance(d, str):
            turns = (d,)
        elif d is None:
            raise TypeError(f"dialogue {i} of {what} is None; expected a str or a list of str")
        elif isinstance(d, (list, tuple, np.ndarray)) or (hasattr(d, "__iter__") and not isinstance(d, (bytes, dict))):
            turns = tuple(d)
            if len(turns) == 0:
                raise ValueError(f"dialogue {i} of {what} is empty: a dialogue needs at least one turn")
            for j, t in enumerate(turns):
                if not isinstance(t, str):
                    raise TypeError(f"turn {j} of dialogue {i} of {what} is {_describe(t)}; every turn must be a str")
        else:
            raise TypeError(f"dialogue {i} of {what} is {_describe(d)}; expected a str or a list of str")
        if not allow_empty and not any(t.strip() for t in turns):
            raise ValueError(f"dialogue {i} of {what} holds no text (every turn is empty)")
        if not allow_empty_reply and not turns[-1].strip():
            raise ValueError(f"the reply (last turn) of dialogue {i} of {what} is empty")
        out.append(turns)
    return out


def check_texts(X, *, what="X", allow_empty=False):
    """Validate ``X`` as a list of texts and return a list of ``str``.

    Dialogues given where texts are expected are joined with a space.

    Parameters
    ----------
    X : list-like of (str or sequence of str)
    what : str, default="X"
    allow_empty : bool, default=False
        Accept empty texts (see :func:`check_dialogues`).

    Returns
    -------
    list of str
    """
    return [" ".join(t for t in d if t) for d in check_dialogues(X, what=what, allow_empty=allow_empty)]


def check_y_length(y, n_samples, *, what="y"):
    """Raise when ``y`` is given and its length differs from ``n_samples``.

    Transformers ignore ``y`` but check it, so that the first step of a
    pipeline reports the mismatch before any work is done.
    """
    if y is None:
        return
    n = len(y) if hasattr(y, "__len__") else None
    if n is not None and n != n_samples:
        raise ValueError(f"X and {what} have different lengths: {n_samples} samples in X, {n} labels in {what}")
