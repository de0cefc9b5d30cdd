"""The skorch net behind the LSTM classifiers: how it is built, trained and called.

Multi-GPU: ``accelerator=`` (an :class:`accelerate.Accelerator`, or
``"auto"``) trains through skorch's :class:`~skorch.hf.AccelerateMixin`,
with :class:`~skorch.history.DistributedHistory` when several processes train
together (``accelerate launch``).

Inputs of at most ``batch_size`` samples are predicted by one direct module
call under :func:`torch.inference_mode` (the same numbers as skorch's loop,
without its ``DataLoader``), so a one-dialogue ``predict_proba`` costs little
more than the bare module.
"""

import contextlib
import copy
import signal
import threading
import uuid

import numpy as np
import torch
from sklearn.utils import check_random_state
from skorch import NeuralNetClassifier
from skorch.callbacks import EarlyStopping, Freezer, ProgressBar
from skorch.dataset import ValidSplit
from skorch.hf import AccelerateMixin
from skorch.utils import noop
from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present
from torch.nn.parallel import DistributedDataParallel

from .._compat import predict_nonlinearity
from ._streaming import as_ids
from ._transfer import _LAYERS, ChainThaw, LoadPretrained


@contextlib.contextmanager
def torch_threads(n_threads):
    """Run the block with ``torch.set_num_threads(n_threads)``, then restore the old setting (``None``: as is)."""
    if n_threads is None:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(old)


def _check_device(device):
    """Resolve ``device`` and fail early and clearly when CUDA is missing."""
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a valid torch device; use 'cpu', 'cuda', 'cuda:<index>' or 'auto'."
        ) from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine (torch.cuda.is_available() is False). Use device='cpu' or "
            "device='auto'."
        )
    return device


def _accelerate():
    """The ``accelerate`` package, or an ImportError that says how to get it."""
    try:
        import accelerate
    except ImportError as exc:
        raise ImportError(
            'accelerator= needs Hugging Face accelerate: pip install "sklearn-emoji[accelerate]"'
        ) from exc
    return accelerate


class _AcceleratedNetClassifier(AccelerateMixin, NeuralNetClassifier):
    """skorch's ``NeuralNetClassifier`` trained through an ``accelerate.Accelerator``."""

    def _initialize_accelerator(self):
        # With several processes accelerate wraps every prepared module in
        # DistributedDataParallel, which refuses one without trainable
        # parameters -- the loss: leave such criteria unprepared.
        criteria = self._criteria
        self._criteria = [
            name
            for name in criteria
            if not isinstance(getattr(self, name + "_"), torch.nn.Module)
            or any(p.requires_grad for p in getattr(self, name + "_").parameters())
        ]
        try:
            return super()._initialize_accelerator()
        finally:
            self._criteria = criteria

    # Validation and prediction are not sharded: every process scores the
    # whole validation set with the same (synchronised) weights, so the
    # scores, early stopping and the restored epoch agree on every process.
    # (skorch gathers the sharded predictions but scores them against the
    # local targets only, which gives each process another valid_acc.)
    def get_iterator(self, dataset, training=False):
        if training:
            return super().get_iterator(dataset, training=True)
        return super(AccelerateMixin, self).get_iterator(dataset, training=False)

    def evaluation_step(self, batch, training=False):
        from accelerate.utils import send_to_device

        batch = send_to_device(batch, self.accelerator.device)
        return super(AccelerateMixin, self).evaluation_step(batch, training=training)


class _EarlyStopping(EarlyStopping):
    """skorch's ``EarlyStopping`` whose best weights also load into a module accelerate has unwrapped.

    Under DistributedDataParallel the weights are saved with a ``module.``
    prefix; ``AccelerateMixin`` unwraps the module before the callbacks'
    ``on_train_end``, so the prefix is dropped before they are restored.
    """

    def on_train_end(self, net, **kwargs):
        if self.best_model_weights_ is not None and not isinstance(net.module_, DistributedDataParallel):
            consume_prefix_in_state_dict_if_present(self.best_model_weights_, "module.")
        super().on_train_end(net, **kwargs)


