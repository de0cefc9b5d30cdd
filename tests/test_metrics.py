import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import (
    f1_score,
    fbeta_score,
    label_ranking_average_precision_score,
    precision_recall_fscore_support,
    top_k_accuracy_score,
)
from sklearn.preprocessing import MultiLabelBinarizer, label_binarize

from sklearn_emoji.metrics import (
    get_scorer_dict,
    macro_f1,
    make_macro_f1_scorer,
    make_mrr_scorer,
    make_precision_at_k_scorer,
    mean_reciprocal_rank,
    per_emoji_f1,
    precision_at_k,
    set_scores,
    top_k_emojis,
    true_label_ranks,
)

LABELS = ["[哈哈]", "[怒]", "[泪]", "[爱你]", "[衰]"]


@pytest.fixture
def random_scores():
    rng = np.random.RandomState(0)
    y = rng.choice(LABELS, size=300)
    scores = rng.rand(300, len(LABELS))
    return y, scores


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_p_at_k_equals_top_k_accuracy(random_scores, k):
    y, s = random_scores
    assert precision_at_k(y, s, k=k, labels=sorted(LABELS)) == pytest.approx(
        top_k_accuracy_score(y, s, k=k, labels=sorted(LABELS))
    )


def test_mrr_equals_lrap_on_one_hot_truth(random_scores):
    y, s = random_scores
    truth = label_binarize(y, classes=sorted(LABELS))
    assert mean_reciprocal_rank(y, s, labels=sorted(LABELS)) == pytest.approx(
        label_ranking_average_precision_score(truth, s)
    )


def test_label_order_matters():
    y = ["b", "b"]
    s = [[0.9, 0.1], [0.8, 0.2]]
    assert precision_at_k(y, s, labels=["a", "b"]) == 0.0
    assert precision_at_k(y, s, labels=["b", "a"]) == 1.0


def test_ties_count_against_the_model():
    assert precision_at_k(["a", "b"], np.full((2, 4), 0.25), labels=list("abcd")) == 0.0
    assert mean_reciprocal_rank(["a"], [[0.5, 0.5]], labels=["a", "b"]) == 0.5


def test_unseen_labels():
    s = [[0.7, 0.3], [0.2, 0.8]]
    with pytest.raises(ValueError, match="not among the score columns"):
        precision_at_k(["a", "zz"], s, labels=["a", "b"])
    assert precision_at_k(["a", "zz"], s, labels=["a", "b"], unseen="miss") == 0.5
    assert np.isinf(true_label_ranks(["zz"], [[1.0, 0.0]], labels=["a", "b"], unseen="miss")[0])


@pytest.mark.parametrize(
    "y, s, kw, msg",
    [
        (["a"], [[0.1, 0.9], [0.2, 0.8]], {"labels": ["a", "b"]}, "different lengths"),
        (["a", "b"], [0.1, 0.9], {}, "2-D"),
        (["a", "b"], [[0.1, 0.2, 0.7]] * 2, {}, "pass labels="),
        (["a"], [[1.0]], {"k": 0}, "positive int"),
        ([], np.zeros((0, 2)), {"labels": ["a", "b"]}, "empty"),
    ],
)
def test_bad_input(y, s, kw, msg):
    with pytest.raises(ValueError, match=msg):
        precision_at_k(y, s, **kw)


def test_set_scores_by_hand():
    s = set_scores([["😂", "🔥"], ["❤"]], [["😂"], ["❤", "😍"]])
    assert s["precision"] == pytest.approx(0.75)
    assert s["recall"] == pytest.approx(0.75)
    assert s["f1"] == pytest.approx((2 / 3 + 2 / 3) / 2)
    assert s["f2"] == pytest.approx(((5 * 0.5) / 4.5 + (5 * 0.5) / 3) / 2)
    # Repeats are ignored, strings are one-emoji sets, an empty recommendation scores 0.
    assert set_scores(["😂", ["😂", "😂"]], [["😂", "😂"], []])["precision"] == 0.5
    with pytest.raises(ValueError, match="different lengths"):
        set_scores([["a"]], [])
    with pytest.raises(TypeError, match="y_true is None"):
        set_scores(None, [])


def test_set_scores_match_sklearn_samples_average():
    rng = np.random.RandomState(1)
    t = [list(rng.choice(LABELS, size=rng.randint(1, 3))) for _ in range(200)]
    p = [list(rng.choice(LABELS, size=rng.randint(0, 4))) for _ in range(200)]
    mlb = MultiLabelBinarizer(classes=LABELS)
    T, P = mlb.fit_transform(t), mlb.transform(p)
    prec, rec, f1, _ = precision_recall_fscore_support(T, P, average="samples", zero_division=0)
    ours = set_scores(t, p)
    assert ours["precision"] == pytest.approx(prec)
    assert ours["recall"] == pytest.approx(rec)
    assert ours["f1"] == pytest.approx(f1)
    assert ours["f2"] == pytest.approx(fbeta_score(T, P, beta=2, average="samples", zero_division=0))


