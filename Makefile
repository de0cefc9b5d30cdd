# Set-up and everyday commands. Everything runs in a local virtual environment
# (.venv) that the first command creates; torch is pinned to 2.13.0 and
# installed before the project so pip takes the CPU wheel rather than a
# CUDA build.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
# The real datasets; tests, CI and the demo read them from here.
export SKLEARN_EMOJI_DATA ?= $(abspath ../shared/data)

.PHONY: install test demo paper-table models docs bench fuzz clean lint format typecheck buildcheck

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[test,docs,dev,vectors,serve,onnx,dask,accelerate]"
	touch $(STAMP)

install: $(STAMP)

# The test suite (unit, doctests of every public docstring, end-to-end on real data).
test: install
	$(BIN)/python -m pytest

# The main job, in minutes: the held-out Weibo table of F-BOW, LEXICON, the
# shipped pre-trained H-LSTM (weibo-128) fine-tuned on the training threads and
# H-LSTM+LEXICON, with the README's numbers beside (results/demo.json).
DEMO_ARGS ?= --pretrained weibo-128 --methods F-BOW,LEXICON,H-LSTM,H-LSTM+LEXICON --output results/demo.json
demo: install
	$(BIN)/sklearn-emoji evaluate $(DEMO_ARGS)

# The paper's full Table 2 and 3: every Chinese method trained from scratch
# with the paper's settings at size 128 (about 35 minutes on 2 CPU cores);
# the paper's size 384 wants a GPU:
#   make paper-table PAPER_ARGS="--paper-settings --embedding-dim 384 --hidden-dim 384 --device cuda"
PAPER_ARGS ?= --paper-settings --embedding-dim 128 --hidden-dim 128 --max-epochs 30
paper-table: install
	$(BIN)/sklearn-emoji evaluate --methods S-BOW,F-BOW,S-LSTM,F-LSTM,H-LSTM,LEXICON,LEXICON+BOW \
	  --output results/paper_table.json $(PAPER_ARGS)

# Rebuild every shipped pre-trained artifact (sklearn_emoji/pretrained/data)
# from ../shared/data: word2vec on 590,346 unlabelled replies, pre-training on
# 146,035 dialogues from those vectors and three fine-tuning seeds, one torch
# thread (deterministic), about 21 minutes on 2 CPU cores.
MODELS_ARGS ?=
models: install
	$(BIN)/sklearn-emoji build-models $(MODELS_ARGS)

# The documentation site with the example gallery, warnings as errors.
docs: install
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

# Lint and formatting (ruff, configured in pyproject.toml). Read-only; `make
# format` applies ruff's fixes and formatting.
LINT_PATHS := sklearn_emoji tests examples benchmarks docs/conf.py docs/gallery_order.py conftest.py
lint: install
	@rc=0; \
	echo "$(BIN)/ruff check $(LINT_PATHS)"; $(BIN)/ruff check $(LINT_PATHS) || rc=1; \
	echo "$(BIN)/ruff format --check $(LINT_PATHS)"; $(BIN)/ruff format --check $(LINT_PATHS) || rc=1; \
	exit $$rc

format: install
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

# Type check of the package (mypy, configured in pyproject.toml).
typecheck: install
	$(BIN)/mypy

# Release check: build the sdist and the wheel (the wheel from the sdist), run
# twine check on both, install the wheel into a fresh virtual environment in a
# temporary folder (torch==2.13.0 first, for the CPU wheel) and, from that
# folder rather than the checkout, run the command line and import every
# public name.
buildcheck: install
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	echo "buildcheck: working in $$tmp"; \
	$(BIN)/python -m build --outdir "$$tmp/dist" . > "$$tmp/build.log" 2>&1 \
	  || { cat "$$tmp/build.log"; exit 1; }; \
	tail -n 1 "$$tmp/build.log"; \
	$(BIN)/twine check --strict "$$tmp"/dist/*; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install -q torch==2.13.0; \
	"$$tmp/venv/bin/python" -m pip install -q "$$tmp"/dist/*.whl; \
	cd "$$tmp"; \
	venv/bin/sklearn-emoji --version; \
	venv/bin/python -c "$$BUILDCHECK_PY"

# Run by buildcheck inside the fresh environment.
define BUILDCHECK_PY
import importlib.metadata as md
import sklearn_emoji
from sklearn_emoji import *
assert "site-packages" in sklearn_emoji.__file__, sklearn_emoji.__file__
names = [n for n in sklearn_emoji.__all__ if n not in globals()]
assert not names, names
files = {f.name for f in md.files("sklearn-emoji")}
assert "LICENSE" in files and "py.typed" not in files, files  # no py.typed: the API is not annotated
print(f"{len(sklearn_emoji.__all__)} public names import from {sklearn_emoji.__file__}")
endef
export BUILDCHECK_PY

bench: install
	$(BIN)/python benchmarks/bench_hlstm.py
	$(BIN)/python benchmarks/bench_lexicon.py
	$(BIN)/python benchmarks/bench_tokenize.py

# The property tests of tests/test_properties.py with many more examples
# (2,000 per property; minutes, not part of `make test`).
FUZZ_ARGS ?=
fuzz: install
	$(BIN)/python benchmarks/fuzz_properties.py $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) docs/_build docs/auto_examples docs/generated results .mypy_cache .ruff_cache dist
