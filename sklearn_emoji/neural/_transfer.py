"""Transfer learning for the dialogue LSTMs: pre-trained encoders and fine-tuning.

Distant supervision, as DeepMoji/torchMoji did it: an S-, F- or H-LSTM is
first trained to predict *many* emojis (the 64 most frequent of the corpus,
no class balancing) on every dialogue that is not held out, and its encoder
(embedding, LSTMs, attention) is kept as a :class:`PretrainedEncoder`. A later
``fit`` on the small target task starts from those weights:

* the encoder carries its vocabulary, so the tokenizer takes its ids from the
  encoder (``HierarchicalTokenizer(vocabulary=encoder)``), never the other way
  round;
* it is a *parameter* of the classifiers (``HLSTMClassifier(pretrained=
  encoder)``), like ``TfidfVectorizer(vocabulary=...)``, so ``clone``,
  ``GridSearchCV`` and ``cross_val_score`` reuse it without re-training;
* it also carries the pre-training softmax layer and its emojis: the rows of
  the emojis the target task shares with pre-training start from their
  pre-trained values, the others from scratch;
* it records the data it saw (the root posts of the pre-training corpus), so
  an evaluation can check that no test thread was seen
  (:func:`check_no_overlap`).

Fine-tuning strategies are skorch callbacks, not a hand-written loop:
``"full"`` trains everything from the start (plain skorch ``EarlyStopping``);
``"last"`` freezes the encoder with :class:`skorch.callbacks.Freezer` and
trains the softmax layer alone; ``"chain-thaw"`` (Felbo et al., 2017) is
:class:`ChainThaw`: the softmax layer first, then each encoder layer alone,
then everything, every step early-stopped on the validation set and ended
with the step's best weights.
"""

from __future__ import annotations

import copy
from fnmatch import fnmatch

import numpy as np
import torch
from skorch.callbacks import Callback
from skorch.utils import freeze_parameter, unfreeze_parameter

from .._compat import StrOptions, validate_parameter_constraints
from .._options import ARCHITECTURES, POOLINGS
from .._vocabulary import check_vocabulary

__all__ = [
    "PretrainedEncoder",
    "EncoderFileError",
    "ChainThaw",
    "load_encoder",
    "check_no_overlap",
]

_FORMAT = "sklearn-emoji/pretrained-encoder"
_FORMAT_VERSION = 1

# Parameter-name prefixes of each architecture's encoder, in chain-thaw order
# (lowest layer first); the softmax layer is always "output".
_LAYERS = {
    "sequence": ["embedding", "lstm", "attention"],
    "hierarchical": ["embedding", "word_lstm", "word_attention", "turn_lstm", "turn_attention"],
}
# How a hierarchical encoder's word level serves a sequence model and back.
_H_TO_S = {"word_lstm": "lstm", "word_attention": "attention"}
_S_TO_H = {v: k for k, v in _H_TO_S.items()}


class EncoderFileError(ValueError):
    """A pre-trained encoder file is missing, truncated, foreign or inconsistent."""


def _layer_of(name):
    return name.split(".", 1)[0]


