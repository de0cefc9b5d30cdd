"""The split and the harness helpers (model files: test_persistence.py)."""

import pytest

from sklearn_emoji.datasets import load_weibo_dialogues
from sklearn_emoji.evaluation import (
    method_params,
    read_model_metadata,
    save_models,
    split_by_root_post,
)
from sklearn_emoji.pipelines import make_method


@pytest.fixture(scope="module")
def weibo():
    return load_weibo_dialogues(n_samples=600, random_state=0)


@pytest.fixture(scope="module")
def fitted(weibo):
    return make_method("S-BOW", random_state=0).fit(weibo.data, weibo.target)


def test_save_models_records_each_method(tmp_path, fitted):
    paths = save_models({"S-BOW": fitted}, tmp_path, training_data="test")
    assert [p.rsplit("/", 1)[-1] for p in paths] == ["S-BOW.pkl"]
    meta = read_model_metadata(paths[0])
    assert meta["method"] == "S-BOW" and meta["training_data"] == "test"


def test_split_by_root_post_keeps_threads_whole(weibo):
    s = split_by_root_post(weibo, test_size=0.25, random_state=0)
    assert len(s.X_train) + len(s.X_test) == len(weibo.data)
    assert len(s.y_train) == len(s.X_train) == len(s.groups_train)
    assert not set(s.groups_train) & set(s.groups_test)
    assert 0.1 < len(s.X_test) / len(weibo.data) < 0.4


def test_method_params_follow_the_registry():
    lstm = {"hidden_dim": 8, "max_epochs": 1, "device": None}
    assert method_params("H-LSTM", lstm) == {"clf__hidden_dim": 8, "clf__max_epochs": 1}
    assert method_params("h-lstm+lexicon", lstm, settings="paper") == {
        "hlstm__clf__hidden_dim": 8,
        "hlstm__clf__max_epochs": 1,
        "settings": "paper",
    }
    assert method_params("EN-LINEAR", lstm, settings="paper") == {}
    with pytest.raises(ValueError, match="unknown LSTM parameters"):
        method_params("S-LSTM", {"hiden_dim": 8})
    # what it builds is accepted by make_method
    model = make_method("H-LSTM+LEXICON", **method_params("H-LSTM+LEXICON", lstm))
    assert model.get_params()["hlstm__clf__hidden_dim"] == 8
