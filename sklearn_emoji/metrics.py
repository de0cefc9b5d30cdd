"""Ranking metrics of Xie et al. (2016), set metrics of Idrees and Al-Solami
(2024), macro-F1 (the official measure of SemEval-2018 Task 2 and TweetEval),
scorers for model selection, and top-k emoji recommendation.

Ranks and ties
--------------
The rank of the true emoji of a sample is the number of classes whose score is
greater than **or equal to** its own score (ties count against the model), so
a constant score matrix gets P@1 = 1/n_classes-ish rather than a perfect
score. Without ties this is the usual rank, and :func:`precision_at_k` equals
:func:`sklearn.metrics.top_k_accuracy_score` while :func:`mean_reciprocal_rank`
equals :func:`sklearn.metrics.label_ranking_average_precision_score` on the
one-hot truth.

F1 of the top emoji
-------------------
:func:`macro_f1` and :func:`per_emoji_f1` score the top-ranked emoji of each
sample (the first column holding the row's largest score, as
:func:`numpy.argmax` picks it; for a fitted classifier this is what
``predict`` returns) with :func:`sklearn.metrics.f1_score`, over the labels
found in the truth or among the predictions, as scikit-learn does by default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sized

import numpy as np

from ._utils import final_estimator
from ._validation import check_emoji_targets

# scikit-learn is imported inside the functions that use it (f1_score, check_is_fitted), so that ranking the
# emojis of a model that states its own fitted state, such as the ONNX runtime's OnnxEmojiModel, and serving it,
# import neither scikit-learn nor SciPy (sklearn_emoji.export, "torch-free serving").

__all__ = [
    "precision_at_k",
    "mean_reciprocal_rank",
    "true_label_ranks",
    "macro_f1",
    "per_emoji_f1",
    "set_scores",
    "make_precision_at_k_scorer",
    "make_mrr_scorer",
    "make_macro_f1_scorer",
    "get_scorer_dict",
    "RankingScorers",
    "top_k_emojis",
]


def true_label_ranks(y_true, y_score, *, labels=None, unseen="error"):
    """Rank (1 = best) of the true label of each sample.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples, n_classes)
        Scores (for example ``predict_proba``), columns in ``labels`` order.
    labels : array-like of shape (n_classes,), default=None
        Label of each column. ``None``: the sorted unique labels of
        ``y_true``, which must then number ``n_classes``.
    unseen : {"error", "miss"}, default="error"
        What to do with a true label absent from ``labels``: raise, or give
        it rank ``inf`` (a miss at every k, reciprocal rank 0). Scorers use
        ``"miss"`` so that a class missing from a training fold is scored
        as the model's error rather than crashing the search.

    Returns
    -------
    ndarray of shape (n_samples,), dtype float
    """
    y_true = np.asarray(list(y_true) if not isinstance(y_true, np.ndarray) else y_true, dtype=object)
    y_score = np.asarray(y_score, dtype=float)
    if y_true.ndim != 1:
        raise ValueError(f"y_true must be 1-D, got shape {y_true.shape}")
    if y_score.ndim != 2:
        raise ValueError(f"y_score must be 2-D (n_samples, n_classes), got shape {y_score.shape}")
    if len(y_true) != y_score.shape[0]:
        raise ValueError(
            f"y_true and y_score have different lengths: {len(y_true)} labels, {y_score.shape[0]} score rows"
        )
    if len(y_true) == 0:
        raise ValueError("y_true is empty")
    missing_truth = [i for i, v in enumerate(y_true) if _is_missing(v)]
    if missing_truth:
        raise ValueError(
            f"y_true holds {len(missing_truth)} missing labels (None or NaN), the first at index "
            f"{missing_truth[0]}; every sample needs its true emoji"
        )
    if not np.isfinite(y_score).all():
        # a diverged model's NaN scores would otherwise rank the true emoji first
        bad = int((~np.isfinite(y_score)).any(axis=1).sum())
        raise ValueError(
            f"y_score holds NaN or infinite values in {bad} of {len(y_score)} rows; the model's scores "
            "are broken (a diverged training?), and a broken score must never count as a hit"
        )
    if labels is None:
        labels = np.unique(y_true.astype(str)) if all(isinstance(v, str) for v in y_true) else np.unique(y_true)
        if len(labels) != y_score.shape[1]:
            raise ValueError(
                f"y_true holds {len(labels)} distinct labels but y_score has {y_score.shape[1]} columns; "
                "pass labels= (for example estimator.classes_) to say which label each column is"
            )
    labels = list(labels)
    if len(labels) != y_score.shape[1]:
        raise ValueError(f"{len(labels)} labels given but y_score has {y_score.shape[1]} columns")
    if unseen not in ("error", "miss"):
        raise ValueError(f'unseen must be "error" or "miss", got {unseen!r}')
    index = {lab: i for i, lab in enumerate(labels)}
    if len(index) != len(labels):  # a repeated label would make its second column unreachable
        seen: set = set()
        repeated = [lab for lab in labels if lab in seen or seen.add(lab)]
        raise ValueError(
            f"labels must be distinct, one per score column; {sorted(map(str, set(repeated)))[:5]} repeated"
        )
    cols = np.array([index.get(v, -1) for v in y_true])
    missing = cols < 0
    if missing.any() and unseen == "error":
        bad = sorted({str(v) for v in y_true[missing]})[:5]
        raise ValueError(f"y_true holds labels not among the score columns: {bad}")
    rows = np.arange(len(y_true))
    true_scores = y_score[rows, np.where(missing, 0, cols)]
    ranks = (y_score >= true_scores[:, None]).sum(axis=1).astype(float)
    ranks[missing] = np.inf
    return ranks


def _is_missing(v):
    """``None`` or a float NaN (pandas' missing value in an object column)."""
    return v is None or (isinstance(v, (float, np.floating)) and np.isnan(v))


def precision_at_k(y_true, y_score, *, k=1, labels=None, unseen="error"):
    """P@k of Xie et al. (2016): share of samples whose true emoji is in the top ``k``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True emoji of each sample.
    y_score : array-like of shape (n_samples, n_classes)
        Scores, columns in ``labels`` order.
    k : int, default=1
        Number of top-ranked emojis that count.
    labels : array-like of shape (n_classes,), default=None
        Label of each column (for a fitted model, its ``classes_``).
    unseen : {"error", "miss"}, default="error"
        See :func:`true_label_ranks`.

    Returns
    -------
    float

    Examples
    --------
    >>> from sklearn_emoji.metrics import precision_at_k
    >>> y_true = ["[哈哈]", "[泪]", "[怒]"]
    >>> scores = [[0.6, 0.3, 0.1], [0.5, 0.2, 0.3], [0.1, 0.7, 0.2]]
    >>> precision_at_k(y_true, scores, k=1, labels=["[哈哈]", "[怒]", "[泪]"])
    0.6666666666666666
    """
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    ranks = true_label_ranks(y_true, y_score, labels=labels, unseen=unseen)
    return float(np.mean(ranks <= k))


def mean_reciprocal_rank(y_true, y_score, *, labels=None, unseen="error"):
    """Mean reciprocal rank of the true emoji (Xie et al., 2016).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_score : array-like of shape (n_samples, n_classes)
    labels : array-like of shape (n_classes,), default=None
    unseen : {"error", "miss"}, default="error"

    Returns
    -------
    float

    Examples
    --------
    >>> from sklearn_emoji.metrics import mean_reciprocal_rank
    >>> mean_reciprocal_rank(["a", "b"], [[0.9, 0.1], [0.8, 0.2]])
    0.75
    """
    ranks = true_label_ranks(y_true, y_score, labels=labels, unseen=unseen)
    return float(np.mean(1.0 / ranks))


def _top_labels(y_true, y_score, labels, unseen):
    """``(y_true, y_pred)`` as object arrays: the truth and each row's top label."""
    # true_label_ranks validates shapes, the label order and unseen labels.
    true_label_ranks(y_true, y_score, labels=labels, unseen=unseen)
    y_true = np.asarray(list(y_true) if not isinstance(y_true, np.ndarray) else y_true, dtype=object)
    y_score = np.asarray(y_score, dtype=float)
    if not np.isfinite(y_score).all():
        raise ValueError("y_score holds NaN or infinite values; the model's scores are broken")
    if labels is None:
        labels = np.unique(y_true.astype(str)) if all(isinstance(v, str) for v in y_true) else np.unique(y_true)
    labels = np.asarray(list(labels), dtype=object)
    return y_true, labels[y_score.argmax(axis=1)]


def macro_f1(y_true, y_score, *, labels=None, unseen="error"):
    """Macro-averaged F1 of the top-ranked emoji (the official TweetEval measure).

    The F1 of each emoji (:func:`per_emoji_f1`), averaged with equal weight,
    so that rare emojis count as much as frequent ones. Computed by
    :func:`sklearn.metrics.f1_score` with ``average="macro"`` on the true
    emojis and the top-ranked one of each row of ``y_score``; the average
    runs over the emojis found in either (scikit-learn's default), and an
    emoji never predicted scores 0.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True emoji of each sample.
    y_score : array-like of shape (n_samples, n_classes)
        Scores (for example ``predict_proba``), columns in ``labels`` order.
    labels : array-like of shape (n_classes,), default=None
        Label of each column (for a fitted model, its ``classes_``).
    unseen : {"error", "miss"}, default="error"
        What to do with a true label absent from ``labels``: raise, or count
        its samples as errors (that emoji then has F1 0). See
        :func:`true_label_ranks`.

    Returns
    -------
    float

    Examples
    --------
    >>> from sklearn_emoji.metrics import macro_f1
    >>> y_true = ["❤", "❤", "😂", "🔥"]
    >>> scores = [[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]]
    >>> round(macro_f1(y_true, scores, labels=["❤", "😂", "🔥"]), 3)
    0.778
    """
    from sklearn.metrics import f1_score

    y_true, y_pred = _top_labels(y_true, y_score, labels, unseen)
    return float(f1_score(y_true, y_pred, average="macro", zero_division=0))


def per_emoji_f1(y_true, y_score, *, labels=None, unseen="error"):
    """F1 of each emoji, the top-ranked emoji of each row being the prediction.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_score : array-like of shape (n_samples, n_classes)
    labels : array-like of shape (n_classes,), default=None
    unseen : {"error", "miss"}, default="error"
        As in :func:`macro_f1`.

    Returns
    -------
    dict of str -> float
        Emoji -> F1, for the emojis found in the truth or the predictions,
        sorted; their mean is :func:`macro_f1`.

    Examples
    --------
    >>> from sklearn_emoji.metrics import per_emoji_f1
    >>> y_true = ["❤", "❤", "😂", "🔥"]
    >>> scores = [[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]]
    >>> f1 = per_emoji_f1(y_true, scores, labels=["❤", "😂", "🔥"])
    >>> {e: round(v, 3) for e, v in f1.items()}
    {'❤': 0.667, '🔥': 1.0, '😂': 0.667}
    """
    from sklearn.metrics import f1_score

    y_true, y_pred = _top_labels(y_true, y_score, labels, unseen)
    found = np.unique(np.concatenate([y_true, y_pred]).astype(str))
    f1 = f1_score(y_true.astype(str), y_pred.astype(str), labels=found, average=None, zero_division=0)
    return {str(e): float(v) for e, v in zip(found, f1)}


def set_scores(y_true, y_pred):
    """Precision, recall, F1 and F2 of recommended emoji sets.

    The measures of Idrees and Al-Solami (2024). Each sample's truth and
    recommendation are sets (repeats ignored; see the lexicon model's count
    accuracy for repeats); each measure is computed per sample and averaged
    over samples, as :func:`sklearn.metrics.precision_recall_fscore_support`
    does with ``average="samples"`` (an empty recommendation scores 0). It is
    computed directly so that it also holds when only one emoji occurs.

    Parameters
    ----------
    y_true : list of (list of str or str)
        True emojis of each sample.
    y_pred : list of (list of str or str)
        Recommended emojis of each sample.

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1``, ``f2``.

    Examples
    --------
    >>> from sklearn_emoji.metrics import set_scores
    >>> s = set_scores([["😂", "🔥"], ["❤"]], [["😂"], ["❤", "😍"]])
    >>> {k: round(v, 3) for k, v in s.items()}
    {'precision': 0.75, 'recall': 0.75, 'f1': 0.667, 'f2': 0.694}
    """
    t = [set(v) for v in check_emoji_targets(y_true, what="y_true", allow_empty=True)]
    if isinstance(y_pred, Sized) and not isinstance(y_pred, (str, bytes)) and len(y_pred) != len(t):
        raise ValueError(f"y_true and y_pred have different lengths: {len(t)} and {len(y_pred)}")
    p = [set(v) for v in check_emoji_targets(y_pred, what="y_pred", allow_empty=True, n_samples=len(t))]
    if len(t) != len(p):
        raise ValueError(f"y_true and y_pred have different lengths: {len(t)} and {len(p)}")
    if not t:
        raise ValueError("y_true is empty")
    tp = np.array([len(a & b) for a, b in zip(t, p)], dtype=float)
    n_pred = np.array([len(b) for b in p], dtype=float)
    n_true = np.array([len(a) for a in t], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        prec_i = np.where(n_pred > 0, tp / n_pred, 0.0)
        rec_i = np.where(n_true > 0, tp / n_true, 0.0)

        def f(beta):
            b2 = beta * beta
            denom = b2 * prec_i + rec_i
            return float(np.mean(np.where(denom > 0, (1 + b2) * prec_i * rec_i / denom, 0.0)))

        f1, f2 = f(1.0), f(2.0)
    prec, rec = float(prec_i.mean()), float(rec_i.mean())
    return {"precision": float(prec), "recall": float(rec), "f1": float(f1), "f2": float(f2)}


class _RankingScore:
    """A picklable score function that reads label order from the estimator."""

    def __init__(self, metric, **kwargs):
        self.metric = metric
        self.kwargs = kwargs

    def __call__(self, estimator, X, y_true):
        return self.score(y_true, estimator.predict_proba(X), classes_of(estimator))

    def score(self, y_true, y_score, labels):
        """The metric of ``y_score`` (columns in ``labels`` order); unseen true labels are misses."""
        return self.metric(y_true, y_score, labels=labels, unseen="miss", **self.kwargs)

    def __repr__(self):
        args = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"make_scorer({self.metric.__name__}{args})"


class RankingScorers(Mapping):
    """Several ranking scorers that share one ``predict_proba`` call.

    What :func:`get_scorer_dict` returns. As a mapping it holds the
    single-metric scorers by name (``scorers["p@1"]`` is a scorer of its
    own). As a callable, ``scorers(estimator, X, y)`` returns the dict of
    every score computed from **one** ``predict_proba`` call, which
    scikit-learn accepts as ``scoring=`` (a callable returning a dict):
    ``cross_validate`` reports ``test_p@1``, ``test_mrr``, ... and
    ``GridSearchCV`` takes ``refit="p@1"``. A plain ``dict`` of scorers
    would make scikit-learn ask the model for its scores once per metric,
    since it shares them only among its own scorer objects.

    Parameters
    ----------
    scorers : dict of str -> scorer
        Scorers made by :func:`make_precision_at_k_scorer`,
        :func:`make_mrr_scorer` or :func:`make_macro_f1_scorer`.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_emoji.metrics import get_scorer_dict
    >>> X, y = [[0.0], [1.0], [0.1], [0.9]], ["😢", "😂", "😢", "😂"]
    >>> scorers = get_scorer_dict()
    >>> scorers(LogisticRegression().fit(X, y), X, y)
    {'p@1': 1.0, 'p@3': 1.0, 'mrr': 1.0, 'macro_f1': 1.0}
    """

    def __init__(self, scorers):
        for name, scorer in scorers.items():
            if not isinstance(scorer, _RankingScore):
                raise TypeError(f"scorer {name!r} is not a ranking scorer of sklearn_emoji.metrics: {scorer!r}")
        self._scorers = dict(scorers)

    def __getitem__(self, name):
        return self._scorers[name]

    def __iter__(self):
        return iter(self._scorers)

    def __len__(self):
        return len(self._scorers)

    def __call__(self, estimator, X, y_true):
        return self.score(y_true, estimator.predict_proba(X), classes_of(estimator))

    def score(self, y_true, y_score, labels):
        """Every score of one score matrix ``y_score`` (columns in ``labels`` order).

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
        y_score : array-like of shape (n_samples, n_classes)
        labels : array-like of shape (n_classes,)
            Label of each column (a fitted model's ``classes_``); true labels
            not among them count as misses.

        Returns
        -------
        dict of str -> float
        """
        return {name: scorer.score(y_true, y_score, labels) for name, scorer in self._scorers.items()}

    def __repr__(self):
        return f"RankingScorers({self._scorers!r})"


def _check_is_fitted(estimator):
    """scikit-learn's ``check_is_fitted(estimator)``, without importing it for an estimator that says it is fitted.

    For an estimator (not a class, with ``fit``) whose ``__sklearn_is_fitted__()``
    is true, ``check_is_fitted`` returns without a word; every other case goes to it.
    """
    is_fitted = getattr(estimator, "__sklearn_is_fitted__", None)
    if not isinstance(estimator, type) and hasattr(estimator, "fit") and callable(is_fitted) and is_fitted():
        return
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)


def classes_of(estimator):
    """The ``classes_`` of a fitted classifier, or of a pipeline's last step, as a list."""
    _check_is_fitted(estimator)
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        classes = getattr(final_estimator(estimator), "classes_", None)
    if classes is None:
        raise AttributeError(f"{type(estimator).__name__} has no classes_; a fitted classifier is needed")
    return list(classes)


def make_precision_at_k_scorer(k=1):
    """Scorer for P@k usable as ``scoring=`` in model selection.

    Columns of ``predict_proba`` are matched to the fitted estimator's
    ``classes_``, so a cross-validation fold whose training part lacks a class
    still scores correctly (its samples count as misses).

    Parameters
    ----------
    k : int, default=1

    Returns
    -------
    callable
        ``scorer(estimator, X, y) -> float`` (greater is better).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_emoji.metrics import make_precision_at_k_scorer
    >>> X, y = [[0.0], [1.0], [0.1], [0.9]], ["😢", "😂", "😢", "😂"]
    >>> make_precision_at_k_scorer(1)(LogisticRegression().fit(X, y), X, y)
    1.0
    """
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    return _RankingScore(precision_at_k, k=int(k))


def make_mrr_scorer():
    """Scorer for the mean reciprocal rank usable as ``scoring=``.

    Returns
    -------
    callable
        ``scorer(estimator, X, y) -> float`` (greater is better).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_emoji.metrics import make_mrr_scorer
    >>> X, y = [[0.0], [1.0], [0.1], [0.9]], ["😢", "😂", "😢", "😂"]
    >>> make_mrr_scorer()(LogisticRegression().fit(X, y), X, y)
    1.0
    """
    return _RankingScore(mean_reciprocal_rank)


def make_macro_f1_scorer():
    """Scorer for the macro-F1 of the top-ranked emoji usable as ``scoring=``.

    Like scikit-learn's ``"f1_macro"`` but computed from ``predict_proba``
    and the fitted ``classes_`` (see :func:`macro_f1`), so that a test sample
    of an emoji missing from a training fold counts as an error.

    Returns
    -------
    callable
        ``scorer(estimator, X, y) -> float`` (greater is better).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_emoji.metrics import make_macro_f1_scorer
    >>> X, y = [[0.0], [1.0], [0.1], [0.9]], ["😢", "😂", "😢", "😂"]
    >>> make_macro_f1_scorer()(LogisticRegression().fit(X, y), X, y)
    1.0
    """
    return _RankingScore(macro_f1)


def get_scorer_dict(ks=(1, 3)):
    """All scorers by name, for ``scoring=`` in ``cross_validate`` or
    ``GridSearchCV`` (with ``refit="p@1"``, or ``refit="macro_f1"`` on
    TweetEval, whose official measure is macro-F1).

    Passed as ``scoring=``, the result asks the model for ``predict_proba``
    once per fold and computes every metric from it (see
    :class:`RankingScorers`).

    Parameters
    ----------
    ks : iterable of int, default=(1, 3)
        The ``k`` of each P@k scorer.

    Returns
    -------
    RankingScorers
        A mapping ``{"p@1": ..., "p@3": ..., "mrr": ..., "macro_f1": ...}``
        of single scorers that is also the scorer of all of them.

    Examples
    --------
    >>> from sklearn_emoji.metrics import get_scorer_dict
    >>> sorted(get_scorer_dict())
    ['macro_f1', 'mrr', 'p@1', 'p@3']
    """
    scorers = {f"p@{k}": make_precision_at_k_scorer(k) for k in ks}
    scorers["mrr"] = make_mrr_scorer()
    scorers["macro_f1"] = make_macro_f1_scorer()
    return RankingScorers(scorers)


def top_k_emojis(estimator, X, k=3):
    """Top-``k`` emojis with their scores for each input.

    Works with any fitted classifier or pipeline that has ``predict_proba``.

    Parameters
    ----------
    estimator : fitted classifier or Pipeline
    X : list of dialogues or texts
        Passed to ``estimator.predict_proba`` as is.
    k : int, default=3
        Number of emojis per input (at most the number of classes).

    Returns
    -------
    list of list of (str, float)
        For each input, ``(emoji, score)`` pairs, best first.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_emoji.metrics import top_k_emojis
    >>> model = make_pipeline(TfidfVectorizer(), LogisticRegression())
    >>> model = model.fit(["so funny", "so sad", "funny day", "sad day"], ["😂", "😢", "😂", "😢"])
    >>> [e for e, _ in top_k_emojis(model, ["funny"], k=2)[0]]
    ['😂', '😢']
    """
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    if not hasattr(estimator, "predict_proba"):
        raise TypeError(f"{type(estimator).__name__} has no predict_proba; top_k_emojis needs scores")
    classes = np.asarray(classes_of(estimator), dtype=object)
    proba = np.asarray(estimator.predict_proba(X), dtype=float)
    k = min(int(k), proba.shape[1])
    order = np.argsort(-proba, axis=1, kind="stable")[:, :k]
    return [[(str(classes[j]), float(row[j])) for j in idx] for row, idx in zip(proba, order)]
