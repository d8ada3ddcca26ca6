# authlab: every target but `setup` depends on the environment that `setup` makes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PROFILE ?= standard
# SECURITY=latest (or a path) puts the security lab's results in the bench report.
SECURITY ?=
# make explore VARIANT=session-redis (and make flamegraph VARIANT=...): which variant.
VARIANT ?=
# JupyterLab is an optional group, installed by `make notebook` alone.
NOTEBOOK_STAMP := $(VENV)/.notebook-installed

.PHONY: setup test lint bench flamegraph serve-session serve-token security notebook explore clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	@$(BIN)/authlab bench --profile $(PROFILE) $(if $(SECURITY),--security $(SECURITY))

security: setup
	@$(BIN)/authlab security

# make flamegraph VARIANT=token-hs256 [TWIN=1]: where a GET /me goes, as an SVG in results/.
flamegraph: setup
	@$(BIN)/authlab flamegraph $(VARIANT) $(if $(TWIN),--plain-twin)

notebook: $(NOTEBOOK_STAMP)
	@$(BIN)/authlab notebook

$(NOTEBOOK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,notebook]'
	touch $(NOTEBOOK_STAMP)

explore: setup
	@$(BIN)/authlab explore $(VARIANT)

serve-session: setup
	$(BIN)/authlab serve session

serve-token: setup
	$(BIN)/authlab serve token

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
