"""Weibo dialogues rebuilt from the CED reply trees (Xie et al., 2016 preprocessing).

The public loaders: finding (or downloading) the CED source, loading its parsed
form (:mod:`._ced`, cached) and selecting from it (:mod:`._selection`).
"""

from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch, check_random_state

from .._compat import StrOptions, validate_params
from ._base import (
    DataNotFoundError,
    _cache_load,
    _cache_save,
    _default_verbose,
    _fetch,
    _mirror_url,
    get_data_home,
)
from ._ced import _cache_file, _check_parsed, _parse_ced, _remove_old_caches, _signature, check_has_dialogues
from ._descr import _DESCR, _PRETRAINING_DESCR, _REPLIES_DESCR, _describe_exclusion, _describe_random_state
from ._selection import _check_groups, _check_int, _group_index, _select

__all__ = ["load_weibo_dialogues", "load_weibo_pretraining", "load_weibo_replies"]

#: Public download of the CED dataset (GitHub branch zip; bytes not fixed, no checksum).
WEIBO_URL = "https://github.com/thunlp/Chinese_Rumor_Dataset/archive/refs/heads/master.zip"

_FOLDER = "weibo_ced"
#: Accepted sources under ``<data_home>/weibo_ced/``, in the order they are looked for.
_SOURCES = (
    "CED_Dataset.tar.gz",
    "Chinese_Rumor_Dataset-master.zip",
    "master.zip",
    "CED_Dataset",
)


def _load_parsed(path, cache=True, verbose=False):
    """The parsed form of ``path``, from the cache when it is fresh and well-formed."""
    if not cache:
        return _parse_ced(path, verbose=verbose)
    cfile = _cache_file(path)
    signature = _signature(path)
    parsed = _cache_load(cfile, check=_check_parsed, fresh=lambda obj: obj.get("signature") == signature)
    if parsed is not None:
        return parsed
    parsed = _parse_ced(path, verbose=verbose)
    parsed["signature"] = signature
    _cache_save(cfile, parsed)
    if cfile is not None:
        _remove_old_caches(cfile)
    return parsed


def _find_source(home, download_if_missing, base_url, verbose):
    folder = Path(home) / _FOLDER
    for name in _SOURCES:
        p = folder / name
        if p.is_dir() if name == "CED_Dataset" else p.is_file():
            return p
    if not download_if_missing:
        raise DataNotFoundError(
            f"no CED data in {folder}: expected one of "
            f"{', '.join(_SOURCES[:-1])} or an unpacked {_SOURCES[-1]}/ folder, and "
            f"download_if_missing=False. Download {WEIBO_URL} into {folder}, or "
            f"point data_home / SKLEARN_EMOJI_DATA at a folder holding weibo_ced/"
        )
    if _mirror_url(base_url):  # a mirror of the data home: the checksummed tar.gz
        relpath = f"{_FOLDER}/CED_Dataset.tar.gz"
    else:  # GitHub's branch zip: its bytes are not fixed, so no checksum
        relpath = f"{_FOLDER}/master.zip"
    return _fetch(
        home,
        relpath,
        public_url=WEIBO_URL,
        base_url=base_url,
        download_if_missing=True,
        verbose=verbose,
    )


