"""Data home, cache folder, errors, and downloads that are verified or not kept.

A download goes to a hidden temporary file beside its destination (see
:func:`sklearn_emoji._utils.atomic_writer`) and is renamed into place only
once its length matches the announced ``Content-Length`` and, for files whose
bytes are fixed, its SHA-256 matches :data:`SHA256`; on any failure the
temporary file is removed, so a partial file never lands in the data home.
Each read waits at most ``SKLEARN_EMOJI_DOWNLOAD_TIMEOUT`` seconds (default
60) and a whole file at most ``SKLEARN_EMOJI_DOWNLOAD_DEADLINE`` seconds
(default 3600). Only ``http`` and ``https`` URLs and redirects are followed.

The parse cache is a pickle, and unpickling runs code: it lives in a folder
only its owner can use (``<cache home>/parsed``, mode 0700), is written with
mode 0600, and a cache file that another user owns or could write is never
read.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import math
import os
import pickle
import socket
import stat
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

from .._utils import atomic_writer

__all__ = [
    "DataFileError",
    "DataNotFoundError",
    "get_data_home",
    "get_cache_home",
]

#: Environment variable naming the data home.
DATA_HOME_ENV = "SKLEARN_EMOJI_DATA"
#: Environment variable naming the cache folder for parsed data.
CACHE_HOME_ENV = "SKLEARN_EMOJI_CACHE"
#: Environment variable naming a mirror of the data home layout
#: (``<url>/tweeteval_emoji/train_text.txt``, ``<url>/weibo_ced/CED_Dataset.tar.gz``).
BASE_URL_ENV = "SKLEARN_EMOJI_BASE_URL"
#: Environment variable: seconds one read of a download may wait for data.
TIMEOUT_ENV = "SKLEARN_EMOJI_DOWNLOAD_TIMEOUT"
#: Environment variable: seconds a whole download (one file) may take.
DEADLINE_ENV = "SKLEARN_EMOJI_DOWNLOAD_DEADLINE"
DEFAULT_TIMEOUT = 60.0
DEFAULT_DEADLINE = 3600.0
#: The sub-folder of the cache home that holds the (pickled) parse caches.
CACHE_SUBDIR = "parsed"

#: Checksums of the files whose bytes are fixed, relative to the data home.
#: The public Weibo download (a GitHub branch zip) is rebuilt by GitHub on
#: request, so its bytes are not fixed and it has no checksum.
SHA256 = {
    "weibo_ced/CED_Dataset.tar.gz": "2f59eca9b032ca96e96e40d01acf06a53e68f74a89a4d2056888d43060c5c2e4",
    "tweeteval_emoji/train_text.txt": "eacb6b0ee1fe2803d72a009c2e731fe07659f604318a979951d2f07c23c564a1",
    "tweeteval_emoji/train_labels.txt": "daee7da826683dbfa50ad3a29c60bc527e498f06c70eabee3745a99cc37ab3a5",
    "tweeteval_emoji/val_text.txt": "3bc3742d6af404cea792671878684d110f3bc02fd79a2e34643789a521d81a26",
    "tweeteval_emoji/val_labels.txt": "21ba456f688668d049ff0fb1fa04469ee684cf4e2467c71d2c3fe5ca2ba1bd1a",
    "tweeteval_emoji/test_text.txt": "e4de11de1597842c431dd67868e83322f5a432564dfd8558889ed8ac6a1a5e09",
    "tweeteval_emoji/test_labels.txt": "c1662b84788f36674ab8f0106f3e2e7d3e258ddf4959086ac7cc75b1e68dd1f6",
    "tweeteval_emoji/mapping.txt": "ac172bfbb0972d875a832224f48602472279be365454e3bce01084689100f4d3",
}


class DataFileError(OSError, ValueError):
    """A data file is missing, corrupt, or could not be downloaded.

    The message names the file (or URL) and says what to do. It is both an
    :class:`OSError` and a :class:`ValueError`, so either ``except`` catches it.
    """


class DataNotFoundError(DataFileError, FileNotFoundError):
    """A data file is missing and downloading it was disabled or impossible."""


def get_data_home(data_home=None):
    """Return the folder that holds the raw datasets.

    The folder is, in this order: the ``data_home`` argument, the environment
    variable ``SKLEARN_EMOJI_DATA``, or ``~/sklearn_emoji_data``. It holds one
    sub-folder per dataset (``tweeteval_emoji/``, ``weibo_ced/``). The folder
    is not created here (it may be read-only); downloads create it.

    Parameters
    ----------
    data_home : str or path-like, default=None
        An explicit folder; ``~`` is expanded.

    Returns
    -------
    pathlib.Path
        The data home (absolute).

    Examples
    --------
    >>> from sklearn_emoji.datasets import get_data_home
    >>> get_data_home("/tmp/emoji_data").as_posix()
    '/tmp/emoji_data'
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or "~/sklearn_emoji_data"
    if not isinstance(data_home, (str, os.PathLike)):
        raise TypeError(f"data_home must be a str or path-like, got {type(data_home).__name__}")
    return Path(data_home).expanduser().absolute()


