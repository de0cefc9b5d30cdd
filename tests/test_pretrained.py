"""Ready models: the shipped artifacts, their manifests, loading with no training, a tiny rebuild."""

import hashlib
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from sklearn_emoji import make_method, recommend, top_k_emojis
from sklearn_emoji.inspection import explain_attention
from sklearn_emoji.neural import check_no_overlap
from sklearn_emoji.pretrained import (
    DATA_DIR,
    PretrainedFileError,
    available_pretrained,
    load_pretrained,
    load_pretrained_encoder,
    pretrained_manifest,
    runtime,
)
from sklearn_emoji.pretrained._build import build_models
from sklearn_emoji.pretrained._files import read_manifest, sha256_file, verify_artifact

ARTIFACTS = ["weibo-128", "weibo-10"]
DIALOGUE = ["今天下大雨", "我没带伞"]
#: The budget of everything shipped under pretrained/data (the wheel grows by this much at most).
BUDGET_BYTES = 25 * 10**6


@pytest.mark.parametrize("name", ARTIFACTS)
def test_shipped_files_match_their_manifest(name):
    manifest = read_manifest(DATA_DIR, name)
    for base, entry in manifest["files"].items():
        path = os.path.join(DATA_DIR, base)
        assert os.path.getsize(path) == entry["bytes"]
        assert sha256_file(path) == entry["sha256"]
    verify_artifact(DATA_DIR, name)
    for key in ("recipe", "data", "library_version", "excluded_root_posts", "held_out", "storage"):
        assert key in manifest, key
    assert manifest["recipe"]["tokenizer"] == "words" and manifest["recipe"]["pooling"] == "attention"
    # the winning CPU recipe: emoji pre-training from word2vec vectors, trained without the test threads
    assert manifest["recipe"]["word_vectors"]["workers"] == 1
    assert manifest["storage"]["dtype"] in ("float16", "float16 embedding, float32 rest", "float32")


def test_shipped_files_fit_the_budget_and_hold_no_pickle():
    total = 0
    for base in os.listdir(DATA_DIR):
        path = os.path.join(DATA_DIR, base)
        total += os.path.getsize(path)
        assert base.endswith((".safetensors", ".json")), base
        with open(path, "rb") as f:
            head = f.read(2)
        assert head != b"\x80\x04" and head[:1] != b"\x80", f"{base} looks like a pickle"
    assert total <= BUDGET_BYTES, total


def test_manifest_names_the_data_and_the_excluded_test_threads(data_home):
    from sklearn_emoji.datasets import load_weibo_dialogues
    from sklearn_emoji.evaluation import split_by_root_post

    split = split_by_root_post(load_weibo_dialogues(), test_size=0.2, random_state=0)
    digest = hashlib.sha256("\n".join(sorted(set(map(str, split.groups_test)))).encode()).hexdigest()
    archive = sha256_file(data_home / "weibo_ced" / "CED_Dataset.tar.gz")
    for name in ARTIFACTS:
        manifest = pretrained_manifest(name)
        assert manifest["excluded_root_posts"]["sha256"] == digest
        assert manifest["data"]["sha256"] == archive
        check_no_overlap(load_pretrained_encoder(name), split.groups_test)
    # The shipped 10-emoji model scores on the held-out threads what its manifest says.
    model = load_pretrained("weibo-10")
    from sklearn_emoji.metrics import precision_at_k

    p1 = 100 * precision_at_k(split.y_test, model.predict_proba(split.X_test), k=1, labels=list(model.classes_))
    assert p1 == pytest.approx(pretrained_manifest("weibo-10")["held_out"]["shipped"]["P@1"], abs=0.01)


def test_english_ready_model_from_arrays():
    verify_artifact(DATA_DIR, "tweeteval-20")
    manifest = pretrained_manifest("tweeteval-20")
    assert manifest["recipe"]["method"] == "EN-LINEAR" and "held_out" in manifest
    model = load_pretrained("tweeteval-20")
    assert isinstance(model, Pipeline) and len(model.classes_) == 20
    assert recommend("Merry Christmas everyone!", k=1, model="tweeteval-20")[0][0] == "🎄"
    assert clone(model).get_params()["clf__power"] == model.get_params()["clf__power"]