@validate_params({"long_turns": [StrOptions({"drop", "truncate"})]}, prefer_skip_nested_validation=True)
def load_weibo_dialogues(
    *,
    n_emojis=10,
    max_turns=4,
    min_turns=1,
    min_word_freq=30,
    max_words=50,
    max_oov=0.25,
    long_turns="drop",
    balance=True,
    n_samples=None,
    random_state=0,
    exclude_groups=None,
    data_home=None,
    download_if_missing=True,
    base_url=None,
    cache=True,
    return_X_y=False,
    verbose=None,
):
    """Load Weibo dialogues labelled with the emoji of their reply.

    Dialogues are rebuilt from the CED Weibo reply trees, then filtered as in
    Xie et al. (2016), "Neural Emoji Recommendation in Dialogue Systems". The
    defaults are the paper's.

    The source is looked for under ``<data_home>/weibo_ced/``: the packed
    ``CED_Dataset.tar.gz``, the public repository's zip
    (``Chinese_Rumor_Dataset-master.zip`` or ``master.zip``, top folder
    ``Chinese_Rumor_Dataset-master/`` with ``CED_Dataset/`` inside) or an
    unpacked ``CED_Dataset/`` folder, in that order.

    **Rebuilding.** Every repost/comment is a reply. Each reply's ``parent``
    links are followed back to the root post (``parent == ""`` means a direct
    reply to the root; a parent mid that is not in the file is also treated
    as a direct reply to the root). Every text is cleaned with
    :func:`sklearn_emoji.text.clean_text` (user names, ``回复@x:`` prefixes,
    ``//@x:`` repost chains, URLs) *before* emojis are detected, so quoted
    posts contribute no emojis. Items empty after cleaning (plain reposts)
    are skipped in the chain, and a reply must be non-empty after cleaning
    (before emoji removal; so emoji-only replies are kept, with an empty
    reply turn once the emoji is removed). Context turns that held only
    emojis are kept as empty turns.

    **Filtering** (each step's survivors are in ``filter_counts``):

    1. ``replies_with_one_emoji``: replies whose cleaned text holds exactly one
       distinct emoji (Unicode emoji or Weibo bracket code, found by
       :func:`~sklearn_emoji.emojis.find_emojis`; repeats such as
       ``[哈哈][哈哈]`` allowed). Replies with two or more distinct emojis
       are never kept: their label would be ambiguous.
    2. ``exclude_groups``: the dialogues of the root posts (groups) in
       ``exclude_groups`` are removed, *before* every rule that counts
       anything, so a held-out thread has no influence at all on the
       dialogues returned: not on the top emojis, not on the word counts of
       the OOV rule, not on balancing. This is what makes a pre-training
       corpus leak-free (see :func:`load_weibo_pretraining`). With
       ``exclude_groups=None`` nothing is removed.
    3. ``top_emojis``: the label is one of the ``n_emojis`` most frequent
       labels, counted over the dialogues of step 2 (ties by emoji string).
       Together with step 1 this reads the paper's "reply sentences contain
       only one of those emojis" strictly: one top emoji and no other emoji.
    4. ``min_turns``: only the last ``max_turns`` turns are kept (ending with
       the reply); dialogues with fewer than ``min_turns`` turns are dropped.
    5. ``max_words``: words are the tokens of
       :func:`sklearn_emoji.text.tokenize` on the emoji-free turns. With
       ``long_turns="drop"`` (the paper) a dialogue with a turn of more than
       ``max_words`` words is dropped; with ``"truncate"`` such turns are cut
       after their first ``max_words`` words instead (their opening holds
       the news headline) and ``filter_counts["truncated_dialogues"]`` says
       how many dialogues had a turn cut.
    6. ``max_oov``: a word is out-of-vocabulary when it occurs fewer than
       ``min_word_freq`` times in the dialogues left after step 4 (every
       occurrence counts, so a root post shared by 100 dialogues counts 100
       times: the same count a tokenizer with ``min_freq=min_word_freq``
       fitted on these dialogues makes). Following the paper's "sentences
       whose ... OOVs percentages are more than 25%", the share is taken
       *per turn*: a dialogue is dropped when any turn has more than
       ``max_oov`` of its words OOV (an empty turn has none).
    7. ``has_text``: a dialogue whose every kept turn is empty (a chain of
       emoji-only replies cut off from its root post by ``max_turns``) is
       dropped: nothing is left to learn from, and the estimators reject
       such input.
    8. ``balance``: every emoji gets as many dialogues as the rarest one
       (random downsampling); emojis left with no dialogue are dropped from
       ``target_names``.
    9. ``n_samples``: a random subset (class-balanced when ``balance``).

    **Cache.** Reading the archive, rebuilding, cleaning and tokenizing take
    about 30-45 s the first time (measured on 2 shared CPU cores; see
    ``benchmarks/bench_datasets.py``); the result (45 MB, with the reply
    corpus of :func:`load_weibo_replies`) is pickled into the private folder
    ``parsed/`` (mode 0700; files 0600) of ``$SKLEARN_EMOJI_CACHE`` (default
    ``~/.cache/sklearn_emoji``), keyed by the source's path, size and
    modification time, the code of the parsing, cleaning and emoji modules
    and a format version, and written atomically. A pickle runs code when it is
    loaded, so a cache file that is not yours or that others could write is
    never read; one that is unreadable or has the wrong shape is rebuilt.
    Later loads take about 0.5 s whatever the filter parameters, which are
    applied after the cache.

    With the defaults the full corpus gives 19,190 dialogues (1,919 per
    emoji); ``filter_counts``: 184,026 replies with one distinct emoji,
    87,870 with a top-10 emoji, 38,015 without a turn over 50 words, 29,263
    after the OOV rule, 29,012 with some text, 19,190 after balancing. With
    ``long_turns="truncate"``: 87,870 / 68,945 after the OOV rule / 68,694 /
    43,320 (4,332 per emoji).

    Parameters
    ----------
    n_emojis : int, default=10
        Number of most frequent emojis used as labels.
    max_turns : int or None, default=4
        Most turns kept per dialogue (the most recent ones, ending with the
        reply). None keeps the whole chain.
    min_turns : int, default=1
        Fewest turns (after ``max_turns``), e.g. 2 or 3 for multi-turn only.
    min_word_freq : int, default=30
        Words seen fewer times are out-of-vocabulary (1: no OOV).
    max_words : int or None, default=50
        Longest turn in words (None: no limit).
    max_oov : float or None, default=0.25
        Largest share of OOV words in a turn (None: no limit).
    long_turns : {"drop", "truncate"}, default="drop"
        What to do with a dialogue that has a turn over ``max_words`` words.
    balance : bool, default=True
        Downsample every emoji to the count of the rarest one.
    n_samples : int or None, default=None
        Keep a random subset of this size after filtering (handy for tests
        and examples). None keeps all.
    random_state : int, RandomState instance or None, default=0
        Seeds the balancing and the subset.
    exclude_groups : array-like of str or None, default=None
        Root post ids (the values of ``groups``) whose dialogues are removed
        before any other rule that counts (filtering step 2), typically
        ``groups[test_idx]`` of a split of the data you evaluate on. Ids
        that are not root posts of the corpus are ignored (so the ids of
        another selection, or of a subset, can be passed as they are).
        ``filter_counts["exclude_groups"]`` is the number of dialogues left,
        and ``DESCR`` says how many were removed.
    data_home : str or path-like, default=None
        See :func:`get_data_home`.
    download_if_missing : bool, default=True
        Download the source when none is found: from a mirror of the data home
        (``base_url``) the checksum-verified ``CED_Dataset.tar.gz``, else the
        public GitHub zip (:data:`WEIBO_URL`; GitHub builds it on request, so
        its bytes are not fixed and it is not checksum-verified).
    base_url : str, default=None
        URL of a mirror of the data home layout; defaults to the environment
        variable ``SKLEARN_EMOJI_BASE_URL``.
    cache : bool, default=True
        Read and write the parsed-data cache.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    verbose : bool, default=None
        Show progress bars; default: when stderr is a terminal.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data``: list of dialogues, each a list of str turns (oldest first,
        the reply last, emojis removed); ``target``: object array of emoji
        strings (e.g. ``"[哈哈]"``); ``target_names``: the emojis kept, most
        frequent first; ``groups``: str array, the root post's id of each
        dialogue (for :class:`~sklearn.model_selection.GroupKFold`);
        ``target_counts``: int array, how many times the reply held its
        emoji (``[哈哈][哈哈]`` gives 2; the lexicon model learns these);
        ``filter_counts``: dict of dialogues left after each rule;
        ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    TypeError
        ``exclude_groups`` is not None nor an array-like of str.
    DataNotFoundError
        No source found and ``download_if_missing=False``.
    DataFileError
        A corrupt archive or JSON member, or a failed download; the message
        names the file.

    Examples
    --------
    >>> from sklearn_emoji.datasets import load_weibo_dialogues
    >>> bunch = load_weibo_dialogues(n_samples=100)
    >>> len(bunch.data), len(bunch.target_names)
    (100, 10)
    >>> all(len(d) <= 4 for d in bunch.data)
    True
    """
    bunch, _, _ = _load_dialogues(
        n_emojis=n_emojis,
        max_turns=max_turns,
        min_turns=min_turns,
        min_word_freq=min_word_freq,
        max_words=max_words,
        max_oov=max_oov,
        long_turns=long_turns,
        balance=balance,
        n_samples=n_samples,
        random_state=random_state,
        exclude_groups=exclude_groups,
        data_home=data_home,
        download_if_missing=download_if_missing,
        base_url=base_url,
        cache=cache,
        verbose=verbose,
    )
    return (bunch.data, bunch.target) if return_X_y else bunch


