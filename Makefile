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

.PHONY: setup lock test test-fast lint bench flamegraph serve-session serve-token security browsers notebook explore clean

setup: $(STAMP)

# The environment is installed from the lock alone: exact versions, every file checked against
# its hash (pip refuses anything unpinned), then the project itself without touching them.
$(STAMP): pyproject.toml requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# make lock [UPGRADE=1]: requirements/*.txt from pyproject.toml, the widest group first so the
# narrower ones take the same versions. pip-compile reads the public index alone (no
# machine-local index or wheel folder), so what it pins installs on any machine. Without
# UPGRADE it keeps every pin that still fits; commit the result on its own, lint and tests green.
LOCK_ENV := env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL -u PIP_CONSTRAINT \
	PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock"
COMPILE := $(LOCK_ENV) $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)

lock: setup
	$(COMPILE) --all-extras -o requirements/notebook.txt pyproject.toml
	$(COMPILE) --extra dev -c requirements/notebook.txt -o requirements/dev.txt pyproject.toml
	$(COMPILE) -c requirements/dev.txt -o requirements/runtime.txt pyproject.toml
	$(BIN)/python -m authlab.dependency_lock check

# Every test: the fast ones on every core, two workers each (pytest-xdist); the end-to-end
# ones (marked e2e) in three groups, one worker each (tests/conftest.py): those that drive
# load (the Node targets, flamegraph, ...) one after another, so no two disturb each other;
# the cloud topology's, which mostly wait; every other (browsers, the security lab,
# explore, ...); last the smoke run's file, alone (its figures are the ones a neighbour
# disturbs).
# test-fast is the first part alone.
E2E_ALONE := tests/authlab/bench/test_run.py
# The fast half on two pytest-xdist workers a core: most of its tests wait on a child
# process, a socket or a server thread, so one a core left the cores idle a third of the
# time (138 s against about 95 s here on 2 cores).
WORKERS ?= $(shell $(PYTHON) -c 'import os; print(2 * len(os.sched_getaffinity(0)))')
# Compiled modules are cached (__pycache__, ignored by git) even where the environment says
# PYTHONDONTWRITEBYTECODE: without the cache every pytest worker rewrote every test module's
# asserts again (about 2 s of CPU each, eight workers in all) and every server, Locust and CLI
# process the tests start compiled the lab's modules again.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest
test: setup
	$(PYTEST) -m "not e2e" -n $(WORKERS)
	$(PYTEST) -m e2e -n 3 --dist loadgroup --ignore=$(E2E_ALONE)
	$(PYTEST) -m e2e $(E2E_ALONE)

test-fast: setup
	$(PYTEST) -m "not e2e" -n $(WORKERS)

lint: setup
	$(BIN)/python -m authlab.dependency_lock check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: setup
	@$(BIN)/authlab bench --profile $(PROFILE) $(if $(SECURITY),--security $(SECURITY))

# make bench-node: the Express session and token servers of stacks/node (target files,
# README "Bring your own stack") beside the lab's Python pair and its no-auth baseline.
NODE_TARGETS := --target stacks/node/baseline.toml --target stacks/node/session.toml \
	--target stacks/node/token.toml
# Where the Node servers get their scratch user database (made beside this one, dropped after).
AUTHLAB_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: bench-node node-deps
bench-node: setup node-deps
	@AUTHLAB_POSTGRES_URL=$(AUTHLAB_POSTGRES_URL) $(BIN)/authlab bench --profile $(PROFILE) \
		--only baseline,session-redis,token-hs256 $(NODE_TARGETS) --experiments none

node-deps: stacks/node/node_modules/.package-lock.json

stacks/node/node_modules/.package-lock.json: stacks/node/package-lock.json
	npm ci --prefix stacks/node --no-audit --no-fund

security: setup
	@$(BIN)/authlab security

# Find Chromium and Firefox and start each once; download a missing Chromium with
# Playwright where the network allows, else print the package manager's command.
browsers: setup
	@$(BIN)/authlab browsers

# make flamegraph VARIANT=token-hs256 [TWIN=1]: where a GET /me goes, as an SVG in results/.
flamegraph: setup
	@$(BIN)/authlab flamegraph $(VARIANT) $(if $(TWIN),--plain-twin)

notebook: $(NOTEBOOK_STAMP)
	@$(BIN)/authlab notebook

$(NOTEBOOK_STAMP): $(STAMP) requirements/notebook.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/notebook.txt
	touch $(NOTEBOOK_STAMP)

explore: setup
	@$(BIN)/authlab explore $(VARIANT)

serve-session: setup
	$(BIN)/authlab serve session

serve-token: setup
	$(BIN)/authlab serve token

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache stacks/node/node_modules