def test_load_pretrained_is_a_fitted_pipeline_with_no_training():
    names = available_pretrained()
    assert {"weibo-64", "weibo-10", "weibo-128", "tweeteval-20"} <= set(names)
    model = load_pretrained("weibo-64")
    assert isinstance(model, Pipeline)
    assert len(model.classes_) == 64 and model[-1].n_epochs_ == 0
    proba = model.predict_proba([DIALOGUE, ["哈哈哈哈太好笑了"], "蜡烛 一路走好"])
    assert proba.shape == (3, 64)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)
    assert len(set(proba.argmax(1).tolist())) >= 2  # not one constant answer
    assert model.predict(["一路走好，默哀"])[0] in model.classes_
    ranked = top_k_emojis(model, [DIALOGUE], k=5)[0]
    assert len(ranked) == 5 and ranked[0][1] >= ranked[-1][1]
    expl = explain_attention(model, [DIALOGUE])[0]
    assert len(expl["turns"]) == 2
    # The encoder's head, not a random one: mourning text ranks [蜡烛] (candle) first.
    assert model.predict(["愿逝者安息，一路走好"])[0] == "[蜡烛]"


def test_clone_of_a_ready_model_fine_tunes(data_home):
    from sklearn_emoji.datasets import load_weibo_dialogues

    weibo = load_weibo_dialogues(n_samples=300, random_state=3)
    model = clone(load_pretrained("weibo-10"))
    model.set_params(clf__max_epochs=1, clf__validation_fraction=None)
    model.fit(weibo.data, weibo.target)
    assert model[-1].n_epochs_ == 1
    assert model.predict_proba(weibo.data[:4]).shape == (4, len(model.classes_))


def test_make_method_takes_a_shipped_encoder_name():
    model = make_method("H-LSTM", pretrained="weibo-128")
    assert model.get_params()["clf__pretrained"] is load_pretrained_encoder("weibo-128")
    assert model.get_params()["tokens__vocabulary"] is load_pretrained_encoder("weibo-128")


def test_recommend_in_one_call():
    ranked = recommend(DIALOGUE, k=3)
    assert len(ranked) == 3 and all(isinstance(e, str) and 0 <= s <= 1 for e, s in ranked)
    assert recommend("今天下大雨", k=1, model="weibo-10")[0][0] in load_pretrained("weibo-10").classes_
    with pytest.raises(ValueError, match="got None"):
        recommend(None)
    with pytest.raises((TypeError, ValueError)):
        recommend([""] * 0)


@pytest.mark.parametrize("name", ["weibo-10", "weibo-64"])
def test_numpy_runtime_scores_equal_the_estimator(name, data_home):
    from sklearn_emoji.datasets import load_weibo_dialogues

    dialogues = load_weibo_dialogues(n_samples=400, random_state=3).data[:80]
    dialogues += [["今天下大雨", "", "我没带伞"], ["很长" * 40], ["一", "二", "三", "四", "五", "六"], ["[哈哈]"]]
    model, rt = load_pretrained(name), runtime(name)
    assert list(rt.classes_) == list(model.classes_)
    expected, got = model.predict_proba(dialogues), rt.predict_proba(dialogues)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert (got.argmax(1) == expected.argmax(1)).all()


def test_runtime_reads_dialogues_as_the_registry_tokenizer_does():
    from sklearn_emoji.pretrained._runtime import RECIPE

    tokens = make_method("H-LSTM").named_steps["tokens"]
    assert {key: tokens.get_params()[key] for key in RECIPE} == RECIPE


