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

# The suite runs in a private network namespace: the FalkorDB Bolt server the tests start
# (tests/bolt_server.py) listens on every interface, so it must only see loopback.
test: setup
	@command -v unshare >/dev/null && command -v ip >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq util-linux iproute2 >/dev/null)
	unshare --net sh -c 'ip link set lo up && exec $(PY) -m pytest -q'

# Benchmarks report ratios against a baseline measured in the same run (see benchmarks/).
bench: setup
	$(PY) benchmarks/bench_extract.py
	unshare --net sh -c 'ip link set lo up && exec $(PY) benchmarks/bench_load.py'

clean:
	rm -rf $(VENV) data/graphs/*.json data/graphs/*.graphml
