"""ONNX export and a torch-free runtime (the ``onnx`` and ``serve-lite`` extras).

:func:`export_onnx` writes a fitted S-, F- or H-LSTM pipeline (trained here,
fine-tuned or a ready model from :func:`~sklearn_emoji.pretrained.load_pretrained`),
or a bag-of-words pipeline (S-BOW, F-BOW), as two files:

* ``NAME.onnx``: the network (or the logistic regression, converted by
  skl2onnx), whose output is the probability of every emoji;
* ``NAME.tokenizer.json``: what turns dialogues into the network's input: the
  turns kept, the tokenizer's name, its vocabulary (and, for a bag of words,
  the TF-IDF weights), the emojis in column order and the SHA-256 of the
  ONNX file, so that a pair that does not belong together is refused.

:func:`load_onnx` reads such a pair back as an estimator-like
:class:`OnnxEmojiModel` (``predict``, ``predict_proba``, ``classes_``,
:meth:`~OnnxEmojiModel.top_k`) that needs NumPy, onnxruntime and this
library's tokenizer (jieba), neither torch nor scikit-learn nor SciPy: the
tokenizer file's steps are replayed here in NumPy (the same ids as the
pipeline's :class:`~sklearn_emoji.preprocessing.SequenceTokenizer`,
:class:`~sklearn_emoji.preprocessing.HierarchicalTokenizer` and
:class:`~sklearn_emoji.preprocessing.DialogueFlattener`, and the same dense
features as its ``TfidfVectorizer``; the tests compare them), so a served
model holds no scikit-learn in memory. It still works with scikit-learn's
:func:`~sklearn.base.clone` and model selection where scikit-learn is
installed (``get_params``, ``set_params``, ``__sklearn_tags__``).
:func:`quantize_onnx` makes an int8 copy (onnxruntime's dynamic quantization:
weights stored as int8, activations quantized on the fly).

How the LSTMs leave torch: their training forward packs variable-length
sequences (``pack_padded_sequence``), which the ONNX exporters do not
translate. The exported graph is the padded-and-masked reading of the same
network: every row runs over the full padded width and the hidden state (or
the attention pooling) is read at the row's true length; the H-LSTM's empty
turns are moved out of the way by a 0/1 matrix product instead of an indexed
scatter. An LSTM never looks ahead, so both readings give the same numbers up
to float rounding (the tests check this against the packed module). The graph
is traced by torch's TorchScript exporter (``torch.onnx.export(...,
dynamo=False)``), which needs neither onnxscript nor a network connection;
batch size, number of turns and turn length are dynamic axes.

Examples
--------
>>> import os, tempfile
>>> from sklearn_emoji.export import export_onnx, load_onnx
>>> from sklearn_emoji.pipelines import make_method
>>> X = [["今天好开心", "哈哈哈"], ["好难过", "呜呜"], ["太好笑了", "哈哈"], ["伤心", "哭了"]] * 4
>>> y = ["[哈哈]", "[泪]", "[哈哈]", "[泪]"] * 4
>>> model = make_method("S-BOW", tfidf__min_df=1).fit(X, y)
>>> path = export_onnx(model, os.path.join(tempfile.mkdtemp(), "sbow.onnx"))
>>> onnx_model = load_onnx(path)
>>> onnx_model.predict([["开心", "哈哈"]]).tolist()
['[哈哈]']
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import sys
import warnings
from pathlib import Path

import numpy as np

from . import __version__
from ._options import TRUNCATINGS, TURN_MODES
from ._utils import atomic_write_bytes
from ._validation import check_dialogues, check_texts
from ._vocabulary import OOV_ID, encode_ids, flatten_dialogues, hierarchy_rows

__all__ = ["export_onnx", "load_onnx", "quantize_onnx", "OnnxEmojiModel", "tokenizer_path"]

FORMAT = "sklearn-emoji-onnx"
FORMAT_VERSION = 1
OPSET = 17
# Keys of the ONNX file's metadata_props that tie it to its tokenizer file.
_META = "sklearn_emoji."
_BATCH = 128

_EXPORT_EXTRA = 'pip install "sklearn-emoji[onnx]"'
_RUNTIME_EXTRA = 'pip install "sklearn-emoji[serve-lite]" (or onnxruntime alone)'


def tokenizer_path(path):
    """The tokenizer file that goes beside the ONNX file ``path``.

    Parameters
    ----------
    path : str or path-like
        ``NAME.onnx``.

    Returns
    -------
    pathlib.Path
        ``NAME.tokenizer.json``.

    Examples
    --------
    >>> from sklearn_emoji.export import tokenizer_path
    >>> tokenizer_path("models/weibo.onnx").name
    'weibo.tokenizer.json'
    """
    path = Path(path)
    stem = path.name[: -len(".onnx")] if path.name.endswith(".onnx") else path.name
    return path.with_name(stem + ".tokenizer.json")


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _vocab_digest(vocabulary):
    return _sha256(json.dumps(vocabulary, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def _import_onnxruntime():
    try:
        import onnxruntime
    except ImportError as exc:
        raise ImportError(f"running an ONNX model needs onnxruntime: {_RUNTIME_EXTRA} ({exc})") from exc
    return onnxruntime


def _import_onnx():
    try:
        import onnx
    except ImportError as exc:
        raise ImportError(f"exporting a model to ONNX needs onnx: {_EXPORT_EXTRA} ({exc})") from exc
    return onnx


# -- What the pipeline is made of ------------------------------------------------


def _tokenizer_name(fn):
    from .text import TOKENIZERS, get_tokenizer

    if fn is None or isinstance(fn, str):
        get_tokenizer(fn)  # refuses an unknown name
        return fn
    for name, known in TOKENIZERS.items():
        if fn is known:
            return name
    raise ValueError(
        f"cannot export a model whose tokenizer is the callable {getattr(fn, '__name__', fn)!r}: only the "
        f"named tokenizers ({sorted(TOKENIZERS)}) can be written as JSON"
    )


def _flattener_state(step):
    params = {k: v for k, v in step.get_params().items() if not (k == "mode" and v == "deprecated")}
    return {"step": "flatten", "params": params}


def _tokenizer_state(step):
    from sklearn.utils.validation import check_is_fitted

    from .preprocessing import HierarchicalTokenizer

    check_is_fitted(step, "vocabulary_")
    hierarchical = isinstance(step, HierarchicalTokenizer)
    params = {"max_len": int(step.max_len), "truncating": step.truncating, "tokenizer": _tokenizer_name(step.tokenizer)}
    if hierarchical:
        params["max_turns"] = int(step.max_turns)
    vocabulary = {str(t): int(i) for t, i in step.vocabulary_.items()}
    return {"step": "hierarchical_tokens" if hierarchical else "tokens", "params": params, "vocabulary": vocabulary}


def _tfidf_state(step):
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(step, "vocabulary_")
    if not callable(step.analyzer):
        raise ValueError(
            "cannot export a TfidfVectorizer with analyzer="
            f"{step.analyzer!r}: only this library's token analyzers (S-BOW, F-BOW) can be exported"
        )
    if step.norm not in ("l2", "l1", None) or step.binary:
        raise ValueError(f"cannot export a TfidfVectorizer with norm={step.norm!r}, binary={step.binary!r}")
    vocabulary = {str(t): int(i) for t, i in step.vocabulary_.items()}
    return {
        "step": "tfidf",
        "params": {
            "tokenizer": _tokenizer_name(step.analyzer),
            "sublinear_tf": bool(step.sublinear_tf),
            "norm": step.norm,
        },
        "vocabulary": vocabulary,
        "idf": [float(v) for v in (step.idf_ if step.use_idf else np.ones(len(vocabulary)))],
    }


def _describe(model):
    """``(kind, preprocess states, final estimator)`` of a pipeline that can be exported, else a clear error."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from .preprocessing import DialogueFlattener, HierarchicalTokenizer, SequenceTokenizer

    name = type(model).__name__
    steps = getattr(model, "steps", None)
    if not steps:
        raise TypeError(
            f"cannot export a {name}: export_onnx takes a fitted pipeline of this library's S-LSTM, F-LSTM, "
            "H-LSTM, S-BOW or F-BOW (make_method or load_pretrained)"
        )
    *pre, (_, final) = steps
    states = []
    for step_name, step in pre:
        if isinstance(step, DialogueFlattener):
            states.append(_flattener_state(step))
        elif isinstance(step, (SequenceTokenizer, HierarchicalTokenizer)):
            states.append(_tokenizer_state(step))
        elif isinstance(step, TfidfVectorizer):
            states.append(_tfidf_state(step))
        else:
            raise ValueError(
                f"cannot export this pipeline: its step {step_name!r} is a {type(step).__name__}; the exportable "
                "steps are DialogueFlattener, SequenceTokenizer, HierarchicalTokenizer and TfidfVectorizer "
                "(methods S-LSTM, F-LSTM, H-LSTM, S-BOW, F-BOW)"
            )
    kinds = [s["step"] for s in states]
    final_name = type(final).__name__
    if type(final) is LogisticRegression and kinds in (["flatten", "tfidf"], ["tfidf"]):
        return "linear", states, final
    if getattr(final, "_module_class", None) is not None:
        if final._ndim == 3 and kinds == ["hierarchical_tokens"]:
            return "hierarchical", states, final
        if final._ndim == 2 and kinds in (["flatten", "tokens"], ["tokens"]):
            return "sequence", states, final
    raise ValueError(
        f"cannot export a pipeline of {' -> '.join(kinds + [final_name])}: export_onnx supports the methods "
        "S-LSTM, F-LSTM and H-LSTM (tokenizer -> LSTM classifier) and S-BOW, F-BOW (TfidfVectorizer -> "
        "LogisticRegression)"
    )


