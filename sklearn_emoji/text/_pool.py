"""The parallel tokenizing pool: :func:`tokenize_many`, with workers forked warm where it can."""

from __future__ import annotations

import multiprocessing
import sys
import warnings

from joblib import Parallel, delayed, effective_n_jobs

from . import _jieba
from ._tokenize import _MEMOS, get_tokenizer

#: Below this many characters (of distinct texts) tokenizing in parallel
#: cannot win: starting workers, sending the tokens back and putting them in
#: this process's memory cost more than the work shared. Forked workers
#: (Linux) start warm, as copies of this process; on two shared cores
#: ``n_jobs=2`` broke even near 170,000 characters of Weibo turns and gained
#: 1.2-1.4x from 340,000 on (benchmarks/bench_tokenize.py --break-even).
#: Fresh loky workers (elsewhere) start cold and need several times more:
#: see :data:`PARALLEL_MIN_CHARS_COLD`.
PARALLEL_MIN_CHARS = 300_000

#: The same threshold where workers cannot be forked from this process and
#: start cold (other platforms, another joblib backend chosen with
#: ``joblib.parallel_config``, a daemonic worker process).
PARALLEL_MIN_CHARS_COLD = 1_000_000

# Tokens of the package's tokenizers travel back from forked workers as one
# string per chunk: tokens joined by _TOKEN_SEP, texts by _TEXT_SEP (a
# token is a piece of its text, so texts without these characters give
# tokens without them). One string pickles and splits far faster than a
# list of tuples of strings.
_TOKEN_SEP = "\x00"
_TEXT_SEP = "\x01"
_FORKED: dict = {}


def _tokenize_chunk(texts, tokenizer):
    return [tokenizer(t) for t in texts]


def _fork_start(texts, tokenizer):
    # Runs in each forked worker: the texts arrive by fork, never pickled.
    _FORKED["job"] = (texts, tokenizer)


def _fork_chunk(start, step):
    texts, func = _FORKED["job"]
    chunk = texts[start::step]
    tokens = [func(t) for t in chunk]
    if func in _MEMOS:
        joined = "".join(chunk)
        if _TOKEN_SEP not in joined and _TEXT_SEP not in joined:
            return _TEXT_SEP.join(_TOKEN_SEP.join(toks) for toks in tokens)
    return tokens


def _unpack(part):
    if not isinstance(part, str):
        return part
    return [tuple(p.split(_TOKEN_SEP)) if p else () for p in part.split(_TEXT_SEP)]


def _can_fork():
    """Whether warm workers can be forked from this process for the default joblib backend."""
    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if multiprocessing.current_process().daemon:  # daemonic processes may not have children
        return False
    try:
        from joblib.parallel import get_active_backend
    except ImportError:  # pragma: no cover - joblib without it
        return False
    backend = type(get_active_backend()[0]).__name__
    return backend == "LokyBackend"  # the default: nobody asked for another backend


def _tokenize_forked(distinct, func, n_jobs):
    """Tokens of ``distinct``: this process and ``n_jobs - 1`` forked workers share the texts.

    The texts are dealt out in strided chunks (balanced whatever their
    order), several per worker so that a slow chunk does not hold the others
    up; this process tokenizes every ``n_jobs``-th chunk itself, straight
    into its memory, while the workers do the rest, so only their share
    travels back.
    """
    n_chunks = min(4 * n_jobs, len(distinct))
    mine = range(0, n_chunks, n_jobs)
    theirs = [i for i in range(n_chunks) if i % n_jobs]
    tokens = [None] * len(distinct)
    with warnings.catch_warnings():
        # Python >= 3.12 warns when forking beside other threads (torch's
        # OpenMP pool, loky's or a server's threads): a child that took a
        # lock another thread held at the fork would wait forever. The
        # workers only tokenize (Python, jieba's loaded dictionary, this
        # module's memories, all consistent under the GIL at the fork) and
        # take none of those locks; multiprocessing's own pool forks its
        # replacement workers from a thread as well.
        warnings.filterwarnings(
            "ignore", message=".*use of fork\\(\\) may lead to deadlocks", category=DeprecationWarning
        )
        with multiprocessing.get_context("fork").Pool(n_jobs - 1, _fork_start, (distinct, func)) as pool:
            pending = pool.starmap_async(_fork_chunk, [(i, n_chunks) for i in theirs], chunksize=1)
            for i in mine:
                tokens[i::n_chunks] = [func(t) for t in distinct[i::n_chunks]]
            parts = pending.get()
    for i, part in zip(theirs, parts):
        tokens[i::n_chunks] = _unpack(part)
    return tokens


