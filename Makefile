# One entry point for people and CI. `make demo` and `make test` work on a fresh machine:
# they create .venv when missing. `make demo` installs only what the sample apps need (the
# package with its [samples] extra); `make test` adds the dev tools ([all,samples,dev]:
# linters, type checker, pytest plugins, Playwright, the official SDK for the compatibility tests).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
APP ?= flask
# The lowest-versions run: every direct dependency at the minimum pyproject.toml allows.
LOWEST_VENV ?= .venv-lowest

.PHONY: install demo-install test-install test test-lowest lint typecheck demo emulator mutate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(BIN)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[samples]'
	touch $@

$(BIN)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[all,samples,dev]'
	touch $@ $(BIN)/.demo-installed

demo-install: $(BIN)/.demo-installed
test-install: $(BIN)/.installed
install: test-install

lint: test-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: test-install
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

# The suite with every direct dependency at the lowest version pyproject.toml allows, in its own
# venv, so that a lower bound that stops working fails here. Installed with [all,samples,test]
# only: the dev tools and the third-party peers (the official SDK, oidc-provider-mock) pin
# newer versions of our dependencies, so their tests, the browser tests and the packaging
# tests run in `make test` only.
THIRD_PARTY_TESTS := --ignore=tests/core/test_third_party_provider.py \
	--ignore=tests/core/test_web_third_party.py
# Older Starlette versions leave anyio memory streams unclosed, which anyio 4.11+ reports
# as a ResourceWarning when they are collected (at a random later test); not ours to fix.
LOWEST_WARNINGS := -W 'ignore:Unclosed <MemoryObject:ResourceWarning'
test-lowest:
	rm -rf $(LOWEST_VENV)
	$(PYTHON) -m venv $(LOWEST_VENV)
	$(LOWEST_VENV)/bin/pip install --quiet uv
	$(LOWEST_VENV)/bin/uv pip install --quiet --python $(LOWEST_VENV)/bin/python \
		--resolution lowest-direct -e '.[all,samples,test]'
	SCALEKIT_E2E= $(LOWEST_VENV)/bin/pytest -p no:cacheprovider --ignore=tests/e2e \
		$(THIRD_PARTY_TESTS) -m 'not packaging and not official_sdk' $(LOWEST_WARNINGS)

# Mutation testing of the core's security modules ([tool.mutmut] in pyproject.toml), one module
# at a time against the tests that call it; a table per module, the survivors not listed in
# tests/mutation_equivalents.toml, and exit status 1 under a 95 % kill rate. Not part of
# `make test` (about five minutes on two cores).
mutate: test-install
	$(BIN)/python tools/mutate.py

# A sample app (APP=flask|fastapi|django) on the bundled emulator, or on the Scalekit
# environment named by SCALEKIT_ENVIRONMENT_URL/_CLIENT_ID/_CLIENT_SECRET. Ctrl-C stops it.
demo: demo-install
	@case "$(APP)" in flask|fastapi|django) ;; *) echo "APP must be flask, fastapi or django" >&2; exit 2;; esac
	exec $(BIN)/python sample_apps/$(APP)_app/run.py

emulator: demo-install
	exec $(BIN)/scalekit-emulator
