"""Fault injection for the data layer (issue 13): downloads, caches, corrupt files.

A fault server on 127.0.0.1 serves copies of the real files of ../shared/data
under ``/<mode>/<path>``, where the mode says how it misbehaves: cut the body
short of its Content-Length, send nothing, drip one byte at a time, redirect
(to a file, in a loop, to other schemes), answer 404/500, flip a byte. The
loaders must refuse every such download by name and leave nothing in the data
home, and the next healthy download must work. Download limits are set to
fractions of a second through the environment variables, so the suite is fast.
"""

import http.server
import io
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request
import warnings

import numpy as np
import pytest
from _ced_data import read_ced_subset, write_folder, write_zip

from sklearn_emoji import _utils
from sklearn_emoji.datasets import (
    DataFileError,
    _base,
    _weibo,
    load_tweeteval_emoji,
    load_weibo_dialogues,
    load_weibo_replies,
)

TWEETEVAL = ["mapping.txt", "val_text.txt", "val_labels.txt"]
LOOSE = dict(min_word_freq=1, max_words=None, max_oov=None, balance=False, verbose=False)
DRIP_EVERY = 0.05  # seconds between two dripped bytes


# --------------------------------------------------------------------------
# The fault server
# --------------------------------------------------------------------------
class _FaultHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _file(self, rel):
        path = self.server.root / rel
        return path.read_bytes() if path.is_file() else None

    def _head(self, code, length=None, **headers):
        self.send_response(code)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.send_header("Connection", "close")
        self.end_headers()

    def _hold(self):
        """Keep the connection open, sending nothing, until the test ends."""
        self.wfile.flush()
        self.server.release.wait(30)

    def do_GET(self):  # noqa: C901 - one branch per fault
        mode, _, rel = self.path.lstrip("/").partition("/")
        if mode == "stall":  # accepts the connection, never answers
            return self._hold()
        if mode == "drip-headers":  # the status line, one byte at a time
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc":
                if self.server.release.wait(DRIP_EVERY):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            return
        if mode == "404":
            return self.send_error(404)
        if mode == "500":
            return self.send_error(500)
        if mode == "redirect":
            return self._head(302, 0, Location=f"/ok/{rel}")
        if mode == "loop":
            return self._head(302, 0, Location=self.path)
        if mode in ("to-ftp", "to-file"):
            target = f"ftp://127.0.0.1/{rel}" if mode == "to-ftp" else "file:///etc/hostname"
            return self._head(302, 0, Location=target)
        body = self._file(rel)
        if body is None:
            return self.send_error(404)
        if mode == "ok":
            self._head(200, len(body))
            self.wfile.write(body)
        elif mode == "empty":
            self._head(200, 0)
        elif mode == "corrupt":  # right length, one byte changed
            self._head(200, len(body))
            self.wfile.write(body[:-2] + bytes([body[-2] ^ 1]) + body[-1:])
        elif mode == "truncate":  # announces N bytes, sends N/2, closes
            self._head(200, len(body))
            self.wfile.write(body[: len(body) // 2])
        elif mode == "chunked-cut":  # a chunked body that ends mid-chunk
            self._head(200, Transfer_Encoding="chunked")
            self.wfile.write(f"{len(body):x}\r\n".encode() + body[: len(body) // 2])
        elif mode == "stall-body":  # half the body, then silence
            self._head(200, len(body))
            self.wfile.write(body[: len(body) // 2])
            self._hold()
        elif mode == "drip":  # the whole body, one byte every DRIP_EVERY s
            self._head(200, len(body))
            for i in range(len(body)):
                if self.server.release.wait(DRIP_EVERY):
                    return
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
        else:
            self.send_error(400, f"unknown mode {mode}")


@pytest.fixture
def fault_server(tmp_path):
    """(served folder, base URL): ``<url>/<mode>/<path>`` serves ``<folder>/<path>`` under a fault mode."""
    root = tmp_path / "served"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FaultHandler)
    server.root = root
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def limits(monkeypatch):
    """Tiny download limits: a read waits 0.3 s, a file may take 0.6 s."""
    monkeypatch.setenv(_base.TIMEOUT_ENV, "0.3")
    monkeypatch.setenv(_base.DEADLINE_ENV, "0.6")


@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("SKLEARN_EMOJI_CACHE", str(cache))
    return cache


def _serve_tweeteval(data_home, served):
    folder = served / "tweeteval_emoji"
    folder.mkdir(parents=True)
    for name in TWEETEVAL:
        shutil.copy(data_home / "tweeteval_emoji" / name, folder / name)


def _listing(folder):
    return sorted(os.listdir(folder)) if folder.exists() else []


@pytest.fixture(scope="module")
def ced_members(data_home):
    """A few threads of the real CED archive: {member name under CED_Dataset/: bytes}."""
    members = read_ced_subset(data_home, every=500)
    assert len(members) >= 6
    return members


# --------------------------------------------------------------------------
# Downloads: a bad download is refused by name and nothing is kept
# --------------------------------------------------------------------------
def test_truncated_public_zip_is_not_kept(ced_members, fault_server, tmp_path, tmp_cache, monkeypatch):
    # issue 13.3: the public zip has no fixed checksum; a body cut short of its
    # Content-Length landed in the data home and broke every later load.
    served, url = fault_server
    write_zip(served / "master.zip", ced_members)
    monkeypatch.delenv("SKLEARN_EMOJI_BASE_URL", raising=False)
    monkeypatch.setattr(_weibo, "WEIBO_URL", url + "/truncate/master.zip")
    home = tmp_path / "home"
    size = (served / "master.zip").stat().st_size
    with pytest.raises(DataFileError, match=rf"announced {size:,} bytes \(Content-Length\) but sent {size // 2:,}"):
        load_weibo_dialogues(data_home=home, **LOOSE)
    assert _listing(home / "weibo_ced") == []
    # The next load, from a healthy server, downloads and parses it.
    monkeypatch.setattr(_weibo, "WEIBO_URL", url + "/ok/master.zip")
    b = load_weibo_dialogues(data_home=home, **LOOSE)
    assert len(b.data) > 0
    assert _listing(home / "weibo_ced") == ["master.zip"]


@pytest.mark.parametrize(
    "mode, match",
    [
        ("truncate", r"announced 543 bytes \(Content-Length\) but sent 271"),
        ("chunked-cut", r"IncompleteRead"),
        ("empty", r"the server sent an empty file"),
        ("corrupt", r"checksum mismatch for http://127\.0\.0\.1.*mapping\.txt"),
        ("404", r"HTTP Error 404"),
        ("500", r"HTTP Error 500"),
        ("loop", r"redirect error that would lead to an infinite loop"),
        ("to-ftp", r"refused a redirect to 'ftp://127\.0\.0\.1"),
        ("to-file", r"[Rr]edirect\w* to (url )?'file:///etc/hostname'"),
        ("stall", r"the server sent nothing for 0\.3 s \(SKLEARN_EMOJI_DOWNLOAD_TIMEOUT\)"),
        ("stall-body", r"the server sent nothing for 0\.3 s"),
        ("drip", r"took longer than the deadline of 0\.6 s \(SKLEARN_EMOJI_DOWNLOAD_DEADLINE\)"),
        ("drip-headers", r"took longer than the deadline of 0\.6 s"),
    ],
)
def test_bad_download_is_refused_and_not_kept(data_home, fault_server, tmp_path, limits, mode, match):
    served, url = fault_server
    _serve_tweeteval(data_home, served)
    home = tmp_path / "home"
    with pytest.raises(DataFileError, match=match) as info:
        load_tweeteval_emoji(subset="validation", data_home=home, base_url=f"{url}/{mode}")
    assert f"{url}/{mode}/tweeteval_emoji/mapping.txt" in str(info.value)
    assert "nothing was written to" in str(info.value)
    assert _listing(home / "tweeteval_emoji") == []


def test_redirect_to_http_is_followed(data_home, fault_server, tmp_path, limits):
    served, url = fault_server
    _serve_tweeteval(data_home, served)
    home = tmp_path / "home"
    X, y = load_tweeteval_emoji(subset="validation", data_home=home, base_url=f"{url}/redirect", return_X_y=True)
    X_ref, y_ref = load_tweeteval_emoji(subset="validation", return_X_y=True)
    assert X == X_ref
    np.testing.assert_array_equal(y, y_ref)
    assert _listing(home / "tweeteval_emoji") == sorted(TWEETEVAL)


def test_redirect_from_https_to_http_is_refused():
    handler = _base._RedirectHandler()
    req = urllib.request.Request("https://example.org/a.txt")
    with pytest.raises(urllib.error.HTTPError, match="refused a redirect to 'http://example.org/b.txt'"):
        handler.redirect_request(req, None, 302, "Found", {}, "http://example.org/b.txt")
    assert handler.redirect_request(req, None, 302, "Found", {}, "https://example.org/b.txt").full_url.endswith("b.txt")


@pytest.mark.parametrize("base_url", ["ftp://127.0.0.1/x", "file:///tmp/mirror", "127.0.0.1/x"])
def test_non_http_base_url_is_refused(tmp_path, base_url):
    with pytest.raises(ValueError, match=r"base_url \(or SKLEARN_EMOJI_BASE_URL\) must be an http:// or https://"):
        load_tweeteval_emoji(data_home=tmp_path, base_url=base_url)


@pytest.mark.parametrize("name", ["SKLEARN_EMOJI_DOWNLOAD_TIMEOUT", "SKLEARN_EMOJI_DOWNLOAD_DEADLINE"])
@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan"])
def test_bad_download_limits_are_refused(tmp_path, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=rf"{name} must be a number of seconds > 0 .*got '{value}'"):
        load_tweeteval_emoji(data_home=tmp_path, base_url="http://127.0.0.1:9")


def test_downloaded_files_follow_the_umask(data_home, fault_server, tmp_path, monkeypatch):
    # issue 13.4: downloads went through mkstemp and kept its private 0600.
    monkeypatch.setenv(_base.DEADLINE_ENV, "inf")  # no limit is a valid setting
    served, url = fault_server
    _serve_tweeteval(data_home, served)
    home = tmp_path / "home"
    mask = os.umask(0o022)
    try:
        load_tweeteval_emoji(subset="validation", data_home=home, base_url=f"{url}/ok")
    finally:
        os.umask(mask)
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in (home / "tweeteval_emoji").iterdir()}
    assert modes == {name: oct(0o644) for name in TWEETEVAL}


# --------------------------------------------------------------------------
# Killed writers: their temporary files are cleaned up by the next write
# --------------------------------------------------------------------------
def _hidden(folder):
    return [p for p in folder.iterdir() if p.name.startswith(".")] if folder.exists() else []


def test_killed_download_is_cleaned_up_by_the_next(data_home, fault_server, tmp_path):
    served, url = fault_server
    _serve_tweeteval(data_home, served)
    home = tmp_path / "home"
    folder = home / "tweeteval_emoji"
    code = "import sys; from sklearn_emoji.datasets import load_tweeteval_emoji as f; f(data_home=sys.argv[1])"
    env = dict(os.environ, SKLEARN_EMOJI_BASE_URL=f"{url}/stall-body", SKLEARN_EMOJI_DOWNLOAD_TIMEOUT="60")
    proc = subprocess.Popen([sys.executable, "-c", code, str(home)], env=env, stderr=subprocess.PIPE)
    try:
        waited = time.monotonic()
        while not _hidden(folder):  # the child is writing mapping.txt's temporary file
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() - waited < 60, "no temporary file appeared"
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
    (left,) = _hidden(folder)
    assert left.name.startswith(_utils.TMP_PREFIX + "mapping.txt.")
    # A minute later (the staleness age), the next download removes it.
    old = time.time() - 2 * _utils.STALE_AFTER
    os.utime(left, (old, old))
    load_tweeteval_emoji(subset="validation", data_home=home, base_url=f"{url}/ok")
    assert _listing(folder) == sorted(TWEETEVAL)


def test_only_stale_unlocked_temporaries_are_removed(tmp_path):
    old = time.time() - 2 * _utils.STALE_AFTER

    def make(name, age=old):
        p = tmp_path / name
        p.write_bytes(b"x")
        os.utime(p, (age, age))
        return p

    stale = make(_utils.TMP_PREFIX + "a.bin.1234abcd")
    fresh = make(_utils.TMP_PREFIX + "b.bin.1234abcd", age=time.time())
    live = make(_utils.TMP_PREFIX + "c.bin.1234abcd")
    foreign = [make(".a.bin.x1y2.tmp"), make("a.bin.1234.part"), make(".sklearn_emoji-notes")]
    (tmp_path / (_utils.TMP_PREFIX + "dir")).mkdir()
    with open(live, "rb") as fh:
        import fcntl

        fcntl.flock(fh, fcntl.LOCK_EX)  # a writer still at work
        assert _utils.remove_stale_temporaries(tmp_path) == [stale.name]
    assert not stale.exists()
    assert fresh.exists() and live.exists() and all(p.exists() for p in foreign)
    # atomic_write_bytes cleans the folder it writes into.
    assert _utils.atomic_write_bytes(tmp_path / "out.bin", b"data") == str(tmp_path / "out.bin")
    assert not live.exists()


def test_atomic_writer_keeps_the_old_file_on_error(tmp_path):
    path = tmp_path / "f.json"
    _utils.atomic_write_bytes(path, b"old")
    with pytest.raises(KeyboardInterrupt):
        with _utils.atomic_writer(path) as fh:
            fh.write(b"new, half")
            raise KeyboardInterrupt
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["f.json"]
    _utils.atomic_write_bytes(path, b"private", private=True)
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)


# --------------------------------------------------------------------------
# The parse cache: private, trusted only when safe, rebuilt when wrong
# --------------------------------------------------------------------------
def _build_cache(ced_members, tmp_path):
    write_folder(tmp_path, ced_members)
    first = load_weibo_dialogues(data_home=tmp_path, **LOOSE)
    (cache_file,) = (tmp_path / "cache" / "parsed").glob("*.pkl")
    return first, cache_file


def _forbid_parsing(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(_weibo, "_parse_ced", boom)


def test_cache_is_private(ced_members, tmp_path, tmp_cache, monkeypatch):
    first, cache_file = _build_cache(ced_members, tmp_path)
    assert oct(cache_file.parent.stat().st_mode & 0o777) == oct(0o700)
    assert oct(cache_file.stat().st_mode & 0o777) == oct(0o600)
    assert os.listdir(tmp_cache) == ["parsed"]
    # A cache others could have written is a pickle nobody should run: ignored, rebuilt.
    os.chmod(cache_file, 0o666)
    with pytest.warns(
        UserWarning, match=r"the file can be written by other users \(mode 666\), and a cache is a pickle"
    ):
        again = load_weibo_dialogues(data_home=tmp_path, **LOOSE)
    assert again.data == first.data
    assert oct(cache_file.stat().st_mode & 0o777) == oct(0o600)
    # A loosened folder is made private again, and its own cache is read.
    os.chmod(cache_file.parent, 0o777)
    _forbid_parsing(monkeypatch)
    assert load_weibo_dialogues(data_home=tmp_path, **LOOSE).data == first.data
    assert oct(cache_file.parent.stat().st_mode & 0o777) == oct(0o700)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_cache_of_another_user_is_not_read(ced_members, tmp_path, tmp_cache, monkeypatch):
    first, cache_file = _build_cache(ced_members, tmp_path)
    os.chown(cache_file, 4242, -1)
    with pytest.warns(UserWarning, match=r"belongs to another user \(uid 4242\)"):
        assert load_weibo_dialogues(data_home=tmp_path, **LOOSE).data == first.data
    os.chown(cache_file.parent, 4242, -1)
    with pytest.warns(UserWarning, match=r"not using the parse cache folder .*another user"):
        assert load_weibo_dialogues(data_home=tmp_path, **LOOSE).data == first.data


def test_cache_of_an_earlier_version_is_moved_in(ced_members, tmp_path, tmp_cache, monkeypatch):
    first, cache_file = _build_cache(ced_members, tmp_path)
    legacy = tmp_cache / cache_file.name  # where versions before the private folder wrote it
    os.replace(cache_file, legacy)
    _forbid_parsing(monkeypatch)
    assert load_weibo_dialogues(data_home=tmp_path, **LOOSE).data == first.data
    assert cache_file.exists() and not legacy.exists()


def _drop(key):
    def edit(obj):
        del obj[key]
        return obj

    return edit


def _set(key, value):
    def edit(obj):
        obj[key] = value(obj) if callable(value) else value
        return obj

    return edit


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda obj: list(obj), r"a list, not the parsed form"),
        (_set("version", 2), r"format version 2, not 5"),
        (_drop("labels"), r"field 'labels' is missing"),
        (_set("tok_ids", lambda o: o["tok_ids"].astype(np.int64)), r"field 'tok_ids' .* wrong type"),
        (_set("labels", lambda o: o["labels"] + len(o["emojis"])), r"inconsistent fields \['labels'\]"),
        (_set("dlg_ptr", lambda o: o["dlg_ptr"][:-1]), r"inconsistent fields \['dlg_ptr'"),
        (_set("multi_emo_ids", lambda o: o["multi_emo_ids"] + len(o["emojis"])), r"inconsistent fields \['multi_emo"),
        (_set("stats", {}), r"statistics \['root_posts'"),
    ],
)
def test_wrong_shaped_cache_is_rebuilt(ced_members, tmp_path, tmp_cache, edit, match):
    # issue 13.6: a cache that unpickles but has the wrong shape failed every load.
    first, cache_file = _build_cache(ced_members, tmp_path)
    with open(cache_file, "rb") as f:
        obj = pickle.load(f)
    _utils.atomic_write_bytes(cache_file, pickle.dumps(edit(obj)), private=True)
    with pytest.warns(UserWarning, match=match):
        again = load_weibo_dialogues(data_home=tmp_path, **LOOSE)
    assert again.data == first.data
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # rebuilt: the next load reads it silently
        assert load_weibo_dialogues(data_home=tmp_path, **LOOSE).data == first.data


# --------------------------------------------------------------------------
# Corrupt or hostile data files
# --------------------------------------------------------------------------
def test_deeply_nested_json_member_is_named(ced_members, tmp_path, tmp_cache):
    members = dict(ced_members)
    name = next(n for n in members if n.startswith("rumor-repost/"))
    members[name] = b"[" * 100_000 + b"]" * 100_000
    write_zip(tmp_path / "weibo_ced" / "master.zip", members)
    with pytest.raises(DataFileError, match=rf"master\.zip: member .*{name} is nested too deeply"):
        load_weibo_dialogues(data_home=tmp_path, **LOOSE)


@pytest.mark.timeout(60)  # before the fix, reading the FIFO blocked forever
def test_fifo_in_unpacked_corpus_is_refused_unopened(ced_members, tmp_path, tmp_cache):
    folder = write_folder(tmp_path, ced_members)
    fifo = folder / "non-rumor-repost" / "0_fifo.json"
    fifo.parent.mkdir(exist_ok=True)
    os.mkfifo(fifo)
    with pytest.raises(DataFileError, match=r"0_fifo\.json is a FIFO, not a regular file"):
        load_weibo_dialogues(data_home=tmp_path, **LOOSE)


def test_fifo_member_of_a_tar_is_refused(ced_members, tmp_path, tmp_cache):
    path = tmp_path / "weibo_ced" / "CED_Dataset.tar.gz"
    path.parent.mkdir(parents=True)
    with tarfile.open(path, "w:gz") as tf:
        for name, raw in ced_members.items():
            info = tarfile.TarInfo(f"CED_Dataset/{name}")
            info.size = len(raw)
            tf.addfile(info, io.BytesIO(raw))
        fifo = tarfile.TarInfo("CED_Dataset/rumor-repost/0_fifo.json")
        fifo.type = tarfile.FIFOTYPE
        tf.addfile(fifo)
    with pytest.raises(DataFileError, match=r"member CED_Dataset/rumor-repost/0_fifo\.json is a FIFO"):
        load_weibo_dialogues(data_home=tmp_path, **LOOSE)


def _local_tweeteval(data_home, home):
    folder = home / "tweeteval_emoji"
    folder.mkdir(parents=True)
    for name in TWEETEVAL:
        shutil.copy(data_home / "tweeteval_emoji" / name, folder / name)
    return folder


def _edit_tweet(folder):
    text = (folder / "val_text.txt").read_text(encoding="utf-8")
    (folder / "val_text.txt").write_text(text.replace("a", "o", 1), encoding="utf-8")


def _duplicate_emoji(folder):
    lines = (folder / "mapping.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = "5\t" + lines[0].split("\t", 2)[1] + "\tagain\n"
    (folder / "mapping.txt").write_text("".join(lines), encoding="utf-8")


def _empty_split(folder):
    (folder / "val_text.txt").write_bytes(b"")
    (folder / "val_labels.txt").write_bytes(b"")


@pytest.mark.parametrize(
    "corrupt, match",
    [
        (_empty_split, r"val_text\.txt is empty"),
        (_duplicate_emoji, r"mapping\.txt, line 6: the emoji '❤' is already label 0"),
        (_edit_tweet, r"val_text\.txt is not the published tweeteval_emoji/val_text\.txt: its sha256 is"),
    ],
)
def test_local_tweeteval_is_checked(data_home, tmp_path, corrupt, match):
    # issue 13.6: local files were never checked against their known checksums.
    folder = _local_tweeteval(data_home, tmp_path)
    assert len(load_tweeteval_emoji(subset="validation", data_home=tmp_path).data) == 5000
    corrupt(folder)
    with pytest.raises(DataFileError, match=match):
        load_tweeteval_emoji(subset="validation", data_home=tmp_path)


@pytest.mark.parametrize("layout", ["zip", "tar", "folder"])
def test_a_member_over_the_size_cap_is_refused_unread(ced_members, tmp_path, tmp_cache, monkeypatch, layout):
    # issue 24: a crafted 6.5 MB archive with a 1.5 GB member was read whole (3 GB resident)
    from sklearn_emoji.datasets import _ced

    monkeypatch.setattr(_ced, "MAX_MEMBER_BYTES", 2**20)
    members = dict(ced_members)
    name = next(n for n in members if n.startswith("rumor-repost/"))
    members[name] = b"[" + b" " * 2**20 + b"]"  # valid JSON, compresses to almost nothing
    if layout == "zip":
        write_zip(tmp_path / "weibo_ced" / "master.zip", members)
    elif layout == "folder":
        write_folder(tmp_path, members)
    else:
        path = tmp_path / "weibo_ced" / "CED_Dataset.tar.gz"
        path.parent.mkdir(parents=True)
        with tarfile.open(path, "w:gz") as tf:
            for member, raw in members.items():
                info = tarfile.TarInfo(f"CED_Dataset/{member}")
                info.size = len(raw)
                tf.addfile(info, io.BytesIO(raw))
    read = []
    monkeypatch.setattr(_ced.json, "loads", lambda raw, loads=_ced.json.loads: read.append(len(raw)) or loads(raw))
    with pytest.raises(DataFileError, match=rf"{name} is 1,048,578 bytes, over the limit of 1,048,576"):
        load_weibo_dialogues(data_home=tmp_path, **LOOSE)
    assert max(read, default=0) < 2**20  # never read, let alone parsed


def test_an_archive_without_a_usable_dialogue_is_an_error_naming_it(ced_members, tmp_path, tmp_cache):
    # issue 24: it loaded silently as 0 dialogues
    roots_only = {n: raw for n, raw in ced_members.items() if n.startswith("original-microblog/")}
    write_zip(tmp_path / "a" / "weibo_ced" / "master.zip", roots_only)
    with pytest.raises(DataFileError, match=r"a/weibo_ced/master\.zip holds no usable reply"):
        load_weibo_dialogues(data_home=tmp_path / "a", **LOOSE)
    # replies, none with an emoji: no dialogue (the reply corpus alone still loads)
    no_emoji = dict(roots_only)
    for n in ced_members:
        if n.startswith(("rumor-repost/", "non-rumor-repost/")):
            no_emoji[n] = json.dumps([{"mid": "1", "parent": "", "text": "没有表情的回复"}]).encode()
    write_zip(tmp_path / "b" / "weibo_ced" / "master.zip", no_emoji)
    with pytest.raises(DataFileError, match=r"b/weibo_ced/master\.zip holds no dialogue: none of its \d+ replies"):
        load_weibo_dialogues(data_home=tmp_path / "b", **LOOSE)
    assert len(load_weibo_replies(data_home=tmp_path / "b", verbose=False).data) > 0