def _load_dialogues(
    *,
    n_emojis,
    max_turns,
    min_turns,
    min_word_freq,
    max_words,
    max_oov,
    long_turns,
    balance,
    n_samples,
    random_state,
    exclude_groups,
    data_home,
    download_if_missing,
    base_url,
    cache,
    verbose,
):
    """:func:`load_weibo_dialogues` as a Bunch, with the parsed form and the excluded groups' indices it read."""
    for name, value, low, none_ok in [
        ("n_emojis", n_emojis, 1, False),
        ("max_turns", max_turns, 1, True),
        ("min_turns", min_turns, 1, False),
        ("min_word_freq", min_word_freq, 1, False),
        ("max_words", max_words, 1, True),
        ("n_samples", n_samples, 1, True),
    ]:
        _check_int(name, value, low, none_ok)
    if max_turns is not None and min_turns > max_turns:
        raise ValueError(f"min_turns={min_turns} is more than max_turns={max_turns}")
    if max_oov is not None and (
        isinstance(max_oov, bool) or not isinstance(max_oov, numbers.Real) or not 0 <= max_oov <= 1
    ):
        raise ValueError(f"max_oov must be a float in [0, 1] or None, got {max_oov!r}")
    exclude = _check_groups("exclude_groups", exclude_groups)

    verbose = _default_verbose(verbose)
    home = get_data_home(data_home)
    source = _find_source(home, download_if_missing, base_url, verbose)
    parsed = _load_parsed(source, cache=cache, verbose=verbose)
    check_has_dialogues(parsed, source)
    exclude_idx = _group_index(parsed, exclude)
    rules = dict(
        n_emojis=n_emojis,
        max_turns=max_turns,
        min_turns=min_turns,
        min_word_freq=min_word_freq,
        max_words=max_words,
        max_oov=max_oov,
        long_turns=long_turns,
        balance=balance,
        n_samples=n_samples,
    )
    data, target, target_names, groups, target_counts, counts = _select(
        parsed, random_state=random_state, exclude_idx=exclude_idx, **rules
    )
    descr = _DESCR.format(
        source=source,
        **parsed["stats"],
        **rules,
        random_state=_describe_random_state(random_state),
        counts="\n".join(f"- {k}: {v:,}" for k, v in counts.items()),
        n_labels=len(target_names),
        labels=" ".join(target_names),
        exclusion=_describe_exclusion(
            exclude,
            exclude_idx,
            counts["replies_with_one_emoji"] - counts["exclude_groups"],
            "dialogues",
        ),
    )
    bunch = Bunch(
        data=data,
        target=target,
        target_names=target_names,
        groups=groups,
        target_counts=target_counts,
        filter_counts=counts,
        DESCR=descr,
    )
    return bunch, parsed, exclude_idx