def _distributed_history(accelerator, token):
    """skorch ``DistributedHistory`` on the process group's store, keys under ``token``.

    The store is the TCP store of ``MASTER_ADDR:MASTER_PORT`` that
    ``accelerate launch`` / ``torchrun`` start; a fresh prefix per ``fit``
    keeps the batches of two fits apart.
    """
    import os
    from datetime import timedelta

    from skorch.history import DistributedHistory
    from torch.distributed import PrefixStore, TCPStore

    try:
        host, port = os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"])
    except KeyError as exc:
        raise RuntimeError(
            f"accelerator has {accelerator.num_processes} processes but {exc.args[0]} is not set; "
            "start them with `accelerate launch` or torchrun, or pass history=DistributedHistory(...)."
        ) from exc
    store = TCPStore(host, port, is_master=False, timeout=timedelta(minutes=5), wait_for_workers=False)
    return DistributedHistory(
        store=PrefixStore(f"sklearn_emoji/{token}/", store),
        rank=accelerator.process_index,
        world_size=accelerator.num_processes,
    )


@contextlib.contextmanager
def _watch_sigint():
    """Record whether Ctrl-C (``SIGINT``) arrives while the block runs.

    skorch's ``partial_fit`` swallows every ``KeyboardInterrupt``, its own
    early stopping's and the user's alike, so the user's is told apart here:
    the handler in place is wrapped (it still raises, so skorch still stops)
    and the yielded list gets an entry. Only the main thread receives
    signals; elsewhere, or under a handler that is not Python's, nothing is
    changed.
    """
    hits: list = []
    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    if not callable(previous):
        yield hits
        return

    def handler(signum, frame):
        hits.append(signum)
        previous(signum, frame)

    signal.signal(signal.SIGINT, handler)
    try:
        yield hits
    finally:
        signal.signal(signal.SIGINT, previous)


