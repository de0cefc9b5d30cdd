"""Sibling-lexicon scores as features, cross-fitted on the training texts."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import TransformerMixin
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, StrOptions, _fit_context
from ._base import _PARAM_DOC, _LexiconBase
from ._build import LexiconParams, build_lexicon
from ._scoring import Scorer
from ._statistics import LabelStatistics


class SiblingLexiconFeatures(TransformerMixin, _LexiconBase):
    __doc__ = (
        """Per-emoji sibling-lexicon scores as features.

    Builds the same lexicon as :class:`LexiconEmojiRecommender` and returns,
    for every text, the score of each emoji in each layer (keywords,
    siblings, bi-/tri-gram phrases), so the lexicon can feed a linear model
    or join TF-IDF features in a :class:`~sklearn.pipeline.FeatureUnion`.

    Like :class:`~sklearn.preprocessing.TargetEncoder`, ``fit_transform``
    uses cross fitting (``cv`` folds): each training text is scored by a
    lexicon built without it, so a downstream model does not over-trust the
    in-sample scores. ``fit(X, y).transform(X)`` therefore differs from
    ``fit_transform(X, y)``. The fold lexicons are built as values beside
    the fitted one; the estimator only ever holds the lexicon of all texts.

    Parameters
    ----------"""
        + _PARAM_DOC
        + """
    layers : {"sum", "separate"}, default="sum"
        One column per emoji with the sum of the layers, or one column per
        emoji and layer (keywords, siblings, phrases). Both give the same
        TweetEval scores with TF-IDF + logistic regression; "sum" fits
        faster.
    cv : int, default=5
        Folds of the cross fitting in ``fit_transform`` (``None`` or 1: no
        cross fitting).
    sparse_output : bool, default=True
        Return a SciPy CSR matrix; dense output is returned anyway when
        ``set_output(transform="pandas")`` (or polars) is configured.
    random_state : int, RandomState or None, default=None
        Shuffling of the cross-fitting folds.

    Attributes
    ----------
    classes_ : ndarray of str
    vocabulary_ : dict
        Token to id, from 2 (see :class:`LexiconEmojiRecommender`).
    n_iter_ : int
    scale_ : ndarray of shape (n_features,)
        Columns are divided by their largest absolute value on the
        (cross-fitted) training scores, so they sit in [0, 1] like TF-IDF
        features and a linear model converges quickly.
    n_features_in_ : int

    Examples
    --------
    >>> from sklearn_emoji.lexicon import SiblingLexiconFeatures
    >>> X = ["so happy today", "happy day", "so sad today", "sad and tired"]
    >>> y = ["😂", "😂", "😢", "😢"]
    >>> feats = SiblingLexiconFeatures(min_df=1, layers="sum").fit(X, y)
    >>> feats.transform(["happy happy"]).toarray().round(2)
    array([[0.52, 0.08]])
    >>> feats.get_feature_names_out().tolist()
    ['lexicon_😂', 'lexicon_😢']
    """
    )

    _parameter_constraints = {
        **_LexiconBase._parameter_constraints,
        "layers": [StrOptions({"sum", "separate"})],
        "cv": [Interval(Integral, 1, None, closed="left"), None],
        "sparse_output": ["boolean"],
        "random_state": ["random_state"],
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
        multiplication_keys=None,
        min_multiplication_support=20,
        multiplication_threshold=1.0,
        multiplication_smoothing=20.0,
        layers="sum",
        cv=5,
        sparse_output=True,
        random_state=None,
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
        self.multiplication_keys = multiplication_keys
        self.min_multiplication_support = min_multiplication_support
        self.multiplication_threshold = multiplication_threshold
        self.multiplication_smoothing = multiplication_smoothing
        self.layers = layers
        self.cv = cv
        self.sparse_output = sparse_output
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    def _features(self, scorer, enc):
        kw, sib, phr = scorer.layers(enc)
        return kw + sib + phr if self.layers == "sum" else np.hstack([kw, sib, phr])

    def _store_with_scale(self, state, F):
        scale = np.abs(F).max(axis=0) if len(F) else np.ones(F.shape[1])
        scale[scale == 0] = 1.0
        self._store(state)
        self.scale_ = scale

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Build the lexicon.

        Parameters
        ----------
        X : list of str or list of list of str
        y : array-like of str, or list of lists of str

        Returns
        -------
        self
        """
        state, enc, _ = self._learn(X, y)
        self._store_with_scale(state, self._features(state.scorer, enc))
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Enrich the lexicon with new (labelled or unlabelled) texts.

        Parameters
        ----------
        X : list of str or list of list of str
        y : array-like, list of lists or None

        Returns
        -------
        self
        """
        if not hasattr(self, "classes_") and y is None:
            raise ValueError("the first call to partial_fit needs labels y")
        state = self._learn(X, y, partial=True)[0]
        width = len(state.classes) * (1 if self.layers == "sum" else 3)
        scale = getattr(self, "scale_", None)
        self._store(state)
        if scale is None or len(scale) != width:
            self.scale_ = np.ones(width)
        return self

    def _output(self, F):
        F = F / self.scale_
        cfg = getattr(self, "_sklearn_output_config", {}).get("transform", get_config()["transform_output"])
        if not self.sparse_output or cfg in ("pandas", "polars"):
            return F
        return sp.csr_matrix(F)

    def transform(self, X):
        """Lexicon scores of every emoji (and layer).

        Parameters
        ----------
        X : list of str or list of list of str

        Returns
        -------
        scipy.sparse.csr_matrix or ndarray of shape (n_samples, n_features)
        """
        enc = self._encode(X)
        return self._output(self._features(self._state.scorer, enc))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None, **fit_params):
        """Fit, then return cross-fitted scores of the training texts.

        Parameters
        ----------
        X : list of str or list of list of str
        y : array-like of str, or list of lists of str
        **fit_params : dict
            Ignored.

        Returns
        -------
        scipy.sparse.csr_matrix or ndarray of shape (n_samples, n_features)
        """
        state, enc, Y = self._learn(X, y)
        if not self.cv or self.cv < 2 or enc.n < 2 * self.cv:
            F = self._features(state.scorer, enc)
        else:
            F = self._cross_fitted(state, enc, Y)
        self._store_with_scale(state, F)
        return self._output(F)

    def _cross_fitted(self, state, enc, Y):
        """Scores of every text by a lexicon built without its fold (fold lexicons are values)."""
        first = np.asarray(Y.argmax(axis=1)).ravel()
        counts = np.bincount(first, minlength=Y.shape[1])
        splitter = StratifiedKFold if counts[counts > 0].min() >= self.cv else KFold
        folds = splitter(self.cv, shuffle=True, random_state=self.random_state).split(np.zeros(enc.n), first)
        params = LexiconParams.of(self)
        F = None
        for tr, te in folds:
            stats = state.stats.with_labels(LabelStatistics.from_texts(enc.take(tr), Y[tr]))
            lexicon = build_lexicon(stats, state.vocab, state.seed_pairs, params)
            part = self._features(Scorer.of(lexicon, state.classes), enc.take(te))
            if F is None:
                F = np.zeros((enc.n, part.shape[1]))
            F[te] = part
        return F

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        ndarray of str
            ``lexicon_<emoji>`` (``layers="sum"``) or ``keyword_<emoji>``,
            ``sibling_<emoji>`` and ``phrase_<emoji>``.
        """
        check_is_fitted(self, "classes_")
        if self.layers == "sum":
            names = [f"lexicon_{c}" for c in self.classes_]
        else:
            names = [f"{layer}_{c}" for layer in ("keyword", "sibling", "phrase") for c in self.classes_]
        return np.asarray(names, dtype=object)
