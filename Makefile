# Two commands on a fresh machine: `make serve` and `make test`.
# python3.11 where installed, else the machine's python3 (3.11 or newer, see pyproject.toml)
PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8080

EDITOR     := server/sparql/editor
EDITOR_JS  := server/sparql/static/sparql-editor.js

.PHONY: serve test test-tools build lint bench mutate mutate-named clean editor

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml changes; editable so that kg/ and server/ edits apply at once.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/kg build

# The SPARQL editor (CodeMirror 6, from the npm registry by package-lock.json, bundled by esbuild). Without npm, or
# when the registry cannot be reached, the page stays a plain form and everything else works.
$(EDITOR_JS): $(EDITOR)/package-lock.json $(EDITOR)/package.json $(EDITOR)/src/editor.js
	@if command -v npm >/dev/null 2>&1; then \
	  (cd $(EDITOR) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build) \
	  || echo "SPARQL editor not built (npm failed): /sparql is a plain form" >&2; \
	else echo "npm not found: /sparql is a plain form without the editor" >&2; fi

editor: $(EDITOR_JS)

serve: build editor
	$(BIN)/kg serve --host $(HOST) --port $(PORT)

# Everything the suite runs – browser, Java reasoner, Oxigraph server, gunicorn – is installed first (tests/install.sh,
# idempotent), and a skipped test fails the run (tests/support/strict.py): `make test` runs the whole suite or stops.
test-tools:
	bash tests/install.sh

test: $(STAMP) test-tools
	$(MAKE) --no-print-directory editor
	$(BIN)/python -m pytest

# Mutation testing (cosmic-ray) against tests/mutation/baseline.toml: slow, one module at a time, never in CI.
#   make mutate MODULE=kg/drucksache.py      (modules and their tests: tests/mutation/modules.toml)
#   make mutate MODULE=kg/sources.py SAMPLE=80   (a fixed random sample of 80 mutants, for a long module)
$(VENV)/.mutate-installed: pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,mutate]'
	touch $@

mutate: $(VENV)/.mutate-installed
	nice -n 19 $(BIN)/python tests/mutation/run.py $(if $(SAMPLE),--sample $(SAMPLE)) $(MODULE)

# The bugs issue 19 found surviving, as hand-written mutants (tests/mutation/named.toml): each must be killed.
mutate-named: $(STAMP)
	nice -n 19 $(BIN)/python tests/mutation/run.py --named

lint: $(STAMP)
	$(BIN)/ruff check kg server tests bench

bench: $(STAMP)
	$(BIN)/python bench/build.py

clean:
	rm -rf build .builds $(VENV) $(EDITOR)/node_modules $(EDITOR_JS)
