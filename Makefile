# The two commands a newcomer types are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup run test bench clean

setup: $(STAMP)

# Re-install only when the project's dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: setup
	$(VENV)/bin/policygraph build data/raw --out data/graphs

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) benchmarks/bench_extract.py

clean:
	rm -rf $(VENV) data/graphs/*.json data/graphs/*.graphml
