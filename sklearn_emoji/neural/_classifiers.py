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

Data: ``X`` is never copied whole. It is validated chunk by chunk and wrapped
in a lazy :class:`~sklearn_emoji.neural.TokenDataset` (skorch's validation
split takes ``Subset`` views of it), so a read-only :class:`numpy.memmap`
larger than memory trains and predicts in flat memory
(:func:`~sklearn_emoji.neural.write_token_arrays`).

The skorch net -- its subclasses, the callbacks, accelerate (multi-GPU) and
the fast path of small inputs -- is built, trained and called in ``_net``;
the routed ``prefix__name`` parameters and the documentation of the shared
parameters are in ``_params``.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GroupShuffleSplit
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from skorch.dataset import ValidSplit
from skorch.helper import predefined_split

from .. import _validation
from .._compat import HasMethods, Interval, StrOptions, _fit_context
from .._options import FINE_TUNINGS, POOLINGS
from ._modules import HierarchicalLSTM, SequenceLSTM
from ._net import _check_device, _SkorchNetMixin, torch_threads
from ._params import _COMMON_ATTRS_DOC, _COMMON_PARAMS_DOC, _RoutedParamsMixin
from ._streaming import TokenDataset, as_ids, scan_ids
from ._transfer import PretrainedEncoder

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

#: With ``vocab_size=None``, an embedding of more ids than this is only built
#: when X holds at least as many tokens (see ``_vocab_size``).
_MAX_SPARSE_VOCAB = 1 << 16


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


