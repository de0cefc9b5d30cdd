"""Model files (header before the pickle), the split and the harness helpers."""

import json
import pickle
from datetime import datetime

import numpy as np
import pytest

from sklearn_emoji.datasets import load_weibo_dialogues
from sklearn_emoji.evaluation import (
    load_model,
    method_params,
    read_model_metadata,
    save_model,
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


class _Payload:
    """A pickle that creates a file when it is unpickled: what a hostile model file could do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_foreign_pickle_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(_Payload(marker)))
    for read in (load_model, read_model_metadata):
        with pytest.raises(ValueError, match=r"model\.pkl is a headerless pickle.*allow_legacy=True"):
            read(path)
        assert not marker.exists()
    # the payload is live: unpickling it (allowed explicitly) creates the file, then is refused as no model
    with pytest.raises(ValueError, match="not a model with predict_proba"):
        load_model(path, allow_legacy=True)
    assert marker.exists()


@pytest.mark.parametrize(
    "content, msg",
    [
        (b"", "not an sklearn-emoji model file"),
        (b"PK\x03\x04 a zip", "not an sklearn-emoji model file"),
        (b"sklearn-emoji-model x\n{}\n", "malformed"),
        (b"sklearn-emoji-model 99\n{}\n", "format 99, newer"),
        (b"sklearn-emoji-model 1\n{not json\n", "broken sklearn-emoji model header"),
        (b"sklearn-emoji-model 1\n[1, 2]\n", "broken sklearn-emoji model header"),
        (b"sklearn-emoji-model 1\n{}", "broken sklearn-emoji model header"),
    ],
)
def test_bad_headers_name_the_file(tmp_path, content, msg):
    path = tmp_path / "m.pkl"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=msg) as info:
        read_model_metadata(path)
    assert str(path) in str(info.value)


def test_metadata_round_trip(tmp_path, weibo, fitted):
    path = tmp_path / "sub" / "s-bow.pkl"
    save_model(fitted, path, metadata={"method": "S-BOW", "training_data": "600 Weibo dialogues", "note": [1, "a"]})
    meta = read_model_metadata(path)
    assert meta["method"] == "S-BOW" and meta["training_data"] == "600 Weibo dialogues" and meta["note"] == [1, "a"]
    assert meta["classes"] == [str(c) for c in fitted.classes_] and len(meta["classes"]) == len(weibo.target_names)
    assert meta["estimator"] == "Pipeline" and meta["format_version"] == 1
    assert meta["library_version"] == __import__("sklearn_emoji").__version__
    assert datetime.fromisoformat(meta["created"]).tzinfo is not None
    model = load_model(path)
    np.testing.assert_allclose(model.predict_proba(weibo.data[:20]), fitted.predict_proba(weibo.data[:20]))
    # an unfitted model saves too, with no classes
    save_model(make_method("F-BOW"), tmp_path / "unfitted.pkl")
    assert read_model_metadata(tmp_path / "unfitted.pkl")["classes"] is None


def test_a_header_that_disagrees_with_the_model_is_refused(tmp_path, fitted):
    path = tmp_path / "m.pkl"
    save_model(fitted, path)
    head, meta, body = path.read_bytes().split(b"\n", 2)
    forged = json.loads(meta)
    forged["classes"] = forged["classes"][::-1]
    path.write_bytes(head + b"\n" + json.dumps(forged).encode() + b"\n" + body)
    assert read_model_metadata(path)["classes"] == forged["classes"]
    with pytest.raises(ValueError, match="classes differ"):
        load_model(path)


def test_save_refuses_before_writing(tmp_path, fitted):
    with pytest.raises(TypeError, match="JSON-serialisable"):
        save_model(fitted, tmp_path / "a.pkl", metadata={"when": datetime.now()})
    with pytest.raises(TypeError, match="metadata must be a dict"):
        save_model(fitted, tmp_path / "a.pkl", metadata=["x"])
    with pytest.raises(TypeError, match="needs a model with predict_proba"):
        save_model(object(), tmp_path / "a.pkl")
    assert list(tmp_path.iterdir()) == []


def test_a_legacy_model_loads_when_allowed_and_re_saves(tmp_path, fitted):
    old = tmp_path / "old.pkl"
    old.write_bytes(pickle.dumps(fitted))
    with pytest.raises(ValueError, match="headerless"):
        load_model(old)
    model = load_model(old, allow_legacy=True)
    save_model(model, tmp_path / "new.pkl")
    assert read_model_metadata(tmp_path / "new.pkl")["classes"] == [str(c) for c in fitted.classes_]


def test_missing_file(tmp_path):
    for read in (load_model, read_model_metadata):
        with pytest.raises(FileNotFoundError, match="no saved model"):
            read(tmp_path / "nope.pkl")


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
