"""Reading the CED archive and parsing it into the cached arrays.

The expensive part of the Weibo loaders (:mod:`._weibo`): the JSON members of
the CED reply trees are read from an archive or folder, every reply is cleaned,
its dialogue (chain of ancestors) rebuilt and its text tokenized, once; the
result is a dict of lists and flat NumPy arrays (the *parsed form*) that
:mod:`._selection` filters cheaply. Here too: the name of its cache file (keyed
by the source and by the code of this module, the cleaning and the emoji
modules) and the shape checks a cached copy must pass.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import numbers
import re
import stat
import sys
import tarfile
import zipfile
import zlib
from array import array
from pathlib import Path, PurePosixPath

import emoji as _emoji
import jieba
import numpy as np
from tqdm import tqdm

from .. import emojis as _emojis_module
from .. import text as _text_module
from ..emojis import find_emojis, strip_emojis
from ..text import clean_text, tokenize
from ..text._jieba import dictionary_fingerprint
from ._base import DataFileError, DataNotFoundError, _cache_path

_ROOT_DIR = "original-microblog"
_REPOST_DIRS = ("rumor-repost", "non-rumor-repost")

#: Bump when the parsed format or the rebuilding rules change.
#: 3: the emoji-free text of every reply (``reply_*``), for load_weibo_replies.
#: 4: one cache file per source path, the source's and the code's signature inside.
#: 5: the dialogues of replies with several distinct emojis (``multi_*``), for soft targets.
_FORMAT_VERSION = 5

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


_FILE_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}
_TAR_KINDS = {
    tarfile.SYMTYPE: "a symbolic link",
    tarfile.LNKTYPE: "a hard link",
    tarfile.FIFOTYPE: "a FIFO",
    tarfile.CHRTYPE: "a character device",
    tarfile.BLKTYPE: "a block device",
}


def _not_regular(where, kind):
    return DataFileError(
        f"{where} is {kind}, not a regular file; a CED member must be a plain JSON file. Remove it, "
        f"or replace the source with a good copy"
    )


#: The largest CED member read, in bytes. The real archive's largest is 185 kB (6,775 members, 185 MB
#: in all); a member over this is refused before it is read (a crafted 6.5 MB archive held one of 1.5 GB).
MAX_MEMBER_BYTES = 64 * 2**20


def _check_size(where, size):
    if size > MAX_MEMBER_BYTES:
        raise DataFileError(
            f"{where} is {size:,} bytes, over the limit of {MAX_MEMBER_BYTES:,} for one CED member (the largest "
            "real one is about 185 kB); it was not read. Replace the source with a good copy of the CED archive"
        )


def _iter_members(path):
    """Yield ``(kind, key, member_name, raw_bytes)`` for each CED JSON file.

    A member named like a CED JSON file that is not a regular file (a FIFO,
    a device, a link inside a tar archive) is refused by name and never
    opened: reading a FIFO would block forever. So is one larger than
    :data:`MAX_MEMBER_BYTES` (by the size the archive declares, which is
    also all that is read of it).
    """
    path = Path(path)
    if path.is_dir():
        for f in sorted(path.rglob("*.json")):
            c = _classify(f.relative_to(path).as_posix())
            if c is None:
                continue
            st = f.stat()  # follows symbolic links, like the read below
            if not stat.S_ISREG(st.st_mode):
                raise _not_regular(f, _FILE_KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file"))
            _check_size(f, st.st_size)
            yield (*c, str(f), f.read_bytes())
    elif path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                c = _classify(info.filename)
                if c is not None and not info.is_dir():
                    _check_size(f"{path}: member {info.filename}", info.file_size)
                    yield (*c, info.filename, zf.read(info))
    else:
        with tarfile.open(path, "r:*") as tf:
            for m in tf:
                c = _classify(m.name)
                if c is None or m.isdir():
                    continue
                if not m.isfile():
                    raise _not_regular(f"{path}: member {m.name}", _TAR_KINDS.get(m.type, "not a regular file"))
                _check_size(f"{path}: member {m.name}", m.size)
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
        for kind, key, member, raw in tqdm(it, desc="Reading CED", unit=" files", disable=not verbose):  # noqa: B007
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
    except DataFileError:
        raise
    except RecursionError as exc:
        raise DataFileError(
            f"{path}: member {member} is nested too deeply to be read as JSON (a CED member is an object "
            f"or a flat list of objects); {todo}"
        ) from exc
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
class _Rebuilder:
    """The parsed form under construction: distinct texts, dialogues, the reply corpus, counts.

    :func:`_parse_ced` feeds it one thread at a time (:meth:`add_thread`),
    then tokenizes the distinct turn texts (:meth:`tokenize`) and takes the
    arrays (:meth:`parsed`).
    """

    def __init__(self, n_roots, n_repost_files):
        self.texts, self.text_id = [], {}
        # One str object per distinct text, shared by the turns and the reply
        # corpus, so the pickled cache holds each text once.
        self.pool = {}
        self.emoji_id, self.emoji_names = {}, []
        self.dlg_ptr, self.dlg_tids = array("q", [0]), array("i")
        self.labels, self.groups = array("i"), array("i")
        self.repeats = array("i")  # how many times the reply holds its emoji
        # Replies with several distinct emojis: their dialogues and emojis (with counts), kept apart.
        self.multi_ptr, self.multi_tids, self.multi_groups = array("q", [0]), array("i"), array("i")
        self.multi_emo_ptr, self.multi_emo_ids, self.multi_emo_counts = array("q", [0]), array("i"), array("i")
        # The reply corpus: every reply non-empty after cleaning and emoji removal.
        self.reply_texts, self.reply_id = [], {}
        self.reply_tids, self.reply_groups = array("i"), array("i")
        self.vocab, self.tok_ptr, self.tok_ids = [], array("q", [0]), array("i")
        self.stats = dict(
            root_posts=n_roots,
            repost_files=n_repost_files,
            items=0,
            nonempty_replies=0,
            nonempty_replies_without_emojis=0,
            replies_with_emoji=0,
            replies_with_one_emoji=0,
            unknown_parents=0,
            missing_roots=0,
            max_depth=0,
        )

    def intern(self, cleaned):
        """The id of the emoji-free turn text of a cleaned text."""
        s = strip_emojis(cleaned) if _may_hold_emoji(cleaned) else cleaned
        s = self.pool.setdefault(s, s)
        tid = self.text_id.get(s)
        if tid is None:
            tid = self.text_id[s] = len(self.texts)
            self.texts.append(s)
        return tid

    def _parents(self, items):
        """Index of each item's parent item, -1 for the root (no parent, or an unknown mid)."""
        index = {}
        for i, (mid, _, _) in enumerate(items):
            if mid:
                index.setdefault(mid, i)
        parent = [-1] * len(items)
        for i, (_, par, _) in enumerate(items):
            if par:
                p = index.get(par, -1)
                if p < 0:
                    self.stats["unknown_parents"] += 1  # treated as a reply to the root
                parent[i] = p
        return parent

    def _add_reply_text(self, text, g):
        s = self.pool.setdefault(text, text)
        rid = self.reply_id.get(s)
        if rid is None:
            rid = self.reply_id[s] = len(self.reply_texts)
            self.reply_texts.append(s)
        self.reply_tids.append(rid)
        self.reply_groups.append(g)

    def _label(self, emo):
        lab = self.emoji_id.get(emo)
        if lab is None:
            lab = self.emoji_id[emo] = len(self.emoji_names)
            self.emoji_names.append(emo)
        return lab

    def add_thread(self, g, root_text, items):
        """The dialogues and reply texts of thread ``g``: its root text (None: missing) and repost items."""
        stats = self.stats
        stats["items"] += len(items)
        if not items:
            return
        if root_text is not None:
            root_clean = clean_text(root_text)
            root_tid = self.intern(root_clean) if root_clean else -1
        else:
            stats["missing_roots"] += 1
            root_tid = -1
        parent = self._parents(items)
        cleaned = [None] * len(items)
        tids = [None] * len(items)  # -1: empty after cleaning

        def tid_of(i):
            t = tids[i]
            if t is None:
                c = cleaned[i]
                if c is None:
                    c = cleaned[i] = clean_text(items[i][2]) if items[i][2] else ""
                t = tids[i] = self.intern(c) if c else -1
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
                self._add_reply_text(s, g)
            if not hint:
                continue
            found_list = find_emojis(c)
            found = set(found_list)
            if not found:
                continue
            stats["replies_with_emoji"] += 1
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
            if len(found) != 1:
                # first appearance order; the label ids of one-emoji replies come first
                distinct = list(dict.fromkeys(found_list))
                self.multi_tids.extend(chain)
                self.multi_ptr.append(len(self.multi_tids))
                self.multi_groups.append(g)
                self.multi_emo_ids.extend(self._label(e) for e in distinct)
                self.multi_emo_counts.extend(found_list.count(e) for e in distinct)
                self.multi_emo_ptr.append(len(self.multi_emo_ids))
                continue
            stats["replies_with_one_emoji"] += 1
            (emo,) = found
            lab = self._label(emo)
            stats["max_depth"] = max(stats["max_depth"], len(chain))
            self.dlg_tids.extend(chain)
            self.dlg_ptr.append(len(self.dlg_tids))
            self.labels.append(lab)
            self.repeats.append(len(found_list))
            self.groups.append(g)

    def tokenize(self, verbose=False):
        """Tokenize every distinct turn text once, into one vocabulary."""
        vocab_id = {}
        for s in tqdm(self.texts, desc="Tokenizing", disable=not verbose):
            for tok in tokenize(s):
                v = vocab_id.get(tok)
                if v is None:
                    v = vocab_id[tok] = len(self.vocab)
                    self.vocab.append(tok)
                self.tok_ids.append(v)
            self.tok_ptr.append(len(self.tok_ids))

    def parsed(self, keys):
        """The parsed form (see :func:`_parse_ced`)."""

        def arr(a, dtype):
            return np.frombuffer(a, dtype=dtype).copy()

        stats = self.stats
        stats["distinct_turn_texts"] = len(self.texts)
        stats["nonempty_replies_without_emojis"] = len(self.reply_tids)
        stats["distinct_reply_texts"] = len(self.reply_texts)
        return dict(
            version=_FORMAT_VERSION,
            texts=self.texts,
            tok_ptr=arr(self.tok_ptr, np.int64),
            tok_ids=arr(self.tok_ids, np.int32),
            vocab=self.vocab,
            dlg_ptr=arr(self.dlg_ptr, np.int64),
            dlg_tids=arr(self.dlg_tids, np.int32),
            labels=arr(self.labels, np.int32),
            repeats=arr(self.repeats, np.int32),
            emojis=self.emoji_names,
            groups=arr(self.groups, np.int32),
            keys=keys,
            reply_texts=self.reply_texts,
            reply_tids=arr(self.reply_tids, np.int32),
            reply_groups=arr(self.reply_groups, np.int32),
            multi_ptr=arr(self.multi_ptr, np.int64),
            multi_tids=arr(self.multi_tids, np.int32),
            multi_groups=arr(self.multi_groups, np.int32),
            multi_emo_ptr=arr(self.multi_emo_ptr, np.int64),
            multi_emo_ids=arr(self.multi_emo_ids, np.int32),
            multi_emo_counts=arr(self.multi_emo_counts, np.int32),
            stats=stats,
        )


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

    Steps: read the members (:func:`_read_ced`), rebuild each thread's
    dialogues (:class:`_Rebuilder`), tokenize the distinct turn texts. A
    source that gives neither a dialogue nor a reply text is refused by name.
    """
    roots, reposts = _read_ced(path, verbose=verbose)
    keys = sorted(set(roots) | set(reposts))
    build = _Rebuilder(len(roots), len(reposts))
    for g, key in enumerate(tqdm(keys, desc="Rebuilding dialogues", disable=not verbose)):
        build.add_thread(g, roots.get(key), reposts.get(key, []))
    if not build.reply_texts and not build.labels:
        raise DataFileError(
            f"{path} holds no usable reply: its {len(roots)} root post(s) and {len(reposts)} repost file(s) "
            "give no dialogue and no reply text; replace it with a good copy of the CED archive"
        )
    build.tokenize(verbose=verbose)
    return build.parsed(keys)


def check_has_dialogues(parsed, source):
    """Refuse a parsed source without a dialogue (a reply holding exactly one emoji), naming it."""
    if not len(parsed["labels"]):
        stats = parsed["stats"]
        raise DataFileError(
            f"{source} holds no dialogue: none of its {stats['nonempty_replies']} replies holds exactly one emoji "
            f"({stats['root_posts']} root posts, {stats['repost_files']} repost files read); "
            "replace it with a good copy of the CED archive"
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
    """What the parsed form depends on: this parser, cleaning, emojis, and jieba with its dictionary.

    The tokens of every turn are stored, so a jieba dictionary changed by
    ``jieba.add_word`` or ``jieba.load_userdict`` makes the cache stale, like
    a change of the code.
    """
    h = hashlib.sha1()
    files = [Path(sys.modules[__name__].__file__), Path(_emojis_module.__file__)]
    files += sorted(Path(_text_module.__file__).parent.glob("*.py"))  # the text package
    for f in files:
        try:
            h.update(f.read_bytes())
        except OSError:  # pragma: no cover
            h.update(str(f).encode())
    h.update(f"{_emoji.__version__}|{jieba.__version__}|{_FORMAT_VERSION}|{dictionary_fingerprint()}".encode())
    return h.hexdigest()


def _cache_file(path):
    """The cache file of the source ``path`` (None when the cache folder is unusable).

    One file per source path: a parsed form that is out of date (the source
    or the code changed, see :func:`_signature`) is rebuilt in place, so
    stale caches do not pile up.
    """
    h = hashlib.sha1(str(Path(path).resolve()).encode())
    return _cache_path(f"weibo_ced_v{_FORMAT_VERSION}_{h.hexdigest()[:20]}.pkl")


def _signature(path):
    """What a cached parsed form of ``path`` was made from: the source's files and the code's version."""
    h = hashlib.sha1()
    h.update(_source_signature(Path(path).resolve()).encode())
    h.update(_code_signature().encode())
    return h.hexdigest()


_OLD_CACHE = re.compile(r"weibo_ced_v(\d+)_[0-9a-f]{20}\.pkl")


def _remove_old_caches(cache_file):
    """Remove the cache files of earlier formats beside ``cache_file`` (in the private cache folder).

    Formats before 4 named a file by the source's and the code's signature,
    so every change of either left a file of about 45 MB behind.
    """
    with contextlib.suppress(OSError):
        for f in Path(cache_file).parent.iterdir():
            m = _OLD_CACHE.fullmatch(f.name)
            if m and int(m.group(1)) < _FORMAT_VERSION and f.is_file() and not f.is_symlink():
                with contextlib.suppress(OSError):
                    f.unlink()


#: The parsed form: key -> (type, NumPy dtype of an array or None).
_PARSED_FIELDS = {
    "version": (int, None),
    "texts": (list, None),
    "vocab": (list, None),
    "emojis": (list, None),
    "keys": (list, None),
    "reply_texts": (list, None),
    "stats": (dict, None),
    "tok_ptr": (np.ndarray, np.int64),
    "tok_ids": (np.ndarray, np.int32),
    "dlg_ptr": (np.ndarray, np.int64),
    "dlg_tids": (np.ndarray, np.int32),
    "labels": (np.ndarray, np.int32),
    "repeats": (np.ndarray, np.int32),
    "groups": (np.ndarray, np.int32),
    "reply_tids": (np.ndarray, np.int32),
    "reply_groups": (np.ndarray, np.int32),
    "multi_ptr": (np.ndarray, np.int64),
    "multi_tids": (np.ndarray, np.int32),
    "multi_groups": (np.ndarray, np.int32),
    "multi_emo_ptr": (np.ndarray, np.int64),
    "multi_emo_ids": (np.ndarray, np.int32),
    "multi_emo_counts": (np.ndarray, np.int32),
}
#: Statistics the descriptions print.
_PARSED_STATS = (
    "root_posts",
    "repost_files",
    "items",
    "nonempty_replies",
    "nonempty_replies_without_emojis",
    "replies_with_emoji",
    "replies_with_one_emoji",
    "unknown_parents",
    "missing_roots",
    "max_depth",
    "distinct_turn_texts",
    "distinct_reply_texts",
)


def _check_parsed(obj):
    """Why ``obj`` is not a parsed form of this version (None if it is one).

    Checks the version, every field's type and dtype, and that the pointer
    and index arrays fit the lists they point into, so a cache that unpickles
    but has the wrong shape is rebuilt instead of failing on every load.
    """
    if not isinstance(obj, dict):
        return f"a {type(obj).__name__}, not the parsed form"
    if obj.get("version") != _FORMAT_VERSION:
        return f"format version {obj.get('version')!r}, not {_FORMAT_VERSION}"
    for key, (kind, dtype) in _PARSED_FIELDS.items():
        value = obj.get(key)
        if not isinstance(value, kind) or (dtype is not None and (value.dtype != dtype or value.ndim != 1)):
            return f"field {key!r} is missing or of the wrong type"
    missing = [k for k in _PARSED_STATS if not isinstance(obj["stats"].get(k), numbers.Integral)]
    if missing:
        return f"statistics {missing} are missing"

    def pointers(ptr, n_rows, target):
        return len(ptr) == n_rows + 1 and ptr[0] == 0 and ptr[-1] == len(target) and np.all(np.diff(ptr) >= 0)

    def indices(ids, n):
        return len(ids) == 0 or (ids.min() >= 0 and ids.max() < n)

    o = obj
    n_dialogues = len(o["labels"])
    checks = [
        ("tok_ptr", pointers(o["tok_ptr"], len(o["texts"]), o["tok_ids"])),
        ("tok_ids", indices(o["tok_ids"], len(o["vocab"]))),
        ("dlg_ptr", pointers(o["dlg_ptr"], n_dialogues, o["dlg_tids"])),
        ("dlg_tids", indices(o["dlg_tids"], len(o["texts"]))),
        ("labels", indices(o["labels"], len(o["emojis"]))),
        ("repeats", len(o["repeats"]) == n_dialogues),
        ("groups", len(o["groups"]) == n_dialogues and indices(o["groups"], len(o["keys"]))),
        ("reply_tids", indices(o["reply_tids"], len(o["reply_texts"]))),
        ("reply_groups", len(o["reply_groups"]) == len(o["reply_tids"]) and indices(o["reply_groups"], len(o["keys"]))),
        ("multi_ptr", pointers(o["multi_ptr"], len(o["multi_groups"]), o["multi_tids"])),
        ("multi_tids", indices(o["multi_tids"], len(o["texts"]))),
        ("multi_groups", indices(o["multi_groups"], len(o["keys"]))),
        ("multi_emo_ptr", pointers(o["multi_emo_ptr"], len(o["multi_groups"]), o["multi_emo_ids"])),
        ("multi_emo_ids", indices(o["multi_emo_ids"], len(o["emojis"]))),
        ("multi_emo_counts", len(o["multi_emo_counts"]) == len(o["multi_emo_ids"])),
    ]
    bad = [name for name, ok in checks if not ok]
    return f"inconsistent fields {bad}" if bad else None
