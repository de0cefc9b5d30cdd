"""scikit-learn classifiers around the LSTM modules, trained with skorch.

Design: each classifier is a plain scikit-learn estimator
(``ClassifierMixin, BaseEstimator``) whose ``fit`` builds a
:class:`skorch.NeuralNetClassifier` and stores it as ``net_``. This keeps the
scikit-learn contract simple and exact -- every parameter stored verbatim,
``clone`` gives an unfitted copy, ``classes_`` are the emoji strings (labels
are encoded to ``0..n_classes-1`` internally) -- while skorch does the
training loop, the callbacks (:class:`~skorch.callbacks.EarlyStopping`,
:class:`~skorch.callbacks.ProgressBar`), the stratified
:class:`~skorch.dataset.ValidSplit` and the device handling (a net trained on
CUDA unpickles onto the CPU of a machine without a GPU).

skorch's own ``prefix__name`` routing stays open: any keyword argument such as
``optimizer__weight_decay=1e-4``, ``callbacks__early_stopping__monitor=
"valid_loss"``, ``module__packed=False`` or ``iterator_train__num_workers=2`` is
stored on the estimator, shows up in ``get_params``, can be searched over by
``GridSearchCV`` and is handed to the skorch net at ``fit``.
"""

import copy
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GroupShuffleSplit
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetClassifier
from skorch.callbacks import EarlyStopping, Freezer, ProgressBar
from skorch.dataset import Dataset, ValidSplit
from skorch.helper import predefined_split
from skorch.utils import noop

from ._modules import HierarchicalLSTM, SequenceLSTM
from ._transfer import _LAYERS, ChainThaw, LoadPretrained, PretrainedEncoder

_FINE_TUNING = ("full", "last", "chain-thaw")
_DEFAULT_DIM = 128

#: The settings of Xie et al. (2016): ``make_method(name, settings="paper")``
#: or ``HLSTMClassifier(**PAPER_SETTINGS)``. The library's defaults are the
#: recipe measured best on the Weibo dialogues at CPU scale instead (Adam,
#: attention pooling, 128 dimensions; see the user guide).
PAPER_SETTINGS = {
    "embedding_dim": 384,
    "hidden_dim": 384,
    "optimizer": torch.optim.Adadelta,
    "lr": 1.0,
    "batch_size": 128,
    "max_epochs": 50,
    "patience": 5,
    "pooling": "last",
    "dropout": 0.5,
}

__all__ = ["SLSTMClassifier", "FLSTMClassifier", "HLSTMClassifier"]

# skorch NeuralNet parameters (no "__" in the name) that may be passed through
# ``**kwargs``; the others are set by the wrapper from its readable parameters.
_PASSTHROUGH = frozenset(
    {
        "criterion",
        "iterator_train",
        "iterator_valid",
        "dataset",
        "train_split",
        "compile",
        "use_caching",
        "torch_load_kwargs",
    }
)

