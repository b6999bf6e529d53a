# One entry point for people and CI. `make test` and `make demo` work on a fresh machine:
# they create .venv when missing and install the project with every extra.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
APP ?= flask

.PHONY: install test lint typecheck demo emulator bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[all,dev]'
	touch $@

install: $(BIN)/.installed

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

emulator: install
	$(BIN)/scalekit-emulator
