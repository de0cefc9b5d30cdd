"""Transformers that turn dialogues into model inputs.

* :class:`DialogueFlattener` -- dialogues to one string each (the reply alone,
  as the S- models of Xie et al. see it, or all turns joined, as the F- models
  see it).
* :class:`SequenceTokenizer` -- strings to a ``(n_samples, max_len)`` array of
  word ids, for S-LSTM and F-LSTM.
* :class:`HierarchicalTokenizer` -- dialogues to a
  ``(n_samples, max_turns, max_len)`` array of word ids, for H-LSTM.

Id conventions: 0 is padding, 1 is out-of-vocabulary (OOV), real words start
at 2, ordered by decreasing training frequency (ties by first appearance).
Tokens are left-aligned with zeros after them, so the length of a sequence is
``(row != 0).sum()``. An empty text (for instance a Weibo reply that held only
an emoji, removed in preprocessing) is encoded as one OOV id, so every present
text and every present turn has a length of at least one. In hierarchical
arrays turns are left-aligned too: row 0 is the oldest turn kept, the reply is
row ``n_turns - 1`` and all-zero rows follow, so the number of turns is
``X.any(axis=-1).sum(axis=-1)``.
"""

from __future__ import annotations

from collections import Counter
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._validation import check_dialogues, check_texts, check_y_length
from .text import cached_tokenize, tokenize

__all__ = ["DialogueFlattener", "SequenceTokenizer", "HierarchicalTokenizer"]

PAD_ID = 0
OOV_ID = 1
OOV_TOKEN = "<unk>"
PAD_TOKEN = "<pad>"


def _tokenize_many(texts, tokenizer, n_jobs):
    func = cached_tokenize if tokenizer is None else tokenizer
    if n_jobs in (None, 1) or len(texts) < 2000:
        return [list(func(t)) for t in texts]
    chunks = np.array_split(np.arange(len(texts)), 4 * max(1, abs(int(n_jobs))))
    parts = Parallel(n_jobs=n_jobs)(
        delayed(_tokenize_chunk)([texts[i] for i in idx], tokenizer) for idx in chunks if len(idx)
    )
    return [toks for part in parts for toks in part]


def _tokenize_chunk(texts, tokenizer):
    func = tokenize if tokenizer is None else tokenizer
    return [list(func(t)) for t in texts]


