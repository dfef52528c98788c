# Two commands do all setup on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint sql-fix clean install install-spark bench

# Extras installed into .venv. The Spark portability test needs `spark` too (pyspark and
# dbt-spark, about 450 MB): `make install-spark` adds it to an existing .venv, and .ci/run
# runs `make test EXTRAS=dev,spark`. Without it that test is skipped (docs/engines.md).
EXTRAS ?= dev

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[$(EXTRAS)]'
	touch $@

install-spark: $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,spark]'

demo: $(STAMP)
	$(BIN)/engage demo

# The suite on every core (pytest-xdist), one test file per worker at a time (a file's
# fixtures, e.g. its PostgreSQL server, stay on one worker); the slowest tests are listed.
test: $(STAMP) lint
	$(BIN)/pytest -n auto --dist loadfile --durations=25

# Not part of `make test`: generates (once, cached) and builds 100k and 1M people; see
# docs/benchmarks.md. E.g. make bench BENCH_ARGS="--people 100000 --incremental"
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

# SQL style: SQLFluff with the settings and reasons in .sqlfluff (macros/ is not linted: see there).
# `make sql-fix` rewrites the SQL to the style; read its diff before committing.
SQL_PATHS := models tests/dbt
SQLFLUFF_OPTS := --processes 0 --disable-progress-bar

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint $(SQLFLUFF_OPTS) $(SQL_PATHS)

sql-fix: $(STAMP)
	$(BIN)/sqlfluff fix $(SQLFLUFF_OPTS) $(SQL_PATHS)

clean:
	rm -rf $(VENV) target logs .pytest_cache .ruff_cache
