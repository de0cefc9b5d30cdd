"""The lexicon package's pure building blocks, and what they guarantee the estimators.

Real Weibo dialogues (a few hundred), real fits: the statistics merge like
sums, cross-fitting and a failed (partial) fit leave the estimator as it was,
labels and parameters are refused with one error type per mistake.
"""

from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.utils._param_validation import InvalidParameterError

import sklearn_emoji.lexicon._base as base_module
import sklearn_emoji.lexicon._build as build_module
import sklearn_emoji.lexicon._features as features_module
from sklearn_emoji.datasets import load_weibo_dialogues
from sklearn_emoji.lexicon import LexiconEmojiRecommender, SiblingLexiconFeatures
from sklearn_emoji.lexicon._build import (
    LexiconParams,
    build_lexicon,
    keyword_stage,
    sibling_stage,
    term_weights,
    top_k_per_column,
)
from sklearn_emoji.lexicon._encoding import N_RESERVED
from sklearn_emoji.text import cached_tokenize


def _tok(text):
    return list(cached_tokenize(text))


@pytest.fixture(scope="module")
def weibo():
    b = load_weibo_dialogues(n_samples=500, random_state=1)
    return list(b.data), [str(t) for t in b.target]


def _fail_on_call(monkeypatch, module, n):
    """Make ``module.build_lexicon`` raise on its n-th call."""
    real, calls = module.build_lexicon, []

    def build(*args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise RuntimeError("interrupted build")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "build_lexicon", build)
    return calls


# ------------------------------------------------------------ statistics
def test_statistics_merge_like_sums(weibo):
    X, y = weibo
    whole = LexiconEmojiRecommender(tokenizer=_tok).fit(X[:400], y[:400])
    parts = LexiconEmojiRecommender(tokenizer=_tok).partial_fit(X[:150], y[:150]).partial_fit(X[150:400], y[150:400])
    a, b = whole._state, parts._state
    assert a.vocab.index == b.vocab.index and a.classes != () and set(a.classes) == set(b.classes)
    # same texts, same counts (the classes may be numbered in another order)
    perm = [b.classes.index(e) for e in a.classes]
    np.testing.assert_array_equal(a.stats.labels.class_df, b.stats.labels.class_df[perm])
    np.testing.assert_array_equal(a.stats.labels.unigram_df, b.stats.labels.unigram_df)
    np.testing.assert_array_equal(
        a.stats.labels.class_unigram_df.toarray(), b.stats.labels.class_unigram_df.toarray()[perm]
    )
    # environment pairs are numbered in first-seen order: same occurrences, columns permuted
    Ma, Mb = a.stats.environments, b.stats.environments
    assert Ma.shape == Mb.shape and Ma.nnz == Mb.nnz
    np.testing.assert_array_equal(Ma.sum(axis=1), Mb.sum(axis=1))
    np.testing.assert_array_equal(np.sort(Ma.sum(axis=0).A1), np.sort(Mb.sum(axis=0).A1))
    assert a.stats.labels.n_texts == b.stats.labels.n_texts == 400


def test_build_is_pure(weibo):
    X, y = weibo
    rec = LexiconEmojiRecommender(tokenizer=_tok).fit(X[:300], y[:300])
    state = rec._state
    vocab_size, bigrams = len(state.vocab), len(state.vocab.bigrams)
    before = state.stats.labels.class_unigram_df.toarray().copy()
    again = build_lexicon(state.stats, state.vocab, state.seed_pairs, LexiconParams.of(rec))
    assert again is not state.lexicon
    for name in ("keywords", "siblings", "bigrams", "trigrams", "repeat_keys"):
        np.testing.assert_array_equal(getattr(again, name).toarray(), getattr(state.lexicon, name).toarray())
    np.testing.assert_array_equal(before, state.stats.labels.class_unigram_df.toarray())
    assert (len(state.vocab), len(state.vocab.bigrams)) == (vocab_size, bigrams)
    # another parameter value gives another lexicon from the same statistics
    fewer = build_lexicon(state.stats, state.vocab, None, LexiconParams.of(rec.set_params(min_df=5)))
    assert fewer.keywords.nnz < state.lexicon.keywords.nnz


