"""Ready models: pre-trained artifacts shipped in the package, and recommendations with no training.

The package ships, as package data (as jieba ships its dictionary), the
networks built by ``sklearn-emoji build-models`` from the data in the data
home. Each is a safetensors file of weights, a JSON file of vocabulary and
settings, and a manifest with checksums and held-out numbers (no pickle, so
loading runs no code; see :mod:`sklearn_emoji.pretrained._files`).

Names (:func:`available_pretrained`):

``"weibo-64"``
    The H-LSTM pre-trained on the Weibo dialogues of 64 emojis (jieba words,
    attention, 128 dimensions, its embedding started from word2vec vectors
    of the unlabelled replies), with its pre-training softmax layer: ranks
    64 emojis with no fine-tuning.
``"weibo-10"``
    The same encoder fine-tuned on the paper's 10-emoji task (the training
    threads of the canonical split).
``"tweeteval-20"``
    EN-LINEAR (word and character TF-IDF, logistic regression, prior shift)
    on TweetEval's 20 emojis, for English text, stored as arrays.
``"weibo-128"``
    The encoder of ``"weibo-64"``, for ``pretrained=`` (fine-tuning on one's
    own data: ``make_method("H-LSTM", pretrained="weibo-128")``).

None of them saw a test thread of the canonical split that the README's
numbers use (``split_by_root_post(load_weibo_dialogues(), test_size=0.2,
random_state=0)``); each records the root posts it saw, so
:func:`~sklearn_emoji.neural.check_no_overlap` proves it.
"""

from __future__ import annotations

import os

import numpy as np

from ._files import PretrainedFileError, read_artifact, read_manifest

__all__ = [
    "PretrainedFileError",
    "available_pretrained",
    "load_pretrained",
    "load_pretrained_encoder",
    "pretrained_manifest",
    "recommend",
    "resolve_encoder",
    "runtime",
]

#: The folder of the shipped artifacts.
DATA_DIR = os.path.join(os.path.dirname(__file__), "data")

#: Model name -> (artifact, what it is).
MODELS = {
    "weibo-64": ("weibo-128", "H-LSTM pre-trained on 64 Weibo emojis (jieba words, attention, 128 dims), its own head"),
    "weibo-10": ("weibo-10", "the weibo-128 encoder fine-tuned on the paper's 10 Weibo emojis"),
    "tweeteval-20": ("tweeteval-20", "EN-LINEAR on TweetEval's 20 emojis (English tweets), stored as arrays"),
}
#: Encoder names accepted wherever an encoder is (``pretrained=``).
ENCODERS = {"weibo-128": "weibo-128", "weibo-10": "weibo-10"}
#: Known but not shipped: how to build them.
NOT_SHIPPED = {
    "weibo-384": (
        "the 384-dimension encoder is not shipped (it is built on a GPU): run "
        "`sklearn-emoji build-models --dim 384 --device cuda --output DIR`, then pass DIR/weibo-384"
    ),
}
#: The model of ``recommend()`` and of the command line without ``--model``.
DEFAULT_MODEL = "weibo-64"

_CACHE: dict = {}


def available_pretrained():
    """Names of the ready models and encoders shipped in this installation.

    Returns
    -------
    dict of str to str
        Name -> description.

    Examples
    --------
    >>> from sklearn_emoji.pretrained import available_pretrained
    >>> sorted(available_pretrained())
    ['tweeteval-20', 'weibo-10', 'weibo-128', 'weibo-64']
    """
    out = {name: desc for name, (_, desc) in MODELS.items()}
    out["weibo-128"] = "the encoder of weibo-64 (jieba words, attention, 128 dims), for pretrained="
    return {k: out[k] for k in sorted(out)}


def is_ready_model(spec):
    """Whether ``spec`` names a ready model (a shipped or known name, or a build-models prefix), not a model file.

    The one rule by which the command line's ``recommend --model`` and
    ``serve --model`` tell a ready model from a saved model file.
    """
    spec = os.fspath(spec)
    return spec in MODELS or spec in NOT_SHIPPED or os.path.isfile(spec + ".manifest.json")