class PretrainedEncoder:
    """The encoder of a pre-trained S-, F- or H-LSTM, with its vocabulary.

    Build one with :func:`sklearn_emoji.pretraining.pretrain_encoder` (or
    :func:`sklearn_emoji.vectors.word_vectors_encoder` for embeddings alone),
    save it with :meth:`save` and read it back with :func:`load_encoder`.
    Hand it to a classifier as ``pretrained=`` and to a tokenizer as
    ``vocabulary=``.

    Parameters
    ----------
    architecture : {"sequence", "hierarchical"}
        The module it came from: :class:`~sklearn_emoji.neural.SequenceLSTM`
        (S-/F-LSTM) or :class:`~sklearn_emoji.neural.HierarchicalLSTM`.
    vocabulary : dict of str to int
        Token to id; ids are ``2 .. len(vocabulary) + 1`` (0 is padding,
        1 is OOV), as the project's tokenizers number them.
    embedding_dim, hidden_dim : int
        The sizes of the encoder.
    pooling : {"last", "attention"}
        How the encoder pools LSTM states.
    state_dict : dict of str to torch.Tensor
        The encoder's weights (module parameter names). May hold
        ``output.weight`` / ``output.bias``, the pre-training softmax layer,
        whose rows follow ``classes``.
    classes : list of str, default=()
        The emojis of the pre-training softmax layer.
    info : dict, default=None
        What the encoder saw and how it was trained: corpus, number of
        dialogues, epochs, the root posts (``"groups"``), tokenizer
        settings. Plain Python values only.

    Attributes
    ----------
    vocab_size : int
        Rows of the embedding (``len(vocabulary) + 2``).

    Examples
    --------
    >>> import torch
    >>> from sklearn_emoji.neural import PretrainedEncoder
    >>> enc = PretrainedEncoder(
    ...     architecture="sequence", vocabulary={"好": 2, "哈": 3},
    ...     embedding_dim=4, hidden_dim=4, pooling="last",
    ...     state_dict={"embedding.weight": torch.zeros(4, 4)})
    >>> enc.vocab_size
    4
    >>> enc.layers
    ['embedding']
    """

    _parameter_constraints: dict = {
        "architecture": [StrOptions(set(ARCHITECTURES))],
        "pooling": [StrOptions(set(POOLINGS))],
    }

    def __init__(
        self,
        *,
        architecture,
        vocabulary,
        embedding_dim,
        hidden_dim,
        pooling,
        state_dict,
        classes=(),
        info=None,
    ):
        self.architecture = architecture
        self.vocabulary = dict(vocabulary)
        self.embedding_dim = int(embedding_dim)
        self.hidden_dim = int(hidden_dim)
        self.pooling = pooling
        self.state_dict = {k: v.detach().cpu().clone() for k, v in state_dict.items()}
        self.classes = [str(c) for c in classes]
        self.info = dict(info or {})
        # bad option values are told as the estimators tell them; the weights' consistency by _check
        validate_parameter_constraints(
            self._parameter_constraints,
            {"architecture": architecture, "pooling": pooling},
            caller_name="PretrainedEncoder",
        )
        self._check()

    @property
    def vocab_size(self):
        return len(self.vocabulary) + 2

    @property
    def layers(self):
        """Encoder layers present, lowest first (the softmax layer excluded)."""
        present = {_layer_of(k) for k in self.state_dict}
        return [name for name in _LAYERS.get(self.architecture, []) if name in present]

    def __repr__(self):
        return (
            f"PretrainedEncoder(architecture={self.architecture!r}, vocab_size={self.vocab_size}, "
            f"embedding_dim={self.embedding_dim}, hidden_dim={self.hidden_dim}, "
            f"pooling={self.pooling!r}, layers={self.layers})"
        )

    # ------------------------------------------------------------------
    def _check(self, source="PretrainedEncoder"):
        def fail(msg):
            raise EncoderFileError(f"{source}: {msg}")

        if self.architecture not in _LAYERS:
            fail(f"architecture must be 'sequence' or 'hierarchical', got {self.architecture!r}")
        if self.pooling not in POOLINGS:
            fail(f"pooling must be 'last' or 'attention', got {self.pooling!r}")
        try:
            check_vocabulary(self.vocabulary)
        except (TypeError, ValueError) as exc:
            fail(str(exc))
        if "embedding.weight" not in self.state_dict:
            fail("the weights hold no 'embedding.weight'")
        allowed = set(_LAYERS[self.architecture]) | {"output"}
        for name, tensor in self.state_dict.items():
            if _layer_of(name) not in allowed:
                fail(f"unexpected weight {name!r} for a {self.architecture} encoder")
            if not isinstance(tensor, torch.Tensor) or not torch.isfinite(tensor).all():
                fail(f"weight {name!r} is not a finite tensor")
        emb = self.state_dict["embedding.weight"]
        if tuple(emb.shape) != (self.vocab_size, self.embedding_dim):
            fail(
                f"embedding.weight has shape {tuple(emb.shape)} but the vocabulary needs "
                f"({self.vocab_size}, {self.embedding_dim})"
            )
        for lstm, n_in in (
            ("lstm", self.embedding_dim),
            ("word_lstm", self.embedding_dim),
            ("turn_lstm", self.hidden_dim),
        ):
            w = self.state_dict.get(f"{lstm}.weight_ih_l0")
            if w is not None and tuple(w.shape) != (4 * self.hidden_dim, n_in):
                fail(
                    f"{lstm}.weight_ih_l0 has shape {tuple(w.shape)}, expected "
                    f"({4 * self.hidden_dim}, {n_in}) for hidden_dim={self.hidden_dim}"
                )
        out = self.state_dict.get("output.weight")
        if out is not None and tuple(out.shape) != (len(self.classes), self.hidden_dim):
            fail(
                f"output.weight has shape {tuple(out.shape)} but there are {len(self.classes)} "
                f"classes and hidden_dim={self.hidden_dim}"
            )

    # ------------------------------------------------------------------
    def save(self, path):
        """Save to ``path``, written whole or not at all.

        The file holds no code: a header with the SHA-256 of the rest, the
        settings (vocabulary, sizes, classes, ``info``) as JSON and the
        weights as safetensors (see :mod:`sklearn_emoji.persistence`).

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        path : str

        Raises
        ------
        TypeError
            If ``info`` holds values that are not plain JSON (nothing is written).
        """
        from ..persistence import write_encoder_file

        return write_encoder_file(self, path)

    # ------------------------------------------------------------------
    def module_state(self, architecture, pooling, classes):
        """Weights to load into a fresh module of ``architecture``.

        The encoder's layers are renamed when a hierarchical encoder serves a
        sequence model (its word level becomes the sequence LSTM) or the
        other way round. The pre-training softmax rows of the emojis in
        ``classes`` are returned as ``(rows, positions)`` so the caller can
        copy them into its own softmax layer.
        """
        if architecture not in _LAYERS:  # pragma: no cover - internal
            raise ValueError(architecture)
        mapping = {}
        if architecture == "sequence" and self.architecture == "hierarchical":
            mapping = _H_TO_S
        elif architecture == "hierarchical" and self.architecture == "sequence":
            mapping = _S_TO_H
        state = {}
        for name, tensor in self.state_dict.items():
            layer, _, rest = name.partition(".")
            if layer == "output":
                continue
            if "attention" in layer and pooling != "attention":
                continue
            layer = mapping.get(layer, layer)
            if layer in _LAYERS[architecture]:
                state[f"{layer}.{rest}"] = tensor
        head = None
        if "output.weight" in self.state_dict and self.classes:
            index = {c: i for i, c in enumerate(self.classes)}
            pairs = [(index[c], j) for j, c in enumerate(classes) if c in index]
            if pairs:
                src, dst = (list(x) for x in zip(*pairs))
                head = (
                    self.state_dict["output.weight"][src],
                    self.state_dict["output.bias"][src],
                    dst,
                )
        return state, head


