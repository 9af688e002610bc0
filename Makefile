# tnb: `make help` lists the targets. Only python3 and make are assumed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
# Four workers, a test file each at a time (module fixtures stay in one process): the suite
# mostly waits on kernels and servers, so this halves its time even on two cores.
PYTEST_ARGS ?= -n 4 --dist loadfile

.DEFAULT_GOAL := help
.PHONY: help run services test check bench screenshots format clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@ $(RUN_STAMP)

run: $(RUN_STAMP) ## Build the environment and open the bundled tour notebook
	$(BIN)/tnb examples/tour.ipynb

services: $(TEST_STAMP) ## Install the test services (Enterprise Gateway, JupyterHub) into ~/.cache
	$(BIN)/python -m tests.fixtures.services

test: services ## Build the environment and run the whole test suite (needs tmux)
	@.ci/tmux-check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(TEST_STAMP) ## ruff, mypy --strict and import-linter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(TEST_STAMP) ## Format and auto-fix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(TEST_STAMP) ## Run the benchmarks (ratios against bare libraries)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

screenshots: $(TEST_STAMP) ## Regenerate the SVGs in screenshots/
	$(BIN)/python -m tests.screenshots screenshots

clean: ## Remove the environment and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
