# The two commands a newcomer types are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Debian packages the suite needs: a private network (unshare, ip); for the HTML report
# test, Chromium with its WebDriver and a font with Chinese glyphs; for the readers' tests,
# LibreOffice (.doc/.wps/.odt, and to make the test PDFs), poppler (pdftotext, pdftoppm)
# and Tesseract with its Simplified Chinese data (scanned pages).
DEBS := util-linux iproute2 chromium chromium-driver fonts-wqy-zenhei
# Without their recommends: LibreOffice's would add Java and ~300 MB that reading never uses.
LEAN_DEBS := libreoffice-writer-nogui poppler-utils tesseract-ocr tesseract-ocr-chi-sim

.PHONY: setup debs neo4j run test bench clean

setup: $(STAMP)

# Re-install only when the project's dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

debs:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	lean=$$(for p in $(LEAN_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing$$lean" ]; then echo "installing $$missing $$lean"; apt-get update -qq; fi; \
	if [ -n "$$missing" ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  $$missing >/dev/null; fi; \
	if [ -n "$$lean" ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  --no-install-recommends $$lean >/dev/null; fi

run: setup
	$(VENV)/bin/policygraph build data/raw --out data/graphs --export graphml --export csv

# The suite runs in a private network namespace: the FalkorDB Bolt server the tests start
# (tests/bolt_server.py) listens on every interface, so it must only see loopback.

# Neo4j Community 5.26 for the integration tests: its jars from Maven Central, once, into
# .cache/ (Maven's ~/.m2 keeps them too). Needs Java 17 and Maven (Debian packages).
neo4j: setup
	@command -v mvn >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq maven openjdk-17-jre-headless >/dev/null; }
	$(PY) -m tests.neo4j_server fetch

test: setup debs neo4j
	unshare --net sh -c 'ip link set lo up && exec $(PY) -m pytest -q'

# Benchmarks report ratios against a baseline measured in the same run (see benchmarks/).
# Each script exits 1 when its goal is missed: all run, then the target fails if one did.
bench: setup neo4j
	@failed=""; \
	$(PY) benchmarks/bench_extract.py || failed="$$failed extract"; \
	unshare --net sh -c 'ip link set lo up && exec $(PY) benchmarks/bench_load.py' || failed="$$failed load"; \
	$(PY) benchmarks/bench_queries.py --neo4j || failed="$$failed queries"; \
	$(PY) benchmarks/bench_build.py || failed="$$failed build"; \
	$(PY) benchmarks/bench_readers.py || failed="$$failed readers"; \
	if [ -n "$$failed" ]; then echo "goals missed:$$failed"; exit 1; fi

# Everything a build wrote (plans/, extractions/, import/, manifest ...), not .gitkeep.
clean:
	rm -rf $(VENV)
	find data/graphs -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