class _SkorchNetMixin:
    """Building, training and calling the estimator's skorch net (``net_``).

    Reads the estimator's parameters and its ``_module_class``, ``_ndim``,
    ``_sizes()`` and ``_routed_params()``.
    """

    def _accelerator(self):
        if self.accelerator is None:
            return None
        accelerate = _accelerate()
        if isinstance(self.accelerator, str):  # "auto", checked by _parameter_constraints
            return accelerate.Accelerator()
        return self.accelerator

    def _seed(self, accelerator):
        """The seed of this fit and a token naming it; both the same on every process."""
        seed = None
        if self.random_state is not None:
            seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        token = uuid.uuid4().hex
        if accelerator is not None and accelerator.num_processes > 1:
            from accelerate.utils import broadcast_object_list

            # every process must split, shuffle and drop out alike: take rank 0's
            if seed is None:
                seed = int(np.random.default_rng().integers(np.iinfo(np.int32).max))
            seed, token = broadcast_object_list([seed, token], from_process=0)
        return seed, token

    def _make_callbacks(self, classes, has_valid):
        sink = print if self.verbose else noop
        callbacks = []
        if self.pretrained is not None:
            callbacks.append(("pretrained", LoadPretrained(self.pretrained, [str(c) for c in classes])))
        chain = self.pretrained is not None and self.fine_tuning == "chain-thaw"
        if chain:
            if not has_valid:
                raise ValueError(
                    "fine_tuning='chain-thaw' early-stops every step on a validation set; "
                    "set validation_fraction (e.g. 0.1) rather than None."
                )
            callbacks.append(
                (
                    "chain_thaw",
                    ChainThaw(
                        self._chain_steps(), patience=self.patience or 2, monitor="valid_acc", lower_is_better=False
                    ),
                )
            )
        elif self.patience is not None and has_valid:
            callbacks.append(
                (
                    "early_stopping",
                    _EarlyStopping(
                        monitor="valid_acc", lower_is_better=False, patience=self.patience, load_best=True, sink=sink
                    ),
                )
            )
        if self.pretrained is not None and self.fine_tuning == "last":
            layers = _LAYERS["hierarchical" if self._ndim == 3 else "sequence"]
            callbacks.append(("freezer", Freezer([f"{layer}.*" for layer in layers])))
        if self.verbose >= 2:
            callbacks.append(("progress_bar", ProgressBar()))
        if self.callbacks:
            callbacks.extend(copy.deepcopy(list(self.callbacks)))
        return callbacks

    def _chain_steps(self):
        layers = _LAYERS["hierarchical" if self._ndim == 3 else "sequence"]
        if self.pooling != "attention":
            layers = [layer for layer in layers if "attention" not in layer]
        return [["output.*"]] + [[f"{layer}.*"] for layer in layers] + [["*"]]

    def _make_net(self, classes, vocab_size, train_split, device, accelerator=None, token=""):
        routed = self._routed_params()
        has_valid = routed.get("train_split", train_split) is not None
        embedding_dim, hidden_dim = self._sizes()
        params = dict(
            module=self._module_class,
            module__vocab_size=vocab_size,
            module__n_classes=len(classes),
            module__embedding_dim=embedding_dim,
            module__hidden_dim=hidden_dim,
            module__dropout=self.dropout,
            module__packed=self.packed,
            module__pooling=self.pooling,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=self.optimizer,
            lr=self.lr,
            batch_size=self.batch_size,
            max_epochs=self.max_epochs,
            train_split=train_split,
            callbacks=self._make_callbacks(classes, has_valid),
            iterator_train__shuffle=True,
            device=device,
            verbose=int(self.verbose),
        )
        if self.optimizer is torch.optim.Adadelta:
            params["optimizer__rho"] = 0.95
        net_class = NeuralNetClassifier
        if accelerator is not None:
            net_class = _AcceleratedNetClassifier
            params["accelerator"] = accelerator
            # skorch's "auto" sink (accelerator.print) would print even with verbose=0
            params["callbacks__print_log__sink"] = accelerator.print if self.verbose else noop
            if accelerator.num_processes > 1 and "history" not in routed:
                params["history"] = _distributed_history(accelerator, token)
        params.update(routed)
        return net_class(**params)

    def _train(self, net, X, y_enc, seed):
        """Train ``net``; True when Ctrl-C ended training and ``on_interrupt="keep"`` keeps it.

        Raises ``KeyboardInterrupt`` after an interrupt otherwise (skorch
        would return the partly trained net as if it had finished).
        """
        cuda_devices = []
        device = net.accelerator.device if isinstance(net, AccelerateMixin) else torch.device(net.device)
        if device.type == "cuda":
            cuda_devices = [device.index or 0]
        with torch.random.fork_rng(devices=cuda_devices, enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(seed)
            with _watch_sigint() as interrupts:
                net.fit(X, y_enc)
        if interrupts and getattr(self, "on_interrupt", "raise") != "keep":
            raise KeyboardInterrupt(
                f"{type(self).__name__}.fit interrupted after {len(net.history)} of {net.max_epochs} epochs; "
                'pass on_interrupt="keep" to keep the model trained so far'
            )
        for _, cb in net.callbacks_:
            if isinstance(cb, EarlyStopping):
                cb.best_model_weights_ = None  # already restored; keep pickles small
        if net.train_split is not None and not isinstance(net.train_split, ValidSplit):
            net.train_split = None  # the grouped validation Subset: it holds X (keep pickles small)
        losses = [row.get("train_loss", 0.0) for row in net.history]
        weights_ok = all(torch.isfinite(p).all() for p in net.module_.parameters())
        if not weights_ok or not np.isfinite(losses).all():
            raise FloatingPointError(
                f"{type(self).__name__}: training diverged (training loss per epoch: "
                f"{[round(float(v), 4) for v in losses]}; non-finite weights: {not weights_ok}); "
                f"lower lr (now {self.lr}) or use another optimizer. The model would only give NaN scores."
            )
        return bool(interrupts)

    def _forward(self, X):
        """Scores of a small ``X`` (at most ``batch_size`` samples) by one direct module call.

        The same computation as skorch's ``predict_proba`` (eval mode, no
        gradient, the net's predict nonlinearity), without its ``DataLoader``.
        """
        net = self.net_
        module = net.module_
        device = next(module.parameters()).device
        batch = torch.as_tensor(as_ids(X, self.vocab_size_), device=device)
        if module.training:  # train() / eval() set every submodule; skip the walk when already in eval mode
            module.train(False)
        with torch.inference_mode():
            out = predict_nonlinearity(net)(module(batch))
        return out.cpu().numpy()
