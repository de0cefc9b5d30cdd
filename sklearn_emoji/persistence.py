"""Model and encoder files: no executable code, a checksum, one format.

A model file (format 2, what :func:`save_model` writes) is

.. code-block:: text

    sklearn-emoji-model 2 sha256=<64 hex digits>
    {"format_version": 2, "method": ..., "classes": [...], "parts": {"skops": N, "safetensors": M}, ...}
    <N bytes: a skops file> <M bytes: a safetensors file>

The SHA-256 on the first line covers everything after that line (the
metadata line and both parts), and it is checked before anything is parsed:
a truncated file, a flipped bit or a valid header in front of another body
is refused with an error that names the file.

* The scikit-learn parts (pipelines, TF-IDF, logistic regression, the
  lexicon, ...) are a `skops <https://skops.readthedocs.io>`_ file: skops
  rebuilds objects from a schema and refuses any type it does not trust. The
  trusted types are skops' defaults, this library's own classes, its
  tokenizer functions (an analyzer is called at predict time, so no other
  function of the library is trusted) and the few scikit-learn / SciPy
  helpers listed in :data:`TRUSTED_TYPES`; a file that names anything else
  is refused before anything is built.
* The networks (each LSTM classifier's torch module, each pre-trained
  encoder's weights) are tensors in the safetensors part; their settings
  (sizes, vocabulary, classes, optimizer name) are plain values in the skops
  part. A loaded LSTM classifier is rebuilt from its parameters and its
  weights; its training history and its ``callbacks`` (code) are not saved.

Neither part can run code when it is read. The format 1 file (a header, then
a pickle) and the headerless pickle of version 0.1 load only with
``load_model(path, trusted=True)`` (``--trust-pickle`` on the command line),
with a :class:`PickleModelWarning`; save them again to convert them.

An encoder file (format 2, what :meth:`~sklearn_emoji.neural.PretrainedEncoder.save`
writes) has the same shape: ``sklearn-emoji-encoder 2 sha256=<hex>``, a JSON
line (architecture, sizes, pooling, vocabulary, classes, info) and a
safetensors body. Encoder files of format 1 (``torch.save``, read with
``weights_only=True``: no code either) still load, with a warning that they
carry no checksum.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import pickle
import platform
import warnings
from datetime import datetime, timezone
from pathlib import Path

from ._utils import atomic_write_bytes

__all__ = [
    "MODEL_FORMAT_VERSION",
    "TRUSTED_TYPES",
    "ModelFileError",
    "PickleModelWarning",
    "save_model",
    "load_model",
    "read_model_metadata",
]

#: Version of the model file format that :func:`save_model` writes.
MODEL_FORMAT_VERSION = 2
ENCODER_FORMAT_VERSION = 2

_MAGIC = b"sklearn-emoji-model "
_ENCODER_MAGIC = b"sklearn-emoji-encoder "
#: The header lines are read with this cap, so a large foreign file is never read whole to find them.
_MAX_HEADER_BYTES = 64 << 20

#: Types outside skops' defaults and this library that a model file may name:
#: scikit-learn and SciPy internals that fitted models of the registry hold.
TRUSTED_TYPES = (
    "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.utils._bunch.Bunch",
)
_OWN = "sklearn_emoji."

#: Metadata keys :func:`save_model` records itself (``method`` and ``training_data`` may be given).
_RESERVED = (
    "format_version",
    "library_version",
    "sklearn_version",
    "python_version",
    "estimator",
    "classes",
    "created",
    "parts",
)


class ModelFileError(ValueError):
    """A model file is damaged, foreign, of an unknown format, or names a type it may not."""


class PickleModelWarning(UserWarning):
    """A model file in the old pickle format was loaded (``trusted=True``): it could have run code."""


# ----------------------------------------------------------------------
# framing: magic + version + sha256, a JSON line, a body
# ----------------------------------------------------------------------
def _frame(magic, version, meta, body):
    line = json.dumps(meta, ensure_ascii=True, allow_nan=False).encode("ascii") + b"\n"
    digest = hashlib.sha256(line + body).hexdigest()
    return magic + f"{version} sha256={digest}\n".encode("ascii") + line + body


def _read_first_line(path, magic):
    with open(path, "rb") as fh:
        return fh.readline(len(magic) + 96)


def _unframe(path, data, magic, version, error, what):
    """``(meta, body)`` of framed bytes, after the checksum; ``error`` is the exception class."""
    first, sep, rest = data.partition(b"\n")
    fields = first[len(magic) :].split(b" ")
    if not sep or len(fields) != 2 or not fields[0].isdigit() or not fields[1].startswith(b"sha256="):
        raise error(f"{path} has a malformed sklearn-emoji {what} header: {first[:60]!r}")
    if int(fields[0]) > version:
        raise error(
            f"{path} is a {what} file of format {int(fields[0])}, newer than this library reads ({version}); "
            "upgrade sklearn-emoji to load it"
        )
    if int(fields[0]) != version:
        raise error(f"{path} has a malformed sklearn-emoji {what} header: {first[:60]!r}")
    expected = fields[1][len(b"sha256=") :].decode("ascii", "replace")
    if hashlib.sha256(rest).hexdigest() != expected:
        raise error(
            f"{path} is damaged: its SHA-256 does not match the one in its header (truncated, changed, "
            f"or another file's body behind this header); nothing in it was read"
        )
    line, sep, body = rest.partition(b"\n")
    try:
        meta = json.loads(line.decode("ascii"))
    except ValueError as exc:  # cannot happen for a file we wrote: the checksum matched
        raise error(f"{path} has a broken sklearn-emoji {what} header ({exc})") from exc
    if not isinstance(meta, dict):
        raise error(f"{path} has a broken sklearn-emoji {what} header (not a JSON object)")
    return meta, body


# ----------------------------------------------------------------------
# networks out of and back into the object tree
# ----------------------------------------------------------------------
class _SavedNet:
    """Stand-in for an LSTM classifier in the skops part: its class, parameters and fitted values."""


class _SavedEncoder:
    """Stand-in for a :class:`~sklearn_emoji.neural.PretrainedEncoder` in the skops part."""


class _SavedStrings:
    """Stand-in for a long list of str: one NumPy array rather than a skops node per item."""


class _SavedDict:
    """Stand-in for a long dict with str keys: the keys (and plain numeric values) as NumPy arrays."""


#: Lists and dicts at least this long are stored as arrays (skops spends a node on each item).
_COMPACT = 32
_PLAIN = (str, int, float, bool, type(None))


def _strings(items):
    """A NumPy str array of ``items`` if they are all str that NumPy keeps exactly, else ``None``."""
    import numpy as np

    if not all(type(v) is str and not v.endswith("\x00") for v in items):
        return None
    return np.array(items, dtype=str) if items else None


def _numbers(values):
    import numpy as np

    if all(type(v) is int for v in values):
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:
            return None
    if all(type(v) is float for v in values):
        return np.array(values, dtype=np.float64)
    return None


def _compact(obj, walk):
    """A stand-in for a long plain list of str, dict with str keys or object array of str; else ``None``."""
    import numpy as np

    if type(obj) is np.ndarray and obj.dtype == object and obj.size >= _COMPACT:
        arr = _strings(obj.ravel().tolist())
        if arr is not None:
            saved = _SavedStrings()
            saved.items = arr.reshape(obj.shape)
            saved.object_array = True
            return saved
    elif type(obj) is list and len(obj) >= _COMPACT:
        arr = _strings(obj)
        if arr is not None:
            saved = _SavedStrings()
            saved.items = arr
            saved.object_array = False
            return saved
    elif type(obj) is dict and len(obj) >= _COMPACT:
        keys = _strings(list(obj))
        if keys is not None:
            saved = _SavedDict()
            saved.keys = keys
            values = list(obj.values())
            numbers = _numbers(values)
            saved.values = numbers if numbers is not None else walk(values)
            return saved
    return None


def _expand(obj, walk):
    import numpy as np

    if isinstance(obj, _SavedStrings):
        if obj.object_array:
            out = np.empty(obj.items.shape, dtype=object)
            out[...] = obj.items.tolist() if obj.items.ndim else obj.items.item()
            return out
        return obj.items.tolist()
    if isinstance(obj, _SavedDict):
        values = obj.values.tolist() if hasattr(obj.values, "tolist") else walk(obj.values)
        return dict(zip(obj.keys.tolist(), values))
    return None


def _plain(value):
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _walk(obj, swap, memo):
    """``obj`` with every object ``swap`` replaces replaced, copying only what changes."""
    key = id(obj)
    if key in memo:
        return memo[key][1]
    new = swap(obj)
    if new is None:
        new = obj
        if isinstance(obj, list):
            items = [_walk(v, swap, memo) for v in obj]
            if any(a is not b for a, b in zip(items, obj)):
                new = items
        elif isinstance(obj, tuple):
            items = [_walk(v, swap, memo) for v in obj]
            if any(a is not b for a, b in zip(items, obj)):
                new = type(obj)(*items) if hasattr(obj, "_fields") else type(obj)(items)
        elif isinstance(obj, dict):
            items = {k: _walk(v, swap, memo) for k, v in obj.items()}
            if any(items[k] is not v for k, v in obj.items()):
                new = copy.copy(obj)
                new.update(items)
        elif hasattr(obj, "__dict__") and type(obj).__module__.split(".")[0] in ("sklearn", "sklearn_emoji"):
            state = vars(obj)
            items = {k: _walk(v, swap, memo) for k, v in state.items()}
            if any(items[k] is not v for k, v in state.items()):
                new = copy.copy(obj)
                new.__dict__.update(items)
    memo[key] = (obj, new)  # keep obj alive so its id is not reused
    return new


def _net_classes():
    from .neural import FLSTMClassifier, HLSTMClassifier, SLSTMClassifier

    return {c.__name__: c for c in (SLSTMClassifier, FLSTMClassifier, HLSTMClassifier)}


def _extract(model):
    """``(tree, tensors)``: the model with its networks as stand-ins, and their weights (NumPy)."""
    import sys

    tensors = {}
    memo = {}
    seen = {}
    if "torch" in sys.modules:  # no network can be in a model when torch was never imported
        from .neural import PretrainedEncoder
        from .neural._classifiers import _BaseLSTMClassifier
    else:
        PretrainedEncoder = _BaseLSTMClassifier = ()  # isinstance(x, ()) is False

    def swap(obj):
        if isinstance(obj, (list, dict)) or type(obj).__name__ == "ndarray":
            return _compact(obj, lambda v: _walk(v, swap, memo))
        if isinstance(obj, PretrainedEncoder):
            # clone() deep-copies an encoder parameter: store equal copies once
            print_ = hashlib.sha256(json.dumps([obj.architecture, obj.vocabulary, obj.classes]).encode())
            for name in sorted(obj.state_dict):
                print_.update(name.encode() + obj.state_dict[name].detach().cpu().numpy().tobytes())
            if print_.hexdigest() in seen:
                return seen[print_.hexdigest()]
            saved = seen[print_.hexdigest()] = _SavedEncoder()
            prefix = f"encoder{sum(1 for k in tensors if k.endswith('#'))}#"
            tensors[prefix] = None  # a counter entry, dropped below
            for name, tensor in obj.state_dict.items():
                tensors[prefix + name] = tensor.detach().cpu().numpy()
            saved.prefix = prefix
            saved.config = json.dumps(
                {
                    "architecture": obj.architecture,
                    "vocabulary": obj.vocabulary,
                    "embedding_dim": obj.embedding_dim,
                    "hidden_dim": obj.hidden_dim,
                    "pooling": obj.pooling,
                    "classes": obj.classes,
                    "info": obj.info,
                    "weights": sorted(obj.state_dict),
                },
                ensure_ascii=False,
            )
            return saved
        if isinstance(obj, _BaseLSTMClassifier):
            return _save_net(obj, tensors, lambda v: _walk(v, swap, memo))
        return None

    tree = _walk(model, swap, memo)
    return tree, {k: v for k, v in tensors.items() if v is not None}


def _save_net(est, tensors, walk):
    import torch

    params = est.get_params(deep=False)
    dropped = []
    optimizer = params.pop("optimizer")
    if not (isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer)):
        raise TypeError(
            f"{type(est).__name__}(optimizer={optimizer!r}) cannot be saved: a model file holds no code, only "
            "the name of a torch.optim optimizer"
        )
    pretrained = params.pop("pretrained")
    if isinstance(params.get("device"), torch.device):
        params["device"] = str(params["device"])
    for name in list(params):
        if name == "callbacks" and params[name]:
            dropped.append(name)
            params[name] = None
        elif name == "accelerator" and params[name] not in (None, "auto"):
            dropped.append(name)
            params[name] = None
        elif not _plain(params[name]):
            raise TypeError(
                f"{type(est).__name__}({name}={params[name]!r}) cannot be saved in a model file (it holds "
                "plain values and weights, no code); set it to a plain value before saving"
            )
    if dropped:
        warnings.warn(
            f"{type(est).__name__}: {', '.join(dropped)} are code and are not saved (they only matter for "
            "training); the loaded model has them set to None",
            UserWarning,
            stacklevel=4,
        )
    saved = _SavedNet()
    saved.cls = type(est).__name__
    saved.config = json.dumps(
        {"params": params, "optimizer": f"{optimizer.__module__}.{optimizer.__qualname__}"}, ensure_ascii=False
    )
    saved.pretrained = walk(pretrained) if pretrained is not None else None
    saved.fitted = {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_") and k != "net_"}
    saved.prefix = None
    if hasattr(est, "net_"):
        prefix = f"net{sum(1 for k in tensors if k.endswith('#'))}#"
        tensors[prefix] = None
        for name, tensor in est.net_.module_.state_dict().items():
            tensors[prefix + name] = tensor.detach().cpu().numpy()
        saved.prefix = prefix
    return saved


def _optimizer(name, path):
    import torch

    module, _, attr = name.rpartition(".")
    opt = getattr(torch.optim, attr, None) if module.startswith("torch.optim") else None
    if not (isinstance(opt, type) and issubclass(opt, torch.optim.Optimizer)):
        raise ModelFileError(f"{path} names the optimizer {name!r}, not one of torch.optim's")
    return opt


def _restore(tree, tensors, path):
    """The model with its stand-ins rebuilt from their settings and weights."""
    memo = {}

    def weights(prefix, names=None):
        import torch

        got = {k[len(prefix) :]: torch.from_numpy(v.copy()) for k, v in tensors.items() if k.startswith(prefix)}
        if names is not None and sorted(got) != sorted(names):
            raise ModelFileError(f"{path}: the weights of {prefix[:-1]} are not those its settings list")
        return got

    def swap(obj):
        if isinstance(obj, (_SavedStrings, _SavedDict)):
            return _expand(obj, lambda v: _walk(v, swap, memo))
        if isinstance(obj, _SavedEncoder):
            from .neural import EncoderFileError, PretrainedEncoder

            try:
                cfg = json.loads(obj.config)
                names = cfg.pop("weights")
                return PretrainedEncoder(**cfg, state_dict=weights(obj.prefix, names))
            except (EncoderFileError, TypeError, ValueError, AttributeError, KeyError) as exc:
                raise ModelFileError(f"{path} holds a broken pre-trained encoder ({exc})") from exc
        if isinstance(obj, _SavedNet):
            return _load_net(obj, lambda v: _walk(v, swap, memo), weights, path)
        return None

    return _walk(tree, swap, memo)


def _load_net(saved, walk, weights, path):
    import numpy as np
    import torch
    from skorch.dataset import ValidSplit

    classes = _net_classes()
    if saved.cls not in classes:
        raise ModelFileError(f"{path} names the network class {saved.cls!r}, not one of {sorted(classes)}")
    try:
        cfg = json.loads(saved.config)
        params = dict(cfg["params"])
        params["optimizer"] = _optimizer(cfg["optimizer"], path)
        params["pretrained"] = walk(saved.pretrained) if saved.pretrained is not None else None
        est = classes[saved.cls](**params)
    except (TypeError, ValueError, KeyError) as exc:
        raise ModelFileError(f"{path} holds broken network settings ({exc})") from exc
    if saved.prefix is None:
        return est
    fitted = dict(saved.fitted)
    device = "cuda" if str(fitted.get("device_", "cpu")).startswith("cuda") and torch.cuda.is_available() else "cpu"
    split = ValidSplit(est.validation_fraction) if est.validation_fraction else None
    try:
        est._check_routed()
        net = est._make_net(np.asarray(fitted["classes_"]), int(fitted["vocab_size_"]), split, device)
        net.initialize()
        net.module_.load_state_dict({k: v.to(device) for k, v in weights(saved.prefix).items()})
    except (RuntimeError, TypeError, ValueError, KeyError) as exc:
        raise ModelFileError(f"{path}: the weights of a {saved.cls} do not fit its settings ({exc})") from exc
    net.module_.train(False)
    for name, value in fitted.items():
        if not (isinstance(name, str) and name.isidentifier() and name.endswith("_") and not name.startswith("_")):
            raise ModelFileError(f"{path} sets the attribute {name!r} of a {saved.cls}, not a fitted attribute")
        setattr(est, name, value)
    est.net_ = net
    est.device_ = device
    return est


# ----------------------------------------------------------------------
# model files
# ----------------------------------------------------------------------
def _model_classes(model):
    """``classes_`` of a fitted model (or of a pipeline's last step) as strings; ``None`` if unfitted."""
    from sklearn.exceptions import NotFittedError

    from .metrics import classes_of

    try:
        return [str(c) for c in classes_of(model)]
    except (NotFittedError, AttributeError, TypeError):
        return None


def save_model(model, path, *, metadata=None):
    """Write a model to ``path`` (skops + safetensors, with a checksum), atomically.

    Parameters
    ----------
    model : estimator
        A classifier or pipeline with ``predict_proba`` (fitted, usually):
        any method of :func:`~sklearn_emoji.pipelines.make_method`, with or
        without a pre-trained encoder.
    path : str or Path
        Where to write; missing folders are created. The file is written
        whole or not at all, with the mode the umask gives.
    metadata : dict, default=None
        Extra entries for the header, JSON-serialisable, e.g.
        ``{"method": "H-LSTM", "training_data": "Weibo CED, 8000 dialogues"}``.
        Recorded anyway: ``format_version``, ``library_version``,
        ``sklearn_version``, ``python_version``, ``estimator`` (the class
        name), ``classes`` (strings, ``None`` for an unfitted model),
        ``created`` (UTC, ISO 8601), ``parts`` (their sizes); these may not
        be given. ``method`` and ``training_data`` are ``None`` unless given.

    Returns
    -------
    path : str

    Raises
    ------
    TypeError
        If ``model`` has no ``predict_proba``, holds something a model file
        cannot (code, e.g. a custom optimizer), or ``metadata`` is not a
        JSON-serialisable dict or sets a recorded key (nothing is written).

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_emoji.persistence import load_model, read_model_metadata, save_model
    >>> model = LogisticRegression().fit([[0.0], [1.0]], ["😢", "😂"])
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = os.path.join(tmp.name, "model.skops")
    >>> _ = save_model(model, path, metadata={"training_data": "two points"})
    >>> meta = read_model_metadata(path)
    >>> meta["classes"], meta["training_data"], meta["format_version"]
    (['😂', '😢'], 'two points', 2)
    >>> str(load_model(path).predict([[0.9]])[0])
    '😂'
    >>> tmp.cleanup()
    """
    import sklearn
    import skops.io as sio

    from . import __version__

    if not hasattr(model, "predict_proba"):
        raise TypeError(f"save_model needs a model with predict_proba, got a {type(model).__name__}")
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict or None, got {type(metadata).__name__}")
    reserved = sorted(set(metadata or ()) & set(_RESERVED))
    if reserved:
        raise TypeError(f"metadata may not set {reserved}: save_model records them itself (reserved: {_RESERVED})")
    header = {
        "format_version": MODEL_FORMAT_VERSION,
        "library_version": __version__,
        "sklearn_version": sklearn.__version__,
        "python_version": platform.python_version(),
        "estimator": type(model).__name__,
        "method": None,
        "classes": _model_classes(model),
        "training_data": None,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **(metadata or {}),
    }
    try:
        json.dumps(header, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"metadata must be JSON-serialisable: {exc}") from exc
    tree, tensors = _extract(model)
    try:
        skops_part = sio.dumps(tree, compression=8)  # zipfile.ZIP_DEFLATED
    except Exception as exc:  # skops raises TypeError, NotImplementedError, ... for what it cannot hold
        raise TypeError(f"save_model cannot write this {type(model).__name__}: {type(exc).__name__}: {exc}") from exc
    tensor_part = b""
    if tensors:
        from safetensors.numpy import save

        tensor_part = save(tensors)
    header["parts"] = {"skops": len(skops_part), "safetensors": len(tensor_part)}
    return atomic_write_bytes(path, _frame(_MAGIC, MODEL_FORMAT_VERSION, header, skops_part + tensor_part))


def _check_path(path, what="saved model"):
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, not a {what} file; give the path of the file in it")
    if not path.is_file():
        raise FileNotFoundError(f"no {what} at {path}; train one with `sklearn-emoji train --output {path}`")
    return path


def _kind(path):
    """``"v2"``, ``"v1"`` (header + pickle) or ``"v0"`` (a bare pickle); else a ModelFileError."""
    first = _read_first_line(path, _MAGIC)
    if first.startswith(_MAGIC + b"1\n") or first == _MAGIC + b"1":
        return "v1"
    if first.startswith(_MAGIC):
        return "v2"
    if first[:1] == b"\x80":  # a bare pickle (protocol 2 or later): a version 0.1 model file
        return "v0"
    raise ModelFileError(
        f"{path} is not an sklearn-emoji model file (it does not start with the "
        f"{_MAGIC.decode().strip()!r} header); nothing in it was read"
    )


def _pickle_error(path, kind):
    what = "a headerless pickle (a model file of sklearn-emoji 0.1, or not one of this library's files)"
    if kind == "v1":
        what = "a model file of format 1 (a pickle)"
    return ModelFileError(
        f"{path} is {what}; a pickle can run any code when it is loaded, so it is not unpickled. If you "
        "trust it, load it with load_model(path, trusted=True) (`--trust-pickle` on the command line) and "
        "save it again with save_model to convert it to the safe format."
    )


def _read_v1_header(fh, path):
    fh.readline(len(_MAGIC) + 16)
    line = fh.readline(_MAX_HEADER_BYTES)
    try:
        if not line.endswith(b"\n"):
            raise ValueError("truncated")
        meta = json.loads(line.decode("ascii"))
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        raise ModelFileError(f"{path} has a broken sklearn-emoji model header ({exc})") from exc
    return meta


def _read_v2(path):
    data = path.read_bytes()
    return _unframe(path, data, _MAGIC, MODEL_FORMAT_VERSION, ModelFileError, "model")


def read_model_metadata(path):
    """The header of a model file, checked against its checksum, without building anything.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save_model`.

    Returns
    -------
    dict
        The metadata (see :func:`save_model`).

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        If there is no file at ``path`` (or it is a directory).
    ModelFileError
        If the file is not a model file of this format, or is damaged (the
        message names it). A :class:`ValueError`.
    """
    path = _check_path(path)
    kind = _kind(path)
    if kind == "v0":
        raise _pickle_error(path, kind)
    if kind == "v1":
        with open(path, "rb") as fh:
            return _read_v1_header(fh, path)
    return _read_v2(path)[0]


def _own_object(name):
    """The object of this library that a skops type name means, or ``None`` (importing only our modules)."""
    import importlib

    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        module = ".".join(parts[:i])
        if module != "sklearn_emoji" and not module.startswith(_OWN):
            return None
        try:
            obj = importlib.import_module(module)
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _trusted_own(name):
    """Whether a type name of this library may appear in a model file: a class of ours, or a tokenizer.

    A function in a model file is called at predict time (an analyzer, a
    tokenizer), so only the tokenizers are allowed, not every function of the
    library.
    """
    from . import text

    obj = _own_object(name)
    if isinstance(obj, type):
        return obj.__module__.startswith(_OWN)
    allowed = (text.tokenize, text.cached_tokenize, text.tokenize_chars, text.cached_tokenize_chars, text.clean_text)
    return any(obj is f for f in allowed)


def _trusted_for(skops_part, path):
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(data=skops_part)
    except Exception as exc:  # skops raises many kinds of errors on a broken schema
        raise ModelFileError(f"{path} holds an unreadable skops part ({type(exc).__name__}: {exc})") from exc
    foreign = [t for t in untrusted if t not in TRUSTED_TYPES and not (t.startswith(_OWN) and _trusted_own(t))]
    if foreign:
        raise ModelFileError(
            f"{path} names types that a sklearn-emoji model file may not hold: {foreign}; nothing was built"
        )
    return untrusted


def load_model(path, *, trusted=False, allow_legacy=None):
    """Load a model written by :func:`save_model`; reading it runs no code from the file.

    The checksum is verified first, then the skops part is audited (every
    type it names must be trusted, see :data:`TRUSTED_TYPES`), then the
    model is built and its networks get their weights from the safetensors
    part.

    Parameters
    ----------
    path : str or Path
    trusted : bool, default=False
        Also load a model file in the old pickle formats (format 1, and the
        headerless pickle of version 0.1), with a :class:`PickleModelWarning`.
        Unpickling runs whatever code the file holds: only for a file you
        trust. Save the model again with :func:`save_model` to convert it.
    allow_legacy : bool, default=None
        Deprecated name of ``trusted``.

    Returns
    -------
    estimator
        A model with ``predict_proba``.

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        If there is no file at ``path`` (or it is a directory).
    ModelFileError
        A :class:`ValueError`: the file is not a model file, is damaged
        (checksum), of a newer format, names an untrusted type, is a pickle
        (and ``trusted`` is false), holds no model with ``predict_proba``,
        or its classes disagree with its header. The message names the file.
    """
    if allow_legacy is not None:
        warnings.warn("allow_legacy is deprecated; use trusted=", FutureWarning, stacklevel=2)
        trusted = trusted or bool(allow_legacy)
    path = _check_path(path)
    kind = _kind(path)
    if kind in ("v0", "v1"):
        if not trusted:
            raise _pickle_error(path, kind)
        warnings.warn(
            f"{path} is a pickle (model file format {kind[1]}): unpickling it runs any code it holds. "
            "Save it again with save_model to convert it to the safe format.",
            PickleModelWarning,
            stacklevel=2,
        )
        with open(path, "rb") as fh:
            meta = _read_v1_header(fh, path) if kind == "v1" else None
            try:
                model = pickle.load(fh)
            except Exception as exc:  # unpickling raises many kinds of errors
                raise ModelFileError(
                    f"{path} is not a readable sklearn-emoji model ({type(exc).__name__}: {exc})"
                ) from exc
    else:
        import skops.io as sio

        meta, body = _read_v2(path)
        try:
            parts = meta["parts"]
            n_skops, n_tensors = int(parts["skops"]), int(parts["safetensors"])
            if n_skops + n_tensors != len(body):
                raise ValueError("the parts do not add up to the body")
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"{path} has a broken sklearn-emoji model header ({exc})") from exc
        skops_part, tensor_part = body[:n_skops], body[n_skops:]
        trusted_types = _trusted_for(skops_part, path)
        try:
            tree = sio.loads(skops_part, trusted=trusted_types)
        except Exception as exc:  # noqa: BLE001 - skops raises many kinds of errors
            raise ModelFileError(f"{path} holds an unreadable skops part ({type(exc).__name__}: {exc})") from exc
        tensors = {}
        if tensor_part:
            from safetensors.numpy import load

            try:
                tensors = load(tensor_part)
            except Exception as exc:  # noqa: BLE001
                raise ModelFileError(f"{path} holds unreadable weights ({type(exc).__name__}: {exc})") from exc
        model = _restore(tree, tensors, path)
    if not hasattr(model, "predict_proba"):
        raise ModelFileError(f"{path} holds a {type(model).__name__}, not a model with predict_proba")
    if meta is not None and meta.get("classes") is not None and meta["classes"] != _model_classes(model):
        raise ModelFileError(f"{path}: the model's classes differ from those its header records")
    return model


