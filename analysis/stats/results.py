"""The one kind of result object every analysis returns.

A result is a frozen dataclass: its numbers are attributes (``res.alpha``, ``res.ci_low``)
and :meth:`Result.to_frame` gives its table. The table rule of the whole package: a result
table is a flat DataFrame with a default index; what a row is about (``score``, ``item``,
``group``, ``measure``…) is a column, first. Tables therefore export to Excel and Word as
they are.

Examples
--------
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Mean(Result):
...     n: int
...     mean: float
>>> Mean(3, 2.0).to_frame()
   n  mean
0  3   2.0
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import pandas as pd


@dataclass(frozen=True)
class Result:
    """Base of every result object; subclasses are ``@dataclass(frozen=True)``."""

    def to_frame(self) -> pd.DataFrame:
        """The result's table. Default: one row of its scalar attributes."""
        row = {f.name: getattr(self, f.name) for f in fields(self)
               if not isinstance(getattr(self, f.name), (pd.DataFrame, pd.Series, dict, list, tuple))}
        return pd.DataFrame([row])
