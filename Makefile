# `make demo`: set up and run the workflow on the demo data. `make test`: set up and run the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch from PyPI pulls several GB of CUDA libraries; this release has a CPU build where it is cached.
TORCH ?= torch==2.13.0
CORES ?= 2

.PHONY: setup bedtools system-deps demo test lint bench clean

setup: $(VENV)/.installed bedtools

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install "$(TORCH)" || $(BIN)/pip install torch
	$(BIN)/pip install -e ".[test]"
	touch $@

bedtools:
	@command -v bedtools >/dev/null && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bedtools; \
	else \
		echo "bedtools is missing: install it with 'sudo apt-get install bedtools' or 'conda install -c bioconda bedtools', then rerun make." >&2; \
		exit 1; \
	fi

# Debian packages the full test suite needs besides bedtools: a single-node SLURM cluster with
# accounting (tests/cluster) and headless Chromium (the report rendering test). Root only.
SYSTEM_PACKAGES := bedtools slurm-wlm slurmdbd mariadb-server munge chromium chromium-driver
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

demo: setup
	PATH="$(abspath $(BIN)):$$PATH" snakemake --cores $(CORES)

lint: setup
	$(BIN)/ruff check workflow tests bench
	$(BIN)/ruff format --check workflow tests bench
	$(BIN)/snakefmt --check Snakefile workflow/rules
	PATH="$(abspath $(BIN)):$$PATH" snakemake --lint

test: setup lint
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pytest --durations=12

bench: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python bench/encode_throughput/run.py

clean:
	rm -rf results logs benchmarks .snakemake resources/demo resources/demo_weak resources/motif_db resources/numba
