# Two commands: `make run` (demo server + worker) and `make test` (whole suite, lint included).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint install install-dev catalogues browser pdf-fonts clean check-reliability

$(BIN)/python:
	@scripts/make_venv.sh "$(PYTHON)" "$(VENV)"

# Re-install only when a requirements file changes.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime-installed

install: $(VENV)/.runtime-installed catalogues pdf-fonts

install-dev: $(VENV)/.dev-installed catalogues pdf-fonts

# Compiled gettext catalogues (.mo) are built here, not committed.
catalogues: | $(BIN)/python
	@DEBUG=true $(BIN)/python manage.py compile_catalogues

browser:
	@scripts/ensure_chromium.sh

# Certificate PDFs (WeasyPrint) need Pango and a CJK font from Debian's packages.
pdf-fonts:
	@scripts/ensure_pdf_fonts.sh

run: install
	@scripts/run.sh

# Import contracts: [tool.importlinter] in pyproject.toml. The graph takes under a second to
# build, so no cache directory is left in the checkout.
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

test: install-dev browser lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fault, fuzz, permission and load suites alone (they also run in `make test`);
# docs/RELIABILITY.md says what they try.
RELIABILITY_TESTS := tests/faults tests/fuzz tests/security tests/e2e/test_outage.py \
	tests/simulator/test_embedded_load.py tests/simulator/test_csp.py tests/e2e/test_csp_pages.py
check-reliability: install-dev browser
	$(BIN)/python -m pytest $(RELIABILITY_TESTS) $(PYTEST_ARGS)

clean:
	rm -rf var/test var/broker var/cache var/static