def tokenize_many(texts, tokenizer=None, n_jobs=None):
    """Tokenize many texts, each distinct text once, in parallel when it pays.

    With ``n_jobs`` other than 1 and enough characters of distinct texts,
    the distinct texts are shared among worker processes and their tokens
    come back to this process's memory (see :func:`remember_tokens`). On
    Linux, with joblib's default backend, this process shares the work with
    ``n_jobs - 1`` workers forked from it for the call: they start at once,
    with this process's memories of texts and Han runs and jieba's
    dictionary loaded, and the threshold is :data:`PARALLEL_MIN_CHARS`. Elsewhere (other platforms, a daemonic
    process, or a ``joblib.parallel_config`` that chose another backend,
    Dask included) joblib runs the chunks, whose workers start cold, and the
    threshold is :data:`PARALLEL_MIN_CHARS_COLD`. Below the threshold it
    works serially. Texts this process has tokenized before are never sent.

    Parameters
    ----------
    texts : sequence of str
    tokenizer : callable, {"words", "chars"} or None, default=None
        See :func:`get_tokenizer`. A callable must be picklable to run with
        joblib (a module-level function is).
    n_jobs : int or None, default=None
        Number of processes (joblib's meaning: ``None`` is 1 unless a
        ``joblib.parallel_config`` says otherwise, -1 all cores).

    Returns
    -------
    list
        The tokens of each text, as the tokenizer returns them.

    Examples
    --------
    >>> from sklearn_emoji.text import tokenize_many
    >>> tokenize_many(["so happy!!", "我很开心"], n_jobs=2)
    [('so', 'happy', '!!'), ('我', '很', '开心')]
    """
    func = get_tokenizer(tokenizer)
    n_jobs = effective_n_jobs(n_jobs)
    if n_jobs == 1 or len(texts) < 2:
        return [func(t) for t in texts]
    memo = _MEMOS.get(func)
    if memo is not None:
        _jieba.sync()  # the memory must hold tokens of jieba's current dictionary
    # Texts this process already knows are not sent anywhere.
    distinct = [t for t in dict.fromkeys(texts) if memo is None or t not in memo]
    n_chars = sum(len(t) for t in distinct if isinstance(t, str))  # the tokenizer names a non-str
    fork = _can_fork()
    if len(distinct) < 2 or n_chars < (PARALLEL_MIN_CHARS if fork else PARALLEL_MIN_CHARS_COLD):
        return [func(t) for t in texts]
    n_jobs = min(n_jobs, len(distinct))
    if fork:
        found = dict(zip(distinct, _tokenize_forked(distinct, func, n_jobs)))
    else:
        bounds = [len(distinct) * i // n_jobs for i in range(n_jobs + 1)]
        parts = Parallel(n_jobs=n_jobs)(
            delayed(_tokenize_chunk)(distinct[a:b], func) for a, b in zip(bounds, bounds[1:]) if b > a
        )
        found = dict(zip(distinct, (toks for part in parts for toks in part)))
    if memo is not None:
        for text, toks in found.items():
            memo.put(text, toks)
    return [found[t] if t in found else func(t) for t in texts]
