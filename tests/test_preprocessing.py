import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sklearn_emoji.preprocessing import DialogueFlattener, HierarchicalTokenizer, SequenceTokenizer

DIALOGUES = [
    ["别哭了出去吃！", "去哪吃", "我之前收藏了一天关于宁波吃的的链接。随便找一家！", "好呀好呀你啥时候有空"],
    ["太过分了啊啊啊啊", "生气啊啊啊啊"],
    "just one tweet here",
    ["A first turn", "", "the reply"],
    ["context only", ""],  # emoji-only reply, emptied by preprocessing
]


def test_flattener_modes():
    assert DialogueFlattener(turns="reply").fit_transform(DIALOGUES) == [
        "好呀好呀你啥时候有空",
        "生气啊啊啊啊",
        "just one tweet here",
        "the reply",
        "",
    ]
    out = DialogueFlattener(turns="all", sep=" || ").fit_transform(DIALOGUES)
    assert out[1] == "太过分了啊啊啊啊 || 生气啊啊啊啊"
    assert out[3] == "A first turn || the reply"  # empty turns leave no double separator
    assert DialogueFlattener(max_turns=2).fit_transform(DIALOGUES)[0].startswith("我之前")


def test_flattener_bad_params():
    with pytest.raises(ValueError, match="'turns' parameter"):
        DialogueFlattener(turns="last").fit(DIALOGUES)
    with pytest.raises(ValueError, match="'mode' parameter"):
        DialogueFlattener(mode="last").fit(DIALOGUES)


@pytest.mark.parametrize("turns", ["all", "reply"])
def test_flattener_deprecated_mode_warns_and_still_works(turns):
    old = DialogueFlattener(mode=turns, max_turns=2)
    with pytest.warns(FutureWarning, match=rf"`mode` .* renamed `turns` .* removed in 0\.3.*turns='{turns}'"):
        out = old.fit_transform(DIALOGUES)
    assert out == DialogueFlattener(turns=turns, max_turns=2).fit_transform(DIALOGUES)
    assert out[1] == ("生气啊啊啊啊" if turns == "reply" else "太过分了啊啊啊啊 | 生气啊啊啊啊")
    # Both names are parameters while the deprecation lasts, as in scikit-learn.
    params = old.get_params()
    assert params["mode"] == turns and params["turns"] == "all"
    assert DialogueFlattener().get_params()["mode"] == "deprecated"
    # The same value under both names is accepted (with the warning).
    with pytest.warns(FutureWarning):
        DialogueFlattener(turns=turns, mode=turns).fit(DIALOGUES)


def test_flattener_both_names_with_different_values_is_an_error():
    with pytest.raises(ValueError, match="mode='all' and turns='reply'.*pass only turns"):
        DialogueFlattener(turns="reply", mode="all").fit(DIALOGUES)


def test_flattener_new_name_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        for turns in ("all", "reply"):
            clone(DialogueFlattener(turns=turns)).fit_transform(DIALOGUES)


def test_flattener_pickled_before_the_rename_loads_with_turns():
    # A fitted 0.1 flattener holds `mode` only, no `turns`.
    old = DialogueFlattener().fit(DIALOGUES)
    del old.turns
    old.mode = "reply"
    flat = pickle.loads(pickle.dumps(old))
    assert flat.get_params()["turns"] == "reply" and flat.get_params()["mode"] == "deprecated"
    assert flat.transform(DIALOGUES)[0] == "好呀好呀你啥时候有空"


def test_sequence_tokenizer_ids_and_padding():
    tok = SequenceTokenizer(max_len=6).fit(["a b b c", "c c c"])
    assert tok.vocabulary_ == {"c": 2, "b": 3, "a": 4}  # by frequency
    assert tok.vocab_size_ == 5
    X = tok.transform(["a zz", "", "c c c c c c c b"])
    assert X.dtype == np.int64 and X.shape == (3, 6)
    np.testing.assert_array_equal(X[0], [4, 1, 0, 0, 0, 0])
    np.testing.assert_array_equal(X[1], [1, 0, 0, 0, 0, 0])  # empty text = one OOV
    np.testing.assert_array_equal(X[2], [2, 2, 2, 2, 2, 3])  # "pre": keeps the end
    tok_post = SequenceTokenizer(max_len=6, truncating="post").fit(["a b b c", "c c c"])
    np.testing.assert_array_equal(tok_post.transform(["c c c c c c c b"])[0], [2] * 6)


