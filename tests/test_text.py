import pickle

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from sklearn_emoji.text import cached_tokenize, clean_text, tokenize


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("回复@小明:太好看了[哈哈]", "太好看了[哈哈]"),
        ("回复 @小明 ： 好的", "好的"),
        ("我也觉得//@小红: 转发一下//@小蓝:原文", "我也觉得"),
        ("好想去[偷笑]@未来使者2112:这条路就是所谓的成都二环路", "好想去[偷笑]"),
        ("@张三 @李四 快来看", "快来看"),
        ("看这里 http://t.cn/zAbC123 好厉害", "看这里 好厉害"),
        ("see https://example.com/x?y=1 and www.foo.org now", "see and now"),
        ("@user thanks! :)", "thanks! :)"),
        ("plain text", "plain text"),
        ("看看这个的“装修”吧http:", "看看这个的“装修”吧"),
        ("1\u200b\u200b25 号\ufeff", "125 号"),
        ("coder 👩\u200d💻", "coder 👩\u200d💻"),
        ("", ""),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_tokenize_mixed_script():
    toks = tokenize("我今天很开心!!! Great DAY :) [哈哈]👍🏽 at 12:30, don't #blessed ^_^ <3")
    assert toks[:4] == ["我", "今天", "很", "开心"]
    for t in ["!!!", "great", "day", ":)", "[哈哈]", "👍🏽", "12:30", "don't", "#blessed", "^_^", "<3"]:
        assert t in toks, t
    assert "DAY" not in toks  # Latin is lower-cased


def test_tokenize_punctuation_runs_and_emoticons():
    assert tokenize("what?? ok!!! ：） :-( ;) XD")[:4] == ["what", "??", "ok", "!!!"]
    assert ":-(" in tokenize("so sad :-(")
    assert ";)" in tokenize("wink ;)")


def test_tokenize_empty_and_whitespace():
    assert tokenize("") == []
    assert tokenize("   ") == []


@pytest.mark.parametrize("bad", [None, 1, ["a"]])
def test_bad_types(bad):
    with pytest.raises(TypeError, match="must be a str"):
        tokenize(bad)
    with pytest.raises(TypeError, match="must be a str"):
        clean_text(bad)


def test_usable_as_analyzer_and_picklable():
    vec = TfidfVectorizer(analyzer=tokenize).fit(["我很开心", "我很难过 :("])
    assert {"开心", "难过", ":("} <= set(vec.vocabulary_)
    vec2 = pickle.loads(pickle.dumps(vec))
    assert (vec2.transform(["开心"]) != vec.transform(["开心"])).nnz == 0
    assert pickle.loads(pickle.dumps(cached_tokenize)) is cached_tokenize


def test_cached_tokenize_matches_tokenize():
    text = "回来了[哈哈] so tired..."
    assert cached_tokenize(text) == tuple(tokenize(text))