# --------------------------------------------------------------------------
# Pre-training corpora (transfer learning)
# --------------------------------------------------------------------------
def load_weibo_pretraining(
    *,
    n_emojis=64,
    max_turns=4,
    max_words=50,
    exclude_groups=None,
    n_samples=None,
    random_state=0,
    several_emojis=False,
    data_home=None,
    download_if_missing=True,
    base_url=None,
    cache=True,
    return_X_y=False,
    verbose=None,
):
    """Load the distant-supervision corpus for pre-training dialogue encoders.

    These are the Weibo dialogues of :func:`load_weibo_dialogues` selected
    for pre-training rather than for evaluation: a dialogue is kept when its
    reply holds exactly one distinct emoji and that emoji is one of the
    ``n_emojis`` most frequent ones (64 by default, many more than the
    paper's 10); the classes are *not* balanced (their natural frequencies
    are kept, so the common emojis dominate); turns over ``max_words`` words
    are truncated instead of dropping their dialogue; and there is no OOV
    rule. It is exactly::

        load_weibo_dialogues(n_emojis=n_emojis, max_turns=max_turns,
                             min_word_freq=1, max_words=max_words,
                             max_oov=None, long_turns="truncate",
                             balance=False, exclude_groups=exclude_groups, ...)

    so there is one selection code path, and the Bunch is the same.

    With the defaults the full corpus gives 165,838 dialogues with 64
    labels, from 16,788 for the most frequent (``[哈哈]``, 10 %) down to 324
    for the rarest (``filter_counts``: 166,400 with a top-64 emoji, 95,954
    of them with a turn cut, 165,838 with some text).

    **Leak-free by construction.** The corpus shares root posts (threads)
    with the dialogues you evaluate on. Pass the groups of your test part as
    ``exclude_groups``: the dialogues of those threads are then removed
    before the top emojis are chosen, so nothing of a test thread is seen in
    pre-training::

        target = load_weibo_dialogues()
        split = GroupShuffleSplit(test_size=0.2, random_state=0)
        train_idx, test_idx = next(split.split(target.data, groups=target.groups))
        pre = load_weibo_pretraining(exclude_groups=target.groups[test_idx])

    On the full corpus, excluding the 309 test threads (20 % of the 1,545
    root posts) of that split of the default :func:`load_weibo_dialogues`
    removes 21,758 dialogues first and leaves 146,035. A thread is a root
    post id; a few rumours were posted under several ids (168 root posts
    share their text with another), so 10 of the 2,672 distinct test
    dialogues of that split still have an identical twin in another thread,
    as they have in the training part of any split by groups.

    Parameters
    ----------
    n_emojis : int, default=64
        Number of most frequent emojis used as labels, counted after the
        exclusion.
    max_turns : int or None, default=4
        Most turns kept per dialogue (the most recent ones, ending with the
        reply). None keeps the whole chain.
    max_words : int or None, default=50
        Turns longer than this (in words of
        :func:`sklearn_emoji.text.tokenize`) are cut after their first
        ``max_words`` words. None: no limit.
    exclude_groups : array-like of str or None, default=None
        Root post ids whose dialogues are removed first (see
        :func:`load_weibo_dialogues`); ids not in the corpus are ignored.
    n_samples : int or None, default=None
        Keep a random subset of this size (not class-balanced). None keeps
        all.
    random_state : int, RandomState instance or None, default=0
        Seeds the subset.
    several_emojis : bool, default=False
        Also keep the dialogues whose reply holds several distinct emojis,
        at least one of them a label, as soft targets: the reply's
        distinct labels share its target evenly (``[哈哈]...[泪]`` is half
        each; emojis that are not labels are left out, so one label among
        them is a hard target). They come after the one-emoji dialogues,
        under the same turn window, truncation and has-text rules; the
        labels are still the ``n_emojis`` most frequent emojis of the
        one-emoji replies, and ``n_samples`` draws from all. The Bunch then
        also has ``target_proba`` (float32, ``(n_dialogues,
        len(target_names))``, one-hot rows for one-emoji replies), for
        :func:`~sklearn_emoji.pretraining.pretrain_encoder`; ``target`` is
        the label the reply repeats most (ties: the more frequent label).
        Without the canonical split's test threads, the 18,788 replies with
        several emojis give 17,655 more dialogues (12 % more than the
        146,035 of one emoji).
    data_home, download_if_missing, base_url, cache, return_X_y, verbose
        As in :func:`load_weibo_dialogues`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        As :func:`load_weibo_dialogues`: ``data``, ``target``,
        ``target_names`` (most frequent first), ``groups``,
        ``target_counts``, ``filter_counts``, ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True

    See Also
    --------
    load_weibo_replies : the unlabelled replies, for word vectors.

    Examples
    --------
    >>> from sklearn_emoji.datasets import load_weibo_pretraining
    >>> pre = load_weibo_pretraining(n_samples=1000)
    >>> len(pre.data), len(pre.target_names) > 10
    (1000, True)
    >>> pre.filter_counts["balance"] == pre.filter_counts["has_text"]  # unbalanced
    True
    """
    if not isinstance(several_emojis, (bool, np.bool_)):
        raise TypeError(f"several_emojis must be True or False, got {several_emojis!r}")
    result, parsed, exclude_idx = _load_dialogues(
        n_emojis=n_emojis,
        max_turns=max_turns,
        min_turns=1,
        min_word_freq=1,
        max_words=max_words,
        max_oov=None,
        long_turns="truncate",
        balance=False,
        n_samples=None if several_emojis else n_samples,
        random_state=random_state,
        exclude_groups=exclude_groups,
        data_home=data_home,
        download_if_missing=download_if_missing,
        base_url=base_url,
        cache=cache,
        verbose=verbose,
    )
    if several_emojis:
        result = _with_several_emojis(result, parsed, exclude_idx, max_turns, max_words, n_samples, random_state)
    if return_X_y:
        return result.data, result.target
    result.DESCR = _PRETRAINING_DESCR.format(n_emojis=n_emojis, max_words=max_words) + result.DESCR
    return result


