"""Synthetic data with a known truth: comparison cohort, pilot clients, surveys, service use.

Real microdata cannot be shipped, so this module generates a complete, obviously synthetic
data set from a documented latent-variable model. Users learn the workflow on it; the tests
use it to show that the estimators of :mod:`analysis.stats.validity`, :mod:`analysis.stats.change` and
:mod:`analysis.stats.norms` recover the generating values. Own code: no library generates
questionnaire data from a stated population model with exact discrete margins.

Generating model (all randomness from ``numpy.random.default_rng(seed)``)
-------------------------------------------------------------------------
**Latent factors** (general population: standard normal):

* ``G`` general life satisfaction; ``E = 0.7 G + √0.51 u`` self-esteem;
  ``M = 0.8 G + 0.6 u`` mood (WHO-5); ``L = 0.85 G + √0.2775 u`` life judgement (SWLS).
* 3X10D domain ``d``: ``Z_d = a_d F_d + √(1 − a_d²) e_d`` with ``F_d = E`` for self-esteem and
  ``G`` otherwise; loadings ``a_d`` in :data:`DOMAIN_LOADINGS`.
* Item ``j`` of WHO-5 / RSES / SWLS: ``Y_j = 0.75 F + √(1 − 0.75²) e_j`` with ``F = M, E, L``,
  cut at normal quantiles of the item margins in :data:`ITEM_MARGINS`; the five negatively
  worded RSES items (2, 5, 6, 8, 9) are answered in the opposite direction
  (raw = 5 − positive-direction answer).

**Discretisation of the 3X10D.** ``sat_d = clip(round(m_d + s_d Z_d), 0, 10)`` where
``(m_d, s_d)`` are solved so that the *discrete* distribution has exactly the national mean and
SD (:func:`domain_margins`). The national table is used **as first printed**
(:func:`analysis.study.reference_norms.national_norms` with ``corrected=False``): the project's
reference file and the tests compare against that table. The publisher's later erratum lowers
every mean by one (a 1–11 coding reported as 0–10); pass ``norms=national_norms()`` to generate
against the corrected table instead. The rounding keeps the real instrument's ceiling: family
and housing pile up at 10, as in practice.

**Groups.** 25 % are service users, whose ``G`` has mean −0.8 (``E``, ``M``, ``L`` and the
domains inherit the shift through their loadings), so they score lower everywhere;
the exact group means follow from the thresholds (:func:`expected_domain_means`).
Gender, age and the survey weight carry no effect on the scores (weights only correct the
over-sampling of women and 16–19-year-olds to the population shares in :data:`POPULATION`).

**Retest.** A random sixth of the cohort answers again two weeks later:
``Z_retest = μ + 0.85 (Z − μ) + √(1 − 0.85²) Z*``, where ``μ`` is the person's group mean and
the innovation ``Z*`` is a fresh draw of the whole latent structure above —
``Z*_d = a_d F*_d + √(1 − a_d²) ε_d`` with new factors ``G*``, ``E* = 0.7 G* + √0.51 u*`` —
so each domain's latent test–retest correlation is 0.85, the domains correlate at the retest
as at t1, and the common factors are 0.85 stable too (``G_retest = 0.85 G + √(1 − 0.85²) G*``),
a little above the observed two-month retest correlation of the SWLS, 0.82 (Diener et al.
1985). (An innovation without the common part would make the factors perfectly stable, and
a one-factor longitudinal model of the demo estimated the factor correlation as an improper
1.01.) In the large-n simulation below (66 667 retest pairs), the one-factor model of the nine
specific domains at t1 and retest has a factor correlation of 0.86, and their mean an ICC(A,1)
of 0.855; the demo estimates 0.88 (SE 0.02) and 0.89. The unique parts ``ε`` are drawn
where the innovation always was and the new factors after everything else, so the retest
answers are the only data this changes.

**Population correlations** of the 3X10D items with the scored comparison instruments
(Spearman, whole cohort with 25 % service users, large-n simulation: n = 400 000, seed 1,
re-checked in ``tests/test_synthetic.py``) are in :data:`POPULATION_SPEARMAN`, e.g.
life_overall–SWLS 0.67, self_esteem–RSES 0.75, domain_mean–WHO-5 0.66, housing–WHO-5 0.33.
The integer retest scores have ICC(A,1) 0.82–0.84 per domain (same simulation).

**Pilot.** 33 clients with baseline ``G`` mean −1.0; latent improvement by 12 months in
:data:`PILOT_CHANGE_12M` (half of it by 6 months), scaled per person by
``c_i ~ N(1, 0.5²)``; occasions share a latent correlation 0.7. Dropout is monotone and
more likely for low baseline well-being. A global change anchor (−2 … +2) at 12 months
follows the person's mean latent change plus noise.

Examples
--------
>>> data = comparison_cohort(seed=1, n=300)
>>> sorted(data)
['3x10d', 'background', 'rses', 'swls', 'who5']
>>> data["3x10d"]["occasion"].unique().tolist()
['t1', 'retest']
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import yaml
from scipy import optimize, stats

from analysis.intake.instruments import load_instrument
from analysis.study.reference_norms import national_norms

DOMAINS = ("health", "resilience", "housing", "daily_coping", "family", "friends",
           "finances", "strengths", "self_esteem", "life_overall")

#: Loading of each domain's latent response on its factor (``E`` for self-esteem, else ``G``).
DOMAIN_LOADINGS = {"health": 0.55, "resilience": 0.70, "housing": 0.45, "daily_coping": 0.70,
                   "family": 0.50, "friends": 0.50, "finances": 0.45, "strengths": 0.60,
                   "self_esteem": 0.80, "life_overall": 0.85}
#: Shift of ``G`` for service users (latent SD units).
SERVICE_USER_SHIFT = -0.8
SERVICE_USER_SHARE = 0.25
RETEST_CORRELATION = 0.85
ITEM_LOADING = 0.75
#: Marginal response probabilities (positive direction) of the comparison instruments' items.
ITEM_MARGINS = {
    "who5": (0.03, 0.07, 0.15, 0.30, 0.30, 0.15),          # 0..5
    "rses": (0.05, 0.15, 0.45, 0.35),                      # 1..4
    "swls": (0.04, 0.08, 0.12, 0.14, 0.26, 0.26, 0.10),    # 1..7
}
RSES_REVERSED = (2, 5, 6, 8, 9)
#: Population shares (weights) and design shares (sampling) of gender and age group.
POPULATION = {"gender": {"female": 0.49, "male": 0.49, "other": 0.02},
              "age_group": {"16-19": 0.28, "20-24": 0.36, "25-29": 0.36}}
DESIGN = {"gender": {"female": 0.55, "male": 0.42, "other": 0.03},
          "age_group": {"16-19": 0.40, "20-24": 0.35, "25-29": 0.25}}
AGE_GROUPS = {"16-19": (16, 19), "20-24": (20, 24), "25-29": (25, 29)}
#: Latent improvement (SD units) of pilot clients by 12 months.
PILOT_CHANGE_12M = {"health": 0.2, "resilience": 0.4, "housing": 0.6, "daily_coping": 0.6,
                    "family": 0.0, "friends": 0.1, "finances": 0.4, "strengths": 0.5,
                    "self_esteem": 0.3, "life_overall": 0.5}
PILOT_BASELINE_SHIFT = -1.0
#: Population Spearman correlations (3X10D item or domain_mean × scored total), see above.
POPULATION_SPEARMAN = {
    "who5_raw": {"sat_health": 0.41, "sat_resilience": 0.52, "sat_housing": 0.33,
                 "sat_daily_coping": 0.52, "sat_family": 0.36, "sat_friends": 0.37,
                 "sat_finances": 0.34, "sat_strengths": 0.45, "sat_self_esteem": 0.42,
                 "sat_life_overall": 0.63, "domain_mean": 0.66},
    "rses_total": {"sat_health": 0.38, "sat_resilience": 0.47, "sat_housing": 0.30,
                   "sat_daily_coping": 0.47, "sat_family": 0.33, "sat_friends": 0.34,
                   "sat_finances": 0.31, "sat_strengths": 0.41, "sat_self_esteem": 0.75,
                   "sat_life_overall": 0.57, "domain_mean": 0.68},
    "swls_total": {"sat_health": 0.44, "sat_resilience": 0.55, "sat_housing": 0.36,
                   "sat_daily_coping": 0.55, "sat_family": 0.39, "sat_friends": 0.40,
                   "sat_finances": 0.36, "sat_strengths": 0.48, "sat_self_esteem": 0.45,
                   "sat_life_overall": 0.67, "domain_mean": 0.71},
}
#: ICC(A,1) range of the integer t1/retest scores (same simulation).
RETEST_ICC = (0.82, 0.84)
SERVICE_TYPES = ("nurse", "doctor", "social_work", "mental_health", "substance_abuse",
                 "youth_services")
#: Mean visits in the six months before the plan, and the after/before rate ratio (Oulu-like:
#: nurse and doctor fall, mental health rises, total falls slightly).
SERVICE_RATES = {"nurse": (3.0, 0.7), "doctor": (2.0, 0.7), "social_work": (4.0, 1.0),
                 "mental_health": (1.5, 1.5), "substance_abuse": (0.5, 0.9),
                 "youth_services": (2.0, 1.1)}
INDICATOR_PERIODS = ("2015H2", "2016H1", "2016H2")

# Background categories: (values, probabilities for general population, for service users).
ACTIVITY = (("education_or_work", "neet"), (0.92, 0.08), (0.60, 0.40))
INCOME_SUPPORT = ((False, True), (0.95, 0.05), (0.55, 0.45))
LIVING = ("with_parents", "alone", "with_partner", "shared_flat", "supported_housing")
LIVING_PROBS = {"16-19": (0.80, 0.08, 0.04, 0.05, 0.03), "20-24": (0.30, 0.35, 0.20, 0.12, 0.03),
                "25-29": (0.10, 0.40, 0.40, 0.08, 0.02)}

COMMENTS_GOOD = (
    "(synteettinen) Sain kaikki asiat hoidettua yhdellä kertaa.",
    "(synthetic) One worker knew my whole situation.",
    "(synteettinen) Suunnitelma auttoi pääsemään alkuun.",
    "(synthetic) I was listened to.",
    "(synteettinen) Tapaamiset olivat selkeitä.",
)
COMMENTS_IMPROVE = (
    "(synteettinen) Odotusajat olivat liian pitkiä.",
    "(synthetic) The online form was hard to use on a phone.",
    "(synteettinen) Toivoisin enemmän yhteydenpitoa.",
    "(synthetic) Too many people at the first meeting.",
)
COMMENTS_STAFF = (
    "(synteettinen) Yhteinen suunnitelma helpotti työnjakoa.",
    "(synthetic) Sharing information between services is still slow.",
    "(synteettinen) Asiakas oli aidosti mukana.",
    "(synthetic) We need more time for joint meetings.",
)


@lru_cache(maxsize=None)
def _solve_margin(mean: float, sd: float) -> tuple[float, float]:
    def moments(p):
        m, log_s = p
        probs = _rounded_probs(m, np.exp(log_s))
        k = np.arange(11)
        mu = probs @ k
        return (mu - mean, np.sqrt(probs @ (k - mu) ** 2) - sd)

    sol = optimize.root(moments, x0=(mean, np.log(sd)), tol=1e-12)
    if not sol.success or max(map(abs, moments(sol.x))) > 1e-9:
        raise ValueError(f"no 0–10 rounded-normal margin has mean {mean} and SD {sd}")
    return float(sol.x[0]), float(np.exp(sol.x[1]))


def _rounded_probs(m: float, s: float, shift: float = 0.0) -> np.ndarray:
    """P(clip(round(m + s Z), 0, 10) = k), Z ~ N(shift, 1), k = 0..10."""
    cuts = (np.arange(0.5, 10.0, 1.0) - m) / s - shift
    cdf = np.concatenate(([0.0], stats.norm.cdf(cuts), [1.0]))
    return np.diff(cdf)


def domain_margins(norms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Location ``m`` and scale ``s`` of the rounded normal per domain, and the target mean/SD:
    ``domain, m, s, target_mean, target_sd``.

    Parameters
    ----------
    norms : DataFrame, optional
        Columns ``domain``, ``mean`` and ``sd`` (as :func:`national_norms`); default the
        national table as first printed.

    Examples
    --------
    >>> float(domain_margins().set_index("domain").loc["family", "target_mean"])
    8.23
    """
    norms = (national_norms(corrected=False) if norms is None else norms).set_index("domain")
    rows = {d: (*_solve_margin(float(norms.loc[d, "mean"]), float(norms.loc[d, "sd"])),
                float(norms.loc[d, "mean"]), float(norms.loc[d, "sd"])) for d in DOMAINS}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["m", "s", "target_mean", "target_sd"])
    return table.rename_axis("domain").reset_index()