_COMMON_PARAMS_DOC = """
    embedding_dim : int or None, default=None
        Size of the word embeddings (``n_x`` in the paper; best of
        {64, 128, 256, 384, 512} there). ``None``: the pre-trained
        encoder's size, else 128 (CPU scale; the paper's best is 384, see
        ``PAPER_SETTINGS``).
    hidden_dim : int or None, default=None
        Size of the LSTM hidden states (``n_h`` in the paper). ``None``: the
        pre-trained encoder's size, else 128.
    dropout : float, default=0.5
        Dropout rate before the softmax layer.
    vocab_size : int or None, default=None
        Number of token ids the embedding holds. ``None`` learns it from the
        training data as ``X.max() + 1`` (stored as ``vocab_size_``). At
        ``fit`` and ``predict`` time ids ``>= vocab_size_`` are read as the
        OOV id 1.
    optimizer : torch optimizer class, default=torch.optim.Adam
        The optimizer. The paper's is ``torch.optim.Adadelta`` (with
        ``lr=1.0``; its decay constant ``rho`` is then 0.95 as in the paper
        unless ``optimizer__rho`` is given). Adam reached the validation
        optimum in fewer epochs and better on the Weibo dialogues.
    lr : float, default=1e-3
        Learning rate.
    batch_size : int, default=128
        Mini-batch size for training and prediction.
    max_epochs : int, default=20
        Maximum number of passes over the training data.
    patience : int or None, default=3
        Early stopping: training stops once the validation accuracy (the
        paper's "error rate") has not improved for ``patience`` epochs, and the
        weights of the best epoch are restored. ``None`` disables it.
    validation_fraction : float or None, default=0.1
        Share of the training data held out for early stopping, split with
        skorch's ``ValidSplit`` (stratified by class when every class has at
        least two samples and the split can hold each class; plain random
        otherwise). When ``fit`` is given ``groups`` (in a pipeline:
        ``fit(X, y, clf__groups=groups)``), whole groups are held out instead
        (:class:`~sklearn.model_selection.GroupShuffleSplit`), so early
        stopping is not fooled by dialogues of one thread on both sides.
        ``None`` trains on everything for ``max_epochs`` epochs.
    device : str or torch.device, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ... or ``"auto"`` (CUDA when
        available). Asking for CUDA on a machine without it raises a
        ``ValueError`` at ``fit``. A fitted model pickled on CUDA loads on a
        CPU-only machine (skorch maps the weights to the CPU with a
        ``DeviceWarning``).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split. The global torch RNG is left as it was. The same integer gives
        the same model on the CPU.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra callbacks, added after the built-in ones (``"early_stopping"``,
        ``"progress_bar"``). They are deep-copied at ``fit``.
    verbose : int, default=0
        0: silent (use this inside searches); 1: skorch's table of epochs;
        2 or more: also a per-batch progress bar (skorch ``ProgressBar``).
    packed : bool, default=True
        Trim and pack every batch so that padding is never computed.
        ``False`` runs the LSTMs over the full padded width (same result,
        slower; kept for tests and benchmarks).
    pooling : {"last", "attention"}, default="attention"
        ``"attention"``: DeepMoji-style attention pooling, whose weights
        :meth:`attention_weights` returns; ``"last"``: the last hidden state
        of each LSTM (the paper).
    pretrained : PretrainedEncoder or None, default=None
        Start from a pre-trained encoder
        (:func:`~sklearn_emoji.neural.pretrain_encoder`): its embedding and
        LSTM weights (and the softmax rows of the emojis it was pre-trained
        on) are copied in before training. The input ids must be the
        encoder's (``SequenceTokenizer(vocabulary=encoder)``); ids beyond its
        vocabulary raise an error naming both sizes. A hierarchical encoder
        can start an S-/F-LSTM (its word level) and a sequence encoder an
        H-LSTM (its word level). Stored as given, so ``clone`` and searches
        reuse it without re-training.
    fine_tuning : {"full", "last", "chain-thaw"}, default="full"
        With ``pretrained``: ``"full"`` trains every layer from the start;
        ``"last"`` freezes the encoder (skorch ``Freezer``) and trains the
        softmax layer alone; ``"chain-thaw"`` trains the softmax layer, then
        each encoder layer alone, then all, each step early-stopped on the
        validation set (:class:`~sklearn_emoji.neural.ChainThaw`; it needs
        a validation set).
    **kwargs : dict
        Routed to :class:`skorch.NeuralNetClassifier` with skorch's
        ``prefix__name`` syntax: ``module__*``, ``optimizer__*``,
        ``criterion__*``, ``callbacks__<name>__*``, ``iterator_train__*``,
        ``iterator_valid__*``, ``dataset__*``; also the plain skorch
        parameters ``criterion``, ``iterator_train``, ``iterator_valid``,
        ``dataset``, ``train_split``, ``compile``, ``use_caching``,
        ``torch_load_kwargs``. A routed value overrides the one derived from a
        readable parameter (e.g. ``optimizer__rho``)."""

_COMMON_ATTRS_DOC = """
    classes_ : ndarray of str
        The labels (emoji strings), sorted; ``predict_proba`` columns follow it.
    vocab_size_ : int
        Size of the embedding table actually used.
    net_ : skorch.NeuralNetClassifier
        The fitted skorch net (its ``module_`` is the PyTorch module, its
        ``history`` the per-epoch losses and accuracies).
    n_epochs_ : int
        Number of epochs trained (fewer than ``max_epochs`` after early
        stopping)."""


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