class DialogueFlattener(TransformerMixin, BaseEstimator):
    """Turn each dialogue into one string.

    ``mode="reply"`` keeps the last turn only (the input of S-BOW and S-LSTM
    in Xie et al., 2016); ``mode="all"`` joins every turn, oldest first, with
    ``sep`` between turns (the input of F-BOW and F-LSTM).

    Parameters
    ----------
    mode : {"all", "reply"}, default="all"
        Which turns to keep.
    sep : str, default=" | "
        Separator written between turns when ``mode="all"``. The default
        becomes one punctuation token for :func:`sklearn_emoji.text.tokenize`,
        so sequence models can see where a turn ends.
    max_turns : int or None, default=None
        Keep at most this many most recent turns (``None``: all).

    Attributes
    ----------
    n_features_in_ : int
        Always 1 (one dialogue per sample).

    Examples
    --------
    >>> from sklearn_emoji.preprocessing import DialogueFlattener
    >>> X = [["去哪吃", "好呀好呀你啥时候有空"], "just a tweet"]
    >>> DialogueFlattener(mode="all").fit_transform(X)
    ['去哪吃 | 好呀好呀你啥时候有空', 'just a tweet']
    >>> DialogueFlattener(mode="reply").fit_transform(X)
    ['好呀好呀你啥时候有空', 'just a tweet']
    """

    _parameter_constraints = {
        "mode": [StrOptions({"all", "reply"})],
        "sep": [str],
        "max_turns": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, mode="all", sep=" | ", max_turns=None):
        self.mode = mode
        self.sep = sep
        self.max_turns = max_turns

    def fit(self, X, y=None):
        """Validate the parameters and ``X``; nothing is learned.

        Parameters
        ----------
        X : list of dialogues
            Each a str or a sequence of str turns.
        y : array-like or None
            Ignored, but its length must match ``X`` when given.

        Returns
        -------
        self : DialogueFlattener
        """
        self._validate_params()
        check_y_length(y, len(check_dialogues(X)))
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        """Flatten each dialogue.

        Parameters
        ----------
        X : list of dialogues

        Returns
        -------
        list of str
        """
        check_is_fitted(self, "n_features_in_")
        dialogues = check_dialogues(X)
        if self.mode == "reply":
            return [d[-1] for d in dialogues]
        if self.max_turns is not None:
            dialogues = [d[-self.max_turns :] for d in dialogues]
        return [self.sep.join(t for t in d if t.strip()) for d in dialogues]

    def get_feature_names_out(self, input_features=None):
        """Name of the single output column.

        Returns
        -------
        ndarray of str
        """
        return np.asarray(["text"], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags


class _BaseTokenizer(TransformerMixin, BaseEstimator):
    _parameter_constraints = {
        "max_len": [Interval(Integral, 1, None, closed="left")],
        "min_freq": [Interval(Integral, 1, None, closed="left")],
        "max_vocab": [Interval(Integral, 1, None, closed="left"), None],
        "truncating": [StrOptions({"pre", "post"})],
        "tokenizer": [callable, None],
        "n_jobs": [Integral, None],
        "vocabulary": "no_validation",  # checked by _fixed_vocabulary
    }

    def _fixed_vocabulary(self):
        """The vocabulary given as a parameter (a dict or a pre-trained encoder)."""
        vocab = self.vocabulary
        if not isinstance(vocab, dict):
            if not isinstance(getattr(vocab, "vocabulary", None), dict):
                raise TypeError(
                    "vocabulary must be None, a dict of token -> id or a pre-trained encoder "
                    f"(with a .vocabulary dict), got {type(vocab).__name__}"
                )
            vocab = vocab.vocabulary
        ids = sorted(vocab.values())
        if ids != list(range(2, len(ids) + 2)) or not all(isinstance(t, str) for t in vocab):
            raise ValueError(
                "vocabulary must map str tokens to the ids 2, 3, ..., len(vocabulary) + 1 (0 is padding and 1 is OOV)"
            )
        return vocab

    def _set_vocabulary(self, vocab, counts):
        self.vocabulary_ = dict(vocab)
        self.token_counts_ = counts
        id_to_token = [PAD_TOKEN, OOV_TOKEN] + [None] * len(vocab)
        for tok, i in vocab.items():
            id_to_token[i] = tok
        self._id_to_token = np.asarray(id_to_token, dtype=object)

    def _fit_vocabulary(self, token_lists):
        if self.vocabulary is not None:
            self._set_vocabulary(self._fixed_vocabulary(), {})
            return
        counts = Counter()
        for toks in token_lists:
            counts.update(toks)
        items = [(tok, c) for tok, c in counts.items() if c >= self.min_freq]
        # Counter keeps first-appearance order, and sorted() is stable.
        items.sort(key=lambda tc: -tc[1])
        if self.max_vocab is not None:
            items = items[: self.max_vocab]
        self._set_vocabulary({tok: i + 2 for i, (tok, _) in enumerate(items)}, dict(items))

    def _encode(self, tokens, out_row):
        vocab = self.vocabulary_
        ids = [vocab.get(t, OOV_ID) for t in tokens] or [OOV_ID]
        if len(ids) > self.max_len:
            ids = ids[-self.max_len :] if self.truncating == "pre" else ids[: self.max_len]
        out_row[: len(ids)] = ids

    def _decode(self, row):
        row = np.asarray(row)
        return [str(t) for t in self._id_to_token[np.clip(row[row != PAD_ID], 0, len(self._id_to_token) - 1)]]

    @property
    def vocab_size_(self):
        """Number of ids, padding and OOV included (an embedding's size)."""
        check_is_fitted(self, "vocabulary_")
        return len(self.vocabulary_) + 2

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


class SequenceTokenizer(_BaseTokenizer):
    """Map texts to fixed-length arrays of word ids.

    Parameters
    ----------
    max_len : int, default=50
        Length of each output row (the paper caps turns at 50 words; use 200
        for four flattened turns).
    min_freq : int, default=1
        Words seen fewer times in ``fit`` are out-of-vocabulary (id 1).
    max_vocab : int or None, default=None
        Keep at most this many most frequent words.
    truncating : {"pre", "post"}, default="pre"
        Which end to cut a text longer than ``max_len`` from: ``"pre"`` keeps
        the last ``max_len`` tokens (the words nearest the reply).
    tokenizer : callable or None, default=None
        ``str -> list of str``; ``None`` uses
        :func:`sklearn_emoji.text.tokenize` (with a cache shared across fits).
    n_jobs : int or None, default=None
        Tokenize in parallel with joblib when there are many texts.
    vocabulary : dict, PretrainedEncoder or None, default=None
        A fixed vocabulary (token -> id, ids ``2 .. n + 1``) or a pre-trained
        encoder whose vocabulary to use (like ``TfidfVectorizer(vocabulary=
        ...)``): ``fit`` learns no words, so the ids are the encoder's.
        ``min_freq`` and ``max_vocab`` are then ignored.

    Attributes
    ----------
    vocabulary_ : dict
        Token to id (ids start at 2).
    token_counts_ : dict
        Training frequency of each kept token.
    vocab_size_ : int
        Number of ids including padding and OOV.
    n_features_in_ : int
        Always 1.

    Examples
    --------
    >>> from sklearn_emoji.preprocessing import SequenceTokenizer
    >>> tok = SequenceTokenizer(max_len=5).fit(["good good day", "bad day"])
    >>> tok.transform(["good day", "a very good bad day indeed"])
    array([[2, 3, 0, 0, 0],
           [1, 2, 4, 3, 1]])
    >>> tok.inverse_transform(tok.transform(["good night"]))
    [['good', '<unk>']]
    """

    def __init__(
        self, max_len=50, min_freq=1, max_vocab=None, truncating="pre", tokenizer=None, n_jobs=None, vocabulary=None
    ):
        self.max_len = max_len
        self.min_freq = min_freq
        self.max_vocab = max_vocab
        self.truncating = truncating
        self.tokenizer = tokenizer
        self.n_jobs = n_jobs
        self.vocabulary = vocabulary

    def fit(self, X, y=None):
        """Learn the vocabulary of ``X``.

        Parameters
        ----------
        X : list of str
            Texts (a dialogue given here has its turns joined by a space).
            Empty texts are accepted and encoded as one OOV id: they are
            what :class:`DialogueFlattener` gives for an emoji-only reply.
        y : array-like or None
            Ignored, but its length must match ``X`` when given.

        Returns
        -------
        self : SequenceTokenizer
        """
        self._validate_params()
        texts = check_texts(X, allow_empty=True)
        check_y_length(y, len(texts))
        self._fit_vocabulary(() if self.vocabulary is not None else _tokenize_many(texts, self.tokenizer, self.n_jobs))
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        """Encode ``X`` as word ids.

        Parameters
        ----------
        X : list of str

        Returns
        -------
        ndarray of shape (n_samples, max_len), dtype int64
        """
        check_is_fitted(self, "vocabulary_")
        texts = check_texts(X, allow_empty=True)
        out = np.zeros((len(texts), self.max_len), dtype=np.int64)
        for i, toks in enumerate(_tokenize_many(texts, self.tokenizer, self.n_jobs)):
            self._encode(toks, out[i])
        return out

    def inverse_transform(self, X):
        """Map word ids back to tokens (padding dropped, OOV as ``"<unk>"``).

        Parameters
        ----------
        X : array-like of shape (n_samples, max_len)

        Returns
        -------
        list of list of str
        """
        check_is_fitted(self, "vocabulary_")
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"expected a 2-D array of word ids, got shape {X.shape}")
        return [self._decode(row) for row in X]


