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
	$(VENV)/bin/newsclaims extract corpus/articles.jsonl corpus/events/articles.jsonl --out $(RUN_DIR) --overwrite
	$(VENV)/bin/newsclaims corroborate $(RUN_DIR) --out $(RUN_DIR)/events.jsonl
	$(VENV)/bin/newsclaims load $(RUN_DIR) --db $(DB)
	$(PY) -m pipeline.output.db.queries $(DB) claims_per_county_month
	$(PY) -m pipeline.output.db.queries $(DB) vehicles_by_province_month

test: $(TEST_STAMP)
	$(PY) -m pytest

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check pipeline tests
	$(VENV)/bin/ruff format --check pipeline tests
	$(VENV)/bin/mypy pipeline

eval: $(STAMP)
	$(VENV)/bin/newsclaims extract corpus/articles.jsonl $(wildcard ../shared/seed) --out runs/eval --overwrite --quiet
	$(VENV)/bin/newsclaims evaluate runs/eval --gold corpus/gold
	$(VENV)/bin/newsclaims extract corpus/events/articles.jsonl --out runs/events --overwrite --quiet
	$(VENV)/bin/newsclaims corroborate runs/events --out runs/events/events.jsonl
	$(VENV)/bin/newsclaims evaluate runs/events --gold corpus/gold --events runs/events/events.jsonl

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m pipeline.bench

clean:
	rm -rf $(VENV) runs newsclaims.db
