"""Small shared mechanics."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes"]


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` whole or not at all.

    The bytes go to a temporary file in the same folder, are flushed to disk
    and renamed over ``path``, so a reader never sees a half-written file and
    an interrupted write leaves the old file (and no temporary) behind. The
    file gets the mode a plain ``open`` would give it (``0o666`` less the
    umask), not ``mkstemp``'s private ``0o600``.

    Parameters
    ----------
    path : str or path-like
    data : bytes

    Returns
    -------
    path : str
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return os.fspath(path)
