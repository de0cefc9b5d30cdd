"""The parameters the S-, F- and H-LSTM classifiers share: their documentation and the skorch routes.

skorch's own ``prefix__name`` routing stays open, with an explicit record of
what is routed (as skorch keeps its ``prefixes_``): a keyword argument whose
name starts with one of ``ROUTED_PREFIXES`` (``optimizer__weight_decay=
1e-4``, ``callbacks__early_stopping__monitor="valid_loss"``,
``iterator_train__num_workers=2``) or is one of the plain skorch parameters of
``ROUTED_PARAMS`` is stored on the estimator, recorded as routed, shows up
in ``get_params``, can be searched over by ``GridSearchCV`` and is handed to the
skorch net at ``fit``; any other name is refused at ``fit`` with the closest
valid names. Nothing else reaches skorch.
"""

import difflib

#: Prefixes of the keyword arguments routed to skorch (skorch's ``prefixes_``).
ROUTED_PREFIXES = (
    "module__",
    "optimizer__",
    "criterion__",
    "callbacks__",
    "iterator_train__",
    "iterator_valid__",
    "dataset__",
)
#: Plain skorch ``NeuralNet`` parameters that may be passed as keyword
#: arguments; the others are set from the readable parameters.
ROUTED_PARAMS = frozenset(
    {
        "criterion",
        "iterator_train",
        "iterator_valid",
        "dataset",
        "train_split",
        "compile",
        "use_caching",
        "torch_load_kwargs",
        "history",
        "predict_nonlinearity",
    }
)


def _is_routed(name):
    return name in ROUTED_PARAMS or name.startswith(ROUTED_PREFIXES)


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
        Number of token ids the embedding holds; pass the tokenizer's
        ``vocab_size_``. ``None`` learns it from the training data as
        ``X.max() + 1`` (stored as ``vocab_size_``), but refuses a sparse
        id space that would allocate a huge embedding for nothing: more than
        65,536 ids while ``X`` holds fewer tokens than that (one stray id of
        10**7 would otherwise take 5 GB at 128 dimensions). At ``fit`` and
        ``predict`` time ids ``>= vocab_size_`` are read as the OOV id 1.
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
        available, decided at ``fit`` in the process that fits -- a Dask
        worker picks its own GPU -- and stored as ``device_``). Asking for
        CUDA on a machine without it raises a ``ValueError`` at ``fit``. A
        fitted model pickled on CUDA loads on a CPU-only machine (skorch maps
        the weights to the CPU with a ``DeviceWarning``). Ignored when
        ``accelerator`` is set (the accelerator places the model).
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
    extend_embedding : bool, default=False
        With ``pretrained``: accept token ids past the encoder's vocabulary
        (the new tokens of a tokenizer with ``extend_vocabulary``, torchMoji's
        ``extend_embedding``) and give each a new embedding row, drawn from a
        normal distribution with the mean and standard deviation of the
        pre-trained rows; they learn with the embedding (``fine_tuning``
        ``"full"`` or ``"chain-thaw"``). ``False``: such an id is an error
        (a tokenizer that does not use the encoder's ids).
        :func:`~sklearn_emoji.pipelines.make_method` with ``pretrained=``
        turns both on.
    n_threads : int or None, default=None
        torch's CPU threads while this model trains and predicts
        (``torch.set_num_threads``, restored afterwards). ``None`` keeps
        torch's own setting (one per physical core). On a busy machine with
        few cores, 1 is often much faster than 2 (oversubscribed threads
        wait on each other): ``benchmarks/bench_threads.py`` measures it.
    accelerator : accelerate.Accelerator, "auto" or None, default=None
        Train through Hugging Face accelerate (skorch's
        :class:`~skorch.hf.AccelerateMixin`): mixed precision, gradient
        accumulation, several GPUs or machines. ``"auto"`` builds a default
        ``Accelerator()`` at ``fit`` (from ``accelerate config`` /
        ``accelerate launch``'s environment). When several processes train
        together (``accelerate launch --num_processes N``), each fits on its
        shard of every batch, the epoch history is kept in step with
        skorch's :class:`~skorch.history.DistributedHistory` and every
        process ends with the same model. An ``Accelerator`` is shared, not
        copied, by ``clone`` and searches (accelerate's own ``__deepcopy__``
        returns it). Needs ``pip install "sklearn-emoji[accelerate]"``.
    on_interrupt : {"raise", "keep"}, default="raise"
        What ``fit`` does when training is interrupted (Ctrl-C, ``SIGINT``).
        skorch ends its training loop quietly on a ``KeyboardInterrupt``;
        with ``"raise"`` the interrupt then leaves ``fit`` as a
        ``KeyboardInterrupt`` (no partly trained model is returned as if
        training had finished); with ``"keep"`` ``fit`` returns the model
        trained so far (the best epoch's weights when early stopping is on)
        and sets ``interrupted_`` to True. Early stopping itself is not an
        interrupt.
    **kwargs : dict
        Routed to :class:`skorch.NeuralNetClassifier` with skorch's
        ``prefix__name`` syntax: ``module__*``, ``optimizer__*``,
        ``criterion__*``, ``callbacks__<name>__*``, ``iterator_train__*``,
        ``iterator_valid__*``, ``dataset__*`` (``ROUTED_PREFIXES``); also
        the plain skorch parameters ``criterion``, ``iterator_train``,
        ``iterator_valid``, ``dataset``, ``train_split``, ``compile``,
        ``use_caching``, ``torch_load_kwargs``, ``history``,
        ``predict_nonlinearity`` (``ROUTED_PARAMS``). A routed value
        overrides the one derived from a readable parameter (e.g.
        ``optimizer__rho``). Any other name is refused at ``fit``."""

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
        stopping).
    device_ : str
        The device the model was trained on (``device="auto"`` resolved, or
        the accelerator's).
    interrupted_ : bool
        True when training was interrupted and kept (``on_interrupt="keep"``)."""


class _RoutedParamsMixin:
    """The record of skorch-routed keyword arguments, in ``get_params`` / ``set_params``.

    The estimator's ``__init__`` sets ``self._routed = ()`` and passes its
    ``**kwargs`` to ``_set_routed``; ``fit`` calls ``_check_routed``.
    """

    def _set_routed(self, params):
        for key, value in params.items():
            setattr(self, key, value)
        self._routed = tuple(dict.fromkeys((*self._routed, *params)))

    def _routed_params(self):
        """The keyword arguments recorded for skorch (and only those)."""
        return {k: getattr(self, k) for k in getattr(self, "_routed", ())}

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
        routed = {k: v for k, v in params.items() if "__" in k or k in ROUTED_PARAMS}
        self._set_routed(routed)
        rest = {k: v for k, v in params.items() if k not in routed}
        if rest:
            super().set_params(**rest)
        return self

    def _check_routed(self):
        """Every recorded keyword argument is a skorch route; say which one was meant otherwise."""
        bad = sorted(k for k in self._routed if not _is_routed(k))
        if bad:
            known = [*self._get_param_names(), *ROUTED_PARAMS]
            hints = {k: difflib.get_close_matches(k, known, n=1) for k in bad}
            hint = "; ".join(f"{k!r}: did you mean {m[0]!r}?" for k, m in hints.items() if m)
            raise TypeError(
                f"{type(self).__name__} got unexpected parameter(s) {bad}. Extra keyword arguments must be "
                f"skorch routes starting with one of {list(ROUTED_PREFIXES)} (e.g. 'optimizer__weight_decay') "
                f"or one of {sorted(ROUTED_PARAMS)}." + (f" {hint}" if hint else "")
            )
