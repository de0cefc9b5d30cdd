"""Small real CED corpora for the dataset tests (test_datasets.py, test_faults.py)."""

import tarfile
import zipfile
import zlib


def read_ced_subset(data_home, every=300):
    """The threads of the real archive whose key's CRC-32 is a multiple of ``every``.

    Returns ``{member name under CED_Dataset/: bytes}``: root posts and their
    repost files, about ``2 * 3387 / every`` members.
    """
    members = {}
    with tarfile.open(data_home / "weibo_ced" / "CED_Dataset.tar.gz") as tf:
        for m in tf:
            if m.isfile() and m.name.endswith(".json"):
                key = m.name.rsplit("/", 1)[1][:-5]
                if zlib.crc32(key.encode()) % every == 0:
                    members[m.name.split("/", 1)[1]] = tf.extractfile(m).read()
    return members


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
