"""Selecting Weibo dialogues from the parsed CED form (Xie et al., 2016 preprocessing).

The cheap part of the Weibo loaders, applied to the cached parsed form of
:mod:`._ced` on every load: held-out threads, the top-N emojis, the turn
window, the word-count and OOV rules (dropping or truncating long turns),
balancing and subsampling; and the checks of the loaders' parameters.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping

import numpy as np
from sklearn.utils import check_random_state

from ..text import remember_tokens


def _check_int(name, value, low, allow_none=False):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        what = f"an int >= {low}" + (" or None" if allow_none else "")
        raise ValueError(f"{name} must be {what}, got {value!r}")


def _check_groups(name, value):
    """The distinct group ids of ``value`` (None or an array-like of str), sorted."""
    if value is None:
        return []
    what = f"{name} must be None or an array-like of str group ids (root post ids, as in bunch.groups)"
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(f"{what}, got {type(value).__name__}")
    if isinstance(value, np.ndarray) and value.ndim != 1:
        raise TypeError(f"{what}, got a {value.ndim}-d array")
    ids = list(value)
    for v in ids:
        if not isinstance(v, str):
            raise TypeError(f"{what}, got an element {v!r} of type {type(v).__name__}")
    return sorted(set(ids))


def _group_index(parsed, exclude):
    """Indices (into ``parsed["keys"]``) of the ids of ``exclude`` in the corpus."""
    if not exclude:
        return np.zeros(0, dtype=np.int64)
    keys = np.asarray(parsed["keys"], dtype=str)
    ex = np.asarray(exclude, dtype=str)
    return np.flatnonzero(np.isin(keys, ex))


def _ranges(start, length):
    """Concatenate ``arange(s, s + l)`` for every pair (vectorised)."""
    total = int(length.sum())
    offsets = np.cumsum(length) - length
    return np.arange(total) - np.repeat(offsets - start, length)


def _truncate_text(text, tokens, k):
    """The prefix of ``text`` that ends with its ``k``-th token."""
    low = text.lower()
    if len(low) != len(text):  # pragma: no cover - exotic case mappings
        return " ".join(tokens[:k])
    pos = 0
    for tok in tokens[:k]:
        j = low.find(tok, pos)
        if j < 0:  # pragma: no cover - tokens are substrings of the text
            return " ".join(tokens[:k])
        pos = j + len(tok)
    return text[:pos].rstrip()


def _select(
    parsed,
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
    exclude_idx=None,
):
    """Apply the selection rules to the parsed form, in the paper's order; the loaders' arrays and counts.

    Returns ``(data, target, target_names, groups, target_counts, counts)``,
    ``counts`` holding the number of dialogues left after each rule.
    """
    labels = parsed["labels"]
    counts = {"replies_with_one_emoji": int(len(labels))}
    keep, top = _top_emojis(parsed, exclude_idx, n_emojis, counts)
    n_all = np.diff(parsed["dlg_ptr"])
    n_turns = n_all if max_turns is None else np.minimum(n_all, max_turns)
    keep &= n_turns >= min_turns
    counts["min_turns"] = int(keep.sum())
    cand = np.flatnonzero(keep)
    truncate = long_turns == "truncate" and max_words is not None
    sel = cand[_word_rules(parsed, cand, n_turns, min_word_freq, max_words, max_oov, truncate, counts)]
    sel = _balance_and_sample(labels, sel, top, balance, n_samples, random_state, counts)
    data = _dialogues(parsed, sel, n_turns, max_words if truncate else None)
    emoji_arr = np.array(parsed["emojis"], dtype=object)
    target = emoji_arr[labels[sel]] if len(sel) else np.array([], dtype=object)
    final = set(labels[sel].tolist())
    target_names = np.array([parsed["emojis"][e] for e in top if e in final], dtype=object)
    keys = np.asarray(parsed["keys"], dtype=str)
    groups = keys[parsed["groups"][sel]] if len(sel) else np.array([], dtype=str)
    target_counts = parsed["repeats"][sel].astype(np.int64)
    return data, target, target_names, groups, target_counts, counts


def _top_emojis(parsed, exclude_idx, n_emojis, counts):
    """The dialogues outside the held-out threads whose emoji is among the ``n_emojis`` most frequent; those emojis."""
    labels, emojis = parsed["labels"], parsed["emojis"]
    # Held-out threads go first: every later rule (the top emojis, the word
    # counts of the OOV rule, balancing) sees only the dialogues left here.
    if exclude_idx is not None and len(exclude_idx):
        allowed = ~np.isin(parsed["groups"], exclude_idx)
    else:
        allowed = np.ones(len(labels), dtype=bool)
    counts["exclude_groups"] = int(allowed.sum())
    cnt = np.bincount(labels[allowed], minlength=len(emojis))
    order = sorted(range(len(emojis)), key=lambda e: (-cnt[e], emojis[e]))
    top = [e for e in order[:n_emojis] if cnt[e] > 0]
    keep = allowed & np.isin(labels, top)
    counts["top_emojis"] = int(keep.sum())
    return keep, top


def _word_rules(parsed, cand, n_turns, min_word_freq, max_words, max_oov, truncate, counts):
    """Which candidate dialogues pass the long-turn, OOV and has-text rules (a mask over ``cand``)."""
    ptr, tok_ptr, tok_ids = parsed["dlg_ptr"], parsed["tok_ptr"], parsed["tok_ids"]
    # Turns of the candidate dialogues (the last n_turns of each chain).
    c_nt = n_turns[cand]
    c_start = ptr[cand + 1] - c_nt
    turn_tids = parsed["dlg_tids"][_ranges(c_start, c_nt)]
    turn_off = np.cumsum(c_nt) - c_nt

    n_texts = len(tok_ptr) - 1
    tok_len = np.diff(tok_ptr)
    kept_len = np.minimum(tok_len, max_words) if truncate else tok_len

    # Word frequencies over the candidate dialogues, every occurrence counted
    # (a root post shared by many dialogues counts once per dialogue), on the
    # turns as they are returned (truncated when long_turns="truncate").
    mult = np.bincount(turn_tids, minlength=n_texts)
    tok_text = np.repeat(np.arange(n_texts), tok_len)
    tok_pos = np.arange(len(tok_ids)) - tok_ptr[:-1][tok_text]
    weight = mult[tok_text] * (tok_pos < kept_len[tok_text])
    freq = np.bincount(tok_ids, weights=weight, minlength=len(parsed["vocab"]))
    oov_cum = np.concatenate([[0], np.cumsum(freq[tok_ids] < min_word_freq)])
    n_oov = oov_cum[tok_ptr[:-1] + kept_len] - oov_cum[tok_ptr[:-1]]

    def any_turn(flags):
        if len(cand) == 0:
            return np.zeros(0, dtype=bool)
        return np.logical_or.reduceat(flags, turn_off)

    long_turn = np.zeros(len(turn_tids), dtype=bool) if max_words is None else tok_len[turn_tids] > max_words
    has_long = any_turn(long_turn)
    if truncate:
        counts["truncated_dialogues"] = int(has_long.sum())
        ok = np.ones(len(cand), dtype=bool)
    else:
        ok = ~has_long
    counts["max_words"] = int(ok.sum())
    if max_oov is not None:
        bad = n_oov[turn_tids] > max_oov * kept_len[turn_tids]
        ok &= ~any_turn(bad)
    counts["max_oov"] = int(ok.sum())
    # A dialogue whose every kept turn is empty (a chain of emoji-only replies
    # cut off from its root post by max_turns) holds nothing to learn from.
    ok &= any_turn(kept_len[turn_tids] > 0)
    counts["has_text"] = int(ok.sum())
    return ok


def _balance_and_sample(labels, sel, top, balance, n_samples, random_state, counts):
    """The selected dialogues balanced (as many of each emoji) and subsampled."""
    rng = check_random_state(random_state)
    present = [e for e in top if np.any(labels[sel] == e)]
    if balance and present:
        per = [sel[labels[sel] == e] for e in present]
        m = min(len(p) for p in per)
        sel = np.sort(np.concatenate([rng.choice(p, m, replace=False) for p in per]))
    counts["balance"] = int(len(sel))

    if n_samples is not None and n_samples < len(sel):
        perm = rng.permutation(sel)
        if balance:  # keep the classes equal: take them in turns
            lab = labels[perm]
            rank = np.empty(len(perm), dtype=np.int64)
            for e in present:
                where = np.flatnonzero(lab == e)
                rank[where] = np.arange(len(where))
            cls = np.array([present.index(x) for x in lab], dtype=np.int64)
            perm = perm[np.lexsort((cls, rank))]
        sel = np.sort(perm[:n_samples])
    counts["n_samples"] = int(len(sel))
    return sel


def _dialogues(parsed, sel, n_turns, max_words):
    """The turns of the selected dialogues (cut after ``max_words`` tokens unless None); their tokens remembered."""
    ptr, tok_ptr, tok_ids = parsed["dlg_ptr"], parsed["tok_ptr"], parsed["tok_ids"]
    texts, vocab = parsed["texts"], parsed["vocab"]
    tok_len = np.diff(tok_ptr)
    truncate = max_words is not None
    truncated = {}

    def turn_text(t):
        if truncate and tok_len[t] > max_words:
            s = truncated.get(t)
            if s is None:
                toks = [vocab[v] for v in tok_ids[tok_ptr[t] : tok_ptr[t + 1]]]
                s = truncated[t] = _truncate_text(texts[t], toks, max_words)
            return s
        return texts[t]

    data, kept = [], set()
    for i in sel:
        start = ptr[i + 1] - n_turns[i]
        tids = parsed["dlg_tids"][start : ptr[i + 1]]
        data.append([turn_text(t) for t in tids])
        kept.update(int(t) for t in tids if not (truncate and tok_len[t] > max_words))
    # The parse tokenized every turn with `tokenize`: hand those tokens to the
    # memoised default tokenizer, so pipelines do not tokenize them again.
    remember_tokens((texts[t] for t in kept), ([vocab[v] for v in tok_ids[tok_ptr[t] : tok_ptr[t + 1]]] for t in kept))
    return data


def _select_several(parsed, target_names, exclude_idx, max_turns, max_words, truncate):
    """The dialogues of replies with several distinct emojis, some among ``target_names``: soft targets.

    The same turn window, truncation and has-text rules as the one-emoji
    dialogues of :func:`load_weibo_pretraining` (no OOV rule). A reply's
    target spreads evenly over its distinct emojis that are labels
    (``[哈哈]...[泪]`` gives 0.5 each; an emoji outside the labels is
    dropped, so a reply with one label among its emojis is a hard target).

    Returns ``(data, proba, target, groups, repeats, counts)``: ``proba`` is
    ``(n, len(target_names))`` float32, rows summing to 1; ``target`` the
    label with most occurrences in the reply (ties: the more frequent label)
    and ``repeats`` its number of occurrences.
    """
    names = list(parsed["emojis"])
    column = {names.index(str(t)): j for j, t in enumerate(target_names)}
    groups_all = parsed["multi_groups"]
    n = len(groups_all)
    counts = {"replies": int(n)}
    allowed = np.ones(n, dtype=bool)
    if exclude_idx is not None and len(exclude_idx):
        allowed = ~np.isin(groups_all, exclude_idx)
    counts["exclude_groups"] = int(allowed.sum())
    emo_ptr, emo_ids, emo_counts = parsed["multi_emo_ptr"], parsed["multi_emo_ids"], parsed["multi_emo_counts"]
    is_label = np.isin(emo_ids, list(column))
    n_labels = np.add.reduceat(is_label.astype(np.int64), emo_ptr[:-1]) if n else np.zeros(0, dtype=np.int64)
    keep = allowed & (n_labels > 0)
    counts["with_a_label"] = int(keep.sum())
    view = {**parsed, "dlg_ptr": parsed["multi_ptr"], "dlg_tids": parsed["multi_tids"]}
    n_all = np.diff(view["dlg_ptr"])
    n_turns = n_all if max_turns is None else np.minimum(n_all, max_turns)
    cand = np.flatnonzero(keep)
    scratch = {}
    ok = _word_rules(view, cand, n_turns, 1, max_words, None, truncate, scratch)
    sel = cand[ok]
    counts["has_text"] = scratch["has_text"]
    data = _dialogues(view, sel, n_turns, max_words if truncate else None)
    proba = np.zeros((len(sel), len(target_names)), dtype=np.float32)
    target = np.empty(len(sel), dtype=object)
    repeats = np.zeros(len(sel), dtype=np.int64)
    for row, i in enumerate(sel):
        ids, reps = emo_ids[emo_ptr[i] : emo_ptr[i + 1]], emo_counts[emo_ptr[i] : emo_ptr[i + 1]]
        cols = [(column[e], r) for e, r in zip(ids.tolist(), reps.tolist()) if e in column]
        for j, _ in cols:
            proba[row, j] = 1.0 / len(cols)
        j, repeats[row] = min(cols, key=lambda c: (-c[1], c[0]))
        target[row] = target_names[j]
    keys = np.asarray(parsed["keys"], dtype=str)
    groups = keys[groups_all[sel]] if len(sel) else np.array([], dtype=str)
    return data, proba, target, groups, repeats, counts
