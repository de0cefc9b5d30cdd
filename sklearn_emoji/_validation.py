"""Input validation shared by every estimator of the package: the one parser of each input shape.

A dialogue is a sequence of turns (``str``), oldest first, the last turn being
the reply. ``X`` is a list-like of dialogues; a plain string is a one-turn
dialogue, so lists of posts or tweets work everywhere.

Containers
----------
``X``, ``y`` and ``groups`` may be held the way scikit-learn users hold them:
a list or tuple, a 1-D NumPy array (or a one-column 2-D one), a pandas
``Series``, or a one-column ``DataFrame`` (of texts, or of turn lists). They
all mean the same rows. Anything else is refused with an exception that names
it: ``None``, a single ``str`` or ``bytes``, a ``dict``, a ``set`` (it has no
order, so outputs could not be matched to samples), a generator (it can be
read once only, and fitting reads ``X`` more than once), a scalar, a
multi-column table (say which column holds the texts). pandas is never
imported here: an object can only be a pandas object when pandas is already
in :data:`sys.modules`.

Labels
------
A label is a ``str`` (an emoji, e.g. ``"😂"`` or ``"[哈哈]"``), an ``int``, a
``bool`` or an integral ``float``, and all labels of one target are of one
type (``str`` and numbers never mix: ``["a", 1]`` would otherwise be silently
turned into ``["a", "1"]`` by NumPy). A missing value (``None``, ``NaN``,
``pandas.NA``) is never a label: it is an error, not a class ``"nan"``.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet

import numpy as np

__all__ = [
    "check_dialogues",
    "check_texts",
    "check_y_length",
    "check_labels",
    "check_groups",
    "check_emoji_targets",
]


def _describe(obj):
    return "None" if obj is None else type(obj).__name__


# --------------------------------------------------------------------------
# containers
# --------------------------------------------------------------------------
def _pandas_kind(obj):
    """``"DataFrame"``, ``"Series"`` or ``None``, without importing pandas."""
    pd = sys.modules.get("pandas")
    if pd is None:
        return None
    if isinstance(obj, pd.DataFrame):
        return "DataFrame"
    if isinstance(obj, pd.Series):
        return "Series"
    return None


def _is_table(obj):
    """A 2-D table with named columns (a pandas, polars, ... DataFrame)."""
    shape = getattr(obj, "shape", None)
    return hasattr(obj, "columns") and isinstance(shape, tuple) and len(shape) == 2


def _column_of(table, what, noun):
    """The one column of a one-column table, as a list; refuse other tables."""
    columns = list(table.columns)
    if len(columns) != 1:
        shown = ", ".join(repr(c) for c in columns[:5]) + (", ..." if len(columns) > 5 else "")
        raise ValueError(
            f"{what} is a table with {len(columns)} columns [{shown}]; pass the one column that holds the "
            f"{noun} (for example {what}[{columns[0] if columns else 'name'!r}])"
        )
    column = table.iloc[:, 0] if _pandas_kind(table) == "DataFrame" else table[columns[0]]
    return _plain_list(column)


def _plain_list(column):
    """A 1-D series-like object (pandas, polars, ...) as a list of its values."""
    for name in ("tolist", "to_list"):
        if hasattr(column, name):
            return list(getattr(column, name)())
    return list(column)


def as_rows(X, what, noun="dialogues or texts"):
    """``X`` as a list of its rows (samples); refuse what is not a list-like of samples."""
    expected = f"{what} must be a list of {noun}"
    if X is None:
        raise TypeError(f"{expected}, got None")
    if isinstance(X, str):
        raise TypeError(f"{expected}, got a single str; wrap it in a list: [text]")
    if isinstance(X, (bytes, bytearray, memoryview)):
        raise TypeError(f"{expected}, got {type(X).__name__}; decode it to str (e.g. data.decode('utf-8'))")
    if isinstance(X, Mapping):
        raise TypeError(f"{expected}, got {type(X).__name__}; pass its values as a list (e.g. list(d.values()))")
    if isinstance(X, AbstractSet):
        raise TypeError(
            f"{expected}, got {type(X).__name__}: a set has no order, so outputs could not be matched to "
            "samples; pass a list"
        )
    if isinstance(X, Iterator):
        raise TypeError(
            f"{expected}, got {type(X).__name__}, which can be read only once (fitting reads {what} more than "
            f"once); pass list({what})"
        )
    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:  # a single column
            X = X[:, 0]
        if X.ndim != 1:
            raise ValueError(f"{what} must be 1-D (one sample per row), got an array of shape {X.shape}")
        return X.tolist()
    if _is_table(X):
        return _column_of(X, what, noun)
    if getattr(X, "ndim", 1) != 1 and hasattr(X, "shape"):  # another array library
        raise ValueError(f"{what} must be 1-D (one sample per row), got {type(X).__name__} of shape {X.shape}")
    if hasattr(X, "__iter__"):  # a Sequence, a pandas or polars Series, a dict view, ...
        return list(X) if isinstance(X, Sequence) else _plain_list(X)
    raise TypeError(f"{expected}, got {_describe(X)}")


def _is_missing(v):
    """``None``, ``NaN`` (float or NumPy), ``pandas.NA`` or ``NaT``."""
    if v is None:
        return True
    if isinstance(v, (float, np.floating)):
        return math.isnan(v)
    return type(v).__name__ in ("NAType", "NaTType")


def _missing_name(v):
    return "None" if v is None else "NaN" if isinstance(v, (float, np.floating)) else repr(v)


# --------------------------------------------------------------------------
# dialogues and texts
# --------------------------------------------------------------------------
def _turns_of(d, i, what):
    """The turns of dialogue ``i`` as a tuple of ``str``."""
    kind = type(d)
    if kind is str:  # the common cases first: this runs once per sample
        return (d,)
    if (kind is list or kind is tuple) and d and all(type(t) is str for t in d):
        return tuple(d)
    if isinstance(d, np.ndarray) and d.ndim == 0:  # a NumPy scalar, e.g. np.asarray("text")
        d = d.item()
    if isinstance(d, str):
        return (str(d),)
    if _is_missing(d):
        raise TypeError(
            f"dialogue {i} of {what} is {_missing_name(d)} (a missing value); expected a str or a list of str"
        )
    if isinstance(d, np.ndarray):
        if d.ndim != 1:
            raise TypeError(f"dialogue {i} of {what} is an array of shape {d.shape}; expected a 1-D list of turns")
        turns = tuple(d.tolist())
    elif isinstance(d, (list, tuple)) or (isinstance(d, Sequence) and not isinstance(d, (bytes, bytearray))):
        turns = tuple(d)
    elif _pandas_kind(d) == "Series":
        turns = tuple(d.tolist())
    else:
        raise TypeError(f"dialogue {i} of {what} is {_describe(d)}; expected a str or a list of str")
    if len(turns) == 0:
        raise ValueError(f"dialogue {i} of {what} is empty: a dialogue needs at least one turn")
    for j, t in enumerate(turns):
        if not isinstance(t, str):
            raise TypeError(f"turn {j} of dialogue {i} of {what} is {_describe(t)}; every turn must be a str")
    if any(type(t) is not str for t in turns):  # np.str_ and other subclasses
        turns = tuple(str(t) for t in turns)
    return turns


def check_dialogues(X, *, what="X", allow_empty_reply=True, allow_empty=False):
    """Validate ``X`` and return it as a list of tuples of ``str``.

    Parameters
    ----------
    X : list-like of (str or sequence of str)
        Dialogues; a plain string is a one-turn dialogue. A list, tuple,
        1-D NumPy array, pandas Series or one-column DataFrame (of texts or
        of turn lists) all hold the same dialogues.
    what : str, default="X"
        Name used in error messages.
    allow_empty_reply : bool, default=True
        A turn that is empty (for instance a reply that held only an emoji,
        removed in preprocessing) is allowed as long as some turn of the
        dialogue holds text. A dialogue whose every turn is blank is always
        an error unless ``allow_empty`` is true.
    allow_empty : bool, default=False
        Accept dialogues whose every turn is blank. Used by steps that come
        after :class:`~sklearn_emoji.preprocessing.DialogueFlattener`, whose
        reply-only output is empty for an emoji-only reply.

    Returns
    -------
    list of tuple of str

    Raises
    ------
    TypeError
        ``X`` is ``None``, a single string, bytes, a dict, a set, a
        generator or a scalar; a dialogue or a turn is not a string (a
        missing value included).
    ValueError
        ``X`` is empty, not 1-D, a table with several columns; a dialogue has
        no turns or holds no text.

    Examples
    --------
    >>> from sklearn_emoji._validation import check_dialogues
    >>> check_dialogues(["a tweet", ["a post", "its reply"]])
    [('a tweet',), ('a post', 'its reply')]
    >>> import pandas as pd
    >>> check_dialogues(pd.DataFrame({"text": ["a tweet", "another"]}))
    [('a tweet',), ('another',)]
    >>> check_dialogues({"a": "b"})
    Traceback (most recent call last):
    ...
    TypeError: X must be a list of dialogues or texts, got dict; pass its values as a list (e.g. list(d.values()))
    """
    rows = as_rows(X, what)
    if len(rows) == 0:
        raise ValueError(f"{what} is empty: at least one dialogue or text is needed")
    out = []
    for i, d in enumerate(rows):
        turns = _turns_of(d, i, what)
        if not allow_empty and not any(t.strip() for t in turns):
            raise ValueError(f"dialogue {i} of {what} holds no text (every turn is empty)")
        if not allow_empty_reply and not turns[-1].strip():
            raise ValueError(f"the reply (last turn) of dialogue {i} of {what} is empty")
        out.append(turns)
    return out


def check_texts(X, *, what="X", allow_empty=False):
    """Validate ``X`` as a list of texts and return a list of ``str``.

    Dialogues given where texts are expected are joined with a space.

    Parameters
    ----------
    X : list-like of (str or sequence of str)
        Accepted in the containers of :func:`check_dialogues`.
    what : str, default="X"
    allow_empty : bool, default=False
        Accept empty texts (see :func:`check_dialogues`).

    Returns
    -------
    list of str

    Examples
    --------
    >>> from sklearn_emoji._validation import check_texts
    >>> check_texts(["a tweet", ["a post", "", "its reply"]])
    ['a tweet', 'a post its reply']
    """
    return [" ".join(t for t in d if t) for d in check_dialogues(X, what=what, allow_empty=allow_empty)]


# --------------------------------------------------------------------------
# labels, groups, emoji targets
# --------------------------------------------------------------------------
_NUMBER = "number"


def _value_kind(v, i, what, noun, *, discrete):
    """The type family of one label or group: ``"str"``, ``"bool"`` or ``"number"``."""
    if isinstance(v, str):
        return "str"
    if _is_missing(v):
        raise ValueError(f"{noun} {i} of {what} is {_missing_name(v)} (a missing value); every sample needs a {noun}")
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if isinstance(v, numbers.Integral):
        return _NUMBER
    if isinstance(v, numbers.Real):
        if not math.isfinite(v):
            raise ValueError(f"{noun} {i} of {what} is {v!r}; a {noun} must be finite")
        if discrete and not float(v).is_integer():
            raise TypeError(
                f"{noun} {i} of {what} is the float {v!r}; a class {noun} is a str or an int "
                "(a non-integral float is a regression target, not a class)"
            )
        return _NUMBER
    raise TypeError(f"{noun} {i} of {what} is {_describe(v)}; expected a str or an int")


def _check_length(n, n_samples, what, unit="labels"):
    """Refuse ``n`` items of ``what`` for ``n_samples`` samples (``None``: not checked)."""
    if n_samples is not None and n != n_samples:
        raise ValueError(f"X and {what} have different lengths: {n_samples} samples in X, {n} {unit} in {what}")


def _check_one_kind(kinds, what, noun):
    """Refuse values of several type families; ``kinds`` maps each family to an example."""
    if len(kinds) > 1:
        shown = " and ".join(f"{k} ({v!r})" for k, v in sorted(kinds.items()))
        raise TypeError(
            f"{what} mixes {noun} types: {shown}; use one type for every {noun} (emojis are str), "
            "as they would otherwise be silently converted to one another"
        )


def _known_kinds(classes, what, noun):
    """Type families of labels already known (e.g. ``classes_`` of a fitted model)."""
    if classes is None:
        return {}
    kinds = {}
    for i, c in enumerate(as_rows(classes, "classes", "labels")):
        kinds.setdefault(_value_kind(c, i, "classes", noun, discrete=False), c)
    return kinds


def _fast_kind(arr, what, noun, discrete):
    """Type family of a NumPy array of a plain dtype, or ``None`` for object arrays."""
    if arr.dtype.kind == "U":
        return "str"
    if arr.dtype.kind == "b":
        return "bool"
    if arr.dtype.kind in "iu":
        return _NUMBER
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            _value_kind(arr[i].item(), i, what, noun, discrete=discrete)
        if discrete and not np.all(arr == np.round(arr)):
            i = int(np.flatnonzero(arr != np.round(arr))[0])
            _value_kind(arr[i].item(), i, what, noun, discrete=discrete)
        return _NUMBER
    if arr.dtype.kind == "O":
        return None
    raise TypeError(f"{what} has dtype {arr.dtype}; expected {noun}s that are str or int")


def _check_values(y, what, noun, *, n_samples=None, classes=None, discrete=True):
    """Shared core of :func:`check_labels` and :func:`check_groups`."""
    if y is None:
        raise TypeError(f"{what} is None; the {noun} of every sample is needed")
    rows = as_rows(y, what, f"{noun}s")
    _check_length(len(rows), n_samples, what, f"{noun}s")
    if len(rows) == 0:
        raise ValueError(f"{what} is empty: at least one {noun} is needed")
    arr = y.reshape(-1) if isinstance(y, np.ndarray) else None
    kind = _fast_kind(arr, what, noun, discrete) if arr is not None else None
    own = {kind: rows[0]} if kind is not None else {}
    if kind is None:
        for i, v in enumerate(rows):
            own.setdefault(_value_kind(v, i, what, noun, discrete=discrete), v)
    _check_one_kind({**_known_kinds(classes, what, noun), **own}, what, noun)
    if kind is not None:
        return arr.astype(object) if kind == "str" else arr
    if "str" in own:  # every value is a str: keep them as Python str in an object array
        out = np.empty(len(rows), dtype=object)
        out[:] = [str(v) for v in rows]
        return out
    arr = np.asarray(rows)
    if arr.dtype.kind == "f" and any(isinstance(v, numbers.Integral) and float(v) != v for v in rows):
        arr = np.empty(len(rows), dtype=object)  # ints beyond 64 bits: floats would merge distinct labels
        arr[:] = rows
    return arr


def check_labels(y, *, what="y", n_samples=None, classes=None):
    """Validate class labels (one per sample) and return them as a 1-D NumPy array.

    Parameters
    ----------
    y : list-like of shape (n_samples,)
        In any container of :func:`check_dialogues` (a one-column DataFrame
        or a column vector is read as its column). Labels are ``str``
        (emojis), ``int``, ``bool`` or integral ``float``; all of one type.
    what : str, default="y"
        Name used in error messages.
    n_samples : int, default=None
        The number of samples of ``X``; checked when given.
    classes : array-like, default=None
        Labels already known (``classes_`` of a model being updated by
        ``partial_fit``): new labels must be of their type.

    Returns
    -------
    ndarray of shape (n_samples,)
        ``dtype=object`` holding ``str`` for string labels, else the
        numeric or boolean dtype NumPy gives.

    Raises
    ------
    TypeError
        ``y`` is ``None`` or not a list-like, a label is of an unsupported
        type (a list, a non-integral float, ...), or labels mix types
        (``["a", 1]``).
    ValueError
        A label is missing (``None``, ``NaN``, ``pandas.NA``) or infinite,
        ``y`` is empty, not 1-D, or of another length than ``n_samples``.

    Examples
    --------
    >>> from sklearn_emoji._validation import check_labels
    >>> check_labels(["😂", "[哈哈]"])
    array(['😂', '[哈哈]'], dtype=object)
    >>> check_labels(["😂", float("nan")])
    Traceback (most recent call last):
    ...
    ValueError: label 1 of y is NaN (a missing value); every sample needs a label
    """
    return _check_values(y, what, "label", n_samples=n_samples, classes=classes, discrete=True)


def check_groups(groups, *, n_samples=None, what="groups"):
    """Validate the group of each sample (e.g. its root post); ``None`` passes through.

    Groups follow the rules of :func:`check_labels` (one type, no missing
    value), except that any finite number is a group.

    Parameters
    ----------
    groups : list-like of shape (n_samples,) or None
    n_samples : int, default=None
        The number of samples of ``X``; checked when given.
    what : str, default="groups"
        Name used in error messages.

    Returns
    -------
    ndarray of shape (n_samples,) or None

    Examples
    --------
    >>> from sklearn_emoji._validation import check_groups
    >>> check_groups(["post-1", "post-1", "post-2"], n_samples=3)
    array(['post-1', 'post-1', 'post-2'], dtype=object)
    >>> check_groups([1, None], n_samples=2)
    Traceback (most recent call last):
    ...
    ValueError: group 1 of groups is None (a missing value); every sample needs a group
    """
    if groups is None:
        return None
    return _check_values(groups, what, "group", n_samples=n_samples, discrete=False)


def _emoji_list(v, i, what):
    """Labels of sample ``i`` of a multi-label target, or ``None`` when ``v`` is one label."""
    if isinstance(v, str):
        return None
    if isinstance(v, np.ndarray):
        return v.reshape(-1).tolist()
    if isinstance(v, AbstractSet):  # no order and no repeats: sort for a deterministic order
        return sorted(v, key=lambda e: (type(e).__name__, str(e)))
    if isinstance(v, (list, tuple)) or _pandas_kind(v) == "Series":
        return list(v.tolist() if hasattr(v, "tolist") else v)
    if isinstance(v, Mapping):
        raise TypeError(f"label {i} of {what} is {type(v).__name__}; expected an emoji str or a list of them")
    return None


def check_emoji_targets(y, *, n_samples=None, what="y", allow_empty=False, classes=None):
    """Validate emoji targets, one or several emojis per sample: the one parser of such targets.

    Each sample's target is a single label (``"😂"``) or a list of labels
    (``["[哈哈]", "[哈哈]"]``; a tuple, NumPy array or set works too) in the
    order of the text, repeats kept (the lexicon model learns counts from
    them; set metrics ignore order and repeats). A 2-D array of ``str`` is a
    list of rows. Labels follow :func:`check_labels`: one type, never
    missing.

    Parameters
    ----------
    y : list-like of (label or list-like of labels)
        In any container of :func:`check_dialogues`.
    n_samples : int, default=None
        The number of samples of ``X``; checked when given.
    what : str, default="y"
        Name used in error messages.
    allow_empty : bool, default=False
        Accept an empty list (a sample with no emoji; e.g. an empty
        recommendation, which set metrics score 0).
    classes : array-like, default=None
        Labels already known (``classes_`` of a model being updated by
        ``partial_fit``): new labels must be of their type.

    Returns
    -------
    list of list
        The labels of each sample, a one-label list for a single label.

    Raises
    ------
    TypeError
        ``y`` is ``None``, a str, a dict, a set or not a list-like; a label
        is of an unsupported type; labels mix types.
    ValueError
        A label is missing or infinite, a sample's list is empty (unless
        ``allow_empty``), ``y`` is empty or has another length than
        ``n_samples``, or is a 2-D numeric array (a label-indicator matrix:
        pass the emoji lists instead).

    Examples
    --------
    >>> from sklearn_emoji._validation import check_emoji_targets
    >>> check_emoji_targets(["😂", ["[哈哈]", "[哈哈]"], ("🔥", "😂")])
    [['😂'], ['[哈哈]', '[哈哈]'], ['🔥', '😂']]
    >>> check_emoji_targets(["😂", []])
    Traceback (most recent call last):
    ...
    ValueError: label 1 of y is an empty list; every sample needs at least one emoji
    """
    if y is None:
        raise TypeError(f"{what} is None; the emoji(s) of every sample are needed")
    if isinstance(y, np.ndarray) and y.ndim == 2 and y.shape[1] > 1:
        if y.dtype.kind in "biuf":
            raise ValueError(
                f"{what} is a 2-D numeric array of shape {y.shape}, which reads as a label-indicator matrix; "
                "pass the emojis of each sample as lists (e.g. MultiLabelBinarizer().inverse_transform(...))"
            )
        y = list(y)  # one row of labels per sample
    rows = as_rows(y, what, "labels (one label or a list of labels per sample)")
    _check_length(len(rows), n_samples, what)
    if len(rows) == 0:
        raise ValueError(f"{what} is empty: at least one label is needed")
    kinds = _known_kinds(classes, what, "label")
    out = []
    for i, v in enumerate(rows):
        if type(v) is str:  # the common case first: one emoji
            kinds.setdefault("str", v)
            out.append([v])
            continue
        labels = _emoji_list(v, i, what)
        if labels is None:
            labels = [v]
        elif not labels and not allow_empty:
            raise ValueError(f"label {i} of {what} is an empty list; every sample needs at least one emoji")
        for e in labels:
            if not isinstance(e, str) and _emoji_list(e, i, what) is not None:
                raise TypeError(f"label {i} of {what} holds a {type(e).__name__}; a label list must be flat")
            kinds.setdefault(_value_kind(e, i, what, "label", discrete=True), e)
        out.append([str(e) if isinstance(e, str) else e for e in labels])
    _check_one_kind(kinds, what, "label")
    return out


def check_y_length(y, n_samples, *, what="y"):
    """Check ``y`` given to a transformer: its length, and no missing or mixed labels.

    Transformers ignore ``y`` but check it, so that the first step of a
    pipeline reports a bad target before any work is done. Since the final
    step may be a classifier, a regressor or a multi-label model, only what
    is wrong for all of them is refused: another length than ``X``, a
    missing value (``None``, ``NaN``) and labels of mixed types. ``y=None``
    passes.
    """
    if y is None:
        return
    shape = getattr(y, "shape", None)
    if isinstance(shape, tuple) and len(shape) >= 2 and shape[1:] != (1,):  # multi-output: one row per sample
        _check_length(shape[0], n_samples, what, "rows")
        values = np.asarray(y) if not hasattr(y, "toarray") else None  # a sparse indicator matrix is finite
        if values is not None and values.dtype.kind == "f" and not np.isfinite(values).all():
            raise ValueError(f"{what} holds NaN or infinite values; every sample needs a finite target")
        return
    rows = as_rows(y, what, "labels")
    _check_length(len(rows), n_samples, what)
    if isinstance(y, np.ndarray) and y.dtype.kind in "biuU":
        return
    kinds = {}
    for i, v in enumerate(rows):
        labels = _emoji_list(v, i, what)
        for e in [v] if labels is None else labels:
            kinds.setdefault(_value_kind(e, i, what, "label", discrete=False), e)
    _check_one_kind(kinds, what, "label")