# ----------------------------------------------------------------------
# encoder files
# ----------------------------------------------------------------------
def write_encoder_file(encoder, path):
    """Write a :class:`~sklearn_emoji.neural.PretrainedEncoder`: a checksummed header, JSON and safetensors."""
    from safetensors.numpy import save

    meta = encoder_fields(encoder)
    try:
        json.dumps(meta, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"the encoder's info must be plain JSON values: {exc}") from exc
    body = save({k: v.detach().cpu().contiguous().numpy() for k, v in sorted(encoder.state_dict.items())})
    return atomic_write_bytes(path, _frame(_ENCODER_MAGIC, ENCODER_FORMAT_VERSION, meta, body))


_ENCODER_FIELDS = {
    "architecture": str,
    "vocabulary": dict,
    "embedding_dim": int,
    "hidden_dim": int,
    "pooling": str,
    "classes": list,
    "info": dict,
}


def encoder_fields(encoder):
    """The JSON fields of an encoder, all but its weights: the one list for encoder files and shipped artifacts."""
    return {name: getattr(encoder, name) for name in _ENCODER_FIELDS}


def checked_encoder_fields(payload, path, error):
    """The constructor arguments of an encoder from a file's JSON fields, each checked for its type."""
    missing = [k for k in ("architecture", "vocabulary", "embedding_dim", "hidden_dim", "pooling") if k not in payload]
    if missing:
        raise error(f"{path!r} lacks {missing}")
    fields = {}
    for name, kind in _ENCODER_FIELDS.items():
        value = payload.get(name, kind())
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            raise error(f"{path!r}: the field {name!r} must be a {kind.__name__}, got {type(value).__name__}")
        fields[name] = value
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in fields["vocabulary"].values()):
        raise error(f"{path!r}: the vocabulary's ids must be integers")
    if not all(isinstance(c, str) for c in fields["classes"]):
        raise error(f"{path!r}: the classes must be strings")
    return fields


