# Two commands set everything up on a fresh machine with Python >= 3.11:  make site   and   make test
# Every target creates the virtual environment first if it is missing or older than pyproject.toml or requirements.lock.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# npm's packages as package-lock.json pins them: DataTables (the site copies it for the audit's claim list) and
# axe-core (the browser tests); npm writes this file on every install
NODE   := node_modules/.package-lock.json

.PHONY: site test test-fast reproduce bench validate lab clean browser-deps graphviz-deps quarto preview variant sweep

# every package, pip and setuptools included, at the version and hashes of requirements.lock; then this project itself
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

## site: execute what changed (papermill, cached), render what changed with Quarto (assembled once if missing), publish _site/
site: $(STAMP) $(NODE) graphviz-deps
	$(BIN)/python -m helpers.pipeline site

## test: the whole suite — data, helpers, audit, nbval, build, faults, browser (installs chromium + axe-core)
# The site is built first, once (the suite reads it), then the tests run on every core (pytest-xdist); a single file
# runs on its own as usual: .venv/bin/python -m pytest tests/test_links.py
test: $(STAMP) browser-deps graphviz-deps
	$(BIN)/python -m helpers.pipeline site
	$(BIN)/python -m pytest -n auto --dist load

## test-fast: the fast tier (under a minute): data, helpers, audit, configuration — nothing that builds the site
test-fast: $(STAMP) graphviz-deps
	$(BIN)/python -m pytest -m "not slow and not browser"

browser-deps: $(NODE)
	@./tools/ensure-chromium.sh

# the diagrams' layout: Debian's graphviz and the theme's font (apt-get, if dot is missing)
graphviz-deps:
	@./tools/ensure-graphviz.sh

$(NODE): package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

## validate: check every data file against data/datapackage.json
validate: $(STAMP)
	$(BIN)/python -m helpers.pipeline validate

## reproduce: re-execute the committed notebooks with default parameters and rewrite their stored outputs
reproduce: $(STAMP) graphviz-deps
	$(BIN)/python -m helpers.pipeline reproduce

## bench: time `make site` as typed (cold, no-op, after edits) against `quarto render` executing every notebook,
##        and a 20-point sweep against a loop of plain papermill (parts: make bench ARGS="--only baseline sweep")
bench: $(STAMP) graphviz-deps
	$(BIN)/python tools/bench.py $(ARGS)

## quarto: the project's Quarto, e.g. `make quarto ARGS=--version` (assembled offline on first use)
quarto: $(STAMP)
	$(BIN)/python -m helpers.pipeline quarto $(ARGS)

## variant: one chapter with other assumptions, both editions, at _site/variants/<chapter>/<slug>/
##          e.g. make variant CHAPTER=01-awareness P="leader_share 0.2 correction none"
variant: $(STAMP) $(NODE) graphviz-deps
	$(BIN)/python -m helpers.pipeline variant $(CHAPTER) $(foreach pair,$(shell printf '%s\n' $(P) | paste -d: - -),-p $(subst :, ,$(pair)))

## sweep: one chapter over a grid, a table in _build/sweeps/ (SCHEDULER=host:8786 for a Dask cluster)
##        e.g. make sweep CHAPTER=01-awareness P="leader_share=0.10:0.20:0.05 correction=holm,none"
sweep: $(STAMP) graphviz-deps
	$(BIN)/python -m helpers.pipeline sweep $(CHAPTER) $(foreach axis,$(P),-p $(axis)) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

## preview: serve one edition (EDITION=en or nb) at http://localhost:4848/, rebuilding a page when its notebook or data are saved
EDITION ?= en
preview: $(STAMP) $(NODE) graphviz-deps
	$(BIN)/python -m helpers.pipeline preview --edition $(EDITION)

## lab: open the notebooks in JupyterLab, e.g. `make lab ARGS="--no-browser --port 8890"` (as root: --allow-root added)
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(ARGS)

clean:
	rm -rf _build _site _site.previous _site.incoming notebooks/figures

## distclean: also the assembled Quarto in .tools/
distclean: clean
	rm -rf .tools
