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

.PHONY: install test demo docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[test,docs]"
	touch $(STAMP)

install: $(STAMP)

# The test suite (unit, doctests of every public docstring, end-to-end on real data).
test: install
	$(BIN)/python -m pytest

# The main job: every method on the Weibo dialogues, Tables 2 and 3, JSON in
# results/. The default arguments are those of the README's table (LSTMs at
# size 128, about 35 minutes on 2 CPU cores); the paper's size 384 wants a GPU:
#   make demo DEMO_ARGS="--embedding-dim 384 --hidden-dim 384 --device cuda"
# and a quick look takes a minute:
#   make demo DEMO_ARGS="--methods S-BOW,F-BOW,LEXICON"
DEMO_ARGS ?= --embedding-dim 128 --hidden-dim 128 --max-epochs 30 --output results/evaluate.json
demo: install
	$(BIN)/sklearn-emoji evaluate $(DEMO_ARGS)

# The documentation site with the example gallery, warnings as errors.
docs: install
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

bench: install
	$(BIN)/python benchmarks/bench_hlstm.py
	$(BIN)/python benchmarks/bench_lexicon.py

clean:
	rm -rf $(VENV) docs/_build docs/auto_examples docs/generated results