def get_cache_home(cache_home=None):
    """Return the folder for parsed-data caches.

    The argument, then the environment variable ``SKLEARN_EMOJI_CACHE``, then
    ``~/.cache/sklearn_emoji``. Kept apart from the data home, which may be
    read-only. The parse caches themselves are pickles and live in its
    private sub-folder ``parsed/`` (mode 0700, created on first use).

    Parameters
    ----------
    cache_home : str or path-like, default=None
        An explicit folder.

    Returns
    -------
    pathlib.Path
    """
    if cache_home is None:
        cache_home = os.environ.get(CACHE_HOME_ENV) or "~/.cache/sklearn_emoji"
    return Path(cache_home).expanduser().absolute()


def _default_verbose(verbose):
    if verbose is None:
        try:
            return sys.stderr.isatty()
        except (AttributeError, ValueError):
            return False
    return bool(verbose)


# --------------------------------------------------------------------------
# Downloads
# --------------------------------------------------------------------------
_CHUNK = 1 << 20
_SCHEMES = ("http", "https")


def _seconds_from_env(name, default):
    """A positive number of seconds from the environment variable ``name`` ("inf": no limit)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not value > 0:
        raise ValueError(f"{name} must be a number of seconds > 0 (or 'inf' for no limit), got {raw!r}")
    return value


def _download_limits():
    """(read timeout, overall deadline) in seconds, from the environment or the defaults."""
    return _seconds_from_env(TIMEOUT_ENV, DEFAULT_TIMEOUT), _seconds_from_env(DEADLINE_ENV, DEFAULT_DEADLINE)


def _check_url(url, what):
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in _SCHEMES:
        raise ValueError(f"{what} must be an http:// or https:// URL, got {url!r}")
    return url


def _mirror_url(base_url):
    """The mirror base URL (argument, then env var), or None for public addresses."""
    if base_url is None:
        base_url = os.environ.get(BASE_URL_ENV) or None
    if base_url is not None:
        if not isinstance(base_url, str):
            raise TypeError(f"base_url must be a str, got {type(base_url).__name__}")
        _check_url(base_url, f"base_url (or {BASE_URL_ENV})")
    return base_url


def _join_url(base, name):
    return base.rstrip("/") + "/" + name.lstrip("/")


def _sha256(path, chunk=_CHUNK):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


class _Deadline:
    """The overall deadline of one download: when it passes, its sockets are shut down.

    A per-read timeout cannot bound a server that sends one byte just before
    each read would time out; shutting the socket down from a timer thread
    ends any read in progress (headers included) with end-of-file.
    """

    def __init__(self, seconds):
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets = []
        self._timer = None
        if math.isfinite(seconds):
            self._timer = threading.Timer(seconds, self._expire)
            self._timer.daemon = True

    def __enter__(self):
        if self._timer is not None:
            self._timer.start()
        return self

    def __exit__(self, *exc_info):
        if self._timer is not None:
            self._timer.cancel()

    @staticmethod
    def _shutdown(sock):
        # The plain socket's shutdown, also for an SSL socket (whose own
        # shutdown would tear down its TLS state under a reading thread).
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def watch(self, sock):
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                self._shutdown(sock)

    def _expire(self):
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shutdown(sock)


class _WatchedConnections:
    """Handler mix-in: every connection's socket is handed to a :class:`_Deadline`."""

    def __init__(self, deadline, **kwargs):
        super().__init__(**kwargs)
        self._deadline = deadline

    def do_open(self, http_class, req, **kwargs):
        deadline = self._deadline

        def connection(*args, **kw):
            conn = http_class(*args, **kw)
            connect = conn.connect

            def watched_connect():
                connect()
                deadline.watch(conn.sock)

            conn.connect = watched_connect
            return conn

        return super().do_open(connection, req, **kwargs)


class _HTTPHandler(_WatchedConnections, urllib.request.HTTPHandler):
    pass


