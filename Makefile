# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8080

EDITOR     := server/sparql/editor
EDITOR_JS  := server/sparql/static/sparql-editor.js

.PHONY: serve test build lint bench clean editor

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

test: $(STAMP) editor
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check kg server tests bench

bench: $(STAMP)
	$(BIN)/python bench/build.py

clean:
	rm -rf build .builds $(VENV) $(EDITOR)/node_modules $(EDITOR_JS)
