"""Partition-local summaries: the same code for a pandas DataFrame and a dask DataFrame.

Analyses that scale to data larger than memory are written as two steps: a *summary* of one
block of rows (a small tidy table of counts and sums) and a *merge* that adds summaries up.
:func:`summaries` runs the first step once on a pandas DataFrame, or once per partition of a
``dask.dataframe`` (one task per partition, on whatever scheduler is active: dask's local
threads by default, a ``dask.distributed`` cluster when a ``Client`` exists). The caller
merges the returned list; because the merge only adds counts (integers, exact) and sums,
the result does not depend on how the rows were split.

dask is an optional dependency (``pip install youth-services-analysis[scale]``); it is
imported only when a dask object is passed.

Examples
--------
>>> import pandas as pd
>>> [len(s) for s in summaries(pd.DataFrame({"a": [1, 2, 3]}), lambda d: d.describe())]
[8]
"""
from __future__ import annotations

from typing import Any, Callable, Protocol, TypeGuard

import pandas as pd


class Partitioned(Protocol):
    """What :func:`summaries` uses of a dask DataFrame: its partitions as delayed objects."""

    def to_delayed(self) -> list[Any]: ...


def is_dask(data: object) -> TypeGuard[Partitioned]:
    """True for a dask collection (checked by module, so dask need not be installed).

    Examples
    --------
    >>> import pandas as pd
    >>> is_dask(pd.DataFrame({"a": [1]}))
    False
    """
    return type(data).__module__.split(".")[0] == "dask"


def summaries(data: object, summarise: Callable[..., pd.DataFrame], *args: Any,
              **kwargs: Any) -> list[pd.DataFrame]:
    """``[summarise(data, *args, **kwargs)]`` for a pandas DataFrame; for a dask DataFrame the same
    call on every partition, computed together, in partition order.

    Examples
    --------
    >>> import pandas as pd
    >>> summaries(pd.DataFrame({"a": [1, 2, 3]}), lambda d, k: d.nlargest(k, "a"), 2)[0]["a"].tolist()
    [3, 2]
    """
    if not is_dask(data):
        return [summarise(data, *args, **kwargs)]
    import dask

    task = dask.delayed(summarise, pure=True)
    shared = [dask.delayed(a) if isinstance(a, pd.DataFrame) else a for a in args]  # one copy in the graph
    return list(dask.compute(*(task(part, *shared, **kwargs) for part in data.to_delayed())))
