"""Shared test set-up: real data from ../shared/data, a per-session cache."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT.parent / "shared" / "data").resolve()

# Point the loaders at the shared data unless the caller chose otherwise.
if "SKLEARN_EMOJI_DATA" not in os.environ and SHARED_DATA.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(SHARED_DATA)
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def data_home():
    path = Path(os.environ["SKLEARN_EMOJI_DATA"])
    if not (path / "weibo_ced").exists():
        pytest.fail(f"the shared data is missing at {path}; set SKLEARN_EMOJI_DATA")
    return path
