"""Descriptive statistics for any instrument: summaries, weighted group means, sample
composition, missing-data patterns, joins by person, and small tables made from results.

Definitions (stated because SPSS, Excel and R differ in details):

* **Summary** (:func:`describe`): ``n`` answered values, ``missing`` = rows − ``n``, mean,
  SD with divisor ``n − 1`` (SPSS DESCRIPTIVES, R ``sd``, ``psych::describe``), median
  (average of the two middle values for even ``n``), minimum and maximum.
* **Weighted mean and SD** (:func:`weighted_mean_sd`, :func:`group_summary`):
  ``m = Σwx/Σw`` and ``s = √(Σw(x − m)²/Σw · n/(n − 1))``, i.e. the weights rescaled to sum
  to ``n`` (what SPSS's WEIGHT BY gives when the survey weights sum to the sample size, the
  usual practice; the same definition as :mod:`analysis.stats.norms`). ``n`` is always the
  unweighted number of persons.
* **Missing-data pattern** (:func:`missing_pattern`): rows grouped by the exact set of
  columns they leave empty, as ``mice::md.pattern`` (one row per pattern with its count);
  patterns beyond ``max_patterns`` per file are pooled into one row so that nothing is
  dropped: the counts of a file always add up to its rows.

Own code, because these are a few lines of pandas each, but the exact definitions above
(weighted SD, pattern pooling) are not what
``DataFrame.describe`` or any library gives, and the tables must have the column names the
privacy rule (:func:`analysis.report.disclosure.suppress_small_cells`: counts are ``n`` / ``n_…``)
recognises.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"a": [1.0, 2.0, None, 5.0]})
>>> describe(df, ["a"])[["column", "n", "missing", "mean"]].values.tolist()
[['a', 3, 1, 2.6666666666666665]]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.stats.checks import (
    as_list,
    numeric_frame,
    positive_weights,
    require_columns,
)
from analysis.stats.notices import warn
from analysis.stats.results import Result

if TYPE_CHECKING:
    from analysis.stats.reliability import AlphaResult, OmegaResult, OmegaSLResult

ALL = "all"
MISSING_LABEL = "(missing)"
OTHER_PATTERNS = "(other patterns)"
COMPLETE_LABEL = "(none)"
#: Fit measures shown by :func:`fit_table` (lavaan names).
FIT_MEASURES = ("ntotal", "npar", "chisq", "df", "pvalue", "chisq.scaled", "pvalue.scaled",
                "chisq.scaling.factor", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                "rmsea.ci.upper", "srmr", "cfi.robust", "tli.robust", "rmsea.robust", "aic", "bic")
#: The values of a norm table that :func:`wide_norms` can spread (columns of ``norm_table``).
NormValue = Literal["percentile", "t_linear", "t_normalised"]
NORM_VALUES: tuple[NormValue, ...] = ("percentile", "t_linear", "t_normalised")










@dataclass(frozen=True)
class WeightedSummary(Result):
    """``n`` persons (unweighted), weighted ``mean`` and ``sd`` (module definitions)."""

    n: int
    mean: float
    sd: float


def weighted_mean_sd(x: npt.ArrayLike, w: npt.ArrayLike | None = None,
                     counts: npt.ArrayLike | None = None) -> WeightedSummary:
    """Number, mean and SD of the non-missing ``x`` with optional weights (module definitions).

    ``counts`` turns ``x`` into a frequency table: each value stands for ``counts`` persons
    whose weights sum to ``w`` (default one person each), so ``n = Σ counts`` in the SD's
    ``n/(n − 1)``. A table of distinct values gives the same mean and SD as its rows.

    Examples
    --------
    >>> weighted_mean_sd([1, 2, 3, None])
    WeightedSummary(n=3, mean=2.0, sd=1.0)
    >>> round(weighted_mean_sd([1, 2, 3], [1, 1, 2]).mean, 2)
    2.25
    >>> weighted_mean_sd([1, 2, 2, 3]) == weighted_mean_sd([1, 2, 3], w=[1, 2, 1], counts=[1, 2, 1])
    True
    """
    values = np.asarray(pd.to_numeric(pd.Series(x), errors="raise"), float)
    weights = np.ones_like(values) if w is None else np.asarray(w, float)
    c = np.ones_like(values) if counts is None else np.asarray(counts, float)
    ok = ~np.isnan(values)
    values, weights, c = values[ok], weights[ok], c[ok]
    n = int(c.sum())
    if n == 0:
        return WeightedSummary(0, np.nan, np.nan)
    m = float(np.sum(weights * values) / np.sum(weights))
    sd = (float(np.sqrt(np.sum(weights * (values - m) ** 2) / np.sum(weights) * n / (n - 1)))
          if n > 1 else np.nan)
    return WeightedSummary(n, m, sd)


def describe(data: pd.DataFrame, cols: Sequence[str] | None = None) -> pd.DataFrame:
    """Per column: ``n``, ``missing``, ``missing_pct``, mean, SD, median, min, max.

    Parameters
    ----------
    data : DataFrame
        One row per respondent (or per respondent × occasion).
    cols : list of str, optional
        Numeric columns to summarise; default every numeric, non-boolean column.

    Returns
    -------
    DataFrame
        ``column, n, missing, missing_pct, mean, sd, median, min, max``; ``missing_pct`` is
        a percentage of all rows. SD uses ``n − 1`` (as SPSS and R).

    Examples
    --------
    >>> import pandas as pd
    >>> describe(pd.DataFrame({"x": [0, 10, 5, 5]}))[["sd", "median"]].round(3).values.tolist()
    [[4.082, 5.0]]
    """
    if cols is None:
        cols = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])
                and not pd.api.types.is_bool_dtype(data[c])]
    require_columns(data, cols, "describe")
    x = numeric_frame(data, "describe", cols)
    n = x.notna().sum()
    out = pd.DataFrame({
        "column": list(cols), "n": n.to_numpy(int), "missing": (len(x) - n).to_numpy(int),
        "missing_pct": (100 * (len(x) - n) / len(x) if len(x) else n * np.nan).to_numpy(float),
        "mean": x.mean().to_numpy(), "sd": x.std(ddof=1).to_numpy(),
        "median": x.median().to_numpy(), "min": x.min().to_numpy(), "max": x.max().to_numpy()})
    return out


def group_labels(data: pd.DataFrame, by: str | Sequence[str]) -> pd.Series:
    """Group label per row: the value of ``by``, or the values of several columns joined by a
    space; missing when any of them is missing (such rows count in ``"all"`` only).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"age": ["16-19", "20-24", None], "g": ["f", "m", "f"]})
    >>> group_labels(df, ["age", "g"]).tolist()
    ['16-19 f', '20-24 m', <NA>]
    """
    cols = [by] if isinstance(by, str) else list(by)
    labels = data[cols[0]].astype("string")
    for c in cols[1:]:
        labels = labels + " " + data[c].astype("string")      # missing propagates
    return labels


def group_summary(data: pd.DataFrame, cols: Sequence[str], by: str | Sequence[str] | None = None, *,
                  weight: str | None = None) -> pd.DataFrame:
    """Number, (weighted) mean and SD of each column for the whole sample and each group.

    Parameters
    ----------
    data : DataFrame
    cols : list of str
        Numeric columns.
    by : str or list of str, optional
        Grouping column(s); several columns give groups such as ``"16-19 female"``. Rows with
        a missing group value count in ``"all"`` only.
    weight : str, optional
        Survey-weight column (module definitions); ``n`` stays the number of persons.

    Returns
    -------
    DataFrame
        ``group, column, n, mean, sd``: first ``"all"``, then the groups in sorted order.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "x": [4.0, 6.0, 9.0]})
    >>> group_summary(df, ["x"], "g")[["group", "n", "mean"]].values.tolist()
    [['all', 3, 6.333333333333333], ['a', 2, 5.0], ['b', 1, 9.0]]
    """
    what = "group_summary"
    require_columns(data, list(cols) + as_list(by), what)
    w_all = positive_weights(data, weight, what)
    groups = [(ALL, np.ones(len(data), bool))]
    if by:
        labels = group_labels(data, by)
        groups += [(str(g), (labels == g).fillna(False).to_numpy(bool)) for g in sorted(labels.dropna().unique())]
    x = numeric_frame(data, what, cols)
    rows = []
    for label, mask in groups:
        for c in cols:
            s = weighted_mean_sd(x[c].to_numpy()[mask], w_all[mask])
            rows.append({"group": label, "column": c, "n": s.n, "mean": s.mean, "sd": s.sd})
    return pd.DataFrame(rows, columns=["group", "column", "n", "mean", "sd"])


def composition(data: pd.DataFrame, cols: Sequence[str], *, total: bool = False,
                order: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Sample composition: count and percentage of each category of each column.

    Missing values form their own category ``"(missing)"`` so that the counts of every
    column add up to the rows of ``data``. Categories are sorted as text, or in the order given
    for the column in ``order`` (e.g. occasions in time order; others after them). With
    ``total`` each column ends with an ``"all"`` row (every row of ``data``).

    Returns
    -------
    DataFrame
        ``variable, category, n, pct`` (pct of all rows).

    Examples
    --------
    >>> import pandas as pd
    >>> composition(pd.DataFrame({"g": ["a", "b", "a", None]}), ["g"])["n"].tolist()
    [2, 1, 1]
    >>> composition(pd.DataFrame({"g": ["b", "a"]}), ["g"], total=True, order={"g": ["b", "a"]})["category"].tolist()
    ['b', 'a', 'all']
    """
    require_columns(data, cols, "composition")
    rows = []
    for c in cols:
        labels = data[c].astype("string").fillna(MISSING_LABEL)
        counts = labels.value_counts(sort=False)
        rank = {str(v): i for i, v in enumerate((order or {}).get(c, ()))}
        for cat in sorted(counts.index, key=lambda v: (v == MISSING_LABEL, rank.get(v, len(rank)), v)):
            rows.append({"variable": c, "category": cat, "n": int(counts[cat]),
                         "pct": 100 * counts[cat] / len(data)})
        if total:
            rows.append({"variable": c, "category": ALL, "n": len(data), "pct": 100.0 if len(data) else np.nan})
    return pd.DataFrame(rows, columns=["variable", "category", "n", "pct"])






