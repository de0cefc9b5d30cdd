"""The fast tokenizers give exactly the tokens of a slow, obviously-correct one, on real data.

``reference_tokenize`` below is the tokenizer as it was before it was made
fast (issue 14): the `emoji` package scans every text, one named-group regex
match at a time, ``jieba.lcut`` on every run of Han characters. The fast one
skips texts without emoji candidates, matches in one ``findall`` pass and
segments Han runs with its own copy of jieba's algorithm, memoised; any
difference in tokens shows here, and in the model outputs built on them.
"""

import json
import random

import emoji
import jieba
import numpy as np
import pytest
from _ced_data import read_ced_subset
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_emoji.datasets import load_tweeteval_emoji
from sklearn_emoji.emojis import WEIBO_CODE_PATTERN, find_emojis, strip_emojis
from sklearn_emoji.preprocessing import HierarchicalTokenizer, SequenceTokenizer
from sklearn_emoji.text import _jieba as jieba_module
from sklearn_emoji.text import _pool as pool_module
from sklearn_emoji.text import _tokenize as tok_module
from sklearn_emoji.text import (
    cached_tokenize,
    cached_tokenize_chars,
    clean_text,
    tokenize,
    tokenize_chars,
    tokenize_many,
)

_REF_TOKEN = tok_module.re.compile(
    r"(?P<emo>" + tok_module._EMOTICON + r")"
    r"|(?P<han>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
    r"|(?P<word>[^\W\d_](?:[^\W_]|['’\-](?=[^\W\d_]))*|\d+(?:[.,:]\d+)*(?:[^\W\d_]+)?|#\w+)"
    r"|(?P<punct>([^\w\s])\5*)"
    r"|(?P<other>_+)"
)


def reference_spans(text):
    spans = [(m["match_start"], m["match_end"], m["emoji"]) for m in emoji.emoji_list(text)]
    spans += [(m.start(), m.end(), m.group(0)) for m in WEIBO_CODE_PATTERN.finditer(text)]
    return sorted(spans)


def _reference_plain(text, out, chars):
    for m in _REF_TOKEN.finditer(text):
        kind, tok = m.lastgroup, m.group(0)
        if kind == "han":
            out.extend(tok if chars else jieba.lcut(tok, HMM=True))
        elif kind == "word":
            out.append(tok.lower())
        elif kind != "other":
            out.append(tok)


def reference_tokenize(text, chars=False):
    out, pos = [], 0
    for start, end, emo in reference_spans(text):
        if start < pos:
            continue
        _reference_plain(text[pos:start], out, chars)
        out.append(emo)
        pos = end
    _reference_plain(text[pos:], out, chars)
    return out


def reference_tokenize_chars(text):
    return reference_tokenize(text, chars=True)


@pytest.fixture(scope="module")
def weibo_texts(data_home):
    """4,000 real Weibo texts: 2,000 cleaned (emoji codes kept), the same emoji-stripped."""
    texts = []
    for _, raw in sorted(read_ced_subset(data_home, every=150).items()):
        items = json.loads(raw)
        for item in items if isinstance(items, list) else [items]:
            cleaned = clean_text(item.get("text") or "")
            if cleaned:
                texts.append(cleaned)
    texts = list(dict.fromkeys(texts))[:2000]
    assert len(texts) > 1000 and sum(bool(find_emojis(t)) for t in texts) > 100
    return texts + [strip_emojis(t) for t in texts]


@pytest.fixture(scope="module")
def tweets():
    """2,000 real tweets with their remnants, plus 1,000 with their emoji put back at a random place."""
    bunch = load_tweeteval_emoji("train", remnants="keep")
    rng = random.Random(0)
    with_emoji = []
    for t, e in zip(bunch.data[:1000], bunch.target[:1000]):
        i = rng.randrange(len(t) + 1)
        with_emoji.append(t[:i] + e + t[i:])
    return list(bunch.data[:2000]) + with_emoji


@pytest.fixture(autouse=True)
def _empty_memories():
    cached_tokenize.cache_clear()
    cached_tokenize_chars.cache_clear()


@pytest.mark.parametrize("corpus", ["weibo_texts", "tweets"])
def test_tokens_match_the_reference(corpus, request):
    texts = request.getfixturevalue(corpus)
    for fast, cached, ref in [
        (tokenize, cached_tokenize, reference_tokenize),
        (tokenize_chars, cached_tokenize_chars, reference_tokenize_chars),
    ]:
        expected = [ref(t) for t in texts]
        assert [fast(t) for t in texts] == expected
        assert [list(cached(t)) for t in texts] == expected
        assert [list(cached(t)) for t in texts] == expected  # from the memory this time