def _with_several_emojis(result, parsed, exclude_idx, max_turns, max_words, n_samples, random_state):
    """``result`` (one-emoji dialogues, all of them) with the several-emoji ones after it, then subsampled."""
    from ._selection import _select_several

    names = result.target_names
    data, proba, target, groups, repeats, counts = _select_several(
        parsed, names, exclude_idx, max_turns, max_words, truncate=max_words is not None
    )
    one_hot = (np.asarray(result.target)[:, None] == np.asarray(names)[None, :]).astype(np.float32)
    X = list(result.data) + data
    y = np.concatenate([np.asarray(result.target, dtype=object), target])
    P = np.vstack([one_hot, proba])
    G = np.concatenate([np.asarray(result.groups, dtype=str), groups])
    R = np.concatenate([np.asarray(result.target_counts, dtype=np.int64), repeats])
    filter_counts = dict(result.filter_counts)
    filter_counts.pop("n_samples", None)
    filter_counts.update({f"several_emojis_{k}": v for k, v in counts.items()})
    keep = np.arange(len(X))
    if n_samples is not None and n_samples < len(X):
        keep = np.sort(check_random_state(random_state).permutation(len(X))[:n_samples])
    filter_counts["n_samples"] = int(len(keep))
    return Bunch(
        data=[X[i] for i in keep],
        target=y[keep],
        target_proba=P[keep],
        target_names=names,
        groups=G[keep],
        target_counts=R[keep],
        filter_counts=filter_counts,
        DESCR=result.DESCR + f"\nSeveral emojis: {len(data):,} dialogues whose reply holds several distinct emojis, "
        "at least one a label, added as soft targets (``target_proba``).\n",
    )