class _HTTPSHandler(_WatchedConnections, urllib.request.HTTPSHandler):
    pass


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http and https only, and never from https to http."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old = urllib.parse.urlsplit(req.full_url).scheme.lower()
        new = urllib.parse.urlsplit(newurl).scheme.lower()
        if new not in _SCHEMES or (old == "https" and new != "https"):
            raise urllib.error.HTTPError(
                req.full_url,
                code,
                f"refused a redirect to {newurl!r} (only http and https, never down from https)",
                headers,
                fp,
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(deadline):
    """A URL opener for http(s) only (proxies from the environment, safe redirects)."""
    opener = urllib.request.OpenerDirector()
    handlers = [
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        _HTTPHandler(deadline),
        urllib.request.HTTPDefaultErrorHandler(),
        _RedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ]
    if hasattr(http.client, "HTTPSConnection"):
        handlers.append(_HTTPSHandler(deadline))
    for handler in handlers:
        opener.add_handler(handler)
    return opener


def _stream(url, out, timeout, deadline, verbose):
    """Copy ``url`` into ``out``; return (bytes read, sha256, announced Content-Length or None)."""
    digest = hashlib.sha256()
    n = 0
    with _opener(deadline).open(url, timeout=min(timeout, deadline.seconds)) as resp:
        announced = resp.length  # None when absent or chunked
        if verbose:
            size = "" if announced is None else f" ({announced:,} bytes)"
            print(f"Downloading {url}{size}", file=sys.stderr)
        while not deadline.expired:
            chunk = resp.read1(_CHUNK)  # whatever has arrived: a slow server cannot hold a full-buffer read
            if not chunk:
                break
            out.write(chunk)
            digest.update(chunk)
            n += len(chunk)
    return n, digest.hexdigest(), announced


def _download(url, dest, sha256=None, verbose=False):
    """Download ``url`` to ``dest``, keeping it only when it is verified.

    The bytes go to a temporary file in ``dest``'s folder (via
    :func:`~sklearn_emoji._utils.atomic_writer`), which is renamed into place
    only when the server sent as many bytes as it announced
    (``Content-Length``), at least one byte, and, if ``sha256`` is given,
    bytes with that checksum. On any failure (network, HTTP status, read
    timeout, overall deadline, short body, checksum, a refused redirect)
    the temporary file is removed and a :class:`DataFileError` naming the
    URL and the cause is raised.
    """
    dest = Path(dest)
    timeout, limit = _download_limits()
    _check_url(url, "the download URL")
    fail = f"could not download {url} to {dest}"
    advice = (
        f"nothing was written to {dest}. Retry, check the network or the URL, or put a good "
        f"copy there by hand (or set {BASE_URL_ENV} to a mirror)"
    )
    too_slow = f"{fail}: it took longer than the deadline of {limit:g} s ({DEADLINE_ENV}); {advice}"
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataFileError(
            f"cannot create the folder {dest.parent} to download {url} into ({exc}); "
            f"choose a writable data_home or set {DATA_HOME_ENV}"
        ) from exc
    try:
        with atomic_writer(dest) as out, _Deadline(limit) as deadline:
            try:
                n, got, announced = _stream(url, out, timeout, deadline, verbose)
            except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
                if deadline.expired:
                    raise DataFileError(too_slow) from exc
                if isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError):
                    raise DataFileError(
                        f"{fail}: the server sent nothing for {timeout:g} s ({TIMEOUT_ENV}); {advice}"
                    ) from exc
                raise DataFileError(f"{fail} ({type(exc).__name__}: {exc}); {advice}") from exc
            if deadline.expired:
                raise DataFileError(too_slow)
            if announced is not None and n != announced:
                raise DataFileError(
                    f"{fail}: the server announced {announced:,} bytes (Content-Length) but sent {n:,}; "
                    f"the download was cut short and {advice}"
                )
            if n == 0:
                raise DataFileError(f"{fail}: the server sent an empty file; {advice}")
            if sha256 is not None and got != sha256:
                raise DataFileError(
                    f"checksum mismatch for {url}: expected sha256 {sha256}, got {got}; "
                    f"the download is incomplete or the file changed upstream. {advice}"
                )
    except DataFileError:
        raise
    except OSError as exc:  # the temporary file could not be created, written or renamed
        raise DataFileError(f"{fail}: cannot write there ({exc}); choose a writable data_home") from exc
    if sha256 is not None:
        _remember_verified(dest, sha256)
    return dest


def _fetch(data_home, relpath, *, public_url, base_url, download_if_missing, verbose):
    """Return the local path of ``relpath`` under the data home, downloading it if needed.

    With a mirror (``base_url`` or the env var) the file comes from
    ``<mirror>/<relpath>``; otherwise from ``public_url``. Known files are
    verified against :data:`SHA256`.
    """
    path = Path(data_home) / relpath
    if path.is_file():
        return path
    if os.path.lexists(path):
        raise DataFileError(f"{path} is not a regular file; remove it so the file is downloaded again")
    if not download_if_missing:
        raise DataNotFoundError(
            f"{path} is missing and download_if_missing=False; download it (see "
            f"sklearn_emoji.datasets docs), put it there, or point data_home / "
            f"{DATA_HOME_ENV} at the folder holding it"
        )
    mirror = _mirror_url(base_url)
    url = _join_url(mirror, relpath) if mirror else public_url
    # Folders this attempt creates are removed again if it fails (no empty data home left behind).
    new_dirs = [p for p in [path.parent, *path.parent.parents] if not p.exists()]
    try:
        return _download(url, path, sha256=SHA256.get(relpath), verbose=verbose)
    except Exception as exc:
        for folder in new_dirs:  # deepest first
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise DataNotFoundError(
            f"{relpath} is not in the data home {data_home} and could not be downloaded from {url} "
            f"({type(exc).__name__}: {exc}). Point at a folder that holds it with data_home=..., or "
            f"export {DATA_HOME_ENV}=/path/to/data, or set {BASE_URL_ENV} to a mirror"
        ) from exc


