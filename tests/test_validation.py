"""Inputs as users hold them: containers of dialogues, labels, groups and emoji targets.

The parsers of :mod:`sklearn_emoji._validation` are tested directly, then
through every public entry point that reads dialogues: a pandas DataFrame,
a Series, a NumPy array and a list of the same real Weibo dialogues must give
the same outputs, and what is refused is refused by name.
"""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import clone

import sklearn_emoji._validation
from sklearn_emoji import LexiconEmojiRecommender, make_method
from sklearn_emoji._validation import (
    check_dialogues,
    check_emoji_targets,
    check_groups,
    check_labels,
    check_texts,
    check_y_length,
)
from sklearn_emoji.datasets import load_weibo_dialogues
from sklearn_emoji.metrics import set_scores
from sklearn_emoji.preprocessing import DialogueFlattener, HierarchicalTokenizer, SequenceTokenizer

DIALOGUES = [["今天好开心", "我也是哈哈哈"], ["太难过了", "别哭了"], "just a tweet"]


def _object_array(rows):
    out = np.empty(len(rows), dtype=object)
    out[:] = rows
    return out


@pytest.fixture(scope="module")
def weibo():
    return load_weibo_dialogues(n_samples=200, random_state=0)


# ----------------------------------------------------------------------
# containers
# ----------------------------------------------------------------------
TEXTS = ["a tweet", "another one", "哈哈哈"]
CONTAINERS_OF_TEXTS = {
    "list": lambda v: list(v),
    "tuple": lambda v: tuple(v),
    "array": lambda v: np.asarray(v),
    "column-array": lambda v: np.asarray(v)[:, None],
    "object-array": lambda v: np.asarray(v, dtype=object),
    "Series": lambda v: pd.Series(v, index=[10, 20, 30]),  # the index is not the order
    "DataFrame": lambda v: pd.DataFrame({"text": v}),
    "string-Series": lambda v: pd.Series(v, dtype="string"),
    "Index": lambda v: pd.Index(v),
}


@pytest.mark.parametrize("make", CONTAINERS_OF_TEXTS.values(), ids=CONTAINERS_OF_TEXTS.keys())
def test_every_container_of_texts_means_the_same_rows(make):
    out = check_dialogues(make(TEXTS))
    assert out == [(t,) for t in TEXTS]
    assert all(type(t) is str for d in out for t in d)  # np.str_ becomes str


CONTAINERS_OF_DIALOGUES = {
    "list": lambda v: list(v),
    "object-array": _object_array,
    "Series": lambda v: pd.Series(v),
    "DataFrame": lambda v: pd.DataFrame({"dialogue": v}),
    "DataFrame-of-arrays": lambda v: pd.DataFrame({"dialogue": [np.asarray(d) for d in v]}),
}


@pytest.mark.parametrize("make", CONTAINERS_OF_DIALOGUES.values(), ids=CONTAINERS_OF_DIALOGUES.keys())
def test_every_container_of_dialogues_means_the_same_dialogues(make):
    expected = [tuple(d) if not isinstance(d, str) else (d,) for d in DIALOGUES]
    assert check_dialogues(make(DIALOGUES)) == expected
    assert check_texts(make(DIALOGUES)) == [" ".join(d) for d in expected]


