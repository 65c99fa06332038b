"""A wheel built from the repository works without the repository.

The wheel is built and installed (without its dependencies, which come from the test
environment) into a fresh virtual environment; from a folder outside the repository it must
score a file and run a report on the demo data — so instrument definitions, schemas, message
catalogues and notebooks are package data, not files found next to the source.
"""
from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "-w", str(dist), str(ROOT)], check=True, capture_output=True, text=True)
    return next(dist.glob("youth_services_analysis-*.whl"))


def test_wheel_carries_the_declarations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    # the top-level folders of the checkout are installed inside the package
    for needed in ("analysis/questionnaires/3x10d.yaml", "analysis/questionnaires/instrument.schema.json",
                   "analysis/questionnaires/norms/3x10d-fi-2022.yaml", "analysis/questionnaires/hypotheses/3x10d.yaml",
                   "analysis/data_dictionary/background.json", "analysis/data_dictionary/CODEBOOK.md",
                   "analysis/notebooks/04_pilot_evaluation.ipynb", "analysis/stats/criteria.yaml",
                   "analysis/report/messages/fi.yaml", "analysis/report/columns.yaml", "analysis/intake/names.yaml"):
        assert needed in names, needed


@pytest.mark.xdist_group("study-reports")
def test_installed_wheel_scores_and_reports(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    with zipfile.ZipFile(wheel) as z:                   # install = unpack into site-packages
        z.extractall(purelib)
    deps = os.pathsep.join(p for p in [*site.getsitepackages(), sysconfig.get_paths()["purelib"]] if p)
    env = {**os.environ, "PYTHONPATH": deps}
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run([str(python), "-c", "import analysis; print(analysis.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in where and purelib in where
    shipped = subprocess.run([str(python), "-c", "from analysis import datasets; print(datasets.path('demo').parent)"],
                             cwd=work, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert shipped.startswith(purelib)                  # example data and the demo study ship in the wheel
    scored = subprocess.run([str(python), "-m", "analysis", "score", str(Path(shipped) / "3x10d_fi.xlsx"),
                             "--instrument", "3x10d", "--out", "scores.csv"], cwd=work, env=env,
                            capture_output=True, text=True)
    assert scored.returncode == 0, scored.stderr
    assert (work / "scores.csv").read_text(encoding="utf-8").startswith("respondent_id")
    report = subprocess.run([str(python), "-m", "analysis", "report", "--data", str(Path(shipped) / "demo"),
                             "--out", "out", "--only", "07"], cwd=work, env=env, capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    assert (work / "out" / "07_half_yearly_indicators.docx").is_file()
    assert "Traceback" not in report.stderr
