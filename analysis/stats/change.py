"""Change over time: paired change, reliable change, responsiveness, attrition.

Within-person change of the pilot clients' 3X10D scores between readings (baseline, 6 and
12 months). Effect sizes follow Cumming (2012) and Lakens (2013); reliable change follows
Jacobson & Truax (1991); responsiveness follows de Vet et al. (2011, ch. 7: correlation with an
anchor and the area under the ROC curve).

Own code, because the pieces exist in scipy (t, Wilcoxon, Mann–Whitney) but no library gives
the per-domain tables with g_av, SRM, RCI classification and goal attainment that evaluation
reports need; each formula is a few vectorised lines and is checked against scipy, pingouin
or a hand computation in ``tests/test_change.py``.

Examples
--------
>>> import pandas as pd
>>> pre = pd.DataFrame({"sat_housing": [4, 5, 6, 3]}, index=list("abcd"))
>>> post = pd.DataFrame({"sat_housing": [6, 6, 7, 5]}, index=list("abcd"))
>>> paired_change(pre, post)[["score", "mean_change"]].values.tolist()
[['sat_housing', 1.5]]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.effsize import auc, correlation_ci, g_av, hedges_g
from analysis.stats.results import Result


def wide_pair(data: pd.DataFrame, cols: Sequence[str], first: str, second: str,
              id_col: str = "respondent_id", occasion_col: str = "occasion") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split long data (one row per respondent × occasion) into aligned ``pre`` and ``post``.

    Both frames are indexed by ``id_col`` over all respondents seen at ``first`` (a respondent
    missing at ``second`` has an all-missing ``post`` row, so attrition stays visible).

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"respondent_id": ["a", "a", "b"], "occasion": ["baseline", "12m", "baseline"],
    ...                      "s": [1, 3, 2]})
    >>> pre, post = wide_pair(long, ["s"], "baseline", "12m")
    >>> post["s"].tolist()
    [3.0, nan]
    """
    missing = [c for c in (id_col, occasion_col, *cols) if c not in data.columns]
    if missing:
        raise KeyError(f"wide_pair: column(s) {missing} not in data")
    dup = data.duplicated([id_col, occasion_col])
    if dup.any():
        raise ValueError(f"wide_pair: {id_col!r} × {occasion_col!r} repeated in row(s) {list(data.index[dup][:10])}")
    pre = data[data[occasion_col] == first].set_index(id_col)[list(cols)].astype(float)
    post = data[data[occasion_col] == second].set_index(id_col)[list(cols)].astype(float)
    return pre, post.reindex(pre.index)


def _aligned(pre: pd.DataFrame, post: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    if isinstance(pre, pd.Series):
        pre, post = pre.to_frame(), post.to_frame(name=pre.name)
    cols = [c for c in pre.columns if c in post.columns]
    if not cols:
        raise KeyError(f"pre and post share no columns (pre: {list(pre.columns)}, post: {list(post.columns)})")
    extra = post.index.difference(pre.index)
    if len(extra):
        raise ValueError(f"post has respondents not in pre: {list(extra[:10])}")
    return pre[cols].astype(float), post.reindex(pre.index)[cols].astype(float)


def paired_change(pre: pd.DataFrame, post: pd.DataFrame, ci: float = 0.95) -> pd.DataFrame:
    """Mean paired change per column with t interval, paired t and Wilcoxon p, g_av and SRM.

    Complete pairs per column. ``mean_change`` Δ̄ = mean(post − pre) with the t interval
    Δ̄ ± t(n−1) SD_Δ/√n; ``p_t`` paired t test; ``p_wilcoxon`` Wilcoxon signed-rank test
    (scipy defaults: zero differences dropped, exact distribution for small n without ties);
    ``g_av`` = J · Δ̄ / ((SD_pre + SD_post)/2) (Cumming 2012 d_av; Lakens 2013) with Hedges'
    J = 1 − 3/(4 df − 1), df = n − 1; ``srm`` standardised response mean Δ̄ / SD_Δ.

    Parameters
    ----------
    pre, post : DataFrame
        Same respondents (index) and columns, e.g. from :func:`wide_pair`.

    Returns
    -------
    DataFrame, one row per column of ``pre``: ``score, n, mean_pre, mean_post, sd_pre, sd_post,
    mean_change, ci_low, ci_high, t, p_t, p_wilcoxon, g_av, srm``.

    Examples
    --------
    >>> import pandas as pd
    >>> pre, post = pd.DataFrame({"s": [2.0, 3.0, 4.0, 5.0]}), pd.DataFrame({"s": [3.0, 5.0, 4.5, 7.0]})
    >>> paired_change(pre, post).loc[0, ["n", "mean_change", "srm"]].astype(float).round(3).tolist()
    [4.0, 1.375, 1.833]
    """
    pre, post = _aligned(pre, post)
    rows = {}
    q = 0.5 + ci / 2
    for c in pre.columns:
        ok = pre[c].notna() & post[c].notna()
        x, y = pre.loc[ok, c].to_numpy(), post.loc[ok, c].to_numpy()
        n = len(x)
        d = y - x
        row = {"n": n, "mean_pre": x.mean() if n else np.nan, "mean_post": y.mean() if n else np.nan,
               "sd_pre": x.std(ddof=1) if n > 1 else np.nan, "sd_post": y.std(ddof=1) if n > 1 else np.nan,
               "mean_change": d.mean() if n else np.nan}
        if n > 1:
            sd_d = d.std(ddof=1)
            half = stats.t.ppf(q, n - 1) * sd_d / np.sqrt(n)
            tt = stats.ttest_rel(y, x) if sd_d > 0 else None
            nonzero = np.any(d != 0)
            row.update(ci_low=d.mean() - half, ci_high=d.mean() + half,
                       t=tt.statistic if tt else np.nan, p_t=tt.pvalue if tt else np.nan,
                       p_wilcoxon=stats.wilcoxon(y, x).pvalue if nonzero else np.nan,
                       g_av=g_av(x, y),
                       srm=d.mean() / sd_d if sd_d > 0 else np.nan)
        rows[c] = row
    cols = ["n", "mean_pre", "mean_post", "sd_pre", "sd_post", "mean_change", "ci_low", "ci_high",
            "t", "p_t", "p_wilcoxon", "g_av", "srm"]
    out = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=cols)
    return out.rename_axis("score").reset_index()


