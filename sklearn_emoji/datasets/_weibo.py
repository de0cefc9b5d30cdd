"""Weibo dialogues rebuilt from the CED reply trees (Xie et al., 2016 preprocessing)."""

from __future__ import annotations

import hashlib
import json
import numbers
import tarfile
import textwrap
import zipfile
import zlib
from array import array
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

import emoji as _emoji
import jieba
import numpy as np
from sklearn.utils import Bunch, check_random_state
from tqdm import tqdm

from .. import emojis as _emojis_module
from .. import text as _text_module
from ..emojis import find_emojis, strip_emojis
from ..text import clean_text, tokenize
from ._base import (
    DataFileError,
    DataNotFoundError,
    _cache_load,
    _cache_save,
    _default_verbose,
    _fetch,
    _mirror_url,
    get_cache_home,
    get_data_home,
)

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
_ROOT_DIR = "original-microblog"
_REPOST_DIRS = ("rumor-repost", "non-rumor-repost")

#: Bump when the parsed format or the rebuilding rules change.
#: 3: the emoji-free text of every reply (``reply_*``), for load_weibo_replies.
_FORMAT_VERSION = 3

# A text can hold an emoji only if it holds one of these characters: "[" (a
# bracket code), the first character of a Unicode emoji, or U+20E3 (keycaps,
# whose first character is an ASCII digit, "#" or "*"). Skipping the other
# texts avoids the slow full emoji scan for most of the corpus.
_EMOJI_HINT = frozenset({"[", "\u20e3"} | {k[0] for k in _emoji.EMOJI_DATA if not k[0].isascii()})


def _may_hold_emoji(text):
    return not _EMOJI_HINT.isdisjoint(text)


# --------------------------------------------------------------------------
# Reading the archive
# --------------------------------------------------------------------------
def _classify(name):
    """(kind, key) for a member path, or None if it is not a CED JSON file."""
    p = PurePosixPath(name.replace("\\", "/"))
    if p.suffix != ".json" or p.name.startswith("._") or "__MACOSX" in p.parts or len(p.parts) < 2:
        return None
    folder = p.parts[-2]
    if folder == _ROOT_DIR:
        return "root", p.stem
    if folder in _REPOST_DIRS:
        return "repost", p.stem
    return None


def _iter_members(path):
    """Yield ``(kind, key, member_name, raw_bytes)`` for each CED JSON file."""
    path = Path(path)
    if path.is_dir():
        for f in sorted(path.rglob("*.json")):
            c = _classify(f.relative_to(path).as_posix())
            if c is not None:
                yield (*c, str(f), f.read_bytes())
    elif path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                c = _classify(info.filename)
                if c is not None and not info.is_dir():
                    yield (*c, info.filename, zf.read(info))
    else:
        with tarfile.open(path, "r:*") as tf:
            for m in tf:
                c = _classify(m.name)
                if c is not None and m.isfile():
                    yield (*c, m.name, tf.extractfile(m).read())


def _read_ced(path, verbose=False):
    """Read root texts and repost lists from an archive or folder.

    Returns ``roots`` (key -> root text) and ``reposts`` (key -> list of
    ``(mid, parent, text)``). Raises :class:`DataFileError` naming the file.
    """
    roots, reposts = {}, {}
    todo = "delete it so it is downloaded again, or replace it with a good copy"
    member = None
    try:
        it = _iter_members(path)
        for kind, key, member, raw in tqdm(it, desc="Reading CED", unit=" files", disable=not verbose):
            obj = json.loads(raw.decode("utf-8"))
            if kind == "root":
                if not isinstance(obj, dict):
                    raise ValueError("a root post must be a JSON object")
                roots[key] = str(obj.get("text") or "")
            else:
                if not isinstance(obj, list):
                    raise ValueError("a repost file must be a JSON list")
                reposts[key] = [
                    (
                        str(d.get("mid") or ""),
                        str(d.get("parent") or ""),
                        str(d.get("text") or ""),
                    )
                    for d in obj
                ]
    except (
        tarfile.TarError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
    ) as exc:
        if isinstance(exc, FileNotFoundError) and not Path(path).exists():
            raise DataNotFoundError(f"{path} does not exist") from exc
        raise DataFileError(
            f"{path} is not a readable CED archive or folder ({type(exc).__name__}: {exc}); {todo}"
        ) from exc
    except (UnicodeDecodeError, ValueError, AttributeError, TypeError) as exc:
        raise DataFileError(
            f"{path}: member {member} is not valid CED JSON ({type(exc).__name__}: {exc}); {todo}"
        ) from exc
    if not roots and not reposts:
        raise DataFileError(
            f"{path} holds no CED_Dataset/{{original-microblog,rumor-repost,non-rumor-repost}}/*.json files; {todo}"
        )
    return roots, reposts


