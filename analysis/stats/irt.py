"""Item response theory: differential item functioning by ordinal logistic regression, and the
Rasch partial credit model by conditional maximum likelihood.

* :func:`dif_ordinal` — DIF of ordinal items between groups: the three nested
  proportional-odds models of Zumbo (1999) and ``lordif`` (Choi, Gibbons & Crane 2011), their
  likelihood-ratio tests, pseudo-R² changes with the Jodoin & Gierl (2001) size classes, and
  the change of the matching criterion's coefficient (Crane et al. 2006).
* :func:`pcm` — the partial credit model (Masters 1982) by conditional ML as R's ``eRm``
  (Mair & Hatzinger 2007): item-category and threshold parameters with standard errors,
  ordered/disordered thresholds, ML person parameters and infit/outfit statistics;
  :func:`category_probabilities` gives the category probability curves for a figure.

Libraries where right, own code where not:

* The proportional-odds fits are own code (:func:`_polr`): Newton–Raphson on the analytic
  gradient and Hessian of ``MASS::polr(method = "logistic")``'s likelihood. statsmodels'
  ``OrderedModel`` maximises the same likelihood and agrees with polr (log-likelihoods ~1e-10,
  coefficients ~1e-7), but by BFGS on numerical derivatives: 11 s for the three models of ten
  0–10 items of 900 persons, where Newton takes well under a second and stops at an exact
  optimum (``tests/test_irt_dif.py``; ``benchmarks/bench_dif.py``).
* The partial credit model is own code. No Python library estimates it by conditional ML:
  PyPI ``mirt`` (1.2) fits by marginal ML (EM) with a normal ability distribution, ``girth``
  (0.8.0, no release since 2021) by marginal or joint ML, ``raschpy`` (1.4) by the PAIR
  pairwise algorithm (and pulls in matplotlib and seaborn), ``py-irt`` is Bayesian. Their
  thresholds therefore differ from eRm's by design, not by rounding. The conditional
  likelihood needs only the elementary symmetric functions of the item-category parameters,
  computed here by the summation algorithm (Andersen 1977; Fischer & Molenaar 1995, ch. 15:
  the polynomial of each item ``1 + e^{beta_i1} t + ... + e^{beta_im} t^m`` multiplied out
  item by item, without subtractions); Newton–Raphson with the analytic gradient and Hessian
  (second-order symmetric functions) reaches the optimum in a few steps, and the Hessian gives
  the standard errors (eRm takes ``nlm``'s finite-difference Hessian; they agree to ~1e-4).
  One deliberate difference: with missing answers, eRm 1.0-2 groups the parameters of the
  items a person answered by the category counts of the *first* items, which is wrong when a
  missing item has a different number of categories from the one it displaces; here each
  pattern of answered items gets its own symmetric functions (checked against a brute-force
  likelihood, ``tests/r/irt_pcm.R``).
* A graded response model (Samejima 1969) is left out: the reference implementation is R's
  ``mirt`` (Chalmers 2012), which is not among the Debian R packages this project builds its
  fixtures with, so a fit could not be tested against it; of the Python packages, ``girth``'s
  ``grm_mml`` is unmaintained since 2021 and gives no standard errors, and PyPI ``mirt`` is a
  young single-author re-implementation (compiled backend) unrelated to R's mirt, with no
  independent reference to test it against here. lavaan 0.6.14's experimental
  ``estimator = "MML"`` (full-information ML of ordered items, the normal-ogive graded model)
  was tried as the reference instead: on five 4-category items of 500 simulated persons it
  stopped after 19 s with every loading at 0 and a non-zero gradient, so it is not one.

Examples
--------
>>> from analysis import datasets
>>> from analysis.stats import irt
>>> x = datasets.load("ordinal_skewed")
>>> res = irt.pcm(x, ["q1", "q2", "q3", "q4", "q5"])
>>> res.to_frame()[["item", "location", "ordered", "infit_msq"]].round(2)
  item  location  ordered  infit_msq
0   q1      0.21     True       0.77
1   q2      0.53     True       0.90
2   q3      0.16     True       0.80
3   q4      0.45     True       0.83
4   q5      0.75     True       0.87
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
import pandas as pd
from scipy import interpolate, optimize, special, stats

from analysis.stats.checks import numeric_frame, require_columns, require_frame
from analysis.stats.results import Result

__all__ = ["DIF_SIZE_LIMITS", "OrdinalDif", "PartialCredit", "category_probabilities",
           "dif_ordinal", "pcm"]

#: Jodoin & Gierl (2001, *Applied Measurement in Education* 14(4), 329–349): a pseudo-R²
#: change below .035 is negligible, .035–.070 moderate, above .070 large DIF.
DIF_SIZE_LIMITS = (0.035, 0.070)

Criterion = Literal["sum", "rest"]
PseudoR2 = Literal["mcfadden", "nagelkerke", "cox_snell"]


# ----------------------------------------------------------------------------------------------
# DIF by ordinal logistic regression
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrdinalDif(Result):
    """DIF by ordinal logistic regression (see :func:`dif_ordinal`).

    ``table`` has one row per item: ``item, n, note`` (why an item has no statistic; empty
    when it has), the likelihood-ratio tests ``chi2_12, df_12, p_12`` (uniform DIF, model 1
    vs 2), ``chi2_23, df_23, p_23`` (non-uniform, 2 vs 3), ``chi2_13, df_13, p_13`` (total,
    1 vs 3), the pseudo-R² of each model ``r2_1, r2_2, r2_3`` (the ``pseudo_r2`` measure), the
    changes ``delta_r2_12, delta_r2_23, delta_r2_13`` with their Jodoin–Gierl classes
    ``size_12, size_23, size_13`` (``negligible``, ``moderate``, ``large``), and
    ``beta_change_pct``, 100·|b₁ − b₂|/|b₁| for the criterion's coefficient in models 1 and 2.
    ``coefficients`` holds every model's slopes: ``item, model, term, estimate, se`` (terms
    ``criterion``, ``group[level]``, ``criterion:group[level]``; the first level the
    reference), ``thresholds`` the cut-points ``item, model, threshold, estimate``
    (polr's ``zeta``) and ``fits`` each model's ``item, model, loglik, mcfadden, cox_snell,
    nagelkerke`` (model 0 the thresholds-only model). ``n`` persons were analysed (every item and the group answered),
    ``n_excluded`` left out; ``levels`` and ``level_counts`` describe the group.
    """

    table: pd.DataFrame
    coefficients: pd.DataFrame
    thresholds: pd.DataFrame
    fits: pd.DataFrame
    n: int
    n_excluded: int
    criterion: str
    pseudo_r2: str
    levels: tuple
    level_counts: tuple

    def to_frame(self) -> pd.DataFrame:
        """The per-item table."""
        return self.table


@dataclass(frozen=True)
class _PolrFit:
    llf: float
    params: np.ndarray          # (β, ζ)
    cov: np.ndarray
    converged: bool


def _size_class(delta: float) -> str | None:
    if not np.isfinite(delta):
        return None
    low, high = DIF_SIZE_LIMITS
    return "negligible" if delta < low else "large" if delta > high else "moderate"


def _polr(y: np.ndarray, x: np.ndarray) -> _PolrFit:
    """Proportional-odds (cumulative logit) fit of category codes ``y`` (0…K−1, each observed)
    on the columns of ``x``, as ``MASS::polr(method = "logistic")``: logit P(Y ≤ k) = ζ_k − xβ.

    Newton–Raphson on the analytic gradient and Hessian of the log-likelihood in (β, ζ), from
    the thresholds-only fit (β = 0, ζ the logits of the cumulative shares), halving a step
    that does not raise the likelihood or would disorder ζ; converged when the largest
    gradient component is below 1e-9 (polr's own stopping point is ~1e-5 short of that). The
    covariance is the inverse of the negative Hessian at the optimum — polr's ``vcov`` inverts
    optim's finite-difference Hessian of the same function.
    """
    n, p = x.shape
    K = int(y.max()) + 1
    q = p + K - 1
    # d(upper)/dθ and d(lower)/dθ per row: −x for β, the indicator of ζ_k (upper) / ζ_{k−1}
    up = np.zeros((n, q))
    lo = np.zeros((n, q))
    up[:, :p] = lo[:, :p] = -x
    top, bottom = y < K - 1, y > 0
    up[np.flatnonzero(top), p + y[top]] = 1.0
    lo[np.flatnonzero(bottom), p + y[bottom] - 1] = 1.0

    def evaluate(theta: np.ndarray, derivatives: bool = True):
        eta = x @ theta[:p]
        cuts = np.concatenate([[-np.inf], theta[p:], [np.inf]])
        a, b = cuts[y + 1] - eta, cuts[y] - eta
        Fa, Fb = special.expit(a), special.expit(b)
        prob = Fa - Fb
        if np.any(prob <= 0):
            return -np.inf, None, None
        ll = float(np.sum(np.log(prob)))
        if not derivatives:
            return ll, None, None
        fa, fb = Fa * (1 - Fa), Fb * (1 - Fb)
        grad = up.T @ (fa / prob) - lo.T @ (fb / prob)
        l_aa = fa * (1 - 2 * Fa) / prob - (fa / prob) ** 2
        l_bb = -fb * (1 - 2 * Fb) / prob - (fb / prob) ** 2
        l_ab = fa * fb / prob ** 2
        cross = up.T @ (l_ab[:, None] * lo)
        hess = up.T @ (l_aa[:, None] * up) + lo.T @ (l_bb[:, None] * lo) + cross + cross.T
        return ll, grad, hess

    cum = np.cumsum(np.bincount(y, minlength=K))[:-1] / n
    theta = np.concatenate([np.zeros(p), special.logit(cum)])
    ll, grad, hess = evaluate(theta)
    converged = False
    for _ in range(200):
        if np.max(np.abs(grad)) < 1e-9:
            converged = True
            break
        try:
            step = np.linalg.solve(hess, -grad)
        except np.linalg.LinAlgError:
            break
        if grad @ step <= 0:                       # not an ascent direction: gradient step
            step = grad / max(1.0, float(np.max(np.abs(grad))))
        for _ in range(60):
            new = theta + step
            ll_new = evaluate(new, derivatives=False)[0]
            if np.all(np.diff(new[p:]) > 0) and ll_new >= ll - 1e-12 * abs(ll):
                break
            step = step / 2
        else:
            break
        theta = new
        ll, grad, hess = evaluate(theta)
    cov = np.full((q, q), np.nan)
    if converged:
        try:
            cov = np.linalg.inv(-hess)
        except np.linalg.LinAlgError:
            converged = False
    variances = np.diag(cov)
    converged = converged and bool(np.all(np.isfinite(variances)) and np.all(variances > 0))
    return _PolrFit(llf=ll, params=theta, cov=cov, converged=converged)


def dif_ordinal(data: pd.DataFrame, items: Sequence[str], group: str, *,
                criterion: Criterion = "sum", min_group: int = 5,
                pseudo_r2: PseudoR2 = "mcfadden") -> OrdinalDif:
    """Differential item functioning by ordinal logistic regression, one item at a time.

    For each item three proportional-odds models (cumulative logits, as
    ``MASS::polr(method = "logistic")``) are fitted with the matching ``criterion`` and the
    ``group`` (a factor, treatment-coded with the first level in sorted order as reference;
    code-point order, as R's ``factor`` in the C locale — R in other locales sorts letters
    case-insensitively, so ``"Male"``/``"female"`` swap reference there, which flips the
    signs of the group terms but leaves every χ² and pseudo-R² as it is):

    * model 1: ``item ~ criterion``
    * model 2: ``item ~ criterion + group``
    * model 3: ``item ~ criterion + group + criterion:group``

    Likelihood-ratio χ² = 2(LL_b − LL_a): 1 vs 2 tests uniform DIF (df = L − 1 for L group
    levels), 2 vs 3 non-uniform DIF (df = L − 1), 1 vs 3 both (df = 2(L − 1)) (Zumbo 1999, *A
    Handbook on the Theory and Methods of DIF*, Ottawa: National Defence; Crane et al. 2006,
    *Med Care* 44(11 Suppl 3), S115–S123; Choi, Gibbons & Crane 2011, *J Stat Softw* 39(8),
    ``lordif``). Effect sizes: the change in pseudo-R² between the models (lordif's three
    measures, with LL₀ the thresholds-only model, ``sum_k n_k ln(n_k/n)``: McFadden
    1 − LL/LL₀ (lordif's default), Cox–Snell 1 − exp(2(LL₀ − LL)/n), Nagelkerke
    Cox–Snell / (1 − exp(2 LL₀/n))), classed by Jodoin & Gierl (2001, *Appl Meas Educ* 14(4),
    329–349): < .035 negligible, .035–.070 moderate, > .070 large (:data:`DIF_SIZE_LIMITS`).
    The limits were derived for the R² change of logistic-regression DIF; the pseudo-R²
    chosen changes the sizes, so the classes are a guide, not a test. Finally the relative
    change of the criterion's coefficient between models 1 and 2, 100·|b₁ − b₂|/|b₁| (Crane et
    al. 2006 flag ≥ 10 %; lordif's ``beta.change``).

    Two deliberate differences from calling ``polr`` directly (checked against R): an item
    with two observed categories gets the binary logistic fit, which ``polr`` refuses
    ("response must have 3 or more levels"; lordif fits with ``rms::lrm``, which takes it):
    the same as ``glm(item ~ ..., binomial)`` with ``zeta = −intercept``. And ``polr``'s
    default start (from a binary ``glm``) can fail with "initial value in 'vmmin' is not
    finite" on small groups where the ML fit exists; the Newton fit here starts from the
    thresholds-only model and reaches it (the same optimum as ``polr(..., start = )``).
    When a group answers an item only in its top (or bottom) category, that group's
    coefficient has no finite ML estimate (separation): the log-likelihoods, LR χ² and
    pseudo-R² are then their finite limits and agree with ``polr`` (e.g. χ² 30.1165 on
    both sides), but the group's coefficient and SE are whatever large numbers each
    optimiser stops at (seen: 27.1 here, 18.8 in ``polr``) and mean nothing.

    The groups are compared on the observed score, so an item with DIF contaminates the
    criterion of the others (artefactual DIF of the opposite sign); ``criterion="rest"``
    lessens this, lordif's iterative purification with IRT scores is not done here.

    Parameters
    ----------
    data : DataFrame
        One row per person.
    items : sequence of str
        The ordinal items of one scale (numbers; NaN for missing).
    group : str
        Column of the grouping (any values, two or more levels).
    criterion : {"sum", "rest"}
        The matching variable: ``"sum"`` the total score of ``items`` including the studied
        item (Zumbo 1999), ``"rest"`` the total without it.
    min_group : int
        A group level with fewer persons gets no statistic: every item's row says so in
        ``note`` (a result resting on so few persons is not reported).
    pseudo_r2 : {"mcfadden", "nagelkerke", "cox_snell"}
        The pseudo-R² measure of ``r2_*`` and ``delta_r2_*`` (lordif's ``pseudo.R2``).

    Returns
    -------
    OrdinalDif

    Raises
    ------
    ValueError
        Fewer than two items or group levels, a non-numeric item, ``min_group`` < 1 or an
        unknown option.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(4)
    >>> n = 500
    >>> g = rng.choice(["a", "b"], n)
    >>> theta = rng.normal(size=n)
    >>> shift = np.where(g == "b", 1.0, 0.0)        # item q2 is easier in group b
    >>> d = pd.DataFrame({f"q{j}": np.digitize(theta + (shift if j == 2 else 0)
    ...                                        + rng.logistic(size=n) * 0.6, [-1, 0, 1])
    ...                   for j in range(1, 9)}).assign(group=g)
    >>> res = dif_ordinal(d, [f"q{j}" for j in range(1, 9)], "group", criterion="rest")
    >>> res.to_frame()[["item", "p_12", "delta_r2_12", "size_12"]].round(4)
      item    p_12  delta_r2_12     size_12
    0   q1  0.9322       0.0000  negligible
    1   q2  0.0000       0.0506    moderate
    2   q3  0.6674       0.0001  negligible
    3   q4  0.1443       0.0015  negligible
    4   q5  0.6885       0.0001  negligible
    5   q6  0.0922       0.0021  negligible
    6   q7  0.0345       0.0032  negligible
    7   q8  0.6247       0.0002  negligible
    """
    what = "dif_ordinal"
    require_frame(data, what)
    items = list(items)
    if criterion not in ("sum", "rest"):
        raise ValueError(f"{what}: criterion must be 'sum' or 'rest', got {criterion!r}")
    if pseudo_r2 not in ("mcfadden", "nagelkerke", "cox_snell"):
        raise ValueError(f"{what}: pseudo_r2 must be 'mcfadden', 'nagelkerke' or 'cox_snell', got {pseudo_r2!r}")
    if min_group < 1:
        raise ValueError(f"{what}: min_group must be at least 1, got {min_group}")
    if len(items) < 2:
        raise ValueError(f"{what}: expected at least two items, got {items}")
    require_columns(data, [*items, group], what)
    x = numeric_frame(data, what, items)
    keep = x.notna().all(axis=1) & data[group].notna()
    x = x[keep]
    g = data.loc[keep, group]
    levels = pd.Index(pd.unique(g)).sort_values()
    if len(levels) < 2:
        raise ValueError(f"{what}: group {group!r} must have at least two levels among the "
                         f"persons who answered every item, got {list(levels)}")
    counts = g.value_counts().reindex(levels)
    codes = levels.get_indexer(pd.Index(g))
    n = len(x)
    dummies = (codes[:, None] == np.arange(1, len(levels))).astype(float)
    small = [f"group level {lev!r} has {int(c)} persons, fewer than min_group = {min_group}"
             for lev, c in counts.items() if c < min_group]
    total = x.sum(axis=1).to_numpy()
    level_names = [f"group[{lev}]" for lev in levels[1:]]
    terms = {1: ["criterion"], 2: ["criterion", *level_names],
             3: ["criterion", *level_names, *[f"criterion:{t}" for t in level_names]]}
    L1 = len(levels) - 1
    rows: list[dict] = []
    coef_rows: list[dict] = []
    zeta_rows: list[dict] = []
    fit_rows: list[dict] = []
    for item in items:
        y = x[item].to_numpy()
        cats, yc = np.unique(y, return_inverse=True)
        row: dict = {"item": item, "n": n, "note": ""}
        if small:
            row["note"] = "; ".join(small)
        elif len(cats) < 2:
            row["note"] = f"item {item!r} has one observed value ({cats[0]:g})"
        if row["note"]:
            rows.append(row)
            continue
        crit = total if criterion == "sum" else total - y
        designs = {1: crit[:, None], 2: np.column_stack([crit, dummies]),
                   3: np.column_stack([crit, dummies, crit[:, None] * dummies])}
        nk = np.bincount(yc)
        ll0 = float(np.sum(nk * np.log(nk / n)))
        ll, b1, fits = {}, {}, {}
        for m, design in designs.items():
            fits[m] = _polr(yc, design)
        if not all(f.converged for f in fits.values()):
            row["note"] = "a model did not converge (e.g. a group answered the item in one category only)"
            rows.append(row)
            continue
        for m, design in designs.items():
            fit = fits[m]
            ll[m] = fit.llf
            k = design.shape[1]
            b1[m] = float(fit.params[0])
            bse = np.sqrt(np.diag(fit.cov))[:k]
            coef_rows += [{"item": item, "model": m, "term": t, "estimate": float(e), "se": float(s)}
                          for t, e, s in zip(terms[m], fit.params[:k], bse)]
            cut = fit.params[k:]
            zeta_rows += [{"item": item, "model": m, "threshold": f"{cats[j]:g}|{cats[j + 1]:g}",
                           "estimate": float(c)} for j, c in enumerate(cut)]

        def measures(llm: float) -> dict[str, float]:
            cs = float(1 - np.exp(2 * (ll0 - llm) / n))
            return {"mcfadden": 1 - llm / ll0, "cox_snell": cs,
                    "nagelkerke": cs / float(1 - np.exp(2 * ll0 / n))}

        fit_rows += [{"item": item, "model": m, "loglik": v, **measures(v)}
                     for m, v in [(0, ll0), *ll.items()]]

        def r2(llm: float) -> float:
            return measures(llm)[pseudo_r2]

        for (a, b), df in {(1, 2): L1, (2, 3): L1, (1, 3): 2 * L1}.items():
            chi2 = max(2 * (ll[b] - ll[a]), 0.0)
            row[f"chi2_{a}{b}"], row[f"df_{a}{b}"] = chi2, df
            row[f"p_{a}{b}"] = float(stats.chi2.sf(chi2, df))
        for m in (1, 2, 3):
            row[f"r2_{m}"] = r2(ll[m])
        for a, b in ((1, 2), (2, 3), (1, 3)):
            row[f"delta_r2_{a}{b}"] = row[f"r2_{b}"] - row[f"r2_{a}"]
        for a, b in ((1, 2), (2, 3), (1, 3)):
            row[f"size_{a}{b}"] = _size_class(row[f"delta_r2_{a}{b}"])
        row["beta_change_pct"] = 100 * abs(b1[1] - b1[2]) / abs(b1[1])
        rows.append(row)
    columns = ["item", "n", "note", "chi2_12", "df_12", "p_12", "chi2_23", "df_23", "p_23",
               "chi2_13", "df_13", "p_13", "r2_1", "r2_2", "r2_3", "delta_r2_12", "delta_r2_23",
               "delta_r2_13", "size_12", "size_23", "size_13", "beta_change_pct"]
    table = pd.DataFrame(rows).reindex(columns=columns)
    for c in ("df_12", "df_23", "df_13"):
        table[c] = table[c].astype("Int64")
    return OrdinalDif(
        table=table,
        coefficients=pd.DataFrame(coef_rows, columns=["item", "model", "term", "estimate", "se"]),
        thresholds=pd.DataFrame(zeta_rows, columns=["item", "model", "threshold", "estimate"]),
        fits=pd.DataFrame(fit_rows, columns=["item", "model", "loglik", "mcfadden", "cox_snell", "nagelkerke"]),
        n=n, n_excluded=int(len(data) - n), criterion=criterion, pseudo_r2=pseudo_r2,
        levels=tuple(levels), level_counts=tuple(int(c) for c in counts))


# ----------------------------------------------------------------------------------------------
# Rasch partial credit model (conditional ML, as eRm)
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PartialCredit(Result):
    """Rasch partial credit model by conditional ML (see :func:`pcm`).

    ``thresholds``: one row per item, ``item, location`` (mean of its thresholds),
    ``threshold_1 … threshold_M`` and ``se_threshold_1 … se_threshold_M`` (NaN past an item's
    last category), ``ordered`` (thresholds strictly increasing) — eRm's ``thresholds()``.
    ``parameters``: one row per item-category, ``item, category`` (the item's own code),
    ``step`` (1…m), ``beta`` and ``se_beta`` (eRm's ``betapar``: category easiness, summing
    to zero over all item-categories), ``threshold`` and ``se_threshold``. ``itemfit``: one row
    per item, ``item, n, chisq, df, p, outfit_msq, infit_msq, outfit_t, infit_t, discrim``
    (eRm's ``itemfit``, over the persons without an extreme score). ``persons`` (indexed as
    ``data``): ``raw_score, max_score, theta, se, interpolated`` — eRm's ``person.parameter``.
    ``loglik`` is the conditional log-likelihood, ``npar`` the free parameters,
    ``lowest`` each item's lowest observed code (category 0 of the model), ``vcov_beta`` the
    covariance matrix of ``beta``.
    """

    thresholds: pd.DataFrame
    parameters: pd.DataFrame
    itemfit: pd.DataFrame
    persons: pd.DataFrame
    loglik: float
    npar: int
    iterations: int
    n: int
    n_excluded: int
    items: tuple
    lowest: tuple
    vcov_beta: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """One row per item: the thresholds table joined with the item fit."""
        return self.thresholds.merge(self.itemfit.drop(columns="n"), on="item", how="left")


def _poly_product(polys: Sequence[np.ndarray]) -> np.ndarray:
    out = np.ones(1)
    for p in polys:
        out = np.convolve(out, p)
    return out


def _cml_pattern(eps: list[np.ndarray], nr: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """One missing-data pattern's part of the conditional likelihood.

    ``eps[i]`` = [1, e^{beta_i1}, …, e^{beta_im}] for the pattern's items, ``nr[r]`` persons
    with raw score r. Returns sum_r n_r ln gamma_r, the expected category counts
    sum_r n_r P(x_i = h | r) (h ≥ 1) and their derivatives (the Hessian block).
    """
    k = len(eps)
    prefix = [np.ones(1)]
    for e in eps:
        prefix.append(np.convolve(prefix[-1], e))
    suffix = [np.ones(1)] * (k + 1)
    for i in range(k - 1, -1, -1):
        suffix[i] = np.convolve(eps[i], suffix[i + 1])
    gamma = prefix[-1]
    used = nr > 0
    loglik = float(np.sum(nr[used] * np.log(gamma[used])))
    w = np.where(used, nr / gamma, 0.0)
    sizes = [len(e) - 1 for e in eps]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    R = len(gamma) - 1
    # P[r, (i, h)] = e_ih gamma^{(-i)}_{r-h} / gamma_r, h = 1..m_i
    P = np.zeros((R + 1, starts[-1]))
    for i in range(k):
        loo = np.convolve(prefix[i], suffix[i + 1])
        for h in range(1, sizes[i] + 1):
            P[h:h + len(loo), starts[i] + h - 1] = eps[i][h] * loo[:R + 1 - h] / gamma[h:h + len(loo)]
    expected = nr @ P
    H = -(P.T * nr) @ P
    H[np.diag_indices_from(H)] += expected
    for i in range(k):
        acc = prefix[i]
        for j in range(i + 1, k):
            loo2 = np.convolve(acc, suffix[j + 1])
            acc = np.convolve(acc, eps[j])
            # sum_r w_r gamma^{(-i,-j)}_{r-s} for every shift s = h + l
            corr = np.array([np.dot(w[s:s + len(loo2)], loo2[:R + 1 - s]) for s in range(sizes[i] + sizes[j] + 1)])
            hh = np.arange(1, sizes[i] + 1)[:, None]
            ll = np.arange(1, sizes[j] + 1)[None, :]
            block = np.outer(eps[i][1:], eps[j][1:]) * corr[hh + ll]
            si, sj = slice(starts[i], starts[i + 1]), slice(starts[j], starts[j + 1])
            H[si, sj] += block
            H[sj, si] += block.T
    return loglik, expected, H


def _category_probs(theta: np.ndarray, beta_i: np.ndarray) -> np.ndarray:
    """P(X = h | theta), h = 0..m, for one item with easiness ``beta_i`` (h = 1..m)."""
    h = np.arange(len(beta_i) + 1)
    z = np.outer(theta, h) + np.concatenate([[0.0], beta_i])
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def _moments(theta: np.ndarray, betas: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected score, variance and fourth central moment per person (rows) and item (cols)."""
    E, V, C = (np.empty((len(theta), len(betas))) for _ in range(3))
    for i, b in enumerate(betas):
        p = _category_probs(theta, b)
        h = np.arange(p.shape[1])
        E[:, i] = p @ h
        dev = h[None, :] - E[:, i:i + 1]
        V[:, i] = np.sum(dev ** 2 * p, axis=1)
        C[:, i] = np.sum(dev ** 4 * p, axis=1)
    return E, V, C


def _ml_theta(score: float, betas: list[np.ndarray]) -> tuple[float, float]:
    """ML person parameter for a non-extreme raw score on the given items, and its SE."""
    def f(t: float) -> float:
        return float(_moments(np.array([t]), betas)[0].sum() - score)
    lo, hi = -10.0, 10.0
    while f(lo) > 0:
        lo *= 2
    while f(hi) < 0:
        hi *= 2
    t = optimize.brentq(f, lo, hi, xtol=1e-14, rtol=1e-15, maxiter=500)
    info = _moments(np.array([t]), betas)[1].sum()
    return t, float(1 / np.sqrt(info))


def _smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations, 1 − 1/diag(R⁻¹), clipped to [0, 1] (psych::smc)."""
    try:
        s = 1 - 1 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        s = 1 - 1 / np.diag(np.linalg.pinv(r))
    return np.clip(s, 0, 1)


def pcm(data: pd.DataFrame, items: Sequence[str], *, tol: float = 1e-10,
        max_iter: int = 100) -> PartialCredit:
    """Rasch partial credit model by conditional maximum likelihood, as R ``eRm::PCM``.

    P(X_vi = h) ∝ exp(h·θ_v + β_ih), β_i0 = 0 (Masters 1982; eRm's parameterisation, β the
    category *easiness*). Each item's codes are shifted to start at 0 at its lowest observed
    code (eRm does the same). The item-category parameters are estimated by conditional ML:
    given each person's raw score r, the likelihood is Π_i exp(β_{i,x_i}) / γ_r with γ_r the
    elementary symmetric function of the e^{β_ih} of the items the person answered (one
    function per pattern of missing answers, as eRm), computed by the summation algorithm
    (Andersen 1977; Fischer & Molenaar 1995, ch. 15). Identification as ``PCM(sum0 = TRUE)``,
    eRm's default: the β sum to zero over all item-categories. Newton–Raphson on the
    analytic gradient and Hessian; the standard errors come from the inverse Hessian.

    * **thresholds** (eRm's ``thresholds()``): τ_ih = β_i,h−1 − β_ih (the θ where categories
      h − 1 and h are equally likely), ``location`` their mean; standard errors by the delta
      method. ``ordered`` is False when some threshold is not above the one before it
      (disordered thresholds: some category is never the most likely one at any θ).
    * **person parameters** (eRm's ``person.parameter``): ML θ for each raw score on the
      items a person answered, SE = 1/√information. A raw score of 0 or the maximum has no
      finite ML estimate; eRm, and this function, give those persons the value at that score
      of a natural cubic spline through the ML estimates of the pattern's other observed raw
      scores (linear beyond the end knots, as R's ``interpSpline``), ``interpolated = True``
      and no SE — provided the pattern has at least four distinct non-extreme scores, else θ
      is NaN.
    * **item fit** (eRm's ``itemfit``; Wright & Masters 1982): standardised residuals
      z = (x − E)/√V on the persons without an extreme score; ``chisq`` = Σz² with
      ``df`` = n − 1, outfit MSQ = Σz²/n, infit MSQ = Σ(x − E)²/ΣV, and their t by the
      cube-root transformation t = (MSQ^{1/3} − 1)(3/q) + q/3 with q² = Σ(C/V²)/n² − 1/n
      (outfit) and Σ(C − V²)/(ΣV)² (infit), C the fourth central moment. ``discrim`` is eRm's
      item–test correlation (correlations with SMCs on the diagonal; column sums over the
      square root of the total sum).

    Parameters
    ----------
    data : DataFrame
        One row per person; items scored in integers (NaN for missing).
    items : sequence of str
        At least two items.
    tol, max_iter : float, int
        Newton–Raphson stops when no parameter moves more than ``tol``.

    Returns
    -------
    PartialCredit

    Raises
    ------
    ValueError
        Non-integer codes, an item whose answers all fall in one category, an item with a
        category (between its lowest and highest observed code) that nobody chose (its
        parameter would be infinite), no convergence.

    Notes
    -----
    Persons who answered fewer than two of ``items`` carry no information on the item
    parameters (eRm stops on them); they are left out and counted in ``n_excluded``.

    Examples
    --------
    >>> from analysis import datasets
    >>> x = datasets.load("ordinal_skewed")
    >>> res = pcm(x, ["q1", "q2", "q3", "q4", "q5"])
    >>> res.thresholds[["item", "threshold_1", "threshold_2", "threshold_3", "threshold_4"]].round(3)
      item  threshold_1  threshold_2  threshold_3  threshold_4
    0   q1       -1.038       -0.224        0.498        1.618
    1   q2       -0.377       -0.317        0.832        1.980
    2   q3       -1.202        0.060        0.257        1.508
    3   q4       -0.501       -0.202        0.627        1.871
    4   q5       -0.340        0.193        0.765        2.364
    >>> res.persons[["raw_score", "theta", "se", "interpolated"]].head(3).round(3)
       raw_score  theta     se  interpolated
    0         17  2.127  0.653         False
    1         13  0.941  0.472         False
    2         18  2.627  0.773         False
    """
    what = "pcm"
    require_frame(data, what)
    items = list(items)
    if len(items) < 2:
        raise ValueError(f"{what}: expected at least two items, got {items}")
    x = numeric_frame(data, what, items)
    values = x.to_numpy()
    frac = np.isfinite(values) & (values != np.round(values))
    if frac.any():
        r, c = np.argwhere(frac)[0]
        raise ValueError(f"{what}: item codes must be integers; row {x.index[r]!r}, column "
                         f"{items[c]!r} holds {values[r, c]!r} ({int(frac.sum())} such cell(s))")
    answered = np.isfinite(values).sum(axis=1)
    keep = answered >= 2
    values = values[keep]
    index = x.index[keep]
    lowest = np.nanmin(values, axis=0)
    X = values - lowest
    problems = []
    m = np.zeros(len(items), dtype=int)
    for i, item in enumerate(items):
        col = X[:, i][np.isfinite(X[:, i])]
        if col.size == 0:
            problems.append(f"item {item!r} has no answers")
            continue
        m[i] = int(col.max())
        if m[i] == 0:
            problems.append(f"item {item!r}: every answer is {lowest[i]:g} (no information)")
            continue
        unused = [int(h + lowest[i]) for h in range(m[i] + 1) if not np.any(col == h)]
        if unused:
            problems.append(f"item {item!r}: no answers in category {unused} between "
                            f"{lowest[i]:g} and {m[i] + lowest[i]:g} (its parameter would be infinite)")
    if problems:
        raise ValueError(f"{what}: " + "; ".join(problems))
    starts = np.concatenate([[0], np.cumsum(m)])
    K = int(starts[-1])
    obs = np.isfinite(X)
    counts = np.zeros(K)
    for i in range(len(items)):
        col = X[obs[:, i], i].astype(int)
        counts[starts[i]:starts[i + 1]] = np.bincount(col, minlength=m[i] + 1)[1:]
    raw = np.where(obs, X, 0).sum(axis=1)
    patterns, pattern_id = np.unique(obs, axis=0, return_inverse=True)
    pattern_id = pattern_id.ravel()
    groups = []
    for p, mask in enumerate(patterns):
        idx = np.flatnonzero(mask)
        R = int(m[idx].sum())
        nr = np.bincount(raw[pattern_id == p].astype(int), minlength=R + 1).astype(float)
        groups.append((idx, nr))
    W = np.vstack([-np.ones(K - 1), np.eye(K - 1)])      # beta = W eta: sum-zero (eRm sum0)

    def evaluate(eta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Negative conditional log-likelihood, its gradient and Hessian in eta."""
        beta = W @ eta
        eb = np.exp(beta)
        f = -float(counts @ beta)
        grad = -counts.copy()
        H = np.zeros((K, K))
        for idx, nr in groups:
            eps = [np.concatenate([[1.0], eb[starts[i]:starts[i + 1]]]) for i in idx]
            cols = np.concatenate([np.arange(starts[i], starts[i + 1]) for i in idx])
            ll, expected, h = _cml_pattern(eps, nr)
            f += ll
            grad[cols] += expected
            H[np.ix_(cols, cols)] += h
        return f, W.T @ grad, W.T @ H @ W

    eta = np.zeros(K - 1)
    f, g, H = evaluate(eta)
    converged = False
    for iteration in range(1, max_iter + 1):
        step = np.linalg.solve(H, g)
        t = 1.0
        while True:
            f_new, g_new, H_new = evaluate(eta - t * step)
            if f_new <= f + 1e-12 * abs(f) or t < 1e-8:
                break
            t /= 2
        eta, f, g, H = eta - t * step, f_new, g_new, H_new
        if np.max(np.abs(t * step)) < tol:
            converged = True
            break
    if not converged:
        raise ValueError(f"{what}: Newton–Raphson did not converge in {max_iter} iterations")
    beta = W @ eta
    if np.max(np.abs(beta)) > 25 or np.linalg.cond(H) > 1e12:
        raise ValueError(f"{what}: the conditional ML estimates do not exist or are not identified "
                         f"(some item-category parameter runs off to ±infinity: too few persons or "
                         f"too few answers in some category)")
    cov_eta = np.linalg.inv(H)
    cov_beta = W @ cov_eta @ W.T
    # thresholds tau_ih = beta_i,h-1 - beta_ih
    T = np.eye(K)
    for i in range(len(items)):
        for h in range(1, m[i]):
            T[starts[i] + h, starts[i] + h - 1] = -1
    tau = -(T @ beta)
    se_tau = np.sqrt(np.diag(T @ cov_beta @ T.T))
    se_beta = np.sqrt(np.diag(cov_beta))
    M = int(m.max())
    trows, prows = [], []
    for i, item in enumerate(items):
        ti, si = tau[starts[i]:starts[i + 1]], se_tau[starts[i]:starts[i + 1]]
        row = {"item": item, "location": float(ti.mean())}
        row.update({f"threshold_{h}": float(ti[h - 1]) if h <= m[i] else np.nan for h in range(1, M + 1)})
        row.update({f"se_threshold_{h}": float(si[h - 1]) if h <= m[i] else np.nan for h in range(1, M + 1)})
        row["ordered"] = bool(np.all(np.diff(ti) > 0))
        trows.append(row)
        for h in range(1, m[i] + 1):
            k = starts[i] + h - 1
            prows.append({"item": item, "category": int(lowest[i]) + h, "step": h, "beta": beta[k],
                          "se_beta": se_beta[k], "threshold": tau[k], "se_threshold": se_tau[k]})
    betas = [beta[starts[i]:starts[i + 1]] for i in range(len(items))]

    # ---- person parameters (eRm's person.parameter) ----
    max_score = (obs * m).sum(axis=1)
    extreme = (raw == 0) | (raw == max_score)
    theta = np.full(len(X), np.nan)
    se = np.full(len(X), np.nan)
    for p, mask in enumerate(patterns):
        idx = np.flatnonzero(mask)
        members = pattern_id == p
        inner = members & ~extreme
        scores = np.unique(raw[inner])
        est = {s: _ml_theta(s, [betas[i] for i in idx]) for s in scores}
        for s, (t_s, se_s) in est.items():
            hit = inner & (raw == s)
            theta[hit], se[hit] = t_s, se_s
        outer = members & extreme
        if outer.any() and len(scores) > 3:
            spline = interpolate.CubicSpline(scores, [est[s][0] for s in scores], bc_type="natural")
            for s in np.unique(raw[outer]):
                if s < scores[0]:
                    v = spline(scores[0]) + spline(scores[0], 1) * (s - scores[0])
                else:
                    v = spline(scores[-1]) + spline(scores[-1], 1) * (s - scores[-1])
                theta[outer & (raw == s)] = float(v)
    persons = pd.DataFrame({"raw_score": raw.astype(int), "max_score": max_score, "theta": theta, "se": se,
                            "interpolated": extreme}, index=index)

    # ---- item fit on the persons without an extreme score (eRm's itemfit) ----
    fit_rows = ~extreme
    Xf, Of = X[fit_rows], obs[fit_rows]
    E, V, C = _moments(theta[fit_rows], betas)
    E, V, C = (np.where(Of, a, np.nan) for a in (E, V, C))
    z2 = (Xf - E) ** 2 / V
    nf = Of.sum(axis=0)
    chisq = np.nansum(z2, axis=0)
    outfit = chisq / nf
    infit = np.nansum(z2 * V, axis=0) / np.nansum(V, axis=0)
    q_out = np.sqrt(np.nansum(C / V ** 2, axis=0) / nf ** 2 - 1 / nf)
    q_in = np.sqrt(np.nansum(C - V ** 2, axis=0) / np.nansum(V, axis=0) ** 2)
    rmat = pd.DataFrame(Xf).corr().to_numpy().copy()   # pairwise complete, as cor(use = "pairwise")
    if np.isnan(rmat).any():
        discrim = np.full(len(items), np.nan)
    else:
        np.fill_diagonal(rmat, _smc(rmat))
        discrim = rmat.sum(axis=0) / np.sqrt(rmat.sum())
    itemfit = pd.DataFrame({
        "item": items, "n": nf, "chisq": chisq, "df": nf - 1,
        "p": stats.chi2.sf(chisq, nf - 1), "outfit_msq": outfit, "infit_msq": infit,
        "outfit_t": (outfit ** (1 / 3) - 1) * (3 / q_out) + q_out / 3,
        "infit_t": (infit ** (1 / 3) - 1) * (3 / q_in) + q_in / 3, "discrim": discrim})
    return PartialCredit(
        thresholds=pd.DataFrame(trows), parameters=pd.DataFrame(prows), itemfit=itemfit,
        persons=persons, loglik=-f, npar=K - 1, iterations=iteration, n=int(len(X)),
        n_excluded=int((~keep).sum()), items=tuple(items),
        lowest=tuple(int(v) for v in lowest), vcov_beta=cov_beta)


def category_probabilities(result: PartialCredit, item: str, theta_grid: Sequence[float]) -> pd.DataFrame:
    """Category probability curves of one item of a fitted partial credit model.

    P(X = h | θ) = exp(h·θ + β_h) / Σ_l exp(l·θ + β_l) with β₀ = 0 (equivalently
    exp(Σ_{l ≤ h}(θ − τ_l)) normalised; Masters 1982), for each θ of ``theta_grid``.
    Adjacent curves cross at the thresholds.

    Returns
    -------
    DataFrame
        Long: ``theta, category, probability`` (``category`` the item's own codes), one row per
        θ and category — ready for a line chart with one line per category.

    Examples
    --------
    >>> from analysis import datasets
    >>> res = pcm(datasets.load("ordinal_skewed"), ["q1", "q2", "q3", "q4", "q5"])
    >>> curves = category_probabilities(res, "q1", [-2.0, 0.0, 2.0])
    >>> curves.pivot(index="theta", columns="category", values="probability").round(3)
    category      1      2      3      4      5
    theta
    -2.0      0.689  0.263  0.045  0.004  0.000
     0.0      0.101  0.284  0.356  0.216  0.043
     2.0      0.000  0.009  0.082  0.368  0.540
    """
    if item not in result.items:
        raise KeyError(f"category_probabilities: item {item!r} not in the model (items: {list(result.items)})")
    par = result.parameters[result.parameters["item"] == item]
    grid = np.asarray(theta_grid, dtype=float)
    p = _category_probs(grid, par["beta"].to_numpy())
    low = result.lowest[result.items.index(item)]
    cats = low + np.arange(p.shape[1])
    return pd.DataFrame({"theta": np.repeat(grid, len(cats)), "category": np.tile(cats, len(grid)),
                         "probability": p.ravel()})