# -------------------------------------------- cross-fitting never mutates
def test_interrupted_cross_fitting_leaves_unfitted_estimator_unfitted(weibo, monkeypatch):
    X, y = weibo
    calls = _fail_on_call(monkeypatch, features_module, 2)
    f = SiblingLexiconFeatures(tokenizer=_tok, cv=3, random_state=0)
    with pytest.raises(RuntimeError, match="interrupted"):
        f.fit_transform(X[:300], y[:300])
    assert len(calls) == 2
    assert not hasattr(f, "classes_") and not hasattr(f, "_state") and not hasattr(f, "scale_")


def test_interrupted_cross_fitting_keeps_previous_lexicon(weibo, monkeypatch):
    X, y = weibo
    f = SiblingLexiconFeatures(tokenizer=_tok, cv=3, random_state=0, sparse_output=False)
    f.fit_transform(X[:300], y[:300])
    state, scale, vocab = f._state, f.scale_.copy(), dict(f.vocabulary_)
    expected = f.transform(X[300:])
    _fail_on_call(monkeypatch, features_module, 2)
    with pytest.raises(RuntimeError, match="interrupted"):
        f.fit_transform(X[100:400], y[100:400])  # other texts: a different full lexicon
    assert f._state is state and f.vocabulary_ == vocab
    np.testing.assert_array_equal(f.scale_, scale)
    np.testing.assert_array_equal(f.transform(X[300:]), expected)


def test_failed_partial_fit_keeps_vocabulary(weibo, monkeypatch):
    X, y = weibo
    rec = LexiconEmojiRecommender(tokenizer=_tok).fit(X[:200], y[:200])
    vocab, expected = dict(rec.vocabulary_), rec.predict_proba(X[400:])
    _fail_on_call(monkeypatch, base_module, 1)
    with pytest.raises(RuntimeError, match="interrupted"):
        rec.partial_fit(X[200:400], y[200:400])  # new words were encoded before the build failed
    assert rec.vocabulary_ == vocab
    np.testing.assert_array_equal(rec.predict_proba(X[400:]), expected)


# ------------------------------------------------------------- validation
def test_params_validated_on_every_partial_fit(weibo):
    X, y = weibo
    for est in (LexiconEmojiRecommender(tokenizer=_tok), SiblingLexiconFeatures(tokenizer=_tok)):
        est.partial_fit(X[:100], y[:100])
        est.set_params(min_df=-5)
        with pytest.raises(InvalidParameterError, match="min_df"):
            est.partial_fit(X[100:200], y[100:200])


def test_label_type_must_not_change_between_partial_fits(weibo):
    X, y = weibo
    rec = LexiconEmojiRecommender(tokenizer=_tok).partial_fit(X[:100], y[:100])
    classes = rec.classes_.copy()
    # the old labels are str, the new ones int: both types are named
    with pytest.raises(TypeError, match=r"y mixes label types: number \(0\) and str \('\["):
        rec.partial_fit(X[100:110], list(range(10)))
    with pytest.raises(TypeError, match=r"classes mixes label types: number \(7\) and str"):
        rec.partial_fit(X[100:110], y[100:110], classes=[7])
    np.testing.assert_array_equal(rec.classes_, classes)
    with pytest.raises(TypeError, match=r"y mixes label types: number \(2\) and str"):
        LexiconEmojiRecommender().fit(X[:3], ["[哈哈]", 2, "[泪]"])


@pytest.mark.parametrize(
    "bad, match",
    [(float("nan"), "label 2 of y is NaN"), (None, "label 2 of y is None"), ([None], "label 2 of y is None")],
)
def test_missing_labels_refused(weibo, bad, match):
    X, y = weibo
    labels = list(y[:5])
    labels[2] = bad
    with pytest.raises(ValueError, match=match):
        LexiconEmojiRecommender(tokenizer=_tok).fit(X[:5], labels)


