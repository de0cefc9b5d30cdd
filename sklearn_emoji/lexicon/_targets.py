"""Emoji targets from raw texts (the targets themselves are checked by
:func:`sklearn_emoji._validation.check_emoji_targets`)."""

from __future__ import annotations

import numpy as np

from .._compat import validate_params
from .._validation import as_rows
from ..emojis import find_emojis, strip_emojis


def _is_multi(v):
    return isinstance(v, (list, tuple, np.ndarray)) and not isinstance(v, str)


@validate_params(
    {"X": ["array-like"], "unicode": ["boolean"], "weibo": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def extract_emoji_targets(X, *, unicode=True, weibo=True):
    """Split raw texts or dialogues into emoji-free inputs and emoji targets.

    The targets are the emojis of the reply (the last turn), in order with
    repeats kept, which is what the multiplication layer of
    :class:`LexiconEmojiRecommender` learns counts from. Every turn is
    returned with its emojis removed.

    Parameters
    ----------
    X : list of str or list of list of str
        Raw texts (one-turn dialogues) or dialogues whose reply still holds
        its emojis.
    unicode, weibo : bool, default=True
        Which kinds of emoji to extract (see
        :func:`sklearn_emoji.emojis.find_emojis`).

    Returns
    -------
    X_clean : list
        The inputs without emojis (``str`` when the input was a ``str``,
        else a list of turns).
    y : list of list of str
        The reply's emojis per sample; an empty list when it has none.

    Examples
    --------
    >>> from sklearn_emoji.lexicon import extract_emoji_targets
    >>> extract_emoji_targets(["太好笑了[哈哈][哈哈]", ["新闻", "难过[泪]"]])
    (['太好笑了', ['新闻', '难过']], [['[哈哈]', '[哈哈]'], ['[泪]']])
    """
    X_out, y = [], []
    for i, d in enumerate(as_rows(X, "X")):
        if isinstance(d, str):
            y.append(find_emojis(d, unicode=unicode, weibo=weibo))
            X_out.append(strip_emojis(d, unicode=unicode, weibo=weibo))
        elif _is_multi(d) and len(d) and all(isinstance(t, str) for t in d):
            y.append(find_emojis(d[-1], unicode=unicode, weibo=weibo))
            X_out.append([strip_emojis(t, unicode=unicode, weibo=weibo) for t in d])
        else:
            raise TypeError(f"sample {i} of X must be a str or a non-empty list of str")
    return X_out, y
