"""Find, count and strip emojis: Unicode emoji and Weibo bracket codes.

Two kinds of emoji are recognised:

* **Unicode emoji**, including multi-code-point sequences (zero-width-joiner
  sequences such as 👩‍💻, skin-tone modifiers such as 👍🏽, keycaps and regional
  indicator flags such as 🇺🇸), through the `emoji` package.
* **Weibo bracket codes** such as ``[哈哈]``, ``[泪]``, ``[doge]`` or
  ``[转发微博]``.

The bracket rule
----------------
A bracket code is ``[`` + 1 to 8 characters + ``]`` where every character is a
Han character, a Latin letter or a digit, at least one of them is a Han
character or a Latin letter, and no whitespace or punctuation occurs inside.
So ``[哈哈]``, ``[doge]``, ``[ali转圈]`` and ``[转发微博]`` are codes, while
``[1]`` (digits only), ``[12:30]`` (punctuation), ``[see above]`` (a space)
and ``[a very long bracketed remark]`` (too long) are ordinary text.
"""

from __future__ import annotations

import re
from collections import Counter

import emoji as _emoji

__all__ = [
    "WEIBO_CODE_PATTERN",
    "find_emojis",
    "count_emojis",
    "strip_emojis",
    "is_emoji",
]

#: Regular expression of one Weibo bracket code (see the module docstring).
WEIBO_CODE_PATTERN = re.compile(
    r"\[(?=[0-9]*[A-Za-z\u3400-\u4dbf\u4e00-\u9fff])[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]{1,8}\]"
)
_WEIBO_FULL = re.compile(r"^" + WEIBO_CODE_PATTERN.pattern + r"$")
# Stray variation selectors and joiners left behind when a dataset removed
# emoji imperfectly (TweetEval texts hold many lone U+FE0F).
_LEFTOVERS = re.compile("[\ufe0e\ufe0f\u200d\u20e3]")
_SPACES = re.compile(r"\s+")


def _check_text(text, name="text"):
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")


def _emoji_start_pattern():
    """A pattern matching wherever ``emoji.emoji_list`` could start a match.

    The `emoji` package scans a text one character at a time in Python; it
    can only start a match at the first character of one of its emoji (an
    ASCII one, such as the ``1`` of the keycap 1️⃣, only when the next
    character continues an emoji). Searching for those positions in C first
    lets a text without emoji skip the scan, and one with emoji start it at
    the first candidate, which gives the same matches: nothing before that
    position can begin or join an emoji. Characters beyond the Basic
    Multilingual Plane are all candidates (one range keeps the search fast;
    a false candidate only costs a scan).
    """
    bmp, ascii_next = set(), {}
    for e in _emoji.EMOJI_DATA:
        first = e[0]
        if first.isascii() and len(e) > 1:
            ascii_next.setdefault(first, set()).add(e[1])
        elif ord(first) < 0x10000:
            bmp.add(first)
    parts = ["[" + "".join(map(re.escape, sorted(bmp))) + "\U00010000-\U0010ffff]"]
    by_next = {}
    for c, n in ascii_next.items():
        by_next.setdefault("".join(sorted(n)), []).append(c)
    parts += [f"[{''.join(map(re.escape, sorted(cs)))}](?=[{re.escape(n)}])" for n, cs in sorted(by_next.items())]
    assert not any(e.isascii() for e in _emoji.EMOJI_DATA)  # what emoji_spans relies on
    return re.compile("|".join(parts))


_EMOJI_START = _emoji_start_pattern()


def emoji_spans(text, unicode=True, weibo=True):
    """(start, end, emoji) of every emoji of ``text``, in order."""
    spans = []
    if unicode and not text.isascii():  # every emoji has a non-ASCII character
        first = _EMOJI_START.search(text)
        if first is not None:
            at = first.start()
            spans = [(m["match_start"] + at, m["match_end"] + at, m["emoji"]) for m in _emoji.emoji_list(text[at:])]
    if weibo and "[" in text:
        codes = [(m.start(), m.end(), m.group(0)) for m in WEIBO_CODE_PATTERN.finditer(text)]
        if spans and codes:
            spans += codes
            spans.sort()
        elif codes:
            spans = codes
    return spans


def find_emojis(text, *, unicode=True, weibo=True):
    """Return the emojis of ``text`` in order of appearance, repeats kept.

    Parameters
    ----------
    text : str
        The text to search.
    unicode : bool, default=True
        Look for Unicode emoji (multi-code-point sequences count as one).
    weibo : bool, default=True
        Look for Weibo bracket codes such as ``[哈哈]``.

    Returns
    -------
    list of str
        Each emoji as it is written in the text.

    Examples
    --------
    >>> from sklearn_emoji.emojis import find_emojis
    >>> find_emojis("好开心[哈哈][哈哈] see [1] 👍🏽 🇺🇸")
    ['[哈哈]', '[哈哈]', '👍🏽', '🇺🇸']
    """
    _check_text(text)
    return [e for _, _, e in emoji_spans(text, unicode, weibo)]


def count_emojis(text, *, unicode=True, weibo=True):
    """Count the emojis of ``text``.

    Parameters
    ----------
    text : str
        The text to search.
    unicode, weibo : bool, default=True
        Which kinds of emoji to count, as in :func:`find_emojis`.

    Returns
    -------
    collections.Counter
        Emoji to number of occurrences, in order of first appearance.

    Examples
    --------
    >>> from sklearn_emoji.emojis import count_emojis
    >>> count_emojis("[泪][泪]好难过😢[泪]")
    Counter({'[泪]': 3, '😢': 1})
    """
    return Counter(find_emojis(text, unicode=unicode, weibo=weibo))


def strip_emojis(text, *, unicode=True, weibo=True):
    """Remove every emoji from ``text`` and normalise the whitespace left.

    Parameters
    ----------
    text : str
        The text to clean.
    unicode, weibo : bool, default=True
        Which kinds of emoji to remove, as in :func:`find_emojis`.

    Returns
    -------
    str
        The text without emojis (also without stray variation selectors
        and zero-width joiners), with runs of whitespace collapsed.

    Examples
    --------
    >>> from sklearn_emoji.emojis import strip_emojis
    >>> strip_emojis("太好了[哈哈] 👍🏽 [12:30]")
    '太好了 [12:30]'
    """
    _check_text(text)
    parts, pos = [], 0
    for start, end, _ in emoji_spans(text, unicode, weibo):
        if start < pos:  # overlapping match (cannot happen in practice)
            continue
        parts.append(text[pos:start])
        parts.append(" ")
        pos = end
    parts.append(text[pos:])
    out = "".join(parts)
    if unicode:
        out = _LEFTOVERS.sub("", out)
    return _SPACES.sub(" ", out).strip()


def is_emoji(token):
    """Tell whether ``token`` is exactly one emoji (Unicode or bracket code).

    Parameters
    ----------
    token : str
        The string to test.

    Returns
    -------
    bool

    Examples
    --------
    >>> from sklearn_emoji.emojis import is_emoji
    >>> is_emoji("[doge]"), is_emoji("👩‍💻"), is_emoji("[1]"), is_emoji("ab")
    (True, True, False, False)
    """
    if not isinstance(token, str) or not token:
        return False
    if _WEIBO_FULL.match(token):
        return True
    return _emoji.purely_emoji(token) and len(_emoji.emoji_list(token)) == 1
