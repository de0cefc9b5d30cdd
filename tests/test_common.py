"""Contract tests run over every public estimator of the package.

scikit-learn's ``check_estimator`` feeds numeric arrays, which text
estimators reject by design, so the applicable checks are called one by one
and the rest of the contract (fit returns self, NotFittedError, pickling,
clone, idempotent fit, sample-order invariance, a one-column DataFrame and a
Series giving the same outputs as lists, missing and mixed-type labels
refused) is checked on dialogues.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks as ec

import sklearn_emoji
from sklearn_emoji.preprocessing import DialogueFlattener, HierarchicalTokenizer, SequenceTokenizer

DIALOGUES = [
    ["今天好开心", "我也是哈哈哈"],
    ["太难过了", "别哭了"],
    ["so happy today", "me too!!!"],
    ["so sad", "don't cry"],
    ["好开心啊", "哈哈哈太好了"],
    ["好难过", "抱抱"],
    ["great news", "yay!!!"],
    ["bad news", "oh no"],
] * 3
LABELS = ["[哈哈]", "[泪]", "😂", "😢"] * 6


def _neural(cls, tokenizer):
    X = tokenizer.fit_transform(DIALOGUES)
    est = cls(embedding_dim=8, hidden_dim=8, max_epochs=2, batch_size=8, random_state=0)
    return est, X


# Built on first use (the ``case`` fixture), never at collection time: the
# neural cases' inputs come from fitted tokenizers.
_BUILDERS = {
    "DialogueFlattener": lambda: (DialogueFlattener(), DIALOGUES),
    "SequenceTokenizer": lambda: (SequenceTokenizer(max_len=8), DIALOGUES),
    "HierarchicalTokenizer": lambda: (HierarchicalTokenizer(max_turns=3, max_len=8), DIALOGUES),
    "SLSTMClassifier": lambda: _neural(sklearn_emoji.SLSTMClassifier, SequenceTokenizer(max_len=8)),
    "FLSTMClassifier": lambda: _neural(sklearn_emoji.FLSTMClassifier, SequenceTokenizer(max_len=16)),
    "HLSTMClassifier": lambda: _neural(sklearn_emoji.HLSTMClassifier, HierarchicalTokenizer(max_turns=3, max_len=8)),
    "LexiconEmojiRecommender": lambda: (sklearn_emoji.LexiconEmojiRecommender(), DIALOGUES),
    "SiblingLexiconFeatures": lambda: (sklearn_emoji.SiblingLexiconFeatures(), DIALOGUES),
    "PriorShiftClassifier": lambda: (
        sklearn_emoji.PriorShiftClassifier(sklearn_emoji.make_method("S-BOW", tfidf__min_df=1)),
        DIALOGUES,
    ),
}
IDS = list(_BUILDERS)


@pytest.fixture(scope="session")
def built_cases():
    return {}


@pytest.fixture(params=IDS)
def case(request, built_cases):
    """``(name, unfitted estimator, X)``, each built once per session."""
    name = request.param
    if name not in built_cases:
        built_cases[name] = _BUILDERS[name]()
    est, X = built_cases[name]
    return name, est, X


GENERIC_CHECKS = [
    ec.check_no_attributes_set_in_init,
    ec.check_parameters_default_constructible,
    ec.check_get_params_invariance,
    ec.check_set_params,
    ec.check_estimator_cloneable,
    ec.check_estimator_repr,
    ec.check_estimator_tags_renamed,
    ec.check_valid_tag_types,
    ec.check_mixin_order,
    ec.check_do_not_raise_errors_in_init_or_set_params,
]


def _outputs(est, X):
    if is_classifier(est):
        return est.predict_proba(X)
    out = est.transform(X)
    return out.toarray() if hasattr(out, "toarray") else out


def _assert_same(a, b):
    if isinstance(a, np.ndarray) or hasattr(a, "shape"):
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-5, atol=1e-6)
    else:
        assert a == b


def _subset(X, idx):
    return X[idx] if isinstance(X, np.ndarray) else [X[i] for i in idx]


@pytest.mark.parametrize("check", GENERIC_CHECKS, ids=lambda c: c.__name__)
def test_sklearn_generic_checks(case, check):
    name, est, X = case
    check(name, clone(est))


def test_fit_contract(case):
    name, est, X = case
    y = np.asarray(LABELS, dtype=object)
    est = clone(est)
    if est.__sklearn_tags__().requires_fit:  # the tag says what transform/predict do before fit
        with pytest.raises(NotFittedError):
            _outputs(est, X)
    else:
        _outputs(est, X)
    assert est.fit(X, y) is est
    learned = [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]
    assert learned, "a fitted estimator exposes learned attributes ending in _"
    # clone gives an unfitted copy with the same parameters
    fresh = clone(est)
    assert not any(k.endswith("_") and not k.startswith("_") for k in vars(fresh))
    assert fresh.get_params().keys() == est.get_params().keys()
    # pickling round trip gives the same outputs
    first = _outputs(est, X)
    again = pickle.loads(pickle.dumps(est))
    _assert_same(first, _outputs(again, X))
    # the output of a sample does not depend on its batch companions
    idx = np.arange(len(y))[::-1]
    _assert_same(_subset(first, idx), _outputs(est, _subset(X, idx)))
    if is_classifier(est):
        assert [str(c) for c in est.classes_] == sorted(set(LABELS))
        np.testing.assert_allclose(first.sum(axis=1), 1.0, rtol=1e-5)
        assert set(est.predict(X)) <= set(LABELS)


def test_tags_say_what_input_is_taken(case):
    name, est, X = case
    tags = est.__sklearn_tags__()
    takes_text = not isinstance(X, np.ndarray)
    assert tags.input_tags.string is takes_text
    if takes_text:
        assert tags.input_tags.two_d_array is False


def _as_pandas(X):
    """The same samples as a one-column DataFrame (text input) or unchanged (token-id arrays)."""
    import pandas as pd

    if isinstance(X, np.ndarray):
        return X
    return pd.DataFrame({"dialogue": [list(d) if not isinstance(d, str) else d for d in X]})


def test_pandas_input_gives_the_same_outputs(case):
    name, est, X = case
    # Inputs as users hold them: a one-column DataFrame of dialogues and a Series of labels.
    pd = pytest.importorskip("pandas")
    y = np.asarray(LABELS, dtype=object)
    reference = _outputs(clone(est).fit(X, y), X)
    fitted = clone(est).fit(_as_pandas(X), pd.Series(y, index=np.arange(len(y))[::-1]))
    _assert_same(reference, _outputs(fitted, _as_pandas(X)))


@pytest.mark.parametrize(
    "bad, exc, match",
    [
        (float("nan"), ValueError, "label 3 of y is NaN"),
        (None, ValueError, "label 3 of y is None"),
        (7, TypeError, "mix"),
    ],
    ids=["nan", "none", "mixed"],
)
def test_bad_labels_are_refused(case, bad, exc, match):
    name, est, X = case
    # No class "nan", no silent ["a", "7"]: every estimator that takes y refuses these by name.
    y = list(LABELS)
    y[3] = bad
    with pytest.raises(exc, match=match):
        clone(est).fit(X, y)
