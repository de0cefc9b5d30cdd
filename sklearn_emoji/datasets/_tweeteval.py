"""TweetEval emoji prediction (SemEval-2018 Task 2, English, 20 emoji labels)."""

from __future__ import annotations

import re

import numpy as np
from sklearn.utils import Bunch

from .._compat import StrOptions, validate_params
from ..emojis import emoji_spans
from ._base import DataFileError, _check_published, _default_verbose, _fetch, get_data_home

__all__ = ["load_tweeteval_emoji"]

#: Public folder of the TweetEval emoji files.
TWEETEVAL_URL = "https://raw.githubusercontent.com/cardiffnlp/tweeteval/main/datasets/emoji/"
_FOLDER = "tweeteval_emoji"
_SUBSETS = {"train": "train", "validation": "val", "test": "test"}

_DESCR = """\
TweetEval emoji prediction
--------------------------

English tweets, each labelled with the one emoji it held (20 labels), from
SemEval-2018 Task 2 as re-split by TweetEval: 45,000 train / 5,000 validation /
50,000 test. The emoji are already removed from the texts and user names are
anonymised as ``@user``. Labels are the emoji strings of ``mapping.txt``.

Source: https://github.com/cardiffnlp/tweeteval (datasets/emoji). Official metric:
macro-F1 over the 20 labels (published test results: SVM 29.3, fastText 25.8,
LSTM 24.7, RoBERTa-base 30.9, BERTweet 33.4).

A label leak in the published texts
...................................
When the dataset's authors removed the label emoji they left its variation
selector (U+FE0F) behind wherever the emoji was written with one, which is
how ❤ (U+2764) and ☀ (U+2600) are usually written and the other 18 labels
are not. The lone selector is in 7,705 of the 9,204 training tweets labelled
❤ and 1,201 of the 1,246 labelled ☀, and in at most 3 tweets of any other
label (test: 9,219 of 10,798 ❤ and 1,242 of 1,265 ☀; validation: only 57
and 22). A model that sees it learns "U+FE0F means ❤ or ☀", an artefact no
real text has. It is worth about 6 points of test macro-F1 to a
bag-of-words model (the library's EN-LINEAR: 30.3 with it, 24.4 without;
S-BOW: 25.3 and 19.2), and the published leaderboard numbers carry it.

By default (``remnants="remove"``) the loader removes such emoji remnants:
variation selectors (U+FE0E, U+FE0F), zero-width joiners, combining keycaps,
skin-tone modifiers, regional indicators and tag characters that are not
part of an emoji, with the whitespace they leave (the authors collapsed the
space around every removed emoji, so a left-over double space would be a
second leak). This changes 8,931 training, 79 validation and 10,517 test
tweets. ``remnants="keep"`` returns the texts exactly as published (byte for
byte, trailing spaces included): use it to compare with the leaderboard.

Cite: Barbieri et al., "SemEval 2018 Task 2: Multilingual Emoji Prediction"
(2018); Barbieri et al., "TweetEval" (Findings of EMNLP 2020).

This load: subset={subset!r}, remnants={remnants!r}, {n} tweets.
"""


#: Code points that only ever serve as parts of an emoji: text and emoji
#: variation selectors, the zero-width joiner, the combining keycap, skin-tone
#: modifiers, regional indicators (flag halves) and tag characters
#: (subdivision flags). Alone they are what is left of a removed emoji.
_REMNANT = "\ufe0e\ufe0f\u200d\u20e3\U0001f3fb-\U0001f3ff\U0001f1e6-\U0001f1ff\U000e0020-\U000e007f"
_HAS_REMNANT = re.compile(f"[{_REMNANT}]")
# A run of remnants (possibly spaced: " \ufe0f \ufe0f \ufe0f ") with the
# horizontal whitespace on either side of it.
_REMNANT_RUN = re.compile(f"([^\\S\\n]*)[{_REMNANT}](?:[^\\S\\n]*[{_REMNANT}])*([^\\S\\n]*)")


def _join_remnant_gap(match):
    # "heart! \ufe0f #love" -> "heart! #love"; "I\ufe0fNY" -> "INY": the
    # authors collapsed the space around every emoji they removed.
    return " " if match.group(1) or match.group(2) else ""


