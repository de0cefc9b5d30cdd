"""Tests of sklearn_emoji.datasets on the real data in ../shared/data.

The full Weibo corpus is parsed at most once per session (the first load
fills the parse cache: $SKLEARN_EMOJI_CACHE or ~/.cache/sklearn_emoji, in its
private parsed/ folder); every later full load reads that cache. Tests that
write caches or data use tmp folders. Faults (bad downloads, hostile caches,
corrupt files) are in test_faults.py.
"""

import functools
import http.server
import io
import json
import os
import pickle
import re
import shutil
import tarfile
import threading
from collections import Counter

import numpy as np
import pytest
from _ced_data import read_ced_subset, write_folder, write_zip
from sklearn.model_selection import GroupKFold, GroupShuffleSplit

from sklearn_emoji.datasets import (
    DataFileError,
    DataNotFoundError,
    _ced,
    _weibo,
    get_data_home,
    load_tweeteval_emoji,
    load_weibo_dialogues,
    load_weibo_pretraining,
    load_weibo_replies,
)
from sklearn_emoji.emojis import find_emojis
from sklearn_emoji.text import tokenize

TOP10 = {"[哈哈]", "[泪]", "[吃惊]", "[怒]", "[偷笑]", "[蜡烛]", "[汗]", "[嘻嘻]", "[爱你]", "[衰]"}
TWEETEVAL_FILES = ["mapping.txt", "val_text.txt", "val_labels.txt"]
# Cheap settings for the tiny handmade / subset archives: no word filters.
LOOSE = dict(min_word_freq=1, max_words=None, max_oov=None, balance=False)


@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    """A private parse cache, so a test never touches the user's one."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("SKLEARN_EMOJI_CACHE", str(cache))
    return cache


@pytest.fixture(scope="session")
def weibo_default(data_home):
    """The default (paper) load of the full corpus; parses once, then cached."""
    return load_weibo_dialogues(verbose=False)


# --------------------------------------------------------------------------
# Data home
# --------------------------------------------------------------------------
def test_get_data_home_order(tmp_path, monkeypatch):
    monkeypatch.setenv("SKLEARN_EMOJI_DATA", str(tmp_path / "env"))
    assert get_data_home(tmp_path / "arg") == tmp_path / "arg"
    assert get_data_home() == tmp_path / "env"
    monkeypatch.delenv("SKLEARN_EMOJI_DATA")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_data_home() == tmp_path / "sklearn_emoji_data"
    assert not (tmp_path / "sklearn_emoji_data").exists()  # not created
    with pytest.raises(TypeError, match="data_home"):
        get_data_home(3)


# --------------------------------------------------------------------------
# TweetEval
# --------------------------------------------------------------------------
@pytest.mark.parametrize("subset, n", [("train", 45_000), ("validation", 5_000), ("test", 50_000)])
def test_tweeteval_sizes(data_home, subset, n):
    bunch = load_tweeteval_emoji(subset=subset)
    assert len(bunch.data) == len(bunch.target) == n
    assert len(bunch.target_names) == 20
    assert len(set(bunch.target_names)) == 20
    assert set(bunch.target) <= set(bunch.target_names)
    assert all(isinstance(t, str) for t in bunch.data[:100])
    assert bunch.target.dtype == object
    assert subset in bunch.DESCR


def test_tweeteval_labels_and_all(data_home):
    names = load_tweeteval_emoji(subset="validation").target_names
    assert names[0] == "❤" and names[2] == "😂" and names[11] == "🇺🇸"
    X, y = load_tweeteval_emoji(subset="all", return_X_y=True)
    assert len(X) == len(y) == 100_000
    X_val, y_val = load_tweeteval_emoji(subset="validation", return_X_y=True)
    assert X[45_000:50_000] == X_val
    np.testing.assert_array_equal(y[45_000:50_000], y_val)
    # The first validation label is 0 in val_labels.txt.
    assert y_val[0] == "❤"


def test_tweeteval_bad_subset():
    with pytest.raises(ValueError, match="subset"):
        load_tweeteval_emoji(subset="valid")


def _copy_tweeteval(data_home, dest):
    (dest / "tweeteval_emoji").mkdir(parents=True)
    for name in TWEETEVAL_FILES:
        shutil.copy(data_home / "tweeteval_emoji" / name, dest / "tweeteval_emoji" / name)
    return dest / "tweeteval_emoji"


def test_tweeteval_missing_no_download(tmp_path):
    with pytest.raises(DataNotFoundError, match="mapping.txt.*download_if_missing=False"):
        load_tweeteval_emoji(data_home=tmp_path, download_if_missing=False)


@pytest.mark.parametrize(
    "name, content, match",
    [
        ("val_labels.txt", "0\n1\n", r"val_text\.txt has 5000 lines but .*val_labels\.txt has 2"),
        ("val_labels.txt", "0\n" * 4999 + "20\n", r"val_labels\.txt, line 5000: label id 20"),
        ("val_labels.txt", "0\n" * 4999 + "x\n", r"val_labels\.txt, line 5000: 'x'"),
        ("mapping.txt", "0\t❤\tred\n2\t😂\tjoy\n", r"mapping\.txt, line 2"),
    ],
)
def test_tweeteval_corrupt(data_home, tmp_path, name, content, match):
    folder = _copy_tweeteval(data_home, tmp_path)
    (folder / name).write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError, match=match):
        load_tweeteval_emoji(subset="validation", data_home=tmp_path)


# --------------------------------------------------------------------------
# Downloads from a server on 127.0.0.1
# --------------------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_root(tmp_path):
    """Serve ``tmp_path / 'served'`` on 127.0.0.1; yields (folder, base URL)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_tweeteval_download(data_home, tmp_path, http_root):
    served, url = http_root
    _copy_tweeteval(data_home, served)
    home = tmp_path / "home"
    bunch = load_tweeteval_emoji(subset="validation", data_home=home, base_url=url)
    ref = load_tweeteval_emoji(subset="validation")
    assert bunch.data == ref.data
    np.testing.assert_array_equal(bunch.target, ref.target)
    assert sorted(p.name for p in (home / "tweeteval_emoji").iterdir()) == sorted(TWEETEVAL_FILES)


