"""Data home, cache folder, errors and checksum-verified downloads."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import warnings
from pathlib import Path

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
    read-only.

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
def _mirror_url(base_url):
    """The mirror base URL (argument, then env var), or None for public addresses."""
    if base_url is None:
        base_url = os.environ.get(BASE_URL_ENV) or None
    if base_url is not None and not isinstance(base_url, str):
        raise TypeError(f"base_url must be a str, got {type(base_url).__name__}")
    return base_url


def _join_url(base, name):
    return base.rstrip("/") + "/" + name.lstrip("/")


def _sha256(path, chunk=1 << 20):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _download(url, dest, sha256=None, timeout=60, verbose=False):
    """Download ``url`` to ``dest`` atomically, verifying ``sha256`` if given.

    The bytes go to a temporary file in ``dest``'s folder, which is checked
    and then renamed with :func:`os.replace`; on any failure the temporary
    file is removed and a :class:`DataFileError` naming the URL is raised.
    """
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataFileError(
            f"cannot create the folder {dest.parent} to download {url} into ({exc}); "
            f"choose a writable data_home or set {DATA_HOME_ENV}"
        ) from exc
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as resp:
                    if verbose:
                        print(f"Downloading {url}", file=sys.stderr)
                    shutil.copyfileobj(resp, out, 1 << 20)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                raise DataFileError(
                    f"could not download {url} to {dest} ({exc}); check the network "
                    f"or the URL, or put the file there by hand (or set "
                    f"{BASE_URL_ENV} to a mirror)"
                ) from exc
        if sha256 is not None:
            got = _sha256(tmp)
            if got != sha256:
                raise DataFileError(
                    f"checksum mismatch for {url}: expected sha256 {sha256}, got {got}; "
                    f"the download is incomplete or the file changed upstream. Nothing "
                    f"was written to {dest}; retry, or place a verified copy there"
                )
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
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
    if not download_if_missing:
        raise DataNotFoundError(
            f"{path} is missing and download_if_missing=False; download it (see "
            f"sklearn_emoji.datasets docs), put it there, or point data_home / "
            f"{DATA_HOME_ENV} at the folder holding it"
        )
    mirror = _mirror_url(base_url)
    url = _join_url(mirror, relpath) if mirror else public_url
    return _download(url, path, sha256=SHA256.get(relpath), verbose=verbose)


# --------------------------------------------------------------------------
# Parsed-data cache
# --------------------------------------------------------------------------
def _cache_load(path):
    """Load a pickled cache; None when absent or unreadable (it is then rebuilt)."""
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception as exc:  # corrupt / truncated / incompatible cache
        warnings.warn(f"ignoring the unreadable cache file {path} ({exc}); rebuilding it")
        return None


def _cache_save(path, obj):
    """Pickle ``obj`` to ``path`` atomically; warn (do not fail) when not writable."""
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        warnings.warn(
            f"could not write the cache file {path} ({exc}); the next load will parse "
            f"again. Set {CACHE_HOME_ENV} to a writable folder"
        )
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