def _per_column(value, cols, name: str) -> pd.Series:
    if isinstance(value, Mapping):
        missing = [c for c in cols if c not in value]
        if missing:
            raise KeyError(f"{name} not given for column(s) {missing}")
        return pd.Series({c: float(value[c]) for c in cols})
    return pd.Series(float(value), index=cols)


def reliable_change(pre: pd.DataFrame, post: pd.DataFrame, sd, reliability) -> pd.DataFrame:
    """Reliable change index per person and column (Jacobson & Truax 1991).

    ``SEM = SD √(1 − r)``; ``RCI = (post − pre) / (√2 · SEM)``. ``sd`` (e.g. the norm-group or
    baseline SD) and ``reliability`` (test–retest ICC) are numbers or mappings by column.

    Examples
    --------
    >>> import pandas as pd
    >>> rci = reliable_change(pd.DataFrame({"s": [4.0]}), pd.DataFrame({"s": [7.0]}), sd=2, reliability=0.8)
    >>> round(float(rci.loc[0, "s"]), 3)
    2.372
    """
    pre, post = _aligned(pre, post)
    sd_s = _per_column(sd, pre.columns, "sd")
    r = _per_column(reliability, pre.columns, "reliability")
    if ((r < 0) | (r >= 1)).any() or (sd_s <= 0).any():
        raise ValueError(f"need 0 <= reliability < 1 and sd > 0; got reliability {r.to_dict()}, sd {sd_s.to_dict()}")
    sem = sd_s * np.sqrt(1 - r)
    return (post - pre) / (np.sqrt(2) * sem)


def classify_rci(rci: pd.DataFrame, threshold: float = 1.96, higher_is_better: bool = True) -> pd.DataFrame:
    """``improved`` / ``unchanged`` / ``deteriorated`` from an RCI table (missing stays missing).

    ``|RCI| > threshold`` is reliable change (Jacobson & Truax: 1.96); for the 3X10D a higher
    satisfaction is better.

    Examples
    --------
    >>> import pandas as pd
    >>> classify_rci(pd.DataFrame({"s": [2.5, 0.3, -2.0, None]}))["s"].tolist()
    ['improved', 'unchanged', 'deteriorated', <NA>]
    """
    sign = 1 if higher_is_better else -1
    x = rci.astype(float) * sign
    out = pd.DataFrame(np.select([x > threshold, x < -threshold], ["improved", "deteriorated"], "unchanged"),
                       index=rci.index, columns=rci.columns).astype("string")
    return out.mask(x.isna())