def expected_domain_means(latent_shift: float, norms: pd.DataFrame | None = None) -> pd.Series:
    """Exact population mean of each 3X10D item when ``G`` has mean ``latent_shift``.

    ``latent_shift = 0`` gives the national means; :data:`SERVICE_USER_SHIFT` the service users'.
    """
    margins = domain_margins(norms).set_index("domain")
    k = np.arange(11)
    return pd.Series({d: float(_rounded_probs(margins.loc[d, "m"], margins.loc[d, "s"],
                                              _domain_shift(d, latent_shift)) @ k)
                      for d in DOMAINS}, name="mean")


def _domain_shift(domain: str, g_shift: float) -> float:
    factor = 0.7 if domain == "self_esteem" else 1.0  # E = 0.7 G + ...
    return DOMAIN_LOADINGS[domain] * factor * g_shift


def _factors(rng: np.random.Generator, g_mean: np.ndarray) -> dict[str, np.ndarray]:
    n = len(g_mean)
    g = g_mean + rng.standard_normal(n)
    return {"G": g,
            "E": 0.7 * g + np.sqrt(0.51) * rng.standard_normal(n),
            "M": 0.8 * g + 0.6 * rng.standard_normal(n),
            "L": 0.85 * g + np.sqrt(1 - 0.85 ** 2) * rng.standard_normal(n)}


