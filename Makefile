# wirewatch: `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=
# CI sets this; locally it defaults to the shared corpus beside the checkout.
WIREWATCH_CORPUS_DIR ?= $(abspath ../shared/corpus/feeds)
export WIREWATCH_CORPUS_DIR

# The PostgreSQL half of the store's tests: a throwaway cluster in var/pg (tests/pg_cluster.sh)
# unless WIREWATCH_TEST_POSTGRES names a server already (CI does).
PG_DIR ?= var/pg/data

.PHONY: run test system-deps lint typecheck contracts pytest bench actors clean pg pg-stop

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "wirewatch needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## run: the daemon on the embedded default (seed feed, console channel, var/wirewatch.db)
run: $(VENV)/.installed
	$(BIN)/wirewatch run $(ARGS)

## test: lint, the import-layer contract, type checks and the tests
test: system-deps lint contracts typecheck pytest

# Debian packages the tests use: systemd-analyze (the unit file's checks), PostgreSQL (the
# store's second backend), iso-codes (the actor library's ISO 3166 cross-check), and
# systemd-nspawn + mmdebstrap (tests/systemd: the unit booted under a real systemd; root
# only, as that test skips without root).
IS_ROOT := $(filter 0,$(shell id -u))
# Installed when missing and running as root; otherwise named, with the command.
SYSTEM_DEPS_MISSING = $(strip \
	$(if $(shell command -v systemd-analyze),,systemd) \
	$(if $(wildcard /usr/lib/postgresql/*/bin/initdb),,postgresql) \
	$(if $(wildcard /usr/share/iso-codes/json/iso_3166-1.json),,iso-codes) \
	$(if $(IS_ROOT),$(if $(shell command -v systemd-nspawn),,systemd-container)) \
	$(if $(IS_ROOT),$(if $(shell command -v mmdebstrap),,mmdebstrap)))

system-deps:
ifneq ($(SYSTEM_DEPS_MISSING),)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $(SYSTEM_DEPS_MISSING); \
	else \
		echo "make test needs: $(SYSTEM_DEPS_MISSING) (sudo apt-get install $(SYSTEM_DEPS_MISSING))"; \
		exit 1; \
	fi
endif

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check daemon rules store tests
	$(BIN)/ruff format --check daemon rules store tests

contracts: $(VENV)/.installed-dev
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	@started=; if [ -z "$$WIREWATCH_TEST_POSTGRES" ]; then \
		eval "$$(tests/pg_cluster.sh start $(PG_DIR))" && started=1; fi; \
	$(BIN)/pytest $(ARGS); status=$$?; \
	if [ -n "$$started" ]; then tests/pg_cluster.sh stop $(PG_DIR); fi; exit $$status

## pg: start the test PostgreSQL cluster; prints the export line for running pytest by hand
pg:
	@tests/pg_cluster.sh start $(PG_DIR)

pg-stop:
	@tests/pg_cluster.sh stop $(PG_DIR)

## bench: throughput and memory benchmarks (tests/bench/), printed as a report
bench: $(VENV)/.installed-dev
	@if [ -z "$$WIREWATCH_TEST_POSTGRES" ]; then eval "$$(tests/pg_cluster.sh start $(PG_DIR))"; fi; \
	$(BIN)/python -m tests.bench

## actors: regenerate rules/actors/*.yaml from CLDR (babel) and rules/curated/*.yaml
actors: $(VENV)/.installed-dev
	$(BIN)/python -m rules.cldr_gen

clean: pg-stop
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
