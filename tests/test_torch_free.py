"""An exported ONNX model runs and is served without torch (the ``serve-lite`` extra).

CI runs this file twice: in the project's environment, and in a fresh virtual
environment without torch (``.ci/run``, section "torch-free serving"), where
``SKLEARN_EMOJI_ONNX_MODEL`` names a model exported beforehand. In both, the
subprocesses below make ``import torch`` fail, so any import of torch on the
way is an error here.
"""

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request

import pytest

pytestmark = pytest.mark.torchfree

pytest.importorskip("onnxruntime")

# Run before anything else in a subprocess: torch, skorch and safetensors cannot be imported. (A finder
# rather than ``sys.modules[name] = None``: libraries such as scipy take a name in sys.modules to mean
# that the module was imported.)
NO_TORCH = """import sys
class _NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("torch", "skorch", "safetensors"):
            raise ImportError(f"{name} is blocked: this process runs without torch")
sys.meta_path.insert(0, _NoTorch())
"""
DIALOGUES = [["今天天气真好", "哈哈哈哈"], ["好难过", "呜呜呜"], ["太好笑了"]]


@pytest.fixture(scope="module")
def onnx_path(tmp_path_factory):
    given = os.environ.get("SKLEARN_EMOJI_ONNX_MODEL")
    if given:
        return given
    pytest.importorskip("onnx")
    pytest.importorskip("torch")
    from sklearn_emoji.export import export_onnx
    from sklearn_emoji.pretrained import load_pretrained

    return str(export_onnx(load_pretrained("weibo-10"), tmp_path_factory.mktemp("lite") / "weibo-10.onnx"))


def _python(code, timeout=120):
    out = subprocess.run([sys.executable, "-c", NO_TORCH + code], capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_load_and_rank_without_torch(onnx_path):
    code = f"""
import json
import sklearn_emoji, sklearn_emoji.serving, sklearn_emoji.cli
from sklearn_emoji.export import load_onnx
model = load_onnx({onnx_path!r})
proba = model.predict_proba({DIALOGUES!r})
print(json.dumps({{"top": model.top_k({DIALOGUES!r}, k=3), "sums": proba.sum(1).tolist(),
                  "classes": list(model.classes_), "torch": "torch" in sys.modules}}))
"""
    got = json.loads(_python(code).strip().splitlines()[-1])
    assert got["torch"] is False
    assert len(got["top"]) == len(DIALOGUES) and all(len(r) == 3 for r in got["top"])
    assert all(abs(s - 1) < 1e-6 for s in got["sums"])
    assert all(e in got["classes"] for r in got["top"] for e, _ in r)


def test_recommend_command_without_torch(onnx_path):
    code = f"""
from sklearn_emoji.cli import main
sys.exit(main(["recommend", "--model", {onnx_path!r}, "-k", "2", "今天天气真好", "哈哈哈哈"]))
"""
    lines = _python(code).strip().splitlines()
    assert len(lines) == 2 and all(re.fullmatch(r"\S+\t0\.\d{4}", line) for line in lines)


def test_serve_without_torch(onnx_path):
    code = f"""
from sklearn_emoji.cli import main
sys.exit(main(["serve", "--model", {onnx_path!r}, "--port", "0", "--host", "127.0.0.1"]))
"""
    expected = json.loads(
        _python(
            f"import json\nfrom sklearn_emoji.export import load_onnx\n"
            f"print(json.dumps(load_onnx({onnx_path!r}).top_k([{DIALOGUES[0]!r}], k=2)[0]))"
        ).strip()
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-c", NO_TORCH + code], stderr=subprocess.PIPE, text=True, env=env)
    try:
        url, log = None, []
        for line in proc.stderr:
            log.append(line)
            match = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
            if match:
                url = match.group(1)
                break
        assert url, f"the server did not start (exit code {proc.wait(timeout=30)}): {''.join(log)}"
        assert any("the ONNX model" in line and "onnxruntime" in line for line in log), log
        with urllib.request.urlopen(url + "/model", timeout=30) as resp:
            info = json.load(resp)
        assert info["format"] == "onnx" and info["method"] == "HLSTMClassifier"
        request = urllib.request.Request(
            url + "/recommend",
            data=json.dumps({"turns": DIALOGUES[0], "k": 2}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as resp:
            got = json.load(resp)
        assert [e["emoji"] for e in got["emojis"]] == [e for e, _ in expected]
        assert [e["score"] for e in got["emojis"]] == pytest.approx([s for _, s in expected])
        assert got["attention"] is None
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        finally:
            proc.kill()
    assert proc.returncode == 0