# --------------------------------------------------------------------------
# Rebuilding dialogues (the expensive, cached part)
# --------------------------------------------------------------------------
def _parse_ced(path, verbose=False):
    """Parse a CED source into the cached form (see :func:`_select` for its use).

    Every reply (repost item) that is non-empty after :func:`clean_text` and
    whose cleaned text holds exactly one distinct emoji gives one dialogue:
    the chain of its ancestors (following ``parent``; ``""`` or an unknown mid
    means the root post), skipping ancestors that are empty after cleaning,
    oldest first. Turns are stored emoji-stripped and tokenized once per
    distinct text.

    Every reply also gives one entry of the unlabelled reply corpus
    (``reply_texts``, ``reply_tids``, ``reply_groups``; see
    :func:`load_weibo_replies`): its cleaned, emoji-stripped text, when that
    is non-empty. These texts are not tokenized (the corpus is for word
    vectors, whose tokenizer is the user's choice).
    """
    roots, reposts = _read_ced(path, verbose=verbose)
    texts, text_id = [], {}
    # One str object per distinct text, shared by the turns and the reply
    # corpus, so the pickled cache holds each text once.
    pool = {}

    def intern(cleaned):
        s = strip_emojis(cleaned) if _may_hold_emoji(cleaned) else cleaned
        s = pool.setdefault(s, s)
        tid = text_id.get(s)
        if tid is None:
            tid = text_id[s] = len(texts)
            texts.append(s)
        return tid

    keys = sorted(set(roots) | set(reposts))
    emoji_id, emoji_names = {}, []
    dlg_ptr, dlg_tids, labels, groups = array("q", [0]), array("i"), array("i"), array("i")
    repeats = array("i")  # how many times the reply holds its emoji
    # The reply corpus: every reply non-empty after cleaning and emoji removal.
    reply_texts, reply_id = [], {}
    reply_tids, reply_groups = array("i"), array("i")
    stats = dict(
        root_posts=len(roots),
        repost_files=len(reposts),
        items=0,
        nonempty_replies=0,
        nonempty_replies_without_emojis=0,
        replies_with_emoji=0,
        replies_with_one_emoji=0,
        unknown_parents=0,
        missing_roots=0,
        max_depth=0,
    )
    for g, key in enumerate(tqdm(keys, desc="Rebuilding dialogues", disable=not verbose)):
        items = reposts.get(key, [])
        stats["items"] += len(items)
        if not items:
            continue
        if key in roots:
            root_clean = clean_text(roots[key])
            root_tid = intern(root_clean) if root_clean else -1
        else:
            stats["missing_roots"] += 1
            root_tid = -1
        index = {}
        for i, (mid, _, _) in enumerate(items):
            if mid:
                index.setdefault(mid, i)
        parent = [-1] * len(items)
        for i, (_, par, _) in enumerate(items):
            if par:
                p = index.get(par, -1)
                if p < 0:
                    stats["unknown_parents"] += 1  # treated as a reply to the root
                parent[i] = p
        cleaned = [None] * len(items)
        tids = [None] * len(items)  # -1: empty after cleaning

        def tid_of(i):
            t = tids[i]
            if t is None:
                c = cleaned[i]
                if c is None:
                    c = cleaned[i] = clean_text(items[i][2]) if items[i][2] else ""
                t = tids[i] = intern(c) if c else -1
            return t

        for i, (_, _, raw) in enumerate(items):
            if not raw:
                continue
            c = cleaned[i]
            if c is None:
                c = cleaned[i] = clean_text(raw)
            if not c:
                continue
            stats["nonempty_replies"] += 1
            hint = _may_hold_emoji(c)
            s = strip_emojis(c) if hint else c
            if s:
                s = pool.setdefault(s, s)
                rid = reply_id.get(s)
                if rid is None:
                    rid = reply_id[s] = len(reply_texts)
                    reply_texts.append(s)
                reply_tids.append(rid)
                reply_groups.append(g)
            if not hint:
                continue
            found_list = find_emojis(c)
            found = set(found_list)
            if not found:
                continue
            stats["replies_with_emoji"] += 1
            if len(found) != 1:
                continue
            stats["replies_with_one_emoji"] += 1
            (emo,) = found
            lab = emoji_id.get(emo)
            if lab is None:
                lab = emoji_id[emo] = len(emoji_names)
                emoji_names.append(emo)
            chain = [tid_of(i)]
            seen = {i}
            p = parent[i]
            while p >= 0 and p not in seen:  # guard against cycles
                seen.add(p)
                t = tid_of(p)
                if t >= 0:
                    chain.append(t)
                p = parent[p]
            if root_tid >= 0:
                chain.append(root_tid)
            chain.reverse()
            stats["max_depth"] = max(stats["max_depth"], len(chain))
            dlg_tids.extend(chain)
            dlg_ptr.append(len(dlg_tids))
            labels.append(lab)
            repeats.append(len(found_list))
            groups.append(g)

    vocab, vocab_id = [], {}
    tok_ptr, tok_ids = array("q", [0]), array("i")
    for s in tqdm(texts, desc="Tokenizing", disable=not verbose):
        for tok in tokenize(s):
            v = vocab_id.get(tok)
            if v is None:
                v = vocab_id[tok] = len(vocab)
                vocab.append(tok)
            tok_ids.append(v)
        tok_ptr.append(len(tok_ids))
    stats["distinct_turn_texts"] = len(texts)
    stats["nonempty_replies_without_emojis"] = len(reply_tids)
    stats["distinct_reply_texts"] = len(reply_texts)
    return dict(
        version=_FORMAT_VERSION,
        texts=texts,
        tok_ptr=np.frombuffer(tok_ptr, dtype=np.int64).copy(),
        tok_ids=np.frombuffer(tok_ids, dtype=np.int32).copy(),
        vocab=vocab,
        dlg_ptr=np.frombuffer(dlg_ptr, dtype=np.int64).copy(),
        dlg_tids=np.frombuffer(dlg_tids, dtype=np.int32).copy(),
        labels=np.frombuffer(labels, dtype=np.int32).copy(),
        repeats=np.frombuffer(repeats, dtype=np.int32).copy(),
        emojis=emoji_names,
        groups=np.frombuffer(groups, dtype=np.int32).copy(),
        keys=keys,
        reply_texts=reply_texts,
        reply_tids=np.frombuffer(reply_tids, dtype=np.int32).copy(),
        reply_groups=np.frombuffer(reply_groups, dtype=np.int32).copy(),
        stats=stats,
    )


