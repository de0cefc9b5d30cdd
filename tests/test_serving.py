"""The HTTP API of ``sklearn-emoji serve``, through FastAPI's test client, and the command's refusals."""

import argparse
import json
import os
import pickle
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from _serving_models import build_tiny_ready, fit_small, weibo_sample  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from sklearn_emoji import pretrained  # noqa: E402
from sklearn_emoji.evaluation import read_model_metadata, save_model  # noqa: E402
from sklearn_emoji.inspection import explain_attention  # noqa: E402
from sklearn_emoji.metrics import top_k_emojis  # noqa: E402
from sklearn_emoji.pipelines import make_method  # noqa: E402
from sklearn_emoji.serving import add_arguments, create_app, run  # noqa: E402
from sklearn_emoji.serving._cli import load_served_model  # noqa: E402

STATIC = Path(__file__).resolve().parent.parent / "sklearn_emoji" / "serving" / "static"

N_TRAIN = 300


@pytest.fixture(scope="module")
def data():
    X, y = weibo_sample(400)
    held_out = [d for d in X[N_TRAIN:] if any(t.strip() for t in d)]
    return X[:N_TRAIN], y[:N_TRAIN], held_out


@pytest.fixture(scope="module")
def models(data):
    X, y, _ = data
    return {name: fit_small(name, X, y) for name in ("LEXICON", "F-BOW", "H-LSTM")}


@pytest.fixture(scope="module")
def clients(models):
    return {name: TestClient(create_app(model)) for name, model in models.items()}


def _ranked(result):
    return [(e["emoji"], e["score"]) for e in result["emojis"]]


@pytest.mark.parametrize("name", ["LEXICON", "F-BOW", "H-LSTM"])
def test_recommend_ranks_as_the_library_does(name, models, clients, data):
    model, client = models[name], clients[name]
    for dialogue in data[2][:3]:
        response = client.post("/recommend", json={"turns": list(dialogue), "k": 4})
        assert response.status_code == 200, response.text
        got = _ranked(response.json())
        want = top_k_emojis(model, [list(dialogue)], k=4)[0]
        assert [e for e, _ in got] == [e for e, _ in want]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-6)
        assert set(e for e, _ in got) <= set(map(str, model.classes_))


def test_attention_is_served_where_the_model_has_it(models, clients, data):
    dialogue = list(data[2][0])
    assert clients["F-BOW"].post("/recommend", json={"turns": dialogue}).json()["attention"] is None
    assert clients["LEXICON"].post("/recommend", json={"turns": dialogue}).json()["attention"] is None
    served = clients["H-LSTM"].post("/recommend", json={"turns": dialogue, "k": 2}).json()["attention"]
    want = explain_attention(models["H-LSTM"], [dialogue], k=2)[0]["turns"]
    assert [t["tokens"] for t in served] == [t["tokens"] for t in want]
    for turn, ref in zip(served, want):
        assert len(turn["weights"]) == len(turn["tokens"])
        assert sum(turn["weights"]) == pytest.approx(1.0, abs=1e-4)
        np.testing.assert_allclose(turn["weights"], ref["weights"], rtol=1e-5)
    assert sum(t["turn_weight"] for t in served) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize("name", ["F-BOW", "H-LSTM"])
def test_a_batch_answers_as_single_requests_do(name, clients, data):
    client = clients[name]
    dialogues = [list(d) for d in data[2][:5]]
    response = client.post("/recommend", json={"dialogues": dialogues, "k": 3})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == len(dialogues)
    for dialogue, result in zip(dialogues, results):
        single = client.post("/recommend", json={"turns": dialogue, "k": 3}).json()
        assert [e["emoji"] for e in result["emojis"]] == [e["emoji"] for e in single["emojis"]]
        np.testing.assert_allclose(
            [e["score"] for e in result["emojis"]], [e["score"] for e in single["emojis"]], rtol=1e-5
        )


