"""Social-media cleaning and a Chinese/English word tokenizer.

Both functions are plain module-level functions, so they pickle and can be
passed to scikit-learn, e.g. ``TfidfVectorizer(analyzer=tokenize)``.

Cleaning follows Xie et al. (2016): "we wipe out all Weibo user names, quotes
and transmission information". Concretely, :func:`clean_text` removes

* the repost chain: everything from the first ``//@name:`` on (the quoted
  earlier posts, i.e. the "transmission information"), and also from an
  ``@name:`` that follows some text, which is the same chain with its ``//``
  lost (common in the CED dump);
* a leading ``回复@name:`` ("reply to name") prefix;
* every other ``@name`` mention;
* URLs (``http://...``, ``https://...``, ``www....``, Weibo's ``t.cn/...``,
  and a bare ``http:`` left where a long post was cut);
* zero-width spaces and byte-order marks (the zero-width joiner inside emoji
  sequences stays).

Tokenizing is the cost of most models, so it is made cheap (tokens are the
same as those of the plain algorithm, checked on real data by
``tests/test_tokenize_equivalence.py``):

* one ``findall`` pass of one compiled pattern per text; the `emoji`
  package's scan only runs from the first character that can start an emoji
  (never for ASCII text);
* Han runs are segmented once each per process (memoised), by a copy of
  jieba 0.42's algorithm without its per-call overhead; faster than
  ``jieba.lcut`` on whole texts;
* :func:`cached_tokenize` remembers whole texts (bounded memory), and
  :func:`tokenize_many` tokenizes each distinct text once, in worker
  processes when the input is large enough to gain from it.

:func:`get_tokenizer` is the one place the default tokenizer is chosen.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
import sys
import warnings
from itertools import islice
from math import log

import jieba
from jieba import finalseg
from joblib import Parallel, delayed, effective_n_jobs

from .emojis import _spans

__all__ = [
    "clean_text",
    "tokenize",
    "cached_tokenize",
    "tokenize_chars",
    "cached_tokenize_chars",
    "TOKENIZERS",
    "DEFAULT_TOKENIZER",
    "get_tokenizer",
    "remember_tokens",
    "tokenize_many",
]

jieba.setLogLevel(logging.WARNING)

_NAME = r"[0-9A-Za-z_\-\u3400-\u4dbf\u4e00-\u9fff\u00b7]{1,30}"
_COLON = r"\s*[:：]"
_REPOST_CHAIN = re.compile(r"//\s*@" + _NAME + r"(?:" + _COLON + r")?.*$", re.S)
_LATE_QUOTE = re.compile(r"(?<=\S)\s*@" + _NAME + _COLON + r".*$", re.S)
_REPLY_PREFIX = re.compile(r"^\s*回复\s*@" + _NAME + _COLON + r"?\s*")
_MENTION = re.compile(r"@" + _NAME + r"(?:" + _COLON + r")?")
# Also a link cut short to a bare "http:" (truncated posts end with one).
_URL = re.compile(r"(?:https?:(?://)?|www\.)\S*|\bt\.cn/\S+", re.I)
# Zero-width spaces and byte-order marks; U+200D (the joiner inside emoji
# sequences such as 👩‍💻) is kept.
_INVISIBLE = re.compile("[\u200b\u200c\u2060\ufeff]")
_SPACES = re.compile(r"\s+")


def clean_text(text):
    """Remove user names, repost chains, reply prefixes and URLs.

    Parameters
    ----------
    text : str
        A post, comment or tweet.

    Returns
    -------
    str
        The cleaned text, whitespace collapsed and stripped. Emojis are
        kept (see :func:`sklearn_emoji.emojis.strip_emojis`).

    Examples
    --------
    >>> from sklearn_emoji.text import clean_text
    >>> clean_text("回复@小明:太好看了[哈哈]//@小红: 转发一下 http://t.cn/abc")
    '太好看了[哈哈]'
    >>> clean_text("@user thanks! https://x.co/1 :)")
    'thanks! :)'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    text = _INVISIBLE.sub("", text)
    text = _URL.sub(" ", text)
    text = _REPOST_CHAIN.sub("", text)
    text = _REPLY_PREFIX.sub("", text)
    text = _LATE_QUOTE.sub("", text)
    text = _MENTION.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


