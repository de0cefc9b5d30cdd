"""What both lexicon estimators share: parameters, their checks, and learning.

Learning is a function of the stored state and the new texts
(:meth:`_LexiconBase._learn`) that returns the next state; the estimator
stores it only once everything has succeeded, so an error in ``fit`` or
``partial_fit`` leaves a fitted estimator as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, InvalidParameterError, StrOptions
from .._options import TOKENIZER_NAMES, TURN_MODES
from .._validation import check_emoji_targets
from ..text import get_tokenizer
from ._build import Lexicon, LexiconParams, build_lexicon
from ._encoding import Vocabulary, encode, tokenize_dialogues
from ._report import lexicon_rows
from ._scoring import Scorer
from ._statistics import Statistics

_NON_NEGATIVE = [Interval(Real, 0, None, closed="left")]

_PARAM_DOC = """
    tokenizer : callable, {"words", "chars"} or None, default=None
        Splits one turn into tokens: a callable, a name of
        :data:`sklearn_emoji.text.TOKENIZERS`, or ``None`` for the library's
        default (:func:`sklearn_emoji.text.get_tokenizer`: jieba words for
        Chinese, a regex for the rest, with a memory shared by every
        estimator).
    turns : {"all", "reply"}, default="all"
        Use every turn of a dialogue or the reply (last turn) only. Weibo
        replies are often empty once emojis are removed, so the context
        matters there.
    seed_keywords : dict, default=None
        ``{emoji: keyword or list of keywords}`` forced into the emoji's
        lexicon with the emoji's largest keyword weight. Without a seed the
        strongest TF-IDF keyword is the seed.
    n_keywords : int, default=None
        Keywords kept per emoji, the strongest by TF-IDF; ``None`` keeps
        every token with a positive association.
    weighting : {"lift", "tfidf"}, default="lift"
        Weight of a lexicon entry: the smoothed log-lift
        ``log P(emoji|term)/P(emoji)`` or the term's TF-IDF in the emoji's
        texts (the literal reading of the paper).
    min_df : int, default=2
        Least number of training texts of an emoji a term must occur in to
        be one of its keywords (or phrases).
    smoothing : float, default=5.0
        Pseudo-texts shrinking ``P(emoji|term)`` towards ``P(emoji)``.
    max_iter : int, default=3
        Cap on the enrichment iterations (0 disables siblings).
    n_siblings : int, default=50
        New siblings per emoji and iteration, at most.
    sibling_decay : float, default=0.5
        A sibling's weight is this factor times its environment score.
    min_sibling_weight : float, default=0.1
        Least environment score (the similarity-weighted average lexicon
        weight of the tokens sharing its environment pairs) of a sibling.
    granularity : float, default=0.5
        Multiplier of the bi-gram and tri-gram weights (0 disables them).
    multiplication_keys : None, "default" or list of str, default=None
        Candidate multiplication keys: every token (``None``), the
        built-in :data:`DEFAULT_MULTIPLICATION_KEYS`, or a given list.
    min_multiplication_support : int, default=20
        Least number of texts with the emoji and the key.
    multiplication_threshold : float, default=1.0
        Least excess of a key's average count over the emoji's base count.
    multiplication_smoothing : float, default=20.0
        Pseudo-texts shrinking a key's average count for one emoji towards
        its average over all emojis (collaborative weighting). The defaults
        are conservative: on Weibo replies, counts are hard to predict and
        looser settings (support 10, smoothing 10, threshold 0.5) predict
        more repeats but get fewer counts right than the emoji's mode."""


@dataclass(frozen=True)
class _State:
    """Everything a fitted lexicon estimator learned (emojis in first-seen order)."""

    vocab: Vocabulary
    stats: Statistics
    classes: tuple
    seed_pairs: list | None
    lexicon: Lexicon
    scorer: Scorer


