"""Dynamic fit index cutoffs (McNeish & Wolf 2023; McNeish 2023) for CFA models fitted by
ML or, with ordered items, by WLSMV.

Hu and Bentler's fixed cutoffs (SRMR ≤ .08, RMSEA ≤ .06, CFI ≥ .95) were derived for a few
models; how far SRMR, RMSEA and CFI move under a given misspecification depends on the
model, the loadings and the sample size. McNeish and Wolf's dynamic fit index (DFI) cutoffs
simulate data sets from the fitted model's standardized solution, with and without
misspecifications of increasing severity, fit the model to each and take, per level, the
cutoff that separates the misspecified fits from the correctly specified ones.

Why own code: no Python library computes them; the R package ``dynamic`` (Wolf &
McNeish, version 1.1.0, https://github.com/melissagwolf/dynamic) fits lavaan hundreds of
times. This module follows its ``cfaOne`` and ``cfaHB`` (``R/cfaOne.R``, ``R/cfaHB.R``), for
ordered items its ``catOne`` and ``catHB`` (``R/catOne.R``, ``R/catHB.R``), and their
helpers in ``R/helper.R``, rule for rule, with the engine of
:mod:`analysis.stats._sem_engine` (ordered items: :mod:`analysis.stats._sem_ordinal`) in the
loop:

* **population model** (``cfa_lavmod``): the fitted model's ``std.all`` loadings, factor
  correlations and residual correlations, rounded to 4 decimals; residual variances
  1 − communality (simstandard's ``sim_standardized``: standardized items, a residual
  covariance = residual correlation × the residual SDs).
* **one factor** (``one_num``, ``one_add``, ``DGM_one``): the items without a residual
  covariance, sorted by |loading| ascending; of the first 2 (4 items), 4 (5 items) or
  2⌊k/2⌋ (k items) of them, consecutive pairs get a residual correlation of .3 (the 2nd
  with the 1st, the 4th with the 3rd, …); level 1, 2, 3 add the first ⌊m/3⌋, ⌊2m/3⌋, m of
  the m = ⌊k/2⌋ pairs (one level for 4 items, two for 5).
* **several factors** (``multi_num_HB``, ``multi_add_HB``, ``DGM_Multi_HB``): of the items
  loading on one factor only and without a residual covariance, the lowest |loading| of each
  factor, factors with more than two indicators first, then by |loading|, the first F − 1;
  taken in order of |loading|, each item cross-loads on the factor of highest coefficient H
  (Hancock & Mueller 2001) among those it correlates with whose pair of factors has not yet
  been used; the cross-loading is min(|λ|, .95·(√(λ²φ² + 1 − λ²) − |λφ|)) rounded to 4
  decimals (the largest that keeps the item's variance below 1), and level k adds the first
  k of them (ordered by indicator count, loading, −H): F − 1 levels.
* **simulation** (``one_fit``/``true_fit_one``, ``multi_fit_HB``/``true_fit_HB``): ``reps``
  normal data sets of n = min(N, 2000) rows from the true model and from each misspecified
  one; the user's model (free parameters, ``std.lv``) fitted by ML to each, SRMR, RMSEA and
  CFI as lavaan's ``fitMeasures``.
* **cutoffs** (the tables of ``cfaOne``/``cfaHB``): level 0 is the 95th percentile of the
  true-model SRMR and RMSEA and their CFI's 5th percentile (specificity .95). For level
  k, the misspecified fits' quantiles at 1 − power are tried for power = .95, .94, …, 0 (R's
  ``quantile``, type 7; CFI at the power quantile) and the first that is still beyond the
  level-0 value is the cutoff, the power its sensitivity; with power below .50 the package
  prints NONE (here: cutoff NaN, ``meets`` missing). McNeish & Wolf (2023) read a cutoff
  with power ≥ .90 (the 5th or 10th percentile) as one that separates the two
  distributions; the power column shows it.

Ordered items (``catOne``/``catHB``, McNeish 2023): a fit by WLSMV (``cfa(...,
ordered=...)``). The population model and the misspecifications are the rules above, unchanged
(``DGM_one``/``DGM_Multi_HB`` of the same ``cfa_lavmod``, whose ``std.all`` standardizes by
the latent responses y*); what differs:

* **thresholds** (``Thresh``, ``th``): each item's thresholds are their ``std.all`` values
  in the fit (not rounded; the delta parameterization's estimates, and the theta
  parameterization gives the same), so every item keeps its number of categories and its
  marginal proportions.
* **data** (``one_fit_cat``/``true_fit_one_cat``, ``multi_fit_HB_cat``/``true_fit_HB_cat``):
  ``sim_standardized`` draws the normal y* of the population as above, and each is cut at
  its item's thresholds τ₁ < … < τ_c: category 1 for y* ≤ τ₁, k + 1 for τ_k < y* ≤ τ_{k+1},
  c + 1 above τ_c (the package codes them 100, 200, …; only the order matters; its
  ``case_when`` loop gives these categories, checked on 5000 draws).
* **fit** (``ordered = clist, estimator = "WLSMV", std.lv = TRUE, se = "none"``): the
  user's model by DWLS with lavaan's WLSMV test. lavaan takes an ordered item's categories
  from the data set at hand, so a category no simulated row falls in is not an error: the
  item is fitted with the categories it has (its neighbouring thresholds merge; df is
  unchanged); so here (:func:`analysis.stats.sem.cfa` refuses such an item only across
  groups). An item left with a single category cannot be fitted (lavaan stops; the package
  would abort); here the replication counts in ``n_failed``.
* **indices** (the package's ``ind`` for an estimator ending in "V"): ``srmr`` (lavaan's
  categorical SRMR, correlation residuals without thresholds), ``rmsea.scaled`` and
  ``cfi.scaled`` (from the scaled-shifted χ² of the model and of the baseline model), the
  fitted model's values the same (``catOne`` prints ``cfi.scaled``/``rmsea.scaled`` for a
  scaled-shifted test). The cutoff table is the one above.

The package's ``catOne``/``catHB`` default to ``reps = 250`` (their documentation says 500,
as ``cfaOne``/``cfaHB``); pass ``reps=250`` for the package's default run.

Departures, all Monte Carlo–equivalent: the random numbers are numpy's (seeded with
``seed``, one stream per level), not R's; the package adds a random jitter below .001 to H
before choosing the factor an item cross-loads on (unseeded), here H itself decides, ties
by model order. Each fit starts from the population values (ordered items: with the data
set's own thresholds) and has converged only within the engine's gradient tolerance
(lavaan in the package stops at a relative change of .001 and skips its checks); a fit
that does not converge from there is restarted from lavaan's default starting values, and
one that still fails is counted in ``n_failed`` and left out of that level's quantiles —
never silently.

References: McNeish, D., & Wolf, M. G. (2023). Dynamic fit index cutoffs for confirmatory
factor analysis models. *Psychological Methods*, 28(1), 61–88; McNeish, D. (2023). Dynamic
fit index cutoffs for categorical factor analysis with Likert-type, ordinal, or binary
responses. *American Psychologist*, 78(9), 1061–1075; Hu, L., & Bentler, P. M. (1999).
*Structural Equation Modeling*, 6(1), 1–55; Hancock, G. R., & Mueller, R. O. (2001),
coefficient H.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from analysis.stats import _sem_fit, _sem_ordinal
from analysis.stats._blas import one_blas_thread
from analysis.stats._sem_cfa import CFAResult, state_of
from analysis.stats._sem_engine import Model, make_sample
from analysis.stats._sem_ordinal import OrdinalModel, OrdinalSample, make_ordinal_sample
from analysis.stats._sem_partable import build_partable, reparametrize
from analysis.stats._sem_start import start_values, x_from_rows
from analysis.stats.lavaan_syntax import parse_model
from analysis.stats.results import Result

#: The package's largest simulated sample size (``n <- min(n, 2000)``).
MAX_N = 2000
#: Residual correlation added per pair of items in one-factor models (``one_add``).
RESIDUAL_CORRELATION = 0.3
#: Powers tried for a level's cutoff: .95, .94, …, 0 (``seq(.95, 0, -.01)``).
POWERS = np.round(np.arange(95, -1, -1) / 100, 2)
INDICES = ("srmr", "rmsea", "cfi")


@dataclass(frozen=True)
class DynamicCutoffs(Result):
    """Result of :func:`dynamic_cutoffs`.

    Attributes
    ----------
    cutoffs : DataFrame
        One row per level (0 = the true model): ``level``, ``misspecification`` (what the
        level adds to the population model), for each of ``srmr``, ``rmsea``, ``cfi`` the
        cutoff and ``<index>_power`` (level 0: the specificity .95; levels 1+: the share of
        that level's misspecified fits beyond the cutoff; cutoff NaN when below .50, the
        package's NONE) and ``meets_<index>`` (the fitted model's value within the cutoff:
        SRMR and RMSEA ≤, CFI ≥; missing without a cutoff), ``n_converged`` and
        ``n_failed`` (replications that did not converge, left out). Also ``to_frame()``.
    fit : dict
        The fitted model's ``srmr``, ``rmsea`` and ``cfi``.
    replications : DataFrame
        ``level, rep, srmr, rmsea, cfi, converged`` of every simulated fit (the package's
        ``$data``).
    population : str
        The population (level-0) model in lavaan syntax with its standardized values.
    misspecifications : tuple of str
        The statements added, in order; level k adds the first ones, see ``cutoffs``.
    n : int
        Rows per simulated data set: min(n of the fit, 2000).
    reps, seed : int
    estimator : str
        ``"ML"`` (``cfaOne``/``cfaHB``: normal data, RMSEA and CFI from the ML χ²) or
        ``"WLSMV"`` (``catOne``/``catHB``: ordered items; ``rmsea`` and ``cfi`` are then
        lavaan's ``rmsea.scaled`` and ``cfi.scaled``, in ``fit`` and ``replications``
        alike).
    """

    cutoffs: pd.DataFrame
    fit: Mapping[str, float]
    replications: pd.DataFrame = field(repr=False)
    population: str
    misspecifications: tuple[str, ...]
    n: int
    reps: int
    seed: int
    estimator: str

    def to_frame(self) -> pd.DataFrame:
        """The cutoffs table (``cutoffs``)."""
        return self.cutoffs.copy()


# ------------------------------------------------------------------- the population
@dataclass
class _Population:
    """The standardized model: loadings (factor, item, λ) in table order, factor and
    residual correlations {(a, b): r}, items and factors in model order; for ordered items
    the thresholds of each item's latent response (empty for ML)."""

    items: list[str]
    factors: list[str]
    loadings: list[tuple[str, str, float]]
    factor_cor: dict[tuple[str, str], float]
    residual_cor: dict[tuple[str, str], float]
    thresholds: dict[str, np.ndarray] = field(default_factory=dict)

    def matrices(self, cross: tuple[tuple[str, str, float], ...] = (),
                 residual: tuple[tuple[str, str, float], ...] = ()
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Λ, Φ and Θ of the model with added cross-loadings (factor, item, value) and
        residual correlations (item, item, value), as ``sim_standardized`` completes them:
        every item's variance 1, Θ_ij = r_ij·√(θ_i θ_j)."""
        ii = {v: k for k, v in enumerate(self.items)}
        fi = {f: k for k, f in enumerate(self.factors)}
        lam = np.zeros((len(self.items), len(self.factors)))
        for f, v, value in [*self.loadings, *cross]:
            lam[ii[v], fi[f]] = value
        phi = np.eye(len(self.factors))
        for (a, b), r in self.factor_cor.items():
            phi[fi[a], fi[b]] = phi[fi[b], fi[a]] = r
        theta = 1.0 - np.einsum("ij,jk,ik->i", lam, phi, lam)
        if (theta <= 0).any():
            bad = [v for v, t in zip(self.items, theta) if t <= 0]
            raise ValueError(f"dynamic_cutoffs: the standardized loadings of {bad} leave no "
                             "residual variance; the population model is not admissible")
        cov = np.diag(theta)
        sd = np.sqrt(theta)
        for a, b, r in [*((a, b, r) for (a, b), r in self.residual_cor.items()), *residual]:
            cov[ii[a], ii[b]] = cov[ii[b], ii[a]] = r * sd[ii[a]] * sd[ii[b]]
        return lam, phi, cov

    def sigma(self, cross=(), residual=()) -> np.ndarray:
        """The implied correlation matrix of the items."""
        lam, phi, cov = self.matrices(cross, residual)
        return lam @ phi @ lam.T + cov

    def values(self, pt) -> np.ndarray:
        """The population values on the rows of a table of the same model (std.lv): the
        starting values of every simulated fit."""
        lam, phi, cov = self.matrices()
        ii = {v: k for k, v in enumerate(self.items)}
        fi = {f: k for k, f in enumerate(self.factors)}
        out = np.zeros(len(pt.lhs))
        for k, (a, op, b) in enumerate(zip(pt.lhs, pt.op, pt.rhs)):
            if op == "=~":
                out[k] = lam[ii[b], fi[a]]
            elif op == "~~" and a in fi:
                out[k] = phi[fi[a], fi[b]]
            elif op == "~~":
                out[k] = cov[ii[a], ii[b]]
        return out

    def syntax(self) -> str:
        """lavaan syntax with the standardized values (``cfa_lavmod``) and thresholds (the
        package's manual entry: ``x | -0.274*t1``, here to 4 decimals)."""
        lines = [f"{f} =~ " + " + ".join(f"{x:g}*{v}" for g, v, x in self.loadings if g == f)
                 for f in self.factors]
        lines += [f"{a} ~~ {r:g}*{b}" for (a, b), r in self.factor_cor.items()]
        lines += [f"{a} ~~ {r:g}*{b}" for (a, b), r in self.residual_cor.items()]
        lines += [f"{v} | {t:.4f}*t{k}" for v, taus in self.thresholds.items()
                  for k, t in enumerate(taus, 1)]
        return "\n".join(lines)

    def free_syntax(self) -> str:
        """The same model with every parameter free (``cleanmodel``)."""
        lines = [f"{f} =~ " + " + ".join(v for g, v, _ in self.loadings if g == f)
                 for f in self.factors]
        lines += [f"{a} ~~ {b}" for a, b in [*self.factor_cor, *self.residual_cor]]
        return "\n".join(lines)


def _population(fit: CFAResult) -> _Population:
    """The standardized solution of a one-group first-order factor model fitted by ML or
    WLSMV (``cfa_lavmod``: ``std.all`` rounded to 4 decimals; ``Thresh``: the thresholds'
    ``std.all``, unrounded)."""
    state = state_of(fit)
    if fit.estimator not in ("ML", "WLSMV"):
        raise ValueError(f"dynamic_cutoffs needs a fit by ML (cfaOne/cfaHB simulate normal data; "
                         f"the package refuses MLR) or by WLSMV (catOne/catHB), not {fit.estimator}")
    if fit.group_labels:
        raise ValueError("dynamic_cutoffs is for one-group models (the fit has groups "
                         f"{list(fit.group_labels)})")
    pt = state.pt
    est = fit.estimates
    ops = set(est["op"]) - {"=~", "~~", "~1", ":=", "|", "~*~"}
    if ops or pt.ov_x:
        raise ValueError(f"dynamic_cutoffs is for factor models (=~ and ~~); the model has "
                         f"{sorted(ops) or 'exogenous covariates'}")
    lv, ov = list(pt.lv), list(pt.ov)
    rows = est[(est["group"] == 1) & (est["lhs"] != est["rhs"]) & est["op"].isin(["=~", "~~"])]   # not intercepts (FIML)
    std = np.round(rows["std_all"].to_numpy(dtype=float), 4)
    loadings: list[tuple[str, str, float]] = []
    factor_cor: dict[tuple[str, str], float] = {}
    residual_cor: dict[tuple[str, str], float] = {}
    for (lhs, op, rhs), x in zip(rows[["lhs", "op", "rhs"]].itertuples(index=False), std):
        if op == "=~":
            if rhs in lv:
                raise ValueError(f"dynamic_cutoffs is for first-order factor models; {lhs} is "
                                 f"measured by the factor {rhs}")
            loadings.append((lhs, rhs, float(x)))
        elif op == "~~":
            (factor_cor if lhs in lv else residual_cor)[lhs, rhs] = float(x)
    big = [f"{a} {op} {b}" for (a, op, b), x in
           zip(rows[["lhs", "op", "rhs"]].itertuples(index=False), std) if abs(x) >= 1]
    if big or not np.all(np.isfinite(std)):
        raise ValueError(f"dynamic_cutoffs: standardized values of {big or 'some parameters'} are "
                         "not below 1 in absolute value (an improper solution)")
    th = est[est["op"] == "|"]
    thresholds = {v: th.loc[th["lhs"] == v, "std_all"].to_numpy(dtype=float) for v in ov} \
        if len(th) else {}
    return _Population(items=ov, factors=lv, loadings=loadings, factor_cor=factor_cor,
                       residual_cor=residual_cor, thresholds=thresholds)


Misspecification = tuple[tuple[tuple[str, str, float], ...], tuple[tuple[str, str, float], ...]]


def _one_factor(pop: _Population) -> tuple[list[str], list[Misspecification]]:
    """Residual correlations of .3 between pairs of the lowest-loading items (``one_add``,
    ``DGM_one``): the statements and, per level, (cross-loadings, residual correlations)."""
    busy = {v for pair in pop.residual_cor for v in pair}
    free = sorted(((v, x) for _, v, x in pop.loadings if v not in busy), key=lambda t: abs(t[1]))
    k = len(free)
    if k < 4:
        raise ValueError(f"dynamic_cutoffs: a one-factor model needs four items without a residual "
                         f"covariance to add misspecifications ({k} here)")
    take = 2 if k == 4 else 4 if k == 5 else 2 * (k // 2)
    pairs = [(free[i + 1][0], free[i][0], RESIDUAL_CORRELATION) for i in range(0, take, 2)]
    m = k // 2
    levels = [1] if k == 4 else [1, 2] if k == 5 else [m // 3, 2 * m // 3, m]
    text = [f"{a} ~~ {r:g}*{b}" for a, b, r in pairs]
    return text, [((), tuple(pairs[:n])) for n in levels]


def _coefficient_h(pop: _Population) -> dict[str, float]:
    """Hancock & Mueller's coefficient H of each factor from its standardized loadings."""
    out = {}
    for f in pop.factors:
        s = sum(x * x / (1 - x * x) for g, _, x in pop.loadings if g == f)
        out[f] = 1.0 / (1.0 + 1.0 / s) if s > 0 else 0.0
    return out


def _multi_factor(pop: _Population) -> tuple[list[str], list[Misspecification]]:
    """Cross-loadings of the lowest-loading item of F − 1 factors (``multi_num_HB``,
    ``multi_add_HB``, ``DGM_Multi_HB``)."""
    count: dict[str, int] = {}
    for _, v, _ in pop.loadings:
        count[v] = count.get(v, 0) + 1
    busy = {v for pair in pop.residual_cor for v in pair}
    n_items = {f: sum(g == f for g, _, _ in pop.loadings) for f in pop.factors}
    options = [t for t in pop.loadings if count[t[1]] == 1 and t[1] not in busy]
    n_f = len(pop.factors)
    if len(options) < n_f - 1:
        raise ValueError("dynamic_cutoffs: not enough items loading on one factor only (without "
                         "residual covariances) to add a cross-loading for each level")

    def priority(f: str) -> int:                 # factors with more than two items first
        return 0 if n_items[f] > 2 else 1

    lowest = []
    for f in sorted({t[0] for t in options}):    # dplyr's group order: factor names sorted
        mine = [t for t in options if t[0] == f]
        low = min(abs(t[2]) for t in mine)
        lowest += [t for t in mine if abs(t[2]) == low]
    crosses = sorted(lowest, key=lambda t: (priority(t[0]), abs(t[2])))[:n_f - 1]
    h = _coefficient_h(pop)

    def phi(a: str, b: str) -> float | None:
        return pop.factor_cor.get((a, b), pop.factor_cor.get((b, a)))

    used: set[frozenset[str]] = set()
    chosen = []
    for f, v, x in sorted(crosses, key=lambda t: abs(t[2])):
        targets = [g for g in pop.factors
                   if g != f and phi(f, g) is not None and frozenset((f, g)) not in used]
        if not targets:
            continue
        g = max(targets, key=lambda t: h[t])      # first in model order among ties
        used.add(frozenset((f, g)))
        r = float(phi(f, g) or 0.0)
        allowed = round(0.95 * (math.sqrt(x * x * r * r + 1 - x * x) - abs(x * r)), 4)
        chosen.append((f, v, x, g, min(abs(x), abs(allowed)), h[g]))
    chosen.sort(key=lambda t: (priority(t[0]), t[2], -t[5]))
    cross = [(g, v, value) for _, v, _, g, value, _ in chosen]
    text = [f"{g} =~ {value:g}*{v}" for g, v, value in cross]
    return text, [(tuple(cross[:k]), ()) for k in range(1, len(cross) + 1)]


def _simulate(pop: _Population, spec: Misspecification, pt, x0: np.ndarray, K: np.ndarray,
              start: np.ndarray, n: int, reps: int, rng: np.random.Generator) -> np.ndarray:
    """SRMR, RMSEA, CFI and convergence (1/0) of ``reps`` fits to normal data of ``n`` rows
    from the population with the misspecification ``spec``."""
    order = [pop.items.index(v) for v in pt.ov]
    sigma = pop.sigma(*spec)[np.ix_(order, order)]
    chol = np.linalg.cholesky(sigma)
    p = len(order)
    df = p * (p + 1) // 2 - K.shape[1]
    base_df = p * (p - 1) // 2
    out = np.full((reps, 4), np.nan)
    for r in range(reps):
        sample = make_sample(rng.standard_normal((n, p)) @ chol.T)
        model = Model(pt, [sample], x0, K, False)
        theta, ok = model.fit(start, aim=1.0)           # converged: gradient within GRAD_TOL
        if not ok:           # lavaan's default starting values, as cfa() would begin
            theta, ok = model.fit(np.linalg.lstsq(
                K, x_from_rows(pt, start_values(pt, [sample])) - x0, rcond=None)[0], aim=1.0)
        if not ok:
            out[r, 3] = 0.0
            continue
        chisq = n * model.objective(theta)
        base = n * (np.sum(np.log(np.diag(sample.cov))) - np.linalg.slogdet(sample.cov)[1])
        out[r] = (_sem_fit.srmr(model, theta), _sem_fit.rmsea(chisq, df, n, 1),
                  _sem_fit.cfi(chisq, df, base, base_df), 1.0)
    return out


def _simulate_ordinal(pop: _Population, spec: Misspecification, stmts, ov: list[str], n: int,
                      reps: int, rng: np.random.Generator) -> np.ndarray:
    """SRMR, scaled RMSEA, scaled CFI and convergence (1/0) of ``reps`` WLSMV fits to
    ordered data of ``n`` rows: normal latent responses from the population with the
    misspecification ``spec``, cut at the thresholds (``one_fit_cat``/``true_fit_one_cat``).
    A category no row of a data set falls in is left out of that fit (lavaan's ``ordered``
    takes the categories a data set has); an item with a single category fails the fit."""
    order = [pop.items.index(v) for v in ov]         # the items in the fitted table's order
    chol = np.linalg.cholesky(pop.sigma(*spec)[np.ix_(order, order)])
    p = len(ov)
    out = np.full((reps, 4), np.nan)
    tables: dict[tuple[int, ...], tuple] = {}     # by the number of thresholds per item
    for r in range(reps):
        z = rng.standard_normal((n, p)) @ chol.T
        codes = np.column_stack([np.searchsorted(pop.thresholds[v], z[:, j])   # #{τ < y*}
                                 for j, v in enumerate(ov)])
        levels = {v: np.unique(codes[:, j]).tolist() for j, v in enumerate(ov)}
        key = tuple(len(lev) - 1 for lev in levels.values())
        if min(key) < 1:
            out[r, 3] = 0.0
            continue
        if key not in tables:
            pt = build_partable(stmts, 1, std_lv=True, n_thresholds=dict(zip(ov, key)))
            x0, K = reparametrize(pt, np.nan_to_num(pt.value))
            tables[key] = pt, x0, K, pop.values(pt)
        pt, x0, K, rows = tables[key]
        sample = make_ordinal_sample(pd.DataFrame(codes, columns=ov), levels, "")
        model = OrdinalModel(pt, [sample], x0, K)
        theta, ok = model.fit(_ordinal_start(model, rows, sample), aim=1.0)
        if not ok:           # lavaan's default starting values (from cov and mean), as cfa()
            default = start_values(pt, [sample])  # type: ignore[list-item]
            theta, ok = model.fit(_ordinal_start(model, default, sample), aim=1.0)
        if not ok:
            out[r, 3] = 0.0
            continue
        fit = _sem_ordinal.fit_measures(model, theta, len(sample.obs) - model.n_theta)
        out[r] = fit["srmr"], fit["rmsea.scaled"], fit["cfi.scaled"], 1.0
    return out


def _ordinal_start(model: OrdinalModel, rows: np.ndarray, sample: OrdinalSample) -> np.ndarray:
    """θ from table values ``rows`` with the sample's thresholds and scaling factors 1."""
    start = rows.copy()
    start[model.th_rows[0]] = sample.tau
    start[model.delta_rows[0]] = 1.0
    return np.linalg.lstsq(model.K, x_from_rows(model.pt, start) - model.x0, rcond=None)[0]


def _cutoff(misspecified: np.ndarray, level0: float, index: str) -> tuple[float, float]:
    """(cutoff, power) of one index and level: the misspecified fits' quantile at the
    highest power .95, .94, … that is still beyond the true model's level-0 value; NaN
    below power .50 (the package's NONE)."""
    if index == "cfi":
        q = np.quantile(misspecified, POWERS)
        beyond = q <= level0
    else:
        q = np.quantile(misspecified, 1 - POWERS)
        beyond = q >= level0
    k = int(np.argmax(beyond)) if beyond.any() else len(POWERS) - 1
    power = float(POWERS[k])
    return (float(q[k]) if power >= 0.5 else np.nan), power


@one_blas_thread
def dynamic_cutoffs(fit: CFAResult, *, reps: int = 500, seed: int = 2023) -> DynamicCutoffs:
    """Dynamic fit index cutoffs of McNeish & Wolf (2023) for SRMR, RMSEA and CFI, as the R
    package ``dynamic``'s ``cfaOne`` (one factor) and ``cfaHB`` (several factors), for
    ordered items fitted by WLSMV its ``catOne`` and ``catHB`` (McNeish 2023).

    Data sets of the fit's size (at most 2000 rows) are simulated from the fitted model's
    standardized solution (level 0) and from versions with misspecifications of increasing
    severity — one factor: residual correlations of .3 between pairs of the weakest items
    (levels 1–3); several factors: cross-loadings of the weakest items (levels 1 to F − 1)
    — and the model is fitted to each by ML; for a WLSMV fit the latent responses are cut
    at the fit's thresholds into ordered categories and the model is fitted by WLSMV
    (cutoffs of SRMR and the scaled RMSEA and CFI). A level's cutoff is the value that
    separates its misspecified fits from the true-model fits: the rules, the departures
    (random numbers, convergence, empty categories) and the sources are in
    :mod:`analysis.stats._sem_dynamic`.

    Parameters
    ----------
    fit : CFAResult
        A converged one-group factor model (``=~``, factor and residual covariances) fitted
        by ML, or by WLSMV with every item ordered (:func:`analysis.stats.sem.cfa`).
    reps : int
        Simulated data sets per level (``cfaOne``/``cfaHB``'s 500; ``catOne``/``catHB``
        default to 250).
    seed : int
        Seed of numpy's generator: the same seed gives the same cutoffs.

    Returns
    -------
    DynamicCutoffs
        ``cutoffs`` (also ``to_frame()``): per level the cutoffs of ``srmr``, ``rmsea``,
        ``cfi`` (WLSMV: ``rmsea.scaled``, ``cfi.scaled``), their power and whether the fit
        meets each; ``replications`` every simulated fit; non-converged replications
        counted in ``n_failed``.

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.stats.sem import cfa, dynamic_cutoffs
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> fit = cfa(hs, "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9")
    >>> d = dynamic_cutoffs(fit, reps=50, seed=1)
    >>> d.to_frame()[["level", "srmr", "rmsea", "cfi"]].round(3).shape
    (3, 4)
    >>> d.misspecifications[0]
    'textual =~ 0.4236*x2'

    Ordered items (WLSMV; four items: one level, a residual correlation of the two weakest):

    >>> x = datasets.load("ordinal_skewed")
    >>> c = dynamic_cutoffs(cfa(x, "f =~ q1 + q3 + q4 + q5", ordered=True), reps=20, seed=1)
    >>> c.estimator, c.misspecifications
    ('WLSMV', ('q3 ~~ 0.3*q5',))
    >>> c.population.splitlines()[:2]
    ['f =~ 0.7205*q1 + 0.663*q3 + 0.6712*q4 + 0.6243*q5', 'q1 | -2.0773*t1']
    """
    if reps < 20:
        raise ValueError(f"reps={reps}: percentiles of fewer than 20 replications are not "
                         "cutoffs (the package uses 500)")
    pop = _population(fit)
    text, levels = _one_factor(pop) if len(pop.factors) == 1 else _multi_factor(pop)
    stmts = parse_model(pop.free_syntax())
    pt = build_partable(stmts, 1, std_lv=True)
    n = min(fit.n, MAX_N)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(levels) + 1)]
    specs = [((), ()), *levels]
    if fit.estimator == "WLSMV":
        sims = [_simulate_ordinal(pop, spec, stmts, list(pt.ov), n, reps, rng)
                for spec, rng in zip(specs, streams)]
    else:
        x0, K = reparametrize(pt, np.nan_to_num(pt.value))
        start = np.linalg.lstsq(K, x_from_rows(pt, pop.values(pt)) - x0, rcond=None)[0]
        sims = [_simulate(pop, spec, pt, x0, K, start, n, reps, rng)
                for spec, rng in zip(specs, streams)]
    true = sims[0][sims[0][:, 3] == 1]
    level0 = {"srmr": np.quantile(true[:, 0], 0.95), "rmsea": np.quantile(true[:, 1], 0.95),
              "cfi": np.quantile(true[:, 2], 0.05)}
    scaled = ".scaled" if fit.estimator == "WLSMV" else ""     # catOne: lavaan's *.scaled
    observed = {k: float(fit.fit[k if k == "srmr" else k + scaled]) for k in INDICES}
    table = []
    for lev, sim in enumerate(sims):
        ok = sim[sim[:, 3] == 1]
        n_stmt = len(levels[lev - 1][0]) + len(levels[lev - 1][1]) if lev else 0
        row: dict[str, object] = {
            "level": lev,
            "misspecification": "; ".join(text[:n_stmt]) if lev else "none (population model)"}
        for j, index in enumerate(INDICES):
            cut, power = (float(level0[index]), 0.95) if lev == 0 else \
                _cutoff(ok[:, j], float(level0[index]), index)
            row[index], row[f"{index}_power"] = cut, power
            row[f"meets_{index}"] = pd.NA if not np.isfinite(cut) else bool(
                observed[index] >= cut if index == "cfi" else observed[index] <= cut)
        row["n_converged"], row["n_failed"] = len(ok), reps - len(ok)
        table.append(row)
    cutoffs = pd.DataFrame(table)
    for index in INDICES:
        cutoffs[f"meets_{index}"] = cutoffs[f"meets_{index}"].astype("boolean")
    reps_frame = pd.DataFrame({
        "level": np.repeat(np.arange(len(sims)), reps), "rep": np.tile(np.arange(1, reps + 1), len(sims)),
        **{k: np.concatenate([s[:, j] for s in sims]) for j, k in enumerate(INDICES)},
        "converged": np.concatenate([s[:, 3] == 1 for s in sims])})
    return DynamicCutoffs(cutoffs=cutoffs, fit=observed, replications=reps_frame,
                          population=pop.syntax(), misspecifications=tuple(text), n=n,
                          reps=reps, seed=seed, estimator=fit.estimator)
