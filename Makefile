# govsocial: `make demo` runs the product, `make test` runs every test. Both set up everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export GOVSOCIAL_DATABASE_URL ?= sqlite:///var/demo.db

.PHONY: demo test install lint typecheck format lock clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "govsocial needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install govsocial with its pinned dependencies

demo: $(STAMP) ## build the demo database and serve the portal at http://127.0.0.1:8000
	$(BIN)/govsocial db upgrade
	$(BIN)/govsocial registry load
	$(BIN)/govsocial serve

test: $(STAMP) ## every check and test, with PostgreSQL and Chromium installed and started as needed
	scripts/system-deps.sh
	scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check govsocial tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy --strict govsocial

format: $(STAMP)
	$(BIN)/ruff format govsocial tests bench scripts

lock: ## re-pin constraints.txt from the current environment (after changing dependencies)
	$(BIN)/python -m pip freeze --exclude-editable --exclude govsocial > constraints.txt

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
