"""Comparisons with lavaan and semTools output (committed fixtures): a parameter table with
``parameterEstimates``, a model syntax with ``measEq.syntax``'s."""
from __future__ import annotations

import numpy as np
import pandas as pd


def assert_rows_and_estimates(mine: pd.DataFrame, ref: pd.DataFrame, *, keys=("lhs", "op", "rhs", "group"),
                              est_tol: float = 1e-3, se_tol: float = 2e-3, std_tol: float = 1e-3) -> None:
    """Same rows in lavaan's order; estimates, SEs and std.all within the issue's tolerances
    (estimates ±0.001, SEs ±0.002, standardized ±0.001)."""
    keys = list(keys)
    assert list(zip(*(mine[k] for k in keys))) == list(zip(*(ref[k] for k in keys)))
    np.testing.assert_allclose(mine.est, ref.est, atol=est_tol)
    np.testing.assert_allclose(mine.se, ref.se, atol=se_tol)
    np.testing.assert_allclose(mine.std_all, ref["std.all"], atol=std_tol)


def statements(text: str) -> list[str]:
    """A lavaan model syntax as its sorted statements, white space folded and semTools'
    ``##`` comment lines dropped (``measEq.syntax`` prints them in its own order)."""
    return sorted(" ".join(line.split()) for line in text.splitlines()
                  if line.strip() and not line.startswith("##"))