# -- The LSTMs as a padded, masked graph --------------------------------------------


def _padded_graph(module):
    """A torch module computing ``module``'s probabilities with fixed-shape ops only (see the module doc)."""
    import torch
    from torch import nn

    def pool(lstm, attention, emb, lengths):
        out, _ = lstm(emb)  # (N, L, H); never looks ahead, so padding after a row does not change it
        if attention is None:
            idx = (lengths - 1).view(-1, 1, 1).expand(-1, 1, out.size(-1))
            return out.gather(1, idx).squeeze(1)
        positions = torch.arange(out.size(1), device=out.device).unsqueeze(0)
        logits = attention.score(out).squeeze(-1).masked_fill(positions >= lengths.unsqueeze(1), float("-inf"))
        weights = torch.softmax(logits, dim=1)
        return torch.bmm(weights.unsqueeze(1), out).squeeze(1)

    class Sequence(nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, ids):
            lengths = (ids != 0).sum(1).clamp(min=1)
            vec = pool(self.m.lstm, self.m.attention, self.m.embedding(ids), lengths)
            return torch.softmax(self.m.output(vec), dim=1)

    class Hierarchical(nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, ids):
            B, T, L = ids.shape
            flat = ids.reshape(-1, L)
            tok_len = (flat != 0).sum(1)
            slots = torch.arange(T, device=ids.device)
            mask = (tok_len > 0).view(B, T)
            # a dialogue without any token is read as one padding token in its first turn
            empty = mask.sum(1) == 0
            mask = mask | (empty.unsqueeze(1) & (slots == 0).unsqueeze(0))
            n_turns = mask.sum(1)
            m = self.m
            turn_vec = pool(m.word_lstm, m.word_attention, m.embedding(flat), tok_len.clamp(min=1))
            turn_vec = turn_vec.view(B, T, -1)
            # left-align the non-empty turns: move[b, p, t] = 1 when turn t is the p-th non-empty one
            pos = mask.long().cumsum(1) - 1
            move = (pos.unsqueeze(1) == slots.view(1, -1, 1)) & mask.unsqueeze(1)
            turns = torch.bmm(move.to(turn_vec.dtype), turn_vec)
            vec = pool(m.turn_lstm, m.turn_attention, turns, n_turns)
            return torch.softmax(m.output(vec), dim=1)

    graph = Hierarchical(module) if module.__class__.__name__ == "HierarchicalLSTM" else Sequence(module)
    return graph.eval()