def test_health_and_model_metadata_from_the_file_header(models, tmp_path):
    model = models["F-BOW"]
    path = save_model(
        model, tmp_path / "fbow.pkl", metadata={"method": "F-BOW", "training_data": "300 Weibo dialogues"}
    )
    client = TestClient(create_app(model, read_model_metadata(path), max_batch=7))
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok" and health.json()["method"] == "F-BOW"
    info = client.get("/model").json()
    assert info["method"] == "F-BOW"
    assert info["training_data"] == "300 Weibo dialogues"
    assert info["classes"] == [str(c) for c in model.classes_]
    assert info["attention"] is False
    assert info["limits"]["max_batch"] == 7 and info["limits"]["k"] == [1, len(model.classes_)]
    assert info["library_version"] == info["served_by"].split()[-1]


def test_json_answers_say_nosniff_as_the_page_does(clients):
    client = clients["LEXICON"]
    for response in (
        client.get("/health"),
        client.get("/model"),
        client.post("/recommend", json={"turns": ["好开心"]}),
        client.get("/"),
        client.get("/nowhere"),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.url


def test_the_page_and_its_files_are_served(clients):
    client = clients["LEXICON"]
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for src in re.findall(r'(?:src|href)="(static/[^"]+)"', page.text):
        asset = client.get("/" + src)
        assert asset.status_code == 200, src
    assert "recommend" in client.get("/static/app.js").text
    assert client.get("/docs").status_code == 404  # Swagger UI would load a CDN's scripts


LIMITS = dict(max_turns=4, max_turn_chars=50, max_chars=120, max_batch=3, max_body_bytes=4000)
JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    "request_kwargs, status, fragment",
    [
        (dict(content=b'{"turns": ["a"', headers=JSON), 400, "malformed JSON"),
        (dict(content=b"turns=hello", headers={"content-type": "text/plain"}), 422, "Content-Type: application/json"),
        (dict(content=b"", headers=JSON), 422, "JSON object"),
        (dict(json=["hello"]), 422, "JSON object"),
        (dict(json={"k": 2}), 422, "either 'turns'"),
        (dict(json={"turns": ["a"], "dialogues": [["b"]]}), 422, "either 'turns'"),
        (dict(json={"turns": "hello"}), 422, "turns: Input should be a valid list"),
        (dict(json={"turns": ["hello", 3]}), 422, "turns[1]: Input should be a valid string"),
        (dict(json={"turns": ["hello", None]}), 422, "turns[1]"),
        (dict(json={"dialogues": [["ok"], [1]]}), 422, "dialogues[1][0]"),
        (dict(json={"turns": ["hello"], "lang": "en"}), 422, "lang: Extra inputs"),
        (dict(json={"turns": ["hello"], "k": 0}), 422, "k must be between 1 and"),
        (dict(json={"turns": ["hello"], "k": 1000}), 422, "k must be between 1 and"),
        (dict(json={"turns": ["hello"], "k": "3"}), 422, "k: Input should be a valid integer"),
        (dict(json={"turns": []}), 422, "needs at least one turn"),
        (dict(json={"turns": ["  ", ""]}), 422, "holds no text"),
        (dict(json={"dialogues": []}), 422, "the batch is empty"),
        (dict(json={"turns": ["a"] * 5}), 413, "5 turns; at most 4"),
        (dict(json={"turns": ["ok", "x" * 51]}), 413, "turns[1]: 51 characters"),
        (dict(json={"dialogues": [["x" * 50, "x" * 50], ["x" * 30]]}), 413, "130 characters in the request"),
        (dict(json={"dialogues": [["a"]] * 4}), 413, "4 in one request; at most 3"),
        (dict(json={"turns": ["a" * 5000]}), 413, "over the limit of 4000 bytes"),
        (dict(content=iter([b'{"turns": ["', b"a" * 5000, b'"]}']), headers=JSON), 413, "over the limit"),
    ],
)
def test_bad_requests_get_a_status_and_a_message(models, request_kwargs, status, fragment):
    client = TestClient(create_app(models["LEXICON"], warm_up=False, **LIMITS), raise_server_exceptions=False)
    response = client.post("/recommend", **request_kwargs)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and fragment in detail, detail
    assert "Traceback" not in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # issue 24: errors too
    # The server is still answering.
    assert client.post("/recommend", json={"turns": ["好开心"], "k": 1}).status_code == 200