class HierarchicalTokenizer(_BaseTokenizer):
    """Map dialogues to ``(n_samples, max_turns, max_len)`` arrays of word ids.

    The input of the hierarchical LSTM of Xie et al. (2016): one row of word
    ids per turn. When a dialogue has more than ``max_turns`` turns, the most
    recent ones are kept (the reply always is).

    Parameters
    ----------
    max_turns : int, default=4
        Turns per dialogue (the paper keeps at most 4).
    max_len : int, default=50
        Words per turn (the paper keeps at most 50).
    min_freq : int, default=1
        Words seen fewer times in ``fit`` are out-of-vocabulary (id 1).
    max_vocab : int or None, default=None
        Keep at most this many most frequent words.
    truncating : {"pre", "post"}, default="pre"
        Which end of a too-long turn to cut; ``"pre"`` keeps its last words.
    tokenizer : callable or None, default=None
        ``str -> list of str``; ``None`` uses :func:`sklearn_emoji.text.tokenize`.
    n_jobs : int or None, default=None
        Tokenize in parallel with joblib when there are many turns.
    vocabulary : dict, PretrainedEncoder or None, default=None
        A fixed vocabulary (token -> id, ids ``2 .. n + 1``) or a pre-trained
        encoder whose vocabulary to use (like ``TfidfVectorizer(vocabulary=
        ...)``): ``fit`` learns no words, so the ids are the encoder's.
        ``min_freq`` and ``max_vocab`` are then ignored.

    Attributes
    ----------
    vocabulary_ : dict
        Token to id (ids start at 2).
    token_counts_ : dict
        Training frequency of each kept token.
    vocab_size_ : int
        Number of ids including padding and OOV.
    n_features_in_ : int
        Always 1.

    Examples
    --------
    >>> from sklearn_emoji.preprocessing import HierarchicalTokenizer
    >>> X = [["how are you", "fine"], ["you ok", "fine thanks", "great"]]
    >>> tok = HierarchicalTokenizer(max_turns=2, max_len=3).fit(X)
    >>> tok.transform(X).shape
    (2, 2, 3)
    >>> tok.inverse_transform(tok.transform(X))[1]
    [['fine', 'thanks'], ['great']]
    """

    _parameter_constraints = {
        **_BaseTokenizer._parameter_constraints,
        "max_turns": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        max_turns=4,
        max_len=50,
        min_freq=1,
        max_vocab=None,
        truncating="pre",
        tokenizer=None,
        n_jobs=None,
        vocabulary=None,
    ):
        self.max_turns = max_turns
        self.max_len = max_len
        self.min_freq = min_freq
        self.max_vocab = max_vocab
        self.truncating = truncating
        self.tokenizer = tokenizer
        self.n_jobs = n_jobs
        self.vocabulary = vocabulary

    def _tokenized_turns(self, X):
        dialogues = [d[-self.max_turns :] for d in check_dialogues(X)]
        flat = [t for d in dialogues for t in d]
        toks = _tokenize_many(flat, self.tokenizer, self.n_jobs)
        out, pos = [], 0
        for d in dialogues:
            out.append(toks[pos : pos + len(d)])
            pos += len(d)
        return out

    def fit(self, X, y=None):
        """Learn the vocabulary of every turn of ``X``.

        Parameters
        ----------
        X : list of dialogues
        y : array-like or None
            Ignored, but its length must match ``X`` when given.

        Returns
        -------
        self : HierarchicalTokenizer
        """
        self._validate_params()
        if self.vocabulary is not None:
            n = len(check_dialogues(X))
            check_y_length(y, n)
            self._fit_vocabulary(())
        else:
            turns = self._tokenized_turns(X)
            check_y_length(y, len(turns))
            self._fit_vocabulary(t for d in turns for t in d)
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        """Encode each turn of each dialogue as word ids.

        Parameters
        ----------
        X : list of dialogues

        Returns
        -------
        ndarray of shape (n_samples, max_turns, max_len), dtype int64
        """
        check_is_fitted(self, "vocabulary_")
        dialogues = self._tokenized_turns(X)
        out = np.zeros((len(dialogues), self.max_turns, self.max_len), dtype=np.int64)
        for i, turns in enumerate(dialogues):
            for j, toks in enumerate(turns):
                self._encode(toks, out[i, j])
        return out

    def inverse_transform(self, X):
        """Map word ids back to turns of tokens (padding turns dropped).

        Parameters
        ----------
        X : array-like of shape (n_samples, max_turns, max_len)

        Returns
        -------
        list of list of list of str
        """
        check_is_fitted(self, "vocabulary_")
        X = np.asarray(X)
        if X.ndim != 3:
            raise ValueError(f"expected a 3-D array (n_samples, max_turns, max_len), got shape {X.shape}")
        return [[self._decode(turn) for turn in d if turn.any()] for d in X]