def _source_signature(path):
    """Size and mtime of the source (every JSON file of a folder)."""
    path = Path(path)
    if path.is_dir():
        parts = [
            f"{f.relative_to(path).as_posix()}:{st.st_size}:{st.st_mtime_ns}"
            for f in sorted(path.rglob("*.json"))
            for st in [f.stat()]
        ]
        return "dir\n" + "\n".join(parts)
    st = path.stat()
    return f"file:{st.st_size}:{st.st_mtime_ns}"


def _code_signature():
    """Versions of the code the parsed form depends on (cleaning, emojis, jieba)."""
    h = hashlib.sha1()
    for mod in (_text_module, _emojis_module):
        try:
            h.update(Path(mod.__file__).read_bytes())
        except OSError:  # pragma: no cover
            h.update(mod.__name__.encode())
    h.update(f"{_emoji.__version__}|{jieba.__version__}|{_FORMAT_VERSION}".encode())
    return h.hexdigest()


def _cache_file(path):
    path = Path(path).resolve()
    h = hashlib.sha1()
    h.update(str(path).encode())
    h.update(_source_signature(path).encode())
    h.update(_code_signature().encode())
    return get_cache_home() / f"weibo_ced_v{_FORMAT_VERSION}_{h.hexdigest()[:20]}.pkl"


