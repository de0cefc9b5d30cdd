"""The ready English model: EN-LINEAR as arrays and JSON (no pickle), rebuilt with no fitting."""

import os

import numpy as np
import pytest

from sklearn_emoji.datasets import load_tweeteval_emoji
from sklearn_emoji.pipelines import make_method
from sklearn_emoji.pretrained._english import (
    ARTIFACT,
    build_english,
    linear_from_artifact,
    linear_to_artifact,
    prune_linear,
)
from sklearn_emoji.pretrained._files import PretrainedFileError, read_artifact, write_artifact

N = 3000


@pytest.fixture(scope="module")
def tweets():
    try:
        X, y = load_tweeteval_emoji("train", download_if_missing=False, return_X_y=True)
    except Exception as exc:  # no data home here
        pytest.skip(f"TweetEval is not in the data home: {exc}")
    return X[:N], y[:N], X[N : N + 1000]


@pytest.fixture(scope="module")
def fitted(tweets):
    X, y, _ = tweets
    return make_method("EN-LINEAR", random_state=0).fit(X, y)


def test_round_trip_is_exact(fitted, tweets, tmp_path):
    _, _, X_new = tweets
    tensors, data = linear_to_artifact(fitted)
    assert data["vocabularies"]["words"][:1] and all(v.dtype == np.float64 for v in tensors.values())
    write_artifact(tmp_path, "en", tensors, data, {"recipe": {"method": "EN-LINEAR"}})
    assert not list(tmp_path.glob("*.pkl"))
    tensors2, data2, manifest = read_artifact(tmp_path, "en")
    rebuilt = linear_from_artifact(tensors2, data2)
    assert manifest["recipe"]["method"] == "EN-LINEAR"
    assert rebuilt.classes_.tolist() == fitted.classes_.tolist()
    np.testing.assert_allclose(rebuilt.predict_proba(X_new), fitted.predict_proba(X_new), rtol=0, atol=1e-12)
    assert rebuilt.predict(X_new).tolist() == fitted.predict(X_new).tolist()
    for key in ("features__chars__ngram_range", "clf__power", "clf__estimator__C", "features__words__min_df"):
        assert rebuilt.get_params()[key] == fitted.get_params()[key]


def test_smaller_dtype_and_pruning(fitted, tweets):
    _, _, X_new = tweets
    tensors, data = linear_to_artifact(fitted, dtype="float32")
    assert tensors["clf.coef"].dtype == np.float32 and data["coef_dtype"] == "float32"
    proba = linear_from_artifact(tensors, data).predict_proba(X_new)
    np.testing.assert_allclose(proba, fitted.predict_proba(X_new), atol=1e-5)
    n = fitted[-1].estimator_.coef_.shape[1]
    weight = np.abs(fitted[-1].estimator_.coef_).max(axis=0)
    pruned = prune_linear(fitted, n // 4)
    kept = pruned[-1].estimator_.coef_
    assert kept.shape[1] == n // 4 and np.abs(kept).max(axis=0).min() >= np.sort(weight)[-(n // 4)]
    assert pruned.predict_proba(X_new).shape == (len(X_new), len(fitted.classes_))
    X, y, _ = tweets
    refit = prune_linear(fitted, n // 4, X=X, y=y)
    assert refit[-1].estimator_.coef_.shape[1] == n // 4
    assert refit.named_steps["features"].get_params()["words__vocabulary"] is None
    same = linear_from_artifact(*linear_to_artifact(refit))
    np.testing.assert_allclose(same.predict_proba(X_new), refit.predict_proba(X_new), rtol=0, atol=1e-12)
    assert fitted[-1].estimator_.coef_.shape[1] == n  # the original is left as it is


def test_tampered_file_is_refused(fitted, tmp_path):
    tensors, data = linear_to_artifact(fitted)
    write_artifact(tmp_path, "en", tensors, data, {})
    path = tmp_path / "en.safetensors"
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1
    path.write_bytes(bytes(blob))
    with pytest.raises(PretrainedFileError, match="does not match its manifest"):
        read_artifact(tmp_path, "en")


def test_inconsistent_arrays_are_refused(fitted):
    tensors, data = linear_to_artifact(fitted)
    bad = {**tensors, "clf.coef": tensors["clf.coef"][:, :-1]}
    with pytest.raises(PretrainedFileError, match="coef has shape"):
        linear_from_artifact(bad, data)
    with pytest.raises(PretrainedFileError, match="no parameter"):
        linear_from_artifact(tensors, {**data, "params": {**data["params"], "clf__nope": 1}})


def test_build_english_small(tweets, tmp_path):
    manifest = build_english(tmp_path, n_samples=1500, budget=400_000, verbose=False)
    assert sorted(os.listdir(tmp_path)) == sorted(
        f"{ARTIFACT}.{ext}" for ext in ("safetensors", "json", "manifest.json")
    )
    held = manifest["held_out"]
    assert held["n"] == 1500 and 0 <= held["P@1"] <= held["P@3"] <= held["P@5"] <= 100
    assert {"MRR", "macro-F1"} <= set(held)
    assert manifest["recipe"]["method"] == "EN-LINEAR"
    assert manifest["storage"]["coef_dtype"] in ("float16", "float32", "float64")
    pruning = manifest["recipe"]["pruning"]
    assert 0 < pruning["n_features_kept"] < pruning["n_features_fitted"]
    assert sum(f["bytes"] for f in manifest["files"].values()) <= 400_000
    assert "tweeteval_emoji/train_text.txt" in manifest["data"]["files"]
    tensors, data, _ = read_artifact(tmp_path, ARTIFACT)
    model = linear_from_artifact(tensors, data)
    assert len(model.classes_) == 20 and model.predict(["I love you so much"]).shape == (1,)