class _LexiconBase(BaseEstimator):
    """Parameters, their checks and learning, shared by both estimators."""

    _parameter_constraints = {
        "tokenizer": [callable, StrOptions(set(TOKENIZER_NAMES)), None],
        "turns": [StrOptions(set(TURN_MODES))],
        "seed_keywords": [Mapping, None],
        "n_keywords": [Interval(Integral, 1, None, closed="left"), None],
        "weighting": [StrOptions({"lift", "tfidf"})],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "smoothing": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "n_siblings": [Interval(Integral, 0, None, closed="left")],
        "sibling_decay": _NON_NEGATIVE,
        "min_sibling_weight": _NON_NEGATIVE,
        "granularity": _NON_NEGATIVE,
        "multiplication_keys": [StrOptions({"default"}), "array-like", None],
        "min_multiplication_support": [Interval(Integral, 1, None, closed="left")],
        "multiplication_threshold": _NON_NEGATIVE,
        "multiplication_smoothing": _NON_NEGATIVE,
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    # ---------------------------------------------------------------- checks
    def _check_list_params(self):
        """What the constraint tables cannot say: the items of the two list parameters."""
        for e, kws in (self.seed_keywords or {}).items():
            kws = [kws] if isinstance(kws, str) else kws
            if not isinstance(kws, (list, tuple)) or not all(isinstance(k, str) for k in kws):
                raise InvalidParameterError(
                    f"seed_keywords must map each emoji to a keyword (str) or a list of them; got {kws!r} for {e!r}"
                )
        mk = self.multiplication_keys
        if mk is not None and mk != "default" and not all(isinstance(t, str) for t in mk):
            raise InvalidParameterError(f"multiplication_keys must be None, 'default' or a list of str, got {mk!r}")

    # -------------------------------------------------------------- learning
    def _tokenizer(self):
        return get_tokenizer(self.tokenizer)

    def _tokenize(self, X):
        return tokenize_dialogues(X, self._tokenizer(), self.turns)

    def _learn(self, X, y, *, partial=False, classes=None):
        """The state after learning from ``(X, y)``, on top of the stored one when ``partial``.

        ``classes`` lists emojis to add even without texts. Returns the new
        state, the encoded texts and their (n, n_classes) emoji-count matrix
        (None for unlabelled texts). ``self`` is not modified.
        """
        if partial:  # _fit_context validates partial_fit on the first call only
            self._validate_params()
        self._check_list_params()
        old = getattr(self, "_state", None) if partial else None
        tok = self._tokenize(X)
        new_classes = list(old.classes if old else ())
        y_lists = None
        if y is not None or old is None:  # y=None: unlabelled texts, once the estimator is fitted
            y_lists = check_emoji_targets(y, n_samples=len(tok), classes=new_classes or None)
        labels = list(y_lists or [])
        if classes is not None:
            known = new_classes + [e for v in labels for e in v]
            labels += check_emoji_targets(classes, what="classes", classes=known or None)
        seen = set(new_classes)
        for v in labels:
            for e in v:
                if e not in seen:
                    seen.add(e)
                    new_classes.append(e)
        vocab = old.vocab.copy() if old else Vocabulary()
        seed_tokens = [
            (e, [t for kw in ([kws] if isinstance(kws, str) else kws) for t in self._tokenizer()(kw)])
            for e, kws in (self.seed_keywords or {}).items()
        ]
        for _, tokens in seed_tokens:  # seed keywords join the vocabulary before a text holds them
            for t in tokens:
                vocab.add(t)
        enc = encode(vocab, tok, grow=True)
        class_index = {e: i for i, e in enumerate(new_classes)}
        Y = None
        if y_lists is not None:
            rows = [i for i, v in enumerate(y_lists) for _ in v]
            cols = [class_index[e] for v in y_lists for e in v]
            Y = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(y_lists), len(new_classes)))
            Y.sum_duplicates()
        stats = (old.stats if old else Statistics.empty()).merge(
            enc, Y, (len(new_classes), len(vocab), len(vocab.bigrams), len(vocab.trigrams), len(vocab.contexts))
        )
        seed_pairs = None
        if self.seed_keywords:
            seed_pairs = [
                (class_index[e], vocab.index[t]) for e, tokens in seed_tokens if e in class_index for t in tokens
            ]
        lexicon = build_lexicon(stats, vocab, seed_pairs, LexiconParams.of(self))
        state = _State(vocab, stats, tuple(new_classes), seed_pairs, lexicon, Scorer.of(lexicon, new_classes))
        return state, enc, Y

    def _store(self, state):
        self._state = state
        self.classes_ = state.scorer.classes
        self.vocabulary_ = state.vocab.index
        self.n_iter_ = state.lexicon.n_iter
        self.n_features_in_ = 1

    def _encode(self, X):
        check_is_fitted(self, "classes_")
        return encode(self._state.vocab, self._tokenize(X), grow=False)

    # ------------------------------------------------------------ reporting
    def lexicon_table(self, emoji=None, kinds=None):
        """The learned lexicon as rows, ready for printing or a DataFrame.

        Parameters
        ----------
        emoji : str or list of str, default=None
            Keep only these emojis (default: all of ``classes_``).
        kinds : str or list of str, default=None
            Keep only these kinds of entry among ``"seed"``, ``"keyword"``,
            ``"sibling"``, ``"bigram"``, ``"trigram"`` and
            ``"multiplication"`` (default: all).

        Returns
        -------
        list of dict
            One dict per entry with keys ``emoji``, ``kind``, ``term``,
            ``weight`` (the scoring weight; for multiplication keys the
            average count of the emoji when the key is present),
            ``iteration`` (enrichment iteration that found a sibling; 0
            otherwise) and ``support`` (training texts behind the entry;
            ``None`` for siblings). Rows are sorted by emoji, kind and
            decreasing weight. ``pandas.DataFrame(rows)`` turns it into a
            table.
        """
        check_is_fitted(self, "classes_")
        return lexicon_rows(self._state, emoji=emoji, kinds=kinds)
