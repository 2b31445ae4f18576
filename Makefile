# Winnow: `make demo` and `make test` are the two commands; both install first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STATE_DIR ?= .winnow
PACKAGES := packages/common packages/client services/api services/gpu-worker services/reporter services/reconciler services/cli services/dashboard deploy/local
STAMP := $(VENV)/.installed
APT := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)

.PHONY: install up down status demo test lint client

install: $(STAMP)

# Re-runs only when a package definition or the tool list changed.
$(STAMP): $(addsuffix /pyproject.toml,$(PACKAGES)) requirements-dev.txt Makefile
	@# A venv without pip (interrupted creation) is recreated.
	@test -x $(BIN)/pip || $(PYTHON) -m venv --clear $(VENV)
	@# torch comes first, pinned, from pip (a CUDA build that also runs on CPU).
	$(BIN)/pip install --quiet torch==2.14.1 torchvision==0.29.1
	$(BIN)/pip install --quiet -r requirements-dev.txt $(addprefix -e ,$(PACKAGES))
	@# pdftoppm renders report pages to PNG in the reporter tests (Debian's poppler-utils).
	@command -v pdftoppm >/dev/null || $(APT) install -y -q poppler-utils >/dev/null \
		|| ($(APT) update -q >/dev/null && $(APT) install -y -q poppler-utils >/dev/null) \
		|| echo "warning: could not install poppler-utils (pdftoppm); PDF page tests will fail"
	@# The browser tests drive Debian's chromium through Playwright (no browser download).
	@command -v chromium >/dev/null || $(APT) install -y -q chromium >/dev/null \
		|| ($(APT) update -q >/dev/null && $(APT) install -y -q chromium >/dev/null) \
		|| echo "warning: could not install chromium; the browser tests will fail"
	@# Azurite (Azure Blob emulator, npm) into .cache/azurite for the GCS/AZURE datasource tests.
	@$(BIN)/winnow-stack install-emulators -q >/dev/null \
		|| echo "warning: could not npm-install Azurite (needs Node 20+ and npm); AZURE tests will fail"
	@touch $(STAMP)

up: install
	$(BIN)/winnow-stack up --state-dir $(STATE_DIR)

down:
	@if [ -x $(BIN)/winnow-stack ]; then $(BIN)/winnow-stack down --state-dir $(STATE_DIR); fi

status: install
	$(BIN)/winnow-stack status --state-dir $(STATE_DIR)

demo: up
	$(BIN)/python scripts/demo.py --stack-env $(STATE_DIR)/stack.env

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy packages/common/src packages/client/src
	$(BIN)/lint-imports
	$(BIN)/python scripts/generate_client.py --check

# Regenerates packages/client/openapi.json and the typed client after an API change.
client: install
	$(BIN)/python scripts/generate_client.py

test: lint
	$(BIN)/python -m pytest
