"""Norm tables: percentile ranks and T-scores by age group × gender, optionally weighted.

Definitions (stated because packages and manuals differ):

* **Percentile rank, mid-rank definition**: ``PR(x) = 100 · (W(X < x) + ½ W(X = x)) / W``,
  where ``W`` sums the survey weights (counts when unweighted). A score shared by everybody
  has PR 50; no observed score gets 0 or 100 (Crocker & Algina 1986, ch. 19).
* **Linear T**: ``T = 50 + 10 (x − m)/s`` with the (weighted) mean ``m`` and standard deviation
  ``s = √(Σw(x − m)²/Σw · n/(n − 1))`` of the norm group (the ordinary SD when unweighted).
* **Normalised T**: ``T_n = 50 + 10 Φ⁻¹(PR/100)``, the normal quantile of the mid-rank PR,
  with PR kept within ``[50/n, 100 − 50/n]`` (half a person from either end) so that grid
  values beyond the observed range stay finite.

**Norms from counts.** Every quantity above depends on the data only through, per norm cell and
raw value ``v``, the number of persons ``n_v`` and the sum of their weights ``W_v``:
``W(X < x) = Σ_{v<x} W_v``, ``m = Σ v W_v / Σ W_v``, ``Σw(x − m)² = Σ W_v (v − m)²`` and
``n = Σ n_v``. :func:`norm_counts` tabulates them (0–10 items: at most 11 rows per cell and
score), :func:`merge_counts` adds tables made from disjoint parts of the sample (chunks of a
file, partitions of a ``dask.dataframe``, sites), and :func:`norm_table` computes the same norms
from such a table as from the rows — it always goes through the counts. Counts and unweighted
sums are integers and add up exactly; weighted sums add up in a different order, which changes
a result by at most (parts − 1) rounding errors of a sum of positive terms (relative
≈ 1e-16 each; Higham 2002, §4.2). Non-integer scores (a mean score) are tabulated by distinct
value, which is exact too, only larger.

A norm table or a counts table holds small cells: a report publishes it only through its
disclosure control (:mod:`analysis.report.disclosure`), which masks groups under five persons. Own code:
weighted mid-rank percentiles and tidy norm tables by group are a few lines of numpy, and
no library implements this definition with survey weights.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"s": [1, 2, 2, 3, 4, 5, 5, 6], "age_group": "16-19", "gender": "female"})
>>> t = norm_table(df, ["s"], grid={"s": [2, 5]})
>>> t.loc[t.age_group == "all", "percentile"].tolist()
[25.0, 75.0]
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.checks import as_list, numeric_frame, positive_weights, require_columns
from analysis.stats.descriptives import ALL, weighted_mean_sd
from analysis.stats.partitions import summaries

COLUMNS = ["score", "n", "raw", "percentile", "t_linear", "t_normalised"]
#: Columns of a counts table besides the group columns (see :func:`norm_counts`).
COUNT_COLUMNS = ["score", "raw", "n", "sum_w"]


def percentile_rank(values: Sequence[float], x, weights: Sequence[float] | None = None) -> np.ndarray:
    """Mid-rank percentile rank of each ``x`` within ``values`` (missing values ignored).

    Examples
    --------
    >>> percentile_rank([1, 2, 2, 3], [2, 3]).tolist()
    [50.0, 87.5]
    """
    v = np.asarray(values, float)
    w = np.ones_like(v) if weights is None else np.asarray(weights, float)
    ok = ~np.isnan(v) & ~np.isnan(w)
    v, w = v[ok], w[ok]
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    cw = np.concatenate(([0.0], np.cumsum(w)))
    x = np.atleast_1d(np.asarray(x, float))
    below = cw[np.searchsorted(v, x, side="left")]
    upto = cw[np.searchsorted(v, x, side="right")]
    return 100 * (below + 0.5 * (upto - below)) / cw[-1]


def _default_grid(x: pd.Series) -> np.ndarray:
    x = x.dropna()
    lo, hi = np.floor(x.min()), np.ceil(x.max())
    if (x == x.round()).all():
        return np.arange(lo, hi + 1)
    return np.round(np.arange(lo, hi + 1e-9, 0.1), 1)


def _ordered(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Scores in order of first appearance, then groups and raw values ascending (missing last)."""
    score_order = pd.Categorical(table["score"], categories=pd.unique(table["score"]), ordered=True)
    keys = table.assign(_score=score_order).sort_values(["_score", *by, "raw"], na_position="last")
    return keys.drop(columns="_score").reset_index(drop=True)


