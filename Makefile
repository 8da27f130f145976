# SkillForge developer commands. `make demo` and `make test` work on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

# What is installed and deployed is pinned: layers/requirements-dev.txt (tests, CLI, checks; what `make install`
# installs) and layers/requirements-lambda.txt (the Lambda layer, Python 3.12 arm64). `make lock` writes both.
DEV_LOCK := layers/requirements-dev.txt
LAYER_LOCK := layers/requirements-lambda.txt
# The Lambda runtime of infra/skillforge_infra/bundling.py (PYTHON_VERSION, ARCHITECTURE).
LAMBDA_PYTHON := 3.12
LAMBDA_PLATFORM := aarch64-manylinux_2_28
UV := $(BIN)/uv
LOCK_FLAGS := --quiet --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

.PHONY: install lock demo test test-fast synth bench lint openapi clean

# uv at the version the dev lock pins, then exactly the dev lock (sync also removes what it does not list), then
# the project itself, editable, without resolving anything.
$(VENV)/.installed: pyproject.toml $(DEV_LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "$$(grep -m1 '^uv==' $(DEV_LOCK))"
	$(UV) pip sync -q --python $(BIN)/python $(DEV_LOCK)
	$(UV) pip install -q --python $(BIN)/python --no-deps -e .
	@touch $@

install: $(VENV)/.installed

## lock: recompile both lock files from pyproject.toml (keeps current pins; `make lock UPGRADE=1` refreshes all)
# The layer lock is constrained by the dev lock, so every package the layer carries is the version tested.
# --fork-strategy fewest: one version per package for every supported Python where one exists.
lock:
	@test -x $(UV) || { test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); $(BIN)/python -m pip install -q uv; }
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) --extra dev --extra cli --universal --fork-strategy fewest \
		--python-version 3.11 -o $(DEV_LOCK)
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) --python-version $(LAMBDA_PYTHON) \
		--python-platform $(LAMBDA_PLATFORM) --only-binary :all: --generate-hashes -c $(DEV_LOCK) -o $(LAYER_LOCK)

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

## lint: ruff (rules and formatting), mypy on layers/ and functions/, the import-linter contracts
LINT_PATHS := $(wildcard layers functions glue_jobs infra tests)
lint: install
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	-$(BIN)/skillforge db down
	rm -rf cdk.out .pytest_cache
