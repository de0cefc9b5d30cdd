"""Model selection on a Dask cluster (sklearn_emoji.parallel).

A LocalCluster of two worker processes on 127.0.0.1 runs the same searches
as this process; the scores must be the same. Then the cluster is made to
fail under a running search in the three ways that used to hang joblib.
"""

import importlib
import os
import sys
import threading
import time

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate

from sklearn_emoji.datasets import load_weibo_dialogues
from sklearn_emoji.metrics import get_scorer_dict
from sklearn_emoji.parallel import DaskClusterError, dask_backend
from sklearn_emoji.pipelines import make_method
from sklearn_emoji.text import tokenize, tokenize_many

SCORERS = ["p@1", "p@3", "mrr"]

# Every scheduler starts an HTTP server (metrics) on 8787 by default, even
# without a dashboard; a second cluster in this process moves to another port.
pytestmark = pytest.mark.filterwarnings("ignore:Port 8787 is already in use:UserWarning")


def _warm_up():
    importlib.import_module("sklearn_emoji.neural")
    tokenize("预热")


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    import dask

    # A fit that kills its worker fails the search at once (the default
    # retries it on three workers first).
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=50,
        )
    # The workers import torch and load jieba's dictionary while this
    # process runs the local searches.
    client = distributed.Client(cluster, set_as_default=False)
    warm = [client.submit(_warm_up, pure=False, workers=[w]) for w in client.scheduler_info()["workers"]]
    yield cluster
    del warm
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def dialogues(data_home):
    data = load_weibo_dialogues(n_samples=240, random_state=0)
    return list(data.data), data.target, data.groups


def _scores(cv_results):
    return {key: np.asarray(value) for key, value in cv_results.items() if key.startswith(("split", "mean_test"))}


def _assert_same_scores(local, remote):
    local, remote = _scores(local), _scores(remote)
    assert sorted(local) == sorted(remote)
    for key in local:
        np.testing.assert_allclose(remote[key], local[key], rtol=0, atol=1e-9, err_msg=key)


def test_grid_search_on_dask_equals_local(cluster, dialogues):
    from distributed import get_task_stream

    X, y, groups = dialogues
    scoring = {name: scorer for name, scorer in get_scorer_dict().items() if name in SCORERS}
    pipe = make_method(
        "H-LSTM",
        random_state=0,
        clf__max_epochs=1,
        clf__validation_fraction=None,
        clf__hidden_dim=8,
        clf__device="auto",
    )
    grid = {"clf__embedding_dim": [8, 16]}
    cv = GroupKFold(n_splits=2)

    local = GridSearchCV(pipe, grid, scoring=scoring, refit=False, cv=cv).fit(X, y, groups=groups)
    with dask_backend(cluster, timeout=60) as client, get_task_stream(client) as stream:
        remote = GridSearchCV(pipe, grid, scoring=scoring, refit=False, cv=cv).fit(X, y, groups=groups)
        workers = set(client.scheduler_info()["workers"])

    _assert_same_scores(local.cv_results_, remote.cv_results_)
    assert np.all(np.isfinite(local.cv_results_["mean_test_p@1"]))
    # The fits ran on the cluster's workers, not in this process.
    ran_on = {task["worker"] for task in stream.data}
    assert ran_on and ran_on <= workers


def test_cross_validate_on_dask_equals_local(cluster, dialogues):
    X, y, groups = dialogues
    scoring = {name: scorer for name, scorer in get_scorer_dict().items() if name in SCORERS}
    kwargs = dict(groups=groups, cv=GroupKFold(n_splits=3), scoring=scoring)

    local = cross_validate(make_method("F-BOW", random_state=0), X, y, **kwargs)
    with dask_backend(cluster.scheduler_address, timeout=60):
        remote = cross_validate(make_method("F-BOW", random_state=0), X, y, **kwargs)

    for name in SCORERS:
        np.testing.assert_allclose(remote[f"test_{name}"], local[f"test_{name}"], rtol=0, atol=1e-12)


class _SlowClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the first class after sleeping ``delay`` seconds in fit, or kills its process."""

    def __init__(self, delay=0.2, crash=False, nested=False):
        self.delay = delay
        self.crash = crash
        self.nested = nested

    def fit(self, X, y):
        if self.crash:
            os._exit(3)
        if self.nested:  # as an LSTM pipeline's tokenizer does: tokenize_many asks joblib for its cores
            tokenize_many([turn for dialogue in X for turn in dialogue])
        time.sleep(self.delay)
        if self.nested:
            tokenize_many([turn for dialogue in X for turn in dialogue])
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _search(n_candidates=40):
    X = [["好开心"], ["太好笑了"], ["气死我了"], ["好难过"]] * 4
    y = ["[哈哈]", "[哈哈]", "[怒]", "[泪]"] * 4
    search = GridSearchCV(_SlowClassifier(), {"delay": [0.2 + i * 1e-3 for i in range(n_candidates)]}, cv=2)
    return search, X, y


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "failure, match",
    [
        ("scheduler closed", r"cancelled|connection .* was lost"),
        ("workers gone", "has no worker for 2 s"),
        # issue 24: on a cluster of one thread joblib ran the fits in this process, each fit's nested joblib
        # call asked the closed client for its cores and failed: every score NaN, no DaskClusterError
        ("scheduler closed, nested joblib", r"cancelled|connection .* was lost"),
    ],
)
def test_cluster_failing_mid_search_is_a_clear_error(failure, match):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1 if "nested" in failure else None,  # one thread: joblib ran the search here
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=50,
    )
    client = distributed.Client(cluster, set_as_default=False)
    search, X, y = _search()
    search.set_params(estimator__nested="nested" in failure)
    closed = failure.startswith("scheduler closed")
    timer = threading.Timer(1.0, cluster.close if closed else lambda: cluster.scale(0))
    timer.start()
    try:
        with pytest.raises(DaskClusterError, match=match), dask_backend(client, timeout=2):
            search.fit(X, y)
    finally:
        timer.join()
        client.close()
        cluster.close()


def test_default_client_is_used(cluster):
    from distributed import Client

    with Client(cluster) as client, dask_backend() as used:
        assert used is client


def test_dead_worker_is_a_clear_error(cluster):
    # Last of the cluster tests: its worker is restarted by its nanny.
    search, X, y = _search(n_candidates=1)
    search.set_params(estimator__crash=True)
    with pytest.raises(DaskClusterError, match="died"):
        with dask_backend(cluster, timeout=60):
            search.fit(X, y)


def test_connect_failure_is_a_clear_error():
    pytest.importorskip("distributed")
    with pytest.raises(DaskClusterError, match="could not connect"):
        with dask_backend("tcp://127.0.0.1:1", timeout=1):
            pass


def test_bad_arguments():
    pytest.importorskip("distributed")
    with pytest.raises(ValueError, match="timeout"):
        with dask_backend("tcp://127.0.0.1:1", timeout=0):
            pass
    with pytest.raises(TypeError, match="address_or_client"):
        with dask_backend(8786):
            pass


def test_missing_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r'pip install "sklearn-emoji\[dask\]"'):
        with dask_backend("tcp://127.0.0.1:8786"):
            pass