def test_tweeteval_download_env_var(data_home, tmp_path, http_root, monkeypatch):
    served, url = http_root
    _copy_tweeteval(data_home, served)
    monkeypatch.setenv("SKLEARN_EMOJI_BASE_URL", url + "/")
    X, _ = load_tweeteval_emoji("validation", data_home=tmp_path / "h", return_X_y=True)
    assert len(X) == 5000


def test_download_checksum_mismatch_leaves_nothing(data_home, tmp_path, http_root):
    served, url = http_root
    folder = _copy_tweeteval(data_home, served)
    with open(folder / "val_labels.txt", "a") as f:
        f.write("0\n")
    home = tmp_path / "home"
    with pytest.raises(DataFileError, match=r"checksum mismatch for http://127\.0\.0\.1.*val_labels"):
        load_tweeteval_emoji(subset="validation", data_home=home, base_url=url)
    left = sorted(p.name for p in (home / "tweeteval_emoji").iterdir())
    assert left == ["mapping.txt", "val_text.txt"]  # fetched before; no temp file


def test_download_http_error_names_url(tmp_path, http_root):
    _, url = http_root  # serves an empty folder: 404
    with pytest.raises(DataFileError, match=r"could not download http://127\.0\.0\.1.*mapping\.txt") as err:
        load_tweeteval_emoji(data_home=tmp_path / "home", base_url=url)
    # The error names every way to point at the data, and no empty folder is left behind.
    for way in ("data_home=", "SKLEARN_EMOJI_DATA", "SKLEARN_EMOJI_BASE_URL"):
        assert way in str(err.value)
    assert not (tmp_path / "home").exists()


# --------------------------------------------------------------------------
# Weibo: the full corpus (default load, cached)
# --------------------------------------------------------------------------
def test_weibo_default(weibo_default):
    b = weibo_default
    n = len(b.data)
    assert n > 1000
    assert len(b.target) == len(b.groups) == n
    assert b.target.dtype == object
    assert set(b.target) <= TOP10 and set(b.target_names) == TOP10
    counts = Counter(b.target)
    assert len(set(counts.values())) == 1  # balanced
    assert b.filter_counts["balance"] == n
    assert list(b.filter_counts) == [
        "replies_with_one_emoji",
        "exclude_groups",
        "top_emojis",
        "min_turns",
        "max_words",
        "max_oov",
        "has_text",
        "balance",
        "n_samples",
    ]
    values = list(b.filter_counts.values())
    assert values == sorted(values, reverse=True)
    assert f"{n:,}" in b.DESCR
    assert b.groups.dtype.kind == "U" and len(set(b.groups)) > 100
    # How often the reply repeated its emoji: at least once, sometimes more.
    assert b.target_counts.shape == (n,) and b.target_counts.min() == 1
    assert (b.target_counts > 1).mean() > 0.05
    # Emoji-only replies stay (empty reply turn), but every dialogue has text.
    assert any(not d[-1].strip() for d in b.data)
    assert all(any(t.strip() for t in d) for d in b.data)


