"""Transformers that turn dialogues into model inputs.

* :class:`DialogueFlattener` -- dialogues to one string each (the reply alone,
  as the S- models of Xie et al. see it, or all turns joined, as the F- models
  see it).
* :class:`SequenceTokenizer` -- strings to a ``(n_samples, max_len)`` array of
  word ids, for S-LSTM and F-LSTM.
* :class:`HierarchicalTokenizer` -- dialogues to a
  ``(n_samples, max_turns, max_len)`` array of word ids, for H-LSTM.

Id conventions: 0 is padding, 1 is out-of-vocabulary (OOV), real words start
at 2, ordered by decreasing training frequency (ties by first appearance), so
every id is below ``vocab_size_``; ``inverse_transform`` refuses any other id.
``fit_transform`` tokenizes each text once.
Tokens are left-aligned with zeros after them, so the length of a sequence is
``(row != 0).sum()``. An empty text (for instance a Weibo reply that held only
an emoji, removed in preprocessing) is encoded as one OOV id, so every present
text and every present turn has a length of at least one. In hierarchical
arrays turns are left-aligned too: row 0 is the oldest turn kept, the reply is
row ``n_turns - 1`` and all-zero rows follow, so the number of turns is
``X.any(axis=-1).sum(axis=-1)``.
"""

from __future__ import annotations

import warnings
from collections import Counter
from itertools import chain
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._compat import Hidden, Interval, StrOptions, _fit_context
from ._options import TOKENIZER_NAMES, TRUNCATINGS, TURN_MODES
from ._validation import check_dialogues, check_texts, check_y_length
from ._vocabulary import (
    OOV_ID,  # noqa: F401 - importable from here, as the comment below says
    OOV_TOKEN,
    PAD_ID,
    PAD_TOKEN,
    build_vocabulary,
    check_vocabulary,
    encode_ids,
    flatten_dialogues,
    hierarchy_rows,
    vocab_size,
)
from .text import tokenize_many

__all__ = ["DialogueFlattener", "SequenceTokenizer", "HierarchicalTokenizer"]

# The id contract (0 padding, 1 OOV, real tokens from 2, how a vocabulary is
# built and checked) is stated in _vocabulary; PAD_ID and OOV_ID stay
# importable from here.


class DialogueFlattener(TransformerMixin, BaseEstimator):
    """Turn each dialogue into one string.

    ``turns="reply"`` keeps the last turn only (the input of S-BOW and S-LSTM
    in Xie et al., 2016); ``turns="all"`` joins every turn, oldest first, with
    ``sep`` between turns (the input of F-BOW and F-LSTM).

    Parameters
    ----------
    turns : {"all", "reply"}, default="all"
        Which turns to keep; the same name and values as ``turns`` of
        :class:`~sklearn_emoji.lexicon.LexiconEmojiRecommender`.
    sep : str, default=" | "
        Separator written between turns when ``turns="all"``. The default
        becomes one punctuation token for :func:`sklearn_emoji.text.tokenize`,
        so sequence models can see where a turn ends.
    max_turns : int or None, default=None
        Keep at most this many most recent turns (``None``: all).
    mode : {"all", "reply"}, default="deprecated"
        The old name of ``turns``. When given, it is used and ``turns`` must
        be left at its default or have the same value.

        .. deprecated:: 0.2
           ``mode`` was renamed ``turns`` in 0.2 and will be removed in 0.3.

    Attributes
    ----------
    n_features_in_ : int
        Always 1 (one dialogue per sample).

    Examples
    --------
    >>> from sklearn_emoji.preprocessing import DialogueFlattener
    >>> X = [["去哪吃", "好呀好呀你啥时候有空"], "just a tweet"]
    >>> DialogueFlattener(turns="all").fit_transform(X)
    ['去哪吃 | 好呀好呀你啥时候有空', 'just a tweet']
    >>> DialogueFlattener(turns="reply").fit_transform(X)
    ['好呀好呀你啥时候有空', 'just a tweet']
    """

    _parameter_constraints = {
        "turns": [StrOptions(set(TURN_MODES))],
        "sep": [str],
        "max_turns": [Interval(Integral, 1, None, closed="left"), None],
        "mode": [StrOptions(set(TURN_MODES)), Hidden(StrOptions({"deprecated"}))],
    }

    def __init__(self, turns="all", sep=" | ", max_turns=None, mode="deprecated"):
        self.turns = turns
        self.sep = sep
        self.max_turns = max_turns
        self.mode = mode

    def _chosen_turns(self):
        """``"all"`` or ``"reply"``: ``turns``, or the deprecated ``mode`` when it is given."""
        if self.mode == "deprecated":
            return self.turns
        if self.turns not in ("all", self.mode):
            raise ValueError(
                f"DialogueFlattener got mode={self.mode!r} and turns={self.turns!r}: `mode` is the deprecated "
                "old name of `turns`; pass only turns."
            )
        return self.mode

    def __setstate__(self, state):
        # Flatteners pickled before the rename (sklearn-emoji 0.1) hold `mode` only.
        if "turns" not in state:
            state = {**state, "turns": state.get("mode", "all"), "mode": "deprecated"}
        super().__setstate__(state)

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
        turns = self._chosen_turns()  # refuses two different values before any work
        if self.mode != "deprecated":
            warnings.warn(
                "The `mode` parameter of DialogueFlattener was renamed `turns` in 0.2 and will be removed "
                f"in 0.3; use DialogueFlattener(turns={turns!r}).",
                FutureWarning,
                stacklevel=2,
            )
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
        return flatten_dialogues(check_dialogues(X), self._chosen_turns(), self.sep, self.max_turns)

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
        # requires_fit stays True: transform raises NotFittedError before fit,
        # which validates the parameters (as every estimator here does).
        return tags