def load_encoder(path):
    """Read a :class:`PretrainedEncoder` saved by :meth:`PretrainedEncoder.save`.

    Nothing in the file can run code: the file's SHA-256 is checked against
    its header first, then its JSON settings (each field's type) and its
    safetensors weights are read, and the whole is checked (vocabulary
    ids, every weight's shape against the recorded sizes) before anything
    is returned. A damaged, truncated, foreign or mistyped file raises
    :class:`EncoderFileError` naming the file. Files of format 1
    (``torch.save``, read with ``weights_only=True``) still load, with a
    warning that they carry no checksum.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    encoder : PretrainedEncoder

    Raises
    ------
    EncoderFileError
        The file is missing, a directory, damaged, truncated, not an encoder
        file or internally inconsistent.

    Examples
    --------
    >>> import os, tempfile, torch
    >>> from sklearn_emoji.neural import PretrainedEncoder, load_encoder
    >>> enc = PretrainedEncoder(
    ...     architecture="sequence", vocabulary={"好": 2}, embedding_dim=2,
    ...     hidden_dim=2, pooling="last", state_dict={"embedding.weight": torch.ones(3, 2)})
    >>> path = os.path.join(tempfile.mkdtemp(), "enc.pt")
    >>> _ = enc.save(path)
    >>> load_encoder(path).vocabulary
    {'好': 2}
    """
    from ..persistence import read_encoder_file

    return read_encoder_file(path)