def _grouped_split(groups, n_samples, fraction, seed):
    """Train and validation indices that keep every group on one side."""
    groups = np.asarray(groups)
    if groups.ndim != 1 or len(groups) != n_samples:
        raise ValueError(
            f"groups must be 1-D with one group per sample: X has {n_samples} samples, groups has shape {groups.shape}."
        )
    if len(np.unique(groups)) < 2:
        raise ValueError("groups must hold at least 2 distinct groups to hold one out for validation.")
    splitter = GroupShuffleSplit(n_splits=1, test_size=fraction, random_state=seed)
    return next(splitter.split(np.zeros(n_samples), groups=groups))


class _BaseLSTMClassifier(ClassifierMixin, BaseEstimator):
    """Common code of the S-, F- and H-LSTM classifiers."""

    _module_class: type[torch.nn.Module] | None = None
    _ndim: int | None = None
    _layout: str | None = None

    def __init__(
        self,
        *,
        embedding_dim=None,
        hidden_dim=None,
        dropout=0.5,
        vocab_size=None,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        batch_size=128,
        max_epochs=20,
        patience=3,
        validation_fraction=0.1,
        device="cpu",
        random_state=None,
        callbacks=None,
        verbose=0,
        packed=True,
        pooling="attention",
        pretrained=None,
        fine_tuning="full",
        **kwargs,
    ):
        self.embedding_dim = embedding_dim
        self.hidden_dim = hidden_dim
        self.dropout = dropout
        self.vocab_size = vocab_size
        self.optimizer = optimizer
        self.lr = lr
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.device = device
        self.random_state = random_state
        self.callbacks = callbacks
        self.verbose = verbose
        self.packed = packed
        self.pooling = pooling
        self.pretrained = pretrained
        self.fine_tuning = fine_tuning
        for key, value in kwargs.items():
            setattr(self, key, value)

    # ------------------------------------------------------------------
    # parameters: the readable ones plus skorch's routed **kwargs
    # ------------------------------------------------------------------
    def _routed_params(self):
        explicit = set(self._get_param_names())
        return {
            k: v for k, v in vars(self).items() if k not in explicit and not k.startswith("_") and not k.endswith("_")
        }

    def get_params(self, deep=True):
        """Get parameters, including skorch-routed ones such as ``optimizer__rho``.

        Parameters
        ----------
        deep : bool, default=True
            Ignored beyond scikit-learn's usual meaning (no sub-estimators).

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        params.update(self._routed_params())
        return params

    def set_params(self, **params):
        """Set parameters; ``prefix__name`` keys are routed to skorch at ``fit``.

        Parameters
        ----------
        **params : dict
            Readable parameters and skorch-routed ones.

        Returns
        -------
        self : estimator
            This estimator.
        """
        routed = {k: v for k, v in params.items() if "__" in k or k in _PASSTHROUGH}
        for key, value in routed.items():
            setattr(self, key, value)
        rest = {k: v for k, v in params.items() if k not in routed}
        if rest:
            super().set_params(**rest)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = self._ndim == 2
        tags.input_tags.three_d_array = self._ndim == 3
        tags.input_tags.string = False
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        return tags

    # ------------------------------------------------------------------
    # validation
    # ------------------------------------------------------------------
    def _check_params(self):
        def positive_int(name, value=None):
            value = getattr(self, name) if value is None else value
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")

        for name in ("batch_size", "max_epochs"):
            positive_int(name)
        for name in ("embedding_dim", "hidden_dim"):
            if getattr(self, name) is not None:
                positive_int(name)
        if self.patience is not None:
            positive_int("patience")
        if self.vocab_size is not None:
            positive_int("vocab_size")
            if self.vocab_size < 2:
                raise ValueError(f"vocab_size must be at least 2 (ids 0 = padding, 1 = OOV), got {self.vocab_size}.")
        if not (isinstance(self.dropout, numbers.Real) and 0.0 <= self.dropout < 1.0):
            raise ValueError(f"dropout must be a float in [0, 1), got {self.dropout!r}.")
        if not (isinstance(self.lr, numbers.Real) and self.lr > 0):
            raise ValueError(f"lr must be a positive number, got {self.lr!r}.")
        vf = self.validation_fraction
        if vf is not None and not (isinstance(vf, numbers.Real) and 0.0 < vf < 1.0):
            raise ValueError(f"validation_fraction must be None or a float in (0, 1), got {vf!r}.")
        if not isinstance(self.verbose, numbers.Integral):
            raise ValueError(f"verbose must be an integer, got {self.verbose!r}.")
        if self.pooling not in ("last", "attention"):
            raise ValueError(f"pooling must be 'last' or 'attention', got {self.pooling!r}.")
        if self.fine_tuning not in _FINE_TUNING:
            raise ValueError(f"fine_tuning must be one of {list(_FINE_TUNING)}, got {self.fine_tuning!r}.")
        self._check_pretrained()
        bad = [k for k in self._routed_params() if "__" not in k and k not in _PASSTHROUGH]
        if bad:
            raise TypeError(
                f"{type(self).__name__} got unexpected parameter(s) {sorted(bad)}. "
                "Extra keyword arguments must be skorch routes such as "
                "'optimizer__weight_decay' or 'callbacks__early_stopping__patience', "
                f"or one of {sorted(_PASSTHROUGH)}."
            )

    def _check_pretrained(self):
        """Sizes agree with the encoder; chain-thaw/last need one."""
        enc = self.pretrained
        name = type(self).__name__
        if enc is None:
            if self.fine_tuning != "full":
                raise ValueError(
                    f"fine_tuning={self.fine_tuning!r} needs a pre-trained encoder: pass "
                    "pretrained=<PretrainedEncoder> (see sklearn_emoji.neural.pretrain_encoder), "
                    "or use fine_tuning='full' to train from scratch."
                )
            return
        if not isinstance(enc, PretrainedEncoder):
            raise TypeError(
                f"pretrained must be a PretrainedEncoder (from pretrain_encoder or load_encoder) "
                f"or None, got {type(enc).__name__}."
            )
        for param, size in (("embedding_dim", enc.embedding_dim), ("hidden_dim", enc.hidden_dim)):
            mine = getattr(self, param)
            if mine is not None and mine != size:
                raise ValueError(
                    f"{name}({param}={mine}) does not match the pre-trained encoder's "
                    f"{param}={size}; leave {param}=None to take the encoder's size."
                )
        if self.vocab_size is not None and self.vocab_size != enc.vocab_size:
            raise ValueError(
                f"{name}(vocab_size={self.vocab_size}) does not match the pre-trained encoder's "
                f"vocabulary of {enc.vocab_size} ids; leave vocab_size=None."
            )

    def _sizes(self):
        enc = self.pretrained
        emb = self.embedding_dim or (enc.embedding_dim if enc is not None else _DEFAULT_DIM)
        hid = self.hidden_dim or (enc.hidden_dim if enc is not None else _DEFAULT_DIM)
        return int(emb), int(hid)

    def _check_X(self, X):
        """Validate ids, make empty rows one OOV token; return an int64 array."""
        expected = f"an integer array of token ids of shape {self._layout}"
        if isinstance(X, torch.Tensor):
            X = X.detach().cpu().numpy()
        if isinstance(X, str) or (isinstance(X, (list, tuple)) and len(X) and isinstance(X[0], str)):
            raise TypeError(
                f"{type(self).__name__} expects {expected}, got text. Put a tokenizer "
                "(SequenceTokenizer / HierarchicalTokenizer) in front of it."
            )
        try:
            arr = np.asarray(X)
        except ValueError as exc:  # ragged nested lists
            raise ValueError(f"{type(self).__name__} expects {expected}: {exc}") from exc
        if arr.dtype == object or arr.dtype.kind not in "iu":
            if arr.dtype.kind == "f" and arr.size and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
                pass  # integral floats, e.g. from a DataFrame: accept
            elif arr.dtype.kind == "b" or arr.size:
                raise TypeError(f"{type(self).__name__} expects {expected}; got dtype {arr.dtype}.")
        if arr.ndim != self._ndim:
            raise ValueError(
                f"{type(self).__name__} expects {expected}; got an array of shape {arr.shape} ({arr.ndim}-D)."
            )
        if arr.shape[0] == 0:
            raise ValueError(f"{type(self).__name__} got 0 samples; expects {expected} with n >= 1.")
        if arr.shape[-1] == 0:
            raise ValueError(f"{type(self).__name__} got max_len = 0; expects {expected} with max_len >= 1.")
        arr = np.array(arr, dtype=np.int64)  # copy: we write into it below
        if arr.min() < 0:
            raise ValueError(
                f"{type(self).__name__}: token ids must be >= 0 (0 = padding, 1 = OOV); found {arr.min()}."
            )
        nz = arr != 0
        if np.any(nz[..., 1:] & ~nz[..., :-1]):
            raise ValueError(
                f"{type(self).__name__}: tokens must be left-aligned in each "
                f"{'row' if self._ndim == 2 else 'turn'} with zeros (padding) only after "
                "them, as the project's tokenizers produce."
            )
        # an empty dialogue (no token anywhere) is read as one OOV token
        empty = ~nz.reshape(arr.shape[0], -1).any(1)
        if empty.any():
            arr[(empty,) + (0,) * (self._ndim - 1)] = 1
        return arr

    def _train_split(self, y, seed):
        if self.validation_fraction is None:
            return None
        n = len(y)
        counts = np.bincount(y)
        n_classes = len(counts)
        n_valid = int(np.ceil(self.validation_fraction * n))
        stratified = counts.min() >= 2 and n_valid >= n_classes and n - n_valid >= n_classes
        if n - n_valid < 1:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves no training "
                f"sample out of {n}; lower it or set it to None."
            )
        return ValidSplit(self.validation_fraction, stratified=stratified, random_state=seed)

    # ------------------------------------------------------------------
    # fit / predict
    # ------------------------------------------------------------------
    def fit(self, X, y, groups=None):
        """Fit the network.

        Parameters
        ----------
        X : array-like of int
            Token ids, shape ``(n_samples, max_len)`` for S-/F-LSTM or
            ``(n_samples, max_turns, max_len)`` for H-LSTM (0 = padding,
            1 = OOV, tokens left-aligned).
        y : array-like of shape (n_samples,)
            Labels (emoji strings).
        groups : array-like of shape (n_samples,), default=None
            Group of each sample (e.g. the root post of a Weibo dialogue).
            When given, the early-stopping validation set holds out whole
            groups, as a grouped test split does.

        Returns
        -------
        self : estimator
            The fitted estimator.
        """
        self._check_params()
        device = _check_device(self.device)
        X = self._check_X(X)
        encoder, y_enc = self._encode_targets(X, y)
        vocab_size = self._vocab_size(X)
        X[X >= vocab_size] = 1
        seed = self._seed()
        X, y_enc, train_split = self._split(X, y_enc, groups, seed)
        net = self._make_net(encoder.classes_, vocab_size, train_split, device)
        self._train(net, X, y_enc, device, seed)

        self.net_ = net
        self.classes_ = encoder.classes_
        self.vocab_size_ = vocab_size
        self.n_epochs_ = len(net.history)
        return self

    # -- the steps of fit ------------------------------------------------
    def _encode_targets(self, X, y):
        if y is None:
            raise ValueError(f"{type(self).__name__}.fit requires y (the emoji labels).")
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise ValueError(f"y must be 1-D with one label per sample: X has {len(X)} samples, y has shape {y.shape}.")
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; got only {encoder.classes_.tolist()}."
            )
        return encoder, encoder.transform(y).astype(np.int64)

    def _vocab_size(self, X):
        enc = self.pretrained
        if enc is not None:
            top = int(X.max())
            if top >= enc.vocab_size:
                raise ValueError(
                    f"{type(self).__name__}: the input holds token id {top} but the pre-trained "
                    f"encoder has a vocabulary of {enc.vocab_size} ids (0..{enc.vocab_size - 1}): "
                    "the tokenizer does not match the encoder. Fit the tokenizer with "
                    "vocabulary=<the encoder> so that both use the encoder's ids."
                )
            return enc.vocab_size
        vocab_size = int(X.max()) + 1 if self.vocab_size is None else int(self.vocab_size)
        return max(vocab_size, 2)

    def _seed(self):
        if self.random_state is None:
            return None
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    def _split(self, X, y_enc, groups, seed):
        """The validation set for early stopping (grouped when groups are given)."""
        train_split = self._train_split(y_enc, seed)
        if groups is not None and train_split is not None:
            train_idx, valid_idx = _grouped_split(groups, len(y_enc), self.validation_fraction, seed)
            train_split = predefined_split(Dataset(X[valid_idx], y_enc[valid_idx]))
            X, y_enc = X[train_idx], y_enc[train_idx]
        return X, y_enc, train_split

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
                    EarlyStopping(
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

    def _make_net(self, classes, vocab_size, train_split, device):
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
        params.update(routed)
        return NeuralNetClassifier(**params)

    def _train(self, net, X, y_enc, device, seed):
        cuda_devices = []
        if torch.device(device).type == "cuda":
            cuda_devices = [torch.device(device).index or 0]
        with torch.random.fork_rng(devices=cuda_devices, enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(seed)
            net.fit(X, y_enc)
        for _, cb in net.callbacks_:
            if isinstance(cb, EarlyStopping):
                cb.best_model_weights_ = None  # already restored; keep pickles small
        losses = [row.get("train_loss", 0.0) for row in net.history]
        weights_ok = all(torch.isfinite(p).all() for p in net.module_.parameters())
        if not weights_ok or not np.isfinite(losses).all():
            raise FloatingPointError(
                f"{type(self).__name__}: training diverged (training loss per epoch: "
                f"{[round(float(v), 4) for v in losses]}; non-finite weights: {not weights_ok}); "
                f"lower lr (now {self.lr}) or use another optimizer. The model would only give NaN scores."
            )

    def _prepare(self, X):
        check_is_fitted(self, "net_")
        X = self._check_X(X)
        X[X >= self.vocab_size_] = 1
        return X

    def predict_proba(self, X):
        """Probability of every emoji, columns in ``classes_`` order.

        Parameters
        ----------
        X : array-like of int
            Token ids in the layout used at ``fit`` (the padded widths may
            differ).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities (rows sum to 1).
        """
        X = self._prepare(X)
        proba = self.net_.predict_proba(X).astype(np.float64)
        proba /= proba.sum(1, keepdims=True)
        return proba

    def attention_weights(self, X):
        """Where the model looked: the attention weights of every sample.

        Needs ``pooling="attention"``.

        Parameters
        ----------
        X : array-like of int
            Token ids in the layout used at ``fit``.

        Returns
        -------
        weights : ndarray or tuple of ndarray
            S-/F-LSTM: ``(n_samples, max_len)``, one weight per token (zero
            on padding; each row sums to 1). H-LSTM: a pair ``(word_weights,
            turn_weights)`` of shapes ``(n_samples, max_turns, max_len)``
            (each non-empty turn's words sum to 1) and ``(n_samples,
            max_turns)`` (over the non-empty turns, oldest first).
        """
        X = self._prepare(X)
        if self.pooling != "attention":
            raise ValueError(
                f"{type(self).__name__} was fitted with pooling={self.pooling!r}; attention "
                "weights need pooling='attention'."
            )
        module = self.net_.module_
        device = next(module.parameters()).device
        outs = []
        module.eval()
        with torch.no_grad():
            for start in range(0, len(X), self.batch_size):
                batch = torch.as_tensor(X[start : start + self.batch_size], device=device)
                _, weights = module.encode_with_weights(batch)
                if self._ndim == 3:
                    outs.append(tuple(w.cpu().numpy() for w in weights))
                else:
                    w = np.zeros(batch.shape, dtype=np.float32)
                    w[:, : weights.shape[1]] = weights.cpu().numpy()
                    outs.append(w)
        if self._ndim == 3:
            return (np.concatenate([o[0] for o in outs]), np.concatenate([o[1] for o in outs]))
        return np.concatenate(outs)

    def predict(self, X):
        """Most probable emoji for every sample.

        Parameters
        ----------
        X : array-like of int
            Token ids in the layout used at ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels (elements of ``classes_``).
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class SLSTMClassifier(_BaseLSTMClassifier):
    __doc__ = (
        """S-LSTM emoji classifier: an LSTM over the reply alone (Xie et al., 2016).

    Input is the ``(n_samples, max_len)`` int array of
    ``SequenceTokenizer`` applied to ``DialogueFlattener(mode="reply")``.
    Module: :class:`~sklearn_emoji.neural.SequenceLSTM` (embedding, one LSTM,
    attention pooling or the last hidden state at the true length, dropout,
    softmax). Trained with cross-entropy and early stopping on a held-out
    validation part, as in the paper; the paper's optimiser (AdaDelta, rho
    0.95), sizes and pooling are :data:`PAPER_SETTINGS`.

    Parameters
    ----------"""
        + _COMMON_PARAMS_DOC
        + """

    Attributes
    ----------"""
        + _COMMON_ATTRS_DOC
        + """

    See Also
    --------
    FLSTMClassifier : the same network over all turns flattened.
    HLSTMClassifier : the hierarchical network over turns.

    Notes
    -----
    A row with no token (e.g. an emoji-only reply whose emoji was removed) is
    read as a single OOV token. Rows may be padded to any width: padding never
    changes the output.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_emoji.neural import SLSTMClassifier
    >>> X = np.array([[2, 3, 0], [4, 0, 0], [2, 5, 3], [4, 4, 0]])
    >>> y = ["[哈哈]", "[泪]", "[哈哈]", "[泪]"]
    >>> clf = SLSTMClassifier(embedding_dim=8, hidden_dim=8, max_epochs=1,
    ...                       validation_fraction=None, random_state=0).fit(X, y)
    >>> clf.classes_.tolist()
    ['[哈哈]', '[泪]']
    >>> clf.predict_proba(X).shape
    (4, 2)
    """
    )
    _module_class = SequenceLSTM
    _ndim = 2
    _layout = "(n_samples, max_len)"