@pytest.mark.parametrize(
    "bad, exc, match",
    [
        (None, TypeError, "got None"),
        ("one text", TypeError, "single str; wrap it in a list"),
        (b"bytes", TypeError, "got bytes; decode it"),
        ({"a": "b"}, TypeError, "got dict"),
        ({"a", "b"}, TypeError, "set has no order"),
        (frozenset({"a"}), TypeError, "set has no order"),
        ((t for t in ["a"]), TypeError, "read only once"),
        (iter(["a"]), TypeError, "read only once"),
        (3, TypeError, "got int"),
        (3.5, TypeError, "got float"),
        (np.array("a"), ValueError, "1-D"),
        (np.array([["a", "b"], ["c", "d"]]), ValueError, r"shape \(2, 2\)"),
        (pd.DataFrame({"a": ["x"], "b": ["y"]}), ValueError, r"2 columns \['a', 'b'\].*X\['a'\]"),
        (pd.DataFrame(index=[0, 1]), ValueError, "0 columns"),
        ([], ValueError, "is empty"),
        (pd.Series([], dtype=object), ValueError, "is empty"),
        (["ok", None], TypeError, "dialogue 1 of X is None"),
        (pd.Series(["ok", None], dtype=object), TypeError, "dialogue 1 of X is None"),
        (pd.Series(["ok", np.nan]), TypeError, "dialogue 1 of X is NaN"),
        (pd.Series(["ok", pd.NA], dtype="string"), TypeError, "dialogue 1 of X is <NA>"),
        (["ok", b"bytes"], TypeError, "dialogue 1 of X is bytes"),
        (["ok", {"a"}], TypeError, "dialogue 1 of X is set"),
        (["ok", ["turn", ["nested"]]], TypeError, "turn 1 of dialogue 1 of X is list"),
        ([np.array([["a"]])], TypeError, "dialogue 0 of X is an array of shape"),
        ([[]], ValueError, "dialogue 0 of X is empty"),
        ([["", " "]], ValueError, "dialogue 0 of X holds no text"),
    ],
)
def test_bad_containers_are_refused_by_name(bad, exc, match):
    with pytest.raises(exc, match=match):
        check_dialogues(bad)


def test_deep_nesting_is_refused_without_recursion():
    deep = "text"
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(TypeError, match="turn 0 of dialogue 0 of X is list"):
        check_dialogues(deep)
    with pytest.raises(TypeError, match="label list must be flat"):
        check_emoji_targets(deep)


def test_what_names_the_argument():
    with pytest.raises(TypeError, match="texts must be a list"):
        check_dialogues(None, what="texts")
    with pytest.raises(ValueError, match="reply \\(last turn\\) of dialogue 0 of X is empty"):
        check_dialogues([["context", ""]], allow_empty_reply=False)
    assert check_dialogues([["", " "]], allow_empty=True) == [("", " ")]


