# cxtemplate — everything a fresh machine needs, in two commands:
#   make report   build .venv (pinned versions), run the demo engagement, print the report's path
#   make test     build .venv, install headless Chromium if missing, run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv report test test-fast test-load lint-imports browser lab bench demo-data constraints clean

help:
	@echo "make report   run the demo engagement and print the report's index.html"
	@echo "make test     run the test suite (installs what it needs)"
	@echo "make test-fast  every test that runs no notebook (under a minute) and the import contracts"
	@echo "make lab      open JupyterLab on the notebooks (installs the optional 'lab' extra)"
	@echo "make bench    run the benchmarks and update bench/RESULTS.md"

# The venv is rebuilt when the project's requirements change.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

venv: $(STAMP)

report: $(STAMP)
	$(BIN)/cxtemplate run params/demo.yaml
	@echo "Report: $$(cd reports/demo/latest && pwd -P)/index.html"

browser:
	@bash .ci/install-chromium.sh

# Everything but the load test: the notebook-free tests on both cores (as test-fast), then the whole
# engagements and the browser checks, one test at a time (they start kernels and Chromium of their own).
test: $(STAMP) browser lint-imports
	$(BIN)/python -m pytest -m "not slow and not browser" -n 2
	$(BIN)/python -m pytest -m "(slow or browser) and not load" --durations=15

# The layers of docs/layers.md, declared as import-linter contracts in pyproject.toml.
lint-imports: $(STAMP)
	$(BIN)/lint-imports --no-cache

# Twenty organisations in one command (about ten minutes on 2 cores): left out of `make test`.
test-load: $(STAMP)
	$(BIN)/python -m pytest -m load -s tests/flows/test_load.py

# Every test that executes no notebook and needs no browser, on both cores: under a minute, for the
# edit-test loop (plus the import contracts, a second).
test-fast: $(STAMP) lint-imports
	$(BIN)/python -m pytest -m "not slow and not browser" -n 2

# JupyterLab gets its own venv: installed in the runtime one it makes every papermill call ~2.5x
# slower. Notebooks open with the demo defaults; jupytext keeps each .ipynb paired with its .py.
LAB_VENV := .venv-lab
$(LAB_VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(LAB_VENV)/bin/python || $(PYTHON) -m venv $(LAB_VENV)
	$(LAB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LAB_VENV)/bin/python -m pip install --quiet -c constraints.txt -e '.[lab]'
	@touch $@

lab: $(LAB_VENV)/.installed
	cd notebooks && ../$(LAB_VENV)/bin/jupyter lab

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

demo-data: $(STAMP)
	$(BIN)/python -c "from cxtemplate.synth.organisation import DEMO_SPEC, generate, write_organisation; write_organisation(generate(DEMO_SPEC), 'data/demo')"

# Re-pin the whole tree after editing pyproject.toml (needs the package index).
constraints:
	rm -rf /tmp/cx-pin && $(PYTHON) -m venv /tmp/cx-pin
	/tmp/cx-pin/bin/python -m pip install --quiet --upgrade pip
	/tmp/cx-pin/bin/python -m pip install --quiet -e '.[test,lab]'
	( echo "# Exact versions of the whole dependency tree (Python 3.11), used by make as pip constraints."; \
	  /tmp/cx-pin/bin/python -m pip freeze --exclude-editable ) > constraints.txt

clean:
	rm -rf $(VENV) $(LAB_VENV) reports/*/ .pytest_cache