_EMOTICON = (
    r"(?:[<>]?[:;=8xX][\-o\*']?[\)\]\(\[dDpP/\\|@3]+(?![A-Za-z]))"
    r"|(?:[\)\]\(\[dDpP/\\|@]+[\-o\*']?[:;=8](?![A-Za-z]))"
    r"|<3|\^_*\^|T_T|>_<|-_-|o_O|O_o"
)
_HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# One pass over the text: each match fills exactly one of the groups
# (emoticon, Han run, word, punctuation run; group 5 is the repeated mark) or
# none (a run of underscores, dropped). ``findall`` returns the groups as
# tuples without a Python call per token.
_TOKEN = re.compile(
    r"(" + _EMOTICON + r")"
    r"|([" + _HAN_CHARS + r"]+)"
    r"|([^\W\d_](?:[^\W_]|['’\-](?=[^\W\d_]))*|\d+(?:[.,:]\d+)*(?:[^\W\d_]+)?|#\w+)"
    r"|(([^\w\s])\5*)"
    r"|_+"
)
_HAN = re.compile("[" + _HAN_CHARS + "]")
# The Han characters jieba segments as one block (its ``re_han_default``
# without the ASCII part): a run of only these is cut exactly as
# ``jieba.lcut`` cuts it; any other run goes through ``jieba.lcut`` itself.
_JIEBA_HAN = re.compile("[\u4e00-\u9fd5]+")


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
# phrases): each distinct run is segmented once. The memory is emptied when
# jieba's dictionary changes (``jieba.add_word``, ``jieba.load_userdict``).
_RUNS = _Memo(1 << 17)
_HMM_WORDS = _Memo(1 << 16)
_RUNS_STATE = [None]
# The words of a run are computed by _segment, a copy of the algorithm of the
# jieba version it was written for; with any other version, jieba does it.
_OWN_SEGMENTER = jieba.__version__ == "0.42.1"


def _jieba_state():
    dt = jieba.dt
    dt.check_initialized()
    return id(dt), dt.total, len(dt.FREQ), len(finalseg.Force_Split_Words)


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


def _check_jieba_state():
    """Forget the segmented runs when jieba's dictionary changed since they were cut."""
    state = _jieba_state()
    if state != _RUNS_STATE[0]:
        _RUNS.clear()
        _HMM_WORDS.clear()
        _RUNS_STATE[0] = state


def _cut_han(run):
    words = _RUNS.get(run)
    if words is None:
        if _OWN_SEGMENTER and _JIEBA_HAN.fullmatch(run):
            words = tuple(_segment(run, jieba.dt.FREQ, log(jieba.dt.total)))
        else:
            words = tuple(jieba.lcut(run, HMM=True))
        _RUNS.put(run, words)
    return words


def _tokenize_plain(text, chars):
    """Tokens of a text without emoji."""
    if not _HAN.search(text):
        return [w.lower() if w else p or e for e, _, w, p, _ in _TOKEN.findall(text) if w or p or e]
    if not chars:  # characters need no segmenter: jieba's dictionary (~65 MiB) stays unloaded
        _check_jieba_state()
    out = []
    for e, h, w, p, _ in _TOKEN.findall(text):
        if w:
            out.append(w.lower())
        elif p:
            out.append(p)
        elif h:
            out.extend(h if chars else _cut_han(h))
        elif e:
            out.append(e)
    return out


def tokenize(text):
    """Split a text into words: jieba for Han script, a regex for the rest.

    Latin words are lower-cased; numbers (``12:30``, ``3.5``) and hashtags
    stay whole; runs of the same punctuation mark (``!!!``, ``？？``) form
    one token; emoticons such as ``:)``, ``:-(``, ``<3`` and ``^_^`` are kept
    as tokens; Unicode emoji and Weibo bracket codes each form one token.

    Parameters
    ----------
    text : str
        The text to split; clean it first with :func:`clean_text` if it is
        raw social-media text.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from sklearn_emoji.text import tokenize
    >>> tokenize("我今天很开心!!! Great day :) [哈哈]👍🏽")
    ['我', '今天', '很', '开心', '!!!', 'great', 'day', ':)', '[哈哈]', '👍🏽']
    """
    return _tokenize(text, chars=False)


def _tokenize(text, chars):
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    spans = _spans(text)
    if not spans:
        return _tokenize_plain(text, chars)
    out = []
    pos = 0
    for start, end, emo in spans:
        if start < pos:
            continue
        out += _tokenize_plain(text[pos:start], chars)
        out.append(emo)
        pos = end
    out += _tokenize_plain(text[pos:], chars)
    return out


def tokenize_chars(text):
    """Like :func:`tokenize`, but every Han character is a token of its own.

    Character tokens need no word segmenter and leave no Chinese word out of
    the vocabulary; a character TF-IDF is the strongest bag of words on the
    Weibo dialogues, and the LSTMs can be given the same tokens
    (``HierarchicalTokenizer(tokenizer=cached_tokenize_chars)``).

    Parameters
    ----------
    text : str

    Returns
    -------
    list of str

    Examples
    --------
    >>> from sklearn_emoji.text import tokenize_chars
    >>> tokenize_chars("我今天很开心 great [哈哈]")
    ['我', '今', '天', '很', '开', '心', 'great', '[哈哈]']
    """
    return _tokenize(text, chars=True)


_CACHE_SIZE = 1 << 18
_WORDS_MEMO = _Memo(_CACHE_SIZE)
_CHARS_MEMO = _Memo(_CACHE_SIZE)