class _FixedModel(ClassifierMixin, BaseEstimator):
    """A fitted 'classifier' with known scores and a class order of its own."""

    def __init__(self, classes=None, scores=None):
        self.classes = classes
        self.scores = scores
        self.classes_ = np.asarray(classes, dtype=object)

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        return np.asarray(self.scores)[: len(X)]

    def __sklearn_is_fitted__(self):
        return True


def test_scorers_read_label_order_from_the_estimator():
    model = _FixedModel(["[泪]", "[哈哈]"], [[0.1, 0.9], [0.6, 0.4], [0.3, 0.7]])
    X, y = ["a", "b", "c"], ["[哈哈]", "[泪]", "[怒]"]  # "[怒]" never seen in fit
    assert make_precision_at_k_scorer(1)(model, X, y) == pytest.approx(2 / 3)
    assert make_mrr_scorer()(model, X, y) == pytest.approx(2 / 3)
    scorers = pickle.loads(pickle.dumps(get_scorer_dict(ks=(1, 2))))
    assert set(scorers) == {"p@1", "p@2", "mrr", "macro_f1"}
    assert scorers["p@2"](model, X, y) == pytest.approx(2 / 3)
    # Top emojis "[哈哈]", "[泪]", "[哈哈]": F1 1 for "[泪]", 2/3 for "[哈哈]", 0 for the unseen "[怒]".
    assert scorers["macro_f1"](model, X, y) == pytest.approx((1 + 2 / 3 + 0) / 3)


def test_macro_f1_equals_sklearn_on_the_top_label(random_scores):
    y, s = random_scores
    labels = ["[衰]", "[哈哈]", "[泪]", "[怒]", "[爱你]"]  # not sorted: the order must be honoured
    y_pred = np.asarray(labels, dtype=object)[s.argmax(axis=1)]
    assert macro_f1(y, s, labels=labels) == pytest.approx(f1_score(y, y_pred, average="macro"))
    per = per_emoji_f1(y, s, labels=labels)
    assert list(per) == sorted(LABELS)
    np.testing.assert_allclose(list(per.values()), f1_score(y, y_pred, labels=sorted(LABELS), average=None))
    assert np.mean(list(per.values())) == pytest.approx(macro_f1(y, s, labels=labels))
    # Another column order gives other predictions, so another score.
    assert macro_f1(y, s, labels=sorted(LABELS)) != pytest.approx(macro_f1(y, s, labels=labels))


def test_macro_f1_scorer_equals_sklearn_f1_macro():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 6))
    y = np.asarray(LABELS, dtype=object)[(X[:, 0] > 0) + 2 * (X[:, 1] > 0.5) + (X[:, 2] > 1.2)]
    model = LogisticRegression(max_iter=500).fit(X[:300], y[:300])
    ours = make_macro_f1_scorer()(model, X[300:], y[300:])
    assert ours == pytest.approx(f1_score(y[300:], model.predict(X[300:]), average="macro"))
    assert 0.3 < ours < 1.0
    cv = cross_val_score(LogisticRegression(max_iter=500), X, y, cv=3, scoring=get_scorer_dict()["macro_f1"])
    ref = cross_val_score(LogisticRegression(max_iter=500), X, y, cv=3, scoring="f1_macro")
    np.testing.assert_allclose(cv, ref)


def test_f1_of_unseen_and_broken_scores():
    s = [[0.7, 0.3], [0.2, 0.8], [0.6, 0.4]]
    with pytest.raises(ValueError, match="not among the score columns"):
        macro_f1(["a", "b", "zz"], s, labels=["a", "b"])
    # "zz" is never predicted: F1 0, and it counts in the average.
    assert macro_f1(["a", "b", "zz"], s, labels=["a", "b"], unseen="miss") == pytest.approx((2 / 3 + 1 + 0) / 3)
    assert per_emoji_f1(["a", "b", "zz"], s, labels=["a", "b"], unseen="miss")["zz"] == 0.0
    with pytest.raises(ValueError, match="NaN or infinite"):
        macro_f1(["a", "b"], [[np.nan, 0.1], [0.2, 0.8]], labels=["a", "b"])


def test_top_k_emojis():
    model = _FixedModel(["a", "b", "c"], [[0.2, 0.5, 0.3]])
    assert top_k_emojis(model, ["x"], k=2) == [[("b", 0.5), ("c", 0.3)]]
    assert len(top_k_emojis(model, ["x"], k=10)[0]) == 3
    with pytest.raises(TypeError, match="predict_proba"):
        top_k_emojis(object(), ["x"])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_scores_are_an_error_not_a_hit(bad):
    # issue 13: all-NaN scores used to give P@1 = 1.0 and MRR = inf
    from sklearn_emoji.metrics import mean_reciprocal_rank, precision_at_k

    scores = [[bad, bad, bad], [0.2, 0.5, 0.3]]
    for metric in (precision_at_k, mean_reciprocal_rank):
        with pytest.raises(ValueError, match="NaN or infinite values in 1 of 2 rows"):
            metric(["a", "b"], scores, labels=["a", "b", "c"])