# Files already verified in this process: (path, size, mtime, inode) -> sha256.
_VERIFIED: dict[tuple, str] = {}


def _file_key(path):
    st = os.stat(path)
    return (os.fspath(path), st.st_size, st.st_mtime_ns, st.st_ino)


def _remember_verified(path, sha256):
    with contextlib.suppress(OSError):
        _VERIFIED[_file_key(path)] = sha256


def _check_published(path, relpath):
    """Raise :class:`DataFileError` unless the local ``path`` is the published ``relpath``.

    Compares its SHA-256 with :data:`SHA256`; a file is hashed once per
    process (until its size or modification time changes).
    """
    expected = SHA256[relpath]
    key = _file_key(path)
    if _VERIFIED.get(key) == expected:
        return
    got = _sha256(path)
    if got != expected:
        raise DataFileError(
            f"{path} is not the published {relpath}: its sha256 is {got}, expected {expected}. "
            f"It is corrupt or was edited; delete it so it is downloaded again"
        )
    _VERIFIED[key] = expected


# --------------------------------------------------------------------------
# Parsed-data cache (pickles: only ever read from a private folder)
# --------------------------------------------------------------------------
def _not_trusted(st, what):
    """Why a file or folder with stat ``st`` must not be trusted with a pickle, or None."""
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows: no owner check
        return None
    if st.st_uid != os.getuid():
        return f"the {what} belongs to another user (uid {st.st_uid})"
    if st.st_mode & 0o022:
        return f"the {what} can be written by other users (mode {stat.S_IMODE(st.st_mode):o})"
    return None


def _cache_path(name):
    """``<cache home>/parsed/<name>``, with the folder made private (0700); None if it cannot be.

    A cache file of the same name written by an earlier version straight into
    the cache home is moved into the private folder when it is the user's own
    and nobody else could have written it.
    """
    folder = get_cache_home() / CACHE_SUBDIR
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(folder)
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            raise PermissionError(f"the folder belongs to another user (uid {st.st_uid})")
        if st.st_mode & 0o077:
            os.chmod(folder, 0o700)
    except OSError as exc:
        warnings.warn(
            f"not using the parse cache folder {folder} ({exc}); the data is parsed again on every load. "
            f"Set {CACHE_HOME_ENV} to a folder of your own",
            stacklevel=3,
        )
        return None
    path = folder / name
    legacy = folder.parent / name
    with contextlib.suppress(OSError):
        if not path.exists() and stat.S_ISREG((st := os.lstat(legacy)).st_mode) and not _not_trusted(st, "file"):
            os.replace(legacy, path)
            os.chmod(path, 0o600)
    return path


def _cache_load(path, check=None, fresh=None):
    """Load a pickled cache; None when absent, unusable, wrong or out of date (it is then rebuilt).

    A file that is not the user's own, or that others could write, is not
    unpickled. ``check(obj)`` returns why a loaded object is unusable (wrong
    format, shape or version), or None: a warning says so. ``fresh(obj)``
    says whether a well-formed object is still up to date (made from the
    same source by the same code); when it is not, None, silently.
    """
    if path is None:
        return None
    try:
        st = os.stat(path)
        why = _not_trusted(st, "file") or (None if stat.S_ISREG(st.st_mode) else "it is not a regular file")
        if why is not None:
            why += ", and a cache is a pickle, which can run code when it is loaded"
        else:
            with open(path, "rb") as f:
                obj = pickle.load(f)
            why = check(obj) if check is not None else None
    except FileNotFoundError:
        return None
    except Exception as exc:  # corrupt / truncated / incompatible cache
        why = f"unreadable: {type(exc).__name__}: {exc}"
    if why is None:
        return obj if fresh is None or fresh(obj) else None
    warnings.warn(f"ignoring the cache file {path}: {why}; rebuilding it", stacklevel=3)
    return None


def _cache_save(path, obj):
    """Pickle ``obj`` to ``path`` atomically, readable by its owner only; warn (do not fail) when not writable."""
    if path is None:
        return
    try:
        with atomic_writer(path, private=True) as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as exc:
        warnings.warn(
            f"could not write the cache file {path} ({exc}); the next load will parse "
            f"again. Set {CACHE_HOME_ENV} to a writable folder",
            stacklevel=3,
        )