class FLSTMClassifier(_BaseLSTMClassifier):
    __doc__ = (
        """F-LSTM emoji classifier: an LSTM over all turns flattened (Xie et al., 2016).

    Input is the ``(n_samples, max_len)`` int array of
    ``SequenceTokenizer(max_len=200)`` applied to
    ``DialogueFlattener(mode="all")`` (every turn, oldest first, in one
    sequence). Same network and training as :class:`SLSTMClassifier`;
    packing makes the long ``max_len`` cheap.

    Parameters
    ----------"""
        + _COMMON_PARAMS_DOC
        + """

    Attributes
    ----------"""
        + _COMMON_ATTRS_DOC
        + """

    See Also
    --------
    SLSTMClassifier : the same network over the reply alone.
    HLSTMClassifier : the hierarchical network over turns.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_emoji.neural import FLSTMClassifier
    >>> X = np.array([[2, 3, 6, 7], [4, 1, 0, 0], [2, 5, 3, 0], [4, 4, 6, 0]])
    >>> y = ["[哈哈]", "[泪]", "[哈哈]", "[泪]"]
    >>> clf = FLSTMClassifier(embedding_dim=8, hidden_dim=8, max_epochs=1,
    ...                       validation_fraction=None, random_state=0).fit(X, y)
    >>> clf.predict(X).shape
    (4,)
    """
    )
    _module_class = SequenceLSTM
    _ndim = 2
    _layout = "(n_samples, max_len)"