def _load_parsed(path, cache=True, verbose=False):
    """The parsed form of ``path``, from the cache when it is fresh."""
    if not cache:
        return _parse_ced(path, verbose=verbose)
    cfile = _cache_file(path)
    parsed = _cache_load(cfile)
    if isinstance(parsed, dict) and parsed.get("version") == _FORMAT_VERSION:
        return parsed
    parsed = _parse_ced(path, verbose=verbose)
    _cache_save(cfile, parsed)
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


# --------------------------------------------------------------------------
# The cheap filters (applied after the cache)
# --------------------------------------------------------------------------
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


def _describe_exclusion(exclude, found, removed, what):
    """A DESCR paragraph on ``exclude_groups``."""
    head = "Held-out threads (exclude_groups): "
    if not exclude:
        return head + "none."
    return textwrap.fill(
        f"{head}{len(exclude):,} group ids given, {len(found):,} of them root "
        f"posts of the corpus (the others are ignored); their {removed:,} {what} "
        f"were removed first.",
        width=79,
    )


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
    labels = parsed["labels"]
    ptr = parsed["dlg_ptr"]
    tok_ptr, tok_ids = parsed["tok_ptr"], parsed["tok_ids"]
    emojis = parsed["emojis"]
    counts = {}
    counts["replies_with_one_emoji"] = int(len(labels))
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

    n_all = np.diff(ptr)
    n_turns = n_all if max_turns is None else np.minimum(n_all, max_turns)
    keep &= n_turns >= min_turns
    counts["min_turns"] = int(keep.sum())

    # Turns of the candidate dialogues (the last n_turns of each chain).
    cand = np.flatnonzero(keep)
    c_nt = n_turns[cand]
    c_start = ptr[cand + 1] - c_nt
    turn_tids = parsed["dlg_tids"][_ranges(c_start, c_nt)]
    turn_off = np.cumsum(c_nt) - c_nt

    n_texts = len(tok_ptr) - 1
    tok_len = np.diff(tok_ptr)
    truncate = long_turns == "truncate" and max_words is not None
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
    sel = cand[ok]

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

    # Build the output.
    texts, vocab = parsed["texts"], parsed["vocab"]
    truncated = {}

    def turn_text(t):
        if truncate and tok_len[t] > max_words:
            s = truncated.get(t)
            if s is None:
                toks = [vocab[v] for v in tok_ids[tok_ptr[t] : tok_ptr[t + 1]]]
                s = truncated[t] = _truncate_text(texts[t], toks, max_words)
            return s
        return texts[t]

    data = []
    for i in sel:
        start = ptr[i + 1] - n_turns[i]
        data.append([turn_text(t) for t in parsed["dlg_tids"][start : ptr[i + 1]]])
    emoji_arr = np.array(emojis, dtype=object)
    target = emoji_arr[labels[sel]] if len(sel) else np.array([], dtype=object)
    final = set(labels[sel].tolist())
    target_names = np.array([emojis[e] for e in top if e in final], dtype=object)
    keys = np.asarray(parsed["keys"], dtype=str)
    groups = keys[parsed["groups"][sel]] if len(sel) else np.array([], dtype=str)
    target_counts = parsed["repeats"][sel].astype(np.int64)
    return data, target, target_names, groups, target_counts, counts