def test_missing_labels_in_a_series(weibo):
    pd = pytest.importorskip("pandas")
    X, y = weibo
    labels = pd.Series(y[:5], dtype=object)
    labels.iloc[3] = np.nan
    with pytest.raises(ValueError, match="label 3 of y is NaN"):
        SiblingLexiconFeatures(tokenizer=_tok).fit(X[:5], labels)


def test_pandas_inputs_mean_their_rows(weibo):
    pd = pytest.importorskip("pandas")
    X, y = weibo
    texts = [" ".join(d) for d in X[:200]]
    ref = LexiconEmojiRecommender(tokenizer=_tok).fit(texts, y[:200])
    expected = ref.predict_proba(texts[:20])
    series = pd.Series(texts, index=np.arange(1000, 1200))
    from_series = LexiconEmojiRecommender(tokenizer=_tok).fit(series, pd.Series(y[:200], index=series.index))
    np.testing.assert_array_equal(from_series.predict_proba(series.iloc[:20]), expected)
    frame = pd.DataFrame({"text": texts})
    from_frame = LexiconEmojiRecommender(tokenizer=_tok).fit(frame, y[:200])
    np.testing.assert_array_equal(from_frame.predict_proba(frame.iloc[:20]), expected)


# ------------------------------------------------------ token ids and ties
def _shifted(M, m):
    """``M`` with ``m`` empty token rows after the reserved ids: the same tokens numbered from 2 + m."""
    M = sp.csr_matrix(M)
    return sp.vstack([M[:N_RESERVED], sp.csr_matrix((m, M.shape[1])), M[N_RESERVED:]]).tocsr()


def _first_seen_top_k(S, k):
    """Reference selection: a stable sort by decreasing value, so the lower row wins a tie."""
    mask = np.zeros(S.shape, dtype=bool)
    np.put_along_axis(mask, np.argsort(-S, axis=0, kind="stable")[: max(k, 0)], True, axis=0)
    return mask


def test_vocabulary_ids_follow_the_library_convention(weibo):
    X, y = weibo
    rec = LexiconEmojiRecommender(tokenizer=_tok).fit(X[:200], y[:200])
    ids = sorted(rec.vocabulary_.values())
    assert ids == list(range(2, len(ids) + 2))  # 0 is padding, 1 out-of-vocabulary
    assert rec._state.vocab.tokens[:N_RESERVED] == ["<pad>", "<unk>"]
    seen = dict.fromkeys(t for dialogue in X[:200] for turn in dialogue if turn for t in _tok(turn))
    assert sorted(rec.vocabulary_, key=rec.vocabulary_.get) == list(seen)  # numbered as first seen
    known = next(iter(seen))
    enc = rec._encode([f"{known} qqzzxxunseen"])  # the unseen token is out-of-vocabulary: no feature
    assert enc.unigrams.indices.tolist() == [rec.vocabulary_[known]]