def test_works_without_pandas():
    # pandas stays optional: sys.modules["pandas"] = None makes "import pandas" fail, as if not installed.
    code = (
        "import sys\n"
        "sys.modules['pandas'] = None\n"
        "from sklearn_emoji.preprocessing import DialogueFlattener\n"
        "from sklearn_emoji._validation import check_labels, check_emoji_targets\n"
        "print(DialogueFlattener().fit_transform([['a', 'b'], 'c']), check_labels(['x', 'y']).tolist(),\n"
        "      check_emoji_targets(['x', ['y', 'y']]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "['a | b', 'c'] ['x', 'y'] [['x'], ['y', 'y']]" in done.stdout
    source = Path(sklearn_emoji._validation.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from) pandas", source, flags=re.MULTILINE)  # doctests may


# ----------------------------------------------------------------------
# a DataFrame end to end, on real dialogues
# ----------------------------------------------------------------------
def _forms(weibo, n):
    """The same n real dialogues as a list, a Series, a DataFrame and an object array."""
    rows = [list(d) for d in weibo.data[:n]]
    return {
        "list": rows,
        "Series": pd.Series(rows, name="dialogue"),
        "DataFrame": pd.DataFrame({"dialogue": rows}),
        "array": _object_array(rows),
    }


def _same(a, b):
    if hasattr(a, "toarray"):
        a, b = a.toarray(), b.toarray()
    if isinstance(a, np.ndarray):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    else:
        assert a == b


@pytest.mark.parametrize(
    "est",
    [
        DialogueFlattener(),
        DialogueFlattener(turns="reply"),
        SequenceTokenizer(max_len=12),
        HierarchicalTokenizer(max_turns=3, max_len=12),
    ],
    ids=["flatten-all", "flatten-reply", "sequence", "hierarchical"],
)
def test_transformers_read_a_dataframe_as_its_rows(weibo, est):
    forms = _forms(weibo, 60)
    reference = clone(est).fit(forms["list"]).transform(forms["list"])
    assert len(reference) == 60
    for name in ("Series", "DataFrame", "array"):
        fitted = clone(est).fit(forms[name], pd.Series(weibo.target[:60]))
        _same(fitted.transform(forms[name]), reference)


def test_a_dataframe_of_texts_through_the_flattener():
    # The bug of issue 13: this returned ['text'] (the column names).
    df = pd.DataFrame({"text": ["a b", "c d", "a c", "b d"]})
    assert DialogueFlattener().fit_transform(df) == ["a b", "c d", "a c", "b d"]


@pytest.mark.parametrize("method", ["F-BOW", "LEXICON"])
def test_models_fit_and_predict_a_dataframe(weibo, method):
    forms = _forms(weibo, 200)
    y = weibo.target[:200]
    params = {"tfidf__min_df": 1} if method == "F-BOW" else {"max_iter": 1}
    reference = make_method(method, random_state=0, **params).fit(forms["list"], y)
    model = make_method(method, random_state=0, **params).fit(forms["DataFrame"], pd.Series(y))
    proba = model.predict_proba(forms["DataFrame"])
    assert proba.shape == (200, len(reference.classes_))  # one row per dialogue, not per column
    np.testing.assert_allclose(proba, reference.predict_proba(forms["list"]), rtol=1e-6)
    assert model.predict(forms["Series"]).tolist() == reference.predict(forms["list"]).tolist()


def test_lexicon_partial_fit_reads_a_dataframe(weibo):
    forms = _forms(weibo, 120)
    y = list(weibo.target[:120])
    a = LexiconEmojiRecommender(max_iter=1).partial_fit(forms["list"][:60], y[:60])
    a.partial_fit(forms["list"][60:], y[60:])
    b = LexiconEmojiRecommender(max_iter=1).partial_fit(forms["DataFrame"].iloc[:60], y[:60])
    b.partial_fit(forms["DataFrame"].iloc[60:], pd.Series(y[60:]))
    assert len(b.vocabulary_) > 10  # learned from the texts, not from the column name
    np.testing.assert_allclose(b.predict_proba(forms["list"]), a.predict_proba(forms["list"]), rtol=1e-6)


@pytest.mark.parametrize("method", ["S-LSTM", "H-LSTM"])
def test_lstm_pipeline_reads_a_dataframe(weibo, method):
    pytest.importorskip("torch")
    forms = _forms(weibo, 80)
    y = weibo.target[:80]
    tiny = dict(
        clf__embedding_dim=4, clf__hidden_dim=4, clf__max_epochs=1, clf__batch_size=40, clf__validation_fraction=None
    )
    reference = make_method(method, random_state=0, tokens__min_freq=1, **tiny).fit(forms["list"], y)
    model = make_method(method, random_state=0, tokens__min_freq=1, **tiny).fit(forms["DataFrame"], pd.Series(y))
    proba = model.predict_proba(forms["DataFrame"])
    assert proba.shape == (80, len(reference.classes_))
    np.testing.assert_allclose(proba, reference.predict_proba(forms["list"]), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------
# labels
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "y, expected",
    [
        (["😂", "[哈哈]"], ["😂", "[哈哈]"]),
        (np.array(["😂", "[哈哈]"]), ["😂", "[哈哈]"]),
        (pd.Series(["😂", "[哈哈]"], index=[5, 3]), ["😂", "[哈哈]"]),
        (pd.DataFrame({"emoji": ["😂", "[哈哈]"]}), ["😂", "[哈哈]"]),
        (np.array([["😂"], ["[哈哈]"]]), ["😂", "[哈哈]"]),
        ([1, 2], [1, 2]),
        (np.array([1.0, 2.0]), [1.0, 2.0]),
        ([1, 2.0], [1, 2]),
        ([True, False], [True, False]),
    ],
)
def test_check_labels_accepts(y, expected):
    out = check_labels(y, n_samples=2)
    assert isinstance(out, np.ndarray) and out.ndim == 1
    assert out.tolist() == expected
    if isinstance(expected[0], str):
        assert out.dtype == object and all(type(v) is str for v in out)


@pytest.mark.parametrize(
    "y, exc, match",
    [
        (None, TypeError, "y is None"),
        ("😂", TypeError, "single str"),
        ({"a": 1}, TypeError, "got dict"),
        (["😂", float("nan")], ValueError, "label 1 of y is NaN"),
        (np.array([1.0, np.nan]), ValueError, "label 1 of y is NaN"),
        (["😂", None], ValueError, "label 1 of y is None"),
        (pd.Series(["😂", pd.NA], dtype="string"), ValueError, "label 1 of y is <NA>"),
        ([1.0, np.inf], ValueError, "label 1 of y is inf"),
        (["a", 1], TypeError, r"y mixes label types: number \(1\) and str \('a'\)"),
        ([True, 1], TypeError, "mixes label types"),
        ([0.5, 1.0], TypeError, "label 0 of y is the float 0.5"),
        (np.array([0.5, 1.0]), TypeError, "label 0 of y is the float 0.5"),
        ([["a"], ["b"]], TypeError, "label 0 of y is list"),
        (np.array([["a", "b"], ["c", "d"]]), ValueError, "1-D"),
        (np.array([b"a", b"b"]), TypeError, "dtype"),
        ([], ValueError, "y is empty"),
        (["a", "b", "c"], ValueError, "X and y have different lengths: 2 samples in X, 3 labels in y"),
    ],
)
def test_check_labels_refuses(y, exc, match):
    with pytest.raises(exc, match=match):
        check_labels(y, n_samples=None if isinstance(y, list) and not y else 2)


def test_check_labels_keeps_the_type_of_known_classes():
    assert check_labels(["c"], classes=np.array(["a", "b"])).tolist() == ["c"]
    with pytest.raises(TypeError, match="mixes label types"):
        check_labels([3], classes=np.array(["a", "b"]))


@pytest.mark.parametrize(
    "y, exc, match",
    [
        ([float("nan"), "x", "x", "y"], ValueError, "label 0 of y is NaN"),
        ([None, "x", "x", "y"], ValueError, "label 0 of y is None"),
        (["a", 1, "x", "y"], TypeError, "mixes label types"),
        (pd.Series(["a", None, "x", "y"], dtype=object), ValueError, "label 1 of y is None"),
        (["x", "y"], ValueError, "different lengths"),
    ],
)
@pytest.mark.parametrize("method", ["S-BOW", "F-BOW", "LEXICON+BOW", "EN-LINEAR"])
def test_pipelines_refuse_bad_labels_before_any_work(method, y, exc, match):
    # The first step (DialogueFlattener) checks y: no class "nan", no ["a", "1"].
    X = ["a b", "c d", "a c", "b d"]
    with pytest.raises(exc, match=match):
        make_method(method).fit(X, y)


@pytest.mark.parametrize(
    "y",
    [
        [1.5, 2.5, 1.5, 2.5],
        np.zeros((4, 2)),
        pd.DataFrame({"a": [0, 1, 0, 1], "b": [1, 1, 0, 0]}),
        sparse.csr_matrix(np.eye(4)),
        [["x"], ["x", "y"], [], ["y"]],
    ],
    ids=["continuous", "2-D", "2-column-DataFrame", "sparse", "emoji-lists"],
)
def test_transformers_leave_valid_targets_alone(y):
    # A transformer cannot know its final step: regression, multi-output and
    # multi-label targets pass; only what is wrong for every model is refused.
    X = ["a b", "c d", "a c", "b d"]
    assert len(DialogueFlattener().fit_transform(X, y)) == 4
    assert SequenceTokenizer().fit(X, y).transform(X).shape[0] == 4
    check_y_length(y, 4)


def test_check_y_length_refuses_non_finite_multi_output():
    with pytest.raises(ValueError, match="NaN or infinite"):
        check_y_length(np.array([[0.0, np.nan]]), 1)
    with pytest.raises(ValueError, match="1 samples in X, 2 rows in y"):
        check_y_length(np.zeros((2, 2)), 1)
    with pytest.raises(ValueError, match="NaN or infinite"):
        check_y_length(pd.DataFrame({"a": [0.0], "b": [np.inf]}), 1)


@pytest.mark.parametrize(
    "y, exc, match",
    [
        ([float("nan"), "x", "x", "y"], (ValueError, TypeError), "label 0"),
        (["a", 1, "x", "y"], TypeError, "mix"),
        ([None, "x", "x", "y"], ValueError, "label 0"),
    ],
)
def test_lexicon_refuses_bad_labels(y, exc, match):
    with pytest.raises(exc, match=match):
        LexiconEmojiRecommender().fit(["a b", "c d", "a c", "b d"], y)


def test_lexicon_partial_fit_refuses_labels_of_another_type():
    lex = LexiconEmojiRecommender(max_iter=0).fit(["a b", "c d"], ["x", "y"])
    with pytest.raises(TypeError, match="label"):
        lex.partial_fit(["a c", "b d"], [1, 2])
    assert lex.classes_.tolist() == ["x", "y"]  # refused before anything was learned


# ----------------------------------------------------------------------
# groups
# ----------------------------------------------------------------------
def test_check_groups():
    assert check_groups(None, n_samples=3) is None
    assert check_groups(pd.Series(["p1", "p1", "p2"]), n_samples=3).tolist() == ["p1", "p1", "p2"]
    assert check_groups([0.5, 0.5, 1.5]).tolist() == [0.5, 0.5, 1.5]  # any finite number is a group
    with pytest.raises(ValueError, match="group 1 of groups is None"):
        check_groups(["p1", None, "p2"])
    with pytest.raises(ValueError, match="group 0 of groups is NaN"):
        check_groups(np.array([np.nan, 1.0]))
    with pytest.raises(TypeError, match="groups mixes group types"):
        check_groups(["p1", 2])
    with pytest.raises(ValueError, match="3 samples in X, 2 groups in groups"):
        check_groups(["p1", "p2"], n_samples=3)


# ----------------------------------------------------------------------
# emoji targets (one or several emojis per sample)
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "y, expected",
    [
        (["😂", ["😂", "😂"], ("🔥",)], [["😂"], ["😂", "😂"], ["🔥"]]),
        ([{"🔥", "😂"}, "x", np.array(["a", "b"])], [["🔥", "😂"], ["x"], ["a", "b"]]),
        (np.array([["a", "b"], ["c", "d"], ["e", "f"]]), [["a", "b"], ["c", "d"], ["e", "f"]]),
        (pd.Series([["a"], "b", ["c", "c"]]), [["a"], ["b"], ["c", "c"]]),
        (pd.DataFrame({"emojis": [["a"], "b", ["c"]]}), [["a"], ["b"], ["c"]]),
        ([1, [2, 2], np.int64(3)], [[1], [2, 2], [3]]),
    ],
)
def test_check_emoji_targets_accepts(y, expected):
    out = check_emoji_targets(y, n_samples=3)
    assert [sorted(v, key=str) for v in out] == [sorted(v, key=str) for v in expected]
    assert all(type(e) is str for v in out for e in v if isinstance(e, str))


