# Partner Incentive Ledger. Every target bootstraps what it needs on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := -e contracts -e services/servicekit -e services/registration -e services/mdf -e services/ledger

.PHONY: venv run test test-fast lint bench schemas clean

$(STAMP): requirements.txt requirements-dev.txt contracts/pyproject.toml services/*/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps $(PACKAGES)
	touch $(STAMP)

venv: $(STAMP)

## make run: the whole system on its embedded default (Ctrl-C stops everything)
run: $(STAMP)
	$(BIN)/python deploy/devstack/devstack.py

## make test: the whole suite against real PostgreSQL and a real Kafka-protocol broker
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup contracts/tests services tests

## make test-fast: unit tests only
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q contracts/tests services/*/tests/unit

lint: $(STAMP)
	$(BIN)/ruff check contracts services tests deploy
	$(BIN)/mypy contracts/incentive_contracts services/servicekit/servicekit services/registration/registration services/mdf/mdf services/ledger/ledger
	$(BIN)/lint-imports

schemas: $(STAMP)
	$(BIN)/python -m incentive_contracts.generate

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .devstack
