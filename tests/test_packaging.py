"""Packaging metadata that a release relies on (``make buildcheck`` builds and installs the wheel)."""

from pathlib import Path

import pytest

import sklearn_emoji

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def test_version_agrees_with_pyproject(pyproject):
    assert pyproject["project"]["version"] == sklearn_emoji.__version__


def test_licence_file_is_named_and_is_bsd_3_clause(pyproject):
    project = pyproject["project"]
    assert project["license"] == "BSD-3-Clause"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("BSD 3-Clause License")
    assert "Copyright (c) 2026, sklearn-emoji developers" in text
    assert "Neither the name of the copyright holder" in text


def test_py_typed_is_not_shipped(pyproject):
    # The public API is not annotated (see CHANGELOG, 0.3 unreleased): a
    # py.typed marker would tell type checkers to trust signatures that say nothing.
    assert not (ROOT / "sklearn_emoji" / "py.typed").exists()
    assert "py.typed" not in pyproject["tool"]["setuptools"]["package-data"]["sklearn_emoji"]


def test_every_public_name_resolves():
    for name in sklearn_emoji.__all__:
        assert getattr(sklearn_emoji, name) is not None, name