def test_top_k_per_column_breaks_ties_by_row():
    rng = np.random.default_rng(0)
    for shape in [(1, 1), (7, 3), (40, 5), (300, 4)]:
        S = rng.integers(0, 4, size=shape).astype(np.float32)  # few values: many ties
        for k in {0, 1, 2, shape[0] // 2, shape[0] - 1, shape[0], shape[0] + 1}:
            mask = top_k_per_column(S, k)
            np.testing.assert_array_equal(mask, _first_seen_top_k(S, k))
            # rows that never win moved in front (ids numbered from further on): the same choice
            moved = np.vstack([np.full((5, shape[1]), -1, np.float32), S])
            np.testing.assert_array_equal(top_k_per_column(moved, k)[5:], mask)


def test_build_does_not_depend_on_id_numbering(weibo, monkeypatch):
    X, y = weibo
    rec = LexiconEmojiRecommender(tokenizer=_tok, n_keywords=5, n_siblings=5).fit(X[:400], y[:400])
    stats, params = rec._state.stats, LexiconParams.of(rec)
    labels = stats.labels
    prior = np.maximum(labels.class_df, 0.5) / labels.class_df.sum()
    K, seeds = keyword_stage(labels, prior, None, params)
    sib, sib_iter, n_iter = sibling_stage(K, stats.environments, params)
    assert n_iter == params.max_iter and sib.nnz
    r, _, _, tfidf = term_weights(
        labels.class_unigram_df, labels.class_df, labels.unigram_df, labels.n_texts, prior, params
    )
    ranked = [np.sort(tfidf[r == e])[::-1] for e in np.unique(r)]
    assert any(len(v) > 5 and v[4] == v[5] for v in ranked)  # a tie for the last keyword: the test sees one
    for m in (1, 16):  # the same tokens numbered from 3 and from 18
        moved = replace(
            labels,
            unigram_df=np.insert(labels.unigram_df, N_RESERVED, np.zeros(m)),
            class_unigram_df=_shifted(labels.class_unigram_df.T, m).T.tocsr(),
        )
        K_m, seeds_m = keyword_stage(moved, prior, None, params)
        assert (K_m != _shifted(K, m)).nnz == 0
        assert seeds_m == {e: [j + m for j in tokens] for e, tokens in seeds.items()}
        sib_m, iter_m, n_iter_m = sibling_stage(K_m, _shifted(stats.environments, m), params)
        assert n_iter_m == n_iter
        assert (sib_m != _shifted(sib, m)).nnz == 0 and (iter_m != _shifted(sib_iter, m)).nnz == 0
    # counts stored in another order (each row's tokens reversed): the same choice among equal TF-IDF values
    D = labels.class_unigram_df.tocsr()
    rows = np.repeat(np.arange(D.shape[0]), np.diff(D.indptr))
    order = np.lexsort((-D.indices, rows))
    reverse = sp.csr_matrix((D.data[order], D.indices[order], D.indptr), shape=D.shape)
    assert (keyword_stage(replace(labels, class_unigram_df=reverse), prior, None, params)[0] != K).nnz == 0
    # and among siblings with equal scores the token seen first wins, as a stable sort says
    monkeypatch.setattr(build_module, "top_k_per_column", _first_seen_top_k)
    assert (sibling_stage(K, stats.environments, params)[0] != sib).nnz == 0


# ------------------------------------------------------------ encoding
@pytest.mark.parametrize("turns", ["all", "reply"])
def test_prediction_encoding_equals_the_learning_one(weibo, turns):
    # Prediction looks every token up at once and lays the turns out with
    # NumPy; learning walks the tokens one by one. On texts whose every token
    # and n-gram is already known, both must give the same matrices.
    from sklearn_emoji.lexicon._encoding import Vocabulary, encode, tokenize_dialogues

    X, _ = weibo
    docs = tokenize_dialogues(X[:300], cached_tokenize, turns) + [[], [()], [(), ("哈哈",)], [("哈哈", "好"), ()]]
    vocab = Vocabulary()
    encode(vocab, docs, grow=True)
    learned = encode(vocab.copy(), docs, grow=True)
    predicted = encode(vocab, docs, grow=False)
    for name in ("unigrams", "bigrams", "trigrams", "reply"):
        a, b = getattr(learned, name), getattr(predicted, name)
        assert a.shape == b.shape and (a != b).nnz == 0, name
    # unknown tokens are out of vocabulary: no unigram, and no n-gram through them
    unseen = encode(vocab, [[("哈哈", "qqzzxx-unseen", "好")]], grow=False)
    assert unseen.unigrams.nnz == 2 and unseen.bigrams.nnz == 0 and unseen.trigrams.nnz == 0
    empty = encode(vocab, [], grow=False)
    assert empty.n == 0 and empty.unigrams.shape == (0, len(vocab))
