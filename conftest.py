"""Root pytest set-up, shared by the tests and the docstring examples."""

import os
from pathlib import Path

_SHARED_DATA = (Path(__file__).resolve().parent.parent / "shared" / "data").resolve()

# Read the real datasets from ../shared/data unless the caller chose a data home.
if "SKLEARN_EMOJI_DATA" not in os.environ and _SHARED_DATA.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(_SHARED_DATA)
# Tests train tiny networks, for which a second thread only adds overhead
# (measured up to tens of times slower on 2 shared cores).
os.environ.setdefault("OMP_NUM_THREADS", "1")
