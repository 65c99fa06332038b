"""A wheel built from the repository works without the repository; the release is citable.

The wheel is built once per test session (both wheel tests share one xdist group, so two
workers never build it at once), from a copy of the project's sources in a temporary folder
(no ``build/`` or ``*.egg-info`` written into the checkout, where another build may be
running), and installed (without its dependencies, which come from the test environment) into
a fresh virtual environment; from a folder outside the repository it must score a file and run
a report on the demo data — so instrument definitions, schemas, message catalogues and
notebooks are package data, not files found next to the source.

The version has one home, ``analysis.__version__``: the installed metadata and
``CITATION.cff`` must say the same, and ``requirements/lock.txt`` must pin, with hashes,
every dependency ``pyproject.toml`` names, inside its range.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import analysis

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
WHEEL_GROUP = pytest.mark.xdist_group("study-reports")   # with the other heavy runs, one worker


def _sources(to: Path) -> Path:
    """Copy what the wheel is built from: pyproject, readme, licence, the package and the
    top-level folders that ``[tool.setuptools.package-dir]`` maps into it."""
    to.mkdir()
    for name in ("pyproject.toml", PYPROJECT["project"]["readme"], "LICENSE"):
        shutil.copy2(ROOT / name, to / name)
    folders = {"analysis", *PYPROJECT["tool"]["setuptools"].get("package-dir", {}).values()}
    for folder in sorted(folders):
        shutil.copytree(ROOT / folder, to / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
    return to


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source, dist = _sources(work / "src"), work / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "-w", str(dist), str(source)], check=True, capture_output=True, text=True)
    return next(dist.glob("youth_services_analysis-*.whl"))


@WHEEL_GROUP
def test_wheel_carries_the_declarations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    # the top-level folders of the checkout are installed inside the package
    for needed in ("analysis/questionnaires/3x10d.yaml", "analysis/questionnaires/instrument.schema.json",
                   "analysis/questionnaires/norms/3x10d-fi-2022.yaml", "analysis/questionnaires/hypotheses/3x10d.yaml",
                   "analysis/data_dictionary/background.json", "analysis/data_dictionary/CODEBOOK.md",
                   "analysis/notebooks/04_pilot_evaluation.ipynb", "analysis/stats/criteria.yaml",
                   "analysis/report/messages/fi.yaml", "analysis/report/columns.yaml", "analysis/intake/names.yaml"):
        assert needed in names, needed
    dist_info = f"youth_services_analysis-{analysis.__version__}.dist-info"
    assert wheel.name.startswith(f"youth_services_analysis-{analysis.__version__}-")
    assert f"{dist_info}/licenses/LICENSE" in names
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)


@WHEEL_GROUP
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

    def run(code: str) -> list[str]:
        return subprocess.run([str(python), "-c", code], cwd=work, env=env, capture_output=True, text=True,
                              check=True).stdout.split()

    where, = run("import analysis; print(analysis.__file__)")
    assert str(ROOT) not in where and purelib in where
    # the checkout's top-level folders are found inside the installed package
    found = run("import analysis; print(*(analysis.resource(f) for f in analysis.TOP_LEVEL))")
    assert found == [str(Path(purelib) / "analysis" / f) for f in ("questionnaires", "data_dictionary", "notebooks")]
    assert all(Path(f).is_dir() for f in found)
    # the installed metadata's version is the package's one version
    installed, imported = run("import importlib.metadata as m, sys, analysis; "
                              f"d, = m.distributions(name='youth-services-analysis', path=[{purelib!r}]); "
                              "print(d.version, analysis.__version__)")
    assert installed == imported == analysis.__version__
    shipped, = run("from analysis import datasets; print(datasets.path('demo').parent)")
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


def test_version_has_one_home():
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "analysis.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", analysis.__version__)


def test_citation_file_names_this_release():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"message", "title", "authors"} <= cff.keys() and cff["authors"]
    assert cff["version"] == analysis.__version__
    assert cff["license"] == "MIT"
    dt.date.fromisoformat(str(cff["date-released"]))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{analysis.__version__}] - {cff['date-released']}" in changelog
    assert "## [Unreleased]" in changelog
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def _lock() -> dict[str, tuple[str, int]]:
    """``requirements/lock.txt`` as {name: (pinned version, number of hashes)}."""
    pins: dict[str, tuple[str, int]] = {}
    name = None
    for line in (ROOT / "requirements/lock.txt").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line):
            name = canonicalize_name(m[1])
            pins[name] = (m[2], 0)
        elif line.strip().startswith("--hash=sha256:") and name:
            pins[name] = (pins[name][0], pins[name][1] + 1)
        elif line.strip() and not line.startswith((" ", "#")):
            raise AssertionError(f"lock line not pinned with ==: {line!r}")
    return pins


def test_lock_pins_every_dependency_within_its_range():
    pins = _lock()
    project = canonicalize_name(PYPROJECT["project"]["name"])
    wanted = [*PYPROJECT["project"]["dependencies"], *PYPROJECT["project"]["optional-dependencies"]["test"],
              *PYPROJECT["project"]["optional-dependencies"]["scale"]]
    for text in wanted:
        req = Requirement(text)
        if canonicalize_name(req.name) == project:
            continue                                    # the test extra asks for the project's own extras
        version, _ = pins[canonicalize_name(req.name)]
        assert req.specifier.contains(version, prereleases=True), (text, version)
    assert project not in pins                          # the project itself is installed editable on top
    assert "setuptools" in pins                         # ... without build isolation
    assert all(n_hashes for _, n_hashes in pins.values())


def test_every_package_of_the_source_is_in_the_wheel_list():
    """pyproject.toml lists the packages (the top-level declaration folders are mapped into
    the package), so a new subpackage must be added there or the wheel lacks it."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "analysis").rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