def _cached(memo, text, chars):
    try:
        toks = memo.get(text)
    except TypeError:  # unhashable: let _tokenize name the problem
        toks = None
    if toks is None:
        toks = tuple(_tokenize(text, chars))
        memo.put(text, toks)
    return toks


def cached_tokenize(text):
    """:func:`tokenize` with a memory of up to 262,144 texts.

    jieba dominates the cost of every text pipeline, and model selection
    tokenizes the same texts once per fold and grid point; this function
    does it once per process. It returns a tuple (immutable, so the cache
    stays right) and is the default tokenizer of the package's transformers
    and pipelines (see :func:`get_tokenizer`). When the memory is full, the
    oldest half of it is forgotten; ``cached_tokenize.cache_clear()``
    empties it (and the memory of segmented Han runs that :func:`tokenize`
    keeps too).

    Parameters
    ----------
    text : str

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> from sklearn_emoji.text import cached_tokenize
    >>> cached_tokenize("so happy!!")
    ('so', 'happy', '!!')
    """
    return _cached(_WORDS_MEMO, text, False)


def cached_tokenize_chars(text):
    """:func:`tokenize_chars` with a memory of up to 262,144 texts.

    Parameters
    ----------
    text : str

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> from sklearn_emoji.text import cached_tokenize_chars
    >>> cached_tokenize_chars("开心!!")
    ('开', '心', '!!')
    """
    return _cached(_CHARS_MEMO, text, True)


def _forgetter(memo):
    def cache_clear():
        """Empty this memory and the memory of segmented Han runs (for honest timings)."""
        memo.clear()
        _RUNS.clear()
        _HMM_WORDS.clear()

    return cache_clear


cached_tokenize.cache_clear = _forgetter(_WORDS_MEMO)  # type: ignore[attr-defined]
cached_tokenize_chars.cache_clear = _forgetter(_CHARS_MEMO)  # type: ignore[attr-defined]


#: The tokenizers the package knows by name (also recorded in pre-trained encoders).
TOKENIZERS = {"words": cached_tokenize, "chars": cached_tokenize_chars}

#: The name of the tokenizer used wherever none is given: jieba words for
#: Chinese, the regex for the rest (:func:`cached_tokenize`).
DEFAULT_TOKENIZER = "words"

_MEMOS = {cached_tokenize: _WORDS_MEMO, cached_tokenize_chars: _CHARS_MEMO}


def get_tokenizer(tokenizer=None):
    """The tokenizer function meant by ``tokenizer``: the one place the default is chosen.

    Every transformer and model of the package that takes a ``tokenizer``
    parameter resolves it here, so ``None`` means the same everywhere.

    Parameters
    ----------
    tokenizer : callable, {"words", "chars"} or None, default=None
        A function ``str -> sequence of str``, returned as it is; a name in
        :data:`TOKENIZERS`; or ``None`` for :data:`DEFAULT_TOKENIZER`
        (:func:`cached_tokenize`).

    Returns
    -------
    callable

    Examples
    --------
    >>> from sklearn_emoji.text import cached_tokenize, get_tokenizer
    >>> get_tokenizer() is cached_tokenize
    True
    >>> get_tokenizer("chars")("开心")
    ('开', '心')
    """
    if tokenizer is None:
        tokenizer = DEFAULT_TOKENIZER
    if isinstance(tokenizer, str):
        try:
            return TOKENIZERS[tokenizer]
        except KeyError:
            raise ValueError(
                f"tokenizer must be one of {sorted(TOKENIZERS)} or a callable, got {tokenizer!r}"
            ) from None
    if not callable(tokenizer):
        raise TypeError(
            f"tokenizer must be a callable, a name among {sorted(TOKENIZERS)} or None, got {type(tokenizer).__name__}"
        )
    return tokenizer


def remember_tokens(texts, tokens, tokenizer=None):
    """Put tokens computed elsewhere into the memory of a memoised tokenizer.

    For results of the same tokenizer computed in another process or read
    from a cache (the Weibo loader stores the tokens of every turn), so the
    texts are not tokenized again in this process. Tokenizers without a
    memory (anything but :func:`cached_tokenize` and
    :func:`cached_tokenize_chars`) are left alone.

    Parameters
    ----------
    texts : iterable of str
    tokens : iterable of sequence of str
        ``tokens[i]`` must be what the tokenizer returns for ``texts[i]``.
    tokenizer : callable, {"words", "chars"} or None, default=None
        Which tokenizer the tokens are of (see :func:`get_tokenizer`).

    Examples
    --------
    >>> from sklearn_emoji.text import cached_tokenize, remember_tokens
    >>> remember_tokens(["好开心"], [["好", "开心"]])
    >>> cached_tokenize("好开心")
    ('好', '开心')
    """
    memo = _MEMOS.get(get_tokenizer(tokenizer))
    if memo is not None:
        for text, toks in zip(texts, tokens):
            memo.put(text, tuple(toks))


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