class _BaseLSTMClassifier(_RoutedParamsMixin, _SkorchNetMixin, ClassifierMixin, BaseEstimator):
    """Common code of the S-, F- and H-LSTM classifiers."""

    _module_class: type[torch.nn.Module] | None = None
    _ndim: int | None = None
    _layout: str | None = None

    _parameter_constraints: dict = {
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "hidden_dim": [Interval(Integral, 1, None, closed="left"), None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "vocab_size": [Interval(Integral, 2, None, closed="left"), None],
        "optimizer": [callable],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left"), None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "callbacks": [list, tuple, None],
        "verbose": ["verbose"],
        "packed": ["boolean"],
        "pooling": [StrOptions(set(POOLINGS))],
        "pretrained": [PretrainedEncoder, None],
        "fine_tuning": [StrOptions(set(FINE_TUNINGS))],
        "extend_embedding": ["boolean"],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "accelerator": [StrOptions({"auto"}), HasMethods(["prepare", "unwrap_model"]), None],
        "on_interrupt": [StrOptions({"raise", "keep"})],
    }

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
        extend_embedding=False,
        n_threads=None,
        accelerator=None,
        on_interrupt="raise",
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
        self.extend_embedding = extend_embedding
        self.n_threads = n_threads
        self.accelerator = accelerator
        self.on_interrupt = on_interrupt
        self._routed = ()
        self._set_routed(kwargs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = self._ndim == 2
        tags.input_tags.three_d_array = self._ndim == 3
        tags.input_tags.string = False
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        return tags

    # ------------------------------------------------------------------
    # validation (the parameters themselves: _parameter_constraints)
    # ------------------------------------------------------------------
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
        for param, size in (("embedding_dim", enc.embedding_dim), ("hidden_dim", enc.hidden_dim)):
            mine = getattr(self, param)
            if mine is not None and mine != size:
                raise ValueError(
                    f"{name}({param}={mine}) does not match the pre-trained encoder's "
                    f"{param}={size}; leave {param}=None to take the encoder's size."
                )
        if self.vocab_size is not None and (
            self.vocab_size < enc.vocab_size if self.extend_embedding else self.vocab_size != enc.vocab_size
        ):
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
        """Validate ids without copying an array; return ``(X, max_id, n_tokens)``.

        ``X`` comes back as given when it is already an integer (or integral
        float) array, a read-only ``numpy.memmap`` included; the ids are made
        ready (OOV, empty samples) batch by batch by :func:`as_ids`.
        """
        name = type(self).__name__
        expected = f"an integer array of token ids of shape {self._layout}"
        if isinstance(X, torch.Tensor):
            X = X.detach().cpu().numpy()
        if isinstance(X, str) or (isinstance(X, (list, tuple)) and len(X) and isinstance(X[0], str)):
            raise TypeError(
                f"{name} expects {expected}, got text. Put a tokenizer "
                "(SequenceTokenizer / HierarchicalTokenizer) in front of it."
            )
        try:
            arr = np.asarray(X)
        except ValueError as exc:  # ragged nested lists
            raise ValueError(f"{name} expects {expected}: {exc}") from exc
        if arr.dtype == object or arr.dtype.kind not in "iuf":
            raise TypeError(f"{name} expects {expected}; got dtype {arr.dtype}.")
        if arr.ndim != self._ndim:
            raise ValueError(f"{name} expects {expected}; got an array of shape {arr.shape} ({arr.ndim}-D).")
        if arr.shape[0] == 0:
            raise ValueError(f"{name} got 0 samples; expects {expected} with n >= 1.")
        if arr.shape[-1] == 0:
            raise ValueError(f"{name} got max_len = 0; expects {expected} with max_len >= 1.")
        top, n_tokens = scan_ids(arr, name, self._ndim)
        return arr, top, n_tokens

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
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, groups=None):
        """Fit the network.

        Parameters
        ----------
        X : array-like of int
            Token ids, shape ``(n_samples, max_len)`` for S-/F-LSTM or
            ``(n_samples, max_turns, max_len)`` for H-LSTM (0 = padding,
            1 = OOV, tokens left-aligned). A (read-only)
            :class:`numpy.memmap`, e.g. ``load_token_arrays(path).ids``, is
            read batch by batch, never copied whole.
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
        X, setup = self._fit_setup(X)
        encoder, y_enc = self._encode_targets(X, y)
        return self._fit_encoded(X, encoder.classes_, y_enc, groups, *setup)

    @_fit_context(prefer_skip_nested_validation=True)
    def _fit_soft(self, X, proba, classes):
        """Fit on soft targets: row ``i`` of ``proba`` is dialogue ``i``'s distribution over ``classes``.

        The cross-entropy of each row against its distribution (torch's
        ``CrossEntropyLoss`` with class probabilities), e.g. a reply holding
        two emojis counts half for each. For
        :func:`~sklearn_emoji.pretraining.pretrain_encoder`; no validation
        split (accuracy has no meaning for a soft target).
        """
        if self.validation_fraction is not None:
            raise ValueError(
                f"{type(self).__name__}: soft targets take validation_fraction=None "
                f"(got {self.validation_fraction}); early stopping scores accuracy against one label"
            )
        X, setup = self._fit_setup(X)
        classes = np.asarray([str(c) for c in classes])
        proba = np.asarray(proba, dtype=np.float32)
        if proba.shape != (len(X), len(classes)) or len(set(classes)) != len(classes) or len(classes) < 2:
            raise ValueError(
                f"soft targets must be an array of shape (n_samples, n_classes) = ({len(X)}, {len(classes)}) "
                f"over at least 2 distinct classes; got shape {proba.shape}"
            )
        if not np.isfinite(proba).all() or (proba < 0).any() or not np.allclose(proba.sum(1), 1, atol=1e-4):
            raise ValueError("every row of the soft targets must be a probability distribution (>= 0, summing to 1)")
        order = np.argsort(classes, kind="stable")  # classes_ sorted, as LabelEncoder makes them
        return self._fit_encoded(X, classes[order], proba[:, order], None, *setup)

    def _fit_setup(self, X):
        """The checks every fit starts with; ``X`` checked and ``(top id, n_tokens, accelerator, device)``."""
        self._check_routed()
        self._check_pretrained()
        accelerator = self._accelerator()
        device = None if accelerator is not None else _check_device(self.device)
        X, top, n_tokens = self._check_X(X)
        return X, (top, n_tokens, accelerator, device)

    def _fit_encoded(self, X, classes, y_enc, groups, top, n_tokens, accelerator, device):
        vocab_size = self._vocab_size(top, n_tokens)
        seed, token = self._seed(accelerator)
        dataset = TokenDataset(X, y_enc, vocab_size)
        train, y_train, train_split = self._split(dataset, y_enc, groups, seed)
        net = self._make_net(classes, vocab_size, train_split, device, accelerator, token)
        with torch_threads(self.n_threads):
            interrupted = self._train(net, train, y_train, seed)

        self.interrupted_ = interrupted
        self.net_ = net
        self.classes_ = classes
        self.vocab_size_ = vocab_size
        self.n_epochs_ = len(net.history)
        self.device_ = str(accelerator.device if accelerator is not None else device)
        return self

    def fit_from_pretrained(self):
        """Make this classifier fitted from ``pretrained`` alone: its weights and softmax layer, no training.

        The encoder must hold a softmax layer (``classes``), e.g. the
        64-emoji head of a pre-trained encoder or a fine-tuned model saved
        as an encoder. ``classes_`` are the encoder's emojis, in its order.

        Returns
        -------
        self : estimator
            Fitted (``predict_proba`` works), with ``n_epochs_ == 0``.

        Examples
        --------
        >>> from sklearn_emoji.neural import HLSTMClassifier
        >>> from sklearn_emoji.pretrained import load_pretrained_encoder
        >>> clf = HLSTMClassifier(pretrained=load_pretrained_encoder("weibo-10")).fit_from_pretrained()
        >>> len(clf.classes_), clf.n_epochs_
        (10, 0)
        """
        self._check_routed()
        self._check_pretrained()
        enc = self.pretrained
        if enc is None or not enc.classes or "output.weight" not in enc.state_dict:
            raise ValueError(
                f"{type(self).__name__}.fit_from_pretrained needs pretrained=<an encoder with a softmax layer "
                "(classes)>; this one has none, so fit it on labelled data instead."
            )
        want = "hierarchical" if self._ndim == 3 else "sequence"
        if enc.architecture != want:
            raise ValueError(f"{type(self).__name__} needs a {want} encoder; this one is {enc.architecture}.")
        if enc.pooling != self.pooling:
            raise ValueError(
                f"{type(self).__name__}(pooling={self.pooling!r}) does not match the encoder's pooling "
                f"{enc.pooling!r}; set pooling={enc.pooling!r}."
            )
        device = _check_device(self.device)
        classes = np.asarray(enc.classes)
        net = self._make_net(classes, enc.vocab_size, None, device)
        net.initialize()
        state = {k: v.to(device) for k, v in enc.state_dict.items()}
        net.module_.load_state_dict(state)
        net.module_.train(False)
        self.net_ = net
        self.classes_ = classes
        self.vocab_size_ = enc.vocab_size
        self.n_epochs_ = 0
        self.device_ = str(device)
        return self

    # -- the steps of fit ------------------------------------------------
    def _encode_targets(self, X, y):
        if y is None:
            raise ValueError(f"{type(self).__name__}.fit requires y (the emoji labels).")
        y = _validation.check_labels(y, n_samples=len(X))
        if y.dtype == object:  # str labels (check_labels refuses mixed types)
            y = y.astype(str)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; got only {encoder.classes_.tolist()}."
            )
        return encoder, encoder.transform(y).astype(np.int64)

    def _vocab_size(self, top, n_tokens):
        """The embedding's size: the encoder's, ``vocab_size``, or ``max id + 1`` when dense enough."""
        name = type(self).__name__
        enc = self.pretrained
        if enc is not None:
            if self.extend_embedding:  # ids past the encoder's are new tokens: new embedding rows
                return max(enc.vocab_size, top + 1, self.vocab_size or 0)
            if top >= enc.vocab_size:
                raise ValueError(
                    f"{name}: the input holds token id {top} but the pre-trained "
                    f"encoder has a vocabulary of {enc.vocab_size} ids (0..{enc.vocab_size - 1}): "
                    "the tokenizer does not match the encoder. Fit the tokenizer with "
                    "vocabulary=<the encoder> so that both use the encoder's ids (and, for tokens it lacks, "
                    "extend_vocabulary=N with extend_embedding=True here)."
                )
            return enc.vocab_size
        if self.vocab_size is not None:
            return int(self.vocab_size)
        vocab_size = max(top + 1, 2)
        if vocab_size > max(_MAX_SPARSE_VOCAB, n_tokens + 2):
            dim = self._sizes()[0]
            raise ValueError(
                f"{name}: the largest token id is {top}, so vocab_size=None would build an embedding of "
                f"{vocab_size} rows ({vocab_size * dim * 4 / 2**20:.0f} MiB at embedding_dim={dim}) for an X "
                f"holding only {n_tokens} tokens. Pass vocab_size=<your tokenizer's vocab_size_> (larger ids "
                "are then read as OOV), or number the tokens densely as the project's tokenizers do."
            )
        return vocab_size

    def _split(self, dataset, y_enc, groups, seed):
        """Training data and the validation split (whole groups held out when groups are given)."""
        train_split = self._train_split(y_enc, seed)
        if groups is None or train_split is None:
            return dataset, y_enc, train_split
        groups = _validation.check_groups(groups, n_samples=len(y_enc))
        train_idx, valid_idx = _grouped_split(groups, len(y_enc), self.validation_fraction, seed)
        valid = torch.utils.data.Subset(dataset, valid_idx)
        return torch.utils.data.Subset(dataset, train_idx), y_enc[train_idx], predefined_split(valid)

    def _prepare(self, X):
        check_is_fitted(self, "net_")
        return self._check_X(X)[0]

    def predict_proba(self, X):
        """Probability of every emoji, columns in ``classes_`` order.

        Parameters
        ----------
        X : array-like of int
            Token ids in the layout used at ``fit`` (the padded widths may
            differ); a :class:`numpy.memmap` is read batch by batch.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities (rows sum to 1).
        """
        X = self._prepare(X)
        with torch_threads(self.n_threads):
            if len(X) <= self.net_.batch_size:
                proba = self._forward(X)
            else:
                proba = self.net_.predict_proba(TokenDataset(X, None, self.vocab_size_))
        proba = proba.astype(np.float64)
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
        with torch.inference_mode(), torch_threads(self.n_threads):
            for start in range(0, len(X), self.batch_size):
                batch = torch.as_tensor(as_ids(X[start : start + self.batch_size], self.vocab_size_), device=device)
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
    ``SequenceTokenizer`` applied to ``DialogueFlattener(turns="reply")``.
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
    ``DialogueFlattener(turns="all")`` (every turn, oldest first, in one
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
