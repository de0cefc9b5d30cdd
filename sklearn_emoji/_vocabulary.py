"""The token-id contract, stated once: ids, building and checking a vocabulary, each LSTM method's recipe.

* Id 0 is padding (:data:`PAD_ID`), 1 is out-of-vocabulary (:data:`OOV_ID`);
  real tokens take the ids 2, 3, ..., ``len(vocabulary) + 1``, each once, so
  an embedding has ``len(vocabulary) + 2`` rows (:func:`vocab_size`).
* A vocabulary learned from text (:func:`build_vocabulary`) orders its tokens
  by decreasing count, ties by first appearance.
* A vocabulary given by the user is a dict of ``token -> id`` or anything
  with such a dict as its ``vocabulary`` attribute (a pre-trained encoder);
  :func:`check_vocabulary` is the one check of it.
* Texts become rows of ids by one rule (:func:`encode_ids`): each kept
  token's id, cut to ``max_len`` from the ``truncating`` end, zeros after;
  an empty text is one OOV id. A dialogue becomes one text
  (:func:`flatten_dialogues`) or its most recent turns, one row each
  (:func:`hierarchy_rows`).
* The tokenization of the LSTM methods (:data:`LSTM_RECIPES`,
  :func:`recipe_steps`) is the same whether the method is built by the
  registry (:mod:`sklearn_emoji.pipelines`) or pre-trained
  (:mod:`sklearn_emoji.pretraining`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, repeat
from numbers import Integral

import numpy as np

from ._options import LSTM_METHODS

__all__ = [
    "PAD_ID",
    "OOV_ID",
    "PAD_TOKEN",
    "OOV_TOKEN",
    "LSTM_RECIPES",
    "build_vocabulary",
    "check_vocabulary",
    "encode_ids",
    "flatten_dialogues",
    "hierarchy_rows",
    "recipe_steps",
    "vocab_size",
]

PAD_ID = 0
OOV_ID = 1
#: The first id of a real token.
FIRST_ID = 2
PAD_TOKEN = "<pad>"
OOV_TOKEN = "<unk>"


def vocab_size(vocabulary):
    """Number of ids of ``vocabulary``, padding and OOV included (an embedding's rows)."""
    return len(vocabulary) + FIRST_ID


def build_vocabulary(counts, min_freq=1, max_vocab=None, *, base=None):
    """The vocabulary of the tokens counted in ``counts``: ids by decreasing count, ties by first appearance.

    Parameters
    ----------
    counts : Counter or dict of str to int
        Token counts in first-appearance order (a ``Counter`` filled by one
        pass over the tokens is).
    min_freq : int, default=1
        Tokens counted fewer times are left out (they become OOV).
    max_vocab : int or None, default=None
        Keep at most this many of the most frequent (new) tokens.
    base : dict of str to int or None, default=None
        A checked vocabulary to extend (torchMoji's ``extend_embedding``):
        its ids stay, and the tokens it lacks take the ids after its own.

    Returns
    -------
    vocabulary : dict of str to int
        Ids from 2 on (``base`` first when given).
    kept : dict of str to int
        The counts of the tokens added, in id order.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn_emoji._vocabulary import build_vocabulary
    >>> build_vocabulary(Counter("a b b c c c d".split()), min_freq=2)
    ({'c': 2, 'b': 3}, {'c': 3, 'b': 2})
    >>> build_vocabulary(Counter("a b b c c c d".split()), min_freq=2, base={"c": 2, "z": 3})
    ({'c': 2, 'z': 3, 'b': 4}, {'b': 2})
    """
    items = [(tok, c) for tok, c in counts.items() if c >= min_freq and (base is None or tok not in base)]
    items.sort(key=lambda tc: -tc[1])  # stable: ties stay in first-appearance order
    if max_vocab is not None:
        items = items[:max_vocab]
    first = FIRST_ID if base is None else len(base) + FIRST_ID
    vocab = {tok: first + i for i, (tok, _) in enumerate(items)}
    return (vocab if base is None else {**base, **vocab}), dict(items)


def check_vocabulary(vocabulary, *, allow_empty=True):
    """The given vocabulary as a dict of str to int, checked against the id contract.

    Parameters
    ----------
    vocabulary : dict or object with a ``vocabulary`` dict
        ``token -> id``, or a pre-trained encoder carrying one.
    allow_empty : bool, default=True
        Whether an empty vocabulary (every token OOV) is accepted.

    Returns
    -------
    dict of str to int

    Raises
    ------
    TypeError
        Not a dict (nor an encoder with one), a key that is not a str or an
        id that is not an int.
    ValueError
        Ids other than 2, 3, ..., ``len(vocabulary) + 1`` each once, or an
        empty vocabulary where one is not allowed.

    Examples
    --------
    >>> from sklearn_emoji._vocabulary import check_vocabulary
    >>> check_vocabulary({"好": 2, "天气": 3})
    {'好': 2, '天气': 3}
    >>> check_vocabulary({"好": 1})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: vocabulary ids must be 2, 3, ..., len(vocabulary) + 1, each once (...); got 1 ids ranging 1..1
    """
    vocab = vocabulary
    if not isinstance(vocab, dict):
        vocab = getattr(vocabulary, "vocabulary", None)
        if not isinstance(vocab, dict):
            raise TypeError(
                "vocabulary must be None, a dict of token -> id or a pre-trained encoder "
                f"(with a .vocabulary dict), got {type(vocabulary).__name__}"
            )
    bad_keys = [k for k in vocab if not isinstance(k, str)]
    if bad_keys:
        raise TypeError(f"vocabulary keys must be str tokens, got {bad_keys[0]!r} ({type(bad_keys[0]).__name__})")
    if not vocab and not allow_empty:
        raise ValueError("vocabulary is empty: it needs at least one token")
    bad_ids = [i for i in vocab.values() if not isinstance(i, Integral) or isinstance(i, bool)]
    if bad_ids:
        raise TypeError(f"vocabulary ids must be ints, got {bad_ids[0]!r} ({type(bad_ids[0]).__name__})")
    ids = sorted(int(i) for i in vocab.values())
    if ids != list(range(FIRST_ID, len(ids) + FIRST_ID)):
        raise ValueError(
            "vocabulary ids must be 2, 3, ..., len(vocabulary) + 1, each once (0 is padding, 1 is OOV); "
            f"got {len(ids)} ids ranging {ids[0]}..{ids[-1]}"
        )
    return {tok: int(i) for tok, i in vocab.items()}


def encode_ids(token_lists, vocabulary, out, rows, max_len, truncating="pre"):
    """Write the ids of ``token_lists[i]`` into row ``rows[i]`` of the 2-D ``out`` (zeros elsewhere).

    Vectorised: one pass over all tokens to look their ids up (OOV for a
    token the vocabulary lacks), then NumPy places them, truncated to
    ``max_len`` from the ``truncating`` end (``"pre"`` keeps the last
    ``max_len``); an empty token list is one OOV id. The one encoding rule of
    the tokenizers, of exported models and of the ready models' NumPy
    runtime.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_emoji._vocabulary import encode_ids
    >>> out = np.zeros((2, 2), dtype=np.int64)
    >>> encode_ids([["a", "b", "c"], []], {"a": 2, "b": 3}, out, [0, 1], max_len=2)
    >>> out.tolist()
    [[3, 1], [1, 0]]
    """
    get = vocabulary.get
    lens = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    ids = np.fromiter(map(get, chain.from_iterable(token_lists), repeat(OOV_ID)), dtype=np.int64, count=lens.sum())
    rows = np.asarray(rows, dtype=np.int64)
    kept = np.minimum(lens, max_len)
    first = np.cumsum(lens) - lens  # where each list starts in ids
    if truncating == "pre":
        first += lens - kept
    which = np.repeat(np.arange(len(kept)), kept)
    col = np.arange(kept.sum()) - np.repeat(np.cumsum(kept) - kept, kept)
    out[rows[which], col] = ids[first[which] + col]
    out[rows[lens == 0], 0] = OOV_ID


def flatten_dialogues(dialogues, turns, sep, max_turns=None):
    """Each (checked) dialogue as one text: its reply (``turns="reply"``), or its non-blank turns joined by ``sep``.

    Examples
    --------
    >>> from sklearn_emoji._vocabulary import flatten_dialogues
    >>> flatten_dialogues([("a", " ", "b")], "all", " | "), flatten_dialogues([("a", "b")], "reply", " | ")
    (['a | b'], ['b'])
    """
    if turns == "reply":
        return [d[-1] for d in dialogues]
    if max_turns is not None:
        dialogues = [d[-max_turns:] for d in dialogues]
    return [sep.join(t for t in d if t.strip()) for d in dialogues]


def hierarchy_rows(dialogues, max_turns):
    """The most recent ``max_turns`` turns of each (checked) dialogue, flat, and each turn's row in a 2-D view.

    Returns ``(dialogues, turns, rows)``: the kept dialogues, their turns in
    order, and for each turn ``i * max_turns + j`` (dialogue ``i``, turn ``j``),
    its row in ``out.reshape(-1, max_len)`` of an ``(n, max_turns, max_len)``
    array.

    Examples
    --------
    >>> from sklearn_emoji._vocabulary import hierarchy_rows
    >>> hierarchy_rows([("a", "b", "c"), ("d",)], 2)
    ([('b', 'c'), ('d',)], ['b', 'c', 'd'], [0, 1, 2])
    """
    dialogues = [d[-max_turns:] for d in dialogues]
    turns = [t for d in dialogues for t in d]
    rows = [i * max_turns + j for i, d in enumerate(dialogues) for j in range(len(d))]
    return dialogues, turns, rows


@dataclass(frozen=True)
class Recipe:
    """How an LSTM method turns dialogues into ids.

    ``turns`` is what :class:`~sklearn_emoji.preprocessing.DialogueFlattener`
    keeps (``None``: no flattening, a hierarchy of turns), ``max_len`` the
    tokens kept per text (per turn for a hierarchy), ``min_freq`` the count
    below which a token is OOV, ``max_turns`` the turns of a hierarchy.
    """

    turns: str | None
    max_len: int
    min_freq: int = 2
    max_turns: int = 4


#: The tokenization of each LSTM method of Xie et al. (2016).
LSTM_RECIPES = dict(
    zip(
        LSTM_METHODS,  # S-, F-, H-LSTM
        (Recipe(turns="reply", max_len=50), Recipe(turns="all", max_len=200), Recipe(turns=None, max_len=50)),
    )
)


def recipe_steps(method, **params):
    """The ``(flattener, tokenizer)`` steps of an LSTM method (the flattener is None for H-LSTM).

    Parameters
    ----------
    method : {"S-LSTM", "F-LSTM", "H-LSTM"}
    **params
        Tokenizer parameters that override the recipe's (``min_freq``,
        ``max_turns`` for H-LSTM) or add to it (``tokenizer``,
        ``vocabulary``, ``max_vocab``).

    Examples
    --------
    >>> from sklearn_emoji._vocabulary import recipe_steps
    >>> flatten, tokens = recipe_steps("F-LSTM")
    >>> flatten.turns, tokens.max_len, tokens.min_freq
    ('all', 200, 2)
    """
    from .preprocessing import DialogueFlattener, HierarchicalTokenizer, SequenceTokenizer

    if method not in LSTM_RECIPES:
        raise ValueError(f"method must be one of {list(LSTM_RECIPES)}, got {method!r}")
    r = LSTM_RECIPES[method]
    if r.turns is None:
        params = {"max_turns": r.max_turns, "min_freq": r.min_freq, **params}
        return None, HierarchicalTokenizer(max_len=r.max_len, **params)
    params = {"min_freq": r.min_freq, **params}
    return DialogueFlattener(turns=r.turns), SequenceTokenizer(max_len=r.max_len, **params)
