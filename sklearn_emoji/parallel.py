"""Model selection on a Dask cluster, through joblib's Dask backend.

scikit-learn runs the fits of :class:`~sklearn.model_selection.GridSearchCV`,
:func:`~sklearn.model_selection.cross_validate` and friends through joblib;
:func:`dask_backend` points joblib at a Dask cluster, so the same search over
the same pipelines runs on the cluster's workers instead of local processes::

    from sklearn.model_selection import GridSearchCV
    from sklearn_emoji.metrics import get_scorer_dict
    from sklearn_emoji.parallel import dask_backend
    from sklearn_emoji.pipelines import make_method

    search = GridSearchCV(make_method("H-LSTM", clf__device="auto"),
                          {"clf__embedding_dim": [64, 128, 256, 384, 512]},
                          scoring=get_scorer_dict(), refit="p@1", cv=5)
    with dask_backend("tcp://scheduler:8786"):
        search.fit(X, y)

Nothing else changes: each fit runs in a worker process, and an LSTM with
``device="auto"`` picks the GPU of the worker that fits it. It needs the
``dask`` extra (``pip install "sklearn-emoji[dask]"``).

Why a wrapper rather than ``joblib.parallel_config(backend="dask")`` alone:
joblib's Dask backend (joblib 1.6) waits forever when the cluster fails
under it. A task that Dask itself gives up on (a worker that died three
times running it: ``KilledWorker``; a task that cannot be unpickled on the
worker) sets an exception that joblib's result loop never looks at, and a
search whose workers are all gone waits for new ones without end. The
backend used here passes every such failure on as a :class:`DaskClusterError`
and stops the search when the scheduler is unreachable, or has no worker,
for longer than ``timeout`` seconds. See :ref:`scaling`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from joblib import parallel_config

from ._compat import DaskDistributedBackend, SequentialBackend

__all__ = ["DaskClusterError", "dask_backend"]

_INSTALL = 'pip install "sklearn-emoji[dask]"'


class DaskClusterError(RuntimeError):
    """The Dask cluster could not run (or finish running) a search's fits.

    Raised by the code inside :func:`dask_backend` when the scheduler cannot
    be reached, when it has had no worker for longer than the timeout, or
    when Dask gave up on a task (a worker died running it, or the task could
    not be loaded on the worker). The error from Dask, when there is one, is
    the ``__cause__``. Errors raised *by a fit itself* are not wrapped: they
    reach the caller as they would locally.
    """


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(
            "Running the search on a Dask cluster needs dask.distributed, which is not installed. "
            f"Install the extra with: {_INSTALL}"
        ) from exc
    return distributed


def _task_error(exc, address):
    """A :class:`DaskClusterError` that says why Dask did not return a task."""
    name = type(exc).__name__
    if name == "KilledWorker":
        text = (
            f"a worker of the Dask cluster at {address} died each time it ran a fit ({exc}); "
            "the usual causes are running out of memory or a crash in native code (see the worker logs)"
        )
    elif isinstance(exc, (asyncio.CancelledError, TimeoutError)) or "cancel" in name.lower():
        text = (
            f"the fits were cancelled on the Dask cluster at {address} ({exc}): the scheduler was closed "
            "or lost, or the fits were cancelled by hand"
        )
    else:
        text = (
            f"the Dask cluster at {address} could not run a fit ({name}: {exc}); check that every worker "
            "has the same versions of sklearn-emoji, scikit-learn and torch as this process"
        )
    error = DaskClusterError(text)
    error.__cause__ = exc
    return error


class _WatchedDaskBackend(DaskDistributedBackend):
    """joblib's Dask backend that reports cluster failures instead of waiting.

    Two changes to :class:`joblib._dask.DaskDistributedBackend`: a future that
    Dask marks as failed or cancelled is handed to joblib's completion
    callback as an exception (joblib 1.6 sets it on a future that nothing
    reads, so ``Parallel`` waits forever), and a watchdog on the client's
    event loop fails the outstanding tasks when the scheduler has been
    unreachable, or without workers, for ``timeout`` seconds.
    """

    def __init__(self, *, client, timeout, poll_interval=0.5):
        super().__init__(client=client, wait_for_workers_timeout=timeout)
        self.address = client.scheduler.address if client.scheduler is not None else "(unknown address)"
        self.timeout = timeout
        self.poll_interval = poll_interval

    def get_nested_backend(self):
        """joblib calls made inside a task (a fit's tokenizer, a stacking's cross-validation) run in its worker.

        joblib's Dask backend hands them to the cluster again, through a
        client that every such call asks for the cluster's cores: once the
        cluster is gone each fit then failed on its own (``'NoneType' object
        has no attribute 'ncores'``) and a search returned NaN scores rather
        than stopping. One fit per task, its inner work in the worker, needs
        no cluster.
        """
        return SequentialBackend(nesting_level=(self.nesting_level or 0) + 1), None

    def effective_n_jobs(self, n_jobs):
        """The cluster's threads, at least 2; a :class:`DaskClusterError` once the client has lost it.

        joblib runs a call of one job in this process, not on the cluster:
        a cluster of one thread would run the whole search here, with the
        Dask backend still active for every nested call. (joblib's Dask
        backend ignores ``n_jobs`` alike: the cluster decides.)
        """
        if self.client.status not in ("running", "connecting") or self.client.scheduler is None:
            raise DaskClusterError(f"the connection to the Dask scheduler at {self.address} was lost")
        return max(2, super().effective_n_jobs(n_jobs))

    def start_call(self):
        super().start_call()
        self.client.loop.add_callback(self._watch)

    def _fail(self, future, error):
        cf_future = self._results.pop(future, None)
        callback = self._callbacks.pop(future, None)
        if cf_future is None:
            return
        cf_future.set_exception(error)
        # joblib's callback raises what ``retrieve_result_callback`` raises,
        # which registers the batch as failed and stops the Parallel call.
        callback(error)

    def _fail_all(self, error):
        for future in list(self._results):
            self._fail(future, error)

    async def _collect(self):
        try:
            await self._collect_results()
        except Exception as exc:  # a bug here would leave joblib waiting forever
            self._fail_all(_task_error(exc, self.address))
            raise

    async def _collect_results(self):
        while self._continue:
            async for future, result in self.waiting_futures:
                if future.status == "error" or future.cancelled():
                    exc = result[1] if isinstance(result, tuple) else result
                    self._fail(future, _task_error(exc, self.address))
                    continue
                cf_future = self._results.pop(future)
                callback = self._callbacks.pop(future)
                cf_future.set_result(result)
                callback(result)
            await asyncio.sleep(0.01)

    async def _problem(self):
        """Why the cluster cannot run tasks now, or None when it can."""
        address = self.address
        scheduler = self.client.scheduler
        if self.client.status not in ("running", "connecting") or scheduler is None:
            return f"the connection to the Dask scheduler at {address} was lost"
        try:
            nthreads = await asyncio.wait_for(scheduler.ncores(), self.timeout)
        except (OSError, asyncio.TimeoutError) as exc:
            return f"the Dask scheduler at {address} cannot be reached ({type(exc).__name__}: {exc})"
        if not nthreads:
            return f"the Dask scheduler at {address} has no worker"
        return None

    async def _watch(self):
        since = None
        while self._continue:
            asked = time.monotonic()
            try:
                problem = await self._problem()
            except Exception as exc:
                problem = f"the Dask scheduler at {self.address} cannot be asked for its workers ({exc!r})"
            if problem is None:
                since = None
            elif since is None:
                since = asked
            elif time.monotonic() - since >= self.timeout:
                self._fail_all(DaskClusterError(f"{problem} for {self.timeout:g} s; the search was stopped"))
                with contextlib.suppress(Exception):
                    await self.client.cancel(list(self.waiting_futures.futures), asynchronous=True)
                return
            await asyncio.sleep(self.poll_interval)


@contextlib.contextmanager
def dask_backend(address_or_client=None, *, timeout=120.0):
    """Run scikit-learn's joblib calls (searches, cross-validation) on Dask.

    Inside the ``with`` block, every joblib ``Parallel`` call, hence
    :class:`~sklearn.model_selection.GridSearchCV`,
    :func:`~sklearn.model_selection.cross_validate` and the like, sends its
    tasks to the Dask cluster's workers. A fit that raises still raises as
    it would locally; a cluster that fails raises :class:`DaskClusterError`
    (see ``timeout``) instead of hanging.

    Parameters
    ----------
    address_or_client : str, distributed.Client, Dask cluster or None, default=None
        Where to run: a scheduler address (``"tcp://host:8786"``), a
        cluster object with a ``scheduler_address`` (``LocalCluster``,
        a dask-jobqueue or dask-kubernetes cluster), an existing
        ``distributed.Client``, or None for the current default client
        (the last one created). A client made here is closed on exit.
    timeout : float, default=120.0
        Seconds allowed to connect, and seconds the search may go on while
        the scheduler is unreachable or has no worker before it stops with
        :class:`DaskClusterError`. Raise it for clusters whose workers wait
        in a batch queue before they start.

    Yields
    ------
    client : distributed.Client
        The client the tasks go through.

    Raises
    ------
    ImportError
        When ``dask.distributed`` is not installed; the message names the
        extra to install.
    DaskClusterError
        When the scheduler cannot be reached within ``timeout`` or the
        cluster fails during the block.

    Examples
    --------
    >>> from distributed import LocalCluster
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn_emoji.parallel import dask_backend
    >>> from sklearn_emoji.pipelines import make_method
    >>> X = ["好开心", "太好笑了", "气死我了", "好难过"] * 5
    >>> y = ["[哈哈]", "[哈哈]", "[怒]", "[泪]"] * 5
    >>> with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
    ...     with dask_backend(cluster, timeout=30):
    ...         scores = cross_val_score(make_method("F-BOW"), X, y, cv=2)
    >>> scores.shape
    (2,)
    """
    distributed = _import_distributed()
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}.")
    own_client = None
    if address_or_client is None:
        try:
            client = distributed.get_client()
        except ValueError as exc:
            raise ValueError(
                "dask_backend() found no Dask client: pass a scheduler address, a cluster or a "
                "distributed.Client, or create a distributed.Client first."
            ) from exc
    elif isinstance(address_or_client, distributed.Client):
        client = address_or_client
    else:
        address = getattr(address_or_client, "scheduler_address", address_or_client)
        if not isinstance(address, str):
            raise TypeError(
                "address_or_client must be a scheduler address (str), a Dask cluster, a distributed.Client "
                f"or None, got {type(address_or_client).__name__}."
            )
        try:
            client = own_client = distributed.Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise DaskClusterError(
                f"could not connect to the Dask scheduler at {address} within {timeout:g} s"
            ) from exc
    try:
        with parallel_config(backend=_WatchedDaskBackend(client=client, timeout=timeout), n_jobs=-1):
            yield client
    finally:
        if own_client is not None:
            with contextlib.suppress(Exception):
                own_client.close(timeout=timeout)
