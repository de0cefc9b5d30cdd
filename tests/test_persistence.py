"""Model and encoder files: no code runs from a file, damage is caught, every method round-trips.

A hostile file is simulated by a payload that creates a marker file when it
is built (a pickle's ``__reduce__``, a type's ``__setstate__``): each bad-input
test checks both that the payload is live (it does run where the old,
trusted path would run it) and that the refused load never creates it.
"""

import json
import os
import pickle
import warnings

import numpy as np
import pytest
import skops.io as sio

from sklearn_emoji import persistence
from sklearn_emoji.datasets import load_weibo_dialogues
from sklearn_emoji.persistence import (
    ModelFileError,
    PickleModelWarning,
    load_model,
    read_model_metadata,
    save_model,
)
from sklearn_emoji.pipelines import available_methods, make_method

pytestmark = pytest.mark.compat


class _Payload:
    """A pickle that creates a file when it is unpickled: what a hostile model file could do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


class _ForeignType:
    """A type that is not this library's: building it from a skops file creates the marker."""

    def __setstate__(self, state):
        open(state["marker"], "w").close()
        self.__dict__.update(state)


@pytest.fixture(scope="module")
def weibo():
    return load_weibo_dialogues(n_samples=240, random_state=0)


@pytest.fixture(scope="module")
def fbow(weibo):
    return make_method("F-BOW", random_state=0).fit(weibo.data, weibo.target)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, fbow):
    """Bytes of a saved F-BOW model file."""
    path = tmp_path_factory.mktemp("saved") / "fbow.skops"
    save_model(fbow, path, metadata={"method": "F-BOW"})
    return path.read_bytes()


def _old_format_1(model, metadata=None):
    """The bytes sklearn-emoji's previous release (commit 2a7f86a) wrote: a header line, JSON, a pickle."""
    header = {"format_version": 1, "estimator": type(model).__name__, "classes": None, **(metadata or {})}
    head = b"sklearn-emoji-model 1\n" + json.dumps(header, ensure_ascii=True).encode("ascii") + b"\n"
    return head + pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)


# ----------------------------------------------------------------------
# every method: save, load, the same predictions
# ----------------------------------------------------------------------
_TINY_NET = {"embedding_dim": 8, "hidden_dim": 8, "max_epochs": 1, "batch_size": 64}


def _tiny(name, pretrained=None):
    info = __import__("sklearn_emoji.pipelines", fromlist=["method_info"]).method_info(name)
    params = {}
    if info.neural:
        prefix = "hlstm__clf__" if name == "H-LSTM+LEXICON" else "clf__"
        net = {"max_epochs": 1, "batch_size": 64} if pretrained is not None else _TINY_NET
        params = {prefix + k: v for k, v in net.items()}
    return make_method(name, random_state=0, pretrained=pretrained, **params)


@pytest.fixture(scope="module")
def tiny_encoder(weibo):
    from sklearn_emoji.pretraining import pretrain_encoder

    return pretrain_encoder(
        weibo.data, weibo.target, embedding_dim=8, hidden_dim=8, max_epochs=1, min_freq=1, random_state=0
    )


@pytest.mark.parametrize("name", available_methods())
def test_every_method_round_trips(tmp_path, weibo, name):
    X, y = weibo.data[:180], weibo.target[:180]
    model = _tiny(name).fit(X, y)
    path = save_model(model, tmp_path / "m.skops", metadata={"method": name})
    back = load_model(path)
    np.testing.assert_array_equal(back.predict_proba(weibo.data[180:]), model.predict_proba(weibo.data[180:]))
    assert read_model_metadata(path)["method"] == name
    # the file is checked whole and holds no pickle
    assert b"sklearn-emoji-model 2 sha256=" == path_bytes(path)[:29]


def path_bytes(path):
    with open(path, "rb") as f:
        return f.read()


@pytest.mark.parametrize("name", ["H-LSTM", "H-LSTM+LEXICON"])
def test_pretrained_models_round_trip(tmp_path, weibo, tiny_encoder, name):
    from sklearn.base import clone

    X, y = weibo.data[:180], weibo.target[:180]
    model = _tiny(name, pretrained=tiny_encoder).fit(X, y)
    back = load_model(save_model(model, tmp_path / "m.skops"))
    np.testing.assert_array_equal(back.predict_proba(weibo.data[180:]), model.predict_proba(weibo.data[180:]))
    # the encoder comes back as a parameter, so the loaded model clones and refits like the original
    clf = back.named_estimators_["hlstm"]["clf"] if name == "H-LSTM+LEXICON" else back["clf"]
    assert clf.pretrained.vocabulary == tiny_encoder.vocabulary
    assert clone(back).get_params()  # clones without the file


def test_an_unfitted_model_saves_and_loads(tmp_path):
    path = save_model(make_method("H-LSTM", clf__hidden_dim=4), tmp_path / "u.skops")
    assert read_model_metadata(path)["classes"] is None
    back = load_model(path)
    assert back.get_params()["clf__hidden_dim"] == 4 and not hasattr(back["clf"], "net_")


