"""The one kind of result object every analysis returns.

A result is a frozen dataclass: its numbers are attributes (``res.alpha``, ``res.ci_low``)
and :meth:`Result.to_frame` gives its table. It displays itself (:mod:`analysis.stats.display`):
``repr`` is one rounded screen, a notebook shows it as HTML tables, and the model results
have a ``summary()`` printed as lavaan and psych print theirs. The table rule of the whole package: a result
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
>>> Mean(3, 2.123456)
Mean(n=3, mean=2.123)
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import pandas as pd

from analysis.stats.display import result_html, result_text


@dataclass(frozen=True)
class Result:
    """Base of every result object; subclasses are ``@dataclass(frozen=True)``."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # @dataclass adds its own __repr__ only to a class without one: keep the display's
        if "__repr__" not in cls.__dict__:
            cls.__repr__ = Result.__repr__

    def __repr__(self) -> str:
        return result_text(self, self._own_table())

    def _repr_html_(self) -> str:
        return result_html(self, self._own_table())

    def _own_table(self) -> pd.DataFrame | None:
        """``to_frame()`` when the class defines its table (not the row of its scalars)."""
        return None if type(self).to_frame is Result.to_frame else self.to_frame()

    def to_frame(self) -> pd.DataFrame:
        """The result's table. Default: one row of its scalar attributes."""
        row = {f.name: getattr(self, f.name) for f in fields(self)
               if not isinstance(getattr(self, f.name), (pd.DataFrame, pd.Series, dict, list, tuple))}
        return pd.DataFrame([row])
