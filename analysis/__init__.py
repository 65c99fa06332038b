"""Scoring, psychometric validation and evaluation reports for the 3X10D life-situation
self-assessment and the participant surveys of the integrated youth-services pilot.

Layout and data flow (one way; see ``ARCHITECTURE.md``):
:mod:`analysis.intake` reads, checks and scores files → :mod:`analysis.stats` (general
psychometrics, any instrument) and :mod:`analysis.study` (the 3X10D study's analyses) →
:mod:`analysis.report` (disclosure control, labelled tables, figures, exports, the report run)
→ the notebooks in ``notebooks``.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: The version's one home: the package metadata read it from here ([tool.setuptools.dynamic]
#: in pyproject.toml) and CITATION.cff repeats it; the release notes are in CHANGELOG.md.
__version__ = "0.2.0"


#: Declarations kept at the top level of the checkout (the design card's layout) and installed
#: inside the package by the wheel (``[tool.setuptools.package-dir]`` in ``pyproject.toml``).
TOP_LEVEL = ("questionnaires", "data_dictionary", "notebooks")


def resource(*parts: str) -> Path:
    """Path of a file shipped with the package (instrument YAML, schemas, notebooks, …).

    ``questionnaires/``, ``data_dictionary/`` and ``notebooks/`` sit at the top of the
    checkout and inside the installed package; an installed copy wins, so a wheel works
    without the checkout and an editable install reads the checkout's files.
    """
    package = Path(str(files("analysis")))
    if parts and parts[0] in TOP_LEVEL and not (package / parts[0]).is_dir():
        return package.parent.joinpath(*parts)
    return package.joinpath(*parts)