def test_a_failing_model_gets_a_short_500_and_the_server_goes_on(data, caplog):
    X, y, held_out = data
    model = make_method("S-BOW").fit(X, y)
    client = TestClient(create_app(model), raise_server_exceptions=False)
    ok = client.post("/recommend", json={"turns": list(held_out[0])})
    assert ok.status_code == 200

    def broken(X):
        raise RuntimeError("secret internals")

    model.steps[-1][1].predict_proba = broken
    with caplog.at_level("ERROR", logger="sklearn_emoji.serving"):
        failed = client.post("/recommend", json={"turns": list(held_out[0])})
    assert failed.status_code == 500
    assert "secret" not in failed.text and "Traceback" not in failed.text
    assert "server log" in failed.json()["detail"]
    assert any("secret internals" in (r.exc_text or "") for r in caplog.records)
    del model.steps[-1][1].predict_proba
    assert client.post("/recommend", json={"turns": list(held_out[0])}).json() == ok.json()


def test_create_app_refuses_what_it_cannot_serve(data):
    X, y, _ = data
    with pytest.raises(ValueError, match="predict_proba"):
        create_app(object())
    with pytest.raises(ValueError, match="cannot serve this Pipeline"):
        create_app(make_method("F-BOW"))
    with pytest.raises(ValueError, match="max_batch"):
        create_app(make_method("S-BOW").fit(X, y), max_batch=0)


def _args(model=None, **kw):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    where = [] if model is None else ["--model", str(model)]
    return parser.parse_args([*where, *[f"--{k.replace('_', '-')}={v}" for k, v in kw.items()]])


class _RunsCode:
    """Unpickling this writes a file: a stand-in for a malicious model file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (Path(self.marker).write_text, ("unpickled!",))


def test_run_refuses_files_that_are_not_this_librarys_models(tmp_path, capsys, data):
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps(_RunsCode(marker)))
    garbage = tmp_path / "garbage.pkl"
    garbage.write_bytes(b"\x00not a model at all")
    unfitted = save_model(make_method("F-BOW"), tmp_path / "unfitted.pkl")
    for path, reason in [
        (tmp_path / "missing.pkl", "no saved model"),
        (evil, "--trust-pickle"),
        (garbage, "header"),
        (unfitted, "not fitted"),
    ]:
        assert run(_args(path)) == 2
        err = capsys.readouterr().err
        assert f"cannot serve {path}" in err and reason in err, err
    assert not marker.exists(), "a pickle was unpickled without --trust-pickle"


def test_the_help_says_a_model_file_is_trusted_code():
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    text = " ".join(parser.format_help().split())
    assert "--trust-pickle" in text and "holds no code" in text
    assert "weibo-64" in text and "build-models" in text
    args = parser.parse_args(["--model", "m.pkl"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    assert parser.parse_args([]).model is None  # the default ready model
    for bad in (["--max-batch", "0"], ["--port", "70000"], ["--max-turns", "many"]):
        with pytest.raises(SystemExit):
            parser.parse_args(["--model", "m.pkl", *bad])


def test_run_reports_a_port_in_use(models, tmp_path, capsys):
    path = save_model(models["LEXICON"], tmp_path / "lexicon.pkl")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run(_args(path, port=port, log_level="critical")) != 0
    assert f"could not start on 127.0.0.1:{port}" in capsys.readouterr().err


def test_the_package_imports_without_the_extra_and_names_it():
    code = """
import argparse, sys
sys.modules["fastapi"] = None
sys.modules["uvicorn"] = None
import sklearn_emoji, sklearn_emoji.serving
from sklearn_emoji.serving import add_arguments, run
parser = argparse.ArgumentParser()
add_arguments(parser)
try:
    from sklearn_emoji.serving import create_app
except ImportError as exc:
    print("IMPORT:", exc)
print("RUN:", run(parser.parse_args(["--model", "m.pkl"])))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert 'IMPORT: serving a model needs FastAPI and uvicorn: pip install "sklearn-emoji[serve]"' in out.stdout
    assert "RUN: 2" in out.stdout
    assert 'pip install "sklearn-emoji[serve]"' in out.stderr