def join_on_id(base: pd.DataFrame, others: Mapping[str, pd.DataFrame],
               id_col: str = "respondent_id") -> pd.DataFrame:
    """Add the columns of other per-person tables to ``base`` by respondent id (left join).

    Every row of ``base`` is kept, in order and with its index (file row numbers); each
    other table must have one row per id. Columns already present are suffixed
    ``_<name>`` (e.g. ``n_answered_who5``). Ids of another table that are not in ``base``
    cannot be used; a warning names the table and how many there are.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"respondent_id": ["a", "b"], "x": [1, 2]})
    >>> o = pd.DataFrame({"respondent_id": ["b", "a"], "x": [5, 6], "g": ["m", "f"]})
    >>> join_on_id(b, {"bg": o}).values.tolist()
    [['a', 1, 6, 'f'], ['b', 2, 5, 'm']]
    """
    require_columns(base, [id_col], "join_on_id (base)")
    out = base.copy()
    for name, other in others.items():
        require_columns(other, [id_col], f"join_on_id ({name})")
        dup = other[id_col].duplicated(keep=False)
        if dup.any():
            raise ValueError(f"join_on_id: {name} has {id_col} repeated in row(s) "
                             f"{list(other.index[dup][:10])} (ids {sorted(set(other[id_col][dup]))[:10]})")
        extra = ~other[id_col].isin(out[id_col])
        if extra.any():
            warn("join_unmatched", "join_on_id: {n} {id_col}(s) of {name} are not in the base table and are "
                 "not used (e.g. {examples})", n=int(extra.sum()), id_col=id_col, name=name,
                 examples=list(other[id_col][extra][:5]))
        add = other.rename(columns={c: f"{c}_{name}" for c in other.columns
                                    if c != id_col and c in out.columns})
        merged = out.merge(add, on=id_col, how="left", validate="many_to_one")
        merged.index = out.index
        out = merged
    return out