def _domain_latents(rng: np.random.Generator, f: dict[str, np.ndarray],
                    unique: np.ndarray | None = None) -> np.ndarray:
    """``Z_d = a_d F_d + √(1 − a_d²) e_d``; ``e`` drawn from ``rng`` unless given as ``unique``."""
    n = len(f["G"])
    a = np.array([DOMAIN_LOADINGS[d] for d in DOMAINS])
    common = np.column_stack([f["E"] if d == "self_esteem" else f["G"] for d in DOMAINS])
    e = rng.standard_normal((n, len(DOMAINS))) if unique is None else unique
    return common * a + e * np.sqrt(1 - a ** 2)


def _discretise(z: np.ndarray, margins: pd.DataFrame) -> np.ndarray:
    m = margins.loc[list(DOMAINS), "m"].to_numpy()
    s = margins.loc[list(DOMAINS), "s"].to_numpy()
    return np.clip(np.rint(m + s * z), 0, 10)


def _items(rng: np.random.Generator, factor: np.ndarray, n_items: int, margins) -> np.ndarray:
    """Ordinal items 0..len(margins)-1 loading ITEM_LOADING on ``factor``."""
    lat = ITEM_LOADING * factor[:, None] + np.sqrt(1 - ITEM_LOADING ** 2) * rng.standard_normal(
        (len(factor), n_items))
    cuts = stats.norm.ppf(np.cumsum(margins)[:-1])
    return np.searchsorted(cuts, lat)


