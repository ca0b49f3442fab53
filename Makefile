PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
RUN_DIR ?= runs/corpus
DB ?= sqlite:///newsclaims.db

.PHONY: run test lint bench eval clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP) $@

run: $(STAMP)
	$(VENV)/bin/newsclaims extract corpus/ --out $(RUN_DIR) --overwrite

test: $(TEST_STAMP)
	$(PY) -m pytest

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check pipeline tests
	$(VENV)/bin/ruff format --check pipeline tests
	$(VENV)/bin/mypy pipeline

eval: $(STAMP)
	$(VENV)/bin/newsclaims extract corpus/ --out $(RUN_DIR) --overwrite
	$(VENV)/bin/newsclaims evaluate $(RUN_DIR) --gold corpus/

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m pipeline.bench

clean:
	rm -rf $(VENV) runs newsclaims.db
