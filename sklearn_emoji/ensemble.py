"""Neural and lexical models together: stacking with grouped internal CV.

:class:`GroupedStackingClassifier` is scikit-learn's
:class:`~sklearn.ensemble.StackingClassifier` whose internal
cross-validation keeps every group (Weibo root post) on one side, when
``fit`` is given ``groups``: the out-of-fold probabilities the final
estimator learns from are then as honest as a grouped test split, instead of
flattered by dialogues of one thread on both sides. scikit-learn's
``StackingClassifier`` does not route ``groups`` to its splitter, so the
folds are made here and handed to it as a fixed list of splits.
"""

from __future__ import annotations

import inspect

import numpy as np
from sklearn import clone, config_context
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.model_selection import GroupKFold

from ._compat import _num_samples
from ._utils import final_estimator
from ._validation import check_groups, check_labels

__all__ = ["GroupedStackingClassifier", "LabelCheckedVotingClassifier"]


def _takes_groups(estimator):
    """Whether the ``fit`` of ``estimator`` (of a pipeline's last step) has a ``groups`` parameter."""
    fit = getattr(final_estimator(estimator), "fit", None)
    return fit is not None and "groups" in inspect.signature(fit).parameters


def _requesting_groups(estimator):
    """A clone of ``estimator`` whose ``groups``-taking ``fit`` requests them (metadata routing on)."""
    estimator = clone(estimator)
    final_estimator(estimator).set_fit_request(groups=True)
    return estimator


class LabelCheckedVotingClassifier(VotingClassifier):
    """scikit-learn's :class:`~sklearn.ensemble.VotingClassifier` that checks its labels and routes groups.

    ``VotingClassifier`` label-encodes ``y`` before its estimators see it,
    so a missing label (``None``, ``NaN``) would become a class ``"nan"``
    and mixed label types would be stringified. This one refuses them, with
    the messages of every other estimator of the library, before any work.
    Its ``fit`` also takes ``groups`` (the root post of each dialogue) and
    hands them to the estimators whose ``fit`` takes them (the LSTM
    classifiers, alone or as a pipeline's last step), so that their early
    stopping holds out whole threads; ``VotingClassifier`` alone passes
    ``groups`` on only with scikit-learn's metadata routing switched on
    globally and requested by hand. Same parameters as ``VotingClassifier``;
    ``make_method("H-LSTM+LEXICON")`` is one.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_emoji.ensemble import LabelCheckedVotingClassifier
    >>> vote = LabelCheckedVotingClassifier([("lr", LogisticRegression())], voting="soft")
    >>> vote.fit([[0.0], [1.0]], ["a", float("nan")])
    Traceback (most recent call last):
    ...
    ValueError: label 1 of y is NaN (a missing value); every sample needs a label
    """

    def fit(self, X, y, groups=None, **fit_params):
        """Check the labels, then fit as ``VotingClassifier`` does, groups routed.

        Parameters
        ----------
        X : array-like
            Whatever the estimators take (dialogues for this library's pipelines).
        y : array-like of shape (n_samples,)
            The labels (emojis).
        groups : array-like of shape (n_samples,), default=None
            The group of each sample (its root post), passed to every
            estimator whose ``fit`` (or whose last step's ``fit``) takes
            ``groups``; the others never see it. A ``ValueError`` when
            none takes them.
        **fit_params : dict
            Passed on as ``VotingClassifier.fit`` does.

        Returns
        -------
        self : LabelCheckedVotingClassifier
        """
        y = check_labels(y, n_samples=_num_samples(X))
        if groups is None:
            return super().fit(X, y, **fit_params)
        groups = check_groups(groups, n_samples=_num_samples(X))
        takers = {name for name, est in self.estimators if est != "drop" and _takes_groups(est)}
        if not takers:
            raise ValueError(
                "groups were given, but no estimator of this vote takes groups in fit "
                f"(estimators: {[name for name, _ in self.estimators]})"
            )
        given = self.estimators
        with config_context(enable_metadata_routing=True):
            # Routing is on only for this fit; the clones that request groups
            # stand in for the estimators meanwhile (get_params is unchanged after).
            self.estimators = [(n, _requesting_groups(e) if n in takers else e) for n, e in given]
            try:
                super().fit(X, y, groups=groups, **fit_params)
            finally:
                self.estimators = given
        return self