def test_sequence_tokenizer_min_freq_and_max_vocab():
    texts = ["a a a b b c", "a b d"]
    assert set(SequenceTokenizer(min_freq=2).fit(texts).vocabulary_) == {"a", "b"}
    assert set(SequenceTokenizer(max_vocab=1).fit(texts).vocabulary_) == {"a"}


def test_sequence_tokenizer_inverse_transform_round_trip():
    texts = ["我很开心", "so happy today"]
    tok = SequenceTokenizer(max_len=8).fit(texts)
    assert tok.inverse_transform(tok.transform(texts)) == [["我", "很", "开心"], ["so", "happy", "today"]]
    assert tok.inverse_transform(tok.transform(["happy unknownword"])) == [["happy", "<unk>"]]
    with pytest.raises(ValueError, match="2-D"):
        tok.inverse_transform(np.zeros((2, 3, 4), dtype=int))


def test_hierarchical_tokenizer_layout():
    tok = HierarchicalTokenizer(max_turns=3, max_len=5).fit(DIALOGUES)
    X = tok.transform(DIALOGUES)
    assert X.shape == (5, 3, 5) and X.dtype == np.int64
    n_turns = X.any(-1).sum(-1)
    np.testing.assert_array_equal(n_turns, [3, 2, 1, 3, 2])  # most recent 3 of 4 kept
    # Turns are left-aligned, padding turns are all zero.
    assert not X[1, 2].any() and not X[2, 1:].any()
    # The empty reply of the last dialogue is one OOV id, still a turn.
    np.testing.assert_array_equal(X[4, 1], [1, 0, 0, 0, 0])
    back = tok.inverse_transform(X)
    assert back[0][-1] == ["好呀好呀", "你", "啥时候", "有空"][-4:] or back[0][-1][-1] == "有空"
    assert back[2] == [["just", "one", "tweet", "here"]]


def test_hierarchical_keeps_most_recent_turns():
    tok = HierarchicalTokenizer(max_turns=2, max_len=4).fit([["one", "two", "three"]])
    assert tok.inverse_transform(tok.transform([["one", "two", "three"]])) == [[["two"], ["three"]]]


@pytest.mark.parametrize("est", [SequenceTokenizer(), HierarchicalTokenizer()])
def test_not_fitted(est):
    with pytest.raises(NotFittedError):
        est.transform(["x"])


@pytest.mark.parametrize("Est", [SequenceTokenizer, HierarchicalTokenizer])
def test_parallel_matches_serial(Est):
    texts = [f"第{i}句 话 number {i % 7} ok" for i in range(2500)]
    a = Est(n_jobs=1).fit(texts)
    b = Est(n_jobs=2).fit(texts)
    assert a.vocabulary_ == b.vocabulary_
    np.testing.assert_array_equal(a.transform(texts[:50]), b.transform(texts[:50]))


@pytest.mark.parametrize("est", [DialogueFlattener(), SequenceTokenizer(max_len=7), HierarchicalTokenizer(max_len=7)])
def test_clone_and_pickle(est):
    fitted = clone(est).fit(DIALOGUES)
    again = pickle.loads(pickle.dumps(fitted))
    a, b = fitted.transform(DIALOGUES), again.transform(DIALOGUES)
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b
    assert not hasattr(clone(fitted), "vocabulary_")


def test_sequence_tokenizer_accepts_empty_texts_after_flattening():
    # An emoji-only reply flattens to "", which the next step must accept.
    replies = DialogueFlattener(turns="reply").fit_transform([["context", ""], ["a", "b"]])
    X = SequenceTokenizer(max_len=3).fit(replies).transform(replies)
    np.testing.assert_array_equal(X[0], [1, 0, 0])