def _strip_remnants(text):
    """Remove emoji remnants (see ``_REMNANT``) that are not part of an emoji.

    Emojis themselves (``"5\u20e3"``, ``"🇺🇸"``, ``"❤\ufe0f"``) are kept whole;
    a lone skin-tone modifier, which the ``emoji`` package counts as an emoji
    of its own, is a remnant. The text is stripped of surrounding whitespace.
    """
    if not _HAS_REMNANT.search(text):
        return text.strip()
    parts, pos = [], 0
    for start, end, emo in emoji_spans(text, weibo=False):
        if start < pos or (len(emo) == 1 and _HAS_REMNANT.fullmatch(emo)):
            continue
        parts.append(_REMNANT_RUN.sub(_join_remnant_gap, text[pos:start]))
        parts.append(text[start:end])
        pos = end
    parts.append(_REMNANT_RUN.sub(_join_remnant_gap, text[pos:]))
    return "".join(parts).strip()


def _read_lines(path):
    try:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path} is not UTF-8 text ({exc}); delete it so it is downloaded again") from exc
    # Split on "\n" only: tweets may hold other Unicode line separators.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def _read_mapping(path):
    emojis, seen = [], {}
    for i, line in enumerate(_read_lines(path)):
        if not line.strip():
            continue
        fields = line.split("\t")  # "id\temoji\tname\t"
        try:
            idx = int(fields[0])
            emo = fields[1].strip()
        except (ValueError, IndexError):
            idx, emo = None, ""
        if idx != len(emojis) or not emo:
            raise DataFileError(
                f"{path}, line {i + 1}: expected 'id<TAB>emoji<TAB>name' with ids "
                f"0, 1, 2, ... in order, got {line!r}; delete the file so it is "
                f"downloaded again"
            )
        if emo in seen:
            raise DataFileError(
                f"{path}, line {i + 1}: the emoji {emo!r} is already label {seen[emo]}; two labels "
                f"cannot share an emoji. Delete the file so it is downloaded again"
            )
        seen[emo] = idx
        emojis.append(emo)
    if not emojis:
        raise DataFileError(f"{path} holds no labels; delete it so it is downloaded again")
    return emojis


def _read_split(prefix, names, fetch, remnants):
    text_rel, label_rel = f"{_FOLDER}/{prefix}_text.txt", f"{_FOLDER}/{prefix}_labels.txt"
    text_path, label_path = fetch(text_rel), fetch(label_rel)
    texts = _read_lines(text_path)
    labels = _read_lines(label_path)
    for path, lines in [(text_path, texts), (label_path, labels)]:
        if not lines:
            raise DataFileError(f"{path} is empty; delete it so it is downloaded again")
    if len(texts) != len(labels):
        raise DataFileError(
            f"{text_path} has {len(texts)} lines but {label_path} has {len(labels)}; "
            f"one of them is truncated or corrupt: delete both so they are "
            f"downloaded again"
        )
    ids = np.empty(len(labels), dtype=np.int64)
    for i, lab in enumerate(labels):
        try:
            ids[i] = int(lab)
        except ValueError:
            raise DataFileError(
                f"{label_path}, line {i + 1}: {lab!r} is not an integer label; delete "
                f"the file so it is downloaded again"
            ) from None
    bad = np.flatnonzero((ids < 0) | (ids >= len(names)))
    if bad.size:
        i = int(bad[0])
        raise DataFileError(
            f"{label_path}, line {i + 1}: label id {ids[i]} is out of range 0-"
            f"{len(names) - 1} (mapping.txt has {len(names)} emojis); delete the "
            f"file so it is downloaded again"
        )
    # Well-formed is not enough: the bytes must be the published ones.
    _check_published(text_path, text_rel)
    _check_published(label_path, label_rel)
    if remnants == "keep":
        return texts, ids
    return [_strip_remnants(t) for t in texts], ids