def read_encoder_file(path):
    """A :class:`~sklearn_emoji.neural.PretrainedEncoder` from a file (format 2, or format 1 with a warning)."""
    import torch

    from .neural._transfer import EncoderFileError, PretrainedEncoder

    path = os.fspath(path)
    if os.path.isdir(path):
        raise EncoderFileError(f"{path!r} is a directory, not a pre-trained encoder file")
    if not os.path.isfile(path):
        raise EncoderFileError(f"no pre-trained encoder file at {path!r}")
    with open(path, "rb") as fh:
        data = fh.read()
    if data.startswith(_ENCODER_MAGIC):
        from safetensors.numpy import load

        meta, body = _unframe(path, data, _ENCODER_MAGIC, ENCODER_FORMAT_VERSION, EncoderFileError, "encoder")
        fields = checked_encoder_fields(meta, path, EncoderFileError)
        try:
            state = {k: torch.from_numpy(v.copy()) for k, v in load(body).items()}
        except Exception as exc:  # noqa: BLE001 - cannot happen once the checksum matched, but a foreign writer
            raise EncoderFileError(f"{path!r} holds unreadable weights ({exc})") from exc
    else:
        fields, state = _read_torch_encoder(path, data)
    enc = PretrainedEncoder.__new__(PretrainedEncoder)
    enc.architecture = fields["architecture"]
    enc.vocabulary = dict(fields["vocabulary"])
    enc.embedding_dim = fields["embedding_dim"]
    enc.hidden_dim = fields["hidden_dim"]
    enc.pooling = fields["pooling"]
    enc.state_dict = state
    enc.classes = list(fields["classes"])
    enc.info = dict(fields["info"])
    enc._check(source=repr(path))
    return enc


def _read_torch_encoder(path, data):
    """Fields and weights of a format 1 encoder file (``torch.save``, read weights-only: no code)."""
    import io

    import torch

    from .neural._transfer import _FORMAT, EncoderFileError

    try:
        payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - truncated zip, pickle of other objects, ...
        raise EncoderFileError(
            f"{path!r} is not a readable sklearn-emoji encoder file (truncated or foreign): {exc}"
        ) from exc
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise EncoderFileError(f"{path!r} is not a sklearn-emoji encoder file (no {_FORMAT!r} tag)")
    if payload.get("format_version") != 1:
        raise EncoderFileError(
            f"{path!r} has encoder format version {payload.get('format_version')!r}; "
            f"this version of sklearn-emoji reads versions 1 and {ENCODER_FORMAT_VERSION}"
        )
    fields = checked_encoder_fields(payload, path, EncoderFileError)
    state = payload.get("state_dict")
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise EncoderFileError(f"{path!r}: the field 'state_dict' must map names to tensors")
    warnings.warn(
        f"{path!r} is an encoder file of format 1: it carries no checksum, so damage to it can go unnoticed; "
        "save it again (encoder.save(path)) to add one",
        UserWarning,
        stacklevel=4,
    )
    return fields, dict(state)
