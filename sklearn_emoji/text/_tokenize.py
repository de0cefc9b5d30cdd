"""The tokenizer API: cleaning, the two tokenizers, their memories and the one choice of the default.

See :mod:`sklearn_emoji.text` for the rules; the jieba segmenter is in
:mod:`._jieba`, the parallel pool in :mod:`._pool`.
"""

from __future__ import annotations

import re

from .._options import TOKENIZER_NAMES
from ..emojis import emoji_spans
from . import _jieba
from ._jieba import _Memo

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


def _tokenize_plain(text, chars):
    """Tokens of a text without emoji."""
    if not _HAN.search(text):
        return [w.lower() if w else p or e for e, _, w, p, _ in _TOKEN.findall(text) if w or p or e]
    if not chars:  # characters need no segmenter: jieba's dictionary (~65 MiB) stays unloaded
        _jieba.sync(initialize=True)
    out = []
    for e, h, w, p, _ in _TOKEN.findall(text):
        if w:
            out.append(w.lower())
        elif p:
            out.append(p)
        elif h:
            out.extend(h if chars else _jieba.cut_han(h, _JIEBA_HAN.fullmatch))
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
    spans = emoji_spans(text)
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
# Word tokens depend on jieba's dictionary: this memory is emptied when it
# changes (``jieba.add_word``, ``jieba.load_userdict``, ...); character
# tokens do not.
_jieba.register_memory(_WORDS_MEMO)


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
    keeps too). The memory follows jieba's dictionary: after
    ``jieba.add_word(...)`` or ``jieba.load_userdict(...)`` it returns the
    new segmentation, as :func:`tokenize` does.

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
    _jieba.sync()
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
        _jieba.clear()

    return cache_clear


cached_tokenize.cache_clear = _forgetter(_WORDS_MEMO)  # type: ignore[attr-defined]
cached_tokenize_chars.cache_clear = _forgetter(_CHARS_MEMO)  # type: ignore[attr-defined]


#: The tokenizers the package knows by name (also recorded in pre-trained encoders).
TOKENIZERS = dict(zip(TOKENIZER_NAMES, (cached_tokenize, cached_tokenize_chars)))

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
        ``tokens[i]`` must be what the tokenizer returns for ``texts[i]``
        with jieba's dictionary as it is now (the memory is emptied when it
        changes).
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
        _jieba.sync()
        for text, toks in zip(texts, tokens):
            memo.put(text, tuple(toks))
