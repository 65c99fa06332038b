# Two entry points for users: `make report` and `make test`. Both create .venv on first use.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-stamp
TESTING := $(VENV)/.test-stamp
DEMO := analysis/datasets/demo
QUIET := PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONWARNINGS=ignore

.PHONY: report test lab codebook benchmark demo-data clean

$(RUNTIME): pyproject.toml
	@$(PY) -m venv $(VENV)
	@$(QUIET) $(BIN)/python -m pip install -qq --upgrade pip
	@$(QUIET) $(BIN)/python -m pip install -qq -e .
	@$(BIN)/python -m ipykernel install --sys-prefix --name youth-services --display-name "Python (youth-services)" > /dev/null
	@touch $(RUNTIME)

$(TESTING): $(RUNTIME)
	@$(QUIET) $(BIN)/python -m pip install -qq -e '.[test]'
	@touch $(TESTING)

## make report: run every report on the bundled synthetic demo data; outputs land in reports/
report: $(RUNTIME)
	$(BIN)/python -m analysis report --data $(DEMO) --out reports

## make test: the whole test suite (unit, R agreement, doctests, every notebook)
test: $(TESTING)
	$(BIN)/python -m pytest -q -n 2

## make lab: open the report notebooks in JupyterLab (kernel "Python (youth-services)")
lab: $(RUNTIME)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root,) notebooks

## make codebook: render the data dictionary into data_dictionary/CODEBOOK.md
codebook: $(RUNTIME)
	$(BIN)/python -m analysis codebook --out data_dictionary/CODEBOOK.md

## make benchmark: timings into benchmarks/RESULTS.md (R timed too when Rscript is installed)
benchmark: $(TESTING)
	$(BIN)/python benchmarks/run.py

## make demo-data: regenerate the bundled synthetic demo data
demo-data: $(RUNTIME)
	$(BIN)/python -m analysis synthetic --seed 2026 --out $(DEMO)

clean:
	rm -rf $(VENV) reports/*
