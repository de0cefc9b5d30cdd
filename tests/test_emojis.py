import pickle

import pytest

from sklearn_emoji.emojis import WEIBO_CODE_PATTERN, count_emojis, find_emojis, is_emoji, strip_emojis


@pytest.mark.parametrize(
    "text, expected",
    [
        ("好开心[哈哈][哈哈]", ["[哈哈]", "[哈哈]"]),
        ("[doge]你懂的[泪]", ["[doge]", "[泪]"]),
        ("转发 [转发微博]", ["[转发微博]"]),
        ("see [1] at [12:30] or [see above]", []),
        ("[a very long bracketed remark]", []),
        ("coding 👩‍💻 now", ["👩‍💻"]),  # ZWJ sequence is one emoji
        ("thumbs 👍🏽👍", ["👍🏽", "👍"]),  # skin tone kept with its base
        ("go 🇺🇸🇨🇳", ["🇺🇸", "🇨🇳"]),  # flags are pairs of regional indicators
        ("mix 😂[哈哈]😂", ["😂", "[哈哈]", "😂"]),
        ("no emoji here", []),
    ],
)
def test_find_emojis_order_and_multiplicity(text, expected):
    assert find_emojis(text) == expected


def test_find_emojis_kinds_can_be_switched_off():
    text = "😂[哈哈]"
    assert find_emojis(text, unicode=False) == ["[哈哈]"]
    assert find_emojis(text, weibo=False) == ["😂"]


def test_count_emojis_counts_repeats_in_first_appearance_order():
    c = count_emojis("[泪][泪]好难过😢[泪]")
    assert c == {"[泪]": 3, "😢": 1}
    assert list(c) == ["[泪]", "😢"]


def test_strip_emojis_removes_all_kinds_and_keeps_ordinary_brackets():
    assert strip_emojis("太好了[哈哈] 👍🏽 见 [12:30] 👩‍💻 [1]") == "太好了 见 [12:30] [1]"
    # Stray variation selectors (TweetEval leaves them) disappear too.
    assert strip_emojis("love \ufe0f \ufe0f you") == "love you"
    assert strip_emojis("[哈哈][哈哈]") == ""


def test_bracket_rule_pattern():
    for code in ["[哈哈]", "[doge]", "[ali转圈]", "[转发微博]", "[ok]", "[good2]"]:
        assert WEIBO_CODE_PATTERN.fullmatch(code), code
    for text in ["[1]", "[12:30]", "[ ]", "[]", "[哈 哈]", "[123456789]", "[abcdefghi]"]:
        assert not WEIBO_CODE_PATTERN.fullmatch(text), text


def test_is_emoji():
    assert is_emoji("[doge]") and is_emoji("👩‍💻") and is_emoji("🇺🇸")
    assert not is_emoji("[1]") and not is_emoji("ab") and not is_emoji("😂😂") and not is_emoji(None)


@pytest.mark.parametrize("func", [find_emojis, count_emojis, strip_emojis])
@pytest.mark.parametrize("bad", [None, 3, ["[哈哈]"], b"[x]"])
def test_non_str_input_is_a_clear_type_error(func, bad):
    with pytest.raises(TypeError, match="text must be a str"):
        func(bad)


def test_functions_pickle():
    for f in (find_emojis, count_emojis, strip_emojis, is_emoji):
        assert pickle.loads(pickle.dumps(f)) is f
