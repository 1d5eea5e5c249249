# Two commands do everything on a fresh machine with Python 3.11+:
#   make run    install, migrate, load demo data, start web + Celery worker + beat
#   make test   install, lint, type-check and run the whole test suite
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
# Where `make run` serves the app: make run PORT=8101 (HOST=0.0.0.0 to listen on every
# interface). Links in e-mails (SITE_URL) point there, fixed here once for the demo data,
# the web process, the worker and beat: honcho gives each process a PORT of its own.
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT
export SITE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
PYTEST_ARGS ?=
# Tests run in parallel (one database per worker), the browser tests among them in groups
# (tests/browser/conftest.py: a worker loads the demo data, starts a server and Chromium once
# per group). The other tests that start processes (marked slow: Celery workers, servers,
# faults) run after, alone, so that nothing competes with their timings.
PYTEST_WORKERS ?= auto
# make bench: default (the issue's sizes, about 10 minutes) or small (about 1/100, about 2 minutes).
SCALE ?= default
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/13

# Python writes its bytecode caches (__pycache__, ignored by git) even where the shell says
# not to (PYTHONDONTWRITEBYTECODE, set on some machines): otherwise every process this file
# starts (each test worker, Celery worker, server and subprocess of a test) compiles Django
# and the app from source again, about 2.5 s of CPU each.
export PYTHONDONTWRITEBYTECODE :=

# uv never downloads a Python of its own: it uses $(PYTHON).
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help install lock run test lint format typecheck pytest migrate seed check-python clean bench messages vendor-axe

help:
	@echo "make run     start the app on http://$(HOST):$(PORT) with a Celery worker and beat"
	@echo "make test    lint, type-check and run all tests"
	@echo "make format  rewrite the code in the project's style"
	@echo "make bench   benchmarks on PostgreSQL and Redis (SCALE=small for a quick run)"

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "Python 3.11 or newer is needed; '$(PYTHON)' is $$($(PYTHON) --version 2>&1). Run: make PYTHON=/path/to/python3.11 ..."; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
	  { echo "'$(PYTHON)' cannot make virtual environments. On Debian or Ubuntu: sudo apt install python3-venv"; exit 1; }

# uv itself lives in its own small virtual environment, pinned, so nothing global is needed.
$(UV): | check-python
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The locked dependencies (uv.lock), re-synced whenever the lock or pyproject change.
# --locked refuses a lock file that no longer matches pyproject.toml (run `make lock`).
$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python $(PYTHON)
	@touch $@

# The translation catalogues, compiled with Babel (pure Python: no gettext needed).
install: $(VENV)/.installed
	@$(BIN)/python manage.py compile_catalogues -v0 >/dev/null

# After changing strings: extract them into every catalogue (needs GNU gettext:
# apt install gettext), then translate what is new in locale/<lang>/LC_MESSAGES/django.po.
MESSAGE_LANGUAGES := es vi th fil
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages $(addprefix -l ,$(MESSAGE_LANGUAGES)) \
	  --no-obsolete --add-location file -e html,txt,py,svg \
	  -i ".venv/*" -i ".tools/*" -i "tests/*" -i "bench/*" -i "staticfiles/*" -i "var/*"
	$(BIN)/python manage.py compile_catalogues

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	@echo ""
	@echo "  Open http://$(HOST):$(PORT)/ (Ctrl-C stops web, worker and beat)"
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.dev start

lock: $(UV)
	$(UV) lock --python $(PYTHON)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy .

pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not slow or browser" $(PYTEST_ARGS)
	$(BIN)/pytest -p no:xdist -m "slow and not browser" $(PYTEST_ARGS) || [ $$? -eq 5 ]

# The type check (one process, about 25 s) runs beside the tests: it fills the second core
# while the test workers start and one of them migrates the test database. Its report (a
# line, or its errors) comes when it is done, among the tests' progress, which shows as it
# goes; either failing fails `make test`.
test: lint
	@$(MAKE) --no-print-directory -j2 typecheck pytest

# Benchmarks in a database of their own (ngo_bench / ngo_bench_small, made and seeded when
# missing) and Redis database 13: never the development data. Writes bench/report.md and
# bench/report.json. Needs PostgreSQL and Redis running (BENCH_DATABASE_URL, BENCH_REDIS_URL;
# BENCH_DB_NAME picks another database of the same scale).
bench: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) \
	  $(BIN)/python -m bench.run --scale $(SCALE)

# axe-core for the browser tests, from its npm package at the pinned version (committed).
vendor-axe:
	bash tests/browser/assets/vendor_axe.sh

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache staticfiles
