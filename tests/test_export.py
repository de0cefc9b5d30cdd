"""ONNX export (sklearn_emoji.export): the exported models give torch's and scikit-learn's numbers; bad files fail."""

import json
import shutil
import sys

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
pytest.importorskip("skl2onnx")

import torch  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402

from sklearn_emoji.datasets import load_weibo_dialogues  # noqa: E402
from sklearn_emoji.export import _padded_graph, export_onnx, load_onnx, quantize_onnx, tokenizer_path  # noqa: E402
from sklearn_emoji.metrics import top_k_emojis  # noqa: E402
from sklearn_emoji.neural import HierarchicalLSTM, SequenceLSTM  # noqa: E402
from sklearn_emoji.pipelines import make_method  # noqa: E402

N_TRAIN = 240
TINY = {"clf__embedding_dim": 8, "clf__hidden_dim": 8, "clf__max_epochs": 1, "clf__validation_fraction": None}
# Dialogues the tokenizers read oddly: an empty turn, more turns than kept, a turn over max_len, no known word.
ODD = [
    ["", "哈哈哈哈"],
    ["一", "二", "三", "四", "五", "六"],
    ["好" * 80],
    ["zzzq"],
    ["!!!"],
]


@pytest.fixture(scope="module")
def data():
    bunch = load_weibo_dialogues(n_samples=320, random_state=0)
    X, y = bunch.data, bunch.target
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:] + ODD


@pytest.fixture(scope="module")
def ready():
    from sklearn_emoji.pretrained import load_pretrained

    return load_pretrained("weibo-10")


@pytest.fixture(scope="module")
def ready_files(ready, tmp_path_factory):
    folder = tmp_path_factory.mktemp("onnx")
    fp32 = export_onnx(ready, folder / "weibo-10.onnx")
    int8 = quantize_onnx(fp32, folder / "weibo-10-int8.onnx")
    return fp32, int8


def test_padded_graph_equals_the_packed_module():
    """The exported computation (padded, masked) gives the packed module's numbers, odd rows included."""
    torch.manual_seed(0)
    X3 = torch.randint(0, 30, (6, 4, 7))
    X3[0, 1] = 0  # an empty turn between two others
    X3[1] = 0  # a dialogue without any token
    X3[2, :, 3:] = 0  # short turns
    X2 = X3[:, 0].clone()
    X2[3] = 0
    for pooling in ("last", "attention"):
        for module, X in (
            (HierarchicalLSTM(30, 5, embedding_dim=6, hidden_dim=5, pooling=pooling), X3),
            (SequenceLSTM(30, 5, embedding_dim=6, hidden_dim=5, pooling=pooling), X2),
        ):
            module.eval()
            with torch.no_grad():
                packed = torch.softmax(module(X), dim=1)
                padded = _padded_graph(module)(X)
            torch.testing.assert_close(padded, packed, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "name, params",
    [
        ("H-LSTM", {"clf__pooling": "last"}),
        ("H-LSTM", {"clf__pooling": "attention"}),
        ("S-LSTM", {"clf__pooling": "last"}),
        ("F-LSTM", {"clf__pooling": "attention"}),
    ],
)
def test_lstm_export_gives_torch_probabilities(name, params, data, tmp_path):
    X, y, held_out = data
    model = make_method(name, random_state=0, **TINY, **params).fit(X, y)
    path = export_onnx(model, tmp_path / "m.onnx")
    onnx_model = load_onnx(path, threads=1)
    assert list(onnx_model.classes_) == [str(c) for c in model.classes_]
    np.testing.assert_allclose(onnx_model.predict_proba(held_out), model.predict_proba(held_out), rtol=0, atol=1e-5)
    assert list(onnx_model.predict(held_out)) == list(model.predict(held_out))


