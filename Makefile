# hmic-kg: two commands to start (`make run`, `make test`); each creates .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= .hmic-kg
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/hmic-kg load data/reports --data-dir $(DATA_DIR)
	$(BIN)/hmic-kg serve --data-dir $(DATA_DIR) --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

# the fast lane for iterating: no slow, browser or real-server tests (make test runs them all)
FAST_MARKS := not slow and not browser and not server
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n auto -m "$(FAST_MARKS)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DATA_DIR) build dist *.egg-info .pytest_cache .ruff_cache
