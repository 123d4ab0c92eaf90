# Two commands do everything: `make demo` and `make test`. Both start from nothing but python3.
# The environment comes from uv.lock (pinned, hashed); uv itself is bootstrapped with pip.

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
YR := $(VENV)/bin/yr

# Telemetry of every tool is off; no Python build is ever downloaded.
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export GX_ANALYTICS_ENABLED := False
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

# The demo's synthetic population: three municipalities, people who move between them,
# benefit histories from before the staircase's start (2014-06-30) to the end of 2024. It runs on
# the day its deliveries end: a later run date would take that last, two-day week for a whole one.
DEMO_ARGS ?= --kommuner 730,376,101 --borgere 2000 --fra 2014-01-01 --til 2024-12-31 --froe 1
DEMO_AS_OF ?= 2024-12-31

.PHONY: help install demo run ui yumu test lint format clean

help:
	@echo "make demo     set up, generate sample deliveries, run the whole pipeline"
	@echo "make test     set up, then lint (ruff, sqlfluff) and run the test suite"
	@echo "make ui       open the Dagster UI on http://127.0.0.1:3000"
	@echo "make yumu     the YUMU registration screen on http://127.0.0.1:8080"
	@echo "make install  only set up .venv from uv.lock"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Bytecode is compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on our CI machines) Python
# never caches it, and every process (each run, each dbt command) compiled Dagster, dbt and Great
# Expectations from source again: 1.7 s of every dbt command, 3 s of every Dagster process (B23).
$(VENV)/.installed: $(UV) pyproject.toml uv.lock Makefile
	$(UV) sync --locked --compile-bytecode --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed

demo: install
	$(YR) generate $(DEMO_ARGS)
	YR_AS_OF=$(DEMO_AS_OF) $(YR) run

run: install
	$(YR) run

ui: install
	$(YR) ui

yumu: install
	$(YR) yumu web

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# The dbt templater compiles the project: give it a throw-away data folder, never data/.
	scratch=$$(mktemp -d) && mkdir -p $$scratch/warehouse && \
		YR_DATA_DIR=$$scratch DBT_LOG_PATH=$$scratch/logs $(VENV)/bin/sqlfluff lint dbt_project/models

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: lint
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) $(TOOLS) dbt_project/target dbt_project/logs
