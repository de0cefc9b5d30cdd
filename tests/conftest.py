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


@pytest.fixture
def restore_jieba():
    """Put jieba's default dictionary back as it was after a test that changes it.

    ``jieba.del_word`` does not undo ``jieba.add_word``: the total frequency
    keeps the added count, which shifts every later segmentation of the
    process (and the package's memories follow the dictionary), so a test
    that adds words must restore the dictionary for the tests after it.
    """
    import jieba
    from jieba import finalseg

    dt = jieba.dt
    dt.check_initialized()
    freq, total = dict(dt.FREQ), dt.total
    tags, force = dict(dt.user_word_tag_tab), set(finalseg.Force_Split_Words)
    yield
    dt.FREQ, dt.total = freq, total
    dt.user_word_tag_tab = tags
    finalseg.Force_Split_Words.clear()
    finalseg.Force_Split_Words.update(force)
