"""Small shared mechanics: the one atomic file writer, and a pipeline's last step.

Every file the library writes (saved models, JSON results, encoders,
downloaded data, parse caches) goes through :func:`atomic_writer`: the bytes
go to a hidden temporary file in the destination's folder, are flushed to
disk and renamed over the destination, so a reader never sees a half-written
file. A temporary file is named ``.sklearn_emoji-tmp.<name>.<random>`` and is
locked (``flock``) while it is written; one left behind by a killed process
(SIGKILL, power loss) is removed by the next write into the same folder once
no process holds its lock. Files without that prefix are never touched.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import time
from pathlib import Path

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: an open file cannot be deleted there anyway
    fcntl = None  # type: ignore[assignment]

__all__ = ["atomic_write_bytes", "atomic_writer", "final_estimator", "remove_stale_temporaries"]


def final_estimator(model):
    """The last step of a pipeline (the classifier of a registry method), or ``model`` itself.

    The one place that reads "the last step of a pipeline": anything with a
    non-empty ``steps`` list (a scikit-learn ``Pipeline``) gives its last
    estimator; anything else is returned as it is.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_emoji._utils import final_estimator
    >>> type(final_estimator(make_pipeline(StandardScaler(), LogisticRegression()))).__name__
    'LogisticRegression'
    >>> final_estimator(LogisticRegression())
    LogisticRegression()
    """
    steps = getattr(model, "steps", None)
    return steps[-1][1] if steps else model


#: Prefix of every temporary file the writer creates (and the only files it removes).
TMP_PREFIX = ".sklearn_emoji-tmp."
#: A temporary file is stale once unmodified for this many seconds and unlocked.
STALE_AFTER = 60.0
#: Where locks are not supported, only temporaries this old are removed.
STALE_AFTER_UNLOCKED = 86_400.0


def remove_stale_temporaries(folder, *, min_age=STALE_AFTER):
    """Remove the writer's temporary files that a killed process left in ``folder``.

    A file is removed only when its name starts with :data:`TMP_PREFIX`, it
    is a regular file, it has not been modified for ``min_age`` seconds and
    no process holds its lock (a live writer holds it until it renames the
    file). Where locks are not supported, only files older than a day go.
    Errors are ignored: this is housekeeping.

    Parameters
    ----------
    folder : str or path-like
    min_age : float, default=STALE_AFTER
        Seconds since the last modification.

    Returns
    -------
    removed : list of str
        The names removed.
    """
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(TMP_PREFIX):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or now - st.st_mtime < min_age:
                continue
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            continue
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a live writer
                except OSError:  # no locks on this file system: go by age alone
                    if now - st.st_mtime < STALE_AFTER_UNLOCKED:
                        continue
            os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _create_temporary(folder, name, private):
    """Create and lock a new temporary file next to ``name``; return (fd, path)."""
    # A plain open's mode: 0o666 less the umask, applied by the kernel (no
    # process-wide umask juggling); 0o600 for private files.
    perm = 0o600 if private else 0o666
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f"{TMP_PREFIX}{name[:80]}.{secrets.token_hex(4)}")
        try:
            fd = os.open(tmp, flags, perm)
        except FileExistsError:
            continue
        if fcntl is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_EX)
        return fd, tmp
    raise FileExistsError(f"could not create a temporary file in {folder}")  # pragma: no cover


@contextlib.contextmanager
def atomic_writer(path, *, private=False):
    """Open ``path`` for writing whole or not at all (a context manager).

    Yields a binary file object on a temporary file in ``path``'s folder
    (created if needed). When the block ends normally the file is flushed to
    disk and renamed over ``path``; when it raises, the temporary file is
    removed and ``path`` is left as it was. Raising inside the block is how a
    caller refuses what it wrote (a wrong checksum, a short download). Stale
    temporaries of killed writers in that folder are removed first (see
    :func:`remove_stale_temporaries`).

    Parameters
    ----------
    path : str or path-like
        The destination.
    private : bool, default=False
        False: the file gets the mode a plain ``open`` would give it
        (``0o666`` less the umask), not ``mkstemp``'s ``0o600``. True:
        ``0o600``, readable by its owner only.

    Yields
    ------
    file : binary file object

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_emoji._utils import atomic_writer
    >>> folder = tempfile.mkdtemp()
    >>> with atomic_writer(os.path.join(folder, "a.txt")) as fh:
    ...     _ = fh.write(b"hello")
    >>> os.listdir(folder)
    ['a.txt']
    >>> try:
    ...     with atomic_writer(os.path.join(folder, "b.txt")) as fh:
    ...         _ = fh.write(b"half")
    ...         raise ValueError("refused")
    ... except ValueError:
    ...     pass
    >>> os.listdir(folder)
    ['a.txt']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path.parent)
    fd, tmp = _create_temporary(path.parent, path.name, private)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path, data, *, private=False):
    """Write ``data`` to ``path`` whole or not at all.

    The bytes go to a temporary file in the same folder, are flushed to disk
    and renamed over ``path`` (see :func:`atomic_writer`), so a reader never
    sees a half-written file and an interrupted write leaves the old file
    (and no temporary) behind. The file gets the mode a plain ``open`` would
    give it (``0o666`` less the umask), not ``mkstemp``'s private ``0o600``,
    unless ``private`` is True.

    Parameters
    ----------
    path : str or path-like
    data : bytes
    private : bool, default=False
        Give the file mode ``0o600``.

    Returns
    -------
    path : str
    """
    with atomic_writer(path, private=private) as fh:
        fh.write(data)
    return os.fspath(path)