def test_weibo_default_turns(weibo_default):
    b = weibo_default
    assert all(1 <= len(d) <= 4 for d in b.data)
    assert all(isinstance(t, str) for d in b.data for t in d)
    assert max(len(d) for d in b.data) == 4
    # No emoji left, no turn over 50 words (checked on a sample: tokenizing is slow).
    rng = np.random.RandomState(0)
    for i in rng.choice(len(b.data), 300, replace=False):
        for turn in b.data[i]:
            assert find_emojis(turn) == []
            assert len(tokenize(turn)) <= 50
    assert not any(find_emojis(t) for d in b.data for t in d if "[" in t)


def test_weibo_groups_split(weibo_default):
    b = weibo_default
    train, test = next(GroupKFold(n_splits=5).split(b.data, b.target, b.groups))
    assert not set(b.groups[train]) & set(b.groups[test])


def test_weibo_deterministic_and_return_X_y(weibo_default):
    X, y = load_weibo_dialogues(return_X_y=True, random_state=0)
    assert X == weibo_default.data
    np.testing.assert_array_equal(y, weibo_default.target)
    X1, y1 = load_weibo_dialogues(return_X_y=True, random_state=1)
    assert X1 != X and len(X1) == len(X)


def test_weibo_filters_monotonic(weibo_default):
    base = weibo_default.filter_counts

    def fc(**kw):
        return load_weibo_dialogues(balance=False, **kw).filter_counts

    assert fc(max_words=100)["max_words"] > base["max_words"]
    assert fc(max_oov=0.5)["max_oov"] > base["max_oov"]
    assert fc(min_word_freq=1)["max_oov"] > base["max_oov"]
    assert fc(max_oov=None)["max_oov"] == base["max_words"]
    assert fc(n_emojis=5)["top_emojis"] < base["top_emojis"]
    deep = fc(min_turns=3)
    assert 0 < deep["min_turns"] < base["min_turns"]
    trunc = load_weibo_dialogues(long_turns="truncate")
    assert len(trunc.data) > len(weibo_default.data)
    assert trunc.filter_counts["truncated_dialogues"] > 0
    assert trunc.filter_counts["max_words"] == base["min_turns"]
    # Truncated turns are prefixes of at most 50 words.
    long = [t for d in trunc.data[:3000] for t in d if len(t) > 50]
    assert long and all(len(tokenize(t)) <= 50 for t in long[:50])


def test_weibo_n_samples_balanced(weibo_default):
    b = load_weibo_dialogues(n_samples=50, random_state=3)
    assert len(b.data) == 50 and b.filter_counts["n_samples"] == 50
    assert set(Counter(b.target).values()) == {5}
    index = {tuple(d): True for d in weibo_default.data}
    assert sum(tuple(d) in index for d in b.data) >= 1  # same pool of dialogues


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(n_emojis=0), "n_emojis"),
        (dict(max_turns=1.5), "max_turns"),
        (dict(min_turns=5), "min_turns=5 is more than max_turns=4"),
        (dict(max_oov=1.5), "max_oov"),
        (dict(long_turns="cut"), "long_turns"),
        (dict(n_samples=0), "n_samples"),
    ],
)
def test_weibo_bad_params(kw, match):
    with pytest.raises(ValueError, match=match):
        load_weibo_dialogues(**kw)


