# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-neo4j browser-deps install lint bench-load bench-api bench-analysis bench-loadtest bench-console bench-pages bench-writes bench-province bench-cli clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/jinlin demo

test: $(STAMP)
	$(BIN)/ruff check graph api loaders analysis tests bench
	$(BIN)/mypy
	$(BIN)/mypy bench  # apart: its scripts' names (bench/analysis.py) repeat the packages'
	$(BIN)/pytest -q

# The Neo4j leg of the suite: every store-parametrised test against the Neo4j named by
# JINLIN_TEST_NEO4J_URI (+ _USER, _PASSWORD). It empties that database: never point it at data.
test-neo4j: $(STAMP)
	@test -n "$$JINLIN_TEST_NEO4J_URI" || { echo "set JINLIN_TEST_NEO4J_URI (and _USER, _PASSWORD) to a Neo4j you can empty; see README"; exit 2; }
	$(BIN)/pytest -q -k neo4j

# The browser tests' system packages (Debian): Chromium and a Chinese font. Without them
# `make test` skips the browser tests (unless JINLIN_REQUIRE_BROWSER=1, as in CI).
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  echo "browser-deps: chromium and a Chinese font are installed"; \
	else \
	  apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check graph api loaders analysis tests bench
	$(BIN)/mypy
	$(BIN)/mypy bench

bench-load: $(STAMP)
	$(BIN)/python bench/load.py --preset county

bench-api: $(STAMP)
	$(BIN)/python bench/api.py

bench-analysis: $(STAMP)
	$(BIN)/python bench/analysis.py --preset city --data-dir .bench/city-seed1 --as-of 2026-06-30

bench-console: $(STAMP)
	$(BIN)/python bench/console.py

bench-pages: $(STAMP)
	$(BIN)/python bench/pages.py

bench-writes: $(STAMP)
	$(BIN)/python bench/writes.py

bench-province: $(STAMP)
	$(BIN)/python bench/province.py --preset province

bench-cli: $(STAMP)
	$(BIN)/python bench/cli.py

bench-loadtest: $(STAMP)
	$(BIN)/python bench/loadtest.py --seconds 60 --concurrency 8

clean:
	rm -rf $(VENV) data