# ----------------------------------------------------------------------
# bad input: nothing runs, a clear error naming the file
# ----------------------------------------------------------------------
def test_a_pickle_never_runs(tmp_path):
    marker = tmp_path / "ran"
    bare, headed = tmp_path / "bare.pkl", tmp_path / "headed.pkl"
    bare.write_bytes(pickle.dumps(_Payload(marker)))
    headed.write_bytes(_old_format_1(_Payload(marker)))
    for path in (bare, headed):
        for read in (load_model, read_model_metadata) if path is bare else (load_model,):
            with pytest.raises(ModelFileError, match=rf"{path.name} is .*pickle.*trusted=True"):
                read(path)
            assert not marker.exists()
    # the payload is live: the explicit trusted path runs it (then refuses the non-model)
    with pytest.warns(PickleModelWarning), pytest.raises(ModelFileError, match="not a model with predict_proba"):
        load_model(headed, trusted=True)
    assert marker.exists()


def test_a_skops_part_naming_a_foreign_type_never_runs(tmp_path, saved):
    marker = tmp_path / "ran"
    obj = _ForeignType()
    obj.marker = str(marker)
    part = sio.dumps(obj)
    # a well-formed model file around it: the checksum matches, only the type audit stands in the way
    meta = {"format_version": 2, "classes": None, "parts": {"skops": len(part), "safetensors": 0}}
    path = tmp_path / "foreign.skops"
    path.write_bytes(persistence._frame(persistence._MAGIC, 2, meta, part))
    with pytest.raises(ModelFileError, match=rf"foreign.skops names types .*{_ForeignType.__name__}"):
        load_model(path)
    assert not marker.exists()
    sio.loads(part, trusted=sio.get_untrusted_types(data=part))  # live: skops told to trust it builds it
    assert marker.exists()


def test_only_the_librarys_classes_and_tokenizers_are_trusted(tmp_path, weibo):
    from sklearn.feature_extraction.text import TfidfVectorizer

    # a function of the library that is not a tokenizer, as an analyzer, would be called at predict time
    model = TfidfVectorizer(analyzer=persistence.save_model)
    part = sio.dumps(model)
    meta = {"format_version": 2, "classes": None, "parts": {"skops": len(part), "safetensors": 0}}
    path = tmp_path / "analyzer.skops"
    path.write_bytes(persistence._frame(persistence._MAGIC, 2, meta, part))
    with pytest.raises(ModelFileError, match=r"names types .*sklearn_emoji.persistence.save_model"):
        load_model(path)
    assert persistence._trusted_own("sklearn_emoji.text.cached_tokenize")
    assert persistence._trusted_own("sklearn_emoji.preprocessing.DialogueFlattener")
    assert not persistence._trusted_own("sklearn_emoji.cli.main")
    assert not persistence._trusted_own("sklearn_emoji.nope.Thing")


def test_a_valid_header_in_front_of_another_body_is_refused(tmp_path, saved, fbow):
    marker = tmp_path / "ran"
    header_end = saved.index(b"\n", saved.index(b"\n") + 1) + 1
    for body in (pickle.dumps(_Payload(marker)), sio.dumps(make_method("S-BOW"))):
        path = tmp_path / "swapped.skops"
        path.write_bytes(saved[:header_end] + body)
        for read in (load_model, read_model_metadata):
            with pytest.raises(ModelFileError, match=r"swapped.skops is damaged: its SHA-256"):
                read(path)
    assert not marker.exists()


