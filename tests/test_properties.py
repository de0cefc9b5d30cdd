"""Property-based tests (Hypothesis): the suite looks for the next bug by itself.

Arbitrary Unicode (plus fragments of real social-media text: Weibo bracket
codes, emoji sequences, mentions, repost chains, URLs, zero-width characters),
any nesting the API promises, any label type and non-finite scores go through
the text utilities, the tokenizers, the flattener, the input parsers, the
metrics and the lexicon model.

Profiles
--------
``ci`` (the default): few examples, derandomized (the same examples on every
run, so ``make test`` is repeatable), no example database written. ``fuzz``:
many random examples, kept in Hypothesis' database to replay failures; run it
with ``python benchmarks/fuzz_properties.py`` or
``SKLEARN_EMOJI_HYPOTHESIS_PROFILE=fuzz pytest tests/test_properties.py``
(``SKLEARN_EMOJI_HYPOTHESIS_EXAMPLES=n`` sets the number of examples).
The profiles are applied per test (not loaded globally), so they change no
other test module.
"""

import math
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import top_k_accuracy_score

from sklearn_emoji import LexiconEmojiRecommender
from sklearn_emoji._validation import check_dialogues, check_emoji_targets, check_labels
from sklearn_emoji.emojis import count_emojis, find_emojis, is_emoji, strip_emojis
from sklearn_emoji.metrics import mean_reciprocal_rank, precision_at_k, set_scores, true_label_ranks
from sklearn_emoji.preprocessing import DialogueFlattener, HierarchicalTokenizer, SequenceTokenizer
from sklearn_emoji.text import cached_tokenize, cached_tokenize_chars, clean_text, tokenize, tokenize_chars

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=30, derandomize=True, database=None, **_COMMON)
settings.register_profile("fuzz", max_examples=2000, print_blob=True, **_COMMON)
PROFILE = settings.get_profile(os.environ.get("SKLEARN_EMOJI_HYPOTHESIS_PROFILE", "ci"))
if os.environ.get("SKLEARN_EMOJI_HYPOTHESIS_EXAMPLES"):  # set by benchmarks/fuzz_properties.py --examples
    PROFILE = settings(PROFILE, max_examples=int(os.environ["SKLEARN_EMOJI_HYPOTHESIS_EXAMPLES"]))
#: Slow properties (fitting models) run a tenth of the examples.
SLOW = settings(PROFILE, max_examples=max(5, PROFILE.max_examples // 10))

# ----------------------------------------------------------------------
# strategies
# ----------------------------------------------------------------------
FRAGMENTS = [
    "[哈哈]",
    "[泪]",
    "[doge]",
    "[1]",
    "[12:30]",
    "[",
    "]",
    "😂",
    "👍🏽",
    "👩\u200d💻",
    "🇺🇸",
    "🇺",
    "\ufe0f",
    "\u200d",
    "\u20e3",
    "\u200b",
    "\ufeff",
    "1\ufe0f\u20e3",
    "@小明:",
    "回复@user:",
    "//@转发者: ",
    "http://t.cn/abc",
    "https://x.co/1",
    "www.",
    "t.cn/",
    "http:",
    ":)",
    ":-(",
    "<3",
    "^_^",
    "!!!",
    "？？",
    "#tag",
    "12:30",
    "3.5",
    "don't",
    "今天",
    "好开心",
    "哈哈哈",
    " ",
    "\n",
    "\t",
    "_",
]
social_text = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=12).map("".join),
)
nonblank_text = social_text.filter(lambda s: s.strip() != "")
dialogue = st.one_of(social_text, st.lists(social_text, min_size=1, max_size=5))
dialogues = st.lists(dialogue, min_size=1, max_size=8).filter(
    lambda X: all((d if isinstance(d, str) else "".join(d)).strip() for d in X)
)
str_label = st.one_of(st.sampled_from(["😂", "[哈哈]", "[泪]", "🔥", "❤"]), st.text(min_size=1, max_size=3))
int_label = st.one_of(st.integers(-3, 3), st.integers())


