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
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba

from .emojis import _spans

__all__ = ["clean_text", "tokenize", "cached_tokenize", "tokenize_chars", "cached_tokenize_chars"]

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
_TOKEN = re.compile(
    r"(?P<emo>" + _EMOTICON + r")"
    r"|(?P<han>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
    r"|(?P<word>[^\W\d_](?:[^\W_]|['’\-](?=[^\W\d_]))*|\d+(?:[.,:]\d+)*(?:[^\W\d_]+)?|#\w+)"
    r"|(?P<punct>([^\w\s])\5*)"
    r"|(?P<other>_+)"
)


def _tokenize_plain(text, out, chars=False):
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        tok = m.group(0)
        if kind == "han":
            out.extend(tok if chars else jieba.lcut(tok, HMM=True))
        elif kind == "word":
            out.append(tok.lower())
        elif kind == "other":
            continue
        else:
            out.append(tok)


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
    out = []
    pos = 0
    for start, end, emo in _spans(text):
        if start < pos:
            continue
        _tokenize_plain(text[pos:start], out, chars)
        out.append(emo)
        pos = end
    _tokenize_plain(text[pos:], out, chars)
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


@lru_cache(maxsize=1 << 18)
def cached_tokenize_chars(text):
    """:func:`tokenize_chars` with a memory of the last 262,144 texts.

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
    return tuple(_tokenize(text, chars=True))


@lru_cache(maxsize=1 << 18)
def cached_tokenize(text):
    """:func:`tokenize` with a memory of the last 262,144 texts.

    jieba dominates the cost of every text pipeline, and model selection
    tokenizes the same texts once per fold and grid point; this function
    does it once. It returns a tuple (immutable, so the cache stays right)
    and is what the package's own pipelines pass as
    ``TfidfVectorizer(analyzer=cached_tokenize)``.

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
    return tuple(tokenize(text))