def test_recommend_imports_neither_torch_nor_sklearn():
    code = (
        "import sys; from sklearn_emoji import recommend; r = recommend(['今天下大雨', '我没带伞'], k=2); "
        "print(len(r), sorted(m for m in ('torch', 'sklearn', 'skorch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "[]"]


def test_recommend_ranks_like_top_k_emojis():
    model = load_pretrained("weibo-10")
    expected = top_k_emojis(model, [DIALOGUE], k=4)[0]
    got = recommend(DIALOGUE, k=4, model="weibo-10")
    assert [e for e, _ in got] == [e for e, _ in expected]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=1e-5)
    assert recommend(DIALOGUE, k=2, model=model) == expected[:2]  # a fitted estimator goes through predict_proba
    for bad in (0, True, 1.5, "3"):
        with pytest.raises(ValueError, match="k must be"):
            recommend(DIALOGUE, k=bad)


def test_unknown_and_unshipped_names():
    with pytest.raises(ValueError, match="weibo-64") as err:
        load_pretrained("weibo-65")
    assert "weibo-10" in str(err.value)
    with pytest.raises(ValueError, match="build-models --dim 384"):
        load_pretrained("weibo-384")
    with pytest.raises(TypeError):
        load_pretrained(42)


def _copy(tmp_path, name):
    for base in os.listdir(DATA_DIR):
        if base.startswith(name + "."):
            shutil.copy(os.path.join(DATA_DIR, base), tmp_path / base)
    return str(tmp_path / name)


def test_a_damaged_file_is_refused_by_name(tmp_path):
    prefix = _copy(tmp_path, "weibo-10")
    assert len(load_pretrained(prefix).classes_) == 10
    path = prefix + ".safetensors"
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0x01  # one flipped bit in the weights
    open(path, "wb").write(bytes(data))
    with pytest.raises(PretrainedFileError, match="weibo-10.safetensors.*build-models"):
        load_pretrained(prefix)
    os.remove(path)
    with pytest.raises(PretrainedFileError, match="missing"):
        load_pretrained(prefix)


def test_evaluate_refuses_a_ready_model_on_a_split_it_saw(data_home):
    from sklearn_emoji.evaluation import evaluate_on_weibo

    with pytest.raises(ValueError, match="pre-trained on .* test thread"):
        evaluate_on_weibo(["H-LSTM"], pretrained="weibo-10", random_state=1, progress=False, verbose=False)


def test_tiny_rebuild_runs_the_same_code_and_is_deterministic(tmp_path, data_home):
    # English: tests/test_pretrained_english.py builds a small tweeteval-20.
    kwargs = dict(dim=8, epochs=1, fine_tune_epochs=1, seeds=(0,), n_samples=600, english=False, verbose=False)
    first = build_models(str(tmp_path / "a"), **kwargs)
    second = build_models(str(tmp_path / "b"), **kwargs)
    assert set(first) == {"weibo-8", "weibo-10"}
    for name in first:
        assert first[name]["files"] == second[name]["files"], "two builds of the same data gave different files"
        assert first[name]["held_out"] == second[name]["held_out"] or name == "weibo-10"
    for name in first:  # the manifest's scores of the weights as stored are those of the files
        stored, held = first[name]["storage"]["scores"], first[name]["held_out"]
        assert abs(stored["P@1"] - held.get("shipped", held)["P@1"]) <= 100 / held["n"] * (
            1 + first[name]["storage"]["float16_top3_changes"]
        )
    model = load_pretrained(str(tmp_path / "a" / "weibo-8"))
    assert len(model.classes_) > 10  # the many-emoji head
    np.testing.assert_allclose(
        runtime(str(tmp_path / "a" / "weibo-8")).predict_proba([DIALOGUE]), model.predict_proba([DIALOGUE]), atol=1e-5
    )
    ten = load_pretrained(str(tmp_path / "a" / "weibo-10-8"))
    assert 2 <= len(ten.classes_) <= 10
    assert ten.predict([DIALOGUE])[0] in ten.classes_