def _choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (vectorised inverse CDF)."""
    u = rng.random(len(probs))
    return (u[:, None] > np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)


def _background(rng: np.random.Generator, n: int, service_user: np.ndarray, prefix: str) -> pd.DataFrame:
    genders = list(DESIGN["gender"])
    groups = list(DESIGN["age_group"])
    gender = np.array(genders)[_choice_rows(rng, np.tile(list(DESIGN["gender"].values()), (n, 1)))]
    age_group = np.array(groups)[_choice_rows(rng, np.tile(list(DESIGN["age_group"].values()), (n, 1)))]
    lo = np.array([AGE_GROUPS[g][0] for g in age_group])
    hi = np.array([AGE_GROUPS[g][1] for g in age_group])
    age = lo + (rng.random(n) * (hi - lo + 1)).astype(int)

    def by_group(spec):
        values, p_gen, p_su = spec
        probs = np.where(service_user[:, None], p_su, p_gen)
        return np.array(values, dtype=object)[_choice_rows(rng, probs)]

    living = np.array(LIVING)[_choice_rows(rng, np.array([LIVING_PROBS[g] for g in age_group]))]
    width = max(4, len(str(n)))
    return pd.DataFrame({
        "respondent_id": [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)],
        "gender": gender, "age": age, "age_group": age_group,
        "activity": by_group(ACTIVITY), "living_arrangement": living,
        "income_support": by_group(INCOME_SUPPORT).astype(bool),
    })


def _weights(background: pd.DataFrame) -> np.ndarray:
    w = np.ones(len(background))
    for var in ("gender", "age_group"):
        ratio = {k: POPULATION[var][k] / DESIGN[var][k] for k in POPULATION[var]}
        w = w * background[var].map(ratio).to_numpy()
    return np.round(w / w.mean(), 4)


def comparison_cohort(seed: int, n: int = 900, norms: pd.DataFrame | None = None,
                      item_missing: float = 0.01) -> dict[str, pd.DataFrame]:
    """Validation cohort of 16–29-year-olds: background, 3X10D (t1 + retest), WHO-5, RSES, SWLS.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; same seed, same data.
    n : int, default 900
        Cohort size (about 900 youths were surveyed in Kuopio).
    norms : DataFrame, optional
        National means/SDs the general-population part reproduces (default: the table as first
        printed, see the module docstring).
    item_missing : float, default 0.01
        Share of 3X10D answers missing completely at random.

    Returns
    -------
    dict of DataFrames
        ``background`` (respondent_id, gender, age, age_group, activity, living_arrangement,
        income_support, service_user, weight), ``3x10d`` (respondent_id, occasion, sat_*),
        ``who5``, ``rses``, ``swls`` (respondent_id, item columns). Model: module docstring.

    Examples
    --------
    >>> d = comparison_cohort(seed=3, n=200)
    >>> bool(d["background"]["service_user"].mean() < 0.5)
    True
    """
    rng = np.random.default_rng(seed)
    margins = domain_margins(norms).set_index("domain")
    service_user = rng.random(n) < SERVICE_USER_SHARE
    background = _background(rng, n, service_user, "C")
    background["service_user"] = service_user
    background["weight"] = _weights(background)
    g_mean = np.where(service_user, SERVICE_USER_SHIFT, 0.0)
    f = _factors(rng, g_mean)
    z = _domain_latents(rng, f)
    mu = np.array([[_domain_shift(d, s) for d in DOMAINS] for s in (0.0, SERVICE_USER_SHIFT)])[
        service_user.astype(int)]
    sat = _discretise(z, margins)

    retest = np.sort(rng.choice(n, size=round(n / 6), replace=False))
    unique_re = rng.standard_normal((len(retest), len(DOMAINS)))
    missing = rng.random((n + len(retest), len(DOMAINS))) < item_missing

    who5 = _items(rng, f["M"], 5, ITEM_MARGINS["who5"])
    rses = _items(rng, f["E"], 10, ITEM_MARGINS["rses"]) + 1
    rev = [i - 1 for i in RSES_REVERSED]
    rses[:, rev] = 5 - rses[:, rev]
    swls = _items(rng, f["L"], 5, ITEM_MARGINS["swls"]) + 1

    # Retest innovation: a fresh draw of the factors (drawn last, so that nothing else changes)
    # and of the domain latents with the t1 structure; its unique parts are ``unique_re``.
    innovation = _domain_latents(rng, _factors(rng, np.zeros(len(retest))), unique=unique_re)
    z_re = mu[retest] + RETEST_CORRELATION * (z[retest] - mu[retest]) + np.sqrt(
        1 - RETEST_CORRELATION ** 2) * innovation
    sat_all = np.vstack([sat, _discretise(z_re, margins)])
    sat_all[missing] = np.nan
    ids = background["respondent_id"].to_numpy()
    three = pd.DataFrame(sat_all, columns=[f"sat_{d}" for d in DOMAINS]).astype("Int64")
    three.insert(0, "occasion", ["t1"] * n + ["retest"] * len(retest))
    three.insert(0, "respondent_id", np.concatenate([ids, ids[retest]]))

    def frame(values, prefix):
        out = pd.DataFrame(values, columns=[f"{prefix}_{j}" for j in range(1, values.shape[1] + 1)])
        out.insert(0, "respondent_id", ids)
        return out

    return {"background": background, "3x10d": three, "who5": frame(who5, "who5"),
            "rses": frame(rses, "rses"), "swls": frame(swls, "swls")}


def pilot(seed: int, n_clients: int = 33, n_staff: int = 17,
          norms: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Kuopio-like pilot: clients' 3X10D readings, change anchor, surveys, service use, indicators.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.
    n_clients, n_staff : int
        33 young people and 17 professionals took part in the pilot.
    norms : DataFrame, optional
        As in :func:`comparison_cohort`.

    Returns
    -------
    dict of DataFrames
        ``background`` (clients), ``3x10d`` (respondent_id, occasion ∈ baseline/6m/12m, sat_*,
        imp_*, goal_*; rows absent after dropout), ``anchor`` (respondent_id, occasion 12m,
        anchor −2 … +2 for "much worse" … "much better"), ``client_survey``, ``sus``,
        ``staff_background``, ``staff_survey``, ``service_use`` (respondent_id, period
        before/after, service_type, visits) and ``indicators`` (period, indicator, value, unit).

    Notes
    -----
    Baseline ``G`` has mean −1.0. Latent domain ``d`` at occasion ``t`` is
    ``Z_t = μ + 0.7 (Z_0 − μ) + √0.51 ε + f_t c_i Δ_d`` with ``Δ_d`` from
    :data:`PILOT_CHANGE_12M`, ``f = 0.5, 1`` at 6 and 12 months and ``c_i ~ N(1, 0.5²)``.
    Importance: ``clip(round(7 + 2·N(0,1) + 1.5·[sat ≤ 5]), 0, 10)``; a goal is set (70 %) as
    ``min(10, sat + 1 + Poisson(1.5))``. Dropout: probability of missing the 6-month reading
    ``0.05 + 0.10·[G < −1]``, and of missing 12 months given 6 months ``0.08`` (monotone).
    Anchor: ``round(clip(1.2·mean_d(Z_12 − Z_0) + 0.5·N(0,1), −2, 2))``. Service use:
    Poisson visits with a gamma(2, 1/2) person frailty; rates in :data:`SERVICE_RATES`.

    Examples
    --------
    >>> p = pilot(seed=5)
    >>> p["3x10d"].groupby("occasion", sort=False).size().index.tolist()
    ['baseline', '6m', '12m']
    """
    rng = np.random.default_rng(seed)
    margins = domain_margins(norms).set_index("domain")
    n = n_clients
    background = _background(rng, n, np.ones(n, bool), "P")
    background["respondent_id"] = [f"P{i:02d}" for i in range(1, n + 1)]
    ids = background["respondent_id"].to_numpy()
    f = _factors(rng, np.full(n, PILOT_BASELINE_SHIFT))
    z0 = _domain_latents(rng, f)
    mu = np.array([_domain_shift(d, PILOT_BASELINE_SHIFT) for d in DOMAINS])
    delta = np.array([PILOT_CHANGE_12M[d] for d in DOMAINS])
    c = 1 + 0.5 * rng.standard_normal(n)
    rho = 0.7
    z = {"baseline": z0}
    for occ, frac in (("6m", 0.5), ("12m", 1.0)):
        z[occ] = mu + rho * (z0 - mu) + np.sqrt(1 - rho ** 2) * rng.standard_normal(z0.shape) \
            + frac * c[:, None] * delta
    miss6 = rng.random(n) < 0.05 + 0.10 * (f["G"] < -1)
    miss12 = miss6 | (rng.random(n) < 0.08)
    present = {"baseline": np.ones(n, bool), "6m": ~miss6, "12m": ~miss12}

    frames = []
    for occ, lat in z.items():
        sat = _discretise(lat, margins)
        imp = np.clip(np.rint(7 + 2 * rng.standard_normal(sat.shape) + 1.5 * (sat <= 5)), 0, 10)
        goal = np.minimum(10, sat + 1 + rng.poisson(1.5, sat.shape)).astype(float)
        goal[rng.random(sat.shape) < 0.30] = np.nan
        block = pd.DataFrame(np.hstack([sat, imp, goal]), columns=[
            f"{p}_{d}" for p in ("sat", "imp", "goal") for d in DOMAINS]).astype("Int64")
        block.insert(0, "occasion", occ)
        block.insert(0, "respondent_id", ids)
        frames.append(block[present[occ]])
    three = pd.concat(frames, ignore_index=True)

    change = (z["12m"] - z0).mean(axis=1)
    anchor = np.rint(np.clip(1.2 * change + 0.5 * rng.standard_normal(n), -2, 2)).astype(int)
    anchor_df = pd.DataFrame({"respondent_id": ids, "occasion": "12m", "anchor": anchor})[present["12m"]]

    staff_ids = np.array([f"S{i:02d}" for i in range(1, n_staff + 1)])
    organisations = ("social_services", "health_services", "student_welfare", "youth_services",
                     "psychiatry_centre", "purchased_service")
    staff_background = pd.DataFrame({
        "respondent_id": staff_ids,
        "organisation": np.array(organisations)[np.arange(n_staff) % len(organisations)],
    })
    out = {
        "background": background.reset_index(drop=True), "3x10d": three,
        "anchor": anchor_df.reset_index(drop=True),
        "client_survey": _survey(rng, "client-survey", ids, 0.8,
                                 {"cs_comment_good": COMMENTS_GOOD, "cs_comment_improve": COMMENTS_IMPROVE}),
        "sus": _survey(rng, "sus", ids, 0.8, {}),
        "staff_background": staff_background,
        "staff_survey": _survey(rng, "staff-survey", staff_ids, 0.6, {"ss_comment": COMMENTS_STAFF}),
        "service_use": _service_use(rng, ids),
        "indicators": _indicators(rng, n, n_staff),
        "indicator_catalogue": INDICATOR_CATALOGUE,
    }
    return out


