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


# ----------------------------------------------------------------------------- moved modules
#: Modules of release 0.1 and their new homes. ``import analysis.reliability`` still works for
#: one release, with a DeprecationWarning; remove this table in 0.3.
MOVED = {
    "io": "intake.readers", "instruments": "intake.instruments", "dictionary": "intake.dictionary",
    "datafolder": "intake.manifest", "privacy": "intake.privacy", "scoring": "intake.scoring",
    "sem": "stats.sem", "lavaan_syntax": "stats.lavaan_syntax", "reliability": "stats.reliability",
    "structure": "stats.structure", "norms": "stats.norms", "validity": "stats.validity",
    "change": "stats.change", "descriptives": "stats.descriptives", "pilot": "study.pilot",
    "surveys": "study.surveys", "service_use": "study.service_use", "indicators": "study.indicators",
    "reference_norms": "study.reference_norms", "synthetic": "study.synthetic",
    "figures": "report.figures",
}


class _MovedModules:
    """Import hook: ``analysis.<old>`` is a deprecated alias of its new module."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        old = fullname.removeprefix("analysis.")
        if fullname.startswith("analysis.") and old in MOVED:
            import importlib.util
            return importlib.util.spec_from_loader(fullname, _MovedModules)
        return None

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        import importlib
        import warnings

        new = f"analysis.{MOVED[module.__name__.removeprefix('analysis.')]}"
        warnings.warn(f"{module.__name__} moved to {new}; the old name goes in release 0.3",
                      DeprecationWarning, stacklevel=2)
        module.__dict__.update({k: v for k, v in vars(importlib.import_module(new)).items()
                                if not k.startswith("__")})


def _install_moved_modules() -> None:
    import sys

    if not any(f is _MovedModules for f in sys.meta_path):
        sys.meta_path.append(_MovedModules)


_install_moved_modules()