def _rows(d):
    return (d,) if isinstance(d, str) else tuple(d)


# ----------------------------------------------------------------------
# text utilities
# ----------------------------------------------------------------------
@PROFILE
@given(social_text)
def test_clean_text_gives_collapsed_stripped_text(s):
    out = clean_text(s)
    assert isinstance(out, str)
    assert out == out.strip()
    assert "  " not in out and "\n" not in out and "\u200b" not in out and "\ufeff" not in out


@PROFILE
@given(social_text)
def test_clean_text_is_idempotent(s):
    once = clean_text(s)
    assert clean_text(once) == once


@PROFILE
@given(social_text)
def test_tokenizers_give_nonblank_tokens(s):
    for func, cached in ((tokenize, cached_tokenize), (tokenize_chars, cached_tokenize_chars)):
        toks = func(s)
        assert isinstance(toks, list) and all(isinstance(t, str) for t in toks)
        assert all(t and not t.isspace() for t in toks)
        assert cached(s) == tuple(toks)
    assert ("".join(tokenize_chars(s)) == "") == ("".join(tokenize(s)) == "")


@PROFILE
@given(social_text)
def test_emojis_found_are_emojis_and_stripping_removes_them(s):
    found = find_emojis(s)
    assert all(is_emoji(e) for e in found), found
    assert sum(count_emojis(s).values()) == len(found)
    assert all(e in s for e in found)
    stripped = strip_emojis(s)
    assert stripped == stripped.strip() and "  " not in stripped
    assert find_emojis(stripped) == []
    assert strip_emojis(stripped) == stripped


@PROFILE
@given(social_text)
def test_emoji_kinds_partition_the_emojis(s):
    both = count_emojis(s)
    assert count_emojis(s, unicode=False) + count_emojis(s, weibo=False) == both
    assert find_emojis(s, unicode=False, weibo=False) == []


# ----------------------------------------------------------------------
# input parsers
# ----------------------------------------------------------------------
@PROFILE
@given(dialogues)
def test_containers_of_dialogues_are_equivalent(X):
    expected = [_rows(d) for d in X]
    assert check_dialogues(X) == expected
    obj = np.empty(len(X), dtype=object)
    obj[:] = [list(d) if not isinstance(d, str) else d for d in X]
    assert check_dialogues(obj) == expected
    assert check_dialogues(pd.Series(obj)) == expected
    assert check_dialogues(pd.DataFrame({"dialogue": obj})) == expected


nested = st.recursive(
    st.one_of(social_text, st.none(), st.integers(), st.floats(), st.binary(max_size=3)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner), st.sets(st.text(max_size=2), max_size=2)),
    max_leaves=12,
)


@PROFILE
@given(st.one_of(nested, st.lists(nested, max_size=5)))
def test_any_nesting_is_parsed_or_refused_by_name(X):
    # Only a list of (str or list of str) is a list of dialogues; everything else is refused by name.
    try:
        out = check_dialogues(X)
    except (TypeError, ValueError) as exc:
        assert str(exc).startswith(("X ", "dialogue ", "turn ")), exc
    else:
        assert all(isinstance(d, tuple) and d and all(type(t) is str for t in d) for d in out)
        assert len(out) == len(X)


@PROFILE
@given(st.one_of(st.lists(str_label, min_size=1, max_size=10), st.lists(int_label, min_size=1, max_size=10)))
def test_labels_of_one_type_pass_unchanged(y):
    out = check_labels(y, n_samples=len(y))
    assert out.shape == (len(y),) and out.tolist() == y
    assert check_emoji_targets(y, n_samples=len(y)) == [[v] for v in y]