def _counts_of(data: pd.DataFrame, scores: list[str], by: list[str], weight: str | None) -> pd.DataFrame:
    """Counts table of one block of rows (pandas)."""
    require_columns(data, [*scores, *by, *as_list(weight)], "norm_counts")
    w = positive_weights(data, weight, "norm_counts")
    if by:
        grouped = data.groupby(by, dropna=False, observed=True, sort=False)
        cell = grouped.ngroup().to_numpy()
        keys = grouped.size().index.to_frame(index=False)[by]
    else:
        cell, keys = np.zeros(len(data), int), pd.DataFrame(index=[0])
    blocks = []
    for s in scores:
        x = numeric_frame(data, "norm_counts", [s])[s].to_numpy()         # one column at a time: memory
        value_code, values = pd.factorize(x, use_na_sentinel=False)        # NaN kept as a value
        k = max(len(values), 1)
        code = cell * k + value_code
        n = np.bincount(code, minlength=len(keys) * k)
        sum_w = np.bincount(code, weights=w, minlength=len(keys) * k)
        used = np.flatnonzero(n)
        g, v = np.divmod(used, k)
        blocks.append(pd.DataFrame({"score": s, **{b: keys[b].to_numpy()[g] for b in by},
                                    "raw": np.asarray(values, float)[v], "n": n[used], "sum_w": sum_w[used]}))
    empty = pd.DataFrame({"score": pd.Series(dtype=str), **{b: data[b].iloc[:0] for b in by},
                          "raw": pd.Series(dtype=float), "n": pd.Series(dtype=np.int64),
                          "sum_w": pd.Series(dtype=float)})
    return _ordered(pd.concat([empty, *blocks], ignore_index=True), by)


def norm_counts(data, scores: Sequence[str], by: Sequence[str] = ("age_group", "gender"),
                weight: str | None = None) -> pd.DataFrame:
    """Persons and summed weights per score × norm cell × raw value: the mergeable summary of a norm sample.

    Parameters
    ----------
    data : DataFrame or dask DataFrame
        Norm sample, one row per person (as :func:`norm_table`). A dask DataFrame is counted
        partition by partition and the partial tables merged (:mod:`analysis.stats.partitions`).
    scores, by, weight
        As in :func:`norm_table`. Rows with a missing ``by`` value form their own cell (with the
        missing label), which :func:`norm_table` counts in the whole sample only.

    Returns
    -------
    DataFrame
        ``score, <by...>, raw, n, sum_w``: one row per score, cell and raw value present,
        including ``raw`` missing (persons without that score, so that every cell is kept).
        ``n`` persons (integer); ``sum_w`` their summed weights (= ``n`` unweighted). Contains
        cells below the disclosure limit: an intermediate, not a table to publish.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"s": [3, 3, 5, None], "g": ["a", "a", "b", "b"], "w": [1.0, 2.0, 1.0, 1.0]})
    >>> norm_counts(df, ["s"], by=["g"], weight="w").values.tolist()
    [['s', 'a', 3.0, 2, 3.0], ['s', 'b', 5.0, 1, 1.0], ['s', 'b', nan, 1, 1.0]]
    """
    scores, by = as_list(scores), as_list(by)
    return merge_counts(*summaries(data, _counts_of, scores, by, weight))