class GroupedStackingClassifier(StackingClassifier):
    """Stacking whose internal CV holds out whole groups (threads).

    Same parameters as :class:`~sklearn.ensemble.StackingClassifier`;
    ``cv`` may be an int (the number of :class:`~sklearn.model_selection.GroupKFold`
    folds when ``groups`` are given). ``stack_method`` defaults to
    ``"predict_proba"``, the scores every method of this library gives.

    Parameters
    ----------
    estimators : list of (str, estimator)
        The base models (pipelines that take dialogues).
    final_estimator : estimator, default=None
        Learns from the base models' out-of-fold probabilities; ``None``
        is a logistic regression.
    cv : int, cross-validation generator or iterable, default=5
        Internal folds. An int with ``groups`` at ``fit``: that many
        ``GroupKFold`` folds; otherwise as in ``StackingClassifier``.
    stack_method : str, default="predict_proba"
    n_jobs : int or None, default=None
    passthrough : bool, default=False
    verbose : int, default=0

    Attributes
    ----------
    classes_ : ndarray
        The labels.
    estimators_ : list of estimators
        The base models refit on all of the training data.
    final_estimator_ : estimator
        The fitted final estimator.

    Examples
    --------
    >>> from sklearn_emoji.ensemble import GroupedStackingClassifier
    >>> from sklearn_emoji.pipelines import make_method
    >>> X = ["好开心 哈哈", "哈哈 好笑", "太好笑 哈哈", "难过 哭", "好伤心 哭", "哭 难过"] * 4
    >>> y = ["[哈哈]"] * 3 + ["[泪]"] * 3
    >>> y = y * 4
    >>> groups = [str(i % 8) for i in range(24)]  # e.g. the root post of each
    >>> stack = GroupedStackingClassifier(
    ...     [("bow", make_method("F-BOW", tfidf__min_df=1)), ("lex", make_method("LEXICON"))], cv=4)
    >>> stack.fit(X, y, groups=groups).predict(["哈哈", "哭"]).tolist()
    ['[哈哈]', '[泪]']
    """

    def __init__(
        self,
        estimators,
        final_estimator=None,
        *,
        cv=5,
        stack_method="predict_proba",
        n_jobs=None,
        passthrough=False,
        verbose=0,
    ):
        super().__init__(
            estimators,
            final_estimator=final_estimator,
            cv=cv,
            stack_method=stack_method,
            n_jobs=n_jobs,
            passthrough=passthrough,
            verbose=verbose,
        )

    def fit(self, X, y, groups=None, **fit_params):
        """Fit the base models and the final estimator.

        Parameters
        ----------
        X : list of dialogues
        y : array-like of str
        groups : array-like of shape (n_samples,), default=None
            Group of each sample (root post); with an int ``cv``, the
            internal folds are ``GroupKFold(cv)`` over them.
        **fit_params
            Passed to ``StackingClassifier.fit``.

        Returns
        -------
        self
        """
        y = check_labels(y, n_samples=_num_samples(X))  # mixed or missing labels, by name
        if groups is None or not isinstance(self.cv, (int, np.integer)):
            return super().fit(X, y, **fit_params)
        groups = np.asarray(groups)
        if groups.shape != (len(y),):
            raise ValueError(f"groups must hold one group per sample: {len(y)} samples, groups of shape {groups.shape}")
        n_groups = len(np.unique(groups))
        if n_groups < self.cv:
            raise ValueError(f"cv={self.cv} grouped folds need at least {self.cv} groups, got {n_groups}")
        splits = list(GroupKFold(n_splits=int(self.cv)).split(np.zeros(len(y)), y, groups))
        cv = self.cv
        self.cv = splits  # StackingClassifier reads its folds from self.cv
        try:
            return super().fit(X, y, **fit_params)
        finally:
            self.cv = cv

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags
