"""The jieba segmenter: a copy of jieba 0.42.1's algorithm, guarded, and the state of jieba's dictionary.

Han runs are cut exactly as ``jieba.lcut(run, HMM=True)`` cuts them, faster
(no per-call overhead, one fused pass, memoised runs). The copy reads jieba's
internals (``Tokenizer.FREQ``, ``Tokenizer.total``, ``finalseg.cut``,
``finalseg.Force_Split_Words``), so it only runs where they are what it was
written for: the guard, :data:`FAST_SEGMENTER`, checks jieba's version *and*
that those internals are there. Anywhere else every run goes to
``jieba.lcut`` and the internals are read only as far as they exist.

Every memory of tokens cut by jieba (the runs here, the texts of
:func:`~sklearn_emoji.text.cached_tokenize`, the Weibo parse cache on disk)
is keyed on jieba's dictionary: :func:`dictionary_state` changes when
``jieba.add_word``, ``jieba.del_word``, ``jieba.suggest_freq(..., tune=True)``,
``jieba.load_userdict`` or ``jieba.set_dictionary`` change what ``lcut``
returns, and :func:`sync` empties the memories registered with
:func:`register_memory` when it does. :func:`dictionary_fingerprint` is the
same state as a digest that is equal across processes, for caches on disk.
One change escapes the cheap state: setting the frequency of a word that
already has one to 0 again (a second ``del_word`` of a word re-added in
between), which changes neither the total nor the number of entries; call
``cached_tokenize.cache_clear()`` after it.
"""

from __future__ import annotations

import hashlib
import logging
from itertools import islice
from math import log

import jieba
from jieba import finalseg

jieba.setLogLevel(logging.WARNING)

#: The jieba version whose algorithm :func:`_segment` copies.
SEGMENTER_JIEBA_VERSION = "0.42.1"


def _internals_present():
    """Whether jieba's default tokenizer and HMM have the attributes :func:`_segment` reads."""
    dt = getattr(jieba, "dt", None)
    return (
        isinstance(getattr(dt, "FREQ", None), dict)
        and isinstance(getattr(dt, "total", None), (int, float))
        and callable(getattr(dt, "check_initialized", None))
        and isinstance(getattr(finalseg, "Force_Split_Words", None), set)
        and callable(getattr(finalseg, "cut", None))
    )


#: Whether Han runs are cut by the copy of jieba's algorithm (:func:`_segment`):
#: only for the jieba version it copies, with the internals it reads in place.
#: Otherwise ``jieba.lcut`` cuts every run (same tokens, slower).
FAST_SEGMENTER = jieba.__version__ == SEGMENTER_JIEBA_VERSION and _internals_present()


