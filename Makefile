# Two commands set everything up on a fresh machine with Python >= 3.11:  make site   and   make test
# Every target creates the virtual environment first if it is missing or older than pyproject.toml.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: site test test-fast reproduce bench validate lab clean browser-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## site: execute what changed (papermill, cached), render with Quarto or pandoc, publish _site/
site: $(STAMP)
	$(BIN)/python -m helpers.build site

## test: the whole suite — data, helpers, audit, nbval, build, faults, browser (installs chromium + axe-core)
test: $(STAMP) browser-deps
	$(BIN)/python -m pytest

## test-fast: everything but the browser suite
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser"

browser-deps: node_modules/axe-core/axe.min.js
	@./tools/ensure-chromium.sh

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

## validate: check every data file against data/datapackage.json
validate: $(STAMP)
	$(BIN)/python -m helpers.build validate

## reproduce: re-execute the committed notebooks with default parameters and rewrite their stored outputs
reproduce: $(STAMP)
	$(BIN)/python -m helpers.build reproduce

## bench: time cold, no-op and incremental builds against the naive nbconvert baseline
bench: $(STAMP)
	$(BIN)/python tools/bench.py

## lab: open the notebooks in JupyterLab
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf _build _site _site.previous notebooks/figures