class _BaseTokenizer(TransformerMixin, BaseEstimator):
    _parameter_constraints = {
        "max_len": [Interval(Integral, 1, None, closed="left")],
        "min_freq": [Interval(Integral, 1, None, closed="left")],
        "max_vocab": [Interval(Integral, 1, None, closed="left"), None],
        "truncating": [StrOptions(set(TRUNCATINGS))],
        "tokenizer": [callable, StrOptions(set(TOKENIZER_NAMES)), None],
        # joblib's meaning: 1, 2, ... processes, -1 all cores, -2 all but one; 0 means nothing
        "n_jobs": [Interval(Integral, 1, None, closed="left"), Interval(Integral, None, -1, closed="right"), None],
        "vocabulary": "no_validation",  # checked by _fixed_vocabulary
        "extend_vocabulary": [Interval(Integral, 0, None, closed="left")],
    }

    def _learns_tokens(self):
        """Whether ``fit`` needs the tokens of X: a learned vocabulary, or a fixed one to extend."""
        return self.vocabulary is None or self.extend_vocabulary > 0

    def _fixed_vocabulary(self):
        """The vocabulary given as a parameter (a dict or a pre-trained encoder), checked."""
        return check_vocabulary(self.vocabulary)

    def _set_vocabulary(self, vocab, counts):
        self.vocabulary_ = dict(vocab)
        self.token_counts_ = counts
        id_to_token = [PAD_TOKEN, OOV_TOKEN] + [None] * len(vocab)
        for tok, i in vocab.items():
            id_to_token[i] = tok
        self._id_to_token = np.asarray(id_to_token, dtype=object)

    def _fit_vocabulary(self, token_lists):
        fixed = None if self.vocabulary is None else self._fixed_vocabulary()
        if token_lists is None:  # fixed vocabulary, not extended
            self._set_vocabulary(fixed, {})
            self.extended_tokens_ = []
            return
        # Counter keeps first-appearance order; counting the chained tokens runs in C.
        counts = Counter(chain.from_iterable(token_lists))
        if fixed is not None:
            # torchMoji's extend_embedding: the most frequent new tokens take the ids after the fixed ones.
            vocab, kept = build_vocabulary(counts, self.min_freq, self.extend_vocabulary, base=fixed)
            self._set_vocabulary(vocab, kept)
            self.extended_tokens_ = list(kept)
            return
        self._set_vocabulary(*build_vocabulary(counts, self.min_freq, self.max_vocab))
        self.extended_tokens_ = []

    def _encode(self, token_lists, out, rows):
        """Write the ids of ``token_lists[i]`` into row ``rows[i]`` of the 2-D ``out`` (see ``encode_ids``)."""
        encode_ids(token_lists, self.vocabulary_, out, rows, self.max_len, self.truncating)

    def _check_ids(self, X):
        """Refuse ids that no token has (so they cannot be read back as a real word)."""
        X = np.asarray(X)
        if not np.issubdtype(X.dtype, np.integer):
            if X.size and not (np.issubdtype(X.dtype, np.floating) and np.all(np.mod(X, 1) == 0)):
                raise ValueError(f"X must hold integer word ids, got dtype {X.dtype}")
            X = X.astype(np.int64)
        bad = (X < 0) | (X >= self.vocab_size_)
        if bad.any():
            raise ValueError(
                f"X holds {int(bad.sum())} ids outside this tokenizer's vocabulary (0 to {self.vocab_size_ - 1}), "
                f"e.g. {X[bad][0]}; were they made by another tokenizer?"
            )
        return X

    def decode_row(self, row):
        """The tokens of one row of ids (one text, or one turn of a hierarchy), padding left out.

        Parameters
        ----------
        row : 1-D array of int
            Ids made by this tokenizer.

        Returns
        -------
        list of str
        """
        return [str(t) for t in self._id_to_token[row[row != PAD_ID]]]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Learn the vocabulary of ``X`` and encode ``X``, tokenizing each text once.

        Equal to ``fit(X, y).transform(X)``, at the cost of one tokenization.

        Parameters
        ----------
        X : list of str or list of dialogues
            As for :meth:`fit`.
        y : array-like or None
            Ignored, but its length must match ``X`` when given.

        Returns
        -------
        ndarray of int64
            As :meth:`transform` returns.
        """
        return self._encoded(*self._fit_tokens(X, y))

    @property
    def vocab_size_(self):
        """Number of ids, padding and OOV included (an embedding's size)."""
        check_is_fitted(self, "vocabulary_")
        return vocab_size(self.vocabulary_)

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
    tokenizer : callable, {"words", "chars"} or None, default=None
        ``str -> sequence of str``, or a name; resolved by
        :func:`sklearn_emoji.text.get_tokenizer` (``None``:
        :func:`~sklearn_emoji.text.cached_tokenize`, whose memory is shared
        across fits).
    n_jobs : int or None, default=None
        Tokenize in parallel (forked workers on Linux, joblib elsewhere)
        when there is enough text to gain from it (see
        :func:`sklearn_emoji.text.tokenize_many`).
    vocabulary : dict, PretrainedEncoder or None, default=None
        A fixed vocabulary (token -> id, ids ``2 .. n + 1``) or a pre-trained
        encoder whose vocabulary to use (like ``TfidfVectorizer(vocabulary=
        ...)``): ``fit`` learns no words, so the ids are the encoder's.
        ``max_vocab`` is then ignored.
    extend_vocabulary : int, default=0
        With a fixed ``vocabulary``: add up to this many tokens of the fit
        data that it lacks (the most frequent first, each seen at least
        ``min_freq`` times) with the ids after the fixed ones, as torchMoji's
        ``extend_embedding`` does when fine-tuning; the classifier then
        needs ``extend_embedding=True`` to give them new embedding rows.
        ``0``: the vocabulary stays as given (new tokens are OOV).

    Attributes
    ----------
    vocabulary_ : dict
        Token to id (ids start at 2).
    token_counts_ : dict
        Training frequency of each kept token (with a fixed vocabulary: of
        each token added to it).
    extended_tokens_ : list of str
        The tokens that ``extend_vocabulary`` added, in id order.
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
        self,
        max_len=50,
        min_freq=1,
        max_vocab=None,
        truncating="pre",
        tokenizer=None,
        n_jobs=None,
        vocabulary=None,
        extend_vocabulary=0,
    ):
        self.max_len = max_len
        self.min_freq = min_freq
        self.max_vocab = max_vocab
        self.truncating = truncating
        self.tokenizer = tokenizer
        self.n_jobs = n_jobs
        self.vocabulary = vocabulary
        self.extend_vocabulary = extend_vocabulary

    @_fit_context(prefer_skip_nested_validation=True)
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
        self._fit_tokens(X, y)
        return self

    def _fit_tokens(self, X, y):
        texts = check_texts(X, allow_empty=True)
        check_y_length(y, len(texts))
        tokens = tokenize_many(texts, self.tokenizer, self.n_jobs) if self._learns_tokens() else None
        self._fit_vocabulary(tokens)
        self.n_features_in_ = 1
        return texts, tokens

    def _encoded(self, texts, tokens=None):
        if tokens is None:
            tokens = tokenize_many(texts, self.tokenizer, self.n_jobs)
        out = np.zeros((len(texts), self.max_len), dtype=np.int64)
        self._encode(tokens, out, np.arange(len(texts)))
        return out

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
        return self._encoded(check_texts(X, allow_empty=True))

    def inverse_transform(self, X):
        """Map word ids back to tokens (padding dropped, OOV as ``"<unk>"``).

        Parameters
        ----------
        X : array-like of shape (n_samples, max_len)
            Ids from :meth:`transform`. An id outside ``0 .. vocab_size_ - 1``
            is refused with a ``ValueError`` (it has no token; it was made by
            another tokenizer), never read back as some other word.

        Returns
        -------
        list of list of str
        """
        check_is_fitted(self, "vocabulary_")
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"expected a 2-D array of word ids, got shape {X.shape}")
        X = self._check_ids(X)
        return [self.decode_row(row) for row in X]


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
    tokenizer : callable, {"words", "chars"} or None, default=None
        ``str -> sequence of str``, or a name; resolved by
        :func:`sklearn_emoji.text.get_tokenizer` (``None``:
        :func:`~sklearn_emoji.text.cached_tokenize`).
    n_jobs : int or None, default=None
        Tokenize in parallel (forked workers on Linux, joblib elsewhere)
        when there is enough text to gain from it (see
        :func:`sklearn_emoji.text.tokenize_many`).
    vocabulary : dict, PretrainedEncoder or None, default=None
        A fixed vocabulary (token -> id, ids ``2 .. n + 1``) or a pre-trained
        encoder whose vocabulary to use (like ``TfidfVectorizer(vocabulary=
        ...)``): ``fit`` learns no words, so the ids are the encoder's.
        ``max_vocab`` is then ignored.
    extend_vocabulary : int, default=0
        With a fixed ``vocabulary``: add up to this many tokens of the fit
        data that it lacks (the most frequent first, each seen at least
        ``min_freq`` times) with the ids after the fixed ones, as torchMoji's
        ``extend_embedding`` does when fine-tuning; the classifier then
        needs ``extend_embedding=True`` to give them new embedding rows.
        ``0``: the vocabulary stays as given (new tokens are OOV).

    Attributes
    ----------
    vocabulary_ : dict
        Token to id (ids start at 2).
    token_counts_ : dict
        Training frequency of each kept token (with a fixed vocabulary: of
        each token added to it).
    extended_tokens_ : list of str
        The tokens that ``extend_vocabulary`` added, in id order.
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
        extend_vocabulary=0,
    ):
        self.max_turns = max_turns
        self.max_len = max_len
        self.min_freq = min_freq
        self.max_vocab = max_vocab
        self.truncating = truncating
        self.tokenizer = tokenizer
        self.n_jobs = n_jobs
        self.vocabulary = vocabulary
        self.extend_vocabulary = extend_vocabulary

    def _kept_turns(self, X):
        """The turns kept (the most recent ``max_turns``), flat, and each one's row in a 2-D view of the output."""
        return hierarchy_rows(check_dialogues(X), self.max_turns)

    def _encoded(self, n, turns, rows, tokens=None):
        if tokens is None:
            tokens = tokenize_many(turns, self.tokenizer, self.n_jobs)
        out = np.zeros((n, self.max_turns, self.max_len), dtype=np.int64)
        self._encode(tokens, out.reshape(-1, self.max_len), rows)
        return out

    def _fit_tokens(self, X, y):
        dialogues, turns, rows = self._kept_turns(X)
        check_y_length(y, len(dialogues))
        tokens = tokenize_many(turns, self.tokenizer, self.n_jobs) if self._learns_tokens() else None
        self._fit_vocabulary(tokens)
        self.n_features_in_ = 1
        return len(dialogues), turns, rows, tokens

    @_fit_context(prefer_skip_nested_validation=True)
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
        self._fit_tokens(X, y)
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
        dialogues, turns, rows = self._kept_turns(X)
        return self._encoded(len(dialogues), turns, rows)

    def inverse_transform(self, X):
        """Map word ids back to turns of tokens (padding turns dropped).

        Parameters
        ----------
        X : array-like of shape (n_samples, max_turns, max_len)
            Ids from :meth:`transform`; an id outside ``0 .. vocab_size_ - 1``
            is refused with a ``ValueError``.

        Returns
        -------
        list of list of list of str
        """
        check_is_fitted(self, "vocabulary_")
        X = np.asarray(X)
        if X.ndim != 3:
            raise ValueError(f"expected a 3-D array (n_samples, max_turns, max_len), got shape {X.shape}")
        X = self._check_ids(X)
        return [[self.decode_row(turn) for turn in d if turn.any()] for d in X]