def test_han_runs_match_jieba_after_a_dictionary_change(weibo_texts, restore_jieba):
    texts = weibo_texts[:300]
    assert [tokenize(t) for t in texts] == [reference_tokenize(t) for t in texts]
    word = "转发微博测试词"
    jieba.add_word(word, freq=10**6)
    try:
        assert tokenize("我们转发微博测试词吧") == reference_tokenize("我们转发微博测试词吧")
        assert word in tokenize("我们转发微博测试词吧")
    finally:
        jieba.del_word(word)
    assert word not in tokenize("我们转发微博测试词吧")


def test_cached_tokenizers_follow_the_dictionary(tmp_path, monkeypatch, restore_jieba):
    # Issue 24, item 4: the memories (whole texts, Han runs, the parallel
    # pool's) returned the tokens of jieba's dictionary as it was.
    monkeypatch.setattr(pool_module, "PARALLEL_MIN_CHARS", 0)
    text, word, other = "他们在云计算机房里加班", "云计算机房", "加班狗"
    texts = [text, "明天还要" + other + "吧"]
    before = [list(cached_tokenize(t)) for t in texts]
    assert word not in before[0] and before == [reference_tokenize(t) for t in texts]
    jieba.add_word(word, freq=10**6)
    try:
        assert word in cached_tokenize(text)
        assert [list(cached_tokenize(t)) for t in texts] == [reference_tokenize(t) for t in texts]
        userdict = tmp_path / "userdict.txt"
        userdict.write_text(f"{other} 1000000\n", encoding="utf-8")
        jieba.load_userdict(str(userdict))
        assert other in cached_tokenize(texts[1])
        assert [list(t) for t in tokenize_many(texts * 2, n_jobs=2)] == [reference_tokenize(t) for t in texts * 2]
    finally:
        jieba.del_word(word)
        jieba.del_word(other)
    assert [list(cached_tokenize(t)) for t in texts] == [reference_tokenize(t) for t in texts]
    assert word not in cached_tokenize(text)
    assert cached_tokenize_chars(text) == tuple(text)  # characters need no dictionary


def test_the_fast_segmenter_is_on_for_the_jieba_it_copies(monkeypatch):
    if jieba.__version__ != jieba_module.SEGMENTER_JIEBA_VERSION:
        pytest.skip(f"jieba {jieba.__version__}: the copy of jieba 0.42.1's segmenter is off by design")
    assert jieba_module.FAST_SEGMENTER
    expected = reference_tokenize("明天去看电影吧")

    def no_lcut(*args, **kwargs):
        raise AssertionError("jieba.lcut was called: the fast segmenter is off")

    monkeypatch.setattr(jieba, "lcut", no_lcut)
    assert tokenize("我今天很开心") == ["我", "今天", "很", "开心"]
    assert list(cached_tokenize("明天去看电影吧")) == expected


def test_without_the_fast_segmenter_jieba_cuts_every_run(weibo_texts, monkeypatch):
    monkeypatch.setattr(jieba_module, "FAST_SEGMENTER", False)
    texts = weibo_texts[:200]
    assert [list(cached_tokenize(t)) for t in texts] == [reference_tokenize(t) for t in texts]


def test_model_outputs_match_the_reference(weibo_texts, tweets):
    texts = weibo_texts[:1500] + tweets[:1500]
    y = [find_emojis(t)[0] if find_emojis(t) else "none" for t in texts]
    X = [strip_emojis(t) for t in texts]
    fast = SequenceTokenizer(max_len=30, min_freq=2).fit(X)
    ref = SequenceTokenizer(max_len=30, min_freq=2, tokenizer=reference_tokenize).fit(X)
    assert fast.vocabulary_ == ref.vocabulary_
    np.testing.assert_array_equal(fast.transform(X), ref.transform(X))
    nonempty = [t for t in X if t.strip()]
    dialogues = [nonempty[i : i + 3] for i in range(0, 600, 3)]
    h_fast, h_ref = HierarchicalTokenizer(max_len=20), HierarchicalTokenizer(max_len=20, tokenizer=reference_tokenize)
    np.testing.assert_array_equal(h_fast.fit_transform(dialogues), h_ref.fit_transform(dialogues))
    p_fast = make_pipeline(TfidfVectorizer(analyzer=cached_tokenize), LogisticRegression(max_iter=200))
    p_ref = make_pipeline(TfidfVectorizer(analyzer=reference_tokenize), LogisticRegression(max_iter=200))
    np.testing.assert_array_equal(p_fast.fit(X, y).predict_proba(X), p_ref.fit(X, y).predict_proba(X))


