# ebill-ops: two commands matter — `make demo` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)/plugins:$(CURDIR)
# The demo's sandbox (the tests use their own: .sandbox/test, port base 56400).
export EBILL_SANDBOX_DIR ?= $(CURDIR)/.sandbox/default
DEMO_DAYS ?= 7
DEMO_BILLS ?= 3000

.PHONY: help venv lock system-deps sandbox seed demo test test-fast lint format airflow down clean bench

help:
	@echo "make demo    - set up everything, seed the sandbox hospital, run every DAG once, print findings"
	@echo "make test    - the whole test suite (starts the sandbox it needs)"
	@echo "make airflow - airflow standalone on the sandbox (UI on http://127.0.0.1:8080)"
	@echo "make lint | format | lock | down | clean | bench"

# --- install -------------------------------------------------------------------------------
$(STAMP): requirements.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@test -x $(BIN)/python || uv venv --quiet --python $(PYTHON) $(VENV)
	VIRTUAL_ENV=$(CURDIR)/$(VENV) uv pip sync --quiet requirements.lock
	@touch $(STAMP)

venv: $(STAMP)

# Regenerate the fully pinned lock from the direct dependencies (needs the package registry).
lock:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	uv pip compile --quiet --python-version 3.11 --generate-hashes requirements.txt -o requirements.lock

# PostgreSQL server binaries (Debian's package) for the sandbox, unless EBILL_TEST_PG_URL is set.
system-deps:
	@if [ -z "$$EBILL_TEST_PG_URL" ] && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  echo "installing Debian's postgresql (server binaries for the sandbox)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi

# --- sandbox and demo ----------------------------------------------------------------------
sandbox: venv system-deps
	$(BIN)/python -m sandbox up

seed: sandbox
	$(BIN)/python -m sandbox seed --days $(DEMO_DAYS) --bills-per-day $(DEMO_BILLS)

demo: seed
	$(BIN)/python -m sandbox.demo

airflow: sandbox
	@echo "Airflow standalone on the sandbox; admin password: $(EBILL_SANDBOX_DIR)/airflow/simple_auth_manager_passwords.json.generated"
	set -a; source "$$($(BIN)/python -m sandbox env-file)"; set +a; \
	PATH="$(CURDIR)/$(BIN):$$PATH" AIRFLOW_HOME="$(EBILL_SANDBOX_DIR)/airflow" \
	AIRFLOW__CORE__DAGS_FOLDER="$(CURDIR)/dags" AIRFLOW__CORE__PLUGINS_FOLDER="$(CURDIR)/plugins" \
	AIRFLOW__CORE__LOAD_EXAMPLES=False EBILL_OPS_HOME="$(CURDIR)" \
	sh -c '$(BIN)/airflow db migrate >/dev/null && $(BIN)/airflow pools import docker/pools.json && exec $(BIN)/airflow standalone' 

down:
	-$(BIN)/python -m sandbox down
	-EBILL_SANDBOX_DIR=$(CURDIR)/.sandbox/test EBILL_SANDBOX_PORT_BASE=56400 $(BIN)/python -m sandbox down

# --- quality -------------------------------------------------------------------------------
test: venv system-deps
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-fast: venv
	$(BIN)/python -m pytest -q -m "not integration and not e2e" $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Each benchmark prints ratios against its baseline and peak memory; see docs/benchmarks.md.
bench: venv system-deps
	$(BIN)/python -m bench.foundation --bills 1000000
	$(BIN)/python -m bench.recon_compare --seed
	$(BIN)/python -m bench.quality_validate --seed --days 23 --bills-per-day 50000
	$(BIN)/python -m bench.transit_resync
	$(BIN)/python -m bench.inspect_backup
	$(BIN)/python -m bench.yearend_layout
	$(BIN)/python -m bench.security_offline
	$(BIN)/python -m bench.extract_workbook --seed

clean: down
	rm -rf .sandbox artifacts
