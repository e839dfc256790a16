# Warta: `make demo` runs the pipeline on the sample articles; `make test` runs every test.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-faults lint typecheck bench clean

install: $(STAMP)

# Re-install only when the project's metadata changes: a second `make install` is instant.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: install
	$(BIN)/warta demo

test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

# The slow fault scenarios (issue 11: thousands of articles through a broker restart, a SIGKILL …); `make test` runs
# a short version of each.
test-faults: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q -m faults

lint: install
	$(BIN)/ruff check streams tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .warta .pytest_cache .mypy_cache .ruff_cache