def _locate(name, table):
    """``(folder, artifact)`` of a shipped name, or of a path ``DIR/ARTIFACT`` built by build-models."""
    if not isinstance(name, (str, os.PathLike)):
        raise TypeError(f"a pre-trained model name must be a str, got {type(name).__name__}")
    name = os.fspath(name)
    if name in table:
        return DATA_DIR, table[name]
    if name in NOT_SHIPPED:
        raise ValueError(NOT_SHIPPED[name])
    if os.path.isfile(name + ".manifest.json"):
        return os.path.dirname(name) or ".", os.path.basename(name)
    known = sorted(set(MODELS) | set(ENCODERS))
    raise ValueError(f"unknown pre-trained model {name!r}; the shipped ones are {known}")


def pretrained_manifest(name):
    """The manifest of a shipped model or encoder (recipe, data, checksums, held-out numbers).

    Parameters
    ----------
    name : str

    Returns
    -------
    dict

    Examples
    --------
    >>> from sklearn_emoji.pretrained import pretrained_manifest
    >>> pretrained_manifest("weibo-128")["recipe"]["tokenizer"]
    'words'
    >>> pretrained_manifest("weibo-128")["recipe"]["word_vectors"]["max_vocab"]
    20000
    """
    folder, artifact = _locate(name, {**MODELS_ARTIFACT, **ENCODERS})
    return read_manifest(folder, artifact)


MODELS_ARTIFACT = {k: v[0] for k, v in MODELS.items()}


def encoder_to_artifact(encoder, *, dtype="float32"):
    """``(tensors, data)`` of a :class:`~sklearn_emoji.neural.PretrainedEncoder`.

    ``dtype``: one for every tensor, or a dict of tensor name to dtype.
    """
    from ..persistence import encoder_fields

    dtypes = dtype if isinstance(dtype, dict) else dict.fromkeys(encoder.state_dict, dtype)
    tensors = {k: v.detach().cpu().numpy().astype(dtypes[k]) for k, v in encoder.state_dict.items()}
    return tensors, encoder_fields(encoder)


def encoder_from_artifact(tensors, data, source):
    """The :class:`~sklearn_emoji.neural.PretrainedEncoder` of an artifact, checked whole."""
    import torch

    from ..neural import EncoderFileError, PretrainedEncoder
    from ..persistence import checked_encoder_fields

    # the fields and their types are those of an encoder file (one rule for both)
    fields = checked_encoder_fields(data, source, PretrainedFileError)
    try:
        return PretrainedEncoder(
            **fields, state_dict={k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in tensors.items()}
        )
    except (KeyError, TypeError, EncoderFileError) as exc:
        raise PretrainedFileError(f"{source} does not hold a valid encoder: {exc!r}") from exc


def load_pretrained_encoder(name):
    """A shipped encoder (or one built by ``build-models``: ``"DIR/NAME"``) by name.

    The files are checked against their manifest's SHA-256 before they are
    read; a damaged file raises :class:`PretrainedFileError` naming it.

    Parameters
    ----------
    name : str
        ``"weibo-128"`` (the 64-emoji pre-trained encoder), ``"weibo-10"``
        (fine-tuned on the paper's 10 emojis) or the path prefix of an
        artifact written by ``sklearn-emoji build-models``.

    Returns
    -------
    PretrainedEncoder

    Examples
    --------
    >>> from sklearn_emoji.pretrained import load_pretrained_encoder
    >>> enc = load_pretrained_encoder("weibo-128")
    >>> enc.architecture, enc.pooling, enc.info["tokenizer"], len(enc.classes)
    ('hierarchical', 'attention', 'words', 64)
    """
    folder, artifact = _locate(name, {**ENCODERS, **MODELS_ARTIFACT})
    key = ("encoder", os.path.abspath(folder), artifact, _stamp(folder, artifact))
    if key not in _CACHE:
        tensors, data, _ = read_artifact(folder, artifact)
        _CACHE[key] = encoder_from_artifact(tensors, data, repr(os.path.join(folder, artifact)))
    return _CACHE[key]


