"""End-to-end: the BOW baselines on real Weibo dialogues, model selection."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score, cross_validate

from sklearn_emoji.datasets import load_weibo_dialogues
from sklearn_emoji.metrics import get_scorer_dict, make_precision_at_k_scorer, top_k_emojis
from sklearn_emoji.pipelines import available_methods, make_method


@pytest.fixture(scope="module")
def weibo():
    return load_weibo_dialogues(n_samples=1500, random_state=0)


def test_available_methods():
    assert available_methods()[:7] == ["S-BOW", "F-BOW", "S-LSTM", "F-LSTM", "H-LSTM", "LEXICON", "LEXICON+BOW"]
    assert "H-LSTM+LEXICON" in available_methods()
    for name in available_methods():
        est = make_method(name, random_state=0)
        assert hasattr(est, "predict_proba") and hasattr(est, "fit")


def test_make_method_routes_params_and_rejects_unknown_names():
    est = make_method("s-bow", clf__C=3.0, tfidf__min_df=1)
    assert est.get_params()["clf__C"] == 3.0 and est.get_params()["tfidf__min_df"] == 1
    with pytest.raises(ValueError, match="unknown method 'G-LSTM'"):
        make_method("G-LSTM")
    with pytest.raises(TypeError, match="must be a str"):
        make_method(None)


def test_cross_val_score_five_fold_on_weibo(weibo):
    scores = cross_val_score(
        make_method("S-BOW", random_state=0),
        weibo.data,
        weibo.target,
        groups=weibo.groups,
        cv=GroupKFold(n_splits=5),
        scoring=make_precision_at_k_scorer(1),
    )
    assert scores.shape == (5,)
    chance = 1.0 / len(weibo.target_names)
    # A real model on balanced classes: clearly above chance, clearly below perfect.
    assert chance + 0.03 < scores.mean() < 0.9


def test_grid_search_over_tfidf_param_scored_by_p1_and_mrr(weibo):
    search = GridSearchCV(
        make_method("F-BOW", random_state=0),
        {"tfidf__sublinear_tf": [True, False]},
        scoring=get_scorer_dict(),
        refit="p@1",
        cv=3,
    )
    search.fit(weibo.data, weibo.target)
    res = search.cv_results_
    # Every grid point clearly above chance on every metric (measured on these
    # 1,500 dialogues: P@1 0.20, P@3 0.47, MRR 0.41 against 0.10, 0.30, 0.29).
    n = len(weibo.target_names)
    chance = {"mean_test_p@1": 1 / n, "mean_test_p@3": 3 / n, "mean_test_mrr": np.mean(1 / np.arange(1, n + 1))}
    for key, bar in chance.items():
        assert np.all(res[key] > bar + 0.05), (key, res[key], bar)
    assert np.all(res["mean_test_p@3"] >= res["mean_test_p@1"])
    best = search.best_estimator_
    ranked = top_k_emojis(best, weibo.data[:3], k=3)
    assert all(len(r) == 3 and r[0][1] >= r[1][1] >= r[2][1] for r in ranked)
    assert all(e in set(weibo.target_names) for r in ranked for e, _ in r)


def test_cross_validate_with_all_scorers_and_a_fold_missing_a_class(weibo):
    # Put every sample of one emoji into a single fold: the model fitted on the
    # other folds never sees it and its samples must count as misses, not crash.
    y = np.asarray(weibo.target)
    rare = y[0]
    groups = np.where(y == rare, 0, 1 + np.arange(len(y)) % 4)
    res = cross_validate(
        make_method("S-BOW", random_state=0),
        weibo.data,
        y,
        groups=groups,
        cv=GroupKFold(n_splits=5),
        scoring=get_scorer_dict(),
        error_score="raise",
    )
    assert np.all(np.isfinite(res["test_mrr"]))


def test_bow_is_reproducible(weibo):
    a = clone(make_method("S-BOW", random_state=0)).fit(weibo.data, weibo.target)
    b = clone(make_method("S-BOW", random_state=0)).fit(weibo.data, weibo.target)
    np.testing.assert_allclose(a.predict_proba(weibo.data[:50]), b.predict_proba(weibo.data[:50]))


@pytest.mark.parametrize(
    "X, y, exc, msg",
    [
        (None, ["[哈哈]"], TypeError, "got None"),
        ([], [], ValueError, "is empty"),
        ([[]], ["[哈哈]"], ValueError, "dialogue 0 of X is empty"),
        ([["ok", None]], ["[哈哈]"], TypeError, "turn 1 of dialogue 0"),
    ],
)
def test_bow_bad_input(X, y, exc, msg):
    with pytest.raises(exc, match=msg):
        make_method("F-BOW").fit(X, y)


def test_bow_mismatched_lengths():
    with pytest.raises(ValueError, match="X and y have different lengths"):
        make_method("S-BOW").fit(["a b", "c d"], ["[哈哈]"])


def test_emoji_only_reply():
    from sklearn_emoji.emojis import strip_emojis

    # With context, an emoji-only reply (empty once its emoji is removed) is
    # what half of the Weibo dialogues look like, and is accepted ...
    X = [["今天下雨", strip_emojis("[泪]")], ["好开心", "我也是"]] * 4
    y = ["[泪]", "[哈哈]"] * 4
    model = make_method("F-BOW", tfidf__min_df=1).fit(X, y)
    assert model.predict([["又下雨", ""]])[0] in {"[泪]", "[哈哈]"}
    # ... but a dialogue that was nothing but emojis holds no text: a clear error.
    with pytest.raises(ValueError, match="dialogue 0 of X holds no text"):
        model.predict([[strip_emojis("[哈哈][哈哈]")]])


@pytest.mark.parametrize("name", ["LEXICON", "LEXICON+BOW"])
def test_lexicon_methods_on_weibo(weibo, name):
    scores = cross_val_score(
        make_method(name, random_state=0),
        weibo.data,
        weibo.target,
        groups=weibo.groups,
        cv=GroupKFold(n_splits=5),
        scoring=make_precision_at_k_scorer(1),
    )
    assert 1.0 / len(weibo.target_names) + 0.03 < scores.mean() < 0.9


def test_the_registry_describes_every_method():
    from dataclasses import FrozenInstanceError

    from sklearn_emoji.pipelines import METHODS, MethodInfo, method_info

    assert list(METHODS) == available_methods()
    neural = [m for m in available_methods() if method_info(m).neural]
    assert neural == ["S-LSTM", "F-LSTM", "H-LSTM", "H-LSTM+LEXICON"]
    assert [m for m in available_methods() if method_info(m).takes_groups] == neural
    assert [m for m in available_methods() if method_info(m).language == "en"] == ["EN-LINEAR", "EN-LINEAR+SVM"]
    for name in available_methods():
        info = method_info(name.lower())
        assert isinstance(info, MethodInfo) and info.name == name
        assert info.description and info.reference and info.language in ("any", "en")
        assert (info.lstm_prefix is not None) == info.neural
        if info.neural:  # the prefix reaches an LSTM classifier
            clf = make_method(name).get_params()[info.lstm_prefix + "clf"]
            assert type(clf).__name__.endswith("LSTMClassifier")
    with pytest.raises(FrozenInstanceError):
        method_info("S-BOW").neural = True
    with pytest.raises(ValueError, match="unknown method 'nope'"):
        method_info("nope")


def test_pretrained_and_paper_settings_only_for_neural_methods():
    with pytest.raises(ValueError, match=r"settings='paper' applies to the LSTM methods \['S-LSTM'"):
        make_method("LEXICON", settings="paper")
    est = make_method("H-LSTM+LEXICON", settings="paper")
    assert est.get_params()["hlstm__clf__hidden_dim"] == 384


@pytest.mark.parametrize("method", ["S-BOW", "F-BOW", "LEXICON+BOW", "EN-LINEAR"])
def test_too_few_samples_name_the_count_and_the_option(method):
    # issue 24: TF-IDF's own "After pruning, no terms remain" said neither
    for X, y in [([["好开心"]], ["[哈哈]"]), ([["好开心"], ["难过"]], ["[哈哈]", "[泪]"])]:
        with pytest.raises(ValueError, match=rf"in the {len(X)} training text\(s\).*min_df=2.*--n-samples"):
            make_method(method).fit(X, y)
