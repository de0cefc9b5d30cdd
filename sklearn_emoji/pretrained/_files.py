"""Shipped artifact files: tensors in safetensors, everything else in JSON, a manifest with checksums.

An artifact ``NAME`` is three files in one folder:

``NAME.safetensors``
    The weights (safetensors: a JSON header and raw little-endian arrays;
    reading it runs no code, unlike a pickle).
``NAME.json``
    What the weights need to be used: vocabulary, sizes, pooling, emojis,
    the root posts the network saw.
``NAME.manifest.json``
    How it was built and what it scores: the recipe, the data and its
    SHA-256, the library version, a hash of the excluded root posts, the
    held-out numbers, and the size and SHA-256 of the two files above.
    Both are checked against it before either is parsed.
"""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np

from .._utils import atomic_write_bytes

__all__ = ["PretrainedFileError", "write_artifact", "read_artifact", "read_manifest", "sha256_file"]

FORMAT = "sklearn-emoji/artifact"
FORMAT_VERSION = 1
REBUILD = "rebuild it with `sklearn-emoji build-models` (or `make models`)"


class PretrainedFileError(ValueError):
    """A shipped model file is missing, damaged (checksum) or inconsistent."""


def sha256_file(path, chunk=1 << 20):
    """SHA-256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _paths(folder, name):
    base = os.path.join(os.fspath(folder), name)
    return base + ".safetensors", base + ".json", base + ".manifest.json"


def _json_bytes(obj, *, compact=False):
    """UTF-8 JSON, keys sorted; ``compact``: no indentation (the data file, read by programs, not people)."""
    layout = {"separators": (",", ":")} if compact else {"indent": 1}
    return (json.dumps(obj, ensure_ascii=False, sort_keys=True, **layout) + "\n").encode("utf-8")


def write_artifact(folder, name, tensors, data, manifest):
    """Write artifact ``name`` under ``folder``; returns the manifest written.

    ``tensors`` maps names to NumPy arrays, ``data`` is plain JSON, and
    ``manifest`` gets ``files`` (bytes and SHA-256 of each file) added.
    Every file is written whole or not at all.
    """
    from safetensors.numpy import save

    weights_path, data_path, manifest_path = _paths(folder, name)
    os.makedirs(os.fspath(folder), exist_ok=True)
    blob = save({k: np.ascontiguousarray(v) for k, v in sorted(tensors.items())})
    data_blob = _json_bytes(data, compact=True)  # a 20,000-word vocabulary: 100 KB less than indented
    atomic_write_bytes(weights_path, blob)
    atomic_write_bytes(data_path, data_blob)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": name,
        **manifest,
        "files": {
            os.path.basename(p): {"bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()}
            for p, b in ((weights_path, blob), (data_path, data_blob))
        },
    }
    atomic_write_bytes(manifest_path, _json_bytes(manifest))
    return manifest


def read_manifest(folder, name):
    """The manifest of artifact ``name`` (checked for its format, not its files)."""
    manifest_path = _paths(folder, name)[2]
    if not os.path.isfile(manifest_path):
        raise PretrainedFileError(f"no manifest for the model {name!r} at {manifest_path!r}; {REBUILD}")
    try:
        with open(manifest_path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PretrainedFileError(f"the manifest {manifest_path!r} is unreadable ({exc}); {REBUILD}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PretrainedFileError(f"{manifest_path!r} is not a sklearn-emoji artifact manifest; {REBUILD}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise PretrainedFileError(
            f"{manifest_path!r} has artifact format version {manifest.get('format_version')!r}; this version "
            f"of sklearn-emoji reads version {FORMAT_VERSION}; {REBUILD}"
        )
    if not isinstance(manifest.get("files"), dict):
        raise PretrainedFileError(f"{manifest_path!r} lists no files; {REBUILD}")
    return manifest


def verify_artifact(folder, name, manifest=None):
    """Check each file of artifact ``name`` against its manifest (size, then SHA-256)."""
    manifest = manifest if manifest is not None else read_manifest(folder, name)
    for path in _paths(folder, name)[:2]:
        base = os.path.basename(path)
        entry = manifest["files"].get(base)
        if entry is None:
            raise PretrainedFileError(f"the manifest of {name!r} does not list {base}; {REBUILD}")
        if not os.path.isfile(path):
            raise PretrainedFileError(f"the model file {path!r} is missing; {REBUILD}")
        size = os.path.getsize(path)
        if size != entry["bytes"] or sha256_file(path) != entry["sha256"]:
            raise PretrainedFileError(
                f"the model file {path!r} does not match its manifest ({size} bytes, expected "
                f"{entry['bytes']}; SHA-256 differs): it is damaged or was changed; {REBUILD}"
            )
    return manifest


def read_artifact(folder, name):
    """``(tensors, data, manifest)`` of artifact ``name``, checked against the manifest first."""
    from safetensors.numpy import load

    manifest = verify_artifact(folder, name)
    weights_path, data_path, _ = _paths(folder, name)
    with open(weights_path, "rb") as f:
        tensors = load(f.read())
    with open(data_path, encoding="utf-8") as f:
        data = json.load(f)
    return tensors, data, manifest