class TestThreadsSeen(ValueError):
    """:func:`check_no_overlap`'s error: the encoder was pre-trained on some of the given threads.

    (The command line catches it to name the flags that must match.) ``found``: what was found, without
    the advice.
    """

    found = ""

    __test__ = False  # not a pytest test class


def check_no_overlap(encoder, groups, *, what="test"):
    """Raise if ``encoder`` was pre-trained on any of ``groups``.

    Parameters
    ----------
    encoder : PretrainedEncoder
    groups : array-like of str
        Root posts (threads) that must not have been seen, e.g. the groups
        of a test split.
    what : str, default="test"
        Name used in the message.

    Returns
    -------
    n_seen : int
        Number of root posts the encoder saw.

    Raises
    ------
    ValueError
        Some of ``groups`` are among the encoder's pre-training root posts,
        or the encoder does not record them.

    Examples
    --------
    >>> import torch
    >>> from sklearn_emoji.neural import PretrainedEncoder, check_no_overlap
    >>> enc = PretrainedEncoder(
    ...     architecture="sequence", vocabulary={}, embedding_dim=2, hidden_dim=2,
    ...     pooling="last", state_dict={"embedding.weight": torch.zeros(2, 2)},
    ...     info={"groups": ["a", "b"]})
    >>> check_no_overlap(enc, ["c"])
    2
    """
    seen = encoder.info.get("groups")
    if seen is None:
        raise ValueError(
            "this encoder does not record the root posts it was pre-trained on, so a "
            f"leak into the {what} threads cannot be ruled out"
        )
    refuse_seen(
        seen,
        groups,
        found=f"the encoder was pre-trained on {{n}} {what} thread(s) (e.g. {{examples}})",
        advice=f"pre-train with exclude_groups set to the {what} groups",
    )
    return len(seen)


def refuse_seen(seen, groups, *, found, advice):
    """Raise :class:`TestThreadsSeen` if any of ``groups`` is among ``seen``.

    ``found`` is the message's first part, with ``{n}`` (how many) and
    ``{examples}`` (the first three, sorted); ``advice`` follows it.
    """
    leaked = set(map(str, seen)) & set(map(str, np.asarray(groups).ravel().tolist()))
    if leaked:
        found = found.format(n=len(leaked), examples=sorted(leaked)[:3])
        exc = TestThreadsSeen(f"{found}; {advice}")
        exc.found = found
        raise exc


# ----------------------------------------------------------------------
# skorch callbacks
# ----------------------------------------------------------------------
def _bare(module):
    """The module itself, out of a DistributedDataParallel wrapper (accelerate, several processes)."""
    return module.module if isinstance(module, torch.nn.parallel.DistributedDataParallel) else module


def _extend_embedding(target, pretrained):
    """Copy ``pretrained`` ``(n, E)`` into the first rows of ``target`` ``(m, E)``, ``m > n``; new rows at random.

    The new rows (tokens the encoder never saw, torchMoji's
    ``extend_embedding``) are drawn from a normal distribution with the
    per-dimension mean and standard deviation of the pre-trained rows (the
    padding and OOV rows left out), so they start on the scale of the rest;
    the draw uses a generator seeded from torch's seed (which the classifier sets).
    """
    n = pretrained.shape[0]
    rows = pretrained[2:] if n > 3 else pretrained
    mean, std = rows.float().mean(0), rows.float().std(0)
    # A generator of its own (seeded from the classifier's seed), so the global stream of dropout and
    # shuffling draws is the same as without new rows.
    generator = torch.Generator().manual_seed(torch.initial_seed())
    new = torch.randn(target.shape[0] - n, target.shape[1], generator=generator) * std + mean
    target[:n].copy_(pretrained.to(target.device, target.dtype))
    target[n:].copy_(new.to(target.device, target.dtype))


