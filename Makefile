# The two commands of the README: `make demo` and `make test`.
# Both install carezones (with its test tools) into .venv first, from the package registry.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: install demo test lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,dask]"
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/carezones demo --out carezones-demo

lint: install
	$(BIN)/ruff check src tests benchmarks examples notebooks
	$(BIN)/lint-imports --no-cache

# Tests, doctests, notebooks (nbmake) and example scripts, on 2 workers.
test: install lint
	$(BIN)/python -m pytest -n 2 -q --nbmake --nbmake-timeout=300

bench: install
	$(BIN)/python benchmarks/bench_network.py

clean:
	rm -rf $(VENV) carezones-demo .pytest_cache