def test_a_truncated_file_is_refused(tmp_path, saved):
    path = tmp_path / "cut.skops"
    for size in (0, 10, 30, 100, len(saved) // 2, len(saved) - 1):
        path.write_bytes(saved[:size])
        with pytest.raises(ModelFileError, match="cut.skops"):
            load_model(path)


def test_any_bit_flip_is_refused(tmp_path, saved):
    rng = np.random.default_rng(0)
    header_end = saved.index(b"\n", saved.index(b"\n") + 1)
    # every header byte region and random body bytes, 60 flips in all
    positions = list(rng.integers(0, header_end, 20)) + list(rng.integers(header_end, len(saved), 40))
    path = tmp_path / "flipped.skops"
    for pos in positions:
        data = bytearray(saved)
        data[pos] ^= 1 << int(rng.integers(8))
        path.write_bytes(bytes(data))
        with pytest.raises(ModelFileError, match="flipped.skops"):
            load_model(path)


def test_a_file_from_a_newer_release_is_refused(tmp_path, saved):
    path = tmp_path / "new.skops"
    path.write_bytes(saved.replace(b"sklearn-emoji-model 2 ", b"sklearn-emoji-model 9 ", 1))
    with pytest.raises(ModelFileError, match="format 9, newer"):
        load_model(path)


def test_a_directory_or_a_missing_file_is_named(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        load_model(tmp_path)
    for read in (load_model, read_model_metadata):
        with pytest.raises(FileNotFoundError, match="no saved model"):
            read(tmp_path / "nope.skops")


# ----------------------------------------------------------------------
# the old pickle format, loaded only when trusted
# ----------------------------------------------------------------------
def test_a_file_of_the_previous_release_loads_when_trusted(tmp_path, weibo, fbow):
    old = tmp_path / "old.pkl"
    old.write_bytes(_old_format_1(fbow, {"method": "F-BOW", "classes": [str(c) for c in fbow.classes_]}))
    assert read_model_metadata(old)["method"] == "F-BOW"  # the old header is still readable
    with pytest.raises(ModelFileError, match="format 1"):
        load_model(old)
    with pytest.warns(PickleModelWarning, match="unpickling it runs any code"):
        model = load_model(old, trusted=True)
    np.testing.assert_array_equal(model.predict_proba(weibo.data[:20]), fbow.predict_proba(weibo.data[:20]))
    # saving it again converts it
    new = save_model(model, tmp_path / "new.skops")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_model(new)
    bare = tmp_path / "bare.pkl"
    bare.write_bytes(pickle.dumps(fbow))
    with pytest.warns(FutureWarning, match="allow_legacy"), pytest.warns(PickleModelWarning):
        load_model(bare, allow_legacy=True)


# ----------------------------------------------------------------------
# metadata
# ----------------------------------------------------------------------
def test_metadata_round_trip_and_reserved_keys(tmp_path, fbow):
    path = tmp_path / "m.skops"
    save_model(fbow, path, metadata={"method": "F-BOW", "training_data": "240 Weibo dialogues", "note": [1, "a"]})
    meta = read_model_metadata(path)
    assert meta["method"] == "F-BOW" and meta["note"] == [1, "a"] and meta["format_version"] == 2
    assert meta["classes"] == [str(c) for c in fbow.classes_]
    for key in ("classes", "format_version", "parts"):
        with pytest.raises(TypeError, match=f"may not set .*{key}"):
            save_model(fbow, tmp_path / "r.skops", metadata={key: None})
    with pytest.raises(TypeError, match="JSON-serialisable"):
        save_model(fbow, tmp_path / "r.skops", metadata={"when": object()})
    with pytest.raises(TypeError, match="needs a model with predict_proba"):
        save_model(object(), tmp_path / "r.skops")
    assert sorted(os.listdir(tmp_path)) == ["m.skops"]  # nothing written by the refused calls


# ----------------------------------------------------------------------
# encoder files
# ----------------------------------------------------------------------
def test_encoder_files_are_checked_before_they_are_read(tmp_path, tiny_encoder):
    import torch

    from sklearn_emoji.neural import EncoderFileError, load_encoder

    path = tmp_path / "enc.pt"
    tiny_encoder.save(path)
    data = path.read_bytes()
    assert data.startswith(b"sklearn-emoji-encoder 2 sha256=")
    back = load_encoder(path)
    assert all(torch.equal(back.state_dict[k], v) for k, v in tiny_encoder.state_dict.items())
    rng = np.random.default_rng(0)
    bad = tmp_path / "flipped.pt"
    for pos in rng.integers(0, len(data), 40):
        flipped = bytearray(data)
        flipped[pos] ^= 1 << int(rng.integers(8))
        bad.write_bytes(bytes(flipped))
        with pytest.raises(EncoderFileError, match="flipped.pt"):
            load_encoder(bad)
    with pytest.raises(EncoderFileError, match="is a directory"):
        load_encoder(tmp_path)


def test_an_old_encoder_file_with_mistyped_fields_gets_an_encoder_file_error(tmp_path, tiny_encoder):
    import torch

    from sklearn_emoji.neural import EncoderFileError, load_encoder

    payload = {
        "format": "sklearn-emoji/pretrained-encoder",
        "format_version": 1,
        "architecture": tiny_encoder.architecture,
        "vocabulary": tiny_encoder.vocabulary,
        "embedding_dim": tiny_encoder.embedding_dim,
        "hidden_dim": tiny_encoder.hidden_dim,
        "pooling": tiny_encoder.pooling,
        "state_dict": tiny_encoder.state_dict,
        "classes": tiny_encoder.classes,
        "info": {},
    }
    path = tmp_path / "old.pt"
    torch.save(payload, path)
    with pytest.warns(UserWarning, match="no checksum"):
        assert load_encoder(path).vocabulary == tiny_encoder.vocabulary
    for field, value in (("vocabulary", ["a", "b"]), ("info", [1]), ("embedding_dim", "8"), ("state_dict", [1])):
        torch.save({**payload, field: value}, path)
        with pytest.raises(EncoderFileError, match=f"old.pt.*{field}"):
            load_encoder(path)


# ----------------------------------------------------------------------
# the command line
# ----------------------------------------------------------------------
def test_recommend_refuses_a_pickle_unless_trusted(tmp_path, capsys, fbow):
    from sklearn_emoji.cli import main

    old = tmp_path / "old.pkl"
    old.write_bytes(_old_format_1(fbow))
    assert main(["recommend", "--model", str(old), "哈哈"]) == 2
    assert "--trust-pickle" in capsys.readouterr().err
    with pytest.warns(PickleModelWarning):
        assert main(["recommend", "--model", str(old), "--trust-pickle", "-k", "1", "哈哈"]) == 0
    assert main(["recommend", "--model", str(tmp_path), "哈哈"]) == 2
    assert "is a directory" in capsys.readouterr().err