class _CountingClassifier(ClassifierMixin, BaseEstimator):
    """Wraps a classifier and counts its ``predict_proba`` calls (class-wide, across clones)."""

    calls = []

    def __init__(self, estimator=None, C=1.0):
        self.estimator = estimator
        self.C = C

    def fit(self, X, y):
        from sklearn.base import clone

        self.estimator_ = clone(self.estimator).set_params(clf__C=self.C).fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        return self.estimator_.predict(X)

    def predict_proba(self, X):
        type(self).calls.append(len(X))
        return self.estimator_.predict_proba(X)


@pytest.fixture(scope="module")
def weibo_small():
    from sklearn_emoji.datasets import load_weibo_dialogues

    return load_weibo_dialogues(n_samples=600, random_state=0)


def test_get_scorer_dict_calls_predict_proba_once_per_fold(weibo_small):
    from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate

    from sklearn_emoji.pipelines import make_method

    X, y, groups = weibo_small.data, weibo_small.target, weibo_small.groups
    model = _CountingClassifier(make_method("S-BOW", random_state=0))
    cv = GroupKFold(n_splits=5)

    _CountingClassifier.calls.clear()
    shared = cross_validate(model, X, y, groups=groups, cv=cv, scoring=get_scorer_dict())
    assert len(_CountingClassifier.calls) == 5  # one call per fold for all four metrics

    # the same scores as one scorer per metric, which asks the model four times per fold
    _CountingClassifier.calls.clear()
    separate = cross_validate(model, X, y, groups=groups, cv=cv, scoring=dict(get_scorer_dict()))
    assert len(_CountingClassifier.calls) == 20
    for name in ("p@1", "p@3", "mrr", "macro_f1"):
        np.testing.assert_allclose(shared[f"test_{name}"], separate[f"test_{name}"])
        assert np.all((shared[f"test_{name}"] > 0) & (shared[f"test_{name}"] <= 1))

    # a grid search: one call per candidate and fold; refit by name still works
    _CountingClassifier.calls.clear()
    search = GridSearchCV(model, {"C": [1.0, 10.0]}, scoring=get_scorer_dict(), refit="p@1", cv=3)
    search.fit(X, y)
    assert len(_CountingClassifier.calls) == 6
    assert search.best_params_["C"] in (1.0, 10.0)
    assert search.best_score_ == search.cv_results_["mean_test_p@1"][search.best_index_]
    assert {"mean_test_mrr", "mean_test_macro_f1", "rank_test_p@3"} <= set(search.cv_results_)


def test_shared_scorer_with_a_fold_missing_a_class():
    model = _FixedModel(["[泪]", "[哈哈]"], [[0.1, 0.9], [0.6, 0.4], [0.3, 0.7]])
    X, y = ["a", "b", "c"], ["[哈哈]", "[泪]", "[怒]"]  # "[怒]" never seen in fit: a miss, not a crash
    scorers = get_scorer_dict(ks=(1, 2))
    shared = scorers(model, X, y)
    assert shared == {name: pytest.approx(scorer(model, X, y)) for name, scorer in scorers.items()}
    assert shared["p@2"] == pytest.approx(2 / 3)
    assert "RankingScorers" in repr(scorers)


def test_set_scores_refuses_bytes():
    with pytest.raises(TypeError, match="label 0 of y_true is bytes"):
        set_scores([b"\xf0\x9f\x98\x82"], [["😂"]])
    with pytest.raises(TypeError, match="y_pred must be a list of labels .*, got bytes; decode it"):
        set_scores([["😂"]], b"x")
    with pytest.raises(ValueError, match="label 1 of y_pred is NaN"):
        set_scores([["😂"], ["❤"]], [["😂"], float("nan")])


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan])
@pytest.mark.parametrize("metric", [precision_at_k, mean_reciprocal_rank, macro_f1, per_emoji_f1])
def test_missing_true_labels_are_named(metric, missing):
    y = ["[哈哈]", missing, "[泪]"]
    with pytest.raises(ValueError, match="y_true holds 1 missing labels .None or NaN., the first at index 1"):
        metric(y, [[0.2, 0.8]] * 3, labels=["[哈哈]", "[泪]"])


@pytest.mark.parametrize("metric", [precision_at_k, mean_reciprocal_rank, macro_f1, per_emoji_f1, true_label_ranks])
def test_duplicate_labels_are_refused(metric):
    # issue 24: P@1 was 0.0, MRR 0.5 and macro-F1 1.0 here, silently
    with pytest.raises(ValueError, match=r"labels must be distinct.*\['a'\] repeated"):
        metric(["a"], [[0.5, 0.3, 0.2]], labels=["a", "a", "b"])


def test_top_k_emojis_refuses_a_bool_k():
    model = _FixedModel(["a", "b", "c"], [[0.2, 0.5, 0.3]])
    for k in (True, False, np.bool_(True)):
        with pytest.raises(ValueError, match="k must be a positive int"):
            top_k_emojis(model, ["x"], k=k)
    with pytest.raises(ValueError, match="k must be a positive int"):
        precision_at_k(["a"], [[0.5, 0.5]], k=True, labels=["a", "b"])
