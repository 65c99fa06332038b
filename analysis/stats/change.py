"""Change over time: paired change, reliable change, responsiveness, attrition, minimal
important change, repeated-measures ANOVA and a linear mixed model of change.

Within-person change of the pilot clients' 3X10D scores between readings (baseline, 6 and
12 months). Effect sizes follow Cumming (2012) and Lakens (2013); reliable change follows
Jacobson & Truax (1991); responsiveness follows de Vet et al. (2011, ch. 7: correlation with an
anchor and the area under the ROC curve); the minimal important change follows de Vet et al.
(2006, ROC) and Terluin et al. (2015, 2017, predictive and adjusted).

Own code for the paired tables, because the pieces exist in scipy (t, Wilcoxon, Mann–Whitney)
but no library gives the per-domain tables with g_av, SRM, RCI classification and goal
attainment that evaluation reports need; each formula is a few vectorised lines and is checked
against scipy, pingouin or a hand computation in ``tests/test_change.py``. Libraries where they
fit: :func:`mic` takes its ROC curve and AUC from scikit-learn, :func:`rm_anova` is pingouin's
``rm_anova`` and ``pairwise_tests``, :func:`mixed_change` fits with statsmodels' ``MixedLM``
and polishes its REML optimum (see there why); all three are checked against R
(``tests/test_change_mic.py``, ``tests/test_change_repeated.py``). The three libraries are
imported when these functions are first called.

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

from analysis.stats.checks import numeric_frame, require_columns, require_frame
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


def _per_column(value: float | Mapping[str, float], cols: pd.Index, name: str) -> pd.Series:
    if isinstance(value, Mapping):
        missing = [c for c in cols if c not in value]
        if missing:
            raise KeyError(f"{name} not given for column(s) {missing}")
        return pd.Series({c: float(value[c]) for c in cols})
    return pd.Series(float(value), index=cols)


def reliable_change(pre: pd.DataFrame, post: pd.DataFrame, sd: float | Mapping[str, float],
                    reliability: float | Mapping[str, float]) -> pd.DataFrame:
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
    n_not_improved, auc, auc_ci_low, auc_ci_high`` (DeLong interval, :func:`analysis.stats.effsize.auc`);
    ``attrs["methods"]`` names the correlation (Spearman).

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
    out = pd.DataFrame.from_dict(rows, orient="index").rename_axis("score").reset_index()
    out.attrs["methods"] = {"r": "spearman"}        # what ``r`` is, for a report's glossary
    return out


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


# ---------------------------------------------------------------------------------------------
# Minimal important change (anchor-based)
# ---------------------------------------------------------------------------------------------

#: Fewest clients the improved and the not-improved group may each have in :func:`mic`.
MIC_MIN_GROUP = 5


@dataclass(frozen=True)
class MinimalImportantChange(Result):
    """Anchor-based minimal important change by three methods (see :func:`mic`).

    ``estimates`` has one row per ``method`` (``roc``, ``predictive``, ``adjusted``): ``mic``,
    its bootstrap percentile interval ``ci_low, ci_high`` and ``share_at_least``, the share of
    the analysed clients whose change is at least that MIC. ``intercept`` and ``slope`` are C
    and B of the logistic regression, ``log_odds_pretest`` ln(p/(1 − p)) of the improved share,
    ``cor`` the point-biserial correlation of change with improved (0/1), ``sd_change`` the SD
    of change (n − 1). ``mic_roc_observed`` is the smallest observed change classified improved
    at the ROC cut-point; ``n_youden_ties`` how many cut-points share the best Youden index.
    """

    n: int
    n_improved: int
    n_not_improved: int
    n_missing: int
    n_excluded: int
    mic_roc: float
    mic_pred: float
    mic_adj: float
    mic_roc_observed: float
    sensitivity: float
    specificity: float
    n_youden_ties: int
    auc: float
    auc_ci_low: float
    auc_ci_high: float
    intercept: float
    slope: float
    se_intercept: float
    se_slope: float
    log_odds_pretest: float
    cor: float
    sd_change: float
    ci: float
    n_boot: int
    n_boot_used: int
    seed: int
    estimates: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The ``estimates`` table: ``method, mic, ci_low, ci_high, share_at_least``."""
        return self.estimates


def _separated(x: np.ndarray, y: np.ndarray) -> bool:
    """True when change separates the classes (completely or quasi-completely): no ML logit."""
    x1, x0 = x[y == 1], x[y == 0]
    return x0.max() <= x1.min() or x1.max() <= x0.min()


