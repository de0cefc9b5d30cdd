"""Shared test set-up: real data from ../shared/data, a per-session cache."""

import os
from pathlib import Path

import pytest

# The data home itself is set in the root conftest.py (doctests need it too).


@pytest.fixture(scope="session")
def data_home():
    path = Path(os.environ["SKLEARN_EMOJI_DATA"])
    if not (path / "weibo_ced").exists():
        pytest.fail(f"the shared data is missing at {path}; set SKLEARN_EMOJI_DATA")
    return path