@PROFILE
@given(
    st.lists(str_label, min_size=1, max_size=6),
    st.one_of(int_label, st.booleans(), st.sampled_from([float("nan"), None, math.inf, 0.5])),
    st.data(),
)
def test_a_foreign_or_missing_label_is_refused_wherever_it_is(y, bad, data):
    at = data.draw(st.integers(0, len(y)))
    y = y[:at] + [bad] + y[at:]
    with pytest.raises((TypeError, ValueError)) as info:
        check_labels(y)
    assert f"label {at} of y" in str(info.value) or "mixes label types" in str(info.value)
    with pytest.raises((TypeError, ValueError)):
        check_emoji_targets([y[:at], y[at:]])
    with pytest.raises((TypeError, ValueError)):
        DialogueFlattener().fit(["text"] * len(y), y)


# ----------------------------------------------------------------------
# flattener and tokenizers
# ----------------------------------------------------------------------
@PROFILE
@given(dialogues, st.sampled_from([" | ", " ", "\n"]), st.one_of(st.none(), st.integers(1, 4)))
def test_flattener(X, sep, max_turns):
    rows = [_rows(d) for d in X]
    reply = DialogueFlattener(turns="reply").fit_transform(X)
    assert reply == [r[-1] for r in rows]
    joined = DialogueFlattener(turns="all", sep=sep, max_turns=max_turns).fit_transform(X)
    kept = [r[-max_turns:] if max_turns else r for r in rows]
    assert joined == [sep.join(t for t in r if t.strip()) for r in kept]


@PROFILE
@given(st.lists(nonblank_text, min_size=1, max_size=8), st.integers(1, 6), st.sampled_from(["pre", "post"]))
def test_sequence_tokenizer(texts, max_len, truncating):
    tok = SequenceTokenizer(max_len=max_len, truncating=truncating).fit(texts)
    X = tok.transform(texts)
    assert X.shape == (len(texts), max_len) and X.dtype == np.int64
    assert X.min() >= 0 and X.max() < tok.vocab_size_
    assert (X[:, 0] >= 1).all()  # every text has at least one id (OOV for a text without tokens)
    nonzero = X != 0
    assert (nonzero[:, :-1] | ~nonzero[:, 1:]).all()  # left-aligned: no id after padding
    back = tok.inverse_transform(X)
    for text, row in zip(texts, back):
        toks = tokenize(text)
        if 0 < len(toks) <= max_len:  # every training token is in the vocabulary (min_freq=1)
            assert row == toks


@PROFILE
@given(dialogues, st.integers(1, 3), st.integers(1, 5))
def test_hierarchical_tokenizer(X, max_turns, max_len):
    tok = HierarchicalTokenizer(max_turns=max_turns, max_len=max_len).fit(X)
    A = tok.transform(X)
    assert A.shape == (len(X), max_turns, max_len) and A.dtype == np.int64
    assert A.min() >= 0 and A.max() < tok.vocab_size_
    back = tok.inverse_transform(A)
    for d, turns in zip(X, back):
        kept = _rows(d)[-max_turns:]
        assert len(turns) == len(kept)  # every kept turn, an empty one as one OOV id
        for text, row in zip(kept, turns):
            toks = tokenize(text)
            if not toks:
                assert row == ["<unk>"]
            elif len(toks) <= max_len:  # every training token is in the vocabulary (min_freq=1)
                assert row == toks


# ----------------------------------------------------------------------
# metrics
# ----------------------------------------------------------------------
@st.composite
def scored(draw, unique=False, min_classes=2):
    n_classes = draw(st.integers(min_classes, 6))
    n = draw(st.integers(1, 15))
    labels = sorted(draw(st.lists(str_label, min_size=n_classes, max_size=n_classes, unique=True)))
    y = draw(st.lists(st.sampled_from(labels), min_size=n, max_size=n))
    values = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
    flat = draw(st.lists(values, min_size=n * n_classes, max_size=n * n_classes, unique=unique))
    return np.asarray(y, dtype=object), np.asarray(flat, dtype=float).reshape(n, n_classes), labels