def _lstm_onnx_bytes(final, ndim):
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - the LSTMs are fitted with torch
        raise ImportError(f"exporting an LSTM needs torch: {_EXPORT_EXTRA} ({exc})") from exc
    _import_onnx()  # the TorchScript exporter needs onnx to write the file
    module = final.net_.module_
    was_training = module.training
    device = next(module.parameters()).device
    module.cpu().eval()
    try:
        graph = _padded_graph(module)
        example = torch.ones((2, 3, 4) if ndim == 3 else (2, 5), dtype=torch.long)
        axes = {0: "batch", 1: "turns", 2: "tokens"} if ndim == 3 else {0: "batch", 1: "tokens"}
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            # The batch size is dynamic on purpose; the tests run other batch sizes than the example's.
            warnings.filterwarnings("ignore", message=".*batch_size other than 1.*", category=UserWarning)
            # nn.LSTM's own shape checks, constant for a traced graph whose input size is fixed
            warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
            warnings.filterwarnings("ignore", message="The feature will be removed", category=DeprecationWarning)
            warnings.filterwarnings("ignore", message=".*legacy TorchScript", category=DeprecationWarning)
            torch.onnx.export(
                graph,
                (example,),
                buffer,
                input_names=["ids"],
                output_names=["proba"],
                dynamic_axes={"ids": axes, "proba": {0: "batch"}},
                opset_version=OPSET,
                dynamo=False,
            )
    finally:
        module.to(device)
        module.train(was_training)
    return buffer.getvalue()


