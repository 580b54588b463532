# Partner Incentive Ledger. Every target bootstraps what it needs on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := -e contracts -e kernel -e services/servicekit -e services/registration -e services/mdf -e services/ledger -e services/insights -e services/governance

.PHONY: venv run demo browser test test-fast lint bench schemas clean

NODE_CLIENT := tests/e2e/nonpython/node_modules/.installed

$(STAMP): requirements.txt requirements-dev.txt contracts/pyproject.toml kernel/pyproject.toml services/*/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps $(PACKAGES)
	touch $(STAMP)

venv: $(STAMP)

# The non-Python Kafka client the tests read topics with (KafkaJS, pinned in package-lock.json),
# and Debian's kcat where apt can install it (used against a real Kafka).
$(NODE_CLIENT): tests/e2e/nonpython/package-lock.json
	cd tests/e2e/nonpython && npm ci --silent --no-audit --no-fund
	command -v kcat >/dev/null || { [ "$$(id -u)" = 0 ] && (apt-get install -y -qq kcat >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq kcat >/dev/null 2>&1)); } || echo "kcat not installed (optional)"
	touch $(NODE_CLIENT)

## make run: the whole system on its embedded default (Ctrl-C stops everything)
run: $(STAMP)
	$(BIN)/python deploy/devstack/devstack.py

## make demo: load a realistic, deterministic program into the running `make run` stack (deploy/demo/)
demo: $(STAMP)
	$(BIN)/python deploy/demo/demo.py

# The browser the console's browser tests drive (Playwright's python package, pinned in
# requirements-dev.txt, with Debian's chromium: Playwright's own browser download is not used).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	[ "$$(id -u)" = 0 ] && (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null 2>&1)) || { echo "install Debian's chromium (apt-get install chromium) for the browser tests"; exit 1; }

browser: $(CHROMIUM)

## make test: the whole suite against real PostgreSQL and a real Kafka-protocol broker
test: $(STAMP) $(NODE_CLIENT) $(CHROMIUM)
	$(BIN)/python scripts/run_tests.py

## make test-fast: unit tests only
test-fast: $(STAMP)
	for suite in contracts/tests kernel/tests services/*/tests/unit; do $(BIN)/python -m pytest -q $$suite || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check contracts kernel services tests deploy scripts benchmarks
	$(BIN)/ruff format --check contracts kernel services tests deploy scripts benchmarks
	$(BIN)/mypy contracts/incentive_contracts kernel/incentive_kernel services/servicekit/servicekit services/registration/registration services/mdf/mdf services/ledger/ledger services/insights/insights services/governance/governance
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_limits.py

schemas: $(STAMP)
	$(BIN)/python -m incentive_contracts.generate

# The webhook load generator: Debian's wrk where apt can install it (else an httpx process is used).
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && (apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null 2>&1)); } || echo "wrk not installed: the ingest benchmark uses its httpx load generator"
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .devstack
