"""Tests of sklearn_emoji.lexicon on real data subsets (TweetEval, Weibo)."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_emoji.datasets import load_tweeteval_emoji, load_weibo_dialogues
from sklearn_emoji.lexicon import (
    LexiconEmojiRecommender,
    SiblingLexiconFeatures,
    extract_emoji_targets,
)
from sklearn_emoji.text import cached_tokenize


def _tok(text):
    return list(cached_tokenize(text))


@pytest.fixture(scope="module")
def tweets():
    # leak-free texts (the loader's default removes the U+FE0F that gave ❤ away):
    # 10,000 tweets are needed for the lexicon to clear the majority class well
    X, y = load_tweeteval_emoji("train", return_X_y=True)
    X, y = list(X), np.asarray(y, dtype=object)
    return X[:10000], y[:10000], X[40000:41000], y[40000:41000]


@pytest.fixture(scope="module")
def fitted(tweets):
    X, y, _, _ = tweets
    return LexiconEmojiRecommender(tokenizer=_tok).fit(X, y)


@pytest.fixture(scope="module")
def weibo():
    b = load_weibo_dialogues(n_samples=600, random_state=0)
    return b.data, np.asarray(b.target, dtype=object)


# ------------------------------------------------------------------ basics
def test_fit_predict_shapes_and_classes(tweets, fitted):
    X, y, Xt, _ = tweets
    assert fitted.classes_.tolist() == sorted(set(y.tolist()))
    P = fitted.predict_proba(Xt[:50])
    assert P.shape == (50, len(fitted.classes_))
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-6)
    assert (P >= 0).all()
    pred = fitted.predict(Xt[:50])
    assert pred.shape == (50,)
    np.testing.assert_array_equal(pred, fitted.classes_[P.argmax(axis=1)])
    assert fitted.decision_function(Xt[:5]).shape == (5, len(fitted.classes_))


def test_beats_majority_baseline_on_tweeteval(tweets, fitted):
    _, y, Xt, yt = tweets
    majority = max(set(y.tolist()), key=y.tolist().count)
    base = np.mean(yt == majority)
    acc = np.mean(fitted.predict(Xt) == yt)
    P = fitted.predict_proba(Xt)
    idx = np.searchsorted(fitted.classes_, yt)
    p3 = np.mean((np.argsort(-P, axis=1)[:, :3] == idx[:, None]).any(axis=1))
    assert acc > base + 0.02, (acc, base)
    assert p3 > 0.35


def test_recommend_with_counts(fitted, tweets):
    _, _, Xt, _ = tweets
    recs = fitted.recommend(Xt[:20])
    assert len(recs) == 20
    for row in recs:
        assert 1 <= len(row) <= fitted.max_set_size
        probs = [p for _, _, p in row]
        assert probs == sorted(probs, reverse=True)
        assert all(e in fitted.classes_ and isinstance(c, int) and c >= 1 for e, c, _ in row)
        assert probs[-1] >= fitted.set_threshold * probs[0]
    assert all(len(r) == 4 for r in fitted.recommend(Xt[:3], k=4))
    with pytest.raises(InvalidParameterError, match="'k' parameter"):
        fitted.recommend(Xt[:3], k=0)


def test_multi_emoji_targets_and_multiplication():
    # Texts with an intensifier repeat the emoji; others do not.
    X, y = [], []
    for i in range(12):
        X += [f"so funny story {i}", f"funny joke {i}", f"so sad story {i}", f"sad news {i}"]
        y += [["😂", "😂", "😂"], ["😂"], ["😢", "😢", "😢"], ["😢"]]
    mult = dict(min_multiplication_support=5, multiplication_smoothing=3, multiplication_threshold=0.5)
    rec = LexiconEmojiRecommender(min_df=1, **mult).fit(X, y)
    assert rec.classes_.tolist() == ["😂", "😢"]
    counts = rec.predict_counts(["so funny", "funny", "so sad", "sad"])
    assert counts[0, 0] == 3 and counts[1, 0] == 1
    assert counts[2, 1] == 3 and counts[3, 1] == 1
    keys = {r["term"] for r in rec.lexicon_table(kinds="multiplication")}
    assert "so" in keys
    recs = rec.recommend(["so funny"])
    assert recs[0][0][:2] == ("😂", 3)
    # restricting the candidate keys removes "so"
    rec2 = LexiconEmojiRecommender(min_df=1, multiplication_keys=["very"], **mult).fit(X, y)
    assert rec2.predict_counts(["so funny"])[0, 0] == 1


def test_extract_targets_from_weibo_style_texts():
    raw = ["太好笑了[哈哈][哈哈][哈哈]", "好难过[泪]", "太逗了[哈哈][哈哈]", "心疼[泪]"] * 5
    X, y = extract_emoji_targets(raw)
    assert X[0] == "太好笑了" and y[0] == ["[哈哈]"] * 3
    rec = LexiconEmojiRecommender(min_df=1, min_multiplication_support=3).fit(X, y)
    assert rec.predict(["太好笑了"])[0] == "[哈哈]"
    assert rec.predict_counts(["太好笑了"])[0, list(rec.classes_).index("[哈哈]")] >= 2
    with pytest.raises(TypeError):
        extract_emoji_targets("one string")


def test_chinese_dialogues(weibo):
    X, y = weibo
    Xtr, ytr, Xte = X[:450], y[:450], X[450:]
    rec = LexiconEmojiRecommender(tokenizer=_tok).fit(Xtr, ytr)
    P = rec.predict_proba(Xte)
    assert P.shape == (len(Xte), len(rec.classes_))
    assert any("\u4e00" <= r["term"][0] <= "\u9fff" for r in rec.lexicon_table(kinds="keyword"))
    reply = LexiconEmojiRecommender(tokenizer=_tok, turns="reply").fit(Xtr, ytr)
    assert len(reply.vocabulary_) < len(rec.vocabulary_)
    assert reply.predict_proba(Xte).shape == P.shape  # empty replies are fine


# ------------------------------------------------------- lexicon & enrichment
def test_lexicon_table(fitted):
    rows = fitted.lexicon_table()
    kinds = {r["kind"] for r in rows}
    assert {"seed", "keyword", "bigram"} <= kinds
    assert set(rows[0]) == {"emoji", "kind", "term", "weight", "iteration", "support"}
    seeds = [r for r in rows if r["kind"] == "seed"]
    assert {r["emoji"] for r in seeds} == set(fitted.classes_.tolist())
    xmas = fitted.lexicon_table(emoji="🎄", kinds=["seed", "keyword"])
    assert "christmas" in {r["term"] for r in xmas}
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(fitted.lexicon_table(kinds="keyword"))
    assert len(df) > 100 and (df.weight > 0).all()
    with pytest.raises(ValueError, match="unknown kind"):
        fitted.lexicon_table(kinds="nope")
    with pytest.raises(ValueError, match="unknown emoji"):
        fitted.lexicon_table(emoji="[nope]")


def test_seed_keywords_param(tweets):
    X, y, _, _ = tweets
    rec = LexiconEmojiRecommender(tokenizer=_tok, seed_keywords={"📷": "shutter"}).fit(X[:500], y[:500])
    seeds = rec.lexicon_table(emoji="📷", kinds="seed")
    assert [r["term"] for r in seeds] == ["shutter"]
    plain = LexiconEmojiRecommender(tokenizer=_tok).fit(X[:500], y[:500])
    assert [r["term"] for r in plain.lexicon_table(emoji="📷", kinds="seed")] != ["shutter"]
    j = list(rec.classes_).index("📷")
    assert rec.predict_proba(["shutter"])[0, j] > 3 * plain.predict_proba(["shutter"])[0, j]
    assert rec.predict(["shutter"]) is not None
    zero_prior = LexiconEmojiRecommender(tokenizer=_tok, seed_keywords={"📷": ["shutter"]}, prior_weight=0)
    assert zero_prior.fit(X[:500], y[:500]).predict(["shutter"])[0] == "📷"


def test_siblings_and_iteration_cap():
    # "dogs" (one text: below min_df, so no keyword) lives where "cats" lives
    X = [
        "i love cats so much",
        "i love cats so much today",
        "cats are great",
        "i hate rain so much",
        "rain again",
        "i hate rain today",
    ] * 3
    y = ["😍", "😍", "😍", "😢", "😢", "😢"] * 3
    X, y = X + ["i love dogs so much", "my dogs"], y + ["😍", "😢"]
    rec = LexiconEmojiRecommender(min_sibling_weight=0.01, max_iter=0).fit(X, y)
    assert rec.n_iter_ == 0 and not rec.lexicon_table(kinds="sibling")
    rec1 = LexiconEmojiRecommender(min_sibling_weight=0.01, max_iter=1).fit(X, y)
    sib = rec1.lexicon_table(emoji="😍", kinds="sibling")
    assert rec1.n_iter_ == 1 and "dogs" in {r["term"] for r in sib}
    assert all(r["iteration"] == 1 for r in rec1.lexicon_table(kinds="sibling"))
    rec3 = LexiconEmojiRecommender(min_sibling_weight=0.01, max_iter=3, n_siblings=1).fit(X, y)
    assert 1 <= rec3.n_iter_ <= 3
    assert max(r["iteration"] for r in rec3.lexicon_table(kinds="sibling")) == rec3.n_iter_
    # the stopping rule: a huge threshold finds no sibling, so no iteration runs
    none = LexiconEmojiRecommender(min_sibling_weight=1e6, max_iter=3).fit(X, y)
    assert none.n_iter_ == 0


def test_partial_fit_enriches_unlabelled_and_labelled():
    X = [
        "i love cats so much",
        "i love cats so much today",
        "cats are great",
        "i hate rain so much",
        "rain again",
        "i hate rain today",
    ] * 3
    y = ["😍", "😍", "😍", "😢", "😢", "😢"] * 3
    rec = LexiconEmojiRecommender(min_df=1, min_sibling_weight=0.01).fit(X, y)
    assert "puppies" not in rec.vocabulary_
    before = rec.predict_proba(["puppies"])
    # unlabelled texts: "puppies" lives where "cats" lives -> sibling of 😍
    rec.partial_fit(["i love puppies so much", "i love puppies so much today"] * 2)
    sib = {r["term"] for r in rec.lexicon_table(emoji="😍", kinds="sibling")}
    assert "puppies" in sib
    after = rec.predict_proba(["puppies"])
    assert after[0, 0] > before[0, 0]
    assert rec.predict(["puppies"])[0] == "😍"
    # labelled texts: new keywords appear
    rec.partial_fit(["sunny beach day", "beach beach"] * 2, ["😢"] * 4)
    kws = {r["term"] for r in rec.lexicon_table(emoji="😢", kinds=["keyword", "seed"])}
    assert "beach" in kws
    # unseen labels are accepted as new classes, classes_ stays sorted
    rec.partial_fit(["party time tonight", "party party"] * 2, ["🎉"] * 4)
    assert rec.classes_.tolist() == sorted(["😍", "😢", "🎉"])
    assert rec.predict_proba(["party"]).shape == (1, 3)
    assert rec.predict(["party tonight"])[0] == "🎉"


def test_partial_fit_from_scratch_matches_fit(tweets):
    X, y, Xt, _ = tweets
    a = LexiconEmojiRecommender(tokenizer=_tok).fit(X[:600], y[:600])
    b = LexiconEmojiRecommender(tokenizer=_tok).partial_fit(X[:300], y[:300]).partial_fit(X[300:600], y[300:600])
    np.testing.assert_allclose(a.predict_proba(Xt[:100]), b.predict_proba(Xt[:100]), rtol=1e-5, atol=1e-8)
    with pytest.raises(ValueError, match="first call"):
        LexiconEmojiRecommender().partial_fit(X[:10])


# ------------------------------------------------------------ features
def test_features_in_feature_union_pipeline(tweets):
    X, y, Xt, yt = tweets
    feats = SiblingLexiconFeatures(tokenizer=_tok, random_state=0, layers="separate")
    pipe = Pipeline(
        [
            (
                "features",
                FeatureUnion(
                    [
                        ("tfidf", TfidfVectorizer(analyzer=_tok, sublinear_tf=True, min_df=2)),
                        ("lexicon", feats),
                    ]
                ),
            ),
            ("clf", LogisticRegression(max_iter=300)),
        ]
    )
    pipe.fit(X, y)
    P = pipe.predict_proba(Xt[:200])
    assert P.shape == (200, len(pipe.classes_))
    lex = pipe.named_steps["features"].transformer_list[1][1]
    names = lex.get_feature_names_out()
    assert len(names) == 3 * len(lex.classes_) and names[0].startswith("keyword_")
    out = lex.transform(Xt[:10])
    assert sp.issparse(out) and out.shape == (10, len(names))
    assert len(pipe.named_steps["features"].get_feature_names_out()) > len(names)


def test_features_cross_fitting_and_options(tweets):
    X, y, _, _ = tweets
    f = SiblingLexiconFeatures(tokenizer=_tok, cv=3, random_state=0, layers="sum")
    F_cv = f.fit_transform(X[:600], y[:600]).toarray()
    F_in = f.transform(X[:600]).toarray()
    assert F_cv.shape == F_in.shape == (600, len(f.classes_))
    # in-sample scores are more confident than cross-fitted ones
    idx = np.searchsorted(f.classes_, y[:600])
    assert F_in[np.arange(600), idx].mean() > F_cv[np.arange(600), idx].mean()
    g = SiblingLexiconFeatures(tokenizer=_tok, cv=None, layers="sum").fit(X[:600], y[:600])
    np.testing.assert_allclose(g.fit_transform(X[:600], y[:600]).toarray(), g.transform(X[:600]).toarray())
    dense = SiblingLexiconFeatures(tokenizer=_tok, sparse_output=False).fit(X[:300], y[:300])
    assert isinstance(dense.transform(X[:5]), np.ndarray)


def test_features_set_output_pandas(tweets):
    pd = pytest.importorskip("pandas")
    X, y, _, _ = tweets
    f = SiblingLexiconFeatures(tokenizer=_tok, layers="sum").set_output(transform="pandas")
    out = f.fit_transform(X[:300], y[:300])
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(f.get_feature_names_out())
    assert isinstance(f.transform(X[:5]), pd.DataFrame)


# ------------------------------------------------------ sklearn integration
def test_grid_search_and_cross_val_score(tweets):
    X, y, _, _ = tweets
    X, y = X[:800], y[:800]
    scores = cross_val_score(LexiconEmojiRecommender(tokenizer=_tok, max_iter=1), X, y, cv=5)
    assert scores.shape == (5,) and np.all(scores > 0.05)
    gs = GridSearchCV(LexiconEmojiRecommender(tokenizer=_tok, max_iter=1), {"prior_weight": [0.0, 1.5]}, cv=3)
    gs.fit(X, y)
    assert gs.best_params_["prior_weight"] in (0.0, 1.5)
    from sklearn_emoji.metrics import get_scorer_dict

    res = cross_val_score(
        LexiconEmojiRecommender(tokenizer=_tok, max_iter=1), X, y, cv=3, scoring=get_scorer_dict()["mrr"]
    )
    assert np.all(res > 0.2)


def test_clone_and_pickle(fitted, tweets):
    _, _, Xt, _ = tweets
    c = clone(fitted)
    assert not hasattr(c, "classes_") and c.get_params() == fitted.get_params()
    default = LexiconEmojiRecommender()
    again = pickle.loads(pickle.dumps(default.fit(["a b", "c d", "a c"], ["x", "y", "x"])))
    assert again.predict(["a"]).tolist() == ["x"]
    f2 = pickle.loads(pickle.dumps(fitted))  # cached_tokenize wrapper is module-level
    np.testing.assert_allclose(f2.predict_proba(Xt[:20]), fitted.predict_proba(Xt[:20]))
    feats = SiblingLexiconFeatures(min_df=1).fit(["a b", "c d", "a c"], ["x", "y", "x"])
    np.testing.assert_allclose(
        pickle.loads(pickle.dumps(feats)).transform(["a"]).toarray(), feats.transform(["a"]).toarray()
    )


# --------------------------------------------------------------- bad input
def test_not_fitted():
    for est in (LexiconEmojiRecommender(), SiblingLexiconFeatures()):
        with pytest.raises(NotFittedError):
            (est.predict_proba if hasattr(est, "predict_proba") else est.transform)(["a"])
    with pytest.raises(NotFittedError):
        LexiconEmojiRecommender().lexicon_table()
    with pytest.raises(NotFittedError):
        SiblingLexiconFeatures().get_feature_names_out()


@pytest.mark.parametrize(
    "X, y, exc, match",
    [
        (None, ["a"], TypeError, "None"),
        ([], [], ValueError, "empty"),
        ("a text", ["x"], TypeError, "single str"),
        (["a b", "c d"], ["x"], ValueError, "different lengths"),
        (["a b", 3], ["x", "y"], TypeError, "dialogue 1"),
        (["a b", "c"], None, TypeError, "y is None"),
        (["a b", "c"], ["x", None], ValueError, "label 1"),
        (["a b", "c"], ["x", []], ValueError, "empty list"),
        (["a b", "c"], ["x", 1.5], TypeError, "label 1"),
        (["a b", "   "], ["x", "y"], ValueError, "no text"),
    ],
)
def test_bad_input(X, y, exc, match):
    with pytest.raises(exc, match=match):
        LexiconEmojiRecommender().fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"turns": "first"}, "turns"),
        ({"weighting": "bm25"}, "weighting"),
        ({"max_iter": -1}, "max_iter"),
        ({"min_df": 0}, "min_df"),
        ({"min_df": "2"}, "min_df"),
        ({"smoothing": 0}, "smoothing"),
        ({"seed_keywords": ["a"]}, "seed_keywords"),
        ({"seed_keywords": {"x": 3}}, "seed_keywords"),
        ({"tokenizer": "jieba"}, "tokenizer"),
        ({"set_threshold": 2}, "set_threshold"),
        ({"max_set_size": "2"}, "max_set_size"),
        ({"multiplication_keys": "so"}, "multiplication_keys"),
        ({"multiplication_keys": ["so", 1]}, "multiplication_keys"),
    ],
)
def test_bad_params(params, match):
    # one error type for every bad parameter, whatever the mistake
    with pytest.raises(InvalidParameterError, match=match):
        LexiconEmojiRecommender(**params).fit(["a b", "c d"], ["x", "y"])


@pytest.mark.parametrize("params", [{"layers": "bad"}, {"cv": 0}, {"sparse_output": "yes"}, {"min_df": 0}])
def test_bad_feature_params(params):
    with pytest.raises(InvalidParameterError, match=next(iter(params))):
        SiblingLexiconFeatures(**params).fit(["a b", "c d"], ["x", "y"])


def test_predict_bad_input(fitted):
    with pytest.raises(TypeError):
        fitted.predict(None)
    with pytest.raises(ValueError):
        fitted.predict([])
    with pytest.raises(TypeError):
        fitted.predict([1, 2])


def test_tags():
    tags = LexiconEmojiRecommender().__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    assert tags.estimator_type == "classifier"
    ftags = SiblingLexiconFeatures().__sklearn_tags__()
    assert ftags.input_tags.string and ftags.target_tags.required


def test_integer_labels_keep_their_numeric_order(tweets):
    # classes_ is np.unique(y), as for every scikit-learn classifier: with
    # integer labels 2 comes before 10 (they were once sorted as text, so
    # cross_val_predict put the probability columns in the wrong order).
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    X, y, _, _ = tweets
    X, y = X[:1200], y[:1200]
    numbers = [0, 1, 2, 3, 5, 8, 10, 11, 12, 13, 20, 30, 40, 50, 60, 70, 100, 200, 300, 1000]
    codes = dict(zip(sorted(set(y)), numbers))
    y_int = np.array([codes[e] for e in y])
    rec = LexiconEmojiRecommender().fit(X, y_int)
    np.testing.assert_array_equal(rec.classes_, np.unique(y_int))
    cv = StratifiedKFold(3)
    proba = cross_val_predict(LexiconEmojiRecommender(), X, y_int, cv=cv, method="predict_proba")
    by_hand = np.zeros_like(proba)
    for train, test in cv.split(X, y_int):
        fold = LexiconEmojiRecommender().fit([X[i] for i in train], y_int[train])
        by_hand[test] = fold.predict_proba([X[i] for i in test])
    np.testing.assert_allclose(proba, by_hand)
    assert np.mean(np.unique(y_int)[proba.argmax(axis=1)] == y_int) > 1.5 / len(codes)  # above chance
