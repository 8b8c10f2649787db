# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: setup node browser run chat lint typecheck unit test bench bench-suppression package clean

# Python environment; re-installs only when the requirement files change.
setup: $(VENV)/.installed
$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# npm packages (osls, serverless-offline, dynalite, chart.js) exactly as the lock file says.
node: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's chromium for the dashboard's browser test; installed where we are root.
browser:
	@bash scripts/ensure_chromium.sh

# The line, locally, on the embedded SQLite store.
run: setup node
	$(BIN)/adviceline serve --host $(HOST) --port $(PORT)

# The interactive simulator (no server, nothing recorded).
chat: setup
	$(BIN)/adviceline chat

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# Every test, including the ones that start dynalite, moto server, serverless-offline and chromium.
test: setup node browser lint typecheck
	$(BIN)/adviceline check-content --quiet
	$(BIN)/python -m pytest

bench: setup node
	$(BIN)/python scripts/bench.py

# Suppression speed for 28/90/366-day ranges, against the first, slower implementation.
bench-suppression: setup
	$(BIN)/python scripts/bench_suppression.py

package: setup node
	$(BIN)/python scripts/package_webhook.py
	npx osls package

clean:
	rm -rf build .serverless var test-artifacts .pytest_cache .mypy_cache .ruff_cache
