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


def test_get_tokenizer_is_the_one_default():
    from sklearn_emoji.text import DEFAULT_TOKENIZER, TOKENIZERS, cached_tokenize_chars, get_tokenizer

    assert DEFAULT_TOKENIZER == "words" and get_tokenizer() is TOKENIZERS["words"] is cached_tokenize
    assert get_tokenizer("chars") is cached_tokenize_chars
    assert get_tokenizer(str.split) is str.split
    with pytest.raises(ValueError, match=r"one of \['chars', 'words'\]"):
        get_tokenizer("jieba")
    with pytest.raises(TypeError, match="must be a callable"):
        get_tokenizer(3)


def test_remember_tokens_feeds_the_memory_only():
    from sklearn_emoji.text import remember_tokens

    cached_tokenize.cache_clear()
    remember_tokens(["一段 已经 分好 的 话"], [["一段", "已经", "分好", "的", "话"]])
    assert cached_tokenize("一段 已经 分好 的 话") == ("一段", "已经", "分好", "的", "话")
    remember_tokens(["x y"], [["nothing"]], tokenizer=tokenize)  # no memory: ignored
    assert tokenize("x y") == ["x", "y"]
    cached_tokenize.cache_clear()
    assert cached_tokenize("一段 已经 分好 的 话") == tuple(tokenize("一段 已经 分好 的 话"))


def test_cached_tokenize_refuses_non_str_clearly():
    for bad in (None, 3, ["a"]):
        with pytest.raises(TypeError, match="must be a str"):
            cached_tokenize(bad)
