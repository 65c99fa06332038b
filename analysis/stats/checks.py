"""Input checks shared by every statistic: one home, one wording.

Each check raises one error that lists every problem it found (all columns missing, every
non-numeric cell), so a user corrects the data once.

Examples
--------
>>> import pandas as pd
>>> require_columns(pd.DataFrame({"a": [1]}), ["a"], "describe")
>>> numeric_frame(pd.DataFrame({"a": ["1", 2]}), "describe")["a"].tolist()
[1.0, 2.0]
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd


def as_list(columns: str | Sequence[str] | None) -> list[str]:
    """``None`` → ``[]``, one name → ``[name]``, a sequence → a list.

    Examples
    --------
    >>> as_list("a"), as_list(None), as_list(("a", "b"))
    (['a'], [], ['a', 'b'])
    """
    return [] if not columns else [columns] if isinstance(columns, str) else list(columns)


def require_frame(data: object, what: str) -> pd.DataFrame:
    """``data`` itself when it is a DataFrame, else a TypeError naming the function.

    Examples
    --------
    >>> require_frame([1, 2], "describe")
    Traceback (most recent call last):
    ...
    TypeError: describe: data must be a pandas DataFrame, got list
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{what}: data must be a pandas DataFrame, got {type(data).__name__}")
    return data


def require_columns(data: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """KeyError naming every column of ``columns`` that ``data`` lacks.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a", "b", "c"], "describe")
    Traceback (most recent call last):
    ...
    KeyError: "describe: column(s) ['b', 'c'] not in data (columns: ['a'])"
    """
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise KeyError(f"{what}: column(s) {missing} not in data (columns: {list(data.columns)})")


def numeric_frame(data: pd.DataFrame, what: str, columns: Sequence[str] | None = None, *,
                  min_columns: int = 1) -> pd.DataFrame:
    """``data[columns]`` as float; one ValueError listing every cell that is not a finite number.

    Missing cells (None/NaN) stay missing; text, booleans-as-text and ±inf are refused.

    Examples
    --------
    >>> import pandas as pd
    >>> numeric_frame(pd.DataFrame({"a": ["1", None], "b": [2, 3]}), "describe", ["a"])["a"].tolist()
    [1.0, nan]
    """
    require_frame(data, what)
    columns = list(data.columns) if columns is None else list(columns)
    require_columns(data, columns, what)
    if len(columns) < min_columns:
        raise ValueError(f"{what}: expected at least {min_columns} column(s), got {len(columns)}: {columns}")
    problems, out = [], {}
    for col in columns:
        values = pd.to_numeric(data[col], errors="coerce")
        bad = (values.isna() & data[col].notna()) | np.isinf(values)
        problems += [f"row {idx!r}, column {col!r}: value {data[col][idx]!r} is not a finite number"
                     for idx in data.index[bad.to_numpy()][:20]]
        out[col] = values.astype(float)
    if problems:
        raise ValueError(f"{what}: values must be numeric (NaN for missing):\n  " + "\n  ".join(problems))
    return pd.DataFrame(out, index=data.index)


def positive_weights(data: pd.DataFrame, weight: str | None, what: str) -> np.ndarray:
    """Survey weights as an array (ones when ``weight`` is None); every weight finite and > 0.

    Examples
    --------
    >>> import pandas as pd
    >>> positive_weights(pd.DataFrame({"w": [0.5, 2]}), "w", "describe").tolist()
    [0.5, 2.0]
    >>> positive_weights(pd.DataFrame({"w": [0.5, 2]}), None, "describe").tolist()
    [1.0, 1.0]
    """
    if weight is None:
        return np.ones(len(data))
    w = numeric_frame(data, what, [weight])[weight].to_numpy()
    bad = ~(w > 0) | ~np.isfinite(w)
    if bad.any():
        raise ValueError(f"{what}: weight column {weight!r} must be positive and finite; row(s) "
                         f"{list(data.index[bad][:10])} hold {w[bad][:10].tolist()}")
    return w