@pytest.mark.parametrize(
    "y, exc, match",
    [
        (None, TypeError, "y is None"),
        ("😂", TypeError, "single str"),
        ({"😂"}, TypeError, "set has no order"),
        (["a", []], ValueError, "label 1 of y is an empty list"),
        (["a", None], ValueError, "label 1 of y is None"),
        (["a", ["b", float("nan")]], ValueError, "label 1 of y is NaN"),
        (["a", ["b", 1]], TypeError, "mixes label types"),
        (["a", ["b", ["c"]]], TypeError, "label list must be flat"),
        (["a", {"b": 1}], TypeError, "label 1 of y is dict"),
        (["a", 1.5], TypeError, "label 1 of y is the float 1.5"),
        (np.array([[0, 1], [1, 0]]), ValueError, "label-indicator matrix"),
        (["a"], ValueError, "2 samples in X, 1 labels in y"),
    ],
)
def test_check_emoji_targets_refuses(y, exc, match):
    with pytest.raises(exc, match=match):
        check_emoji_targets(y, n_samples=2)


def test_check_emoji_targets_empty_lists_and_known_classes():
    assert check_emoji_targets([[], ["a"]], allow_empty=True) == [[], ["a"]]
    with pytest.raises(TypeError, match="mixes label types"):
        check_emoji_targets([[1]], classes=["a", "b"])