@validate_params(
    {"subset": [StrOptions({*_SUBSETS, "all"})], "remnants": [StrOptions({"remove", "keep"})]},
    prefer_skip_nested_validation=True,
)
def load_tweeteval_emoji(
    subset="train",
    *,
    data_home=None,
    download_if_missing=True,
    base_url=None,
    return_X_y=False,
    verbose=None,
    remnants="remove",
):
    """Load the TweetEval emoji prediction dataset (English tweets, 20 emojis).

    ============== =========================
    Classes        20 emojis
    Samples        45,000 / 5,000 / 50,000 (train / validation / test)
    Features       text (str), emojis removed
    ============== =========================

    Parameters
    ----------
    subset : {"train", "validation", "test", "all"}, default="train"
        Which split; ``"validation"`` reads ``val_*.txt``; ``"all"`` is
        train, validation and test concatenated in that order.
    data_home : str or path-like, default=None
        Folder holding ``tweeteval_emoji/``; see :func:`get_data_home`.
    download_if_missing : bool, default=True
        Download missing files (checksum-verified) from the public TweetEval
        repository, or from a mirror (``base_url``). If False, a missing file
        raises :class:`DataNotFoundError`.
    base_url : str, default=None
        URL of a mirror of the data home layout: files are fetched from
        ``<base_url>/tweeteval_emoji/<name>``. Defaults to the environment
        variable ``SKLEARN_EMOJI_BASE_URL``, else the public address
        :data:`TWEETEVAL_URL`.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    verbose : bool, default=None
        Print download messages; default: when stderr is a terminal.
    remnants : {"remove", "keep"}, default="remove"
        What to do with the emoji remnants of the published texts: lone
        variation selectors (U+FE0F, left where the authors removed a ❤ or a
        ☀ but not its selector: a label leak, see ``DESCR``), zero-width
        joiners, keycaps, skin-tone modifiers, regional indicators and tag
        characters that are not part of an emoji. ``"remove"`` deletes them
        with the whitespace they leave and strips each text; ``"keep"``
        returns the texts exactly as published, byte for byte (to compare
        with the TweetEval leaderboard, whose numbers carry the leak).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (list of str), ``target`` (object array of emoji strings),
        ``target_names`` (the 20 emojis in label-id order), ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    DataNotFoundError
        A file is missing and ``download_if_missing=False``.
    DataFileError
        A file is corrupt (an empty split, text and label line counts
        differ, a label is not an integer or out of range, a malformed
        ``mapping.txt`` or one that gives two labels the same emoji), is not
        byte for byte the published file (every file is checked against its
        known SHA-256, once per process), or a download failed; the message
        names the file.

    Examples
    --------
    >>> from sklearn_emoji.datasets import load_tweeteval_emoji
    >>> bunch = load_tweeteval_emoji(subset="validation")
    >>> len(bunch.data), len(bunch.target_names)
    (5000, 20)
    >>> bunch.target_names[:3].tolist()
    ['❤', '😍', '😂']

    The published texts hold a lone U+FE0F where a ❤ or ☀ was removed:

    >>> X, y = load_tweeteval_emoji(subset="test", remnants="keep", return_X_y=True)
    >>> sum("\ufe0f" in t for t, e in zip(X, y) if e == "❤")
    9219
    >>> X, y = load_tweeteval_emoji(subset="test", return_X_y=True)
    >>> sum("\ufe0f" in t for t in X)
    0
    """
    home = get_data_home(data_home)
    verbose = _default_verbose(verbose)

    def fetch(relpath):
        name = relpath.split("/", 1)[1]
        return _fetch(
            home,
            relpath,
            public_url=TWEETEVAL_URL + name,
            base_url=base_url,
            download_if_missing=download_if_missing,
            verbose=verbose,
        )

    mapping = fetch(f"{_FOLDER}/mapping.txt")
    names = _read_mapping(mapping)
    _check_published(mapping, f"{_FOLDER}/mapping.txt")
    splits = ["train", "validation", "test"] if subset == "all" else [subset]
    texts, ids = [], []
    for split in splits:
        t, i = _read_split(_SUBSETS[split], names, fetch, remnants)
        texts.extend(t)
        ids.append(i)
    ids = np.concatenate(ids)
    target_names = np.array(names, dtype=object)
    target = target_names[ids]
    if return_X_y:
        return texts, target
    return Bunch(
        data=texts,
        target=target,
        target_names=target_names,
        DESCR=_DESCR.format(subset=subset, remnants=remnants, n=len(texts)),
    )
