import pickle

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
    assert DialogueFlattener(mode="reply").fit_transform(DIALOGUES) == [
        "好呀好呀你啥时候有空",
        "生气啊啊啊啊",
        "just one tweet here",
        "the reply",
        "",
    ]
    out = DialogueFlattener(mode="all", sep=" || ").fit_transform(DIALOGUES)
    assert out[1] == "太过分了啊啊啊啊 || 生气啊啊啊啊"
    assert out[3] == "A first turn || the reply"  # empty turns leave no double separator
    assert DialogueFlattener(max_turns=2).fit_transform(DIALOGUES)[0].startswith("我之前")


def test_flattener_bad_params():
    with pytest.raises(ValueError, match="mode"):
        DialogueFlattener(mode="last").fit(DIALOGUES)


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
    replies = DialogueFlattener(mode="reply").fit_transform([["context", ""], ["a", "b"]])
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