def test_set_scores_refuse_missing_emojis():
    with pytest.raises(ValueError, match="NaN"):
        set_scores([["😂", float("nan")]], [["😂"]])


def test_extract_emoji_targets_reads_a_dataframe():
    from sklearn_emoji.lexicon import extract_emoji_targets

    df = pd.DataFrame({"text": ["好笑[哈哈][哈哈]", "难过[泪]"]})
    assert extract_emoji_targets(df) == (["好笑", "难过"], [["[哈哈]", "[哈哈]"], ["[泪]"]])


def test_voting_method_refuses_nan_labels():
    model = make_method(
        "H-LSTM+LEXICON",
        hlstm__clf__embedding_dim=4,
        hlstm__clf__hidden_dim=4,
        hlstm__clf__max_epochs=1,
        hlstm__clf__validation_fraction=None,
        fbow__tfidf__min_df=1,
    )
    with pytest.raises(ValueError, match="NaN"):
        model.fit(["a b", "c d", "a c", "b d"], [float("nan"), "x", "x", "y"])


# --------------------------------------------------------------------------
# issue 24: clear, early errors
# --------------------------------------------------------------------------
def test_lexicon_predict_before_fit_is_not_fitted_error():
    from sklearn.exceptions import NotFittedError

    from sklearn_emoji.lexicon import LexiconEmojiRecommender

    for method in ("predict", "predict_proba"):
        with pytest.raises(NotFittedError):
            getattr(LexiconEmojiRecommender(), method)(["好开心"])


