# eventdw: `make run` builds the warehouse from seeds/, `make test` runs the test suite.
# `make lint` checks style and types, `make format` rewrites the code in the house style.
# All create .venv from uv.lock first; uv itself is installed into .tools/ if the machine lacks it.

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv

.PHONY: run test lint format clean dashboard

run: $(VENV)/.synced
	$(VENV)/bin/eventdw run

test: $(VENV)/.synced
	$(VENV)/bin/pytest

dashboard: $(VENV)/.synced
	$(VENV)/bin/eventdw dashboard

CODE := flows expectations dashboard tests bench

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check $(CODE)
	$(VENV)/bin/ruff format --check $(CODE)
	$(VENV)/bin/mypy flows/eventdw expectations dashboard

format: $(VENV)/.synced
	$(VENV)/bin/ruff check --fix $(CODE)
	$(VENV)/bin/ruff format $(CODE)

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.9

# --compile-bytecode: every run imports dbt, Great Expectations and Prefect, thousands of modules; with
# their bytecode written once here, a process does not compile them again (PYTHONDONTWRITEBYTECODE set).
$(VENV)/.synced: pyproject.toml uv.lock Makefile | $(UV)
	$(UV) sync --frozen --all-extras --compile-bytecode --python $(PYTHON)
	touch $@

clean:
	rm -rf warehouse exports data_docs build dbt_project/target dbt_project/logs