def load_weibo_replies(
    *,
    exclude_groups=None,
    min_chars=1,
    n_samples=None,
    random_state=0,
    data_home=None,
    download_if_missing=True,
    base_url=None,
    cache=True,
    verbose=None,
):
    """Load the unlabelled Weibo replies, for word vectors.

    Every repost/comment of the CED Weibo reply trees (the source of
    :func:`load_weibo_dialogues`), cleaned with
    :func:`sklearn_emoji.text.clean_text`, with every emoji removed by
    :func:`sklearn_emoji.emojis.strip_emojis`; a reply empty after either
    step (a plain repost, an emoji-only answer) is dropped. There is one
    entry per reply, duplicates included (word counts need them), in corpus
    order (root posts by id, then the order of their repost file). Root
    posts themselves are not included.

    The full corpus has 740,316 replies that are non-empty after cleaning;
    657,358 of them are still non-empty once their emojis are removed (the
    other 82,958 held nothing but emojis), and that is what this loader
    returns by default (503,657 distinct texts). Weibo's default repost text
    (``转发微博``) is a reply like any other and is kept.

    The texts come from the same parse cache as the dialogues, so a load
    takes about a second once the cache is built.

    **Leak-free.** Pass the groups of your test part as ``exclude_groups``
    so that no reply of a test thread reaches the word vectors (see
    :func:`load_weibo_pretraining` for the recipe).

    Parameters
    ----------
    exclude_groups : array-like of str or None, default=None
        Root post ids whose replies are left out; ids that are not root
        posts of the corpus are ignored.
    min_chars : int, default=1
        Fewest characters a reply must keep after cleaning and emoji removal.
    n_samples : int or None, default=None
        Keep a random subset of this size (in corpus order). None keeps all.
    random_state : int, RandomState instance or None, default=0
        Seeds the subset.
    data_home, download_if_missing, base_url, cache, verbose
        As in :func:`load_weibo_dialogues`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data``: list of str, the emoji-free replies; ``groups``: str
        array, the root post's id of each reply; ``DESCR``.

    Raises
    ------
    TypeError
        ``exclude_groups`` is not None nor an array-like of str.
    ValueError
        ``min_chars`` or ``n_samples`` is not a positive int.

    See Also
    --------
    load_weibo_pretraining : the emoji-labelled dialogues for pre-training.

    Examples
    --------
    >>> from sklearn_emoji.datasets import load_weibo_replies
    >>> replies = load_weibo_replies(n_samples=100)
    >>> len(replies.data), len(replies.groups)
    (100, 100)
    >>> all(isinstance(t, str) and t for t in replies.data)
    True
    """
    _check_int("min_chars", min_chars, 1)
    _check_int("n_samples", n_samples, 1, allow_none=True)
    exclude = _check_groups("exclude_groups", exclude_groups)

    verbose = _default_verbose(verbose)
    home = get_data_home(data_home)
    source = _find_source(home, download_if_missing, base_url, verbose)
    parsed = _load_parsed(source, cache=cache, verbose=verbose)
    exclude_idx = _group_index(parsed, exclude)

    texts = parsed["reply_texts"]
    tids, rgroups = parsed["reply_tids"], parsed["reply_groups"]
    keep = ~np.isin(rgroups, exclude_idx)
    n_removed = int(len(keep) - keep.sum())
    if min_chars > 1:
        long_enough = np.fromiter((len(t) >= min_chars for t in texts), bool, len(texts))
        keep &= long_enough[tids]
    sel = np.flatnonzero(keep)
    if n_samples is not None and n_samples < len(sel):
        rng = check_random_state(random_state)
        sel = np.sort(rng.choice(sel, n_samples, replace=False))
    data = [texts[t] for t in tids[sel]]
    keys = np.asarray(parsed["keys"], dtype=str)
    groups = keys[rgroups[sel]] if len(sel) else np.array([], dtype=str)
    descr = _REPLIES_DESCR.format(
        source=source,
        **parsed["stats"],
        exclusion=_describe_exclusion(exclude, exclude_idx, n_removed, "replies"),
        min_chars=min_chars,
        n_samples=n_samples,
        random_state=_describe_random_state(random_state),
        n=len(data),
    )
    return Bunch(data=data, groups=groups, DESCR=descr)