_DESCR = """\
Weibo dialogues with emoji labels (CED reply trees)
---------------------------------------------------

Multi-turn Chinese dialogues rebuilt from the reply trees of the CED rumour
dataset (Song et al., "CED: Credible Early Detection of Social Media Rumors",
arXiv:1811.04175, 2018; https://github.com/thunlp/Chinese_Rumor_Dataset), with the
preprocessing of Xie et al. (2016), "Neural Emoji Recommendation in Dialogue
Systems". Each sample is a dialogue (root post, non-empty ancestors, reply;
oldest first, emojis removed); its label is the one emoji of the reply. Root
posts are news and rumours rather than chit-chat. Dialogues of one root post
are related: split by ``groups`` (e.g. GroupKFold) for a fair held-out estimate.

Source: {source}
Corpus: {root_posts:,} root posts; {items:,} reposts/comments, of which
{nonempty_replies:,} are non-empty after cleaning, {replies_with_emoji:,} hold an
emoji and {replies_with_one_emoji:,} exactly one distinct emoji; {unknown_parents:,}
name a parent that is not in their file (treated as replies to the root).

Parameters: n_emojis={n_emojis}, max_turns={max_turns}, min_turns={min_turns},
min_word_freq={min_word_freq}, max_words={max_words}, max_oov={max_oov},
long_turns={long_turns!r}, balance={balance}, n_samples={n_samples},
random_state={random_state}.

{exclusion}

Dialogues left after each rule (``filter_counts``):
{counts}

Labels ({n_labels}): {labels}
"""


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
    corpus of :func:`load_weibo_replies`) is pickled
    to ``$SKLEARN_EMOJI_CACHE`` (default ``~/.cache/sklearn_emoji``), keyed by
    the source's path, size and modification time, the code of the cleaning
    and emoji modules and a format version, and written atomically. Later
    loads take about 0.5 s whatever the filter parameters, which are applied
    after the cache.

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
    if long_turns not in ("drop", "truncate"):
        raise ValueError(f"long_turns must be 'drop' or 'truncate', got {long_turns!r}")
    exclude = _check_groups("exclude_groups", exclude_groups)

    verbose = _default_verbose(verbose)
    home = get_data_home(data_home)
    source = _find_source(home, download_if_missing, base_url, verbose)
    parsed = _load_parsed(source, cache=cache, verbose=verbose)
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
    if return_X_y:
        return data, target
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
    return Bunch(
        data=data,
        target=target,
        target_names=target_names,
        groups=groups,
        target_counts=target_counts,
        filter_counts=counts,
        DESCR=descr,
    )


# --------------------------------------------------------------------------
# Pre-training corpora (transfer learning)
# --------------------------------------------------------------------------
_PRETRAINING_DESCR = """\
Weibo distant-supervision pre-training corpus
---------------------------------------------

The dialogues of load_weibo_dialogues under the distant-supervision rules:
any of the {n_emojis} most frequent emojis labels a dialogue, no class
balancing, long turns truncated after {max_words} words, no OOV rule. Meant
for pre-training the dialogue encoders, then fine-tuning on the balanced
dialogues; pass the test part's groups as exclude_groups to keep it
leak-free.

"""


def load_weibo_pretraining(
    *,
    n_emojis=64,
    max_turns=4,
    max_words=50,
    exclude_groups=None,
    n_samples=None,
    random_state=0,
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
    result = load_weibo_dialogues(
        n_emojis=n_emojis,
        max_turns=max_turns,
        min_turns=1,
        min_word_freq=1,
        max_words=max_words,
        max_oov=None,
        long_turns="truncate",
        balance=False,
        n_samples=n_samples,
        random_state=random_state,
        exclude_groups=exclude_groups,
        data_home=data_home,
        download_if_missing=download_if_missing,
        base_url=base_url,
        cache=cache,
        return_X_y=return_X_y,
        verbose=verbose,
    )
    if not return_X_y:
        result.DESCR = _PRETRAINING_DESCR.format(n_emojis=n_emojis, max_words=max_words) + result.DESCR
    return result


_REPLIES_DESCR = """\
Weibo replies, unlabelled (CED reply trees)
-------------------------------------------

Every reply (repost or comment) of the CED Weibo reply trees (Song et al.,
2018; https://github.com/thunlp/Chinese_Rumor_Dataset) that is non-empty after
cleaning (user names, reply prefixes, repost chains, URLs) and emoji removal,
one entry per reply, in corpus order. Unlabelled text for word vectors or
language-model pre-training; root posts are not included. ``groups`` is the
root post's id of each reply.

Source: {source}
Corpus: {items:,} reposts/comments, {nonempty_replies:,} non-empty after
cleaning, {nonempty_replies_without_emojis:,} still non-empty once their emojis
are removed ({distinct_reply_texts:,} distinct texts).

{exclusion}

Parameters: min_chars={min_chars}, n_samples={n_samples},
random_state={random_state}.

Replies returned: {n:,}.
"""


def _describe_random_state(random_state):
    if random_state is None or isinstance(random_state, numbers.Integral):
        return random_state
    return type(random_state).__name__


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