def merge_counts(*tables: pd.DataFrame) -> pd.DataFrame:
    """Add up counts tables of disjoint parts of a sample (same scores and ``by`` columns).

    ``n`` and, unweighted, ``sum_w`` add up exactly; weighted ``sum_w`` to the last digits
    (module docstring).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"s": [1, 2, 2, 3], "g": "a"})
    >>> parts = [norm_counts(df.iloc[:2], ["s"], by=["g"]), norm_counts(df.iloc[2:], ["s"], by=["g"])]
    >>> merge_counts(*parts).equals(norm_counts(df, ["s"], by=["g"]))
    True
    """
    if not tables:
        raise ValueError("merge_counts: no counts table given")
    columns = [list(t.columns) for t in tables]
    if any(c != columns[0] for c in columns) or not set(COUNT_COLUMNS) <= set(columns[0]):
        raise ValueError(f"merge_counts: tables must all have the columns of a norm_counts table; got {columns}")
    by = [c for c in columns[0] if c not in COUNT_COLUMNS]
    table = pd.concat(tables, ignore_index=True)
    merged = (table.groupby(["score", *by, "raw"], dropna=False, observed=True, sort=False)[["n", "sum_w"]]
              .sum().reset_index())
    return _ordered(merged, by)[columns[0]]


def _is_counts(data: object) -> bool:
    return isinstance(data, pd.DataFrame) and set(COUNT_COLUMNS) <= set(data.columns)


def norm_table(data, scores: Sequence[str] | None = None, by: Sequence[str] = ("age_group", "gender"),
               weight: str | None = None, grid: Mapping[str, Sequence[float]] | None = None) -> pd.DataFrame:
    """Tidy norm table: one row per score × group × raw value.

    Parameters
    ----------
    data : DataFrame, dask DataFrame or counts table
        Norm sample: one row per person with the score columns, the ``by`` columns and
        optionally a survey-weight column; or a counts table of it (:func:`norm_counts`,
        :func:`merge_counts`; recognised by its columns ``score, raw, n, sum_w``), which gives
        the same table.
    scores : list of str
        E.g. ``sat_<domain>`` and ``domain_mean`` from :func:`analysis.intake.scoring.score`.
        From a counts table: default every score in it.
    by : columns defining the norm groups
        Every combination present, plus the whole sample (``"all"`` in every ``by`` column).
        A person with a missing ``by`` value counts in the whole sample only.
    weight : str, optional
        Survey-weight column (positive); percentiles, means and SDs are weighted, ``n`` is the
        unweighted number of persons. Not with a counts table (it holds the summed weights).
    grid : mapping, optional
        Raw values to tabulate per score; default every integer from the lowest to the highest
        observed value, or steps of 0.1 for non-integer scores (``domain_mean``).

    Returns
    -------
    DataFrame
        ``score, <by...>, n, raw, percentile, t_linear, t_normalised`` (definitions in the
        module docstring; ``t_linear`` is NaN in a cell whose scores do not vary).

    References
    ----------
    Crocker, L., & Algina, J. (1986). *Introduction to classical and modern test theory*, ch. 19
    (mid-rank percentile ranks, linear and normalised T scores).

    Examples
    --------
    >>> import pandas as pd
    >>> t = norm_table(pd.DataFrame({"s": [1, 2, 2, 3, 4, 5, 5, 6]}), ["s"], by=[], grid={"s": [2, 5]})
    >>> t[["raw", "n", "percentile", "t_linear", "t_normalised"]].round(1).values.tolist()
    [[2.0, 8.0, 25.0, 41.5, 43.3], [5.0, 8.0, 75.0, 58.5, 56.7]]
    """
    by = as_list(by)
    if _is_counts(data):
        if weight is not None:
            raise ValueError("norm_table: a counts table already holds the summed weights; leave weight=None")
        counts = data
        found = [c for c in counts.columns if c not in COUNT_COLUMNS]
        if found != by:
            raise ValueError(f"norm_table: the counts table is by {found}, but by={by}")
        scores = list(pd.unique(counts["score"])) if scores is None else as_list(scores)
        absent = [s for s in scores if s not in set(counts["score"])]
        if absent:
            raise KeyError(f"norm_table: score(s) {absent} not in the counts table")
    else:
        scores = as_list(scores)
        counts = norm_counts(data, scores, by, weight)
    rows = []
    for s in scores:
        table = counts[counts["score"] == s]
        observed = table.loc[table["raw"].notna(), "raw"]
        values = np.asarray((grid or {}).get(s, _default_grid(observed)), float)
        whole = table.groupby("raw", dropna=False, sort=True)[["n", "sum_w"]].sum().reset_index()
        cells = table.dropna(subset=by).groupby(by, observed=True, sort=True) if by else []
        for labels, cell in [({b: ALL for b in by}, whole),
                             *((dict(zip(by, map(str, key))), c) for key, c in cells)]:
            cell = cell[cell["raw"].notna()]
            x, n_x, w_x = (cell[c].to_numpy(float) for c in ("raw", "n", "sum_w"))
            summary = weighted_mean_sd(x, w_x, counts=n_x)
            n = summary.n
            pr = percentile_rank(x, values, w_x) if n else np.full(len(values), np.nan)
            lo = 50 / n if n else np.nan
            t_n = 50 + 10 * stats.norm.ppf(np.clip(pr, lo, 100 - lo) / 100)
            with np.errstate(divide="ignore", invalid="ignore"):     # no spread: no linear T
                t_lin = np.where(summary.sd > 0, 50 + 10 * (values - summary.mean) / summary.sd, np.nan)
            rows.append(pd.DataFrame({"score": s, **labels, "n": n, "raw": values, "percentile": pr,
                                      "t_linear": t_lin, "t_normalised": t_n}))
    return pd.concat(rows, ignore_index=True)[["score", *by, "n", "raw", "percentile", "t_linear", "t_normalised"]]


