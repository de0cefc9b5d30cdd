"""Root pytest set-up, shared by the tests and the docstring examples."""

import os
from pathlib import Path

_SHARED_DATA = (Path(__file__).resolve().parent.parent / "shared" / "data").resolve()

# Read the real datasets from ../shared/data unless the caller chose a data home.
if "SKLEARN_EMOJI_DATA" not in os.environ and _SHARED_DATA.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(_SHARED_DATA)
os.environ.setdefault("OMP_NUM_THREADS", "2")
