# akhbar — the two commands are `make demo` and `make test`; each installs what is missing.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
SHARED ?= ../shared

.PHONY: demo test test-fast lint hostile bench bench-web setup system-deps browser-deps clean

setup:  ## the Python environment, from uv.lock; ./akhbar then runs the akhbar command of this checkout
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || \
	  { echo "installing uv with pip"; $(PYTHON) -m pip install --quiet uv; }
	@$(UV) sync --frozen --quiet --compile-bytecode
	@$(UV) run --frozen python -m compileall -q src >/dev/null
	@touch .venv/.akhbar-synced

system-deps:  ## Debian packages the tests need (PostgreSQL, chromium, Noto fonts, npm); installed when run as root
	@scripts/system-deps

browser-deps: tests/node_modules/axe-core/axe.min.js  ## axe-core for the browser tests (npm, from tests/package-lock.json)

tests/node_modules/axe-core/axe.min.js: tests/package.json tests/package-lock.json
	npm ci --prefix tests --no-audit --no-fund --loglevel=error
	@touch $@

demo: setup  ## load the demo set into ./akhbar-data and serve it; then type ./akhbar COMMAND in another shell
	./akhbar demo

lint: setup
	$(UV) run ruff format --check src tests
	$(UV) run ruff check src tests
	$(UV) run mypy

# pytest-xdist: one test process per core and one more (at most 4; many tests wait on a browser,
# a server or a child process), each test file whole in one of them (its module fixtures built
# once); each process starts its own PostgreSQL cluster (tests/conftest.py).
TEST_PROCESSES := $(shell $(PYTHON) -c 'import os; print(min(4, len(os.sched_getaffinity(0)) + 1))')
test: setup system-deps browser-deps lint
	$(UV) run pytest --numprocesses $(TEST_PROCESSES) --dist loadfile --durations 25

test-fast: setup  ## the edit loop: the tests without the slow, browser and postgres marks, no lint (under a minute)
	$(UV) run pytest -q -m "not slow and not browser and not postgres"

hostile: setup browser-deps  ## the hostile-input suite (tests/hostile/cases.toml) against a real akhbar serve, as a table
	PYTHONPATH=tests $(UV) run pytest tests/test_hostile.py -p hostile_report -q

bench: setup
	$(UV) run akhbar bench extract --data $(SHARED)/data
	$(UV) run akhbar bench web --data $(SHARED)/data
	$(UV) run akhbar bench ingest --data $(SHARED)/data

bench-web: setup
	$(UV) run akhbar bench web --data $(SHARED)/data

clean:
	rm -rf .venv .mypy_cache .ruff_cache .pytest_cache akhbar-data tests/node_modules tests/output
