"""Published national reference values for the 3X10D satisfaction items.

The values live in ``questionnaires/norms/3x10d-fi-2022.yaml`` (national survey of
16–29-year-olds, October 2022, N = 1011, weighted). The publisher later lowered every
published mean by exactly one point (SDs unchanged): responses coded 1–11 had been reported
as 0–10. :func:`national_norms` applies that erratum by default, so comparisons with data
scored 0–10 are like with like; ``corrected=False`` returns the table as first printed.

Examples
--------
>>> float(national_norms().set_index("domain").loc["family", "mean"])
7.23
"""
from __future__ import annotations

import pandas as pd
import yaml

from analysis import resource

NORMS_PATH = resource("questionnaires", "norms", "3x10d-fi-2022.yaml")


def national_norms(corrected: bool = True) -> pd.DataFrame:
    """National means and SDs per domain, one row per domain key in instrument order.

    Parameters
    ----------
    corrected : bool, default True
        Apply the publisher's erratum (every mean − 1). Use ``False`` only to reproduce
        analyses made with the table as first printed.

    Returns
    -------
    DataFrame with columns ``domain``, ``mean``, ``sd``, ``n``.

    Examples
    --------
    >>> published, corrected = national_norms(corrected=False), national_norms()
    >>> cols = ["domain", "mean", "sd"]
    >>> published.loc[[0], cols].values.tolist(), corrected.loc[[0], cols].values.tolist()
    ([['health', 6.83, 2.14]], [['health', 5.83, 2.14]])
    """
    spec = yaml.safe_load(NORMS_PATH.read_text(encoding="utf-8"))
    shift = spec["erratum"]["mean_shift"] if corrected else 0
    rows = {d: {"mean": round(v["published_mean"] + shift, 2), "sd": v["sd"], "n": spec["n"]}
            for d, v in spec["domains"].items()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("domain").reset_index()
