"""Small real CED corpora for the dataset tests (test_datasets.py, test_faults.py)."""

import functools
import tarfile
import zipfile
import zlib
from pathlib import Path

# The ``every`` values the test files ask for are multiples of these: one pass
# over the archive (50 MB of gzip) per test run serves them all.
_SCANNED_EVERY = (150, 500)


def _read(archive, keep):
    """``{member name under CED_Dataset/: (CRC-32 of its key, bytes)}`` for the keys whose CRC ``keep`` accepts."""
    members = {}
    with tarfile.open(archive) as tf:
        for m in tf:
            if m.isfile() and m.name.endswith(".json"):
                crc = zlib.crc32(m.name.rsplit("/", 1)[1][:-5].encode())
                if keep(crc):
                    members[m.name.split("/", 1)[1]] = (crc, tf.extractfile(m).read())
    return members


@functools.cache
def _scan(archive):
    return _read(archive, lambda crc: any(crc % e == 0 for e in _SCANNED_EVERY))


def read_ced_subset(data_home, every=300):
    """The threads of the real archive whose key's CRC-32 is a multiple of ``every``.

    Returns ``{member name under CED_Dataset/: bytes}``: root posts and their
    repost files, about ``2 * 3387 / every`` members. The archive is read
    once per test run for all the values that are multiples of 150 or 500.
    """
    archive = (Path(data_home) / "weibo_ced" / "CED_Dataset.tar.gz").resolve()
    if any(every % e == 0 for e in _SCANNED_EVERY):
        members = _scan(archive)
    else:
        members = _read(archive, lambda crc: crc % every == 0)
    return {name: raw for name, (crc, raw) in members.items() if crc % every == 0}


def write_zip(path, members, top="Chinese_Rumor_Dataset-master/CED_Dataset"):
    """A zip laid out like GitHub's branch download of the CED repository."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Chinese_Rumor_Dataset-master/README.md", "readme")
        for name, raw in members.items():
            zf.writestr(f"{top}/{name}", raw)


def write_folder(home, members):
    """An unpacked ``<home>/weibo_ced/CED_Dataset/`` folder; returns it."""
    folder = home / "weibo_ced" / "CED_Dataset"
    for name, raw in members.items():
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(raw)
    return folder