def _stamp(folder, artifact):
    """Identity of the files on disk (a changed or replaced file is read and checked again)."""
    stamp = []
    for ext in (".safetensors", ".json", ".manifest.json"):
        try:
            st = os.stat(os.path.join(folder, artifact + ext))
            stamp.append((st.st_size, st.st_mtime_ns, st.st_ino))
        except OSError:
            stamp.append(None)
    return tuple(stamp)


def resolve_encoder(pretrained):
    """An encoder object from an encoder, a shipped name, a build-models prefix or an encoder file path."""
    from ..neural import PretrainedEncoder, load_encoder

    if pretrained is None or isinstance(pretrained, PretrainedEncoder):
        return pretrained
    if isinstance(pretrained, (str, os.PathLike)):
        path = os.fspath(pretrained)
        if os.path.isfile(path) and not os.path.isfile(path + ".manifest.json"):
            return load_encoder(path)
        return load_pretrained_encoder(path)
    raise TypeError(
        "pretrained must be a PretrainedEncoder, a shipped encoder name "
        f"{sorted(ENCODERS)} or an encoder file path, got {type(pretrained).__name__}"
    )


def load_pretrained(name=DEFAULT_MODEL, *, device="cpu"):
    """A ready, fitted model by name: recommendations with no training.

    The result is a scikit-learn :class:`~sklearn.pipeline.Pipeline`
    (``HierarchicalTokenizer -> HLSTMClassifier``; for ``"tweeteval-20"``
    the EN-LINEAR pipeline) whose last step holds the shipped weights: ``predict``, ``predict_proba``, ``classes_``,
    :func:`~sklearn_emoji.metrics.top_k_emojis` and
    :func:`~sklearn_emoji.inspection.explain_attention` work at once. Its
    parameters hold the encoder (``clf__pretrained``), so
    :func:`~sklearn.base.clone` then ``fit`` fine-tunes it on your data.

    Parameters
    ----------
    name : str, default="weibo-64"
        ``"weibo-64"`` (64 emojis, the pre-training head), ``"weibo-10"``
        (the paper's 10 emojis), ``"tweeteval-20"`` (English) or the path prefix of an artifact built by
        ``sklearn-emoji build-models``.
    device : str, default="cpu"

    Returns
    -------
    model : Pipeline

    Raises
    ------
    ValueError
        An unknown name (the message lists the known ones), or a model that
        is not shipped (the message says how to build it).
    PretrainedFileError
        A shipped file fails its checksum.

    Examples
    --------
    >>> from sklearn_emoji import top_k_emojis
    >>> from sklearn_emoji.pretrained import load_pretrained
    >>> model = load_pretrained("weibo-10")
    >>> len(model.classes_)
    10
    >>> [e for e, _ in top_k_emojis(model, [["今天下大雨", "我没带伞"]], k=3)[0]][0] in model.classes_
    True
    """
    if _is_english(name):
        return _load_english(name)
    encoder = load_pretrained_encoder(name if name not in MODELS else MODELS[name][0])
    return model_from_encoder(encoder, device=device)


def _is_english(name):
    from ._english import ARTIFACT

    if not isinstance(name, (str, os.PathLike)):
        return False
    return os.fspath(name) == ARTIFACT or os.path.basename(os.fspath(name)) == ARTIFACT


def _load_english(name):
    """The EN-LINEAR pipeline of the ``tweeteval-20`` arrays (no pickle), checked against its manifest."""
    from ._english import linear_from_artifact

    folder, artifact = _locate(name, MODELS_ARTIFACT)
    tensors, data, _ = read_artifact(folder, artifact)
    return linear_from_artifact(tensors, data, source=repr(os.path.join(folder, artifact)))


def model_from_encoder(encoder, *, device="cpu"):
    """A fitted H-/S-/F-LSTM pipeline whose classifier is the encoder with its softmax layer, no training."""
    from ..neural import EncoderFileError
    from ..pipelines import make_method

    if not encoder.classes or "output.weight" not in encoder.state_dict:
        raise EncoderFileError("this encoder has no softmax layer (no classes): it can only be fine-tuned")
    method = encoder.info.get("method", "H-LSTM")
    model = make_method(method, pretrained=encoder, clf__device=device)
    steps = model.steps
    for _, step in steps[:-1]:
        step.fit([["。"]])  # fixed vocabulary: fit only records it
    steps[-1][1].fit_from_pretrained()
    return model


