"""Structural equation models (CFA and full SEM) that reproduce R lavaan 0.6.14.

Why own code: the Python SEM libraries disagree with lavaan. semopy 2.3 reports wrong
AIC/BIC/log-likelihood, has no SRMR and no RMSEA confidence interval, divides RMSEA by
N − 1 instead of N, cannot constrain parameters across groups (so no measurement
invariance) and has no FIML with lavaan's EM-based χ². Researchers put our numbers next
to lavaan's, so this package implements the estimator and lavaan's exact formulas with
numpy/scipy and tests them against committed lavaan output (``tests/r/*.R`` →
``tests/fixtures/r/*.json``). The work is split over four modules: the model syntax
(:mod:`analysis.stats.lavaan_syntax`), lavaan's parameter table
(:mod:`analysis.stats._sem_partable`), the likelihood and its derivatives
(:mod:`analysis.stats._sem_engine`) and the fit measures (:mod:`analysis.stats._sem_fit`);
this module is the public face. Along lavaan's file map, the estimation core and ``cfa``
are in :mod:`analysis.stats._sem_cfa`, starting values in :mod:`analysis.stats._sem_start`,
standardisation in :mod:`analysis.stats._sem_standardize`, modification indices and score
tests in :mod:`analysis.stats._sem_score`, invariance (across groups and, on long data, across
occasions: :func:`longitudinal_invariance`) in :mod:`analysis.stats._sem_invariance`.

Models and defaults (lavaan's ``cfa()``/``sem()``)
--------------------------------------------------
Factor loadings (``=~``), regressions among observed and latent variables (``~``),
(residual) covariances (``~~``), intercepts (``~ 1``), labels and equality constraints,
per-group modifiers ``c(...)``, defined parameters (``:=``, delta-method SEs), linear
``==`` constraints and simple bounds ``a > 0``. The first loading of each factor is fixed
to 1 (``std_lv=True``: factor variances fixed to 1); exogenous latent variables covary;
exogenous observed covariates are fixed at their sample moments (``fixed.x``). Multi-group
models and ``missing="ml"`` have a meanstructure; a single-group complete-data model has
none.

Estimation
----------
Maximum likelihood: Fisher scoring with an analytic gradient, step halving and a BFGS
fallback, started from lavaan's starting values (fabin3 loadings, half the observed
variances). When that path is rough (the step had to be shortened more than once), a
quasi-Newton path from the same values (the path of lavaan's nlminb) is compared with it;
when the two disagree, or the solution is improper or not converged, further deterministic
starting values are tried (lavaan's "simple" values, principal-axis loadings, seeded
perturbations). The lowest minimum is kept, a proper one when it is as low as an improper
one, and a warning names the minima when several were found. Improper solutions (negative
variances, non-positive-definite latent or residual covariance matrices) and
non-convergence set ``admissible=False`` and are named in ``warnings``. A fit has
converged when the largest element of the gradient of the discrepancy per row (χ²/N) over
the free parameters is within ``GRAD_TOL`` = 1e-6 of :mod:`analysis.stats._sem_engine` (a
stated tolerance, not an iteration count; fits normally end below 1e-9, whatever the BLAS
kernel); WLSMV fits follow the same rule, with Gauss–Newton steps and the same further
starting values.

Missing data: ``missing="listwise"`` (lavaan's default) removes incomplete rows;
``missing="ml"`` is full-information ML (casewise likelihood, rows with no model variable
removed; rows lacking an exogenous covariate removed too unless ``missing="ml.x"``). The
χ² then compares with the unrestricted model estimated by lavaan's EM algorithm.

Ordered items (``ordered=``): lavaan's WLSMV — DWLS on the thresholds and polychoric
correlations, the delta (default) or theta parameterization (``parameterization=``), robust
SEs and the scaled-shifted test (:mod:`analysis.stats._sem_ordinal`); :func:`invariance`
then follows semTools' ``measEq.syntax`` (Wu & Estabrook 2016; delta parameterization) and
lavaan's Satorra (2000) difference test.

Standard errors: ML with complete data uses the expected information; with FIML the
observed information (the Hessian, lavaan's default for ``missing="ml"``). MLR uses the
Huber–White sandwich with the observed information and the Yuan–Bentler (Mplus) scaled
χ² (:mod:`analysis.stats._sem_fit`).

References: Bollen (1989) *Structural equations with latent variables*; Enders (2010)
*Applied Missing Data Analysis*; Yuan & Bentler (2000); Sörbom (1989) and Saris, Satorra
& Sörbom (1987) for modification indices; Rosseel (2012) lavaan, *J Stat Softw* 48(2);
Chen (2007) *Structural Equation Modeling* 14(3) for the invariance criteria.

Examples
--------
>>> import pandas as pd
>>> from analysis.stats.sem import cfa
>>> from analysis import datasets
>>> hs = datasets.load("holzinger_swineford_1939")
>>> res = cfa(hs, "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9")
>>> round(res.fit["chisq"], 3), int(res.fit["df"]), round(res.fit["cfi"], 3)
(85.306, 24, 0.931)
"""
from __future__ import annotations

from analysis.stats._sem_bootstrap import BootstrapFit, bootstrap_fit
from analysis.stats._sem_cfa import (
    ESTIMATORS,
    MISSING,
    PARAMETERIZATIONS,
    STD_TYPES,
    CFAResult,
    Estimator,
    Missing,
    Parameterization,
    StdType,
    cfa,
    sem,
    standardized_solution,
)
from analysis.stats._sem_diagram import path_diagram
from analysis.stats._sem_dynamic import DynamicCutoffs, dynamic_cutoffs
from analysis.stats._sem_invariance import (
    CHEN_2007,
    PartialStep,
    invariance,
    latent_mean_differences,
    longitudinal_invariance,
    longitudinal_syntax,
    measurement_syntax,
)
from analysis.stats._sem_partable import GROUP_EQUAL
from analysis.stats._sem_score import ScoreTestResult, equality_score_tests, modification_indices
from analysis.stats.lavaan_syntax import ModelSyntaxError

#: lavaan's name: ``modindices(fit, sort=True)`` as in R (the same function).
modindices = modification_indices

__all__ = ["CFAResult", "ScoreTestResult", "cfa", "sem", "invariance", "measurement_syntax",
           "longitudinal_invariance", "longitudinal_syntax",
           "latent_mean_differences", "modification_indices", "modindices", "standardized_solution",
           "equality_score_tests", "ModelSyntaxError", "GROUP_EQUAL", "CHEN_2007", "MISSING",
           "ESTIMATORS", "STD_TYPES", "PARAMETERIZATIONS", "Estimator", "Missing",
           "Parameterization", "StdType", "PartialStep",
           "path_diagram", "DynamicCutoffs", "dynamic_cutoffs",
           "BootstrapFit", "bootstrap_fit"]