def test_storage_keeps_float32_where_float16_would_change_a_ranking(monkeypatch):
    from sklearn_emoji.pretrained import _build, encoder_from_artifact, encoder_to_artifact
    from sklearn_emoji.pretraining import pretrain_encoder

    X = [["今天下大雨", "我没带伞"], ["下雨了", "我没带"]] * 6
    enc = pretrain_encoder(X, ["😂", "😭"] * 6, embedding_dim=4, hidden_dim=4, max_epochs=1, tokenizer="words")
    proba = np.full((len(X), 2), 0.5)
    # which tensors are rounded -> how many top-3 rankings change
    answers = {"all": 2, "embedding": 0}

    def fake(encoder, X_test, proba32, half_keys):
        return answers["all" if len(half_keys) > 1 else "embedding"], proba32

    monkeypatch.setattr(_build, "_top3_changes", fake)
    y = ["😂", "😭"] * 6
    dtypes, record = _build._storage(enc, X, y, proba)
    assert dtypes.pop("embedding.weight") == "float16" and set(dtypes.values()) == {"float32"}
    scores = record.pop("scores")
    assert record == {
        "dtype": "float16 embedding, float32 rest",
        "n_checked": 12,
        "max_top3_changes": 0,
        "float16_top3_changes": 2,
        "embedding_float16_top3_changes": 0,
    }
    assert set(scores) == {"P@1", "P@3", "P@5", "MRR"}
    tensors, data = encoder_to_artifact(enc, dtype={**dtypes, "embedding.weight": "float16"})
    assert tensors["embedding.weight"].dtype == np.float16
    assert {t.dtype for k, t in tensors.items() if k != "embedding.weight"} == {np.dtype(np.float32)}
    back = encoder_from_artifact(tensors, data, "toy")
    assert back.state_dict["embedding.weight"].dtype == enc.state_dict["embedding.weight"].dtype
    answers["embedding"] = 1
    dtypes, record = _build._storage(enc, X, y, proba)
    assert set(dtypes.values()) == {"float32"} and record["dtype"] == "float32"
    answers["all"] = 0
    dtypes, record = _build._storage(enc, X, y, proba)
    assert set(dtypes.values()) == {"float16"} and record["dtype"] == "float16"
    # one change in 1,000 held-out dialogues is within the tolerance (each P@k moves 0.1 points at most)
    answers["all"] = 1
    dtypes, record = _build._storage(enc, X * 100, y * 100, np.tile(proba, (100, 1)))
    assert record["max_top3_changes"] == 1 and record["dtype"] == "float16"


def test_storage_counts_real_top3_changes():
    from sklearn_emoji.pretrained import _build, model_from_encoder
    from sklearn_emoji.pretraining import pretrain_encoder

    X = [["今天下大雨", "我没带伞"], ["下雨了", "我没带"], ["好开心"]] * 6
    enc = pretrain_encoder(X, ["😂", "😭", "😊"] * 6, embedding_dim=4, hidden_dim=4, max_epochs=1, tokenizer="words")
    proba = model_from_encoder(enc).predict_proba(X)
    assert _build._top3_changes(enc, X, proba, set())[0] == 0  # nothing rounded: nothing changes
    assert _build._top3_changes(enc, X, 1 - proba, set())[0] == len(X)  # the reversed ranking differs everywhere


def test_build_names_the_extra_without_gensim(tmp_path, data_home, monkeypatch):
    import importlib

    real = importlib.import_module

    def no_gensim(name, *args):
        if name.startswith("gensim"):
            raise ImportError("No module named 'gensim'")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_gensim)
    with pytest.raises(ImportError, match="vectors"):
        build_models(str(tmp_path), dim=8, epochs=1, seeds=(0,), n_samples=300, english=False, verbose=False)
    assert not os.listdir(tmp_path)  # nothing half-written


def test_cli_recommend_needs_no_model():
    out = subprocess.run(
        [sys.executable, "-m", "sklearn_emoji.cli", "recommend", "今天下大雨", "我没带伞"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 3 and all("\t" in line for line in lines)