# --------------------------------------------------------------------------
# Weibo: rebuilding rules on a handmade corpus
# --------------------------------------------------------------------------
def _write_ced_folder(base, roots, reposts):
    folder = base / "weibo_ced" / "CED_Dataset"
    (folder / "original-microblog").mkdir(parents=True)
    (folder / "rumor-repost").mkdir()
    for key, text in roots.items():
        (folder / "original-microblog" / f"{key}.json").write_text(
            json.dumps({"text": text, "time": 0}, ensure_ascii=False), encoding="utf-8"
        )
    for key, items in reposts.items():
        items = [{"mid": m, "parent": p, "text": t, "uid": "1", "date": "", "kids": []} for m, p, t in items]
        (folder / "rumor-repost" / f"{key}.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return folder


HANDMADE = {
    "roots": {"k1": "今天天气很好[哈哈] @someone http://t.cn/abc"},
    "reposts": {
        "k1": [
            ("a", "", "真的吗[吃惊]"),
            ("b", "a", ""),  # plain repost: skipped in chains
            ("c", "b", "是的[哈哈][哈哈]//@x: 真的吗[吃惊]"),  # quoted emoji ignored
            ("d", "zzz", "不知道[泪]"),  # unknown parent: reply to the root
            ("e", "a", "[哈哈][泪]"),  # two distinct emojis: not a sample
            ("f", "a", "@user"),  # empty after cleaning
            ("g", "f", "[泪]"),  # emoji-only reply: empty reply turn
            ("h", "g", "葡萄柚 [泪]"),
        ]
    },
}


def test_weibo_rebuild_rules(tmp_path, tmp_cache):
    _write_ced_folder(tmp_path, **HANDMADE)
    b = load_weibo_dialogues(data_home=tmp_path, **LOOSE)
    assert b.data == [
        ["今天天气很好", "真的吗"],
        ["今天天气很好", "真的吗", "是的"],
        ["今天天气很好", "不知道"],
        ["今天天气很好", "真的吗", ""],
        ["今天天气很好", "真的吗", "", "葡萄柚"],
    ]
    assert b.target.tolist() == ["[吃惊]", "[哈哈]", "[泪]", "[泪]", "[泪]"]
    assert b.groups.tolist() == ["k1"] * 5
    assert b.target_names.tolist() == ["[泪]", "[吃惊]", "[哈哈]"]  # ties by string
    assert b.filter_counts["replies_with_one_emoji"] == 5
    assert re.search(r"\b1\s+name a parent that is not in their file", b.DESCR)

    b2 = load_weibo_dialogues(data_home=tmp_path, n_emojis=2, max_turns=2, **LOOSE)
    assert b2.target.tolist() == ["[吃惊]", "[泪]", "[泪]", "[泪]"]
    assert b2.data[-1] == ["", "葡萄柚"]
    b3 = load_weibo_dialogues(data_home=tmp_path, min_turns=4, **LOOSE)
    assert b3.data == [["今天天气很好", "真的吗", "", "葡萄柚"]]
    b4 = load_weibo_dialogues(data_home=tmp_path, max_turns=None, min_word_freq=1)
    assert Counter(b4.target) == {"[泪]": 1, "[吃惊]": 1, "[哈哈]": 1}


def test_weibo_word_filters_handmade(tmp_path, tmp_cache):
    _write_ced_folder(tmp_path, **HANDMADE)
    # "葡萄柚" occurs once: OOV with min_word_freq=2.
    b = load_weibo_dialogues(data_home=tmp_path, min_word_freq=2, max_oov=0.0, max_words=None, balance=False)
    assert ["今天天气很好", "真的吗", ""] in b.data
    assert ["今天天气很好", "真的吗", "", "葡萄柚"] not in b.data
    # max_words=1: the root post has more than one word.
    b = load_weibo_dialogues(data_home=tmp_path, max_words=1, max_oov=None, balance=False)
    assert b.filter_counts["max_words"] == 0 and b.data == []
    b = load_weibo_dialogues(
        data_home=tmp_path, max_words=1, max_oov=None, long_turns="truncate", balance=False, min_word_freq=1
    )
    assert len(b.data) == 5 and b.data[0][0] == tokenize("今天天气很好")[0]


def test_weibo_cache(tmp_path, tmp_cache, monkeypatch):
    _write_ced_folder(tmp_path, **HANDMADE)
    first = load_weibo_dialogues(data_home=tmp_path, **LOOSE)
    files = list((tmp_cache / "parsed").glob("*.pkl"))
    assert len(files) == 1 and os.listdir(tmp_cache / "parsed") == [files[0].name]  # no temporary left

    def boom(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(_weibo, "_parse_ced", boom)
    again = load_weibo_dialogues(data_home=tmp_path, n_emojis=1, **LOOSE)  # cached
    assert again.data == [d for d, y in zip(first.data, first.target) if y == "[泪]"]
    # A changed source is parsed again.
    src = tmp_path / "weibo_ced" / "CED_Dataset" / "rumor-repost" / "k1.json"
    os.utime(src, ns=(1, 1))
    with pytest.raises(AssertionError, match="parsed again"):
        load_weibo_dialogues(data_home=tmp_path, **LOOSE)
    # cache=False never reads the cache.
    with pytest.raises(AssertionError, match="parsed again"):
        load_weibo_dialogues(data_home=tmp_path, cache=False, **LOOSE)


def test_weibo_cache_is_one_file_per_source(tmp_path, tmp_cache, monkeypatch):
    _write_ced_folder(tmp_path, **HANDMADE)
    parsed = tmp_cache / "parsed"
    parsed.mkdir(mode=0o700, parents=True)
    old = parsed / f"weibo_ced_v3_{'0' * 20}.pkl"  # named by the signatures, as before format 4
    old.write_bytes(b"an old cache")
    unrelated = parsed / "notes.txt"
    unrelated.write_text("not a cache of ours")
    first = load_weibo_dialogues(data_home=tmp_path, **LOOSE)
    (cache_file,) = parsed.glob("weibo_ced_*.pkl")
    assert not old.exists() and unrelated.exists()
    signature = pickle.loads(cache_file.read_bytes())["signature"]
    # The source changes, then the code: parsed again each time, into the same file.
    os.utime(tmp_path / "weibo_ced" / "CED_Dataset" / "rumor-repost" / "k1.json", ns=(1, 1))
    assert load_weibo_dialogues(data_home=tmp_path, **LOOSE).data == first.data
    monkeypatch.setattr(_ced, "_code_signature", lambda: "another version of the parser")
    assert load_weibo_dialogues(data_home=tmp_path, **LOOSE).data == first.data
    assert list(parsed.glob("*.pkl")) == [cache_file]
    assert pickle.loads(cache_file.read_bytes())["signature"] not in (signature, None)
    monkeypatch.setattr(_weibo, "_parse_ced", lambda *a, **k: pytest.fail("parsed again"))
    assert load_weibo_dialogues(data_home=tmp_path, **LOOSE).data == first.data  # now up to date


def test_weibo_cache_follows_jiebas_dictionary(tmp_path, tmp_cache, monkeypatch, restore_jieba):
    # Issue 24, item 4: the parsed form stores every turn's tokens, so a user
    # dictionary must make it stale, or the loader serves the old words.
    import jieba

    _write_ced_folder(tmp_path, **HANDMADE)
    parses = []
    parse = _weibo._parse_ced
    monkeypatch.setattr(_weibo, "_parse_ced", lambda *a, **k: parses.append(1) or parse(*a, **k))
    load_weibo_dialogues(data_home=tmp_path, **LOOSE)
    load_weibo_dialogues(data_home=tmp_path, **LOOSE)
    assert len(parses) == 1
    jieba.add_word("天气很好", freq=10**6)
    try:
        load_weibo_dialogues(data_home=tmp_path, **LOOSE)
        assert len(parses) == 2
        (cache_file,) = (tmp_cache / "parsed").glob("*.pkl")
        assert "天气很好" in pickle.loads(cache_file.read_bytes())["vocab"]
    finally:
        jieba.del_word("天气很好")
    load_weibo_dialogues(data_home=tmp_path, **LOOSE)
    assert len(parses) == 3


def test_weibo_corrupt_cache_is_rebuilt(tmp_path, tmp_cache):
    _write_ced_folder(tmp_path, **HANDMADE)
    first = load_weibo_dialogues(data_home=tmp_path, **LOOSE)
    (cache_file,) = (tmp_cache / "parsed").glob("*.pkl")
    cache_file.write_bytes(b"not a pickle")
    with pytest.warns(UserWarning, match=r"ignoring the cache file .*: unreadable: UnpicklingError"):
        again = load_weibo_dialogues(data_home=tmp_path, **LOOSE)
    assert again.data == first.data


# --------------------------------------------------------------------------
# Weibo: archive formats, errors, download
# --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def ced_subset(data_home):
    """A few root posts of the real archive: {member name under CED_Dataset/: bytes}."""
    members = read_ced_subset(data_home, every=300)
    assert len(members) >= 10
    return members


def _write_tar(path, members, top="CED_Dataset"):
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tf:
        for name, raw in members.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(raw)
            tf.addfile(info, io.BytesIO(raw))


def test_weibo_formats_agree(ced_subset, tmp_path, tmp_cache):
    homes = {k: tmp_path / k for k in ("tar", "zip", "master", "folder")}
    _write_tar(homes["tar"] / "weibo_ced" / "CED_Dataset.tar.gz", ced_subset)
    write_zip(homes["zip"] / "weibo_ced" / "Chinese_Rumor_Dataset-master.zip", ced_subset)
    write_zip(homes["master"] / "weibo_ced" / "master.zip", ced_subset)
    write_folder(homes["folder"], ced_subset)
    loads = {k: load_weibo_dialogues(data_home=h, n_emojis=3, min_word_freq=2) for k, h in homes.items()}
    ref = loads["tar"]
    assert len(ref.data) > 0 and len(ref.target_names) == 3
    assert set(Counter(ref.target).values()) == {len(ref.data) // 3}
    for k, b in loads.items():
        assert b.data == ref.data, k
        np.testing.assert_array_equal(b.target, ref.target)
        np.testing.assert_array_equal(b.groups, ref.groups)
        assert b.filter_counts == ref.filter_counts
    assert len(list((tmp_cache / "parsed").glob("*.pkl"))) == 4


def test_weibo_corrupt_archive(ced_subset, data_home, tmp_path, tmp_cache):
    path = tmp_path / "weibo_ced" / "CED_Dataset.tar.gz"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a gzip file")
    with pytest.raises(DataFileError, match=r"CED_Dataset\.tar\.gz is not a readable"):
        load_weibo_dialogues(data_home=tmp_path)
    # A truncated download of the real archive.
    with open(data_home / "weibo_ced" / "CED_Dataset.tar.gz", "rb") as f:
        path.write_bytes(f.read(300_000))
    with pytest.raises(DataFileError, match=r"CED_Dataset\.tar\.gz is not a readable"):
        load_weibo_dialogues(data_home=tmp_path)
    assert not list(tmp_cache.rglob("*.pkl"))


def test_weibo_bad_json_and_empty_zip(ced_subset, tmp_path, tmp_cache):
    bad = dict(ced_subset)
    name = next(n for n in bad if n.startswith("rumor-repost/"))
    bad[name] = b'[{"mid": "x", '
    path = tmp_path / "weibo_ced" / "master.zip"
    write_zip(path, bad)
    with pytest.raises(DataFileError, match=rf"master\.zip: member .*{name}.* not valid CED JSON"):
        load_weibo_dialogues(data_home=tmp_path)
    write_zip(path, {})
    with pytest.raises(DataFileError, match=r"master\.zip holds no CED_Dataset"):
        load_weibo_dialogues(data_home=tmp_path)
    path.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(DataFileError, match=r"master\.zip is not a readable"):
        load_weibo_dialogues(data_home=tmp_path)


def test_weibo_missing_no_download(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"no CED data in .*weibo_ced.*download_if_missing=False"):
        load_weibo_dialogues(data_home=tmp_path, download_if_missing=False)


def test_weibo_mirror_download_is_checksummed(ced_subset, tmp_path, http_root):
    served, url = http_root
    # A mirror serves CED_Dataset.tar.gz, whose checksum is known: a different
    # archive is refused and nothing is left behind.
    _write_tar(served / "weibo_ced" / "CED_Dataset.tar.gz", ced_subset)
    home = tmp_path / "home"
    with pytest.raises(DataFileError, match=r"checksum mismatch .*CED_Dataset\.tar\.gz"):
        load_weibo_dialogues(data_home=home, base_url=url)
    assert not home.exists()  # the folders this attempt made are gone too


# --------------------------------------------------------------------------
# Weibo: held-out threads and the pre-training corpora (transfer learning)
# --------------------------------------------------------------------------
# Rules under which no statistic matters: every emoji, every word, no length
# limit, no balancing. Excluding groups then only removes their dialogues.
NO_STATS = dict(n_emojis=10_000, min_word_freq=1, max_words=None, max_oov=None, balance=False)


@pytest.fixture(scope="session")
def weibo_all(data_home):
    """Every dialogue of the full corpus (no rule that counts)."""
    return load_weibo_dialogues(verbose=False, **NO_STATS)


@pytest.fixture(scope="session")
def weibo_split(weibo_default):
    """The 20 % test groups of a GroupShuffleSplit of the default dialogues."""
    split = GroupShuffleSplit(test_size=0.2, random_state=0)
    train, test = next(split.split(weibo_default.data, groups=weibo_default.groups))
    return train, test


def test_weibo_exclude_groups_removes_those_groups_only(weibo_all, weibo_default, weibo_split):
    _, test = weibo_split
    held_out = weibo_default.groups[test]
    # Ids of no root post of the corpus are ignored.
    b = load_weibo_dialogues(exclude_groups=list(held_out) + ["no-such-root"], **NO_STATS)
    mask = ~np.isin(weibo_all.groups, held_out)
    assert 0 < mask.sum() < len(mask)
    assert b.data == [d for d, m in zip(weibo_all.data, mask) if m]
    np.testing.assert_array_equal(b.groups, weibo_all.groups[mask])
    np.testing.assert_array_equal(b.target, weibo_all.target[mask])
    np.testing.assert_array_equal(b.target_counts, weibo_all.target_counts[mask])
    fc = b.filter_counts
    assert fc["has_text"] == mask.sum() and weibo_all.filter_counts["has_text"] == len(mask)
    removed = fc["replies_with_one_emoji"] - fc["exclude_groups"]
    assert removed >= len(mask) - mask.sum()  # also some without text
    n_given = len(set(held_out)) + 1
    assert (
        f"{n_given:,} group ids given, {n_given - 1:,} of them root posts of the corpus "
        f"(the others are ignored); their {removed:,} dialogues were removed first"
    ) in " ".join(b.DESCR.split())
    # None and an empty list exclude nothing.
    assert "Held-out threads (exclude_groups): none." in weibo_default.DESCR
    empty = load_weibo_dialogues(exclude_groups=[], n_samples=20)
    assert empty.filter_counts["exclude_groups"] == empty.filter_counts["replies_with_one_emoji"]


def test_weibo_exclude_groups_before_top_emojis(weibo_all):
    # Hold out every thread with a dialogue labelled by the 10th emoji. Applied
    # first (as it must be), the top ten are counted without those threads, so
    # ten emojis are still chosen, some outside the usual ten; applied after
    # the choice, only nine of the usual ten could be left.
    tenth = load_weibo_dialogues(n_emojis=10, balance=False, n_samples=10).target_names[-1]
    assert tenth in TOP10
    held_out = np.unique(weibo_all.groups[weibo_all.target == tenth])
    b = load_weibo_dialogues(exclude_groups=held_out, balance=False)
    assert len(b.target_names) == 10
    assert tenth not in b.target_names
    assert set(b.target_names) - TOP10
    assert not set(b.groups) & set(held_out)


def test_weibo_excluded_groups_have_no_influence(ced_subset, tmp_path, tmp_cache):
    # A corpus with some threads excluded gives exactly what the corpus
    # without those threads gives, under rules that count (top emojis, OOV,
    # long turns, balancing): the held-out threads influence nothing.
    held_out = ["433_zx2qF69yf_3356496200", "5047_A0lKajmlf_1680990025"]
    rest = {n: raw for n, raw in ced_subset.items() if not any(k in n for k in held_out)}
    assert len(rest) == len(ced_subset) - 4  # a root and a repost file each
    for home, members in [(tmp_path / "all", ced_subset), (tmp_path / "rest", rest)]:
        write_folder(home, members)
    rules = dict(n_emojis=3, min_word_freq=2)
    for kw in [dict(balance=False), dict(), dict(long_turns="truncate", max_words=20)]:
        ex = load_weibo_dialogues(data_home=tmp_path / "all", exclude_groups=held_out, **rules, **kw)
        ref = load_weibo_dialogues(data_home=tmp_path / "rest", **rules, **kw)
        assert len(ref.data) > 5
        assert ex.data == ref.data
        for key in ["target", "target_names", "groups", "target_counts"]:
            np.testing.assert_array_equal(ex[key], ref[key])
        fc_ex, fc_ref = dict(ex.filter_counts), dict(ref.filter_counts)
        assert fc_ex.pop("exclude_groups") == fc_ref["replies_with_one_emoji"]
        fc_ex.pop("replies_with_one_emoji")
        fc_ref.pop("replies_with_one_emoji")
        fc_ref.pop("exclude_groups")
        assert fc_ex == fc_ref
    # Not a vacuous check: dropping those threads *after* the selection differs.
    full = load_weibo_dialogues(data_home=tmp_path / "all", balance=False, **rules)
    late = [d for d, g in zip(full.data, full.groups) if g not in held_out]
    ref = load_weibo_dialogues(data_home=tmp_path / "rest", balance=False, **rules)
    assert late != ref.data


def test_weibo_pretraining(weibo_default):
    pre = load_weibo_pretraining()
    same = load_weibo_dialogues(n_emojis=64, balance=False, long_turns="truncate", max_oov=None, min_word_freq=1)
    assert pre.data == same.data
    np.testing.assert_array_equal(pre.target, same.target)
    assert pre.filter_counts == same.filter_counts
    assert pre.DESCR.startswith("Weibo distant-supervision pre-training corpus")
    assert len(pre.data) > 100_000 and len(pre.data) > 5 * len(weibo_default.data)
    assert len(pre.target_names) > 10
    assert set(pre.target) == set(pre.target_names)
    counts = Counter(pre.target)
    assert max(counts.values()) > 10 * min(counts.values())  # not balanced
    assert pre.filter_counts["truncated_dialogues"] > 0
    assert len(pre.groups) == len(pre.target_counts) == len(pre.data)
    X, y = load_weibo_pretraining(n_samples=100, return_X_y=True)
    assert len(X) == len(y) == 100


def test_weibo_pretraining_leak_free_recipe(weibo_default, weibo_all, weibo_split):
    # The recipe of the docs: split by groups, exclude the test part's groups.
    train, test = weibo_split
    held_out = set(weibo_default.groups[test])
    pre = load_weibo_pretraining(exclude_groups=weibo_default.groups[test])
    assert not set(pre.groups) & held_out
    assert set(pre.groups) & set(weibo_default.groups[train])  # not everything went
    # No dialogue of a test thread is left. A few test dialogues still have
    # an identical twin: the same text in another thread (one rumour posted
    # under several root ids), which a split by groups cannot see either.
    test_dialogues = {tuple(weibo_default.data[i]) for i in test}
    shared = test_dialogues & {tuple(d) for d in pre.data}
    elsewhere = {tuple(d) for d, g in zip(weibo_all.data, weibo_all.groups) if g not in held_out}
    assert shared <= elsewhere
    assert len(shared) < 0.01 * len(test_dialogues)
    # The replies for word vectors are held out the same way.
    replies = load_weibo_replies(exclude_groups=weibo_default.groups[test], n_samples=5000)
    assert not set(replies.groups) & set(weibo_default.groups[test])


def test_weibo_replies(weibo_default):
    r = load_weibo_replies()
    n = len(r.data)
    assert n > 500_000 and len(r.groups) == n and r.groups.dtype.kind == "U"
    assert all(isinstance(t, str) and t and t == t.strip() for t in r.data)
    assert f"Replies returned: {n:,}." in r.DESCR
    # No emoji left: every text that could hold a bracket code, and a sample.
    rng = np.random.RandomState(0)
    sample = [r.data[i] for i in rng.choice(n, 20_000, replace=False)]
    assert not any(find_emojis(t) for t in sample + [t for t in r.data if "[" in t])
    # Every non-empty reply turn of the dialogues is a reply of the corpus.
    texts = set(r.data)
    assert all(d[-1] in texts for d in weibo_default.data if d[-1])
    # Fewer with min_chars; n_samples keeps corpus order; exclusion by group.
    assert len(load_weibo_replies(min_chars=5).data) < n
    sub = load_weibo_replies(n_samples=1000, random_state=1)
    assert len(sub.data) == 1000 and set(sub.data) <= texts
    one = r.groups[0]
    ex = load_weibo_replies(exclude_groups=[one])
    assert len(ex.data) == n - (r.groups == one).sum() and one not in set(ex.groups)


def test_weibo_replies_handmade(tmp_path, tmp_cache):
    _write_ced_folder(tmp_path, **HANDMADE)
    r = load_weibo_replies(data_home=tmp_path)
    # Plain reposts, "@user" and emoji-only replies are empty: dropped.
    assert r.data == ["真的吗", "是的", "不知道", "葡萄柚"]
    assert r.groups.tolist() == ["k1"] * 4
    assert load_weibo_replies(data_home=tmp_path, min_chars=3).data == ["真的吗", "不知道", "葡萄柚"]
    assert load_weibo_replies(data_home=tmp_path, exclude_groups=["k1"]).data == []
    assert load_weibo_replies(data_home=tmp_path, exclude_groups=("k2",)).data == r.data


@pytest.mark.parametrize("loader", [load_weibo_dialogues, load_weibo_pretraining, load_weibo_replies])
@pytest.mark.parametrize("value", ["3495745049431351", 3, [1, 2], ["a", None], {"a": 1}, np.array([["a"]])])
def test_weibo_bad_exclude_groups(loader, value, tmp_path):
    # Checked before any data is looked for.
    with pytest.raises(TypeError, match="exclude_groups must be None or an array-like of str"):
        loader(exclude_groups=value, data_home=tmp_path, download_if_missing=False)


@pytest.mark.parametrize("kw", [dict(min_chars=0), dict(n_samples=0), dict(min_chars=1.5)])
def test_weibo_replies_bad_params(kw):
    with pytest.raises(ValueError, match=next(iter(kw))):
        load_weibo_replies(**kw)