def test_ready_model_fp32_and_int8(ready, ready_files, data):
    _, _, held_out = data
    fp32, int8 = ready_files
    torch_proba = ready.predict_proba(held_out)
    proba = load_onnx(fp32).predict_proba(held_out)
    assert np.abs(proba - torch_proba).max() <= 1e-4
    q = load_onnx(int8)
    assert q.metadata_["quantized"] is True and load_onnx(fp32).metadata_["quantized"] is False
    assert int8.stat().st_size < fp32.stat().st_size / 2
    q_proba = q.predict_proba(held_out)
    np.testing.assert_allclose(q_proba.sum(1), 1.0)
    # int8 weights move the scores a little; the best emoji stays among torch's top 3 nearly always
    top3 = np.argsort(-torch_proba, axis=1)[:, :3]
    agree = np.mean([b in row for b, row in zip(q_proba.argmax(1), top3)])
    assert agree >= 0.95, agree


def test_estimator_like(ready, ready_files, data):
    _, _, held_out = data
    model = load_onnx(ready_files[0])
    # batches are sorted by length and cut to their longest row: the same numbers as one dialogue at a time
    many = held_out * 3
    one_by_one = np.vstack([model.predict_proba([d]) for d in many])
    np.testing.assert_allclose(model.predict_proba(many), one_by_one, rtol=0, atol=1e-6)
    ranked = model.top_k(held_out[:3], k=2)
    assert ranked == top_k_emojis(model, held_out[:3], k=2)
    assert [r[0][0] for r in ranked] == list(model.predict(held_out[:3]))
    assert 0.0 <= model.score(held_out[:5], model.predict(held_out[:5])) == 1.0
    again = clone(model)
    with pytest.raises(NotFittedError):
        again.predict(held_out[:1])
    np.testing.assert_array_equal(again.fit().predict_proba(held_out[:4]), model.predict_proba(held_out[:4]))
    # a one-turn dialogue may be given as a plain string, as for the pipeline
    np.testing.assert_allclose(model.predict_proba(["哈哈哈"]), ready.predict_proba(["哈哈哈"]), atol=1e-5)


@pytest.mark.parametrize("name", ["S-BOW", "F-BOW"])
def test_bag_of_words_export(name, data, tmp_path):
    X, y, held_out = data
    model = make_method(name, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="quantize=True is for the LSTM models"):
        export_onnx(model, tmp_path / "bow.onnx", quantize=True)
    assert not (tmp_path / "bow.onnx").exists()
    path = export_onnx(model, tmp_path / "bow.onnx")
    onnx_model = load_onnx(path)
    np.testing.assert_allclose(onnx_model.predict_proba(held_out), model.predict_proba(held_out), rtol=0, atol=1e-5)
    assert list(onnx_model.predict(held_out)) == list(model.predict(held_out))
    with pytest.raises(ValueError, match="bag-of-words model"):
        quantize_onnx(path, tmp_path / "int8.onnx")


def test_models_that_cannot_be_exported_are_named(data, tmp_path):
    X, y, _ = data
    with pytest.raises(TypeError, match="cannot export a LexiconEmojiRecommender"):
        export_onnx(make_method("LEXICON"), tmp_path / "a.onnx")
    with pytest.raises(ValueError, match="step 'features' is a FeatureUnion"):
        export_onnx(make_method("EN-LINEAR"), tmp_path / "a.onnx")
    custom = make_method("S-BOW", tfidf__analyzer=list).fit(X[:40], y[:40])
    with pytest.raises(ValueError, match="the callable .list."):
        export_onnx(custom, tmp_path / "a.onnx")
    with pytest.raises(NotFittedError):
        export_onnx(make_method("H-LSTM"), tmp_path / "a.onnx")
    assert not any(tmp_path.iterdir())  # nothing half-written


def _copy_pair(src, dst):
    shutil.copy(src, dst)
    shutil.copy(tokenizer_path(src), tokenizer_path(dst))
    return dst