def test_the_serve_command_answers_over_http(models, tmp_path, data):
    httpx = pytest.importorskip("httpx")
    path = save_model(models["LEXICON"], tmp_path / "lexicon.pkl", metadata={"method": "LEXICON"})
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "sklearn_emoji.serving", "--model", path, "--port", "0", "--host", "127.0.0.1"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url, log = None, []
        for line in proc.stderr:
            log.append(line)
            match = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
            if match:
                url = match.group(1)
                break
        assert url, f"the server did not start (exit code {proc.wait(timeout=30)}): {''.join(log)}"
        assert httpx.get(url + "/health", timeout=30).json()["method"] == "LEXICON"
        dialogue = list(data[2][0])
        got = httpx.post(url + "/recommend", json={"turns": dialogue, "k": 2}, timeout=30).json()
        assert [e["emoji"] for e in got["emojis"]] == [e for e, _ in top_k_emojis(models["LEXICON"], [dialogue], 2)[0]]
        bad = httpx.post(url + "/recommend", content=b"{", headers=JSON, timeout=30)
        assert bad.status_code == 400 and json.loads(bad.text)["detail"].startswith("malformed JSON")
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl+C: a graceful shutdown and exit status 0
        try:
            proc.wait(timeout=30)
        finally:
            proc.kill()
    assert proc.returncode == 0


# -- ready models: the default of `serve`, a build-models prefix, GET /model ---------------------------------


@pytest.fixture(scope="module")
def tiny_ready(tmp_path_factory):
    return build_tiny_ready(tmp_path_factory.mktemp("ready"))


@pytest.fixture
def tiny_default(monkeypatch, tiny_ready):
    """Shipped names resolve to the tiny models (the real artifacts may not be built yet); the names asked for."""
    asked = []
    real_load, real_manifest = pretrained.load_pretrained, pretrained.pretrained_manifest
    shipped = {"weibo-64": tiny_ready["64"], "weibo-10": tiny_ready["10"]}

    def load(name=pretrained.DEFAULT_MODEL, **kw):
        asked.append(name)
        return real_load(shipped.get(name, name), **kw)

    monkeypatch.setattr(pretrained, "load_pretrained", load)
    monkeypatch.setattr(pretrained, "pretrained_manifest", lambda name: real_manifest(shipped.get(name, name)))
    return asked


def test_serve_loads_the_default_ready_model_without_model(tiny_default, tiny_ready):
    model, metadata, label = load_served_model(_args().model)
    assert tiny_default == [pretrained.DEFAULT_MODEL] == ["weibo-64"]
    assert label == "the ready model weibo-64"
    manifest = pretrained.pretrained_manifest("weibo-64")
    assert metadata["ready_model"] is True and metadata["model"] == "weibo-64"
    assert metadata["method"] == "H-LSTM"
    assert metadata["description"] == pretrained.MODELS["weibo-64"][1]
    assert metadata["held_out"] == manifest["held_out"] and "P@1" in metadata["held_out"]
    assert metadata["training_data"] and "dialogues" in metadata["training_data"]
    assert top_k_emojis(model, [["今天下大雨", "我没带伞"]], k=3)[0][0][0] in model.classes_


