"""Corpora larger than memory: token ids on disk, read batch by batch.

:func:`write_token_arrays` tokenizes dialogues chunk by chunk (a generator is
consumed once) into a folder holding a ``.npy`` file of token ids;
:func:`load_token_arrays` opens it again as a read-only :class:`numpy.memmap`.
The LSTM classifiers train and predict on such a memmap without copying it:
every id array is wrapped in :class:`TokenDataset`, which converts one sample
at a time (skorch's validation split takes :class:`torch.utils.data.Subset`
views of it), so memory stays flat as the corpus grows; only the labels are
held in memory.

Folder layout (``write_token_arrays(..., path)``)::

    path/ids.npy         int32 token ids, (n, max_len) or (n, max_turns, max_len)
    path/y.npy           the labels (str), when given
    path/meta.json       shape, vocab_size, the vocabulary's fingerprint, the tokenizer
    path/vocabulary.json the tokenizer's vocabulary (token -> id)

The folder is written under a temporary name in the same parent and renamed
once complete, so a reader never sees a half-written corpus and a failure
leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass, field
from itertools import islice
from numbers import Integral
from pathlib import Path

import numpy as np
import torch

from .._compat import Interval, validate_params
from .._vocabulary import OOV_ID
from ..text import TOKENIZERS, get_tokenizer

__all__ = ["TokenArrays", "TokenDataset", "write_token_arrays", "load_token_arrays"]

_FORMAT = "sklearn-emoji-token-arrays/1"
_IDS_DTYPE = np.dtype("<i4")
#: Elements scanned per step when ids are validated, so that validating a
#: memmap never allocates more than a few hundred kilobytes.
_SCAN_ELEMENTS = 1 << 15


def vocabulary_fingerprint(vocabulary):
    """SHA-256 of a ``token -> id`` vocabulary (order-independent)."""
    payload = json.dumps(sorted(vocabulary.items(), key=lambda kv: kv[1]), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenArrays:
    """Token ids of a corpus on disk, as :func:`write_token_arrays` wrote them.

    Attributes
    ----------
    path : pathlib.Path
        The folder.
    ids : numpy.memmap
        Read-only int32 ids, ``(n_samples, max_len)`` or
        ``(n_samples, max_turns, max_len)``; pass it to a classifier's
        ``fit`` / ``predict_proba`` as it is (it is not copied).
    y : numpy.memmap of str or None
        The labels, when they were written (read-only, fixed-width).
    vocabulary : dict
        The tokenizer's vocabulary (``token -> id``), for
        :func:`~sklearn_emoji.pretraining.pretrain_encoder`.
    meta : dict
        ``n_samples``, ``shape``, ``vocab_size``, ``vocabulary_fingerprint``,
        ``tokenizer`` (class name), ``tokenize`` (``"words"``/``"chars"``
        when known), ``flatten`` (the ``DialogueFlattener`` turns, if any).
    """

    path: Path
    ids: np.ndarray
    y: np.ndarray | None
    vocabulary: dict = field(repr=False)
    meta: dict = field(repr=False)

    @property
    def n_samples(self):
        """Number of dialogues."""
        return int(self.meta["n_samples"])

    @property
    def vocab_size(self):
        """Number of ids, padding and OOV included."""
        return int(self.meta["vocab_size"])

    @property
    def vocabulary_fingerprint(self):
        """SHA-256 of the vocabulary: equal fingerprints, same ids."""
        return self.meta["vocabulary_fingerprint"]

    def __len__(self):
        return self.n_samples


def _split_tokenizer(tokenizer):
    """``(flattener or None, fitted tokenizer)`` from a tokenizer or a Pipeline ending in one."""
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    from ..preprocessing import DialogueFlattener, HierarchicalTokenizer, SequenceTokenizer

    flattener = None
    if isinstance(tokenizer, Pipeline):
        steps = [step for _, step in tokenizer.steps if step not in (None, "passthrough")]
        if len(steps) == 2 and isinstance(steps[0], DialogueFlattener):
            flattener, tokenizer = steps
        elif len(steps) == 1:
            tokenizer = steps[0]
    if not isinstance(tokenizer, (SequenceTokenizer, HierarchicalTokenizer)):
        raise TypeError(
            "tokenizer must be a fitted SequenceTokenizer or HierarchicalTokenizer, or a Pipeline "
            f"(DialogueFlattener, SequenceTokenizer); got {type(tokenizer).__name__}."
        )
    check_is_fitted(tokenizer, "vocabulary_")
    return flattener, tokenizer


def _tokenize_name(tokenizer):
    """The name in TOKENIZERS of the tokenizer's tokenizer (None for a callable of the user's)."""
    func = get_tokenizer(tokenizer.tokenizer)
    return next((name for name, f in TOKENIZERS.items() if f is func), None)


def _chunks(iterable, size):
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


def _header(fh, shape):
    # numpy pads the header so that the first dimension can grow without
    # changing its length (GROWTH_AXIS_MAX_DIGITS): written once with 0 rows,
    # rewritten in place with the final count.
    fh.seek(0)
    np.lib.format.write_array_header_1_0(
        fh, {"descr": np.lib.format.dtype_to_descr(_IDS_DTYPE), "fortran_order": False, "shape": shape}
    )
    return fh.tell()


@validate_params(
    {
        "X": "no_validation",  # any iterable, read once
        "tokenizer": "no_validation",  # checked by _split_tokenizer
        "path": [str, os.PathLike],
        "y": "no_validation",
        "chunk_size": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def write_token_arrays(X, tokenizer, path, *, y=None, chunk_size=10_000):
    """Tokenize dialogues chunk by chunk into memory-mapped token ids on disk.

    Parameters
    ----------
    X : iterable of dialogues (or of texts for a bare SequenceTokenizer)
        Any iterable, a generator included: it is read once, ``chunk_size``
        dialogues at a time, so the corpus never has to fit in memory.
    tokenizer : fitted SequenceTokenizer, HierarchicalTokenizer or Pipeline
        The tokenizer (fit it on a sample, or give it a pre-trained
        encoder's vocabulary); a ``Pipeline(DialogueFlattener,
        SequenceTokenizer)`` flattens each dialogue first.
    path : str or path-like
        The folder to create; it must not exist yet.
    y : iterable of str or None, default=None
        The labels, one per dialogue (read along with ``X``).
    chunk_size : int, default=10_000
        Dialogues tokenized per step.

    Returns
    -------
    arrays : TokenArrays
        What :func:`load_token_arrays` returns for ``path``.

    Examples
    --------
    >>> import tempfile, os
    >>> from sklearn_emoji.preprocessing import HierarchicalTokenizer
    >>> from sklearn_emoji.neural import write_token_arrays
    >>> X = [["今天天气好", "是啊"], ["好难过"], ["哈哈哈"]]
    >>> tok = HierarchicalTokenizer(max_turns=2, max_len=4).fit(X)
    >>> folder = os.path.join(tempfile.mkdtemp(), "corpus")
    >>> arrays = write_token_arrays(iter(X), tok, folder, y=["[哈哈]", "[泪]", "[哈哈]"], chunk_size=2)
    >>> arrays.ids.shape, arrays.y.tolist()
    ((3, 2, 4), ['[哈哈]', '[泪]', '[哈哈]'])
    """
    flattener, tok = _split_tokenizer(tokenizer)
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} already exists; write_token_arrays creates a new folder.")
    vocab_size = tok.vocab_size_
    if vocab_size > np.iinfo(_IDS_DTYPE).max:
        raise ValueError(f"a vocabulary of {vocab_size} ids does not fit in int32.")
    row_shape = (tok.max_turns, tok.max_len) if hasattr(tok, "max_turns") else (tok.max_len,)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    os.mkdir(tmp, 0o777)  # the kernel applies the umask (mkdtemp's 0o700 would hide the corpus from others)
    try:
        n, labels = 0, []
        y_iter = iter(y) if y is not None else None
        with open(tmp / "ids.npy", "wb") as fh:
            offset = _header(fh, (0, *row_shape))
            for chunk in _chunks(X, chunk_size):
                if y_iter is not None:
                    part = list(islice(y_iter, len(chunk)))
                    if len(part) != len(chunk):
                        raise ValueError(f"y is shorter than X: it ends after {n + len(part)} labels.")
                    labels.extend(part)
                texts = flattener.transform(chunk) if flattener is not None else chunk
                fh.write(np.ascontiguousarray(tok.transform(texts), dtype=_IDS_DTYPE).tobytes())
                n += len(chunk)
            if y_iter is not None and next(y_iter, None) is not None:
                raise ValueError(f"y is longer than X ({n} dialogues).")
            if n == 0:
                raise ValueError("X holds no dialogue.")
            if _header(fh, (n, *row_shape)) != offset:  # pragma: no cover - numpy's padding guarantees it
                raise RuntimeError("the .npy header changed length")
            fh.flush()
            os.fsync(fh.fileno())
        if y is not None:
            np.save(tmp / "y.npy", np.asarray([str(v) for v in labels]))
        meta = {
            "format": _FORMAT,
            "n_samples": n,
            "shape": [n, *row_shape],
            "vocab_size": int(vocab_size),
            "vocabulary_fingerprint": vocabulary_fingerprint(tok.vocabulary_),
            "tokenizer": type(tok).__name__,
            "tokenize": _tokenize_name(tok),
            "flatten": flattener._chosen_turns() if flattener is not None else None,
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        (tmp / "vocabulary.json").write_text(json.dumps(tok.vocabulary_, ensure_ascii=False), encoding="utf-8")
        os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return load_token_arrays(path)


def load_token_arrays(path):
    """Open a folder written by :func:`write_token_arrays`.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    arrays : TokenArrays
        ``ids`` is a read-only :class:`numpy.memmap`: nothing is read into
        memory until a batch needs it.
    """
    path = Path(path)
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        vocabulary = json.loads((path / "vocabulary.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"{path} is not a folder written by write_token_arrays: {exc}") from exc
    if meta.get("format") != _FORMAT:
        raise ValueError(f"{path}: unknown format {meta.get('format')!r}, expected {_FORMAT!r}.")
    ids = np.load(path / "ids.npy", mmap_mode="r")
    if list(ids.shape) != meta["shape"]:
        raise ValueError(f"{path}: ids.npy has shape {ids.shape}, meta.json says {tuple(meta['shape'])}.")
    y = np.load(path / "y.npy", mmap_mode="r") if (path / "y.npy").exists() else None
    return TokenArrays(path=path, ids=ids, y=y, vocabulary=vocabulary, meta=meta)


# ----------------------------------------------------------------------
# lazy reading by the classifiers
# ----------------------------------------------------------------------
def scan_ids(X, name, ndim):
    """Check token ids chunk by chunk; return ``(max_id, n_tokens)``.

    Refuses negative ids, non-integral values and tokens that are not
    left-aligned, without ever holding more than a few chunks of ``X``.
    """
    top, n_tokens = 0, 0
    step = max(1, _SCAN_ELEMENTS // max(1, int(np.prod(X.shape[1:]))))
    for start in range(0, len(X), step):
        chunk = np.asarray(X[start : start + step])
        if chunk.dtype.kind == "f" and not (np.isfinite(chunk).all() and (chunk == np.round(chunk)).all()):
            raise TypeError(f"{name} expects integer token ids; got dtype {chunk.dtype} with non-integral values.")
        low = chunk.min()
        if low < 0:
            raise ValueError(f"{name}: token ids must be >= 0 (0 = padding, 1 = OOV); found {low}.")
        nz = chunk != 0
        if np.any(nz[..., 1:] & ~nz[..., :-1]):
            raise ValueError(
                f"{name}: tokens must be left-aligned in each {'row' if ndim == 2 else 'turn'} with zeros "
                "(padding) only after them, as the project's tokenizers produce."
            )
        top = max(top, int(chunk.max()))
        n_tokens += int(np.count_nonzero(nz))
    return top, n_tokens


def as_ids(rows, vocab_size):
    """An int64 copy of ``rows`` (samples first) ready for the modules.

    Ids ``>= vocab_size`` become the OOV id and a sample without any token
    becomes one OOV token.
    """
    batch = np.array(rows, dtype=np.int64)
    batch[batch >= vocab_size] = OOV_ID
    empty = ~batch.reshape(len(batch), -1).any(1)
    if empty.any():
        batch[(empty,) + (0,) * (batch.ndim - 1)] = OOV_ID
    return batch


class TokenDataset(torch.utils.data.Dataset):
    """A :class:`torch.utils.data.Dataset` over token ids that copies nothing up front.

    Each item is converted when it is read (:func:`as_ids`), so ``X`` may be
    a read-only :class:`numpy.memmap` larger than memory.

    Parameters
    ----------
    X : ndarray or numpy.memmap
        Token ids, samples first.
    y : ndarray of int or None
        Encoded labels.
    vocab_size : int
        Ids at or beyond it are read as OOV.
    """

    def __init__(self, X, y, vocab_size):
        self.X = X
        self.y = y
        self.vocab_size = vocab_size

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        xi = as_ids(self.X[i : i + 1], self.vocab_size)[0]
        return xi, (self.y[i] if self.y is not None else np.int64(0))
