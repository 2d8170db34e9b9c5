# The two commands of the README. Both do all set-up on a fresh machine.
#   make demo  - install, generate the demo plant, validate, cost and render the packs of 2026-05 and 2026-06
#                into outputs/ (the landing page compares June with May)
#   make test  - install with dev tools (and chromium + PostgreSQL from apt), run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PERIOD ?= 2026-06
PREVIOUS ?= 2026-05
DEMO   ?= data/demo
JOBS   ?= 2

.PHONY: demo test install install-dev system-deps bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

system-deps:
	./scripts/system-deps.sh

demo: install
	-@./scripts/system-deps.sh fonts
	$(BIN)/batchkit demo-data $(DEMO)
	$(BIN)/batchkit validate $(DEMO)
	$(BIN)/batchkit run --data $(DEMO) --period $(PREVIOUS) --out outputs --jobs $(JOBS)
	$(BIN)/batchkit run --data $(DEMO) --period $(PERIOD) --out outputs --jobs $(JOBS)

test: install-dev system-deps
	$(BIN)/python -m pytest -n $(JOBS) $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check batchkit tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data/demo outputs/*/