def missing_by_column(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Missing cells per column of each file.

    Returns
    -------
    DataFrame
        ``file, column, n`` (rows of the file), ``missing``, ``missing_pct``.

    Examples
    --------
    >>> import pandas as pd
    >>> missing_by_column({"f": pd.DataFrame({"a": [1, None], "b": [1, 2]})})["missing"].tolist()
    [1, 0]
    """
    rows = []
    for name, df in frames.items():
        miss = df.isna().sum()
        for col in df.columns:
            rows.append({"file": name, "column": col, "n": len(df), "missing": int(miss[col]),
                         "missing_pct": 100 * miss[col] / len(df) if len(df) else np.nan})
    return pd.DataFrame(rows, columns=["file", "column", "n", "missing", "missing_pct"])


def missing_pattern(frames: Mapping[str, pd.DataFrame], max_patterns: int = 10, *, total: bool = False
                    ) -> pd.DataFrame:
    """Missing-data patterns of each file (``mice::md.pattern`` in long form).

    Rows of a file are grouped by the exact set of columns they leave empty. Patterns are
    ordered by count (largest first, ties by fewer missing columns, then by name); the
    patterns after the first ``max_patterns`` are pooled into one row ``"(other patterns)"``
    so that the counts of each file add up to its rows; with ``total`` an ``"all"`` row per
    file says so.

    Returns
    -------
    DataFrame
        ``file, missing_columns`` (comma-separated, ``"(none)"`` for complete rows),
        ``vars_missing`` (number of empty columns; missing for the pooled row), ``n`` rows,
        ``pct`` of the file's rows.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, None, None], "b": [1, 2, None]})
    >>> missing_pattern({"f": df})[["missing_columns", "n"]].values.tolist()
    [['(none)', 1], ['a', 1], ['a, b', 1]]
    """
    if max_patterns < 1:
        raise ValueError(f"max_patterns must be at least 1, got {max_patterns!r}")
    rows = []
    for name, df in frames.items():
        miss = df.isna()
        cols = np.asarray(df.columns, dtype=object)
        labels = pd.Series([", ".join(map(str, cols[r])) or COMPLETE_LABEL for r in miss.to_numpy()],
                           index=df.index, dtype=object)
        table = pd.DataFrame({"missing_columns": labels, "vars_missing": miss.sum(axis=1).to_numpy()})
        counts = (table.groupby(["missing_columns", "vars_missing"]).size().rename("n").reset_index()
                  .sort_values(["n", "vars_missing", "missing_columns"], ascending=[False, True, True],
                               kind="stable"))
        shown, rest = counts.iloc[:max_patterns], counts.iloc[max_patterns:]
        for label, vars_missing, n in zip(shown["missing_columns"], shown["vars_missing"].to_numpy(int),
                                          shown["n"].to_numpy(int)):
            rows.append({"file": name, "missing_columns": label,
                         "vars_missing": int(vars_missing), "n": int(n)})
        if len(rest):
            rows.append({"file": name, "missing_columns": OTHER_PATTERNS,
                         "vars_missing": np.nan, "n": int(rest["n"].sum())})
        if total:
            rows.append({"file": name, "missing_columns": ALL, "vars_missing": np.nan, "n": len(df)})
    out = pd.DataFrame(rows, columns=["file", "missing_columns", "vars_missing", "n"])
    sizes = {name: len(df) for name, df in frames.items()}
    out["pct"] = 100 * out["n"] / out["file"].map(sizes).astype(float)
    return out


def reliability_summary(alpha: AlphaResult, omega: OmegaResult | None = None, *,
                        omega_sl: OmegaSLResult | None = None, scale: str = "scale") -> pd.DataFrame:
    """One-row table of Cronbach's alpha (with its interval), omega and omega hierarchical.

    Parameters
    ----------
    alpha : analysis.stats.reliability.AlphaResult
    omega : analysis.stats.reliability.OmegaResult, optional
    omega_sl : analysis.stats.reliability.OmegaSLResult, optional
        Schmid–Leiman solution: adds ``omega_hierarchical`` (general factor) and ``ecv``.
    scale : str
        Label of the item set.

    Returns
    -------
    DataFrame
        ``scale, n_items, n, alpha, alpha_ci_low, alpha_ci_high, ci_method, std_alpha,
        omega_total, n_omega`` (``n_omega``: complete rows used by the factor model), then
        ``omega_total_ci_low, omega_total_ci_high`` when omega has an interval, and
        ``omega_hierarchical, ecv`` with ``omega_sl``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.stats.reliability import cronbach_alpha
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3], "c": [1, 3, 3, 4, 5, 2]})
    >>> table = reliability_summary(cronbach_alpha(items), scale="s")
    >>> table[["n_items", "n", "alpha", "ci_method"]].round(3).values.tolist()
    [[3, 6, 0.932, 'feldt 95 %']]
    """
    row = {"scale": scale, "n_items": alpha.n_items, "n": alpha.n, "alpha": alpha.alpha,
           "alpha_ci_low": alpha.ci_low, "alpha_ci_high": alpha.ci_high,
           "ci_method": f"{alpha.ci_method} {100 * alpha.ci_level:g} %", "std_alpha": alpha.std_alpha,
           "omega_total": np.nan if omega is None else omega.omega_total,
           "n_omega": np.nan if omega is None else omega.n}
    if omega is not None and omega.ci_method != "none":
        row.update(omega_total_ci_low=omega.ci_low, omega_total_ci_high=omega.ci_high)
    if omega_sl is not None:
        row.update(omega_hierarchical=omega_sl.omega_hierarchical, ecv=omega_sl.ecv)
    return pd.DataFrame([row])


def fit_table(fits: Mapping[str, Mapping[str, float]], measures: Sequence[str] = FIT_MEASURES) -> pd.DataFrame:
    """Fit measures of one or more models side by side, lavaan names as rows.

    Parameters
    ----------
    fits : mapping of model label → fit dict (``CFAResult.fit``)
    measures : lavaan fit-measure names to show (those absent from every model are skipped,
        e.g. robust measures of an ML fit).

    Returns
    -------
    DataFrame
        ``measure`` and one column per model.

    Examples
    --------
    >>> fit_table({"m1": {"cfi": 0.97, "df": 27.0}})["m1"].tolist()
    [27.0, 0.97]
    """
    shown = [m for m in measures if any(m in f for f in fits.values())]
    data = {label: [float(f.get(m, np.nan)) for m in shown] for label, f in fits.items()}
    return pd.DataFrame({"measure": shown, **data})


@dataclass(frozen=True)
class EffectDirections(Result):
    """Rows of a group-comparison table by the direction of the effect and significance."""

    rows: int
    lower: int
    higher: int
    lower_significant: int
    higher_significant: int


def effect_directions(table: pd.DataFrame, effect: str = "hedges_g", p: str = "p_holm",
                      level: float = 0.05) -> EffectDirections:
    """How many rows of a group-comparison table show a lower or higher group, and how many
    of those are significant (``p < level``), for report narratives.

    Parameters
    ----------
    table : DataFrame
        E.g. :func:`analysis.stats.validity.known_groups` output (one row per score × group).
    effect, p : column names of the effect size (sign = direction) and the (adjusted) p-value.

    Returns
    -------
    EffectDirections with ``rows``, ``lower``, ``higher``, ``lower_significant``,
    ``higher_significant``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"hedges_g": [-0.5, -0.1, 0.2], "p_holm": [0.001, 0.4, 0.03]})
    >>> effect_directions(t)
    EffectDirections(rows=3, lower=2, higher=1, lower_significant=1, higher_significant=1)
    """
    require_columns(table, [effect, p], "effect_directions")
    g = pd.to_numeric(table[effect], errors="raise")
    sig = pd.to_numeric(table[p], errors="raise") < level
    return EffectDirections(len(table), int((g < 0).sum()), int((g > 0).sum()),
                            int(((g < 0) & sig).sum()), int(((g > 0) & sig).sum()))


def wide_norms(norms: pd.DataFrame, score: str, by: Sequence[str],
               value: NormValue = "percentile") -> pd.DataFrame:
    """One score of a tidy norm table (:func:`analysis.stats.norms.norm_table`) as raw × group.

    Reshapes only (no computation), so a suppressed table stays suppressed: one row per raw
    value (first column ``raw``), then one column per group (``"<age_group> <gender>"``, whole
    sample ``"all"``); a suppressed group is a column of the mask. ``value`` is the norm
    column spread: ``"percentile"``, ``"t_linear"`` or ``"t_normalised"``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"score": "s", "age_group": ["all", "all", "16-19", "16-19"],
    ...                   "gender": ["all", "all", "male", "male"], "n": 9, "raw": [1, 2, 1, 2],
    ...                   "percentile": [25.0, 75.0, 40.0, 90.0]})
    >>> wide_norms(t, "s", ["age_group", "gender"]).columns.tolist()
    ['raw', 'all', '16-19 male']
    """
    if value not in NORM_VALUES:
        raise ValueError(f"wide_norms: value must be one of {list(NORM_VALUES)}, got {value!r}")
    rows = norms[norms["score"] == score]
    if rows.empty:
        raise KeyError(f"wide_norms: score {score!r} not in norm table (scores: {list(norms['score'].unique())})")
    group = rows[list(by)].astype(str).agg(" ".join, axis=1)
    group = group.where(~(rows[list(by)] == ALL).all(axis=1), ALL)
    order = list(dict.fromkeys(group))
    wide = rows.assign(group=group.to_numpy()).pivot(index="raw", columns="group", values=value)[order]
    wide.columns.name = None
    return wide.reset_index()