def _linear_onnx_bytes(final, n_features):
    try:
        from skl2onnx import convert_sklearn
        from skl2onnx.common.data_types import FloatTensorType
    except ImportError as exc:
        raise ImportError(f"exporting a linear model needs skl2onnx: {_EXPORT_EXTRA} ({exc})") from exc
    onx = convert_sklearn(
        final,
        initial_types=[("features", FloatTensorType([None, n_features]))],
        options={id(final): {"zipmap": False}},
        target_opset={"": OPSET, "ai.onnx.ml": 3},
    )
    return onx.SerializeToString()


def _with_metadata(data, meta):
    onnx = _import_onnx()
    proto = onnx.load_from_string(data)
    kept = [p for p in proto.metadata_props if not p.key.startswith(_META)]
    del proto.metadata_props[:]
    proto.metadata_props.extend(kept)
    for key, value in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = _META + key, str(value)
    proto.producer_name = "sklearn-emoji"
    proto.producer_version = __version__
    return proto.SerializeToString()


def _write_pair(path, data, state):
    """Write the ONNX file and its tokenizer file (each whole or not at all)."""
    state = dict(state, onnx_sha256=_sha256(data))
    text = json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    atomic_write_bytes(path, data)
    atomic_write_bytes(tokenizer_path(path), text)


def export_onnx(model, path, *, quantize=False):
    """Write a fitted pipeline as ``NAME.onnx`` and ``NAME.tokenizer.json``.

    Parameters
    ----------
    model : Pipeline
        A fitted S-LSTM, F-LSTM or H-LSTM pipeline (``make_method``, fine-tuned
        with ``pretrained=``, or a ready model from ``load_pretrained``), or a
        fitted S-BOW / F-BOW pipeline (the logistic regression goes through
        skl2onnx; the TF-IDF weights go into the tokenizer file).
    path : str or path-like
        Where the ONNX file goes, conventionally ``NAME.onnx``; the tokenizer
        file goes beside it (:func:`tokenizer_path`).
    quantize : bool, default=False
        Store the weights as int8 (:func:`quantize_onnx`): a file about a
        quarter of the size; the ranking rarely changes (see
        ``benchmarks/bench_onnx.py``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError, ValueError
        ``model`` is not a pipeline that can be exported; the message names
        the step that cannot be.
    sklearn.exceptions.NotFittedError
        ``model`` is not fitted.
    ImportError
        The ``onnx`` extra is missing.
    """
    from sklearn.utils.validation import check_is_fitted

    _import_onnx()
    kind, states, final = _describe(model)
    if quantize and kind == "linear":
        raise ValueError(
            "quantize=True is for the LSTM models: the logistic regression of a bag of words goes out "
            "as one LinearClassifier operator, which onnxruntime's int8 quantizer does not handle"
        )
    check_is_fitted(final)
    classes = [str(c) for c in final.classes_]
    if kind == "linear":
        n_features = len(states[-1]["vocabulary"])
        data = _linear_onnx_bytes(final, n_features)
        input_name, ndim, vocab_size = "features", 2, n_features
    else:
        ndim = 3 if kind == "hierarchical" else 2
        data = _lstm_onnx_bytes(final, ndim)
        input_name, vocab_size = "ids", int(final.vocab_size_)
    vocab_states = [s for s in states if "vocabulary" in s]
    meta = {
        "format": FORMAT,
        "kind": kind,
        "classes": json.dumps(classes, ensure_ascii=False),
        "vocab_size": vocab_size,
        "vocabulary_sha256": _vocab_digest(vocab_states[-1]["vocabulary"]),
    }
    data = _with_metadata(data, meta)
    state = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "method": type(final).__name__,
        "classes": classes,
        "input": {"name": input_name, "ndim": ndim},
        "vocab_size": vocab_size,
        "preprocess": states,
        "library_version": __version__,
        "quantized": False,
    }
    path = Path(path)
    _write_pair(path, data, state)
    if quantize:
        quantize_onnx(path, path)
    return path


def quantize_onnx(path, out_path):
    """An int8 copy of an exported model (onnxruntime's ``quantize_dynamic``), with its tokenizer file.

    Parameters
    ----------
    path : str or path-like
        An ONNX file written by :func:`export_onnx`.
    out_path : str or path-like
        Where the int8 model goes (may be ``path`` itself); its tokenizer
        file goes beside it.

    Returns
    -------
    pathlib.Path
        ``out_path``.
    """
    import tempfile

    _import_onnx()
    ort = _import_onnxruntime()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    state = _read_state(path)
    _open_session(ort, path, state)  # refuses a pair that does not match before any work
    if state["kind"] == "linear":
        raise ValueError(
            f"{path} is a bag-of-words model: skl2onnx writes its logistic regression as one LinearClassifier "
            "operator, which onnxruntime's int8 quantizer does not handle; only the LSTM models are quantized"
        )
    out_path = Path(out_path)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "int8.onnx"
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # the quantizer logs advice on shape inference to the root logger
        try:
            quantize_dynamic(os.fspath(path), os.fspath(target), weight_type=QuantType.QInt8)
        finally:
            root.setLevel(level)
        data = target.read_bytes()
    state = dict(state, quantized=True)
    _write_pair(out_path, data, state)
    return out_path


