# SkillForge developer commands. `make demo` and `make test` work on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: install demo test test-fast synth bench lint openapi clean

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

## demo: local stack (PostgreSQL, moto, migrations, O*NET sample, API on :8080) in the foreground
demo: install
	SKILLFORGE_ENV=local $(BIN)/skillforge demo

## test: the whole suite against a real PostgreSQL and moto
test: install
	$(BIN)/python -m pytest

## test-fast: everything but the CDK synth tests
test-fast: install
	$(BIN)/python -m pytest -m "not infra"

## synth: CDK synth to cdk.out/ offline (no Docker, no AWS credentials)
synth: install
	$(BIN)/skillforge synth

## bench: the on-demand benchmarks (they print their figures)
bench: install
	$(BIN)/python -m pytest tests/benchmarks -s -p no:cacheprovider

## openapi: regenerate docs/openapi.json from the resolver's routes
openapi: install
	$(BIN)/python -m skillforge.api.app > docs/openapi.json.tmp && mv docs/openapi.json.tmp docs/openapi.json

lint: install
	$(BIN)/ruff check layers functions glue_jobs infra tests

clean:
	-$(BIN)/skillforge db down
	rm -rf cdk.out .pytest_cache
