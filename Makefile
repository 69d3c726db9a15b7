# Two commands set everything up on a fresh machine with Python >= 3.11:  make site   and   make test
# Every target creates the virtual environment first if it is missing or older than pyproject.toml.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: site test test-fast reproduce bench validate lab clean browser-deps quarto preview

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## site: execute what changed (papermill, cached), render what changed with Quarto (assembled once if missing), publish _site/
site: $(STAMP)
	$(BIN)/python -m helpers.build site

## test: the whole suite — data, helpers, audit, nbval, build, faults, browser (installs chromium + axe-core)
test: $(STAMP) browser-deps
	$(BIN)/python -m pytest

## test-fast: the fast tier (under a minute): data, helpers, audit, configuration — nothing that builds the site
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

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

## bench: time `make site` as typed (cold, no-op, after edits) against `quarto render` executing every notebook
bench: $(STAMP)
	$(BIN)/python tools/bench.py

## quarto: the project's Quarto, e.g. `make quarto ARGS=--version` (assembled offline on first use)
quarto: $(STAMP)
	$(BIN)/python -m helpers.build quarto $(ARGS)

## preview: serve one edition (EDITION=en or nb) at http://localhost:4848/, rebuilding a page when its notebook or data are saved
EDITION ?= en
preview: $(STAMP)
	$(BIN)/python -m helpers.build preview --edition $(EDITION)

## lab: open the notebooks in JupyterLab
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf _build _site _site.previous notebooks/figures

## distclean: also the assembled Quarto in .tools/
distclean: clean
	rm -rf .tools
