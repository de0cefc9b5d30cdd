"""EN-LINEAR+SVM: the vote of EN-LINEAR and a calibrated SVM, on real TweetEval tweets."""

import numpy as np
import pytest

from sklearn_emoji.calibration import PriorShiftClassifier
from sklearn_emoji.datasets import load_tweeteval_emoji
from sklearn_emoji.metrics import macro_f1, precision_at_k
from sklearn_emoji.pipelines import make_method, method_info


@pytest.fixture(scope="module")
def tweets(data_home):
    X, y = load_tweeteval_emoji("train", return_X_y=True)
    X_val, y_val = load_tweeteval_emoji("validation", return_X_y=True)
    return X[:1500], np.asarray(y[:1500]), X_val[:1000], np.asarray(y_val[:1000])


def test_en_linear_svm_is_registered():
    info = method_info("en-linear+svm")
    assert info.name == "EN-LINEAR+SVM" and info.language == "en" and not info.neural and not info.takes_groups
    model = make_method("EN-LINEAR+SVM", random_state=0, estimator__svm__clf__estimator__C=0.3)
    assert isinstance(model, PriorShiftClassifier) and model.power == 0.5
    params = model.get_params()
    assert params["estimator__voting"] == "soft" and params["estimator__weights"] is None
    assert params["estimator__linear__clf__power"] == 0.0  # EN-LINEAR unshifted inside the vote
    assert params["estimator__svm__clf__estimator__C"] == 0.3
    assert params["estimator__svm__clf__estimator__random_state"] == 0


def test_en_linear_svm_fits_real_tweets(tweets):
    X, y, X_val, y_val = tweets
    assert len(np.unique(y)) == 20
    model = make_method("EN-LINEAR+SVM", random_state=0).fit(X, y)
    proba = model.predict_proba(X_val)
    assert proba.shape == (len(X_val), 20)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(model.predict(X_val), model.classes_[proba.argmax(axis=1)])
    # The shift of the mean of the two halves' probabilities, as documented.
    vote = model.estimator_
    halves = [est.predict_proba(X_val) for est in vote.estimators_]
    mean = (halves[0] + halves[1]) / 2 * model.class_weight_
    np.testing.assert_allclose(proba, mean / mean.sum(axis=1, keepdims=True))
    p1 = precision_at_k(y_val, proba, k=1, labels=model.classes_)
    # Measured: P@1 0.23 and macro-F1 0.16 on these 1,500 / 1,000 tweets; chance is 0.05.
    assert p1 > 0.15
    assert macro_f1(y_val, proba, labels=model.classes_) > 0.08