class HLSTMClassifier(_BaseLSTMClassifier):
    __doc__ = (
        """H-LSTM emoji classifier: the hierarchical LSTM of Xie et al. (2016).

    Input is the ``(n_samples, max_turns, max_len)`` int array of
    ``HierarchicalTokenizer`` (turns left-aligned, oldest first, the reply
    last; all-zero rows after them). A word-level LSTM shared by all turns
    gives one vector per turn, a turn-level LSTM over them the dialogue
    vector; dropout and a softmax layer follow. The word-level LSTM runs once
    per batch over all non-empty turns, packed, so neither padded tokens nor
    padded turns are computed.

    Parameters
    ----------"""
        + _COMMON_PARAMS_DOC
        + """

    Attributes
    ----------"""
        + _COMMON_ATTRS_DOC
        + """

    See Also
    --------
    SLSTMClassifier : an LSTM over the reply alone.
    FLSTMClassifier : an LSTM over all turns flattened.
    sklearn_emoji.neural.HierarchicalLSTM : the PyTorch module.

    Notes
    -----
    Empty turns (all zeros) are skipped; a dialogue without any token is read
    as a single OOV token. Inputs padded to more turns or tokens give the
    same output.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_emoji.neural import HLSTMClassifier
    >>> X = np.array([[[2, 3], [4, 0]], [[5, 0], [0, 0]],
    ...               [[2, 2], [3, 0]], [[5, 6], [6, 0]]])
    >>> y = ["[哈哈]", "[泪]", "[哈哈]", "[泪]"]
    >>> clf = HLSTMClassifier(embedding_dim=8, hidden_dim=8, max_epochs=1,
    ...                       validation_fraction=None, random_state=0).fit(X, y)
    >>> clf.predict_proba(X).shape
    (4, 2)
    >>> clf.vocab_size_
    7
    """
    )
    _module_class = HierarchicalLSTM
    _ndim = 3
    _layout = "(n_samples, max_turns, max_len)"