def _logit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, np.ndarray]:
    """ML logistic regression ``logit P(y = 1) = C + B x`` by Newton–Raphson: (C, B, cov)."""
    X = np.column_stack([np.ones_like(x), x])
    q = y.mean()
    beta = np.array([np.log(q / (1 - q)), 0.0])
    for _ in range(100):
        p = 1 / (1 + np.exp(-(X @ beta)))
        info = X.T @ (X * (p * (1 - p))[:, None])
        step = np.linalg.solve(info, X.T @ (y - p))
        beta = beta + step
        if np.max(np.abs(step)) <= 1e-13 * (1 + np.max(np.abs(beta))):
            break
    else:  # pragma: no cover - a non-separated data set converges in a handful of steps
        raise RuntimeError("mic: the logistic regression did not converge in 100 Newton steps")
    p = 1 / (1 + np.exp(-(X @ beta)))
    cov = np.linalg.inv(X.T @ (X * (p * (1 - p))[:, None]))
    return float(beta[0]), float(beta[1]), cov


def _best_cut(thr: np.ndarray, tp: np.ndarray, fp: np.ndarray, n1: int,
              n0: int) -> tuple[float, float, float, float, int]:
    """Youden-optimal cut from an ROC table (``thr`` decreasing, counts of ``x ≥ thr``).

    Returns (pROC-style cut-point midway below the smallest observed change classified
    improved, that observed change, sensitivity, specificity, number of tied cut-points).
    """
    score = tp * n0 - fp * n1            # n1·n0·(Youden J), exact in integers: ties are ties
    best = score.max()
    if best <= 0:
        return np.nan, np.nan, np.nan, np.nan, 0
    tied = np.flatnonzero(score == best)
    k = tied[-1]                          # thresholds decrease: the last tie is the smallest cut
    below = thr[k + 1] if k + 1 < len(thr) else -np.inf
    return (float((thr[k] + below) / 2), float(thr[k]), float(tp[k] / n1), float(1 - fp[k] / n0),
            len(tied))


def _youden(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float, int]:
    """Youden-optimal cut-point of ``change ≥ c`` ⇒ improved, from scikit-learn's ``roc_curve``."""
    from sklearn.metrics import roc_curve

    fpr, tpr, thr = roc_curve(y, x, drop_intermediate=False)
    n1, n0 = int(y.sum()), int(len(y) - y.sum())
    return _best_cut(thr, np.rint(tpr * n1), np.rint(fpr * n0), n1, n0)


def _youden_fast(x: np.ndarray, y: np.ndarray) -> float:
    """The cut-point of :func:`_youden` from the same ROC table built in numpy (as
    scikit-learn's ``_binary_clf_curve`` does) without its input checks, which cost ~20 times
    the arithmetic in a thousand bootstrap resamples. Tested equal to :func:`_youden`."""
    order = np.argsort(-x, kind="mergesort")
    xs, ys = x[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(xs)), len(xs) - 1]   # last row of each distinct value
    tp = np.cumsum(ys)[last].astype(float)
    fp = (last + 1) - tp
    n1 = int(y.sum())
    return _best_cut(xs[last], tp, fp, n1, len(y) - n1)[0]


