# Two entry points for users: `make report` and `make test`. Both create .venv on first use.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO := data/demo

.PHONY: report test codebook benchmark demo-data clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## make report: run the main job on the bundled synthetic demo data; outputs land in reports/
report: $(STAMP)
	$(BIN)/python -m analysis report --data $(DEMO) --out reports

## make test: the whole test suite (unit, R-agreement, notebooks)
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

## make codebook: render data_dictionary/*.json into analysis/data_dictionary/CODEBOOK.md
codebook: $(STAMP)
	$(BIN)/python -m analysis codebook --out analysis/data_dictionary/CODEBOOK.md

## make benchmark: timings into benchmarks/RESULTS.md (R timed too when Rscript is installed)
benchmark: $(STAMP)
	$(BIN)/python benchmarks/run.py

## make demo-data: regenerate the bundled synthetic demo data
demo-data: $(STAMP)
	$(BIN)/python -m analysis synthetic --seed 2026 --out $(DEMO)

clean:
	rm -rf $(VENV) reports/*
