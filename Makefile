# The two set-up commands of README.md: `make run` (the daemon and the web on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config/pantau.yaml
DATABASE_URL ?= sqlite:///pantau.db
WEB_PORT ?= 8000

.PHONY: run test lint bench demo clean

$(BIN)/pantau: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/pantau
	$(BIN)/pantau --config $(CONFIG) --db $(DATABASE_URL) serve --port $(WEB_PORT)

lint: $(BIN)/pantau
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: lint
	$(BIN)/pytest -q

bench: $(BIN)/pantau
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache pantau.db pantau.db-wal pantau.db-shm