def _mic_estimates(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(ROC, predictive, adjusted) MIC of change ``x`` for improved ``y`` (0/1)."""
    roc = _youden_fast(x, y)
    c, b, _ = _logit(x, y)
    if not b:                             # change carries no information: no predictive MIC
        return roc, np.nan, np.nan
    q = y.mean()
    lo = np.log(q / (1 - q))
    pred = (lo - c) / b
    adj = pred - (0.09 + 0.103 * np.corrcoef(x, y)[0, 1]) * x.std(ddof=1) * lo
    return roc, float(pred), float(adj)


def mic(data: pd.DataFrame, change: str, anchor: str, improved: Sequence, *,
        not_improved: Sequence | None = None, n_boot: int = 1000, seed: int = 0,
        ci: float = 0.95) -> MinimalImportantChange:
    """Anchor-based minimal important change: ROC, predictive and adjusted predictive MIC.

    Clients whose ``anchor`` answer is in ``improved`` are *improved* (1); the others are *not
    improved* (0) — or, when ``not_improved`` is given, only those answers, the rest being left
    out (``n_excluded``; e.g. leave out the deteriorated). Rows missing the change or the anchor
    are left out too (``n_missing``). Higher change is taken as improvement (negate a score
    where lower is better); an AUC below 0.5 or a negative ``slope`` means the change runs
    against the anchor, and the MICs then mean nothing.

    * **ROC** (de Vet et al. 2006; Youden 1950): the cut-point that maximises sensitivity +
      specificity − 1 for classifying ``change ≥ c`` as improved, from scikit-learn's
      ``roc_curve``. Convention of ``pROC::coords(roc(..., direction = "<"), "best")``: ``c``
      lies midway between the smallest observed change classified improved
      (``mic_roc_observed``) and the next lower observed change, so ``change ≥ mic_roc`` and
      ``change ≥ mic_roc_observed`` pick the same clients. Tied best cut-points
      (``n_youden_ties`` > 1): the smallest is taken. AUC by scikit-learn's ``roc_auc_score``
      with DeLong's interval (:func:`analysis.stats.effsize.auc`). Deliberate difference:
      when no cut-point beats chance (best Youden index ≤ 0, e.g. change running against
      the anchor, AUC < 0.5), pROC's ``coords("best")`` returns its trivial cut-points
      ``-Inf`` and ``Inf`` (two ties; at ``-Inf`` sensitivity 1, specificity 0, everyone
      "improved"); here ``mic_roc``, ``mic_roc_observed``, ``sensitivity`` and
      ``specificity`` are NaN and ``n_youden_ties`` is 0, since such a cut is no MIC.
    * **Predictive** (Terluin et al. 2015, *J Clin Epidemiol* 68, 1388–1396): from the
      logistic regression ``logit P(improved) = C + B·change``,
      ``MIC_pred = (ln(p/(1 − p)) − C) / B`` with ``p`` the improved share (the pretest odds).
    * **Adjusted** (Terluin et al. 2017, *J Clin Epidemiol* 83, 90–100):
      ``MIC_adj = MIC_pred − (0.090 + 0.103·cor)·SD_change·ln(p/(1 − p))``, with ``cor`` the
      Pearson (point-biserial) correlation of change with the improved indicator (0/1), as in
      the authors' R code (Eekhout's ``MIC`` package), and ``SD_change`` with n − 1.

    Each MIC gets a percentile interval (R's quantile type 7) over ``n_boot`` resamples of the
    clients (``numpy.random.default_rng(seed)``); a resample with one class only, whose
    change separates the classes (no ML logistic fit) or where some MIC is undefined (slope 0,
    no cut-point better than chance) is skipped (``n_boot_used`` counts the rest: in small
    samples many resamples may be skipped, which narrows the intervals).

    The logistic regression is fitted by Newton–Raphson here (a two-parameter model, fitted
    again in every resample; checked against R's ``glm`` to 1e-10) rather than by statsmodels,
    which would add its per-fit overhead a thousand times over.

    Parameters
    ----------
    data : DataFrame
        One row per client.
    change : str
        Column of change scores (numbers; NaN for missing).
    anchor : str
        Column of the anchor (transition question) answers.
    improved : sequence
        Anchor values that count as improved.
    not_improved : sequence, optional
        Anchor values that count as not improved (default: every other answer).
    n_boot : int
        Bootstrap resamples (0: no intervals for the MICs).
    seed : int
        Seed of the bootstrap.
    ci : float
        Confidence level of the intervals.

    Returns
    -------
    MinimalImportantChange

    Raises
    ------
    ValueError
        Fewer than 5 improved or not-improved clients (``MIC_MIN_GROUP``; one class only
        included), change scores that separate the classes, overlapping ``improved`` and
        ``not_improved``, a non-numeric change.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"change": [-2, -1, 0, 0, 1, 2, 1, 0, 1, 2, 2, 3, 4],
    ...                   "anchor": ["same"] * 7 + ["better"] * 6})
    >>> res = mic(d, "change", "anchor", improved=["better"], n_boot=200, seed=1)
    >>> res.mic_roc, res.mic_roc_observed, round(res.auc, 3)
    (1.5, 2.0, 0.833)
    >>> res.to_frame()[["method", "mic", "share_at_least"]].round(3).values.tolist()
    [['roc', 1.5, 0.385], ['predictive', 1.077, 0.385], ['adjusted', 1.115, 0.385]]
    """
    from sklearn.metrics import roc_auc_score

    what = "mic"
    values = numeric_frame(data, what, [change])[change]
    require_columns(data, [anchor], what)
    improved = list(improved)
    if not improved:
        raise ValueError(f"{what}: improved lists no anchor value")
    if not 0 < ci < 1:
        raise ValueError(f"{what}: ci must be between 0 and 1, got {ci!r}")
    if int(n_boot) != n_boot or n_boot < 0:
        raise ValueError(f"{what}: n_boot must be a whole number >= 0, got {n_boot!r}")
    answers = data[anchor]
    missing = values.isna() | answers.isna()
    is_improved = answers.isin(improved)
    if not_improved is None:
        keep = ~missing
    else:
        not_improved = list(not_improved)
        both = [v for v in not_improved if v in improved]
        if both:
            raise ValueError(f"{what}: anchor value(s) {both} are both improved and not improved")
        keep = ~missing & (is_improved | answers.isin(not_improved))
    x = values[keep].to_numpy(float)
    y = is_improved[keep].to_numpy(int)
    n1, n0 = int(y.sum()), int(len(y) - y.sum())
    if n1 < MIC_MIN_GROUP or n0 < MIC_MIN_GROUP:
        seen = sorted(map(str, answers.dropna().unique()))
        raise ValueError(f"{what}: {n1} improved and {n0} not improved clients with a change score; "
                         f"each group needs at least {MIC_MIN_GROUP} (improved = {improved}, "
                         f"not_improved = {not_improved}; column {anchor!r} holds {seen})")
    if _separated(x, y):
        raise ValueError(f"{what}: the change scores separate improved from not improved clients "
                         f"completely, so the logistic regression has no maximum-likelihood fit "
                         f"and the predictive MIC is undefined")
    c, b, cov = _logit(x, y)
    q = y.mean()
    lo = float(np.log(q / (1 - q)))
    r = float(np.corrcoef(x, y)[0, 1])
    sd = float(x.std(ddof=1))
    cut, observed, sens, spec, ties = _youden(x, y)
    point = (cut,) + _mic_estimates(x, y)[1:]
    area = roc_auc_score(y, x)
    delong = auc(x[y == 1], x[y == 0], ci)

    boot = np.full((int(n_boot), 3), np.nan)
    rng = np.random.default_rng(seed)
    for i in range(int(n_boot)):
        idx = rng.integers(0, len(x), len(x))
        xb, yb = x[idx], y[idx]
        if 0 < yb.sum() < len(yb) and not _separated(xb, yb):
            try:
                boot[i] = _mic_estimates(xb, yb)
            except (np.linalg.LinAlgError, RuntimeError):   # quasi-separated by rounding: no ML fit
                continue
    used = np.isfinite(boot).all(axis=1)
    tail = (1 - ci) / 2
    rows = []
    for j, method in enumerate(("roc", "predictive", "adjusted")):
        draws = boot[used, j]
        lo_ci, hi_ci = np.quantile(draws, [tail, 1 - tail]) if len(draws) else (np.nan, np.nan)
        rows.append({"method": method, "mic": point[j], "ci_low": float(lo_ci),
                     "ci_high": float(hi_ci),
                     "share_at_least": float(np.mean(x >= point[j])) if np.isfinite(point[j]) else np.nan})
    return MinimalImportantChange(
        n=len(x), n_improved=n1, n_not_improved=n0, n_missing=int(missing.sum()),
        n_excluded=int((~missing & ~keep).sum()), mic_roc=point[0], mic_pred=point[1],
        mic_adj=point[2], mic_roc_observed=observed, sensitivity=sens, specificity=spec,
        n_youden_ties=ties, auc=float(area), auc_ci_low=delong.ci_low, auc_ci_high=delong.ci_high,
        intercept=c, slope=b, se_intercept=float(np.sqrt(cov[0, 0])),
        se_slope=float(np.sqrt(cov[1, 1])), log_odds_pretest=lo, cor=r, sd_change=sd, ci=ci,
        n_boot=int(n_boot), n_boot_used=int(used.sum()), seed=seed, estimates=pd.DataFrame(rows))


# ---------------------------------------------------------------------------------------------
# Change over several occasions: repeated-measures ANOVA and a linear mixed model
# ---------------------------------------------------------------------------------------------

def _long_occasions(data: pd.DataFrame, dv: str, occasion: str, id: str,
                    occasions: Sequence | None, what: str) -> tuple[pd.DataFrame, list]:
    """Checked long data (``id``, ``occasion``, ``dv`` as float) and the occasions in order.

    Order: ``occasions`` if given, else the categories of a categorical column, else the
    sorted labels (as R's ``factor``). Every row must name a known occasion and an id; an id
    may have one row per occasion.
    """
    require_frame(data, what)
    require_columns(data, [dv, occasion, id], what)
    values = numeric_frame(data, what, [dv])[dv]
    labels = data[occasion]
    if occasions is None:
        if isinstance(labels.dtype, pd.CategoricalDtype):
            occasions = [c for c in labels.cat.categories if (labels == c).any()]
        else:
            occasions = sorted(labels.dropna().unique())
    occasions = list(occasions)
    if len(set(occasions)) != len(occasions):
        raise ValueError(f"{what}: occasions {occasions} name an occasion twice")
    problems = []
    unknown = labels.notna() & ~labels.isin(occasions)
    if unknown.any():
        problems.append(f"column {occasion!r} has value(s) {sorted(map(str, labels[unknown].unique()))} "
                        f"not in occasions {occasions} (rows {list(data.index[unknown][:10])})")
    for col in (occasion, id):
        gap = data[col].isna()
        if gap.any():
            problems.append(f"column {col!r} is empty in rows {list(data.index[gap][:10])}")
    dup = data.duplicated([id, occasion], keep=False) & data[id].notna() & labels.notna()
    if dup.any():
        problems.append(f"{id!r} × {occasion!r} repeated in rows {list(data.index[dup][:10])}")
    if problems:
        raise ValueError(f"{what}: " + "; ".join(problems))
    if len(occasions) < 2:
        raise ValueError(f"{what}: needs at least two occasions, got {occasions}")
    long = pd.DataFrame({"id": data[id].to_numpy(), "occasion": labels.to_numpy(),
                         "dv": values.to_numpy()})
    return long, occasions


@dataclass(frozen=True)
class RepeatedMeasuresAnova(Result):
    """One-way repeated-measures ANOVA over occasions (see :func:`rm_anova`).

    ``n`` persons with a value at every occasion were analysed; ``n_dropped`` persons (a
    missing occasion or value) were left out. ``F`` on ``df1, df2`` with ``p`` assuming
    sphericity; ``eps_gg`` Greenhouse–Geisser epsilon and ``p_gg`` the p on ``eps_gg·df1,
    eps_gg·df2``; ``mauchly_w``, ``mauchly_p`` Mauchly's test of sphericity; ``np2`` partial
    eta² ``SS_occasion / (SS_occasion + SS_error)``. With fewer persons than occasions
    (``n < n_occasions``) the contrasts' sums-of-squares matrix is singular, so Mauchly's W
    is 0 and its test does not exist: ``mauchly_w`` and ``mauchly_p`` are NaN (deliberate:
    R's ``mauchly.test`` then prints rounding noise, e.g. W = 7e-17, p = 9.7e-7, and
    ``car::Anova`` withholds the sphericity test and corrections); ``eps_gg`` is still the
    Greenhouse–Geisser estimate from the sample covariance. ``pairwise`` holds the paired t tests:
    ``occasion_a, occasion_b, n, t, df, p, p_holm, hedges_g`` (a before b in the declared order;
    t and g of a − b).
    """

    n: int
    n_dropped: int
    n_occasions: int
    F: float
    df1: float
    df2: float
    p: float
    eps_gg: float
    p_gg: float
    mauchly_w: float
    mauchly_p: float
    np2: float
    pairwise: pd.DataFrame


def rm_anova(data: pd.DataFrame, dv: str, occasion: str, id: str, *,
             occasions: Sequence | None = None) -> RepeatedMeasuresAnova:
    """Repeated-measures ANOVA of ``dv`` over occasions, with sphericity checks and pairwise tests.

    Complete cases only: a person missing an occasion, or with a missing value at one, is left
    out of every statistic (``n_dropped``; :func:`mixed_change` uses them all). Computed by
    ``pingouin.rm_anova(correction=True, detailed=True)`` — F, Greenhouse & Geisser (1959)
    epsilon, Mauchly's (1940) W — and ``pingouin.pairwise_tests(padjust="holm")``: paired t
    tests with Holm (1979) adjusted p. ``hedges_g`` is pingouin's paired Hedges' g:
    ``d_av = (mean_a − mean_b) / √((var_a + var_b)/2)`` times ``1 − 3/(4(n_a + n_b) − 9)``
    (the independent-samples correction; :func:`paired_change`'s ``g_av`` uses df = n − 1).
    Same values as R's ``aov(dv ~ occasion + Error(id/occasion))``, ``mauchly.test`` and
    ``pairwise.t.test(paired = TRUE, p.adjust.method = "holm")``.

    Parameters
    ----------
    data : DataFrame
        Long data: one row per person × occasion.
    dv : str
        The score column.
    occasion, id : str
        Columns naming the occasion and the person.
    occasions : sequence, optional
        The occasions in order (default: a categorical column's categories, else sorted labels:
        code-point order, R's ``factor`` order in the C locale; R in other locales sorts letters
        case-insensitively, and labels such as "0", "6", "12" sort as text in both, so pass
        the order). A label outside it is an error, never silently dropped.

    Returns
    -------
    RepeatedMeasuresAnova

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"id": list("aaabbbcccdddeee") + ["f"],
    ...                   "when": ["t0", "t1", "t2"] * 5 + ["t0"],
    ...                   "y": [3, 5, 6, 4, 4, 7, 2, 5, 4, 5, 6, 8, 3, 3, 5, 4]})
    >>> res = rm_anova(d, "y", "when", "id", occasions=["t0", "t1", "t2"])
    >>> res.n, res.n_dropped, res.df1, res.df2, round(res.F, 3), round(res.eps_gg, 3)
    (5, 1, 2.0, 8.0, 11.814, 0.594)
    >>> res.pairwise[["occasion_a", "occasion_b", "t", "p_holm"]].round(3).values.tolist()
    [['t0', 't1', -2.058, 0.216], ['t0', 't2', -10.614, 0.001], ['t1', 't2', -2.064, 0.216]]
    """
    import warnings

    import pingouin as pg

    what = "rm_anova"
    long, occasions = _long_occasions(data, dv, occasion, id, occasions, what)
    n_persons = long["id"].nunique()
    counts = long.dropna(subset=["dv"]).groupby("id")["occasion"].nunique()
    complete = counts.index[counts == len(occasions)]
    cc = long[long["id"].isin(complete)].copy()
    n = len(complete)
    if n < 3:
        raise ValueError(f"{what}: {n} person(s) have a value at every occasion {occasions}; "
                         f"need at least 3")
    cc["occasion"] = pd.Categorical(cc["occasion"], categories=occasions)
    with warnings.catch_warnings():  # pingouin's own use of deprecated pandas arguments
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        aov = pg.rm_anova(data=cc, dv="dv", within="occasion", subject="id", correction=True,
                          detailed=True, effsize="np2")
        pw = pg.pairwise_tests(data=cc, dv="dv", within="occasion", subject="id", padjust="holm",
                               effsize="hedges")
    aov.columns = [str(c).replace("-", "_") for c in aov.columns]
    row = aov.iloc[0]
    pw.columns = [str(c).replace("-", "_") for c in pw.columns]
    pairwise = pd.DataFrame({"occasion_a": pw["A"].astype(object), "occasion_b": pw["B"].astype(object),
                             "n": n, "t": pw["T"].astype(float), "df": pw["dof"].astype(float),
                             "p": pw["p_unc"].astype(float),
                             "p_holm": pw["p_corr" if "p_corr" in pw else "p_unc"].astype(float),
                             "hedges_g": pw["hedges"].astype(float)})
    order = {o: i for i, o in enumerate(occasions)}
    flip = pairwise["occasion_a"].map(order) > pairwise["occasion_b"].map(order)
    if flip.any():  # keep a before b in the declared order (t and g change sign)
        pairwise.loc[flip, ["occasion_a", "occasion_b"]] = pairwise.loc[flip, ["occasion_b", "occasion_a"]].to_numpy()
        pairwise.loc[flip, ["t", "hedges_g"]] *= -1
    k = len(occasions)
    two = k == 2  # one contrast: sphericity holds trivially
    # fewer persons than occasions: the k − 1 contrasts' SSD matrix is singular, W = 0 and
    # Mauchly's test does not exist (R's mauchly.test reports rounding noise, W ~ 1e-16)
    no_mauchly = not two and n < k
    return RepeatedMeasuresAnova(
        n=n, n_dropped=int(n_persons - n), n_occasions=k, F=float(row["F"]),
        df1=float(aov["DF"].iloc[0]), df2=float(aov["DF"].iloc[1]), p=float(row["p_unc"]),
        eps_gg=1.0 if two else float(row["eps"]), p_gg=float(row["p_unc"]) if two else float(row["p_GG_corr"]),
        mauchly_w=1.0 if two else np.nan if no_mauchly else float(row["W_spher"]),
        mauchly_p=1.0 if two else np.nan if no_mauchly else float(row["p_spher"]),
        np2=float(row["np2"]), pairwise=pairwise)


class _RemlProfile:
    """Profiled REML log-likelihood of ``y = Xβ + u_person + e`` as a function of
    θ = √(var_id / var_residual), in closed form: lme4's profiled REML criterion (Bates et al.
    2015, *J Stat Softw* 67(1)) for one random intercept, where |L_θ|² = Π(1 + n_i θ²).

    ``ℓ(θ) = −½[Σ log(1 + n_i θ²) + log|X′H⁻¹X| + (n − p)(1 + log(2π σ̂²))]``, H = I + θ²ZZ′,
    σ̂² = r′H⁻¹r/(n − p): lme4's REML ``logLik``. Each evaluation costs O(persons · p²).
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray):
        self.n, self.p = X.shape
        self.size = np.bincount(groups).astype(float)
        self.ybar = y.mean()
        yc = y - self.ybar                     # centred: the intercept absorbs the mean
        self.S = pd.DataFrame(X).groupby(groups).sum().to_numpy()
        self.sy = np.bincount(groups, weights=yc)
        self.XX, self.Xy, self.yy = X.T @ X, X.T @ yc, yc @ yc

    def solve(self, theta: float) -> tuple[float, np.ndarray, float, np.ndarray]:
        """(ℓ, β̂, σ̂², X′H⁻¹X) at θ."""
        w = theta ** 2 / (1 + self.size * theta ** 2)
        Sw = self.S * w[:, None]
        A = self.XX - Sw.T @ self.S
        b = self.Xy - Sw.T @ self.sy
        beta = np.linalg.solve(A, b)
        sigma2 = (self.yy - (w * self.sy ** 2).sum() - b @ beta) / (self.n - self.p)
        ll = -0.5 * (np.log1p(self.size * theta ** 2).sum() + np.linalg.slogdet(A)[1]
                     + (self.n - self.p) * (1 + np.log(2 * np.pi * sigma2)))
        beta = beta.copy()
        beta[0] += self.ybar
        return float(ll), beta, float(sigma2), A

    def maximise(self, start: float | None) -> tuple[float, bool]:
        """θ̂ on [0, upper]: a grid (with 0 and the start), then Brent between the best point's
        neighbours. Returns (θ̂, interior): ``interior`` False when the best is the upper end."""
        from scipy.optimize import minimize_scalar

        known = start if start is not None and np.isfinite(start) else None
        upper = max(10.0, 4 * known) if known is not None else 10.0
        while True:
            grid = np.unique(np.concatenate([[0.0], np.geomspace(1e-4, upper, 80),
                                             [known] if known is not None else []]))
            values = np.array([self.solve(t)[0] for t in grid])
            k = int(np.argmax(values))
            if k < len(grid) - 1:
                break
            if upper >= 1e6:                  # an intra-person correlation of 1 − 1e-12
                return float(grid[k]), False
            upper *= 100
        lo, hi = grid[max(k - 1, 0)], grid[k + 1]
        res = minimize_scalar(lambda t: -self.solve(t)[0], bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-12 * max(1.0, hi)})
        best = float(res.x) if -res.fun >= values[k] else float(grid[k])
        if self.solve(0.0)[0] >= self.solve(best)[0]:
            best = 0.0
        return best, True


