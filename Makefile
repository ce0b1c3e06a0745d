# The commands the README shows. Every target sets itself up from scratch: a fresh
# machine needs only Python >= 3.11, pip, git and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: run test ui eval bench bench-scale report clean setup chromium

# One stamp per dependency set: a second `make run` reuses the environment, and an
# edit to pyproject.toml reinstalls.
$(VENV)/.stamp-run: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check --upgrade pip
	$(PIP) install --quiet --disable-pip-version-check -e .
	@touch $@

# Byte-compile the project, as pip does what it installs: with PYTHONDONTWRITEBYTECODE
# set, every process (a run, each of its spaCy workers) would compile it again (0.1 s).
# Only sources newer than their cache are compiled.
COMPILE := $(PY) -m compileall -q pipelines assets warehouse bench eval >/dev/null

$(VENV)/.stamp-test: pyproject.toml $(VENV)/.stamp-run
	$(PIP) install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

setup: $(VENV)/.stamp-run

$(DAGSTER_HOME):
	@mkdir -p $(DAGSTER_HOME)
	@test -f $(DAGSTER_HOME)/dagster.yaml || cp pipelines/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

run: $(VENV)/.stamp-run $(DAGSTER_HOME)
	@$(COMPILE)
	$(PY) -m pipelines.cli run

# The HTML report is tested in headless Chromium: Debian's package, installed when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the report test (apt-get)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

# Tests make their own temporary Dagster instances and warehouses.
test: $(VENV)/.stamp-test chromium
	env -u DAGSTER_HOME $(PY) -m pytest -q

ui: $(VENV)/.stamp-run $(DAGSTER_HOME)
	@$(COMPILE)
	$(VENV)/bin/dagster dev -w workspace.yaml -h $${DAGSTER_UI_HOST:-127.0.0.1} -p $${DAGSTER_UI_PORT:-3000}

eval: $(VENV)/.stamp-run
	$(PY) -m eval.score

bench: $(VENV)/.stamp-run
	$(PY) -m bench.run

# The nightly run against the full run on a 30,000-article corpus (about 600 days); the
# naive baseline is left out (it alone would take 9 minutes). Writes bench/results/scale/.
bench-scale: $(VENV)/.stamp-run
	$(PY) -m bench.run --sizes 30000 --no-baseline --claims 0 --out bench/results/scale

report: $(VENV)/.stamp-run
	$(PY) -m pipelines.report

clean:
	rm -rf $(VENV) .dagster_home warehouse/*.duckdb warehouse/*.duckdb.wal reports
