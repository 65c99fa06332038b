"""Reliability: Cronbach's alpha, McDonald's omega, intraclass correlations, SEM and SDC.

Why own code: researchers compare these numbers with R's ``psych::alpha``,
``semTools::compRelSEM`` and ``psych::ICC``. pingouin's ``cronbach_alpha`` gives alpha and
Feldt's interval but no item table and no vectorised bootstrap; pingouin's ``intraclass_corr``
uses its own labels and interval formulas for ICC2/ICC2k. The formulas here follow psych's
source line by line (documented per function) and every number is tested against committed
R output (``tests/r/reliability.R`` → ``tests/fixtures/r/reliability.json``). Omega uses the
project's CFA engine (:func:`analysis.stats.sem.cfa`) for the factor model.

Examples
--------
>>> import pandas as pd
>>> from analysis.stats.reliability import cronbach_alpha, icc
>>> x = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
>>> round(cronbach_alpha(x).alpha, 4)
0.9538
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Literal, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis.stats._factoring import FaMethod, check_fa_args, correlation, fa, oblimin
from analysis.stats._sem_bootstrap import bca_interval
from analysis.stats._sem_engine import Model, make_sample
from analysis.stats._sem_ordinal import OrdinalModel
from analysis.stats._sem_partable import observed_variables
from analysis.stats.checks import numeric_frame
from analysis.stats.display import Summary, alpha_summary, icc_summary, omega_summary
from analysis.stats.lavaan_syntax import parse_model
from analysis.stats.notices import warn
from analysis.stats.polychoric import MISSING, Missing, bvn_cdf, polychoric
from analysis.stats.results import Result
from analysis.stats.sem import CFAResult, Estimator, cfa

__all__ = [
    "AlphaCI",
    "IccMethod",
    "IccType",
    "AlphaResult",
    "BifactorResult",
    "BifactorScale",
    "ICCResult",
    "OmegaResult",
    "OmegaSLResult",
    "bifactor_indices",
    "cronbach_alpha",
    "omega",
    "omega_sl",
    "ordinal_alpha",
    "icc",
    "sem_from_icc",
    "sdc",
]

#: Bootstrap intervals of :func:`omega`: percentile or BCa.
OmegaCI = Literal["bootstrap", "bca"]
OMEGA_CIS: tuple[OmegaCI, ...] = ("bootstrap", "bca")
#: Intervals of :func:`cronbach_alpha`: Feldt's F-based or the percentile bootstrap.
AlphaCI = Literal["feldt", "bootstrap"]
ALPHA_CIS: tuple[AlphaCI, ...] = ("feldt", "bootstrap")
#: Mean squares of :func:`icc`: two-way ANOVA on complete subjects or REML variance components.
IccMethod = Literal["anova", "reml"]
ICC_METHODS: tuple[IccMethod, ...] = ("anova", "reml")
#: Shrout & Fleiss's ICC types, the rows of :attr:`ICCResult.table`.
IccType = Literal["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]


@dataclass(frozen=True)
class AlphaResult(Result):
    """Cronbach's alpha with its interval and item table, as ``psych::alpha``.

    ``n`` is the number of rows the interval uses (see :func:`cronbach_alpha`); ``items``
    has one row per item: ``item``, ``n`` (answers), ``item_rest_r`` (corrected item-total
    correlation, psych's ``r.drop``), ``alpha_if_dropped`` and ``std_alpha_if_dropped``.
    ``to_frame()`` gives the scalars as one row.

    The rest of psych's ``alpha``: ``g6_smc`` … ``median_r`` are the scale's ``G6(smc)``,
    ``average_r``, ``S/N``, ``ase`` (Duhachek's standard error), ``mean``, ``sd`` (of the
    total score, the mean of the answered items) and ``median_r``; ``item_stats`` psych's
    ``item.stats`` beyond ``items``: ``item``, ``raw_r`` (``raw.r``: the item with the total
    score), ``std_r`` (``std.r``), ``r_cor`` (``r.cor``: corrected for overlap, smc on the
    diagonal), ``mean``, ``sd``; ``alpha_drop`` psych's ``alpha.drop`` beyond ``items``:
    ``item``, ``g6_smc``, ``average_r``, ``signal_noise``, ``alpha_se``, ``var_r``,
    ``med_r`` of the scale without the item; ``response_freq`` psych's "Non missing
    response frequency for each item": ``item``, one column per answer value, ``miss``
    (empty when an item has more than 10 categories).
    """

    alpha: float
    std_alpha: float
    ci_low: float
    ci_high: float
    ci_level: float
    ci_method: AlphaCI | Literal["none"]
    missing: Missing
    n: int
    n_items: int
    items: pd.DataFrame
    g6_smc: float
    average_r: float
    signal_noise: float
    ase: float
    mean: float
    sd: float
    median_r: float
    item_stats: pd.DataFrame
    alpha_drop: pd.DataFrame
    response_freq: pd.DataFrame

    def summary(self, digits: int = 2) -> Summary:
        """psych's ``print(alpha(x))``: "Reliability analysis", the confidence boundaries,
        "Reliability if an item is dropped:" and "Item statistics".

        >>> from analysis import datasets
        >>> hs = datasets.load("holzinger_swineford_1939")
        >>> print(cronbach_alpha(hs[["x4", "x5", "x6"]]).summary())  # doctest: +ELLIPSIS
        <BLANKLINE>
        Reliability analysis
        ...
          raw_alpha std.alpha G6(smc) average_r S/N   ase mean  sd median_r
              0.88      0.88    0.84      0.72 7.7 0.011  3.2 1.1     0.72
        ...
        """
        return alpha_summary(self, digits)


@dataclass(frozen=True)
class OmegaResult(Result):
    """Model-based composite reliability (see :func:`omega`).

    ``per_factor`` has one row per factor: ``factor``, ``omega`` (of the factor's indicator
    sum; semTools' per-factor values), then one row per requested higher-order factor.
    ``to_frame()`` gives the scalars as one row. ``omega_hierarchical`` is the general
    factor's share for a bifactor model, else NaN. ``n`` is the number of complete rows the
    model was fitted to; ``n_dropped`` the rows left out because an item was missing
    (lavaan's listwise default). ``estimator`` is ``"ML"`` or ``"WLSMV"`` (ordered items:
    categorical omega).
    """

    omega_total: float
    omega_hierarchical: float
    per_factor: pd.DataFrame
    model: str
    n: int
    n_dropped: int
    estimator: Estimator = "ML"
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    hierarchical_ci_low: float = float("nan")
    hierarchical_ci_high: float = float("nan")
    ci_level: float = float("nan")
    ci_method: OmegaCI | Literal["none"] = "none"
    n_boot_failed: int = 0

    def summary(self, digits: int = 2) -> Summary:
        """Omega total (and hierarchical) and the omega of each factor, as text."""
        return omega_summary(self, digits)


def _alpha_from_cov(cov: np.ndarray) -> np.ndarray:
    """Raw alpha ``k/(k-1) * (1 - tr(C)/sum(C))`` for one matrix or a stack ``(..., k, k)``."""
    k = cov.shape[-1]
    trace = np.trace(cov, axis1=-2, axis2=-1)
    total = cov.sum(axis=(-2, -1))
    return (1.0 - trace / total) * k / (k - 1)


def _cov_to_cor(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    return cov / sd[..., :, None] / sd[..., None, :]


def _bootstrap_alpha(x: np.ndarray, n_boot: int, rng: np.random.Generator,
                     chunk: int) -> np.ndarray:
    """Raw alpha of ``n_boot`` row resamples, as psych::alpha(n.iter=) but vectorised.

    A resample is represented by its row multiplicities ``w`` (counts of each row), so all
    sums over a resample are matrix products ``W @ (per-row terms)``. Complete data: alpha
    needs only the item variances and the variance of the total score, from the weighted
    sums of ``x_j``, ``x_j^2``, ``t`` and ``t^2``. With missing answers, the pairwise
    covariance of resample b is built from ``N_jk = sum_i w_bi m_ij m_ik``,
    ``S_j|k = sum_i w_bi x_ij m_ik`` and ``P_jk = sum_i w_bi x_ij x_ik`` (``m`` = answered
    indicator). Both equal ``cov(x[idx], use="pairwise")`` of the resampled rows.
    """
    n, k = x.shape
    observed = ~np.isnan(x)
    xz = np.where(observed, x, 0.0)
    complete = bool(observed.all())
    if complete:
        total = xz.sum(axis=1, keepdims=True)
        terms = np.hstack([xz, xz**2, total, total**2])
    else:
        m = observed.astype(float)
        terms = np.hstack([(xz[:, :, None] * xz[:, None, :]).reshape(n, k * k),
                           (m[:, :, None] * m[:, None, :]).reshape(n, k * k),
                           (xz[:, :, None] * m[:, None, :]).reshape(n, k * k)])
    alphas = np.empty(n_boot)
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        idx = rng.integers(0, n, size=(b, n))
        w = np.bincount((idx + n * np.arange(b)[:, None]).ravel(),
                        minlength=b * n).reshape(b, n).astype(float)
        sums = w @ terms
        if complete:
            s1, s2 = sums[:, :k], sums[:, k:2 * k]
            item_var = ((s2 - s1**2 / n) / (n - 1)).sum(axis=1)
            total_var = (sums[:, -1] - sums[:, -2] ** 2 / n) / (n - 1)
            alphas[start:start + b] = (1.0 - item_var / total_var) * k / (k - 1)
        else:
            cross, npair, sj = (sums[:, i * k * k:(i + 1) * k * k].reshape(b, k, k)
                                for i in range(3))
            # sj[b, j, l]: sum of x_j over the rows answering l
            cov = (cross - sj * sj.transpose(0, 2, 1) / npair) / (npair - 1)
            alphas[start:start + b] = _alpha_from_cov(cov)
    return alphas


def _smc(cor: np.ndarray) -> np.ndarray:
    """psych's ``smc``: squared multiple correlations ``1 - 1/diag(R⁺)`` (``Pinv``: singular
    values below sqrt(eps) times the largest left out), kept within [0, 1]."""
    inv = np.linalg.pinv(cor, rtol=np.sqrt(np.finfo(float).eps), hermitian=True)
    return np.clip(1.0 - 1.0 / np.diag(inv), 0.0, 1.0)


#: The statistics of psych's ``alpha.1`` in its order (the scale's and each "if dropped").
ALPHA_1 = ("raw", "std", "g6", "average_r", "signal_noise", "se", "var_r", "med_r")


def _alpha_1(cov: np.ndarray, n_obs: int | None) -> np.ndarray:
    """psych's ``alpha.1(C, R)``: raw and standardised alpha, Guttman's lambda 6 from the
    smc, the mean inter-item correlation, S/N = k r/(1 - r), Duhachek's standard error
    sqrt(Q/n) with Q = 2k²/((k-1)² S³)·[S(tr C² + (tr C)²) - 2 tr C·1'C²1], S = 1'C1
    (NaN without ``n_obs``), and the variance and median of the correlations."""
    k = cov.shape[0]
    cor = _cov_to_cor(cov)
    total, tr, sum_r = cov.sum(), np.trace(cov), cor.sum()
    av_r = (sum_r - k) / (k * (k - 1))
    r = cor[np.tril_indices(k, -1)]
    cc = cov @ cov
    q = (2 * k ** 2 / ((k - 1) ** 2 * total ** 3)) * (total * (np.trace(cc) + tr ** 2)
                                                      - 2 * tr * cc.sum())
    with np.errstate(divide="ignore", invalid="ignore"):      # psych's Inf/NaN, without warnings
        return np.array([_alpha_from_cov(cov), (1 - k / sum_r) * k / (k - 1),
                         1 - (k - _smc(cor).sum()) / sum_r, av_r, k * av_r / (1 - av_r),
                         np.sqrt(q / n_obs) if n_obs else np.nan,
                         np.var(r, ddof=1) if len(r) > 1 else np.nan, np.median(r)])


def _alpha_and_items(cov: np.ndarray, data: pd.DataFrame, n_obs: int | None
                     ) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """psych's ``alpha`` of a covariance matrix of ``data``: the scale's :data:`ALPHA_1`
    statistics, the item table (``n``, r.drop, alpha if dropped), std.r and r.cor
    (:attr:`AlphaResult.item_stats`) and the rest of the drop table
    (:attr:`AlphaResult.alpha_drop`). ``n_obs`` rows give the standard errors (None for a
    correlation matrix: none)."""
    k = cov.shape[0]
    cor = _cov_to_cor(cov)
    keep = ~np.eye(k, dtype=bool)
    diag = np.diag(cov)
    rest_cov = cov.sum(axis=0) - diag
    sub_cov = np.stack([cov[np.ix_(keep[i], keep[i])] for i in range(k)])
    item_rest_r = rest_cov / np.sqrt(diag * sub_cov.sum(axis=(1, 2)))
    if k > 2:
        dropped = np.stack([_alpha_1(c, n_obs if n_obs and n_obs > k else None) for c in sub_cov])
    else:                              # psych's two-item rows: C12/C22 (C12/C11), r12, …
        r12, smc1 = cor[0, 1], _smc(cor)[0]
        dropped = np.array([[cov[0, 1] / cov[1 - i, 1 - i], r12, smc1, r12, r12 / (1 - r12),
                             np.nan, 0.0, r12] for i in range(2)])
    if (item_rest_r < 0).any():
        warn("negative_items", "items {items} correlate negatively with the rest of the scale; reverse-key "
             "them if that is intended (psych::alpha gives the same advice)", stacklevel=3,
             items=list(data.columns[item_rest_r < 0]))
    rc = cor.copy()
    np.fill_diagonal(rc, _smc(cor))
    table = pd.DataFrame({"item": data.columns, "n": data.notna().sum().to_numpy(),
                          "item_rest_r": item_rest_r, "alpha_if_dropped": dropped[:, 0],
                          "std_alpha_if_dropped": dropped[:, 1]})
    item_stats = pd.DataFrame({"item": data.columns, "raw_r": np.nan,
                               "std_r": cor.sum(axis=0) / np.sqrt(cor.sum()),
                               "r_cor": rc.sum(axis=0) / np.sqrt(rc.sum()),
                               "mean": np.nan, "sd": np.nan})
    alpha_drop = pd.DataFrame({"item": data.columns})
    for j, name in enumerate(ALPHA_1[2:], 2):
        alpha_drop["g6_smc" if name == "g6" else "alpha_se" if name == "se" else name] = \
            dropped[:, j]
    return _alpha_1(cov, n_obs), table, item_stats, alpha_drop


def response_frequencies(data: pd.DataFrame, max_categories: int = 10) -> pd.DataFrame:
    """psych's ``response.frequencies``: each item's share of every answer value among its
    answers, and ``miss`` the share of rows without an answer. Items spanning more than
    ``max_categories`` values are left out; no table (an empty frame) when the items share
    more than ``max_categories`` distinct values (a missing answer counting as one).

    >>> response_frequencies(pd.DataFrame({"a": [1, 2, 2, None], "b": [1, 1, 2, 2]}))
      item    1     2  miss
    0    a  0.333333  0.666667  0.25
    1    b  0.500000  0.500000  0.00
    """
    span = data.max() - data.min()
    items = data.loc[:, span < max_categories + 1]
    distinct = pd.unique(items.to_numpy().ravel())
    if items.empty or (span > max_categories).all() or len(distinct) > max_categories:
        return pd.DataFrame()
    values = np.sort(distinct[~pd.isna(distinct)])
    answers = items.notna().sum()
    table = pd.DataFrame({"item": items.columns})
    for v in values:
        table[f"{v:.15g}"] = ((items == v).sum() / answers).to_numpy()
    table["miss"] = (1 - answers / len(items)).to_numpy()
    return table


def cronbach_alpha(data: pd.DataFrame, *, missing: Missing = "pairwise", ci: float = 0.95,
                   ci_method: AlphaCI = "feldt", n_boot: int = 2000,
                   seed: int | None = None) -> AlphaResult:
    """Cronbach's alpha with Feldt or percentile-bootstrap interval, as ``psych::alpha``.

    Raw alpha is ``k/(k-1) * (1 - tr(C)/sum(C))`` and standardised alpha
    ``k/(k-1) * (1 - k/sum(R))`` with ``C`` the item covariance matrix and ``R = cov2cor(C)``
    (Cronbach 1951). Reverse-key items before calling (``analysis.scoring``).

    Parameters
    ----------
    data : DataFrame
        One column per item, one row per respondent, NaN for a missing answer.
    missing : {"pairwise", "listwise"}
        ``"pairwise"`` (psych's default ``use="pairwise"``): each covariance uses the rows
        answering both items; ``n`` is the number of rows given, as psych uses for Feldt's
        interval. ``"listwise"``: rows with any missing item are removed first (equal to
        ``psych::alpha(na.omit(x))``); ``n`` is the number of complete rows. No row is
        dropped silently: ``n`` and ``items["n"]`` report what was used.
    ci : float
        Confidence level.
    ci_method : {"feldt", "bootstrap"}
        Feldt, Woodruff & Salih (1987): ``1 - (1 - alpha) * F_q(n - 1, (n - 1)(k - 1))``, as
        ``psych::alpha.ci`` and ``pingouin.cronbach_alpha``. ``"bootstrap"``: percentile
        interval (R's quantile type 7) of raw alpha over ``n_boot`` row resamples, each
        using the same missing-data rule, as ``psych::alpha(n.iter=)``.
    n_boot : int
        Number of bootstrap resamples.
    seed : int or None
        Seed of ``numpy.random.default_rng`` for the bootstrap.

    Returns
    -------
    AlphaResult
        ``items["item_rest_r"]`` is psych's ``r.drop``:
        ``(sum_j C_ij - C_ii) / sqrt(C_ii * sum(C[-i, -i]))``; ``alpha_if_dropped`` is raw
        alpha of the other items (for a two-item scale psych's C12/C22 and C12/C11).
        psych's other numbers: see :class:`AlphaResult`.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> r = cronbach_alpha(x)
    >>> round(r.alpha, 4), round(r.std_alpha, 4), round(r.ci_low, 3)
    (0.9538, 0.9578, 0.766)
    """
    if missing not in MISSING:
        raise ValueError(f"missing must be 'pairwise' or 'listwise', got {missing!r}")
    if ci_method not in ALPHA_CIS:
        raise ValueError(f"ci_method must be 'feldt' or 'bootstrap', got {ci_method!r}")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, got {ci!r}")
    values = numeric_frame(data, "cronbach_alpha", min_columns=2)
    if missing == "listwise":
        values = values.dropna()
    n, k = values.shape
    cov_df = values.cov()  # pandas: pairwise-complete, divisor N_jk - 1, as R's cov(use=)
    bad = [c for c, var in zip(values.columns, np.diag(cov_df.to_numpy())) if not var > 0]
    if bad:
        raise ValueError(f"items {bad} have no variance (or fewer than two answers) in the "
                         f"{missing} data; expected variance > 0")
    if cov_df.isna().to_numpy().any():
        raise ValueError("some item pairs have fewer than two rows answering both; "
                         "pairwise covariance is undefined")
    stat, table, item_stats, alpha_drop = _alpha_and_items(cov_df.to_numpy(), values, n)
    alpha = float(stat[0])
    total = values.mean(axis=1)          # psych's score: the mean of the answered items
    item_stats["raw_r"] = values.corrwith(total).to_numpy()
    item_stats["mean"], item_stats["sd"] = values.mean().to_numpy(), values.std().to_numpy()

    tail = (1.0 - ci) / 2.0
    if ci_method == "feldt":
        df1, df2 = n - 1, (n - 1) * (k - 1)
        ci_low = 1.0 - (1.0 - alpha) * stats.f.ppf(1.0 - tail, df1, df2)
        ci_high = 1.0 - (1.0 - alpha) * stats.f.ppf(tail, df1, df2)
    else:
        boot = _bootstrap_alpha(values.to_numpy(), n_boot, np.random.default_rng(seed),
                                chunk=max(1, min(n_boot, 2_000_000 // max(n, 1))))
        ci_low, ci_high = np.quantile(boot, [tail, 1.0 - tail])
    return AlphaResult(alpha=alpha, std_alpha=float(stat[1]), ci_low=float(ci_low),
                       ci_high=float(ci_high), ci_level=ci, ci_method=ci_method,
                       missing=missing, n=n, n_items=k, items=table, g6_smc=float(stat[2]),
                       average_r=float(stat[3]), signal_noise=float(stat[4]),
                       ase=float(stat[5]), mean=float(total.mean()), sd=float(total.std()),
                       median_r=float(stat[7]), item_stats=item_stats, alpha_drop=alpha_drop,
                       response_freq=response_frequencies(values))


def ordinal_alpha(data: pd.DataFrame, *, missing: Missing = "pairwise") -> AlphaResult:
    """Ordinal alpha: Cronbach's alpha of the polychoric correlation matrix.

    Zumbo, Gadermann & Zeisser (2007): for Likert-type items, alpha computed from the
    polychoric correlations (:func:`analysis.stats.polychoric.polychoric`) estimates the
    reliability of the latent continuous responses; it equals
    ``psych::alpha(psych::polychoric(x)$rho)``. On a correlation matrix raw and
    standardised alpha coincide; the item table is psych's (``item_rest_r`` = ``r.drop``
    on the polychoric matrix). No interval: psych gives none for a matrix, and Feldt's
    interval assumes Pearson-based alpha (``ci_low``/``ci_high`` are NaN, ``ci_method``
    ``"none"``).

    Parameters
    ----------
    data : DataFrame
        Ordinal items (reverse-key first), NaN = missing.
    missing : {"pairwise", "listwise"}
        Passed to :func:`~analysis.stats.polychoric.polychoric`.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import datasets
    >>> x = datasets.load("ordinal_skewed")
    >>> round(ordinal_alpha(x[["q1", "q2", "q3", "q4", "q5"]]).alpha, 3)
    0.788
    """
    pc = polychoric(data, missing=missing)
    used = data if missing == "pairwise" else data.dropna()
    stat, table, item_stats, alpha_drop = _alpha_and_items(pc.matrix(), used[pc.items], None)
    return AlphaResult(alpha=float(stat[0]), std_alpha=float(stat[1]), ci_low=float("nan"),
                       ci_high=float("nan"), ci_level=float("nan"), ci_method="none",
                       missing=missing, n=len(used), n_items=len(pc.items), items=table,
                       g6_smc=float(stat[2]), average_r=float(stat[3]),
                       signal_noise=float(stat[4]), ase=np.nan, mean=np.nan, sd=np.nan,
                       median_r=float(stat[7]), item_stats=item_stats, alpha_drop=alpha_drop,
                       response_freq=pd.DataFrame())


def _omega_categorical(common: np.ndarray, thresholds: list[np.ndarray], scales: np.ndarray,
                       sigma: np.ndarray) -> float:
    """Green & Yang's (2009) reliability of the sum of ordered items, as semTools' omegaCat.

    With item thresholds ``t_jc`` (times the scaling factor), ``S_j = sum_c Phi(t_jc)`` and
    ``P(r) = sum_jj' sum_cc' Phi2(t_jc, t_j'c'; r_jj') - S_j S_j'``: omega =
    P(common (co)variances of the latent responses) / P(their total correlations), the
    diagonal included (``Phi2`` at correlation 1 is ``Phi(min)``).
    """
    k = max(len(t) for t in thresholds)
    tau = np.full((len(thresholds), k), np.nan)
    for j, t in enumerate(thresholds):
        tau[j, : len(t)] = t * scales[j]
    d = np.sqrt(np.diag(sigma))
    h, kk = tau[:, None, :, None], tau[None, :, None, :]
    shape = np.broadcast_shapes(h.shape, kk.shape)
    ok = np.broadcast_to(~np.isnan(h) & ~np.isnan(kk), shape)
    hh, kb = np.broadcast_to(h, shape)[ok], np.broadcast_to(kk, shape)[ok]
    margins = np.nansum(stats.norm.cdf(tau), axis=1)
    outer = np.outer(margins, margins).sum()

    def part(r: np.ndarray) -> float:
        rr = np.clip(np.broadcast_to(r[:, :, None, None], shape)[ok], -1.0, 1.0)
        return float(bvn_cdf(hh, kb, rr).sum() - outer)

    truevar = scales[:, None] * common * scales[None, :]
    return part(truevar) / part(sigma / np.outer(d, d))


def omega(data: pd.DataFrame, model: str | None = None, *,
          ordered: bool | Iterable[str] | None = None,
          higher: Sequence[str] = (), std_lv: bool = False,
          orthogonal: bool = False, ci: OmegaCI | None = None, n_boot: int = 1000,
          level: float = 0.95, seed: int = 2023) -> OmegaResult:
    """McDonald's omega from a confirmatory factor model, as ``semTools::compRelSEM``.

    Continuous items (ML): for a factor f with loadings ``l`` and variance ``phi_f`` (its
    model-implied variance, which for a factor of a higher-order model includes the part
    explained by the higher factor), ``omega_f = phi_f (sum l)^2 / sum(S_f)`` where ``S_f``
    is the *observed* covariance matrix of f's indicators (compRelSEM's default
    ``obs.var=TRUE``; ML divisor N). ``omega_total`` is ``sum(L Phi L') / sum(S)`` over all
    indicators (compRelSEM's ``return.total=TRUE``; equals the single factor's omega for a
    one-factor model). Factors with a single indicator are left out (``dropSingle``).

    Ordered items (``ordered=``; the model is fitted by WLSMV): the categorical omega of
    Green & Yang (2009), compRelSEM's default ``ord.scale=TRUE``: the share of the variance
    of the *observed* sum score that the factor explains, computed from the model's
    thresholds, the common (co)variances of the latent responses and the sample polychoric
    correlations (semTools' ``omegaCat``). ``omega_total`` and higher-order omegas use the
    same formula with the whole common covariance matrix (semTools 0.5.6 stops with an
    error for these two with ordered items; the tests compare with its ``omegaCat``
    applied to that matrix).

    Higher-order factors (``higher``, as ``compRelSEM(fit, higher = )``): the omega of
    the higher-order factor is ``sum(L B Phi B' L') / sum(S)`` over the indicators of its
    first-order factors (``B`` the second-order loadings): the share of the total score's
    variance due to the higher-order factor alone (omega-L1 / omega-hierarchical of a
    higher-order model). Added as a row of ``per_factor``.

    For a bifactor model, the general factor is the factor loading on every indicator
    and uncorrelated with the others; ``omega_hierarchical`` is its per-factor omega
    (McDonald 1999; Rodriguez, Reise & Haviland 2016).

    Parameters
    ----------
    data : DataFrame
        Columns holding the model's indicators (others are ignored; NaN = missing). Rows
        with a missing indicator are left out, as lavaan's default listwise ML and WLSMV;
        the count is reported in ``n_dropped``.
    model : str, optional
        lavaan syntax. Default: one factor ``f =~ item1 + item2 + ...`` over all columns.
    ordered : True or list of str, optional
        The items are ordered categories: fit by WLSMV (:func:`analysis.stats.sem.cfa`)
        and report categorical omega.
    higher : sequence of str
        Higher-order factors whose omega to add (``compRelSEM(higher=)``).
    std_lv, orthogonal : bool
        Passed to :func:`analysis.stats.sem.cfa` (e.g. a bifactor model with unit factor
        variances and uncorrelated factors).
    ci : {"bootstrap", "bca"}, optional
        Bootstrap interval of ``omega_total`` (``ci_low``, ``ci_high``) and of
        ``omega_hierarchical`` (``hierarchical_ci_*``): the complete rows resampled
        ``n_boot`` times and omega recomputed (the model refitted; for an ML fit from the
        full-sample estimates, as :func:`analysis.stats.sem.bootstrap_fit`) for each; ``"bootstrap"``
        the percentile interval (R's quantile type 7), ``"bca"`` Efron's (1987) BCa
        interval, its acceleration from a jackknife (one refit per row). Resamples whose
        model does not converge are counted in ``n_boot_failed`` and left out.
    n_boot, level, seed : int, float, int
        Resamples, confidence level and the seed of ``numpy.random.default_rng``.

    Returns
    -------
    OmegaResult

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.stats.reliability import omega
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> round(omega(hs[["x4", "x5", "x6"]]).omega_total, 3)
    0.886
    >>> m = "vis =~ x1 + x2 + x3; txt =~ x4 + x5 + x6; spd =~ x7 + x8 + x9; g =~ vis + txt + spd"
    >>> omega(hs, m, higher=["g"]).per_factor.round(3).values.tolist()
    [['vis', 0.612], ['txt', 0.885], ['spd', 0.686], ['g', 0.564]]
    >>> from analysis import datasets
    >>> x = datasets.load("ordinal_skewed")
    >>> round(omega(x.dropna(), ordered=True).omega_total, 3)  # categorical omega
    0.85
    """
    if model is None:
        model = "f =~ " + " + ".join(str(c) for c in data.columns)
    indicators, _ = observed_variables(parse_model(model))
    missing_cols = [i for i in indicators if i not in data.columns]
    if missing_cols:
        raise ValueError(f"model indicators {missing_cols} are not columns of data "
                         f"({list(data.columns)})")
    values = numeric_frame(data, "omega", indicators, min_columns=2)
    complete = values.dropna()
    n_dropped = len(values) - len(complete)
    if n_dropped:
        warn("omega_listwise", "omega: {n_dropped} of {n} rows have a missing item and are left out "
             "(listwise, as lavaan's default)", n_dropped=n_dropped, n=len(values))
    fit = cfa(complete, model, ordered=ordered, std_lv=std_lv, orthogonal=orthogonal)
    if not fit.converged or fit._state is None:
        raise RuntimeError(f"the factor model did not converge; omega is undefined: "
                           f"{fit.warnings}")
    if len(fit.group_labels) > 1:
        raise ValueError("omega needs a single-group model")
    st = fit._state
    ordinal = isinstance(st.model, OrdinalModel)
    sigma = st.model.samples[0].cov if ordinal else complete[st.pt.ov].cov(ddof=0).to_numpy()
    beta = st.model.ram(st.model.values(st.theta), 0)[0][st.model.p:, st.model.p:]
    unknown = [h for h in higher if h not in st.pt.lv or not beta[:, st.pt.lv.index(h)].any()]
    if unknown:
        raise ValueError(f"higher={unknown}: not factors measured by other factors in the model")

    def omegas(mod, theta: np.ndarray, sigma: np.ndarray) -> tuple[float, float, dict[str, float]]:
        """(omega total, omega hierarchical, omega per factor) of the estimates ``theta``."""
        est = mod.values(theta)
        A, S, _ = mod.ram(est, 0)
        E = np.linalg.inv(np.eye(mod.t) - A)
        p, lv = mod.p, mod.pt.lv
        LY, BETA, PHI = A[:p, p:], A[p:, p:], (E @ S @ E.T)[p:, p:]
        if ordinal:     # WLSMV
            sample = mod.samples[0]
            tau = est[mod.th_rows[0]]
            thresholds = [tau[sample.th_item == j] for j in range(p)]
            scales = est[mod.delta_rows[0]]

        def reliability(rows: np.ndarray, common: np.ndarray) -> float:
            sub = sigma[np.ix_(rows, rows)]
            if ordinal:
                return _omega_categorical(common, [thresholds[j] for j in rows], scales[rows], sub)
            return float(common.sum() / sub.sum())

        measured = [f for f in range(len(lv)) if np.count_nonzero(LY[:, f]) > 1]
        per_factor = {}
        for f in measured:
            rows = np.flatnonzero(LY[:, f])
            per_factor[lv[f]] = reliability(rows, PHI[f, f] * np.outer(LY[rows, f], LY[rows, f]))
        for h in higher:
            cols = np.array([lv.index(h), *np.flatnonzero(BETA[:, lv.index(h)])])
            rows = np.flatnonzero(LY[:, cols].any(axis=1))
            L, B = LY[np.ix_(rows, cols)], BETA[np.ix_(cols, cols)]
            per_factor[h] = reliability(rows, L @ B @ PHI[np.ix_(cols, cols)] @ B.T @ L.T)
        rows = np.flatnonzero(LY[:, measured].any(axis=1))
        m_ix = np.array(measured, dtype=np.intp)
        L = LY[np.ix_(rows, m_ix)]
        total = reliability(rows, L @ PHI[np.ix_(m_ix, m_ix)] @ L.T)
        general = [lv[f] for f in measured
                   if len(measured) > 1 and np.all(LY[rows, f] != 0)
                   and np.all(np.delete(PHI[f, measured], measured.index(f)) == 0)]
        return float(total), float(per_factor[general[0]]) if len(general) == 1 else float("nan"), per_factor

    omega_total, omega_h, per_factor = omegas(st.model, st.theta, sigma)
    result = OmegaResult(omega_total=float(omega_total), omega_hierarchical=omega_h,
                         per_factor=pd.DataFrame({"factor": list(per_factor),
                                                  "omega": list(per_factor.values())}),
                         model=model, n=len(complete), n_dropped=n_dropped,
                         estimator=fit.estimator)
    if ci is None:
        return result
    if ci not in OMEGA_CIS or n_boot < 20 or not 0 < level < 1:
        raise ValueError(f"ci={ci!r}, n_boot={n_boot}, level={level}: expected ci in "
                         f"{OMEGA_CIS}, n_boot >= 20 and 0 < level < 1")

    rng = np.random.default_rng(seed)
    if ordinal:
        def again(rows: np.ndarray) -> tuple[float, float]:
            try:
                r = omega(complete.iloc[rows], model, ordered=ordered, higher=higher, std_lv=std_lv,
                          orthogonal=orthogonal)
            except RuntimeError:                      # the model did not converge
                return float("nan"), float("nan")
            return r.omega_total, r.omega_hierarchical
    else:           # ML: the model refitted to the resample from the estimates (as bootstrap_fit)
        ml = st.model
        assert isinstance(ml, Model)
        X = ml.samples[0].X

        def again(rows: np.ndarray) -> tuple[float, float]:
            x = X[rows]
            m = Model(ml.pt, [make_sample(x)], ml.x0, ml.K, ml.ms)
            theta, ok = m.fit(st.theta, aim=1.0)
            if not ok:
                return float("nan"), float("nan")
            centred = x - x.mean(axis=0)
            total, h, _ = omegas(m, theta, centred.T @ centred / len(x))
            return total, h

    everyone = np.arange(len(complete))
    boot = np.array([again(rng.integers(0, len(complete), len(complete))) for _ in range(n_boot)])
    failed = int(np.isnan(boot[:, 0]).sum())
    jack = (np.array([again(np.delete(everyone, i)) for i in everyone])
            if ci == "bca" else None)
    bounds = []
    for j, est_j in enumerate((result.omega_total, omega_h)):
        values = boot[np.isfinite(boot[:, j]), j]
        if not np.isfinite(est_j) or len(values) < 20:
            bounds.append((float("nan"), float("nan")))
        elif jack is None:
            lo, hi = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
            bounds.append((float(lo), float(hi)))
        else:
            keep = np.isfinite(jack[:, j])
            bounds.append(bca_interval(values, est_j, jack[keep, j], level))
    return replace(result, ci_low=bounds[0][0], ci_high=bounds[0][1],
                   hierarchical_ci_low=bounds[1][0], hierarchical_ci_high=bounds[1][1],
                   ci_level=level, ci_method=ci, n_boot_failed=failed)


@dataclass(frozen=True)
class ICCResult(Result):
    """Intraclass correlations (see :func:`icc`).

    ``table`` has one row per Shrout–Fleiss type: ``type`` (``ICC1`` … ``ICC3k``), ``icc``,
    ``F``, ``df1``, ``df2``, ``p``, ``ci_low``, ``ci_high``; ``to_frame()`` gives it.
    ``variance`` has one row per component: ``component`` (``subject``, ``rater``,
    ``residual``, ``total``), ``variance``, ``percent`` (share of the total).
    ``method`` is ``"anova"`` or ``"reml"``; ``n`` the subjects used, ``k`` the raters or
    occasions, ``n_dropped`` the subjects left out (ANOVA: any missing value; REML: no
    value at all).
    """

    table: pd.DataFrame
    variance: pd.DataFrame
    method: IccMethod
    n: int
    k: int
    n_dropped: int
    ci_level: float

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self, digits: int = 2) -> Summary:
        """psych's ``print(ICC(x))``: the six coefficients, then the variance components."""
        return icc_summary(self, digits)

    def value(self, type_: IccType) -> pd.Series:
        """The row of one ICC type, e.g. ``res.value("ICC2")["icc"]``."""
        row = self.table.set_index("type").loc[type_]
        if not isinstance(row, pd.Series):      # the types are unique: one row
            raise KeyError(type_)
        return row


#: Convergence of the REML variance components: the largest element of the projected
#: gradient of the REML deviance with respect to log φ (φ the variance ratios, below 1e-3
#: taken as 1e-3) — see ``_reml_components``. In deviance units; the arithmetic's floor is
#: about 1e-11 for hundreds of subjects, 1e-10 for 10^5.
REML_GTOL = 1e-8


def _reml_components(x: np.ndarray) -> tuple[np.ndarray, bool]:
    """REML variance components (subject, rater, residual) of ``y = mu + a_i + b_j + e_ij``.

    The model of ``lme4::lmer(values ~ 1 + (1 | id) + (1 | items))`` that ``psych::ICC``
    fits, on every observed cell of ``x`` (subjects x raters, NaN = missing). lme4's
    profiled REML deviance (Bates, Mächler, Bolker & Walker 2015, eq. 42) over the variance
    ratios ``phi = (s2_subject, s2_rater) / s2_residual >= 0`` (lme4's ``theta`` squared):
    ``d = log|M| + log(X'H^-1 X) + (N - 1) log r^2`` with ``H = I + Z Φ Z'``,
    ``M = I + Λ Z'Z Λ`` (``Λ = Φ^½``, so ``|H| = |M|``) and ``r^2 = y'Py`` the generalised
    residual sum of squares (``P = H^-1 - H^-1 X (X'H^-1 X)^-1 X'H^-1``); then
    ``s2_residual = r^2 / (N - 1)``. Its gradient (Harville 1977, *JASA* 72, 320–338) is
    ``∂d/∂phi_k = tr(Z_k'P Z_k) - (N - 1) |Z_k'P y|^2 / r^2``. ``M`` is solved by
    eliminating the diagonal subject block (Schur complement ``S`` of size k), so the cost
    is linear in the number of subjects: with ``A = I + phi_s diag(n_i)`` and
    ``G = diag(n_j) - phi_s C'A^-1 C`` (``C`` the subject x rater incidence),
    ``S = I + phi_r G``, ``tr(Z_s'H^-1 Z_s) = sum n_i / a_i - phi_r tr(S^-1 C'A^-2 C)`` and
    ``tr(Z_r'H^-1 Z_r) = tr(S^-1 G)``. ``y`` is centred first (the deviance does not change;
    the cancellation in ``r^2`` does).

    Estimation: L-BFGS-B on ``phi >= 0`` with the analytic gradient from lme4's start
    (``theta = 1``), then projected Newton steps (Hessian by central differences of the
    analytic gradient) with step halving; where the deviance can no longer show the
    decrease (1e-12 relative), only the full step is tried, and taken when it shrinks the
    gradient. Converged when ``max_k |max(phi_k, 1e-3) ∂d/∂phi_k| <= REML_GTOL`` (1e-8; the
    gradient with respect to ``log phi_k``, ratios below 1e-3 measured absolutely), a
    component at 0 counting as 0 when its gradient points out of the bound
    (``∂d/∂phi_k >= 0``: lme4 then reports a zero component). The deviance's curvature in
    ``log phi`` is about 0.9 for the rater variance of two raters (``icc_dropout``) and
    larger for more raters or for the subjects, so the ratios are then within about 1e-8
    (relative) of the optimum.
    """
    obs = ~np.isnan(x)
    subj, rater = np.nonzero(obs)
    n, k = x.shape
    y = x[obs] - x[obs].mean()
    n_obs = y.size
    c = obs.astype(float)                       # subject x rater incidence
    ns, nr = c.sum(axis=1), c.sum(axis=0)
    Y = np.column_stack([y, np.ones(n_obs)])    # [y, X]
    rhs_s = np.column_stack([np.bincount(subj, y, minlength=n), ns])   # Z_s'[y, X]
    rhs_r = np.column_stack([np.bincount(rater, y, minlength=k), nr])  # Z_r'[y, X]
    cross = Y.T @ Y

    def deviance(phi, gradient=True):
        """d(phi), r^2 and, with ``gradient``, ∂d/∂phi."""
        (ps, pr), (ts, tr) = phi, np.sqrt(phi)
        a = 1.0 + ps * ns
        ca = c / a[:, None]                     # A^-1 C
        G = np.diag(nr) - ps * (c.T @ ca)
        S = np.eye(k) + pr * G
        b1, b2 = ts * rhs_s, tr * rhs_r
        v = np.linalg.solve(S, b2 - ts * tr * (ca.T @ b1))
        u = (b1 - ts * tr * (c @ v)) / a[:, None]
        quad = cross - (b1.T @ u + b2.T @ v)    # [y, X]' H^-1 [y, X]
        r2 = quad[0, 0] - quad[0, 1] ** 2 / quad[1, 1]
        d = (np.log(a).sum() + np.linalg.slogdet(S)[1] + np.log(quad[1, 1])
             + (n_obs - 1) * np.log(r2))
        if not gradient:
            return d, r2, None
        h = Y - ts * u[subj] - tr * v[rater]    # H^-1 [y, X]
        py = h[:, 0] - quad[0, 1] / quad[1, 1] * h[:, 1]
        s_inv = np.linalg.inv(S)
        traces = ((ns / a).sum() - pr * np.sum(s_inv * (ca.T @ ca)), np.sum(s_inv * G.T))
        g = np.empty(2)
        for j, (idx, m) in enumerate([(subj, n), (rater, k)]):
            zx, zp = np.bincount(idx, h[:, 1], minlength=m), np.bincount(idx, py, minlength=m)
            g[j] = traces[j] - zx @ zx / quad[1, 1] - (n_obs - 1) * (zp @ zp) / r2
        return d, r2, g

    def score(phi, g):                          # projected gradient w.r.t. log phi
        return np.max(np.abs(np.where((phi <= 0) & (g >= 0), 0.0, np.maximum(phi, 1e-3) * g)))

    def value_and_gradient(phi: np.ndarray) -> tuple[float, np.ndarray]:
        d, _, g = deviance(phi)
        return d, g

    start = optimize.minimize(value_and_gradient, np.ones(2), jac=True, method="L-BFGS-B",
                              bounds=[(0.0, None)] * 2, options={"ftol": 1e-12, "maxiter": 500})
    phi = start.x
    d, _, g = deviance(phi)
    for _ in range(50):
        now = score(phi, g)
        if now <= REML_GTOL / 100:
            break
        free = ~((phi <= 0) & (g >= 0))
        eps = 1e-4 * np.maximum(phi, 1e-4)
        hess = np.column_stack([(deviance(phi + e)[2] - deviance(np.maximum(phi - e, 0))[2])
                                / (e + np.minimum(phi, e)).sum() for e in np.diag(eps)])
        hess = (hess + hess.T)[np.ix_(free, free)] / 2
        step = np.zeros(2)
        if np.linalg.eigvalsh(hess)[0] > 0:
            step[free] = -np.linalg.solve(hess, g[free])
        else:                                   # not convex here: a scaled gradient step
            step[free] = -g[free] / np.abs(np.diag(hess)).clip(1e-12)
        floor = -(g @ step) <= 1e-12 * abs(d)
        for t in 0.5 ** np.arange(1 if floor else 34):
            new = np.maximum(phi + t * step, 0.0)
            d_new, _, g_new = deviance(new)
            if d_new <= d + 1e-4 * g @ (new - phi) or (
                    floor and d_new <= d + 1e-12 * abs(d) and score(new, g_new) < now):
                break
        else:
            break
        phi, d, g = new, d_new, g_new
    converged = bool(score(phi, g) <= REML_GTOL)
    sigma2 = deviance(phi, False)[1] / (n_obs - 1)
    return np.array([phi[0] * sigma2, phi[1] * sigma2, sigma2]), converged


@dataclass(frozen=True)
class OmegaSLResult(Result):
    """Schmid–Leiman omegas (see :func:`omega_sl`), psych::omega's numbers.

    ``omega_hierarchical`` (psych's ``omega_h``), ``omega_total``, ``omega_limit``
    (``omega.lim``: omega_h / omega_total), ``alpha``, ``g6`` (Guttman's lambda 6) and
    ``ecv`` (explained common variance of the general factor). ``loadings`` has one row per
    item: ``item``, ``g``, the group factors ``F1*``…, ``h2``, ``u2``, ``p2`` (``g^2/h2``);
    ``groups`` one row per factor: ``factor`` (``g``, ``F1*``…), ``total``, ``general``,
    ``group`` (psych's ``omega.group``; items belong to the group factor of their largest
    loading). ``factor_cor`` is the oblique factor correlation matrix (``factor`` first),
    ``g_loadings`` the group factors' loadings on g; ``reversed`` the items whose sign was
    flipped so that all load positively on g (psych's ``flip``). ``to_frame()`` gives
    ``groups``.
    """

    omega_hierarchical: float
    omega_total: float
    omega_limit: float
    alpha: float
    g6: float
    ecv: float
    loadings: pd.DataFrame
    groups: pd.DataFrame
    factor_cor: pd.DataFrame
    g_loadings: pd.Series
    reversed: list
    n_factors: int
    n: int
    method: FaMethod
    converged: bool

    def to_frame(self) -> pd.DataFrame:
        return self.groups.copy()


def omega_sl(data: pd.DataFrame, n_factors: int = 3, *, method: FaMethod = "minres",
             poly: bool = False) -> OmegaSLResult:
    """Omega hierarchical and total by the Schmid–Leiman transformation, as ``psych::omega``.

    Steps of psych 2.2.9 (``omega`` → ``omegah`` → ``schmid``), Schmid & Leiman (1957),
    Revelle & Zinbarg (2009): (1) ``psych::fa`` with ``n_factors`` factors, varimax;
    (2) GPArotation's oblimin of those loadings, giving pattern ``F`` and factor
    correlations ``Phi``; (3) the general factor's loadings ``gl`` on the group factors:
    a one-factor ``fa`` of ``Phi`` (three or more factors), ``sqrt|phi_12|`` for both
    (two factors; psych's ``option = "equal"``), 1 (one factor); (4) item loadings on
    g ``F gl`` and on the residualised group factors ``F_j sqrt(1 - gl_j^2)``;
    ``h2`` the communalities of step 1, ``u2 = 1 - h2``. Items loading negatively on g are
    flipped (``reversed``). With ``V`` the sum of the correlation matrix:
    ``omega_h = (sum g)^2 / V``, ``omega_total = (V - sum u2) / V``,
    ``ECV = sum g^2 / sum(all SL loadings^2)``, alpha on the correlation matrix, and per
    group factor ``(sum F_j*)^2 / V_j`` (group), ``(sum g)^2 / V_j`` (general) over its
    items.

    Parameters
    ----------
    data : DataFrame
        Item columns; pairwise-complete Pearson correlations (psych's ``cor(use =
        "pairwise")``), or polychoric ones with ``poly=True`` (``psych::omega(poly=TRUE)``).
    n_factors : int
        Number of group factors (psych's ``nfactors``, default 3).
    method : {"minres", "uls", "ml", "pa"}
        Extraction (psych's ``fm``), also for the one-factor fit of ``Phi``.
    poly : bool
        Use :func:`~analysis.stats.polychoric.polychoric` correlations.

    Returns
    -------
    OmegaSLResult

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> res = omega_sl(hs[[f"x{i}" for i in range(1, 10)]], 3)
    >>> round(res.omega_hierarchical, 3), round(res.omega_total, 3)
    (0.449, 0.851)
    """
    check_fa_args(method, "oblimin", "omega_sl")
    if poly:
        pc = polychoric(data)
        r, items = pc.matrix(), pc.items
    else:
        cor = correlation(data, "omega_sl")
        r, items = cor.to_numpy(), [str(c) for c in cor.columns]
    p = len(items)
    if not 1 <= n_factors < p:
        raise ValueError(f"omega_sl: n_factors must be between 1 and {p - 1}, got {n_factors!r}")
    orth, _, h2, _, converged = fa(r, n_factors, method, "varimax")
    if n_factors == 1:
        pattern, phi, gl = orth, np.eye(1), np.ones(1)
    else:
        pattern, phi, rot_ok = oblimin(orth)
        converged = converged and rot_ok
        if n_factors == 2:
            gl = np.sqrt(abs(phi[0, 1])) * np.array([1.0, np.sign(phi[0, 1])])
        else:
            gl, _, _, _, g_ok = fa(phi, 1, method, "oblimin")
            gl, converged = gl[:, 0], converged and g_ok
    g = pattern @ gl
    group = np.sign(pattern) * np.sqrt(np.clip(pattern**2 * (1 - gl**2), 0, None))
    key = np.where(g < 0, -1.0, 1.0)
    g, group = g * key, group * key[:, None]
    r = r * np.outer(key, key)
    u2 = 1 - h2
    total = r.sum()
    omega_total = (total - u2.sum()) / total
    omega_h = g.sum() ** 2 / total
    smc = 1 - 1 / np.diag(np.linalg.inv(r))
    ecv = (g**2).sum() / ((g**2).sum() + (group**2).sum())
    names = [f"F{j + 1}*" for j in range(n_factors)]
    member = np.argmax(np.abs(group), axis=1)
    rows = [{"factor": "g", "total": omega_total, "general": omega_h, "group": np.nan}]
    group_sq = 0.0
    for j, name in enumerate(names):
        on = member == j
        v = r[np.ix_(on, on)].sum() if on.any() else np.nan
        gr = group[on, j].sum()
        group_sq += gr**2
        rows.append({"factor": name, "total": (gr**2 + g[on].sum() ** 2) / v,
                     "general": g[on].sum() ** 2 / v, "group": gr**2 / v})
    rows[0]["group"] = group_sq / total
    loadings = pd.DataFrame(group, columns=names).assign(item=items, g=g, h2=h2, u2=u2,
                                                         p2=g**2 / h2)
    return OmegaSLResult(
        omega_hierarchical=float(omega_h), omega_total=float(omega_total),
        omega_limit=float(omega_h / omega_total),
        alpha=float((total - p) / total * p / (p - 1)),
        g6=float((total + smc.sum() - p) / total), ecv=float(ecv),
        loadings=loadings[["item", "g", *names, "h2", "u2", "p2"]],
        groups=pd.DataFrame(rows),
        factor_cor=pd.DataFrame(phi, columns=[f"F{j + 1}" for j in range(n_factors)]).assign(
            factor=[f"F{j + 1}" for j in range(n_factors)])[["factor", *[f"F{j + 1}" for j in range(n_factors)]]],
        g_loadings=pd.Series(gl, index=[f"F{j + 1}" for j in range(n_factors)], name="g"),
        reversed=[i for i, k in zip(items, key) if k < 0], n_factors=n_factors,
        n=len(data), method=method, converged=converged)


def icc(data: pd.DataFrame, *, method: IccMethod | None = None, ci: float = 0.95) -> ICCResult:
    """Shrout & Fleiss (1979) intraclass correlations with psych::ICC's F tests and intervals.

    From mean squares for subjects ``MSB``, raters/occasions ``MSJ``, residual ``MSE`` and
    within subjects ``MSW`` on ``n`` subjects x ``k`` raters: ICC1
    ``(MSB-MSW)/(MSB+(k-1)MSW)``, ICC2 ``(MSB-MSE)/(MSB+(k-1)MSE+k(MSJ-MSE)/n)``, ICC3
    ``(MSB-MSE)/(MSB+(k-1)MSE)`` and their average-measure forms ``ICC1k``, ``ICC2k``,
    ``ICC3k``. Intervals: F-based for ICC1/ICC3 (Shrout & Fleiss eqs.), Satterthwaite
    ``v`` for ICC2 (McGraw & Wong 1996), exactly as in psych::ICC's source. For test-retest
    reliability of one measurement use ICC2 (absolute agreement, random occasions).

    Two ways to get the mean squares, as psych::ICC:

    - ``"anova"`` (``psych::ICC(lmer=FALSE)``): two-way ANOVA on the subjects with every
      value (complete cases; a warning lists those left out). ``MSW = (SSJ + SSE)/(n(k-1))``.
      Estimates are kept when a variance component is negative (SPSS does the same).
    - ``"reml"`` (``psych::ICC``'s default ``lmer=TRUE``): variance components
      ``s2_subject``, ``s2_rater``, ``s2_residual`` by REML on every observed value, so
      subjects with a missing occasion still count (see ``_reml_components``), then psych's
      F-like statistics ``MSB = k s2_subject + s2_residual``,
      ``MSJ = n s2_rater + s2_residual``, ``MSE = s2_residual``,
      ``MSW = s2_residual + s2_rater`` with ``n`` the subjects having at least one value
      (psych counts rows with no value at all too; they carry no information and are left
      out here with a warning). Components are never negative (lme4's bound at 0).

    On complete data both give the same ICCs unless an ANOVA component is negative.

    Parameters
    ----------
    data : DataFrame
        Rows = subjects, columns = raters or occasions; NaN = missing.
    method : {"anova", "reml"} or None
        Default: ``"anova"`` when every value is present, ``"reml"`` when some are missing.
    ci : float
        Confidence level of the intervals.

    Returns
    -------
    ICCResult

    Examples
    --------
    >>> import pandas as pd
    >>> sf = pd.DataFrame({"J1": [9, 6, 8, 7, 10, 6], "J2": [2, 1, 4, 1, 5, 2],
    ...                    "J3": [5, 3, 6, 2, 6, 4], "J4": [8, 2, 8, 6, 9, 7]})
    >>> icc(sf).table["icc"].round(2).tolist()
    [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    >>> round(float(icc(sf, method="reml").value("ICC2")["icc"]), 2)
    0.29
    """
    x_all = numeric_frame(data, "icc", min_columns=2)
    if method is None:
        method = "reml" if x_all.isna().to_numpy().any() else "anova"
    if method not in ICC_METHODS:
        raise ValueError(f"icc: method must be 'anova' or 'reml', got {method!r}")
    if not 0 < ci < 1:
        raise ValueError(f"icc: ci must be between 0 and 1, got {ci!r}")
    drop = x_all.isna().any(axis=1) if method == "anova" else x_all.isna().all(axis=1)
    if drop.any():
        rule = "a missing value (complete cases, ANOVA)" if method == "anova" else "no value"
        warn(f"icc_left_out_{method}", "icc: {n_dropped} of {n} subjects with " + rule + " are left out: rows {rows}",
             n_dropped=int(drop.sum()), n=len(x_all), rows=list(x_all.index[drop.to_numpy()]))
    x = x_all[~drop].to_numpy()
    n, k = x.shape
    if n < 2:
        raise ValueError(f"icc needs at least 2 subjects with data, got {n}")
    if method == "anova":
        grand = x.mean()
        ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
        ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
        ss_err = ((x - grand) ** 2).sum() - ss_rows - ss_cols
        msb, msj = ss_rows / (n - 1), ss_cols / (k - 1)
        mse = ss_err / ((n - 1) * (k - 1))
        msw = (ss_cols + ss_err) / (n * (k - 1))
        components = np.array([(msb - mse) / k, (msj - mse) / n, mse])  # expected mean squares
    else:
        components, converged = _reml_components(x)
        if not converged:
            raise RuntimeError("icc: the REML estimation of the variance components did not "
                               "converge")
        s2_subject, s2_rater, mse = components
        msb, msj, msw = k * s2_subject + mse, n * s2_rater + mse, mse + s2_rater
    total = components.sum()
    variance = pd.DataFrame({"component": ["subject", "rater", "residual", "total"],
                             "variance": [*components, total],
                             "percent": [*(components / total), 1.0]})
    return ICCResult(table=_icc_table(msb, msj, mse, msw, n, k, ci), variance=variance,
                     method=method, n=n, k=k, n_dropped=int(drop.sum()), ci_level=ci)


def _icc_table(msb: float, msj: float, mse: float, msw: float, n: int, k: int,
               ci: float) -> pd.DataFrame:
    """psych::ICC's six ICCs, F tests and intervals from the four mean squares."""
    icc1 = (msb - msw) / (msb + (k - 1) * msw)
    icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
    icc3 = (msb - mse) / (msb + (k - 1) * mse)
    icc1k = (msb - msw) / msb
    icc2k = (msb - mse) / (msb + (msj - mse) / n)
    icc3k = (msb - mse) / msb
    f1, df1n, df1d = msb / msw, n - 1, n * (k - 1)
    f2, df2n, df2d = msb / mse, n - 1, (n - 1) * (k - 1)
    p1, p2 = stats.f.sf(f1, df1n, df1d), stats.f.sf(f2, df2n, df2d)

    q = 1 - (1 - ci) / 2
    f1l = f1 / stats.f.ppf(q, df1n, df1d)
    f1u = f1 * stats.f.ppf(q, df1d, df1n)
    f3l = f2 / stats.f.ppf(q, df2n, df2d)
    f3u = f2 * stats.f.ppf(q, df2d, df2n)
    fj = msj / mse
    vn = (k - 1) * (n - 1) * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    vd = (n - 1) * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    v = vn / vd
    fu, fl = stats.f.ppf(q, n - 1, v), stats.f.ppf(q, v, n - 1)
    denom = k * msj + (k * n - k - n) * mse
    l2 = n * (msb - fu * mse) / (fu * denom + n * msb)
    u2 = n * (fl * msb - mse) / (denom + n * fl * msb)
    return pd.DataFrame({
        "type": ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"],
        "icc": [icc1, icc2, icc3, icc1k, icc2k, icc3k],
        "F": [f1, f2, f2, f1, f2, f2],
        "df1": [df1n, df2n, df2n, df1n, df2n, df2n],
        "df2": [df1d, df2d, df2d, df1d, df2d, df2d],
        "p": [p1, p2, p2, p1, p2, p2],
        "ci_low": [(f1l - 1) / (f1l + k - 1), l2, (f3l - 1) / (f3l + k - 1),
                   1 - 1 / f1l, l2 * k / (1 + l2 * (k - 1)), 1 - 1 / f3l],
        "ci_high": [(f1u - 1) / (f1u + k - 1), u2, (f3u - 1) / (f3u + k - 1),
                    1 - 1 / f1u, u2 * k / (1 + u2 * (k - 1)), 1 - 1 / f3u]})


def sem_from_icc(sd: float, icc_value: float) -> float:
    """Standard error of measurement ``SEM = SD * sqrt(1 - ICC)``.

    de Vet, Terwee, Mokkink & Knol (2011), *Measurement in Medicine*, ch. 5; with a
    test-retest reliability this is Jacobson & Truax's (1991) SEM.

    Examples
    --------
    >>> round(sem_from_icc(2.0, 0.75), 3)
    1.0
    """
    if not 0 <= icc_value <= 1:
        raise ValueError(f"icc_value must be between 0 and 1, got {icc_value!r}")
    if sd < 0:
        raise ValueError(f"sd must be non-negative, got {sd!r}")
    return float(sd * np.sqrt(1.0 - icc_value))


def sdc(sem: float, n: int = 1) -> float:
    """Smallest detectable change ``SDC = 1.96 * sqrt(2) * SEM`` (individual level).

    With ``n > 1`` returns the group-level SDC ``1.96 * sqrt(2) * SEM / sqrt(n)`` for the
    mean change of ``n`` people (de Vet et al. 2006, J Clin Epidemiol 59:1033; de Vet et al.
    2011, ch. 5).

    Examples
    --------
    >>> round(sdc(1.0), 3)
    2.772
    """
    if sem < 0 or n < 1:
        raise ValueError(f"expected sem >= 0 and n >= 1, got sem={sem!r}, n={n!r}")
    return float(1.96 * np.sqrt(2.0) * sem / np.sqrt(n))


#: The scale of the composite whose omegas :func:`bifactor_indices` reports.
BifactorScale = Literal["standardized", "raw"]


@dataclass(frozen=True)
class BifactorResult(Result):
    """Bifactor indices of Rodriguez, Reise & Haviland (2016) (see :func:`bifactor_indices`).

    ``ecv`` (explained common variance of the general factor), ``puc`` (percentage of
    uncontaminated correlations, as a proportion), ``omega_total`` and
    ``omega_hierarchical`` of the whole composite. ``factors`` has one row per factor,
    the general factor first: ``factor``, ``kind`` (``"general"``/``"specific"``),
    ``n_items``, ``ecv`` (the factor's share of all common variance; for a specific factor
    Dueber's ECV_SG), ``ecv_ss`` (its share of the common variance of its own items:
    S-ECV, ECV_SS; equals ``ecv`` for the general factor), ``omega`` (omega total of the
    general factor's composite, omega-S of a specific factor's items), ``omega_h`` (omega-H
    / omega-HS), ``relative_omega`` (``omega_h / omega``) and ``h`` (construct
    replicability). ``items`` has one row per item: ``item``, ``specific`` (its specific
    factor, None for an item of the general factor only), ``general_loading``,
    ``specific_loading`` (standardized, 0 when none) and ``i_ecv`` (the general factor's
    share of the item's common variance). ``to_frame()`` gives ``factors``.
    """

    ecv: float
    puc: float
    omega_total: float
    omega_hierarchical: float
    general: str
    factors: pd.DataFrame
    items: pd.DataFrame
    scale: BifactorScale
    n: int
    model: str

    def to_frame(self) -> pd.DataFrame:
        return self.factors.copy()


def bifactor_indices(fit: CFAResult, general: str, *,
                     scale: BifactorScale = "standardized") -> BifactorResult:
    """Bifactor indices from a fitted orthogonal bifactor CFA (Rodriguez et al. 2016).

    With ``lambda`` the standardized loadings (lavaan's ``std.all``), ``g`` the general
    factor loading on all ``n`` items and the specific factors ``s`` each loading on
    ``n_s`` items (an item on at most one specific factor; items on the general factor
    only are allowed):

    - ``ECV = sum(l_g^2) / (sum(l_g^2) + sum_s sum(l_s^2))``; per specific factor
      ``ecv`` = ``sum(l_s^2)`` over the same denominator (ECV_SG) and ``ecv_ss`` =
      ``sum(l_s^2) / (sum_{i in s} l_g^2 + sum(l_s^2))`` over its own items (S-ECV);
      per item ``I-ECV = l_g^2 / (l_g^2 + l_s^2)``.
    - ``PUC = 1 - sum_s n_s (n_s - 1) / 2 / (n (n - 1) / 2)``.
    - ``omega = ((sum l_g)^2 + sum_s (sum l_s)^2) / V`` and
      ``omega_H = (sum l_g)^2 / V``, ``V`` the variance of the unit-weighted sum of the
      (standardized) items *implied by the model*: the sum of the model-implied
      correlation matrix (the implied covariance matrix rescaled to unit variances). For
      an orthogonal model without residual covariances ``V = (sum l_g)^2 + sum_s (sum
      l_s)^2 + sum(theta)``, so ``omega`` is the share of common variance.
    - per specific factor on its items ``omega_S = ((sum_{i in s} l_g)^2 + (sum l_s)^2) /
      V_s`` and ``omega_HS = (sum l_s)^2 / V_s``, ``V_s`` the implied variance of the sum
      of those items.
    - construct replicability (Hancock & Mueller 2001) per factor:
      ``H = 1 / (1 + 1 / sum(l^2 / (1 - l^2)))`` over the factor's items.

    ``scale="raw"`` reports the omegas for the sum of the raw items instead:
    unstandardized loadings times the factor's standard deviation, ``V`` the sum of the
    implied covariance matrix: semTools' ``compRelSEM(fit, obs.var = FALSE)`` for
    ``omega_h`` of the general factor, ``omega_h`` of the specific factors and
    (``return.total = TRUE``) ``omega_total``. ECV, PUC and H always use standardized
    loadings. (semTools' default ``obs.var = TRUE`` divides by the *observed* variance of
    the sum instead.)

    Parameters
    ----------
    fit : CFAResult
        A converged, admissible single-group ML/MLR fit of
        :func:`analysis.stats.sem.cfa` with uncorrelated factors (``orthogonal=True``;
        ``std_lv=True`` is usual) and no higher-order factors or regressions.
    general : str
        The general factor; it must load on every item.
    scale : {"standardized", "raw"}
        The composite whose omegas are reported (see above).

    Returns
    -------
    BifactorResult

    Raises
    ------
    ValueError
        The fit did not converge or is improper, is multi-group or WLSMV, its factors
        correlate, ``general`` is not a factor loading on every item, or an item loads on
        two specific factors. Also when the fit's information matrix is singular (a
        loading without a standard error), e.g. a specific factor with two freely loading
        items, whose two loadings only enter the model as their product: lavaan then warns
        "Could not compute standard errors" but ``standardizedSolution`` still reports one
        arbitrary point of the flat optimum, so indices computed from it in R are not
        reproducible (seen: specific-factor H 0.018 and I-ECV 0.04 apart between two
        optimisers at the same χ²). Deliberate difference: refused here.

    References
    ----------
    Rodriguez, A., Reise, S. P., & Haviland, M. G. (2016). Evaluating bifactor models:
    Calculating and interpreting statistical indices. *Psychological Methods*, 21(2),
    137–150. Hancock, G. R., & Mueller, R. O. (2001). Rethinking construct reliability
    within latent variable systems. In *Structural equation modeling: Present and future*
    (pp. 195–216). Reise, S. P., Scheines, R., Widaman, K. F., & Haviland, M. G. (2013),
    *Educational and Psychological Measurement*, 73(1), 5–26 (PUC).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.stats.sem import cfa
    >>> from analysis.stats.reliability import bifactor_indices
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> model = '''g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9
    ...            textual =~ x4 + x5 + x6
    ...            speed =~ x7 + x8 + x9'''
    >>> fit = cfa(hs, model, std_lv=True, orthogonal=True)
    >>> res = bifactor_indices(fit, general="g")
    >>> round(res.ecv, 3), round(res.puc, 3), round(res.omega_hierarchical, 3)
    (0.407, 0.833, 0.542)
    >>> res.to_frame()[["factor", "omega", "omega_h", "h"]].round(3)
        factor  omega  omega_h      h
    0        g  0.846    0.542  0.759
    1  textual  0.887    0.704  0.807
    2    speed  0.724    0.577  0.659
    """
    if not fit.converged or not fit.admissible:
        raise ValueError(f"bifactor_indices needs a converged, admissible fit; this one is "
                         f"not: {'; '.join(fit.warnings) or 'not converged'}")
    if len(fit.group_labels) > 1 or "all" not in fit.implied:
        raise ValueError("bifactor_indices needs a single-group fit")
    if fit.estimator not in ("ML", "MLR"):
        raise ValueError(f"bifactor_indices needs an ML or MLR fit, not {fit.estimator}")
    if scale not in ("standardized", "raw"):
        raise ValueError(f"scale={scale!r}; expected 'standardized' or 'raw'")
    est = fit.estimates
    sigma = fit.implied["all"]
    items = [str(i) for i in sigma.index]
    load = est[est["op"] == "=~"]
    lvs = list(dict.fromkeys(str(f) for f in load["lhs"]))
    higher = sorted(set(load["rhs"]) & set(lvs))
    if higher or (est["op"] == "~").any():
        raise ValueError(f"bifactor_indices needs a measurement model without higher-order "
                         f"factors or regressions (factors measured by factors: {higher})")
    if general not in lvs:
        raise ValueError(f"general={general!r} is not a factor of the model; factors: {lvs}")
    cov = est[(est["op"] == "~~") & est["lhs"].isin(lvs) & est["rhs"].isin(lvs)]
    correlated = cov[(cov["lhs"] != cov["rhs"]) & (cov["est"] != 0)]
    if len(correlated):
        pairs = [f"{a} ~~ {b}" for a, b in zip(correlated["lhs"], correlated["rhs"])]
        raise ValueError(f"bifactor_indices needs uncorrelated factors (cfa(..., "
                         f"orthogonal=True)); these covary: {pairs}")
    phi = pd.Series(cov.loc[cov["lhs"] == cov["rhs"], "est"].to_numpy(float),
                    index=cov.loc[cov["lhs"] == cov["rhs"], "lhs"]).reindex(lvs)
    std = pd.DataFrame(0.0, index=items, columns=lvs)
    raw = pd.DataFrame(0.0, index=items, columns=lvs)
    for f, i, b, s in zip(load["lhs"], load["rhs"], load["est"], load["std_all"]):
        std.loc[i, f], raw.loc[i, f] = float(s), float(b) * np.sqrt(float(phi[f]))
    absent = [i for i in items if std.loc[i, general] == 0]
    if absent:
        raise ValueError(f"general={general!r} does not load on every item; not on {absent}")
    specific = [f for f in lvs if f != general]
    double = [i for i in items if np.count_nonzero(std.loc[i, specific]) > 1]
    if double:
        raise ValueError(f"items {double} load on more than one specific factor")

    unidentified = load[~np.isfinite(load["se"].to_numpy(float))]
    if len(unidentified):
        where = [f"{a} =~ {b}" for a, b in zip(unidentified["lhs"], unidentified["rhs"])]
        raise ValueError(f"bifactor_indices: the information matrix is singular (no standard "
                         f"error for {len(where)} loading(s), e.g. {where[:3]}): the model is not "
                         f"identified and the indices would depend on where the optimiser "
                         f"stopped; a specific factor with two items needs its loadings "
                         f"constrained equal, e.g. 's =~ a*y6 + a*y7'")
    S = sigma.to_numpy(float)
    if scale == "standardized":
        d = 1 / np.sqrt(np.diag(S))
        V, L = S * np.outer(d, d), std.to_numpy()
    else:
        V, L = S, raw.to_numpy()
    lam = std.to_numpy()
    g = lvs.index(general)
    common = float((lam ** 2).sum())

    def h_of(col: np.ndarray) -> float:
        x = col[col != 0] ** 2
        return float(1 / (1 + 1 / np.sum(x / (1 - x))))

    omega_total = float((L.sum(axis=0) ** 2).sum() / V.sum())
    omega_h = float(L[:, g].sum() ** 2 / V.sum())
    ecv = float((lam[:, g] ** 2).sum() / common)
    rows = [{"factor": general, "kind": "general", "n_items": len(items), "ecv": ecv,
             "ecv_ss": ecv,
             "omega": omega_total, "omega_h": omega_h, "h": h_of(lam[:, g])}]
    n_s = []
    for f in specific:
        j = lvs.index(f)
        r = np.flatnonzero(lam[:, j])
        n_s.append(len(r))
        v = V[np.ix_(r, r)].sum()
        own = (lam[r, j] ** 2).sum()
        rows.append({"factor": f, "kind": "specific", "n_items": len(r),
                     "ecv": float(own / common),
                     "ecv_ss": float(own / (own + (lam[r, g] ** 2).sum())),
                     "omega": float((L[r, g].sum() ** 2 + L[r, j].sum() ** 2) / v),
                     "omega_h": float(L[r, j].sum() ** 2 / v), "h": h_of(lam[:, j])})
    factors = pd.DataFrame(rows)
    factors.insert(7, "relative_omega", factors["omega_h"] / factors["omega"])
    n = len(items)
    puc = 1 - sum(k * (k - 1) / 2 for k in n_s) / (n * (n - 1) / 2)
    spec_of = [next((f for f in specific if std.loc[i, f] != 0), None) for i in items]
    items_frame = pd.DataFrame({
        "item": items, "specific": pd.Series(spec_of, dtype=object), "general_loading": lam[:, g],
        "specific_loading": [std.loc[i, f] if f else 0.0 for i, f in zip(items, spec_of)],
        "i_ecv": lam[:, g] ** 2 / (lam ** 2).sum(axis=1)})
    return BifactorResult(ecv=ecv, puc=float(puc),
                          omega_total=omega_total, omega_hierarchical=omega_h,
                          general=general, factors=factors, items=items_frame, scale=scale,
                          n=fit.n, model=fit.model)
