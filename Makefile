# Two entry points for users: `make report` and `make test`. Both create .venv on first use.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-stamp
TESTING := $(VENV)/.test-stamp
DEMO := analysis/datasets/demo
QUIET := PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONWARNINGS=ignore
# Every dependency (runtime, test and the scale extra) pinned with its hashes, for Python 3.11 on
# Linux x86-64; pyproject.toml keeps the ranges for library users. `make lock` writes it.
LOCK := requirements/lock.txt
# The installer and the lock tool are pinned too, so that an install is repeatable.
PIP := pip==26.3
UV := uv==0.13.9

.PHONY: report final-report test lab codebook benchmark demo-data lock clean

# One environment for reports and tests, installed from the lock (pip checks every download
# against its hash), then the project itself as an editable install without its dependencies
# (all in the lock) and without build isolation (setuptools is in the lock). A change to the
# lock or to pyproject.toml reinstalls.
$(RUNTIME): $(LOCK) pyproject.toml
	@$(PY) -m venv $(VENV)
	@$(QUIET) $(BIN)/python -m pip install -qq '$(PIP)'
	@$(QUIET) $(BIN)/python -m pip install -qq --require-hashes -r $(LOCK)
	@$(QUIET) $(BIN)/python -m pip install -qq --no-deps --no-build-isolation -e .
	@$(BIN)/python -m ipykernel install --sys-prefix --name youth-services --display-name "Python (youth-services)" > /dev/null
	@touch $(RUNTIME)

$(TESTING): $(RUNTIME)
	@touch $(TESTING)

## make report: run every report on the bundled synthetic demo data; publishable outputs land in reports/,
## internal ones (intake report, scores, executed notebooks) in reports-internal/
report: $(RUNTIME)
	$(BIN)/python -m analysis report --data $(DEMO) --out reports

## make final-report: the reports and one final report (final_report.docx, .html) on the demo data → reports/
final-report: $(RUNTIME)
	$(BIN)/python -m analysis report --data $(DEMO) --out reports --final

## make test: lint (ruff: pyflakes + import order), types of analysis.stats (mypy), then the whole
## test suite (unit, R agreement, doctests, every notebook)
test: $(TESTING)
	$(BIN)/ruff check --quiet analysis tests benchmarks tools
	$(BIN)/mypy
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

## make lock: re-pin requirements/lock.txt from the ranges in pyproject.toml after a change to them
## (pins still allowed are kept); `make lock UPGRADE=1` moves every pin to its newest allowed
## release. Then `make test` (which reinstalls from the new lock) and commit both files.
## (The lock file is replaced only when it changes, so an unchanged lock reinstalls nothing.)
lock:
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(QUIET) $(BIN)/python -m pip install -qq '$(UV)'
	@cp $(LOCK) $(LOCK).new
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11 \
	    --python-platform x86_64-manylinux_2_28 $(if $(UPGRADE),--upgrade,) \
	    --custom-compile-command 'make lock' --quiet -o $(LOCK).new
	@if cmp -s $(LOCK).new $(LOCK); then rm $(LOCK).new; echo "$(LOCK) unchanged"; \
	 else mv $(LOCK).new $(LOCK); echo "$(LOCK) updated: run make test, then commit it"; fi

clean:
	rm -rf $(VENV) reports/* reports-internal
