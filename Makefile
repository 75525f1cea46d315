# FieldKit — `make run` starts the app, `make test` runs the whole suite.
# Both set up everything a fresh Debian/Ubuntu machine lacks: system packages (installed when
# run as root, otherwise the one apt-get line is printed), a virtual environment, the package.

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Qt (xcb + offscreen), a CJK font Qt and the PDF ledgers can use, libfprint for fingerprint readers.
RUN_DEBS := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
            libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
            libxcb-render-util0 libxcb-image0 fonts-wqy-zenhei libfprint-2-2
# The sync tests run against a real PostgreSQL; screenshots can use Xvfb; PDFs are rasterised
# with poppler's pdftoppm to check that printed QR codes still scan. The web console is tested
# in a real browser: headless chromium driven through chromedriver (selenium).
TEST_DEBS := $(RUN_DEBS) postgresql xvfb poppler-utils chromium chromium-driver

.PHONY: run test lint screenshots bench deb sysdeps-run sysdeps-test clean help

help:
	@echo "make run          set up and start FieldKit (embedded local store, demo township offered)"
	@echo "make test         set up and run the whole test suite (ruff + import-linter included)"
	@echo "make screenshots  write PNGs of the main screens to screenshots/"
	@echo "make bench        run the benchmarks in bench/ and print their figures"
	@echo "make deb          build dist/fieldkit_VERSION_ARCH.deb (own runtime in /opt/fieldkit; VERSION=… to override)"

define ensure_debs
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if ! $(PY) -c 'import ensurepip, venv' 2>/dev/null; then missing="$$missing python3-venv"; fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	      || { echo "apt-get install failed for:$$missing"; exit 1; }; \
	  else \
	    echo ""; echo "FieldKit needs these system packages:$$missing"; \
	    echo "Install them once with:"; echo ""; echo "    sudo apt-get install -y$$missing"; echo ""; \
	    echo "then run make again."; exit 1; \
	  fi; \
	fi
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
	  || { echo "FieldKit needs Python 3.11 or newer (found $$($(PY) --version 2>&1)). Set PY=python3.11."; exit 1; }
endef

sysdeps-run:
	$(call ensure_debs,$(RUN_DEBS))

sysdeps-test:
	$(call ensure_debs,$(TEST_DEBS))

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.run-stamp: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.test-stamp: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[server,dev]'
	@touch $@ $(VENV)/.run-stamp

run: sysdeps-run $(VENV)/.run-stamp
	$(BIN)/fieldkit gui

test: sysdeps-test $(VENV)/.test-stamp
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-stamp
	$(BIN)/ruff check fieldkit sync tests bench
	$(BIN)/lint-imports

screenshots: sysdeps-test $(VENV)/.test-stamp
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m fieldkit.ui.screenshots screenshots

bench: $(VENV)/.test-stamp
	$(BIN)/python -m bench

# The laptop package (packaging/deb/build.sh, docs/install.md). VERSION defaults to pyproject's.
deb:
	PY=$(PY) packaging/deb/build.sh $(VERSION)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