def _survey(rng: np.random.Generator, instrument: str, ids: np.ndarray, shift: float,
            comments: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    """Responses to a rating survey generated from its definition in ``questionnaires/``.

    Item latent ``shift + 0.8 F_s + 0.6 ε`` with a factor per declared score
    ``F_s = 0.6 O + 0.8 u`` sharing the overall factor ``O`` (all standard normal); cut points
    equiprobable at ``shift = 0``, so a positive ``shift`` means a favourable experience;
    reverse-keyed items are answered in the opposite direction (``min + max − x``). A text
    item is filled for 40 % of respondents.
    """
    ins = load_instrument(instrument)
    n = len(ids)
    overall = rng.standard_normal(n)
    factor_of = {}
    reverse = set()
    for rule in ins.scores:
        fac = 0.6 * overall + 0.8 * rng.standard_normal(n)
        for key in rule.items:
            factor_of.setdefault(key, fac)
        reverse.update(rule.reverse)
    data = {"respondent_id": ids}
    for it in ins.items:
        if it.kind == "text":
            pool = np.array(comments.get(it.key, ()), dtype=object)
            answered = rng.random(n) < 0.4
            picks = pool[rng.integers(0, len(pool), n)] if len(pool) else np.full(n, None)
            data[it.key] = np.where(answered, picks, None)
            continue
        k = it.scale.max - it.scale.min + 1
        lat = shift + 0.8 * factor_of.get(it.key, overall) + 0.6 * rng.standard_normal(n)
        level = np.searchsorted(stats.norm.ppf(np.arange(1, k) / k), lat) + it.scale.min
        data[it.key] = it.scale.min + it.scale.max - level if it.key in reverse else level
    return pd.DataFrame(data)


def _service_use(rng: np.random.Generator, ids: np.ndarray) -> pd.DataFrame:
    frailty = rng.gamma(2.0, 0.5, len(ids))
    rows = []
    for period in ("before", "after"):
        for service in SERVICE_TYPES:
            base, ratio = SERVICE_RATES[service]
            rate = frailty * base * (ratio if period == "after" else 1.0)
            rows.append(pd.DataFrame({"respondent_id": ids, "period": period,
                                      "service_type": service, "visits": rng.poisson(rate)}))
    return pd.concat(rows, ignore_index=True).sort_values(
        ["respondent_id", "period"], ascending=[True, False], kind="stable").reset_index(drop=True)


def _indicators(rng: np.random.Generator, n_clients: int, n_staff: int) -> pd.DataFrame:
    """Half-yearly indicators agreed with the ministry (cumulative counts, shares, means)."""
    cum_clients = np.round(n_clients * np.array([0.35, 0.75, 1.0])).astype(int)
    staff = np.minimum(n_staff, np.round(n_staff * np.array([0.6, 0.9, 1.0]))).astype(int)
    reviewed = np.round(np.clip(rng.normal([60, 75, 85], 5), 0, 100), 1)
    per_plan = np.round(rng.normal([2.4, 2.9, 3.2], 0.2), 1)
    closed = np.round(cum_clients * np.array([0.0, 0.15, 0.35])).astype(int)
    rows = []
    for i, period in enumerate(INDICATOR_PERIODS):
        rows += [(period, "clients_with_plan", float(cum_clients[i]), "count"),
                 (period, "plans_reviewed_on_time", float(reviewed[i]), "percent"),
                 (period, "professionals_involved", float(staff[i]), "count"),
                 (period, "professionals_per_plan", float(per_plan[i]), "mean"),
                 (period, "plans_closed", float(closed[i]), "count")]
    return pd.DataFrame(rows, columns=["period", "indicator", "value", "unit"])


#: The demo's indicator catalogue: what each synthetic indicator is and which way is better.
INDICATOR_CATALOGUE = pd.DataFrame([
    ("clients_with_plan", "Asiakkaita, joilla hyvinvointisuunnitelma (kertymä)", "Clients with a welfare plan (cumulative)", "count", "up"),
    ("plans_reviewed_on_time", "Sovitussa ajassa arvioidut suunnitelmat (%)", "Plans reviewed by the agreed date (%)", "percent", "up"),
    ("professionals_involved", "Mukana olevia ammattilaisia (kertymä)", "Professionals taking part (cumulative)", "count", "up"),
    ("professionals_per_plan", "Ammattilaisia suunnitelmaa kohden (ka.)", "Professionals per plan (mean)", "mean", "up"),
    ("plans_closed", "Päätettyjä suunnitelmia (kertymä)", "Plans closed (cumulative)", "count", "up"),
], columns=["indicator", "label_fi", "label_en", "unit", "direction"])


#: The demo's client process (its own phase labels, in order; the first is the referral) and the
#: identification criteria, as the manifest declares them (``analysis.intake.process``).
PROCESS = {"phases": ["referral", "assessment", "welfare plan", "responsible worker", "review",
                      "continuation plan"],
           "plan": "welfare plan", "worker": "responsible worker", "review": "review", "review_months": 6,
           "until": "2016-12-31"}
IDENTIFICATION = {"window_months": 12, "min_visits": 12, "min_sectors": 3,
                  "services": list(SERVICE_TYPES),
                  "sectors": {"nurse": "health care", "doctor": "health care", "social_work": "social services",
                              "substance_abuse": "social services", "mental_health": "mental health",
                              "youth_services": "youth services"},
                  "end": "2016-12-31"}
#: Yearly visit rates per service in the register (``dental``: a service the criteria leave out).
REGISTER_RATES = {"nurse": 1.0, "doctor": 0.8, "social_work": 0.3, "mental_health": 0.3, "substance_abuse": 0.1,
                  "youth_services": 0.5, "dental": 0.8}
REGISTER_START, REGISTER_END = pd.Timestamp("2015-01-01"), pd.Timestamp("2016-12-31")
#: The demo's teams: (name, size); the two small ones are published only merged.
TEAMS = (("Team North", 7), ("Team South", 5), ("Team East", 3), ("Team West", 2))
SECTORS = {"social_services": "social services", "health_services": "health services",
           "student_welfare": "student welfare", "youth_services": "youth services",
           "psychiatry_centre": "psychiatry centre", "purchased_service": "purchased service"}


def process_demo(seed: int, client_ids, staff_background: pd.DataFrame, n_others: int = 600) -> dict[str, pd.DataFrame]:
    """The demo's client process, teams and visit register (issue 20), from their own generator
    ``numpy.random.default_rng([seed, 20])`` so that the other demo files do not change.

    * **Process events** of the pilot clients (:data:`PROCESS`): referral uniform over
      1.9.2015–15.11.2016; assessment after Exp(mean 10) days (97 %); the welfare plan after
      Exp(mean 35) more days (92 %); a responsible worker named 0–14 days after the plan (85 %);
      reviews every six months, the first 20 % late (Normal(230, 30) days instead of
      Normal(170, 20)); continuation planning after Normal(330, 30) days (40 %). Events after
      31.12.2016 are not in the file, so some clients are still waiting for their plan.
    * **Teams** (:data:`TEAMS`): the professionals of ``staff_background`` in order, sector from
      their organisation; two teams are smaller than five.
    * **Visit register** 2015–2016 of the pilot clients and ``n_others`` other young people:
      per person a gamma frailty (clients shape 2, scale 1.5; others shape 0.5, scale 2), Poisson
      visits per service at :data:`REGISTER_RATES` per year, uniform dates; and for each client
      the visit at which they were referred (a random service, on the referral date).

    Examples
    --------
    >>> import pandas as pd
    >>> staff = pd.DataFrame({"respondent_id": [f"S{i:02d}" for i in range(1, 18)], "organisation": "youth_services"})
    >>> d = process_demo(2026, [f"P{i:02d}" for i in range(1, 34)], staff, n_others=50)
    >>> sorted(d), d["team_members"]["team"].value_counts().tolist()
    (['process_events', 'team_members', 'visit_register'], [7, 5, 3, 2])
    """
    rng = np.random.default_rng([seed, 20])
    ids = np.asarray(client_ids)
    n = len(ids)
    until = pd.Timestamp(PROCESS["until"])
    phases = PROCESS["phases"]
    start = pd.Timestamp("2015-09-01")
    referral = start + pd.to_timedelta(rng.integers(0, (pd.Timestamp("2016-11-15") - start).days, n), unit="D")
    assess = referral + pd.to_timedelta(np.rint(rng.exponential(10, n)), unit="D")
    plan = assess + pd.to_timedelta(np.rint(rng.exponential(35, n)), unit="D")
    has_assess, has_plan = rng.random(n) < 0.97, rng.random(n) < 0.92
    worker = plan + pd.to_timedelta(rng.integers(0, 15, n), unit="D")
    has_worker = rng.random(n) < 0.85
    late = rng.random(n) < 0.20
    first_review = plan + pd.to_timedelta(np.rint(np.where(late, rng.normal(230, 30, n), rng.normal(170, 20, n))),
                                          unit="D")
    continuation = plan + pd.to_timedelta(np.rint(rng.normal(330, 30, n)), unit="D")
    has_continuation = rng.random(n) < 0.40
    rows = []
    for i in range(n):
        rows.append((ids[i], phases[0], referral[i]))
        if not has_assess[i]:
            continue
        rows.append((ids[i], phases[1], assess[i]))
        if not has_plan[i]:
            continue
        rows += [(ids[i], phases[2], plan[i])]
        if has_worker[i]:
            rows.append((ids[i], phases[3], worker[i]))
        review = first_review[i]
        while review <= until:
            rows.append((ids[i], phases[4], review))
            review = review + pd.Timedelta(days=182)
        if has_continuation[i]:
            rows.append((ids[i], phases[5], continuation[i]))
    events = pd.DataFrame(rows, columns=["respondent_id", "phase", "date"])
    events = events[events["date"] <= until].sort_values(["date", "respondent_id"], kind="stable")
    events["date"] = events["date"].dt.strftime("%Y-%m-%d")

    staff = staff_background.reset_index(drop=True)
    team = np.repeat([name for name, _ in TEAMS], [size for _, size in TEAMS])[:len(staff)]
    members = pd.DataFrame({"respondent_id": staff["respondent_id"].to_numpy()[:len(team)], "team": team,
                            "sector": staff["organisation"].map(SECTORS).to_numpy()[:len(team)]})

    people = np.concatenate([ids, [f"R{i:04d}" for i in range(1, n_others + 1)]])
    frailty = np.concatenate([rng.gamma(2.0, 1.5, n), rng.gamma(0.5, 2.0, n_others)])
    years = (REGISTER_END - REGISTER_START).days / 365.25
    span = (REGISTER_END - REGISTER_START).days + 1
    visits = []
    for service, rate in REGISTER_RATES.items():
        counts = rng.poisson(frailty * rate * years)
        who = np.repeat(people, counts)
        day = REGISTER_START + pd.to_timedelta(rng.integers(0, span, len(who)), unit="D")
        visits.append(pd.DataFrame({"respondent_id": who, "visit_date": day, "service_type": service}))
    # the visit at which each client was referred (every client of the process is in the register)
    visits.append(pd.DataFrame({"respondent_id": ids, "visit_date": referral,
                                "service_type": rng.choice(list(SERVICE_TYPES), n)}))
    register = pd.concat(visits, ignore_index=True).sort_values(["visit_date", "respondent_id", "service_type"],
                                                                kind="stable")
    register["visit_date"] = register["visit_date"].dt.strftime("%Y-%m-%d")
    return {"process_events": events.reset_index(drop=True), "team_members": members,
            "visit_register": register.reset_index(drop=True)}


#: Files written by :func:`write_all`: name → (source, key, population, instrument or dataset, description).
FILES = {
    "cohort_background.csv": ("cohort", "background", "cohort", {"dataset": "background"},
                              "Comparison cohort: background, service-user flag and survey weight"),
    "cohort_3x10d.csv": ("cohort", "3x10d", "cohort", {"instrument": "3x10d"},
                         "Comparison cohort: 3X10D satisfaction at t1 and two-week retest"),
    "cohort_who5.csv": ("cohort", "who5", "cohort", {"instrument": "who5"}, "Comparison cohort: WHO-5 items"),
    "cohort_rses.csv": ("cohort", "rses", "cohort", {"instrument": "rses"},
                        "Comparison cohort: Rosenberg self-esteem items"),
    "cohort_swls.csv": ("cohort", "swls", "cohort", {"instrument": "swls"},
                        "Comparison cohort: Satisfaction With Life Scale items"),
    "pilot_background.csv": ("pilot", "background", "pilot", {"dataset": "background"}, "Pilot clients: background"),
    "pilot_3x10d.csv": ("pilot", "3x10d", "pilot", {"instrument": "3x10d"},
                        "Pilot clients: 3X10D satisfaction, importance and goals at baseline, 6 and 12 months"),
    "pilot_anchor.csv": ("pilot", "anchor", "pilot", {"dataset": "anchor"},
                         "Pilot clients: global rating of change at the last follow-up (anchor)"),
    "client_survey.csv": ("pilot", "client_survey", "pilot", {"instrument": "client-survey"},
                          "Pilot clients: client e-survey"),
    "staff_background.csv": ("pilot", "staff_background", "staff", {"dataset": "background"},
                             "Pilot professionals: organisation"),
    "staff_survey.csv": ("pilot", "staff_survey", "staff", {"instrument": "staff-survey"},
                         "Pilot professionals: staff e-survey"),
    "sus.csv": ("pilot", "sus", "pilot", {"instrument": "sus"}, "Pilot clients: System Usability Scale of the e-service"),
    "service_use.csv": ("pilot", "service_use", "pilot", {"dataset": "service-use"},
                        "Pilot clients: visits six months before and after the welfare plan"),
    "indicators.csv": ("pilot", "indicators", "pilot", {"dataset": "indicators"}, "Half-yearly pilot indicators"),
    "indicator_catalogue.csv": ("pilot", "indicator_catalogue", "pilot", {"dataset": "indicator-catalogue"},
                                "What each indicator is: labels, unit, desired direction of change"),
    "visit_register.csv": ("process", "visit_register", "pilot", {"dataset": "service-visits"},
                           "Visit register 2015–2016 of the pilot clients and other young people (identification)"),
    "process_events.csv": ("process", "process_events", "pilot", {"dataset": "process-events"},
                           "Pilot clients: phases of the client process and their dates"),
    "team_members.csv": ("process", "team_members", "staff", {"dataset": "team-members"},
                         "Pilot professionals: team and sector"),
}
#: Occasions of the synthetic study in time order (the manifest declares them).
OCCASIONS = {"pilot": ["baseline", "6m", "12m"], "cohort": ["t1", "retest"]}

README = """# Synthetic demo data — not real people

Every file in this folder was generated by `python -m analysis synthetic --seed {seed} --out <dir>`
(`analysis.study.synthetic.write_all`). No row describes a real person; free-text comments are
marked "(synthetic)" / "(synteettinen)". The generating model (latent factors, loadings,
group shifts, retest correlation, pilot change, dropout, service-use rates) is documented in
the docstrings of `analysis/study/synthetic.py`; the general-population part of the cohort reproduces
the national 3X10D means and SDs as first printed (before the publisher's erratum, which lowers
every mean by one). `manifest.yaml` describes the study: its occasions, and for each file
the population it belongs to and its instrument or data-dictionary dataset.
"""


def write_all(out_dir: str | Path, seed: int, n_cohort: int = 900) -> list[Path]:
    """Write the whole synthetic data set as UTF-8 CSV with ``manifest.yaml`` and ``README.md``.

    Parameters
    ----------
    out_dir : str or Path
        Target folder (created if needed; existing files of the same names are replaced).
    seed : int
        Same seed → byte-identical files. The cohort uses ``seed``, the pilot ``seed + 1``.
    n_cohort : int
        Size of the comparison cohort (900 in the demo; larger for benchmarks).

    Returns
    -------
    list of Path
        Files written, in manifest order, then the manifest and README.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_all(tempfile.mkdtemp(), seed=2026)
    >>> paths[-2].name
    'manifest.yaml'
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sources = {"cohort": comparison_cohort(seed, n=n_cohort), "pilot": pilot(seed + 1)}
    sources["process"] = process_demo(seed, sources["pilot"]["background"]["respondent_id"],
                                      sources["pilot"]["staff_background"])
    written, entries = [], []
    for name, (source, key, population, role, description) in FILES.items():
        path = out / name
        sources[source][key].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
        entries.append({"path": name, "population": population, **role, "description": description})
    manifest = out / "manifest.yaml"
    spec = {"title": f"Synthetic demonstration study (seed {seed})", "synthetic": True, "seed": seed,
            "language": "en", "occasions": OCCASIONS, "process": PROCESS, "identification": IDENTIFICATION,
            "files": entries}
    manifest.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    readme = out / "README.md"
    readme.write_text(README.format(seed=seed), encoding="utf-8")
    return [*written, manifest, readme]