@dataclass(frozen=True)
class MixedChange(Result):
    """Linear mixed model of a score over occasions (see :func:`mixed_change`).

    ``effects`` has one row per fixed effect: ``occasion, term, n, estimate, se, z, p, ci_low,
    ci_high`` — ``term`` is ``intercept`` (the model mean at the ``reference`` occasion) or
    ``difference`` (that occasion minus the reference); ``n`` the observations at that occasion.
    ``var_id`` and ``var_residual`` are the REML variance components (person intercept,
    residual); ``singular`` marks a person variance at the boundary (θ = √(var_id/var_residual)
    < 1e-4, lme4's ``isSingular`` rule). ``n_incomplete`` persons lack a value at some occasion
    and are kept; ``n_obs_dropped`` rows without a value were left out. ``converged``: the REML
    maximum was found (a fit where it was not raises instead); ``statsmodels_converged`` and
    ``polish_gain`` (REML log-likelihood gained over statsmodels' stopping point) say how far
    statsmodels' own optimiser got.
    """

    n_persons: int
    n_obs: int
    n_obs_dropped: int
    n_incomplete: int
    reference: object
    var_id: float
    var_residual: float
    reml_loglik: float
    converged: bool
    statsmodels_converged: bool
    polish_gain: float
    singular: bool
    ci: float
    effects: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The ``effects`` table."""
        return self.effects


def mixed_change(data: pd.DataFrame, dv: str, occasion: str, id: str, *,
                 occasions: Sequence | None = None, ci: float = 0.95) -> MixedChange:
    """Change over occasions by a linear mixed model that keeps persons with a missing occasion.

    ``dv = β₀ + Σ_k β_k·[occasion = k] + u_person + e`` with ``u ~ N(0, var_id)`` and
    ``e ~ N(0, var_residual)``, fitted by REML (Patterson & Thompson 1971); the first of
    ``occasions`` is the reference. Every observed value is used (valid when values are
    missing at random given the observed ones; Laird & Ware 1982), unlike :func:`rm_anova`'s
    complete cases. Same model as R's ``lme4::lmer(dv ~ occasion + (1 | id), REML = TRUE)``.

    statsmodels' ``MixedLM(...).fit(reml=True)`` fits the model; its estimate is then polished
    on the exact profiled REML likelihood, which for one random intercept is a closed-form
    function of θ = √(var_id/var_residual) alone (:class:`_RemlProfile`): a grid over θ
    (with 0 and statsmodels' θ) and Brent's method between the best point's neighbours. Why:
    statsmodels' gradient optimisers stop loosely (variance components ~3e-7 relative from
    lme4's tight optimum on the test data) and, at a boundary optimum (person variance 0), can
    stop away from it while reporting convergence (seen: 0.040 instead of 0, 1.8 REML
    log-likelihood units short). The polished θ is determined to about √ε relative (the
    likelihood is flat to second order), so fixed effects, SEs and variance components agree
    with a tight lme4 fit to ~1e-7 relative.

    Standard errors are lme4's: ``√diag(σ̂²(X′H⁻¹X)⁻¹)`` at the REML estimate (statsmodels'
    own ``bse_fe`` comes from its Hessian and differs at about 1e-5 relative). ``z`` is the
    Wald ratio (lme4's "t value"), with a normal p and interval; in small samples these are
    somewhat liberal (no Satterthwaite or Kenward–Roger degrees of freedom).

    Parameters
    ----------
    data : DataFrame
        Long data: one row per person × occasion.
    dv : str
        The score column (NaN for a missing value).
    occasion, id : str
        Columns naming the occasion and the person.
    occasions : sequence, optional
        The occasions in order, the first the reference (default: a categorical column's
        categories, else sorted labels, as R's ``factor`` in the C locale: see :func:`rm_anova`).
        A label outside it is an error.
    ci : float
        Confidence level of the Wald intervals.

    Returns
    -------
    MixedChange

    Raises
    ------
    ValueError
        An occasion without values; no person with two values (the two variances are then
        not separately identified); bad labels or duplicates.
    RuntimeError
        No REML maximum found (the person variance runs off to infinity).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"id": list("aaabbbcccdddee"),
    ...                   "when": ["t0", "t1", "t2"] * 4 + ["t0", "t2"],
    ...                   "y": [3, 5, 6, 4, 4, 7, 2, 5, 4, 5, 6, 8, 3, 5]})
    >>> res = mixed_change(d, "y", "when", "id", occasions=["t0", "t1", "t2"])
    >>> res.n_persons, res.n_obs, res.n_incomplete, res.converged
    (5, 14, 1, True)
    >>> res.to_frame()[["occasion", "term", "estimate"]].round(3).values.tolist()
    [['t0', 'intercept', 3.4], ['t1', 'difference', 1.478], ['t2', 'difference', 2.6]]
    """
    import warnings

    import statsmodels.api as sm

    what = "mixed_change"
    if not 0 < ci < 1:
        raise ValueError(f"{what}: ci must be between 0 and 1, got {ci!r}")
    long, occasions = _long_occasions(data, dv, occasion, id, occasions, what)
    obs = long.dropna(subset=["dv"]).reset_index(drop=True)
    n_at = obs["occasion"].value_counts().reindex(occasions, fill_value=0)
    if (n_at == 0).any():
        raise ValueError(f"{what}: no value at occasion(s) {list(n_at.index[n_at == 0])}")
    X = np.column_stack([np.ones(len(obs))] + [(obs["occasion"] == o).to_numpy(float)
                                              for o in occasions[1:]])
    y = obs["dv"].to_numpy(float)
    groups = pd.factorize(obs["id"])[0]
    if np.bincount(groups).max() < 2:
        raise ValueError(f"{what}: no person has values at two occasions; the person and the "
                         f"residual variance cannot be told apart")
    start, sm_converged, sm_loglik = None, False, -np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")    # statsmodels' warnings: its result is checked below
        try:
            fit = sm.MixedLM(y, X, groups=groups).fit(reml=True)
            tau0, scale0 = float(np.asarray(fit.cov_re)[0, 0]), float(fit.scale)
            start = np.sqrt(max(tau0, 0.0) / scale0)
            sm_converged, sm_loglik = bool(fit.converged), float(fit.llf)
        except (np.linalg.LinAlgError, ValueError):
            pass
    profile = _RemlProfile(X, y, groups)
    theta, interior = profile.maximise(start)
    if not interior:
        raise RuntimeError(f"{what}: no REML maximum: the person variance grows without bound "
                           f"(θ ≥ {theta:.3g}); the residual variance is about zero")
    loglik, est, sigma2, info = profile.solve(theta)
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(info)))
    z = est / se
    q = stats.norm.ppf(0.5 + ci / 2)
    effects = pd.DataFrame({"occasion": list(occasions),
                            "term": ["intercept"] + ["difference"] * (len(occasions) - 1),
                            "n": n_at.to_numpy(), "estimate": est, "se": se, "z": z,
                            "p": 2 * stats.norm.sf(np.abs(z)),
                            "ci_low": est - q * se, "ci_high": est + q * se})
    complete = obs.groupby("id")["occasion"].nunique() == len(occasions)
    return MixedChange(
        n_persons=int(obs["id"].nunique()), n_obs=len(obs), n_obs_dropped=len(long) - len(obs),
        n_incomplete=int((~complete).sum()), reference=occasions[0], var_id=theta ** 2 * sigma2,
        var_residual=sigma2, reml_loglik=loglik, converged=True,
        statsmodels_converged=sm_converged, polish_gain=float(loglik - sm_loglik),
        singular=bool(theta < 1e-4), ci=ci, effects=effects)