def runtime(name=DEFAULT_MODEL):
    """The NumPy inference of a ready Weibo model: scores with neither torch nor scikit-learn imported.

    :func:`recommend` uses it for a ready model's name, so that a fresh
    process answers in under a second; :func:`load_pretrained` gives the full
    estimator (fine-tuning, Pipelines, ``explain_attention``) with the same
    scores.

    Parameters
    ----------
    name : str, default="weibo-64"
        A hierarchical ready model (``"weibo-64"``, ``"weibo-10"``) or a
        build-models prefix of one.

    Returns
    -------
    HierarchicalRuntime
        ``predict_proba`` and ``classes_``; loaded once per process.

    Examples
    --------
    >>> from sklearn_emoji.pretrained import runtime
    >>> runtime("weibo-10").predict_proba(["好开心"]).shape
    (1, 10)
    """
    from ._runtime import HierarchicalRuntime

    folder, artifact = _locate(name, MODELS_ARTIFACT)
    key = ("runtime", os.path.abspath(folder), artifact, _stamp(folder, artifact))
    if key not in _CACHE:
        tensors, data, _ = read_artifact(folder, artifact)
        if not data.get("classes"):
            raise ValueError(f"{name!r} is an encoder without a softmax layer: it can only be fine-tuned")
        _CACHE[key] = HierarchicalRuntime(tensors, data)
    return _CACHE[key]


def _runs_in_numpy(name):
    """Whether ``recommend`` can score ``name`` with :func:`runtime` (a hierarchical model with a head)."""
    if name in MODELS:
        return name != "tweeteval-20"
    if is_ready_model(name) and not _is_english(name):
        folder, artifact = _locate(name, MODELS_ARTIFACT)
        info = read_manifest(folder, artifact)
        return info.get("recipe", {}).get("method", "H-LSTM") == "H-LSTM"
    return False


def recommend(dialogue, k=3, *, model=None):
    """The ``k`` emojis that fit a reply, from a ready model, with their scores.

    A ready Weibo model's name is scored by :func:`runtime` (NumPy: the first
    answer in a fresh process takes under a second, as neither torch nor
    scikit-learn is imported); a fitted estimator, or ``"tweeteval-20"``,
    through its ``predict_proba``.

    Parameters
    ----------
    dialogue : str or list of str
        A post, or a dialogue's turns oldest first (the last is the reply).
    k : int, default=3
    model : str, estimator or None, default=None
        A ready model's name, a fitted model, or ``None`` for
        ``"weibo-64"`` (loaded once per process).

    Returns
    -------
    list of (str, float)

    Examples
    --------
    >>> from sklearn_emoji import recommend
    >>> ranked = recommend(["今天下大雨", "我没带伞"], k=3)
    >>> len(ranked), all(0 <= score <= 1 for _, score in ranked)
    (3, True)
    """
    from .._validation import check_dialogues

    if dialogue is None:
        raise ValueError("recommend needs a post (str) or a dialogue (list of str turns), got None")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    if isinstance(dialogue, str):
        dialogue = [dialogue]
    (dialogue,) = check_dialogues([dialogue])
    name = DEFAULT_MODEL if model is None else model
    if isinstance(name, (str, os.PathLike)) and _runs_in_numpy(os.fspath(name)):
        rt = runtime(os.fspath(name))
        proba = rt.predict_proba([dialogue])[0]
        order = np.argsort(-proba, kind="stable")[:k]
        return [(str(rt.classes_[i]), float(proba[i])) for i in order]
    from ..metrics import top_k_emojis

    if isinstance(name, (str, os.PathLike)):
        key = ("model", os.fspath(name))
        if key not in _CACHE:
            _CACHE[key] = load_pretrained(os.fspath(name))
        name = _CACHE[key]
    return top_k_emojis(name, [dialogue], k=k)[0]