def test_run_without_model_serves_the_default(tiny_default, capsys):
    """The whole command, no --model: it loads weibo-64 and gets as far as binding the port (taken here)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run(_args(port=port, log_level="critical")) != 0
    err = capsys.readouterr().err
    assert tiny_default == ["weibo-64"]
    assert "serving the ready model weibo-64" in err and f"could not start on 127.0.0.1:{port}" in err


def test_model_route_describes_a_ready_model(tiny_default, tiny_ready):
    model, metadata, _ = load_served_model("weibo-10")
    client = TestClient(create_app(model, metadata))
    info = client.get("/model").json()
    n = len(model.classes_)
    assert n == 10 and info["classes"] == [str(c) for c in model.classes_]
    assert info["model"] == "weibo-10" and info["ready_model"] is True
    assert info["description"] == pretrained.MODELS["weibo-10"][1]
    assert info["uniform_score"] == pytest.approx(1 / n)
    assert info["attention"] is True and info["limits"]["k"] == [1, n]
    held_out = info["held_out"]
    assert held_out["shipped"]["P@1"] == pretrained.pretrained_manifest("weibo-10")["held_out"]["shipped"]["P@1"]
    assert info["recipe"]["tokenizer"] == "words" and info["artifact"] == "weibo-10-8"
    assert client.get("/health").json()["method"] == "H-LSTM"
    answer = client.post("/recommend", json={"turns": ["今天下大雨", "我没带伞"], "k": n}).json()
    assert sum(e["score"] for e in answer["emojis"]) == pytest.approx(1.0, abs=1e-4)
    assert answer["attention"] and all(len(t["tokens"]) == len(t["weights"]) for t in answer["attention"])


def test_model_accepts_a_build_models_prefix(tiny_ready):
    prefix = tiny_ready["64"]
    model, metadata, label = load_served_model(prefix)
    assert label == f"the ready model {prefix}"
    assert metadata["model"] == prefix and metadata["artifact"] == "weibo-8"
    assert metadata["held_out"]["task"].startswith("64 emojis")
    info = TestClient(create_app(model, metadata)).get("/model").json()
    assert info["ready_model"] is True and len(info["classes"]) == len(model.classes_)


def test_run_refuses_unknown_and_unshipped_ready_models(tmp_path, capsys):
    assert run(_args("weibo-384")) == 2
    assert "not shipped" in capsys.readouterr().err
    missing = tmp_path / "weibo-99"
    assert run(_args(missing)) == 2
    err = capsys.readouterr().err
    assert f"cannot serve {missing}" in err and "no saved model" in err and "weibo-64" in err


def test_a_damaged_ready_model_is_refused(tiny_ready, tmp_path, capsys):
    import shutil

    src = Path(tiny_ready["64"])
    for suffix in (".safetensors", ".json", ".manifest.json"):
        shutil.copy(str(src) + suffix, tmp_path / ("weibo-8" + suffix))
    weights = tmp_path / "weibo-8.safetensors"
    weights.write_bytes(weights.read_bytes()[:-8] + b"\x00" * 8)
    assert run(_args(tmp_path / "weibo-8")) == 2
    err = capsys.readouterr().err
    assert "does not match its manifest" in err


@pytest.mark.skipif(
    not os.path.isfile(
        os.path.join(pretrained.DATA_DIR, pretrained.MODELS[pretrained.DEFAULT_MODEL][0] + ".manifest.json")
    ),
    reason="the shipped artifacts are not built (make models)",
)
def test_the_shipped_default_model_is_described():
    model, metadata, _ = load_served_model(None)
    info = TestClient(create_app(model, metadata)).get("/model").json()
    assert info["model"] == "weibo-64" and len(info["classes"]) == 64
    assert info["held_out"] == pretrained.pretrained_manifest("weibo-64")["held_out"]


# -- the demo page: absolute scores, the chance note, attention shading and its legend -----------------------


def test_the_page_shows_absolute_scores_and_says_when_it_is_close_to_chance():
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    # The chance note: an element, and its rule (best score under 1.5 x the uniform 1/n, from GET /model).
    assert 'id="chance-note"' in page
    assert "const CHANCE_FACTOR = 1.5;" in script and "top < CHANCE_FACTOR * uniform" in script
    assert "model.uniform_score" in script and "Close to chance" in script
    # Bars out of 100%, not out of the best score.
    assert "/ best" not in script and "percent(Math.min(Math.max(e.score, 0), 1), 2)" in script
    # Attention: shaded against an even share of the turn (weight x tokens), not the top token; a legend.
    assert "const ratio = weight * n;" in script and "shade(ratio)" in script
    assert "/ top" not in script
    assert 'id="attention-legend"' in page and page.count('class="swatch ') == 4
    assert 'id="attention-flat"' in page
    # The attention section sits with the emojis, right after them, not at the end of a long page.
    assert page.index('id="emojis-title"') < page.index('id="attention-section"') < page.index("</main>")
    assert page.index('class="results"') < page.index('id="emojis-title"')
    # Emojis: pictographs as they are, Weibo codes as chips of their text.
    assert "Extended_Pictographic" in script and "emoji code" in script
    # Nothing from elsewhere: no URL, no inline style or script (the CSP forbids them).
    for text in (page, script, (STATIC / "style.css").read_text(encoding="utf-8")):
        assert "http://" not in text and "https://" not in text and "//cdn" not in text
    assert "<style" not in page and " style=" not in page and "<script>" not in page