@pytest.mark.parametrize("est", [DialogueFlattener(), SequenceTokenizer(), HierarchicalTokenizer()])
@pytest.mark.parametrize(
    "bad, exc, msg",
    [
        (None, TypeError, "got None"),
        ("a single string", TypeError, "single str"),
        ([], ValueError, "is empty"),
        ([[]], ValueError, "dialogue 0 of X is empty"),
        ([["ok", 3]], TypeError, "turn 1 of dialogue 0"),
        ([None], TypeError, "dialogue 0 of X is None"),
        ([{"a": 1}], TypeError, "dialogue 0 of X is dict"),
    ],
)
def test_bad_input(est, bad, exc, msg):
    with pytest.raises(exc, match=msg):
        est.fit(bad)


@pytest.mark.parametrize("est", [DialogueFlattener(), HierarchicalTokenizer()])
def test_raw_dialogue_without_text_is_an_error(est):
    with pytest.raises(ValueError, match="dialogue 1 of X holds no text"):
        est.fit([["ok"], ["", "  "]])


@pytest.mark.parametrize("est", [DialogueFlattener(), SequenceTokenizer(), HierarchicalTokenizer()])
def test_y_of_another_length_is_reported_first(est):
    with pytest.raises(ValueError, match="X and y have different lengths: 2 samples in X, 1 labels"):
        est.fit(["a b", "c d"], ["[哈哈]"])


@pytest.mark.parametrize("Est, shape", [(SequenceTokenizer, (1, 4)), (HierarchicalTokenizer, (1, 2, 4))])
def test_inverse_transform_refuses_ids_outside_the_vocabulary(Est, shape):
    tok = Est(max_len=4).fit([["a b", "c"]] if Est is HierarchicalTokenizer else ["a b c"])
    assert tok.vocab_size_ == 5
    X = np.zeros(shape, dtype=np.int64)
    X.flat[:2] = [2, 4]
    assert tok.inverse_transform(X)  # the largest real id reads back
    for bad in (5, 1000, -1):
        X.flat[1] = bad
        with pytest.raises(ValueError, match=r"outside this tokenizer's vocabulary \(0 to 4\)"):
            tok.inverse_transform(X)
    with pytest.raises(ValueError, match="integer word ids"):
        tok.inverse_transform(np.full(shape, 2.5))
    np.testing.assert_array_equal(tok.inverse_transform(X.astype(float).clip(0)), tok.inverse_transform(X.clip(0)))


def test_fixed_vocabulary_ids_are_checked():
    for vocab in ({"a": 2, "b": 4}, {"a": 1}, {"a": 2, "b": 2}):
        with pytest.raises(ValueError, match="ids must be 2, 3"):
            SequenceTokenizer(vocabulary=vocab).fit(["a b"])
    for vocab, match in (({"a": True, "b": 3}, "ids must be ints"), ({"a": 2.0}, "ids must be ints"), ({3: 2}, "keys")):
        with pytest.raises(TypeError, match=match):
            SequenceTokenizer(vocabulary=vocab).fit(["a b"])
    tok = SequenceTokenizer(vocabulary={"b": 2, "a": 3}, max_len=3).fit(["a b zz"])
    assert tok.vocab_size_ == 4
    np.testing.assert_array_equal(tok.transform(["a b zz"]), [[3, 2, 1]])


@pytest.mark.parametrize("Est", [SequenceTokenizer, HierarchicalTokenizer])
def test_tokenizer_by_name_and_fit_transform(Est):
    X = [["我很开心", "好开心!!"], ["so happy"]]
    X = X if Est is HierarchicalTokenizer else [" ".join(d) for d in X]
    chars = Est(tokenizer="chars", max_len=6).fit(X)
    assert {"开", "心"} <= set(chars.vocabulary_) and "开心" not in chars.vocabulary_
    assert "开心" in Est(tokenizer="words").fit(X).vocabulary_
    np.testing.assert_array_equal(Est(tokenizer="chars", max_len=6).fit_transform(X), chars.transform(X))
    with pytest.raises(ValueError, match="tokenizer"):
        Est(tokenizer="jieba").fit(X)
