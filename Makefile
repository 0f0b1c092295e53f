# Two commands on a fresh machine: `make conformance` and `make test`.
# Each creates .venv on first use: `make conformance` installs the project alone, `make test` (and
# the benchmarks) its test extras too.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
TESTED := $(VENV)/.test-extras-stamp
TARGET ?=

.PHONY: conformance sample test bench sensitivity sweep venv clean

venv: $(TESTED)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	@# pytest rewrites the asserts of its plugins' packages (hypothesis, schemathesis) when it imports
	@# them, and caches the result unless PYTHONDONTWRITEBYTECODE is set (as in many container
	@# images): then every pytest process, and every xdist worker, pays ~3 s. Build that cache once.
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest --collect-only -q -p no:cacheprovider conformance/suite > /dev/null
	@touch $(STAMP)

$(TESTED): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(TESTED)

# The whole suite against the bundled reference server, or against TARGET=path/to/target.toml;
# writes reports/<target>-<UTC timestamp>/ (results.json, report.html, summary.md) and reports/latest.
# Exit 0: conforms; 1: does not conform (or incomplete, or a waiver rotted); 2: configuration error.
conformance: $(STAMP)
	$(VENV)/bin/erpsync-conformance $(if $(TARGET),--target $(TARGET)) $(ARGS)

# The reference page's sample request, sent once to a fresh reference server.
sample: $(STAMP)
	$(PY) -m conformance.reference --sample

test: $(TESTED)
	$(PY) -m pytest -n 2 --dist worksteal --durations=20

# The benchmark (bench/README.md): throughput against the anchors, whole runs, -n 2, Prism (from
# npm, into bench/.prism), schemathesis's CLI; then the sensitivity table of the profiles a user
# runs (thorough is `make sensitivity`'s: over an hour). Half an hour or more; not part of
# `make test`. e.g. ARGS="--repeat 3 --skip-prism" SENSITIVITY="--profiles staging --jobs 2"
SENSITIVITY ?= --profiles quick staging dev --jobs 2
bench: $(TESTED)
	$(PY) bench/run.py $(ARGS)
	$(PY) bench/sensitivity.py $(SENSITIVITY)

# Named faults caught per Hypothesis profile (quick, staging within 150 requests, dev, thorough) and
# the requests spent: one whole run per fault and profile (bench/README.md, "Sensitivity"). Long:
# thorough alone is over an hour on 2 cores. e.g. ARGS="--profiles quick staging"
sensitivity: $(TESTED)
	$(PY) bench/sensitivity.py $(ARGS)

# The conformant-server sweep (bench/README.md, "Sweep"): the whole suite against 200 conformant
# servers the generator draws, pinned and inferred, under dev and staging within 150 requests; exit 1
# on any false alarm. About 1 h 10 min on 2 cores. e.g. ARGS="--seeds 0-49 --plans dev-pinned"
sweep: $(TESTED)
	$(PY) bench/sweep.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