def test_explain_attention_on_a_model_without_attention_says_so():
    from sklearn.exceptions import NotFittedError

    from sklearn_emoji.inspection import explain_attention
    from sklearn_emoji.pipelines import make_method

    X, y = [["好开心"], ["好难过"], ["开心"], ["难过"]] * 3, ["[哈哈]", "[泪]"] * 6
    with pytest.raises(NotFittedError):
        explain_attention(make_method("F-BOW"), X[:1])
    with pytest.raises(TypeError, match="LogisticRegression, which has no attention weights"):
        explain_attention(make_method("F-BOW").fit(X, y), X[:1])


@pytest.mark.parametrize("name", ["SequenceTokenizer", "HierarchicalTokenizer"])
def test_tokenizer_n_jobs_zero_is_refused_by_name(name):
    from sklearn.utils._param_validation import InvalidParameterError

    from sklearn_emoji import preprocessing

    with pytest.raises(InvalidParameterError, match="'n_jobs' parameter of " + name):
        getattr(preprocessing, name)(n_jobs=0).fit([["好开心"]])
    getattr(preprocessing, name)(n_jobs=-2).fit([["好开心"]])  # joblib's "all cores but one"


def test_grouped_stacking_refuses_mixed_label_types():
    from sklearn_emoji.ensemble import GroupedStackingClassifier
    from sklearn_emoji.pipelines import make_method

    X, y = [["好开心"], ["好难过"], ["开心"], ["难过"]] * 3, ["[哈哈]", 1] * 6
    with pytest.raises(TypeError, match="mix"):
        GroupedStackingClassifier([("fbow", make_method("F-BOW"))], cv=2).fit(X, y)