@PROFILE
@given(scored(), st.data())
def test_ranking_metrics_are_bounded_monotone_and_order_free(case, data):
    y, S, labels = case
    p = [precision_at_k(y, S, k=k, labels=labels) for k in range(1, len(labels) + 1)]
    assert all(0.0 <= v <= 1.0 for v in p)
    assert all(a <= b for a, b in zip(p, p[1:]))
    assert p[-1] == 1.0
    mrr = mean_reciprocal_rank(y, S, labels=labels)
    assert 0.0 < mrr <= 1.0 and mrr >= p[0]
    perm = data.draw(st.permutations(range(len(y))))
    assert precision_at_k(y[perm], S[perm], k=1, labels=labels) == pytest.approx(p[0])
    assert mean_reciprocal_rank(y[perm], S[perm], labels=labels) == pytest.approx(mrr)
    cols = data.draw(st.permutations(range(len(labels))))
    assert mean_reciprocal_rank(y, S[:, cols], labels=[labels[c] for c in cols]) == pytest.approx(mrr)


@PROFILE
@given(scored())
def test_ties_count_against_the_model(case):
    y, S, labels = case
    S = np.full_like(S, 0.5)
    assert precision_at_k(y, S, k=1, labels=labels) == 0.0
    assert mean_reciprocal_rank(y, S, labels=labels) == pytest.approx(1 / len(labels))
    assert (true_label_ranks(y, S, labels=labels) == len(labels)).all()


@PROFILE
@given(scored(unique=True, min_classes=3), st.data())
def test_without_ties_p_at_k_is_top_k_accuracy(case, data):
    y, S, labels = case
    k = data.draw(st.integers(1, len(labels) - 1))
    assert precision_at_k(y, S, k=k, labels=labels) == pytest.approx(top_k_accuracy_score(y, S, k=k, labels=labels))


@PROFILE
@given(scored(), st.data())
def test_non_finite_scores_are_errors(case, data):
    y, S, labels = case
    i = data.draw(st.integers(0, S.shape[0] - 1))
    j = data.draw(st.integers(0, S.shape[1] - 1))
    S[i, j] = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    for metric in (precision_at_k, mean_reciprocal_rank, true_label_ranks):
        with pytest.raises(ValueError, match="NaN or infinite"):
            metric(y, S, labels=labels)


@PROFILE
@given(st.lists(st.tuples(st.lists(str_label, max_size=4), st.lists(str_label, max_size=4)), min_size=1, max_size=8))
def test_set_scores_are_bounded(pairs):
    y_true, y_pred = [list(t) for t, _ in pairs], [list(p) for _, p in pairs]
    s = set_scores(y_true, y_pred)
    assert set(s) == {"precision", "recall", "f1", "f2"}
    assert all(0.0 <= v <= 1.0 for v in s.values())
    same = set_scores(y_true, y_true)
    if all(y_true):
        assert same == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "f2": 1.0}


# ----------------------------------------------------------------------
# the lexicon model
# ----------------------------------------------------------------------
WORDS = ["好", "开心", "难过", "今天", "下雨", "happy", "sad", "rain", "哈哈", "!!!"]
corpus = st.lists(
    st.tuples(
        st.one_of(
            st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join),
            nonblank_text,
        ),
        st.sampled_from(["😂", "[泪]", "🔥"]),
    ),
    min_size=2,
    max_size=12,
)


@SLOW
@given(corpus, st.lists(nonblank_text, min_size=1, max_size=4))
def test_lexicon_fits_any_small_corpus(pairs, queries):
    X, y = [x for x, _ in pairs], [e for _, e in pairs]
    lex = LexiconEmojiRecommender(max_iter=1).fit(X, y)
    assert lex.classes_.tolist() == sorted(set(y))
    P = lex.predict_proba(queries + X)
    assert P.shape == (len(queries) + len(X), len(lex.classes_))
    assert np.isfinite(P).all() and (P >= 0).all()
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-6)
    assert set(lex.predict(queries)) <= set(lex.classes_)
