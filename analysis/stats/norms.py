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

Exported tables pass :func:`analysis.intake.privacy.suppress_small_cells` (n < 5 masked). Own code:
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

from analysis.intake.privacy import MIN_CELL, suppress_small_cells
from analysis.stats.descriptives import ALL, weighted_mean_sd

COLUMNS = ["score", "n", "raw", "percentile", "t_linear", "t_normalised"]


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


def _groups(df: pd.DataFrame, by: Sequence[str]):
    yield {b: ALL for b in by}, np.ones(len(df), bool)
    if by:
        for key, idx in df.groupby(list(by), observed=True, sort=True).indices.items():
            key = key if isinstance(key, tuple) else (key,)
            mask = np.zeros(len(df), bool)
            mask[idx] = True
            yield dict(zip(by, map(str, key))), mask


def norm_table(df: pd.DataFrame, scores: Sequence[str], by: Sequence[str] = ("age_group", "gender"),
               weight: str | None = None, grid: Mapping[str, Sequence[float]] | None = None,
               suppress: bool = True, min_n: int = MIN_CELL) -> pd.DataFrame:
    """Tidy norm table: one row per score × group × raw value.

    Parameters
    ----------
    df : DataFrame
        Norm sample: one row per person with the score columns, the ``by`` columns and
        optionally a survey-weight column.
    scores : list of str
        E.g. ``sat_<domain>`` and ``domain_mean`` from :func:`analysis.intake.scoring.score`.
    by : columns defining the norm groups
        Every combination present, plus the whole sample (``"all"`` in every ``by`` column).
        A person with a missing ``by`` value counts in the whole sample only.
    weight : str, optional
        Survey-weight column (positive); percentiles, means and SDs are weighted, ``n`` is the
        unweighted number of persons.
    grid : mapping, optional
        Raw values to tabulate per score; default every integer from the lowest to the highest
        observed value, or steps of 0.1 for non-integer scores (``domain_mean``).
    suppress : bool, default True
        Pass the table through :func:`analysis.intake.privacy.suppress_small_cells` (groups with
        ``n < min_n`` are masked; the ``raw`` value stays as the row's label) — always keep it
        on for a table that leaves the project.

    Returns
    -------
    DataFrame
        ``score, <by...>, n, raw, percentile, t_linear, t_normalised`` (definitions in the
        module docstring).
    """
    missing = [c for c in (*scores, *by, *([weight] if weight else [])) if c not in df.columns]
    if missing:
        raise KeyError(f"norm_table: column(s) {missing} not in data (columns: {list(df.columns)})")
    w_all = np.ones(len(df)) if weight is None else pd.to_numeric(df[weight], errors="raise").to_numpy(float)
    bad = np.flatnonzero(~(w_all > 0))
    if len(bad):
        raise ValueError(f"norm_table: weight column {weight!r} must be positive; rows (0-based) {bad[:10].tolist()} "
                         f"have {w_all[bad[:10]].tolist()}")
    rows = []
    for s in scores:
        x_all = pd.to_numeric(df[s], errors="raise").to_numpy(float)
        values = np.asarray((grid or {}).get(s, _default_grid(df[s].astype(float))), float)
        for labels, mask in _groups(df, by):
            ok = mask & ~np.isnan(x_all)
            x, w = x_all[ok], w_all[ok]
            n = int(ok.sum())
            pr = percentile_rank(x, values, w) if n else np.full(len(values), np.nan)
            summary = weighted_mean_sd(x, w)
            m, sd = summary.mean, summary.sd
            lo = 50 / n if n else np.nan
            t_n = 50 + 10 * stats.norm.ppf(np.clip(pr, lo, 100 - lo) / 100)
            block = pd.DataFrame({"score": s, **labels, "n": n, "raw": values, "percentile": pr,
                                  "t_linear": 50 + 10 * (values - m) / sd, "t_normalised": t_n})
            rows.append(block)
    table = pd.concat(rows, ignore_index=True)[["score", *by, "n", "raw", "percentile", "t_linear", "t_normalised"]]
    return suppress_small_cells(table, n_cols=["n"], min_n=min_n, labels=["raw"]) if suppress else table


def lookup(norms: pd.DataFrame, respondent: Mapping | pd.Series, by: Sequence[str] = ("age_group", "gender"),
           min_n: int = MIN_CELL) -> pd.DataFrame:
    """Percentile and T-scores of a new respondent from a norm table.

    The respondent's own group (values of ``by``) is used when its cell exists with at least
    ``min_n`` persons (not suppressed); otherwise the whole-sample rows (``"all"``), and
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
    DataFrame indexed by score: ``raw, group_used, n, percentile, t_linear, t_normalised``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"s": [1, 2, 2, 3, 4, 5, 5, 6], "age_group": "16-19", "gender": "female"})
    >>> float(lookup(norm_table(df, ["s"]), {"age_group": "16-19", "gender": "male", "s": 2.5}).loc["s", "percentile"])
    34.375
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
    table = pd.DataFrame.from_dict(out, orient="index")
    table.index.name = "score"
    return table