@pytest.mark.parametrize("Est", [SequenceTokenizer, HierarchicalTokenizer])
def test_fit_transform_tokenizes_once_and_equals_fit_then_transform(Est, weibo_texts):
    texts = [t for t in weibo_texts if t.strip()]
    X = texts[:800] if Est is SequenceTokenizer else [texts[i : i + 2] for i in range(0, 800, 2)]
    calls = []

    def counting(t):
        calls.append(t)
        return reference_tokenize(t)

    a = Est(max_len=12, tokenizer=counting).fit_transform(X)
    n_turns = len(calls)
    assert n_turns == (len(X) if Est is SequenceTokenizer else sum(len(d) for d in X))
    np.testing.assert_array_equal(a, Est(max_len=12, tokenizer=reference_tokenize).fit(X).transform(X))


@pytest.fixture
def go_parallel(monkeypatch):
    """Parallel on small inputs, every memory empty; counts the calls of each parallel path."""
    monkeypatch.setattr(pool_module, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(pool_module, "PARALLEL_MIN_CHARS_COLD", 0)
    cached_tokenize.cache_clear()
    cached_tokenize_chars.cache_clear()
    calls = {"forked": 0, "joblib": 0}
    forked, chunk = pool_module._tokenize_forked, pool_module._tokenize_chunk

    def counted_forked(*args):
        calls["forked"] += 1
        return forked(*args)

    def counted_chunk(*args):  # runs in the workers: counted only with the threading backend
        calls["joblib"] += 1
        return chunk(*args)

    monkeypatch.setattr(pool_module, "_tokenize_forked", counted_forked)
    monkeypatch.setattr(pool_module, "_tokenize_chunk", counted_chunk)
    return calls


@pytest.mark.parametrize("Est", [SequenceTokenizer, HierarchicalTokenizer])
def test_parallel_tokenization_matches_serial(Est, weibo_texts, go_parallel):
    texts = [t for t in weibo_texts if t.strip()]
    X = texts[:600] if Est is SequenceTokenizer else [texts[i : i + 3] for i in range(0, 900, 3)]
    serial = Est(max_len=15).fit(X)
    parallel = Est(max_len=15, n_jobs=2).fit(X)
    assert parallel.vocabulary_ == serial.vocabulary_
    np.testing.assert_array_equal(parallel.transform(X), serial.transform(X))
    cached_tokenize.cache_clear()
    np.testing.assert_array_equal(Est(max_len=15, n_jobs=2).fit_transform(X), serial.transform(X))
    if pool_module._can_fork():
        assert go_parallel["forked"] >= 1


def test_tokenize_many_in_parallel_fills_this_process_memory(weibo_texts, go_parallel):
    texts = weibo_texts[:200] * 2  # repeats are tokenized once
    out = tokenize_many(texts, n_jobs=2)
    assert [list(t) for t in out] == [reference_tokenize(t) for t in texts]
    assert all(tok_module._WORDS_MEMO.get(t) == tuple(o) for t, o in zip(texts, out))
    chars = tokenize_many(texts[:50], "chars", n_jobs=2)
    assert [list(t) for t in chars] == [reference_tokenize_chars(t) for t in texts[:50]]


def test_tokenize_many_sends_only_texts_this_process_does_not_know(weibo_texts, go_parallel, monkeypatch):
    texts = [t for t in weibo_texts if t.strip()][:300]
    tokenize_many(texts[:200])  # serially: now in this process's memory
    sent = []
    forked = pool_module._tokenize_forked
    monkeypatch.setattr(pool_module, "_tokenize_forked", lambda d, f, n: sent.extend(d) or forked(d, f, n))
    monkeypatch.setattr(pool_module, "_can_fork", lambda: True)
    out = tokenize_many(texts, n_jobs=2)
    assert sorted(sent) == sorted(set(texts[200:]) - set(texts[:200]))
    assert [list(t) for t in out] == [reference_tokenize(t) for t in texts]


@pytest.mark.skipif(not pool_module._can_fork(), reason="forked workers need Linux and joblib's default backend")
def test_forked_workers_tokenize_every_kind_of_text(weibo_texts, go_parallel):
    # texts holding the separators the workers pack tokens with, empty texts, emoji, both scripts
    texts = [t for t in weibo_texts[:100] if t.strip()] + ["a\x00b c", "x\x01y", "", "   ", "好 👍🏽 ok!!", "😂"]
    out = tokenize_many(texts, n_jobs=2)
    assert go_parallel["forked"] == 1
    assert [list(t) for t in out] == [reference_tokenize(t) for t in texts]
    assert all(isinstance(t, tuple) for t in out)
    own = tokenize_many(texts, tokenizer=str.split, n_jobs=2)  # a tokenizer without a memory
    assert own == [t.split() for t in texts]
    few = ["so happy!!", "我很开心", ""]  # fewer texts than chunks
    assert [list(t) for t in tokenize_many(few, n_jobs=2)] == [reference_tokenize(t) for t in few]
    assert go_parallel["forked"] == 3


def test_tokenize_many_uses_joblib_when_another_backend_is_chosen(weibo_texts, go_parallel):
    from joblib import parallel_config

    texts = [t for t in weibo_texts[:120] if t.strip()]
    with parallel_config(backend="threading"):
        assert not pool_module._can_fork()
        out = tokenize_many(texts, n_jobs=2)
    assert go_parallel == {"forked": 0, "joblib": 2}
    assert [list(t) for t in out] == [reference_tokenize(t) for t in texts]


def test_tokenize_many_without_fork_runs_loky_workers(weibo_texts, go_parallel, monkeypatch):
    monkeypatch.setattr(pool_module, "_can_fork", lambda: False)
    texts = [t for t in weibo_texts[:120] if t.strip()]
    out = tokenize_many(texts, n_jobs=2)
    assert go_parallel["forked"] == 0
    assert [list(t) for t in out] == [reference_tokenize(t) for t in texts]


@pytest.mark.parametrize("fork", [True, False])
def test_tokenize_many_in_parallel_names_a_text_that_is_not_a_str(go_parallel, monkeypatch, fork):
    if fork and not pool_module._can_fork():
        pytest.skip("forked workers need Linux")
    monkeypatch.setattr(pool_module, "_can_fork", lambda: fork)
    with pytest.raises(TypeError, match="text must be a str, got int"):
        tokenize_many(["so happy", "我很开心", 5, "ok"], n_jobs=2)


def test_tokenize_many_stays_serial_below_the_threshold(weibo_texts, go_parallel, monkeypatch):
    monkeypatch.setattr(pool_module, "PARALLEL_MIN_CHARS", 10**9)
    monkeypatch.setattr(pool_module, "PARALLEL_MIN_CHARS_COLD", 10**9)
    texts = [t for t in weibo_texts[:120] if t.strip()]
    assert [list(t) for t in tokenize_many(texts, n_jobs=2)] == [reference_tokenize(t) for t in texts]
    assert go_parallel == {"forked": 0, "joblib": 0}


def test_memories_stay_bounded(monkeypatch):
    memo = tok_module._Memo(8)
    for i in range(100):
        memo.put(str(i), (str(i),))
        assert len(memo) <= 8
    assert "99" in memo and "0" not in memo  # the oldest are forgotten
    monkeypatch.setattr(tok_module, "_WORDS_MEMO", memo)
    monkeypatch.setitem(tok_module._MEMOS, cached_tokenize, memo)
    for i in range(50):
        assert cached_tokenize(f"text {i}") == ("text", str(i))
    assert len(memo) <= 8


# Pieces where the fast paths could part from the reference: emoji starts and
# their continuations (keycaps, ZWJ, modifiers, flags, stray selectors),
# emoticon letters, Han outside jieba's range, cased non-ASCII.
_PIECES = list("abcXD:;)(-_^<>38pP!?。，！ \n#*09[]哈开心今天𠀀㐀豈\u9fd6\u9fffİⒶß") + [
    "\ufe0f", "\u20e3", "\u200d", "👍", "🏽", "👩", "💻", "🇺", "🇸", "©", "™", "〰", "[哈哈]", "[doge]", "😂", "#️⃣",
]  # fmt: skip


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_tokens_match_the_reference_on_tricky_strings(s):
    assert tokenize(s) == reference_tokenize(s)
    assert tokenize_chars(s) == reference_tokenize_chars(s)
