"""Shifting a classifier's class prior, for macro-averaged measures.

A classifier trained on imbalanced emojis predicts the frequent ones too
often for a measure that weighs every emoji equally, such as the macro-F1 of
SemEval-2018 Task 2 and TweetEval. :class:`PriorShiftClassifier` divides the
predicted probabilities by the training frequency of each class raised to a
power, after training: ``power=0`` leaves the model as it is, ``power=1``
gives the posterior it would have if every class were equally frequent (what
``class_weight="balanced"`` aims at), and values in between trade P@1 against
macro-F1. Shifting after training, rather than weighting samples during it,
costs nothing to tune: every power is the same fitted model.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._compat import HasMethods, Interval, _fit_context

__all__ = ["PriorShiftClassifier"]


class PriorShiftClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Divide a classifier's probabilities by the class frequencies to a power.

    With training frequencies :math:`\\pi_c`, the shifted probability of
    class :math:`c` is :math:`p_c \\pi_c^{-a} / \\sum_j p_j \\pi_j^{-a}` with
    :math:`a` = ``power``, and ``predict`` returns the class of the largest
    one. For a calibrated model (logistic regression) ``power=1`` is the
    posterior under a uniform class prior (Saerens et al., 2002); smaller
    powers go part of the way, which is what maximises macro-F1 on
    TweetEval (``power=0.5`` was best on the validation split and in
    cross-validation on the training split, see the user guide).

    Parameters
    ----------
    estimator : classifier with ``predict_proba``, default=None
        The model to shift; ``None`` means
        ``LogisticRegression(max_iter=1000)``. It is cloned in ``fit``.
    power : float >= 0, default=0.5
        How far to shift towards a uniform class prior: 0 not at all, 1 all
        the way.

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        ``estimator_.classes_``.
    class_prior_ : ndarray of shape (n_classes,)
        Training frequency of each class (with ``sample_weight`` when given).
    class_weight_ : ndarray of shape (n_classes,)
        ``class_prior_ ** -power``, scaled so that its mean is 1: the factor
        each column of ``estimator_.predict_proba`` is multiplied by before
        renormalising.
    n_features_in_ : int
        Present when ``estimator_`` has it.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_emoji.calibration import PriorShiftClassifier
    >>> X = [[0.0], [0.1], [0.2], [0.3], [0.4], [1.0]]
    >>> y = ["😂", "😂", "😂", "😂", "❤", "❤"]
    >>> plain = LogisticRegression().fit(X, y)
    >>> shifted = PriorShiftClassifier(LogisticRegression(), power=1).fit(X, y)
    >>> plain.predict([[0.45]]).tolist(), shifted.predict([[0.45]]).tolist()
    (['😂'], ['❤'])
    >>> shifted.class_prior_.round(3).tolist()
    [0.333, 0.667]
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "power": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, estimator=None, *, power=0.5):
        self.estimator = estimator
        self.power = power

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the estimator and record the class frequencies of ``y``.

        Parameters
        ----------
        X : input of ``estimator``
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Passed on to the estimator and used for the class frequencies.
        **fit_params
            Passed on to ``estimator.fit``.

        Returns
        -------
        self : PriorShiftClassifier
        """
        base = LogisticRegression(max_iter=1000) if self.estimator is None else self.estimator
        if sample_weight is not None:
            fit_params["sample_weight"] = sample_weight
        self.estimator_ = clone(base).fit(X, y, **fit_params)
        self.classes_ = self.estimator_.classes_
        y = column_or_1d(y).tolist()  # the estimator has warned about a column vector already
        weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        index = {c: i for i, c in enumerate(self.classes_.tolist())}
        counts = np.zeros(len(self.classes_))
        np.add.at(counts, [index[v] for v in y], weights)
        if (counts <= 0).any():
            raise ValueError("every class needs a positive total sample weight to have a prior")
        self.class_prior_ = counts / counts.sum()
        weight = self.class_prior_ ** (-float(self.power))
        self.class_weight_ = weight / weight.mean()
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        return self

    def predict_proba(self, X):
        """Shifted class probabilities, columns in ``classes_`` order.

        Parameters
        ----------
        X : input of ``estimator``

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "class_weight_")
        proba = np.asarray(self.estimator_.predict_proba(X), dtype=float) * self.class_weight_
        return proba / proba.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The class of the largest shifted probability.

        Parameters
        ----------
        X : input of ``estimator``

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.estimator is not None:
            # a Pipeline does not pass on its first step's input tags: read them there
            steps = getattr(self.estimator, "steps", None)
            first = steps[0][1] if steps else self.estimator
            if first in (None, "passthrough"):
                first = self.estimator
            tags.input_tags = first.__sklearn_tags__().input_tags
        return tags
