# One entry point for people and CI. `make test` and `make demo` work on a fresh machine:
# they create .venv when missing and install the project with every extra.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
APP ?= flask

.PHONY: install test lint typecheck demo emulator

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

# A sample app (APP=flask|fastapi|django) on the bundled emulator, or on the Scalekit
# environment named by SCALEKIT_ENVIRONMENT_URL/_CLIENT_ID/_CLIENT_SECRET. Ctrl-C stops it.
demo: install
	@case "$(APP)" in flask|fastapi|django) ;; *) echo "APP must be flask, fastapi or django" >&2; exit 2;; esac
	exec $(BIN)/python sample_apps/$(APP)_app/run.py

emulator: install
	exec $(BIN)/scalekit-emulator