def responsiveness(change: pd.DataFrame, anchor: pd.Series, improved_min: float = 1,
                   ci: float = 0.95) -> pd.DataFrame:
    """Construct approach to responsiveness: change scores against a global anchor.

    Per column: Spearman correlation of change with the anchor (Bonett–Wright Fisher-z
    interval, :func:`analysis.stats.effsize.correlation_ci`) and the AUC (:func:`analysis.stats.effsize.auc`) of change
    for discriminating improved (``anchor ≥ improved_min``) from not improved (de Vet et al.
    2011; COSMIN expects AUC ≥ 0.70). Pairs with both values present.

    Returns
    -------
    DataFrame, one row per column of ``change``: ``score, n, r, r_ci_low, r_ci_high, p, n_improved,
    n_not_improved, auc, auc_ci_low, auc_ci_high`` (DeLong interval, :func:`analysis.stats.effsize.auc`).

    Examples
    --------
    >>> import pandas as pd
    >>> change = pd.DataFrame({"s": [0.5, 2.0, -1.0, 3.0, 0.0, 1.5]})
    >>> res = responsiveness(change, pd.Series([0, 1, 0, 2, 0, 1]))
    >>> res[["score", "n", "n_improved", "auc"]].values.tolist(), round(float(res.loc[0, "r"]), 3)
    ([['s', 6, 3, 1.0]], 0.926)
    """
    anchor = anchor.astype(float)
    rows = {}
    for c in change.columns:
        pair = pd.concat([change[c].astype(float), anchor.rename("_anchor")], axis=1, join="inner").dropna()
        n = len(pair)
        if n > 3 and pair.nunique().min() > 1:
            res = stats.spearmanr(pair[c], pair["_anchor"])
            r, p = float(res.statistic), float(res.pvalue)
        else:
            r = p = np.nan
        interval = correlation_ci(r, n, "spearman", ci)
        imp = pair["_anchor"] >= improved_min
        area = auc(pair.loc[imp, c], pair.loc[~imp, c], ci)
        rows[c] = {"n": n, "r": r, "r_ci_low": interval.ci_low, "r_ci_high": interval.ci_high, "p": p,
                   "n_improved": int(imp.sum()), "n_not_improved": int((~imp).sum()),
                   "auc": area.estimate, "auc_ci_low": area.ci_low, "auc_ci_high": area.ci_high}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("score").reset_index()


@dataclass(frozen=True)
class Attrition(Result):
    """``counts`` (``occasion, n, pct_of_first``) and ``baseline`` (completers vs dropouts at
    the first occasion per ``score``: n, means, Hedges' g completers − dropouts, Mann–Whitney p)."""

    counts: pd.DataFrame
    baseline: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The ``counts`` table."""
        return self.counts


def attrition(data: pd.DataFrame, cols: Sequence[str], occasions: Sequence[str],
              id_col: str = "respondent_id", occasion_col: str = "occasion") -> Attrition:
    """Who stayed: respondents per occasion and a baseline comparison of completers vs dropouts.

    A completer has a row at the last of ``occasions``. Occasion labels outside
    ``occasions`` raise an error listing them, so no row disappears silently.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"respondent_id": list("aabc"), "occasion": ["baseline", "12m", "baseline", "baseline"],
    ...                      "s": [5, 6, 3, 4]})
    >>> attrition(long, ["s"], ("baseline", "12m")).counts["n"].tolist()
    [3, 1]
    """
    unknown = sorted(set(data[occasion_col].dropna()) - set(occasions))
    if unknown or data[occasion_col].isna().any():
        raise ValueError(f"attrition: column {occasion_col!r} has values {unknown or ['(missing)']} not in "
                         f"occasions {list(occasions)}")
    first, last = occasions[0], occasions[-1]
    seen = data.groupby(occasion_col)[id_col].nunique().reindex(list(occasions), fill_value=0)
    counts = pd.DataFrame({"occasion": list(occasions), "n": seen.to_numpy(),
                           "pct_of_first": (100 * seen / seen[first]).to_numpy()})
    base = data[data[occasion_col] == first].set_index(id_col)
    done = base.index.isin(data.loc[data[occasion_col] == last, id_col])
    rows = {}
    for c in cols:
        x = base.loc[done, c].astype(float).dropna().to_numpy()
        y = base.loc[~done, c].astype(float).dropna().to_numpy()
        g = hedges_g(x, y).estimate
        p = float(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue) if len(x) and len(y) else np.nan
        rows[c] = {"n_completers": len(x), "mean_completers": x.mean() if len(x) else np.nan,
                   "n_dropouts": len(y), "mean_dropouts": y.mean() if len(y) else np.nan,
                   "hedges_g": g, "p": p}
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("score").reset_index()
    return Attrition(counts=counts, baseline=table)