def test_bad_files_are_refused(ready_files, data, tmp_path):
    X, y, _ = data
    fp32, _ = ready_files
    truncated = _copy_pair(fp32, tmp_path / "truncated.onnx")
    truncated.write_bytes(fp32.read_bytes()[:5000])
    with pytest.raises(ValueError, match="not a readable ONNX model"):
        load_onnx(truncated)

    # a valid ONNX file that this library did not write
    from skl2onnx import to_onnx
    from sklearn.linear_model import LogisticRegression

    foreign = _copy_pair(fp32, tmp_path / "foreign.onnx")
    lr = LogisticRegression().fit(np.eye(4, dtype=np.float32), [0, 1, 0, 1])
    foreign.write_bytes(to_onnx(lr, np.eye(4, dtype=np.float32)).SerializeToString())
    with pytest.raises(ValueError, match="not one written by sklearn-emoji"):
        load_onnx(foreign)

    # another model's tokenizer file: inputs, vocabulary and emojis differ
    other = export_onnx(make_method("S-BOW", random_state=0).fit(X, y), tmp_path / "sbow.onnx")
    swapped = _copy_pair(fp32, tmp_path / "swapped.onnx")
    shutil.copy(tokenizer_path(other), tokenizer_path(swapped))
    with pytest.raises(ValueError, match=r"does not match its tokenizer file.*inputs.*vocabulary"):
        load_onnx(swapped)

    # the same model's tokenizer file with one word renumbered
    edited = _copy_pair(fp32, tmp_path / "edited.onnx")
    state = json.loads(tokenizer_path(edited).read_text(encoding="utf-8"))
    vocab = state["preprocess"][0]["vocabulary"]
    a, b = list(vocab)[:2]
    vocab[a], vocab[b] = vocab[b], vocab[a]
    tokenizer_path(edited).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="its vocabulary is not the tokenizer file's"):
        load_onnx(edited)

    lonely = tmp_path / "lonely.onnx"
    shutil.copy(fp32, lonely)
    with pytest.raises(FileNotFoundError, match="no tokenizer file beside it"):
        load_onnx(lonely)
    tokenizer_path(lonely).write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_onnx(lonely)
    with pytest.raises(FileNotFoundError, match="no ONNX model file"):
        load_onnx(tmp_path / "missing.onnx")


def test_missing_onnxruntime_names_the_extra(ready_files, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ImportError, match=r"sklearn-emoji\[serve-lite\]"):
        load_onnx(ready_files[0])
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"sklearn-emoji\[onnx\]"):
        export_onnx(make_method("S-BOW"), "unused.onnx")


def test_serve_and_recommend_take_an_onnx_file(ready_files, tmp_path, capsys):
    pytest.importorskip("fastapi")
    import argparse

    from fastapi.testclient import TestClient

    from sklearn_emoji.cli import main
    from sklearn_emoji.serving import add_arguments, create_app, run
    from sklearn_emoji.serving._cli import load_served_model

    fp32, int8 = ready_files
    model, metadata, label = load_served_model(str(int8))
    assert metadata["format"] == "onnx" and metadata["quantized"] is True and "int8" in label
    client = TestClient(create_app(model, metadata))
    got = client.post("/recommend", json={"turns": ["今天天气真好", "哈哈哈哈"], "k": 2}).json()
    assert [e["emoji"] for e in got["emojis"]] == [e for e, _ in model.top_k([["今天天气真好", "哈哈哈哈"]], k=2)[0]]
    assert client.get("/model").json()["method"] == "HLSTMClassifier"

    assert main(["recommend", "--model", str(fp32), "-k", "1", "哈哈哈哈"]) == 0
    assert capsys.readouterr().out.count("\t") == 1

    truncated = _copy_pair(fp32, tmp_path / "bad.onnx")
    truncated.write_bytes(b"\x08\x07garbage")
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert run(parser.parse_args(["--model", str(truncated)])) == 2
    assert "not a readable ONNX model" in capsys.readouterr().err