class _Memo(dict):
    """A dict of at most ``maxsize`` entries that forgets its oldest half when full.

    Thread-safe enough for a cache: a race costs a recomputation, never a
    wrong value.
    """

    __slots__ = ("maxsize",)

    def __init__(self, maxsize):
        super().__init__()
        self.maxsize = maxsize

    def put(self, key, value):
        if len(self) >= self.maxsize:
            for old in list(islice(self, self.maxsize // 2)):
                self.pop(old, None)
        self[key] = value
        return value


# Han runs repeat a lot (short clauses between punctuation marks, set
# phrases): each distinct run is segmented once.
_RUNS = _Memo(1 << 17)
_HMM_WORDS = _Memo(1 << 16)
# The memories emptied when jieba's dictionary changes.
_MEMORIES: list = [_RUNS, _HMM_WORDS]
_STATE = [None]
_FORCE_SPLIT: set = getattr(finalseg, "Force_Split_Words", set())


def register_memory(memo):
    """Have :func:`sync` empty ``memo`` (anything with ``clear()``) when jieba's dictionary changes."""
    _MEMORIES.append(memo)
    return memo


def dictionary_state():
    """A cheap token of jieba's default dictionary: it changes when segmentation may change.

    Not stable across processes (it holds object ids); see
    :func:`dictionary_fingerprint` for that. Loading jieba's dictionary is
    not forced: an uninitialised tokenizer has a state of its own, which
    changes once it loads.
    """
    dt = jieba.dt
    if FAST_SEGMENTER:  # the attributes are known to be there: no getattr
        freq = dt.FREQ
        return (id(dt), dt.initialized, id(freq), dt.total, len(freq), len(_FORCE_SPLIT))
    freq = getattr(dt, "FREQ", None)
    return (
        id(dt),
        getattr(dt, "initialized", None),
        id(freq),
        getattr(dt, "total", None),
        len(freq) if freq is not None else None,
        len(getattr(finalseg, "Force_Split_Words", ())),
    )


def sync(initialize=False):
    """Empty the registered memories if jieba's dictionary changed since the last call.

    With ``initialize=True`` jieba's dictionary is loaded first (when about
    to segment), so the state compared is the loaded one.
    """
    if initialize and FAST_SEGMENTER:
        jieba.dt.check_initialized()
    if FAST_SEGMENTER:  # dictionary_state(), inlined: this runs on every cached_tokenize call
        dt = jieba.dt
        freq = dt.FREQ
        state = (id(dt), dt.initialized, id(freq), dt.total, len(freq), len(_FORCE_SPLIT))
    else:
        state = dictionary_state()
    if state != _STATE[0]:
        for memo in _MEMORIES:
            memo.clear()
        _STATE[0] = state


def clear():
    """Empty the memories of segmented runs."""
    _RUNS.clear()
    _HMM_WORDS.clear()


_FINGERPRINTS: dict = {}


def dictionary_fingerprint():
    """A digest of jieba's version and loaded dictionary, equal across processes for equal dictionaries.

    For caches on disk whose tokens were cut by jieba (the Weibo parse
    cache). Loads jieba's dictionary; computed once per :func:`dictionary_state`.
    """
    jieba.dt.check_initialized()
    state = dictionary_state()
    digest = _FINGERPRINTS.get(state)
    if digest is None:
        h = hashlib.sha256(f"jieba {jieba.__version__}\n".encode())
        freq = getattr(jieba.dt, "FREQ", None)
        if isinstance(freq, dict):
            h.update(repr(list(freq.items())).encode("utf-8"))
        h.update(repr(sorted(getattr(finalseg, "Force_Split_Words", ()))).encode("utf-8"))
        digest = h.hexdigest()
        _FINGERPRINTS.clear()
        _FINGERPRINTS[state] = digest
    return digest


def _segment(run, freq, logtotal):
    """The words of ``jieba.lcut(run)`` for a run of characters U+4E00..U+9FD5.

    jieba 0.42's ``Tokenizer.__cut_DAG`` (the HMM default) with its two
    passes (the DAG of dictionary words, then the best route backwards)
    fused into one, the same floating-point sums in the same order and the
    same tie-breaking (the longer word), so the route is the same. Runs of
    single characters that are no dictionary word go to jieba's HMM
    (``finalseg.cut``), memoised.
    """
    n = len(run)
    score = [0.0] * (n + 1)
    end = list(range(1, n + 2))
    for k in range(n - 1, -1, -1):
        best = None
        i = k
        frag = run[k]
        while i < n:
            f = freq.get(frag)  # None: no word starts with frag (jieba stores every prefix, with 0)
            if f is None:
                break
            if f:
                p = log(f) - logtotal + score[i + 1]
                if best is None or p >= best:
                    best = p
                    end[k] = i + 1
            i += 1
            frag = run[k : i + 1]
        score[k] = log(freq.get(run[k]) or 1) - logtotal + score[k + 1] if best is None else best
    words = []
    x = 0
    buf = ""
    while x <= n:
        y = end[x] if x < n else n + 1
        if y - x == 1 and x < n:
            buf += run[x]
        else:
            if len(buf) == 1:
                words.append(buf)
            elif buf:
                if freq.get(buf):
                    words.extend(buf)
                else:
                    hmm = _HMM_WORDS.get(buf)
                    if hmm is None:
                        hmm = _HMM_WORDS.put(buf, tuple(finalseg.cut(buf)))
                    words.extend(hmm)
            buf = ""
            if x < n:
                words.append(run[x:y])
        x = y
    return words


def cut_han(run, fullmatch):
    """The words of a Han run, as ``jieba.lcut(run, HMM=True)`` returns them, memoised.

    ``fullmatch(run)`` says whether the run holds only the characters jieba
    segments as one block (U+4E00..U+9FD5); only those go to the copy of
    its algorithm. Call :func:`sync` first.
    """
    words = _RUNS.get(run)
    if words is None:
        if FAST_SEGMENTER and fullmatch(run):
            dt = jieba.dt
            dt.check_initialized()
            words = tuple(_segment(run, dt.FREQ, log(dt.total)))
        else:
            words = tuple(jieba.lcut(run, HMM=True))
        _RUNS.put(run, words)
    return words