# -- Loading and running, without torch -------------------------------------------


def _read_state(path):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no ONNX model file at {path}")
    side = tokenizer_path(path)
    if not side.is_file():
        raise FileNotFoundError(f"{path} has no tokenizer file beside it (expected {side}, written by export_onnx)")
    try:
        state = json.loads(side.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{side} is not a tokenizer file of export_onnx: not valid JSON ({exc})") from exc
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"{side} is not a tokenizer file of export_onnx (its format is not {FORMAT!r})")
    if state.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{side} has format version {state.get('format_version')!r}; this library reads {FORMAT_VERSION}"
        )
    return state


def _open_session(ort, path, state, providers=None, threads=None):
    path = Path(path)
    options = ort.SessionOptions()
    if threads is not None:
        options.intra_op_num_threads = int(threads)
        options.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(
            os.fspath(path), sess_options=options, providers=providers or ["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own classes for a damaged file
        raise ValueError(
            f"{path} is not a readable ONNX model (truncated, damaged or not ONNX): {type(exc).__name__}: {exc}"
        ) from exc
    meta = session.get_modelmeta().custom_metadata_map
    if meta.get(_META + "format") != FORMAT:
        raise ValueError(f"{path} is an ONNX model, but not one written by sklearn-emoji's export_onnx")
    side = tokenizer_path(path)
    problems = []
    inputs = session.get_inputs()
    want = state.get("input") or {}
    if len(inputs) != 1 or inputs[0].name != want.get("name") or len(inputs[0].shape) != want.get("ndim"):
        got = [(i.name, len(i.shape)) for i in inputs]
        problems.append(f"its inputs {got} are not the tokenizer file's ({want.get('name')!r}, {want.get('ndim')})")
    if meta.get(_META + "kind") != state.get("kind"):
        problems.append(f"it is a {meta.get(_META + 'kind')!r} model, the tokenizer file is for {state.get('kind')!r}")
    if meta.get(_META + "vocab_size") != str(state.get("vocab_size")):
        problems.append(
            f"its vocabulary has {meta.get(_META + 'vocab_size')} ids, the tokenizer file's {state.get('vocab_size')}"
        )
    vocab_states = [s for s in state.get("preprocess", []) if "vocabulary" in s]
    if not vocab_states or meta.get(_META + "vocabulary_sha256") != _vocab_digest(vocab_states[-1]["vocabulary"]):
        problems.append("its vocabulary is not the tokenizer file's")
    if meta.get(_META + "classes") != json.dumps(state.get("classes"), ensure_ascii=False):
        problems.append("its emojis are not the tokenizer file's")
    if not problems and _sha256(path.read_bytes()) != state.get("onnx_sha256"):
        problems.append("its SHA-256 is not the one the tokenizer file records (was one of the two replaced?)")
    if problems:
        raise ValueError(f"{path} does not match its tokenizer file {side}: " + "; ".join(problems))
    return session


def _build_steps(state):
    """The preprocessing steps of a tokenizer file, read from its JSON (no training data, no scikit-learn)."""
    steps = []
    for s in state["preprocess"]:
        kind = s["step"]
        if kind == "flatten":
            steps.append(_Flatten(s))
        elif kind in ("tokens", "hierarchical_tokens"):
            steps.append(_Tokens(s))
        elif kind == "tfidf":
            steps.append(_Tfidf(s))
        else:
            raise ValueError(f"unknown preprocessing step {kind!r} in the tokenizer file")
    return steps


# The steps below replay, in NumPy and without scikit-learn, the fitted transformers whose state the tokenizer
# file holds; loading them needs no estimator class, so serving imports neither scikit-learn nor SciPy.
# They call the same rules as sklearn_emoji.preprocessing (flatten_dialogues, hierarchy_rows, encode_ids of
# _vocabulary, which imports no scikit-learn), and test_export.py checks that they give the pipeline's ids and
# features on real and odd dialogues.


class _Flatten:
    """DialogueFlattener.transform: each dialogue as one string (its reply, or its turns joined)."""

    def __init__(self, state):
        params = state.get("params", {})
        mode = params.get("mode", "deprecated")
        self.turns = params.get("turns", "all") if mode == "deprecated" else mode
        self.sep = params.get("sep", " | ")
        self.max_turns = params.get("max_turns")
        if self.turns not in TURN_MODES:
            raise ValueError(f"unknown turns={self.turns!r} in the tokenizer file's flatten step")

    def transform(self, X):
        return flatten_dialogues(check_dialogues(X), self.turns, self.sep, self.max_turns)


class _Tokens:
    """SequenceTokenizer / HierarchicalTokenizer.transform with the tokenizer file's fixed vocabulary."""

    def __init__(self, state):
        params = state["params"]
        self.hierarchical = state["step"] == "hierarchical_tokens"
        self.vocabulary = dict(state["vocabulary"])
        self.max_len = int(params["max_len"])
        self.max_turns = int(params["max_turns"]) if self.hierarchical else None
        self.truncating = params.get("truncating", "pre")
        self.tokenizer = params.get("tokenizer")
        if self.truncating not in TRUNCATINGS:
            raise ValueError(f"unknown truncating={self.truncating!r} in the tokenizer file")
        from .text import get_tokenizer

        get_tokenizer(self.tokenizer)  # refuses an unknown name now rather than on the first request

    def transform(self, X):
        from .text import tokenize_many

        if not self.hierarchical:
            texts = check_texts(X, allow_empty=True)
            out = np.zeros((len(texts), self.max_len), dtype=np.int64)
            self._encode(tokenize_many(texts, self.tokenizer), out, np.arange(len(texts)))
            return out
        dialogues, turns, rows = hierarchy_rows(check_dialogues(X), self.max_turns)
        out = np.zeros((len(dialogues), self.max_turns, self.max_len), dtype=np.int64)
        self._encode(tokenize_many(turns, self.tokenizer), out.reshape(-1, self.max_len), rows)
        return out

    def _encode(self, token_lists, out, rows):
        encode_ids(token_lists, self.vocabulary, out, rows, self.max_len, self.truncating)


class _Tfidf:
    """A fitted TfidfVectorizer's transform with a token analyzer, in NumPy (float32, dense rows)."""

    def __init__(self, state):
        from .text import get_tokenizer

        self.analyzer = get_tokenizer(state["params"]["tokenizer"])
        self.vocabulary = state["vocabulary"]
        self.idf = np.asarray(state["idf"], dtype=np.float64)
        self.sublinear_tf = state["params"]["sublinear_tf"]
        self.norm = state["params"]["norm"]

    def transform(self, texts):
        get = self.vocabulary.get
        out = np.zeros((len(texts), len(self.vocabulary)), dtype=np.float64)
        for i, text in enumerate(texts):
            for tok in self.analyzer(text):
                j = get(tok)
                if j is not None:
                    out[i, j] += 1.0
        if self.sublinear_tf:
            seen = out > 0
            out[seen] = 1.0 + np.log(out[seen])
        out *= self.idf
        if self.norm is not None:
            ord_ = 2 if self.norm == "l2" else 1
            scale = np.linalg.norm(out, ord=ord_, axis=1, keepdims=True)
            np.divide(out, scale, out=out, where=scale > 0)
        return out.astype(np.float32)


def _used_width(nonzero, axis):
    """1 + the last index along ``axis`` (the last one of ``nonzero``'s dimensions) holding a non-zero, at least 1."""
    width = nonzero.shape[axis]
    last = width - np.argmax(np.flip(nonzero, axis=axis), axis=axis)
    return np.where(nonzero.any(axis=axis), last, 1)


def _batches(inputs, trim):
    """``(rows, batch)`` chunks of at most ``_BATCH`` rows.

    With ``trim`` (token ids), rows of similar length go together (sorted by
    their used number of turns and tokens) and each chunk is cut to its
    longest row: the graph reads every row over the full width it is given,
    and the padding after a row's last token changes nothing (an LSTM never
    looks ahead), so this only saves work.
    """
    if not trim:
        for start in range(0, len(inputs), _BATCH):
            yield slice(start, start + _BATCH), inputs[start : start + _BATCH]
        return
    nonzero = inputs != 0
    if inputs.ndim == 3:
        tokens = _used_width(nonzero.any(axis=1), 1)
        turns = _used_width(nonzero.any(axis=2), 1)
        order = np.lexsort((tokens, turns))
    else:
        tokens = _used_width(nonzero, 1)
        turns = None
        order = np.argsort(tokens, kind="stable")
    for start in range(0, len(inputs), _BATCH):
        rows = order[start : start + _BATCH]
        width = int(tokens[rows].max())
        if turns is None:
            yield rows, np.ascontiguousarray(inputs[rows, :width])
        else:
            yield rows, np.ascontiguousarray(inputs[rows, : int(turns[rows].max()), :width])


class _NotFittedError(ValueError, AttributeError):
    """Raised by an unloaded :class:`OnnxEmojiModel` where scikit-learn is not imported (else its NotFittedError)."""


def _not_fitted(model):
    msg = (
        f"This {type(model).__name__} instance is not fitted yet. Call 'fit' (it loads the files; load_onnx "
        "does it for you) before using this estimator."
    )
    if "sklearn" in sys.modules:  # scikit-learn is loaded already: its own error, which its callers catch
        from sklearn.exceptions import NotFittedError

        return NotFittedError(msg)
    return _NotFittedError(msg)


class OnnxEmojiModel:
    """A model exported by :func:`export_onnx`, run by onnxruntime (made by :func:`load_onnx`).

    Reads like the fitted pipeline it came from: ``predict_proba`` (columns
    in ``classes_`` order), ``predict``, ``score`` (accuracy), :meth:`top_k`,
    and it works with :func:`~sklearn_emoji.metrics.top_k_emojis` and
    :func:`~sklearn_emoji.serving.create_app`. Its ``fit`` trains nothing:
    it loads the files (so that :func:`~sklearn.base.clone` works).

    It is a plain class, not a subclass of scikit-learn's ``BaseEstimator``,
    so that loading and serving it import neither scikit-learn nor SciPy
    (about 100 MiB of a server's memory); it has the estimator API that
    scikit-learn asks for (``get_params``, ``set_params``,
    ``__sklearn_tags__``, ``__sklearn_is_fitted__``), so ``clone``,
    ``cross_val_score`` and ``check_is_fitted`` take it where scikit-learn is
    installed. Before ``fit`` its methods raise scikit-learn's
    ``NotFittedError`` when scikit-learn is imported, otherwise an error of
    this module that is, like it, a ``ValueError`` and an ``AttributeError``.

    Parameters
    ----------
    path : str or path-like
        The ONNX file written by :func:`export_onnx`; its tokenizer file
        must be beside it.
    threads : int or None, default=None
        onnxruntime's intra-op threads (``None``: its default, one per core).
    providers : list of str or None, default=None
        onnxruntime's execution providers (``None``: the CPU).

    Attributes
    ----------
    classes_ : ndarray of str
        The emojis, in the column order of ``predict_proba``.
    vocab_size_ : int
        Number of input ids (padding and OOV included) or TF-IDF features.
    metadata_ : dict
        The tokenizer file's header: kind, method, library version,
        whether the weights are int8, the ONNX file's SHA-256.
    """

    def __init__(self, path, *, threads=None, providers=None):
        self.path = path
        self.threads = threads
        self.providers = providers

    def get_params(self, deep=True):
        """The parameters given to ``__init__`` (scikit-learn's estimator API).

        Parameters
        ----------
        deep : bool, default=True
            Ignored: no parameter is an estimator.

        Returns
        -------
        dict
        """
        return {"path": self.path, "threads": self.threads, "providers": self.providers}

    def set_params(self, **params):
        """Set parameters given to ``__init__`` (call ``fit`` again to load the files they name).

        Parameters
        ----------
        **params
            Any of ``path``, ``threads``, ``providers``.

        Returns
        -------
        self : OnnxEmojiModel
        """
        valid = self.get_params()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {sorted(valid)!r}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self):
        args = [f"path={self.path!r}"]
        args += [f"{k}={v!r}" for k, v in self.get_params().items() if k != "path" and v is not None]
        return f"{type(self).__name__}({', '.join(args)})"

    def __getstate__(self):
        # An onnxruntime session cannot be pickled: a pickled model is its parameters, loaded again when it was.
        return {"params": self.get_params(), "loaded": self.__sklearn_is_fitted__()}

    def __setstate__(self, state):
        self.__init__(state["params"].pop("path"), **state["params"])
        if state["loaded"]:
            self.fit()  # the files must still be there (and match): the usual errors of load_onnx say so

    def __sklearn_is_fitted__(self):
        return hasattr(self, "_session")

    def __sklearn_tags__(self):
        # Asked only by scikit-learn, which is then imported: these imports cost nothing more.
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags(),
            input_tags=InputTags(two_d_array=False, string=True),
        )

    def _check_fitted(self):
        if not self.__sklearn_is_fitted__():
            raise _not_fitted(self)

    def fit(self, X=None, y=None):
        """Load the files (``X`` and ``y`` are ignored: an exported model is not trained again).

        Parameters
        ----------
        X, y : ignored

        Returns
        -------
        self : OnnxEmojiModel
        """
        ort = _import_onnxruntime()
        state = _read_state(self.path)
        session = _open_session(ort, self.path, state, providers=self.providers, threads=self.threads)
        self._steps = _build_steps(state)
        self._input = state["input"]["name"]
        self._kind = state["kind"]
        self.vocab_size_ = int(state["vocab_size"])
        self.classes_ = np.asarray(state["classes"], dtype=object)
        self.metadata_ = {k: v for k, v in state.items() if k not in ("preprocess", "classes")}
        self._session = session
        return self

    def transform_inputs(self, X):
        """The network's input for dialogues ``X`` (token ids, or TF-IDF features for a bag of words).

        Parameters
        ----------
        X : list of dialogues (or str for one-turn dialogues)

        Returns
        -------
        ndarray
            int64 ids (``(n, max_len)`` or ``(n, max_turns, max_len)``), or
            float32 TF-IDF rows ``(n, vocab_size_)`` for a bag of words.
        """
        self._check_fitted()
        for step in self._steps:
            X = step.transform(X)
        if self._kind == "linear":
            return X
        ids = np.array(X, dtype=np.int64)  # as the torch classifiers read them (as_ids)
        ids[ids >= self.vocab_size_] = OOV_ID
        empty = ~ids.reshape(len(ids), -1).any(1)
        if empty.any():
            ids[(empty,) + (0,) * (ids.ndim - 1)] = OOV_ID
        return ids

    def predict_proba(self, X):
        """Probability of every emoji for each dialogue, columns in ``classes_`` order.

        Parameters
        ----------
        X : list of dialogues (or str for one-turn dialogues)

        Returns
        -------
        ndarray of shape (n_samples, n_classes), float64
        """
        inputs = self.transform_inputs(X)
        proba = np.zeros((len(inputs), len(self.classes_)), dtype=np.float64)
        for rows, batch in _batches(inputs, self._kind != "linear"):
            proba[rows] = self._session.run(None, {self._input: batch})[-1]
        proba /= proba.sum(1, keepdims=True)
        return proba

    def predict(self, X):
        """The most probable emoji of each dialogue.

        Parameters
        ----------
        X : list of dialogues

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def top_k(self, X, k=3):
        """The ``k`` best emojis of each dialogue with their scores, best first.

        Parameters
        ----------
        X : list of dialogues
        k : int, default=3

        Returns
        -------
        list of list of (str, float)
            As :func:`~sklearn_emoji.metrics.top_k_emojis` gives them (the
            same ranking, computed here so that serving needs no scikit-learn).
        """
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        proba = self.predict_proba(X)
        k = min(int(k), proba.shape[1])
        order = np.argsort(-proba, axis=1, kind="stable")[:, :k]
        return [[(str(self.classes_[j]), float(row[j])) for j in idx] for row, idx in zip(proba, order)]

    def score(self, X, y, sample_weight=None):
        """Accuracy of ``predict`` on ``X`` against the emojis ``y`` (as a scikit-learn classifier's ``score``).

        Parameters
        ----------
        X : list of dialogues
        y : array-like of shape (n_samples,)
            The true emojis.
        sample_weight : array-like of shape (n_samples,) or None, default=None

        Returns
        -------
        float
        """
        y = np.asarray(list(y) if not isinstance(y, np.ndarray) else y, dtype=object)
        pred = self.predict(X)
        if y.ndim != 1 or len(y) != len(pred):
            raise ValueError(f"y must be 1-D with one emoji per dialogue: {len(pred)} dialogues, y of shape {y.shape}")
        hits = (pred.astype(str) == y.astype(str)).astype(np.float64)
        if sample_weight is None:
            return float(hits.mean())
        weights = np.asarray(sample_weight, dtype=np.float64)
        if weights.shape != hits.shape:
            raise ValueError(f"sample_weight has shape {weights.shape}; expected ({len(hits)},)")
        return float(np.average(hits, weights=weights))


def load_onnx(path, *, threads=None, providers=None):
    """Load a model written by :func:`export_onnx` (torch is not needed).

    Parameters
    ----------
    path : str or path-like
        The ONNX file; its tokenizer file must be beside it.
    threads : int or None, default=None
        onnxruntime's intra-op threads (``None``: its default, one per core).
    providers : list of str or None, default=None
        onnxruntime's execution providers (``None``: the CPU).

    Returns
    -------
    OnnxEmojiModel

    Raises
    ------
    FileNotFoundError
        The ONNX file or its tokenizer file is missing.
    ValueError
        The ONNX file is truncated, damaged, not ONNX, not written by
        :func:`export_onnx`, or its inputs, vocabulary or emojis do not match
        its tokenizer file.
    ImportError
        onnxruntime is not installed (the message names the extra).
    """
    return OnnxEmojiModel(path, threads=threads, providers=providers).fit()
