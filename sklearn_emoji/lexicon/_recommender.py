"""The sibling-lexicon emoji recommender (a classifier)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassifierMixin

from .._compat import Interval, _fit_context, validate_params
from ._base import _PARAM_DOC, _LexiconBase
from ._scoring import softmax


class LexiconEmojiRecommender(ClassifierMixin, _LexiconBase):
    __doc__ = (
        """Emoji recommender from a self-built weighted sibling lexicon.

    Implements the weighted multi-layer model of Idrees & Al-Solami (2024):
    TF-IDF keywords per emoji, siblings found through shared environment
    pairs (prefix, postfix) over enrichment iterations, bi-/tri-gram
    granularity weights and multiplication keys that predict how many times
    an emoji repeats. See the :mod:`sklearn_emoji.lexicon` documentation
    for the exact reading of the paper.

    Parameters
    ----------"""
        + _PARAM_DOC
        + """
    prior_weight : float, default=1.5
        Weight of ``log P(emoji)`` added to the summed lexicon evidence
        (the evidence of correlated words is over-confident, so a weight
        above 1 ranks best; 0 favours rare emojis).
    set_threshold : float, default=0.5
        :meth:`recommend` keeps the emojis whose probability is at least
        this fraction of the best one's.
    max_set_size : int, default=3
        Largest recommended set.

    Attributes
    ----------
    classes_ : ndarray of str
        Sorted emoji labels; the columns of :meth:`predict_proba`. New
        emojis given to :meth:`partial_fit` are added (and the columns
        re-sorted).
    vocabulary_ : dict
        Token to id: from 2, in the order the tokens were first seen (the
        library's convention: 0 is padding, 1 out-of-vocabulary).
    n_iter_ : int
        Enrichment iterations run at the last (re)build.
    n_features_in_ : int
        Always 1 (one text or dialogue per sample).

    Examples
    --------
    >>> from sklearn_emoji.lexicon import LexiconEmojiRecommender
    >>> X = ["so happy today", "happy happy day", "so sad today", "sad and tired",
    ...      "happy birthday", "very sad news"]
    >>> y = [["😂", "😂"], "😂", "😢", "😢", "😂", ["😢", "😢", "😢"]]
    >>> rec = LexiconEmojiRecommender(min_df=1).fit(X, y)
    >>> rec.classes_.tolist()
    ['😂', '😢']
    >>> rec.predict(["happy news", "sad day"]).tolist()
    ['😂', '😢']
    >>> rec.predict_proba(["happy news"]).shape
    (1, 2)
    >>> rec.vocabulary_["so"], rec.vocabulary_["happy"]
    (2, 3)
    >>> rec.recommend(["sad sad sad"])[0][0][0]
    '😢'
    """
    )

    _parameter_constraints = {
        **_LexiconBase._parameter_constraints,
        "prior_weight": [Interval(Real, 0, None, closed="left")],
        "set_threshold": [Interval(Real, 0, 1, closed="both")],
        "max_set_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        tokenizer=None,
        turns="all",
        seed_keywords=None,
        n_keywords=None,
        weighting="lift",
        min_df=2,
        smoothing=5.0,
        max_iter=3,
        n_siblings=50,
        sibling_decay=0.5,
        min_sibling_weight=0.1,
        granularity=0.5,
        prior_weight=1.5,
        multiplication_keys=None,
        min_multiplication_support=20,
        multiplication_threshold=1.0,
        multiplication_smoothing=20.0,
        set_threshold=0.5,
        max_set_size=3,
    ):
        self.tokenizer = tokenizer
        self.turns = turns
        self.seed_keywords = seed_keywords
        self.n_keywords = n_keywords
        self.weighting = weighting
        self.min_df = min_df
        self.smoothing = smoothing
        self.max_iter = max_iter
        self.n_siblings = n_siblings
        self.sibling_decay = sibling_decay
        self.min_sibling_weight = min_sibling_weight
        self.granularity = granularity
        self.prior_weight = prior_weight
        self.multiplication_keys = multiplication_keys
        self.min_multiplication_support = min_multiplication_support
        self.multiplication_threshold = multiplication_threshold
        self.multiplication_smoothing = multiplication_smoothing
        self.set_threshold = set_threshold
        self.max_set_size = max_set_size

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Build the lexicon from training texts.

        Parameters
        ----------
        X : list of str or list of list of str
            Texts or dialogues (emojis removed).
        y : array-like of str, or list of lists of str
            One emoji per text, or a list of the text's emojis with repeats
            kept (e.g. ``["[哈哈]", "[哈哈]"]``), which the multiplication
            layer learns counts from.

        Returns
        -------
        self
        """
        self._store(self._learn(X, y)[0])
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, classes=None):
        """Enrich the lexicon with new texts, without refitting from scratch.

        Parameters
        ----------
        X : list of str or list of list of str
            New texts or dialogues.
        y : array-like, list of lists, or None
            Their emojis; ``None`` for unlabelled texts, which enrich the
            environments (hence the siblings) only. The first call needs
            labels. Emojis never seen before are accepted as new classes:
            ``classes_`` grows and stays sorted. Labels must be of the type
            (``str`` or ``int``) of the earlier ones.
        classes : array-like, default=None
            Accepted for scikit-learn compatibility; emojis listed here are
            added to ``classes_`` even before they have texts.

        Returns
        -------
        self
        """
        if not hasattr(self, "classes_") and y is None:
            raise ValueError("the first call to partial_fit needs labels y")
        self._store(self._learn(X, y, partial=True, classes=classes)[0])
        return self

    def _scores(self, X):
        enc = self._encode(X)
        kw, sib, phr = self._state.scorer.layers(enc)
        return kw + sib + phr + self.prior_weight * self._state.scorer.log_prior, enc

    def decision_function(self, X):
        """Lexicon scores (log-scale evidence plus weighted log-prior).

        Parameters
        ----------
        X : list of str or list of list of str

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return self._scores(X)[0]

    def predict_proba(self, X):
        """Probability of every emoji of ``classes_`` (softmax of the scores).

        Parameters
        ----------
        X : list of str or list of list of str

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return softmax(self._scores(X)[0])

    def predict(self, X):
        """The best emoji of each text.

        Parameters
        ----------
        X : list of str or list of list of str

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        scores = self._scores(X)[0]  # first: it raises NotFittedError before fit
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_counts(self, X):
        """How many times each emoji would be repeated in each text.

        Parameters
        ----------
        X : list of str or list of list of str

        Returns
        -------
        ndarray of int, shape (n_samples, n_classes)
        """
        enc = self._encode(X)
        return self._state.scorer.counts(enc)

    @validate_params({"k": [Interval(Integral, 1, None, closed="left"), None]}, prefer_skip_nested_validation=True)
    def recommend(self, X, k=None):
        """Recommend a minimal set of emojis, each with a repeat count.

        Parameters
        ----------
        X : list of str or list of list of str
        k : int, default=None
            Return exactly the ``k`` best emojis instead of the thresholded
            set (``set_threshold``, ``max_set_size``).

        Returns
        -------
        list of list of (emoji, count, probability)
            Best first.
        """
        s, enc = self._scores(X)
        proba = softmax(s)
        counts = self._state.scorer.counts(enc)
        kk = min(k or self.max_set_size, len(self.classes_))
        top = np.argsort(-proba, axis=1, kind="stable")[:, :kk]
        out = []
        for i in range(len(top)):
            best = proba[i, top[i, 0]]
            row = []
            for j in top[i]:
                if k is None and proba[i, j] < self.set_threshold * best:
                    break
                row.append((self.classes_[j], int(counts[i, j]), float(proba[i, j])))
            out.append(row)
        return out