def lookup(norms: pd.DataFrame, respondent: Mapping | pd.Series, by: Sequence[str] = ("age_group", "gender"),
           min_n: int = 5) -> pd.DataFrame:
    """Percentile and T-scores of a new respondent from a norm table.

    The respondent's own group (values of ``by``) is used when its cell exists with at least
    ``min_n`` persons (and is not masked in a published table); otherwise the whole-sample rows (``"all"``), and
    ``group_used`` says which. A raw value between two tabulated values is linearly
    interpolated; outside the tabulated range the result is missing.

    Parameters
    ----------
    norms : DataFrame
        Output of :func:`norm_table` (suppressed or not).
    respondent : mapping or Series
        ``by`` values and one or more score values, e.g. ``{"age_group": "20-24", "gender":
        "female", "sat_health": 6}``.

    Returns
    -------
    DataFrame, one row per score: ``score, raw, group_used, n, percentile, t_linear, t_normalised``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"s": [1, 2, 2, 3, 4, 5, 5, 6], "age_group": "16-19", "gender": "female"})
    >>> found = lookup(norm_table(df, ["s"]), {"age_group": "16-19", "gender": "male", "s": 2.5})
    >>> found[["score", "group_used", "percentile"]].values.tolist()
    [['s', 'all', 34.375]]
    """
    resp = dict(respondent)
    scores = [s for s in norms["score"].unique() if s in resp and pd.notna(resp[s])]
    if not scores:
        raise KeyError(f"lookup: respondent has none of the normed scores {list(norms['score'].unique())}")
    out = {}
    for s in scores:
        rows = norms[norms["score"] == s]
        own = rows
        for b in by:
            own = own[own[b] == str(resp.get(b))]
        n_own = pd.to_numeric(own["n"], errors="coerce")
        usable = len(own) and n_own.notna().all() and (n_own >= min_n).all()
        chosen = own if usable else rows[(rows[list(by)] == ALL).all(axis=1)]
        label = " × ".join(str(resp.get(b)) for b in by) if usable else ALL
        raw = float(resp[s])
        grid = chosen["raw"].astype(float).to_numpy()
        res = {"raw": raw, "group_used": label, "n": int(chosen["n"].iloc[0])}
        for col in ("percentile", "t_linear", "t_normalised"):
            vals = chosen[col].astype(float).to_numpy()
            res[col] = float(np.interp(raw, grid, vals)) if grid.min() <= raw <= grid.max() else np.nan
        out[s] = res
    return pd.DataFrame.from_dict(out, orient="index").rename_axis("score").reset_index()
