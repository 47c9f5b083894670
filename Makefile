# Two commands on a fresh clone: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/negotiation-timeline serve

# The whole suite on SQLite, then again on PostgreSQL (skipped, and said so, if unreachable).
test: $(STAMP)
	$(BIN)/python -m pytest
	NT_TEST_BACKEND=postgres $(BIN)/python -m pytest -m "not sqlite_only"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

check: lint test

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache

# Benchmarks (not tests, not in CI): figures against targets on SQLite and PostgreSQL, about
# five minutes; writes bench/results/latest.json.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python bench/run.py --backend both
