"""Small example data shipped with the package, so that every example runs from any folder.

==============================  ==========================================================
name                            what it is
==============================  ==========================================================
``holzinger_swineford_1939``    the classic 301 pupils × 9 ability tests (lavaan's
                                ``HolzingerSwineford1939``): CFA, invariance by ``school``
``political_democracy``         Bollen's (1989) 75 countries (lavaan's ``PoliticalDemocracy``)
``ordinal_skewed``              SYNTHETIC skewed 1–5 ratings, ten items (bifactor structure):
                                polychoric correlations, ordinal alpha, WLSMV
``3x10d_fi_semicolon_bom.csv``  SYNTHETIC 3X10D answers as a Finnish survey tool exports them
                                (``;``, UTF-8 with BOM, Finnish headers, ``EOS``)
``3x10d_fi.xlsx``               the same answers as a workbook
``3x10d_fi.sav``                the same answers as an SPSS file (Finnish value labels)
``demo``                        the SYNTHETIC demo study folder (``manifest.yaml`` and its
                                files: comparison cohort, pilot clients, staff, surveys,
                                service use, indicators) that ``make report`` runs on
==============================  ==========================================================

>>> from analysis import datasets
>>> datasets.load("holzinger_swineford_1939").shape
(301, 15)
>>> datasets.path("3x10d_fi.xlsx").name
'3x10d_fi.xlsx'
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import resource


def names() -> list[str]:
    """The shipped example files.

    >>> "political_democracy.csv" in names()
    True
    """
    return sorted(p.name for p in resource("datasets").iterdir()
                  if p.suffix in (".csv", ".xlsx", ".sav") or (p / "manifest.yaml").is_file())


def path(name: str) -> Path:
    """Path of a shipped example file (``name`` with its extension, as a user's own file would
    be) or of the demo study folder (``"demo"``).

    >>> path("3x10d_fi_semicolon_bom.csv").suffix
    '.csv'
    >>> (path("demo") / "manifest.yaml").is_file()
    True
    """
    found = resource("datasets", name)
    if name not in names():
        raise ValueError(f"no example data set {name!r}; shipped: {', '.join(names())}")
    return found


def load(name: str) -> pd.DataFrame:
    """A shipped CSV data set as a DataFrame (``name`` without ``.csv``).

    >>> load("political_democracy").columns[:3].tolist()
    ['y1', 'y2', 'y3']
    """
    return pd.read_csv(path(f"{name}.csv"))
