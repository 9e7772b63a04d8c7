# Two commands on a fresh machine with only Python: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test fuzz lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Loads the fictional demo county once (idempotent), prints the logins, serves on :8000.
demo: $(STAMP)
	$(BIN)/tongxin migrate --noinput
	$(BIN)/tongxin demo

test: $(STAMP)
	$(BIN)/pytest

# schemathesis over the API with more generated requests per operation than `make test` runs.
fuzz: $(STAMP)
	TONGXIN_FUZZ_EXAMPLES=40 $(BIN)/pytest -q tongxin/security/tests/test_api_schema_fuzz.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy tongxin
	$(BIN)/tongxin makemigrations --check --dry-run

bench: $(STAMP)
	$(BIN)/python bench/import_residents.py
	$(BIN)/python bench/planner.py
	$(BIN)/python bench/sample_upload.py
	$(BIN)/python bench/setup_imports.py
	$(BIN)/python bench/workforce_supplies.py

clean:
	rm -rf $(VENV) var bench/out