class LoadPretrained(Callback):
    """Copy a pre-trained encoder's weights into the module when training starts.

    The copy is in place (``Tensor.copy_``), so the optimizer built by skorch
    keeps pointing at the right tensors.

    Parameters
    ----------
    encoder : PretrainedEncoder
    classes : sequence of str
        The classifier's emojis, in the order of its softmax layer.
    """

    def __init__(self, encoder, classes):
        self.encoder = encoder
        self.classes = classes

    def on_train_begin(self, net, **kwargs):
        module = _bare(net.module_)
        architecture = "hierarchical" if hasattr(module, "turn_lstm") else "sequence"
        state, head = self.encoder.module_state(architecture, module.pooling, list(self.classes))
        own = module.state_dict()
        with torch.no_grad():
            for name, tensor in state.items():
                if name == "embedding.weight" and own[name].shape[0] > tensor.shape[0]:
                    _extend_embedding(own[name], tensor)
                    continue
                own[name].copy_(tensor.to(own[name].device, own[name].dtype))
            if head is not None:
                weight, bias, rows = head
                module.output.weight[rows] = weight.to(module.output.weight.device)
                module.output.bias[rows] = bias.to(module.output.bias.device)


class ChainThaw(Callback):
    """Chain-thaw fine-tuning (Felbo et al., 2017) as one skorch callback.

    Training runs in steps; in each step only some layers learn (the others
    are frozen with :func:`skorch.utils.freeze_parameter`): the softmax
    layer first, then each encoder layer alone, lowest first, then all
    layers together. Each step is early-stopped: when the monitored
    validation score has not improved for ``patience`` epochs, the step's
    best weights are restored and the next step begins. After the last step
    training ends (the ``KeyboardInterrupt`` skorch's own ``EarlyStopping``
    uses) with the best weights of the whole run.

    Parameters
    ----------
    steps : list of list of str
        Parameter-name patterns (:func:`fnmatch.fnmatch`) that learn in each
        step, e.g. ``[["output.*"], ["embedding.*"], ["*"]]``.
    patience : int, default=2
        Epochs without improvement before a step ends.
    monitor : str, default="valid_loss"
        History key to watch.
    lower_is_better : bool, default=True
        Whether a lower ``monitor`` is better.
    max_epochs_per_step : int or None, default=None
        A cap on each step's epochs.

    Attributes
    ----------
    step_ : int
        The step being trained.
    step_epochs_ : list of int
        Epochs run in each finished step.
    """

    def __init__(self, steps, patience=2, monitor="valid_loss", lower_is_better=True, max_epochs_per_step=None):
        self.steps = steps
        self.patience = patience
        self.monitor = monitor
        self.lower_is_better = lower_is_better
        self.max_epochs_per_step = max_epochs_per_step

    def initialize(self):
        self.step_ = 0
        self.step_epochs_ = []
        self._best = None
        self._best_state = None
        self._since_best = 0
        self._epochs = 0
        return self

    def _apply(self, net):
        patterns = self.steps[self.step_]
        for name, param in _bare(net.module_).named_parameters():
            if any(fnmatch(name, p) for p in patterns):
                unfreeze_parameter(param)
            else:
                freeze_parameter(param)

    def on_train_begin(self, net, **kwargs):
        self._apply(net)

    def _improved(self, score):
        if self._best is None:
            return True
        return score < self._best if self.lower_is_better else score > self._best

    def on_epoch_end(self, net, **kwargs):
        score = net.history[-1, self.monitor]
        self._epochs += 1
        if self._improved(score):
            self._best = score
            self._best_state = copy.deepcopy(_bare(net.module_).state_dict())
            self._since_best = 0
        else:
            self._since_best += 1
        step_over = self._since_best >= self.patience or (
            self.max_epochs_per_step is not None and self._epochs >= self.max_epochs_per_step
        )
        if not step_over:
            return
        if self._best_state is not None:
            _bare(net.module_).load_state_dict(self._best_state)
        self.step_epochs_.append(self._epochs)
        self._epochs = 0
        self._since_best = 0
        if self.step_ + 1 >= len(self.steps):
            raise KeyboardInterrupt  # skorch ends training, as EarlyStopping does
        self.step_ += 1
        self._apply(net)

    def on_train_end(self, net, **kwargs):
        if self._best_state is not None:
            _bare(net.module_).load_state_dict(self._best_state)
        for param in _bare(net.module_).parameters():
            unfreeze_parameter(param)
        self._best_state = None  # keep pickles small
