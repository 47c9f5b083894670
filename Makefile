# Two commands on a fresh clone: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint check clean js

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The JavaScript the browser tests check our exports against (the real TimelineJS, pinned by
# its lock file), from npm into an ignored node_modules.
JS := tests/browser/js
JS_STAMP := $(JS)/node_modules/.package-lock.json

$(JS_STAMP): $(JS)/package.json $(JS)/package-lock.json
	cd $(JS) && npm ci --ignore-scripts --no-audit --no-fund
	touch $(JS_STAMP)

js: $(JS_STAMP)

run: $(STAMP)
	$(BIN)/negotiation-timeline serve

# The whole suite on SQLite, then again on PostgreSQL (skipped, and said so, if unreachable),
# each spread over the machine's cores (pytest-xdist; every worker has its own files and its own
# PostgreSQL database).
test: $(STAMP) $(JS_STAMP)
	$(BIN)/python -m pytest -n auto
	NT_TEST_BACKEND=postgres $(BIN)/python -m pytest -n auto -m "not sqlite_only"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

check: lint test

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache $(JS)/node_modules

# Benchmarks (not tests, not in CI): figures against targets on SQLite and PostgreSQL, about
# five minutes; writes bench/results/latest.json.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python bench/run.py --backend both
