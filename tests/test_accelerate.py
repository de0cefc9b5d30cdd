"""The LSTM classifiers trained through Hugging Face accelerate (skorch's AccelerateMixin).

CPU only here: accelerate's CPU mode in-process, and a two-process gloo run
(torch.distributed.run) with skorch's DistributedHistory. GPU paths skip
cleanly without CUDA.
"""

import pickle
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sklearn_emoji.neural import HLSTMClassifier, SLSTMClassifier

accelerate = pytest.importorskip("accelerate")
torch.set_num_threads(1)

TINY = dict(embedding_dim=8, hidden_dim=8, batch_size=32, max_epochs=2, random_state=0)


@pytest.fixture(scope="module")
def weibo_ids():
    from sklearn_emoji.datasets import load_weibo_dialogues
    from sklearn_emoji.preprocessing import HierarchicalTokenizer

    data = load_weibo_dialogues(n_samples=200, random_state=0)
    X = HierarchicalTokenizer(max_turns=4, max_len=30, min_freq=2).fit_transform(data.data)
    return X, np.asarray(data.target)


@pytest.fixture(scope="module")
def cpu_accelerator():
    return accelerate.Accelerator(cpu=True)


def test_cpu_accelerator_trains_the_same_model(weibo_ids, cpu_accelerator, capsys):
    X, y = weibo_ids
    clf = HLSTMClassifier(accelerator=cpu_accelerator, validation_fraction=0.2, **TINY).fit(X, y)
    plain = HLSTMClassifier(validation_fraction=0.2, **TINY).fit(X, y)
    assert type(clf.net_).__name__ == "_AcceleratedNetClassifier" and clf.device_ == "cpu"
    np.testing.assert_allclose(clf.predict_proba(X), plain.predict_proba(X), rtol=1e-5, atol=1e-7)
    assert capsys.readouterr().out == ""  # verbose=0 is quiet (skorch's "auto" sink would print)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_auto_accelerator_and_auto_device(weibo_ids):
    X, y = weibo_ids
    clf = SLSTMClassifier(accelerator="auto", validation_fraction=None, **TINY).fit(X[:, -1], y)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert clf.device_.startswith(expected)
    plain = SLSTMClassifier(device="auto", validation_fraction=None, **TINY).fit(X[:, -1], y)
    assert plain.device_ == expected and plain.device == "auto"  # resolved at fit, parameter kept
    with pytest.raises(ValueError, match="accelerator"):
        SLSTMClassifier(accelerator="gpu").fit(X[:, -1], y)


def test_clone_and_grid_search_share_the_accelerator(weibo_ids, cpu_accelerator):
    X, y = weibo_ids
    clf = HLSTMClassifier(accelerator=cpu_accelerator, validation_fraction=None, **TINY)
    assert clone(clf).accelerator is cpu_accelerator
    search = GridSearchCV(clf, {"hidden_dim": [4, 8]}, cv=2).fit(X, y)
    assert search.best_estimator_.accelerator is cpu_accelerator
    assert search.best_estimator_.net_.module_.output.in_features == search.best_params_["hidden_dim"]


def test_missing_accelerate_names_the_extra(weibo_ids, monkeypatch):
    X, y = weibo_ids
    monkeypatch.setitem(sys.modules, "accelerate", None)
    with pytest.raises(ImportError, match=r'pip install "sklearn-emoji\[accelerate\]"'):
        HLSTMClassifier(accelerator="auto", **TINY).fit(X, y)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_accelerator_on_cuda(weibo_ids):  # pragma: no cover - no GPU in CI
    X, y = weibo_ids
    clf = HLSTMClassifier(accelerator=accelerate.Accelerator(mixed_precision="bf16"), **TINY).fit(X, y)
    assert clf.device_.startswith("cuda")
    assert np.isfinite(clf.predict_proba(X)).all()


_DDP_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np, torch
    torch.set_num_threads(1)
    from accelerate import Accelerator
    from sklearn_emoji.neural import HLSTMClassifier

    X, y = np.load(sys.argv[1]), np.load(sys.argv[2])
    acc = Accelerator(cpu=True)
    clf = HLSTMClassifier(embedding_dim=8, hidden_dim=8, batch_size=16, max_epochs=3, patience=1,
                          validation_fraction=0.25, random_state=0, accelerator=acc).fit(X, y)
    np.savez(f"{sys.argv[3]}/rank{acc.process_index}.npz", proba=clf.predict_proba(X),
             emb=clf.net_.module_.embedding.weight.detach().numpy(),
             valid_acc=[r["valid_acc"] for r in clf.net_.history],
             n_processes=acc.num_processes, history=type(clf.net_.history).__name__)
    """
)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow  # two Python processes importing torch: ~10 s alone, ~25 s on a loaded 2-core machine
def test_two_process_gloo_run_agrees(weibo_ids, tmp_path):
    X, y = weibo_ids
    np.save(tmp_path / "X.npy", X[:120])
    np.save(tmp_path / "y.npy", y[:120].astype(str))
    (tmp_path / "fit.py").write_text(_DDP_SCRIPT)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(_free_port())]
    cmd += [str(tmp_path / "fit.py"), str(tmp_path / "X.npy"), str(tmp_path / "y.npy"), str(tmp_path)]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env={"OMP_NUM_THREADS": "1", **_env()})
    assert run.returncode == 0, run.stderr[-3000:]
    ranks = [np.load(tmp_path / f"rank{r}.npz") for r in (0, 1)]
    assert [int(r["n_processes"]) for r in ranks] == [2, 2]
    assert [str(r["history"]) for r in ranks] == ["DistributedHistory"] * 2
    for key in ("proba", "emb", "valid_acc"):  # one model, one history, on both ranks
        np.testing.assert_array_equal(ranks[0][key], ranks[1][key])
    assert np.allclose(ranks[0]["proba"].sum(1), 1)


def _env():
    import os

    return {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_PORT")}
