# Two commands matter: `make run` and `make test` (see README). Everything else
# is a step they use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
STAMP     := $(VENV)/.installed
MODEL     := models/zqbz.tar.gz
SOCKETIO  := web/widget/vendor/socket.io.min.js
# Makes the plain `rasa` command of .venv read the same settings as `make run` (scripts/rasa_env.py).
RASA_ENV  := $(VENV)/lib/python3.10/site-packages/zqbz_rasa_env.pth
CHROMIUM  ?= /usr/bin/chromium

# Ports, addresses and stores (RASA_PORT, ACTION_PORT, WEB_PORT, BIND_HOST, TRACKER_DB, …) default in one
# place, scripts/rasa_env.py: serve.sh and the plain `rasa` commands both read it.
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0

# Rasa 3.6 needs Python 3.10: python3.10 on PATH if it runs (a pyenv shim may
# exist without working), else the newest under pyenv's versions folder.
PYTHON310 := $(shell \
  if python3.10 -c 'import sys' >/dev/null 2>&1; then command -v python3.10; \
  else ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.10*/bin/python3.10 2>/dev/null | sort -V | tail -n 1; fi)

# The NLU components import plain-Python modules of core/.
NLU_INPUTS := config.yml domain.yml $(shell find data components core -type f \( -name '*.yml' -o -name '*.txt' -o -name '*.py' \) 2>/dev/null)

# Tests carry a marker saying what they need beyond Python (pytest.ini); unit tests carry none.
NEEDS := model or browser or postgresql or redis

.PHONY: help install browser services redis train run shell learn lint test test-unit validate test-stories test-model screenshots bench clean

# Every target a user may run carries a "## what it does" comment: `make help` lists them.
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/make \1|\2/' | \
	  awk -F'|' '{ printf "%-20s %s\n", $$1, $$2 }'

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "error: Python 3.10 not found (Rasa 3.6 does not install on 3.11)." >&2; \
	  echo "       Install it (e.g. 'pyenv install 3.10') or put python3.10 on PATH." >&2; exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON310)"
	@[ -x $(PY) ] || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<24.1"
	$(PY) -m pip install --quiet -c constraints.txt -r requirements-dev.txt
	@touch $@

# The widget's socket.io client, from the npm registry, served next to the widget.
$(SOCKETIO): package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm not found (needed once, to fetch socket.io-client)" >&2; exit 1; }
	npm ci --no-audit --no-fund --silent
	mkdir -p $(@D)
	cp node_modules/socket.io-client/dist/socket.io.min.js $@

# The plain rasa commands (rasa shell, rasa run, rasa run actions, rasa test)
# fill in the settings endpoints.yml and credentials.yml expand, as make run does.
$(RASA_ENV): scripts/rasa_env.py $(STAMP)
	$(PY) scripts/rasa_env.py --pth > $@

install: $(STAMP) $(SOCKETIO) $(RASA_ENV) ## create .venv (Python 3.10), fetch the widget's socket.io client, let plain `rasa` commands work

# Headless Chromium for the browser tests, with Chinese and emoji fonts for the
# screenshots (Debian's packages; Playwright drives the browser).
BROWSER_PACKAGES := chromium fonts-wqy-microhei fonts-noto-color-emoji
browser: ## install headless Chromium and CJK fonts for the browser tests (Debian, as root)
	@if [ ! -x "$(CHROMIUM)" ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing $(BROWSER_PACKAGES) for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	  else echo "error: install Debian's packages $(BROWSER_PACKAGES) (or set CHROMIUM=...)" >&2; exit 1; fi; fi

# PostgreSQL and Redis for the serving tests (Debian's packages). The tests
# start their own servers on free loopback ports and stop them after; the
# packages' own services are not used.
SERVICE_PACKAGES := postgresql redis-server
services: ## install PostgreSQL and Redis for the serving tests (Debian, as root)
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v redis-server >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing $(SERVICE_PACKAGES) for the serving tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SERVICE_PACKAGES) >/dev/null; \
	  else echo "error: install Debian's packages $(SERVICE_PACKAGES)" >&2; exit 1; fi; fi

# Redis alone, for `SANIC_WORKERS=2 make run` (its lock store) when no REDIS_HOST is given.
redis: ## install Redis for several Rasa processes on one machine (Debian, as root)
	@if ! command -v redis-server >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing redis-server for the Rasa processes' shared lock store"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else echo "error: SANIC_WORKERS=$(SANIC_WORKERS) needs Redis: install Debian's redis-server or set REDIS_HOST" >&2; \
	    exit 1; fi; fi

# Retrain only when something the model is built from changed.
$(MODEL): $(STAMP) $(RASA_ENV) $(NLU_INPUTS)
	$(RASA) train --fixed-model-name zqbz --out models
	@touch $@

train: $(MODEL) ## train the model into models/ if its data changed

# SANIC_WORKERS=2 make run: two Rasa processes, with a local Redis for their lock store (installed if missing).
run: $(MODEL) $(SOCKETIO) $(if $(REDIS_HOST),,$(if $(filter-out 1,$(SANIC_WORKERS)),redis)) ## install, train if needed, serve Rasa (:5005), actions (:5055), help page (:8000)
	@scripts/serve.sh

shell: $(MODEL) ## talk to the bot in this terminal (action server + rasa shell)
	@scripts/serve.sh --shell

lint: $(STAMP) ## ruff (pinned in requirements-dev.txt; rules in ruff.toml)
	$(VENV)/bin/ruff check .

test-unit: $(STAMP) $(RASA_ENV) ## tests that need nothing beyond Python (no model, browser, PostgreSQL or Redis)
	$(PY) -m pytest -m "not ($(NEEDS))" tests

validate: $(STAMP) ## rasa data validate and the project's data checks
	$(PY) scripts/validate_data.py

test-stories: $(MODEL) ## Rasa story tests (tests/test_stories.yml)
	$(RASA) test core --stories tests/test_stories.yml --model $(MODEL) \
	  --fail-on-prediction-errors --out results/stories

test-model: $(MODEL) $(SOCKETIO) browser services ## tests through the real servers: evaluation set, channels, widget, agents, serving
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest -m "$(NEEDS)" tests

# Regenerate the README's screenshots (widget at desktop and phone width, agent page).
screenshots: $(MODEL) $(SOCKETIO) browser ## regenerate README's screenshots
	UPDATE_SCREENSHOTS=1 CHROMIUM=$(CHROMIUM) $(PY) -m pytest -m model \
	  tests/test_widget_browser.py tests/test_agent.py -k "screenshot or agent_page"

# Training progress bars are noise in test logs.
test: export TQDM_DISABLE := 1
test: lint test-unit validate train test-stories test-model ## install and run every check (what CI runs)
	@echo "make test: all checks passed"

# Agents' labels from the desk's inbox → data/nlu/learned.yml; RETRAIN=1 also trains a candidate, runs the
# evaluation sets on both models and replaces + loads (PUT /model, RASA_AUTH_TOKEN) only one that is not worse.
learn: $(STAMP) $(RASA_ENV) ## export the desk's labels to data/nlu/learned.yml; RETRAIN=1: guarded retrain and reload
	$(PY) scripts/learn.py $(if $(RETRAIN),--retrain)

# Benchmarks: writes docs/benchmarks.md and docs/bench-*.png from a real run.
bench: export TQDM_DISABLE := 1
bench: $(MODEL) $(SOCKETIO) services ## measure quality, speed, memory, training time; write docs/benchmarks.md
	$(PY) bench/run.py

clean: ## remove models, results and fetched JavaScript
	rm -rf models results .rasa .pytest_cache node_modules web/widget/vendor
