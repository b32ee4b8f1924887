# Two commands do everything on a fresh Debian machine: `make demo` and `make test`.
# Each installs what is missing (Debian packages, the virtual environment) and is
# fast on a second run, because the steps below only redo what changed.

PYTHON ?= python3
# Let Python keep what it compiles (in __pycache__ folders, which git ignores) even where the
# environment says not to (PYTHONDONTWRITEBYTECODE=1, as some containers set): otherwise every
# pytest worker and every `python -m policypack` a test starts compiles policypack and the
# tests again (1.4 s of CPU for each pytest process's collection alone).
export PYTHONDONTWRITEBYTECODE :=
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The npm packages at the versions package-lock.json pins: axe-core for the accessibility
# tests, and htmx, whose copy the portal serves (a fast test compares the two).
NODE := node_modules/.installed

.PHONY: demo serve preview bench test fast slow lint typecheck unit schemas system system-test clean

demo: $(INSTALLED) system
	$(BIN)/policypack validate examples
	$(BIN)/policypack build
	@echo "The pack is in output/oakfield-academy/. To run policypack yourself: source .venv/bin/activate (or type .venv/bin/policypack)."

# The portal on http://127.0.0.1:8000/ with one build worker, its data in ./portal-data;
# it prints a sign-in for each role of the example trust (new passwords each start).
serve: $(INSTALLED) system
	$(BIN)/policypack serve --demo

# The picture the README shows: the staff response as an A3 poster.
preview: $(INSTALLED) system
	$(BIN)/policypack flowchart england-staff-response --size A3 --portrait --format png --dpi 60 -o docs/poster-a3.png

test: $(INSTALLED) system-test $(NODE) lint typecheck fast slow

# Every test that needs none of dot, WeasyPrint, Chromium or LibreOffice: seconds, not minutes.
# A test that runs one of them without asking for its `needs_*` fixture fails (tests/conftest.py).
FAST := not dot and not pdf and not browser and not office
fast: $(INSTALLED) $(NODE)
	$(BIN)/pytest -n auto --dist worksteal -q -m "$(FAST)"

system:
	@scripts/system-deps.sh

system-test:
	@scripts/system-deps.sh --with-test-tools

$(NODE): package.json package-lock.json | system-test
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(INSTALLED): pyproject.toml
	@scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# Performance figures (prints, asserts nothing; takes a couple of minutes).
bench: $(INSTALLED) system
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/bench_portal.py

lint: $(INSTALLED)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(INSTALLED)
	$(BIN)/mypy

# The tests that need those programs (make test runs the fast lane first).
slow: $(INSTALLED) system-test $(NODE)
	$(BIN)/pytest -n auto --dist worksteal -m "not ($(FAST))"

# Every test at once.
unit: $(INSTALLED) system-test $(NODE)
	$(BIN)/pytest -n auto --dist worksteal

# Regenerate the JSON Schemas kept in the repository (a test checks they are current).
schemas: $(INSTALLED)
	$(BIN)/policypack schema flow > schemas/flow.schema.json
	$(BIN)/policypack schema sources > schemas/sources.schema.json
	$(BIN)/policypack schema profile > schemas/profile.schema.json

clean:
	rm -rf $(VENV) node_modules output/*/ .pytest_cache .mypy_cache .ruff_cache
