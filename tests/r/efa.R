# Reference values for tests/test_structure_efa.py (KMO, Bartlett, parallel analysis, EFA).
#
# Run from the repository root after tests/r/reliability.R (which exports the data):
#   Rscript tests/r/efa.R
# Writes tests/fixtures/r/efa.json. Made with R 4.2, psych 2.2.9, GPArotation.
suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
  library(jsonlite)
})

bfi <- read.csv("tests/fixtures/data/bfi.csv")[, 1:25]
hs <- read.csv("analysis/datasets/holzinger_swineford_1939.csv")[, paste0("x", 1:9)]
data_sets <- list(hs = hs, bfi = bfi)

kmo_bartlett <- lapply(data_sets, function(d) {
  k <- KMO(d)
  b <- cortest.bartlett(cor(d, use = "pairwise"), n = nrow(d))
  list(kmo = k$MSA, kmo_items = as.list(k$MSAi), chisq = b$chisq, df = b$df, p = b$p.value,
       n = nrow(d))
})

fa_fixture <- function(d, nf, fm, rotate) {
  f <- fa(d, nfactors = nf, fm = fm, rotate = rotate, warnings = FALSE)
  L <- unclass(f$loadings)
  phi <- if (is.null(f$Phi)) diag(nf) else f$Phi
  list(n_factors = nf, method = fm, rotation = rotate,
       items = rownames(L), factors = colnames(L),
       loadings = unname(split(L, row(L))),
       communalities = unname(f$communality),
       factor_cor = unname(split(phi, row(phi))),
       ss_loadings = unname(f$Vaccounted["SS loadings", ]),
       variance_explained = unname(f$Vaccounted["Proportion Var", ]),
       values = unname(f$values))
}
efa_out <- list(
  bfi_minres_oblimin = fa_fixture(bfi, 5, "minres", "oblimin"),
  bfi_ml_varimax = fa_fixture(bfi, 5, "ml", "varimax"),
  hs_minres_oblimin = fa_fixture(hs, 3, "minres", "oblimin"),
  hs_ml_varimax = fa_fixture(hs, 3, "ml", "varimax"),
  hs_ml_promax = fa_fixture(hs, 3, "ml", "promax"),
  hs_minres_promax = fa_fixture(hs, 3, "minres", "promax"),
  hs_pa_oblimin = fa_fixture(hs, 3, "pa", "oblimin"),
  bfi_pa_varimax = fa_fixture(bfi, 5, "pa", "varimax"),
  hs_minres_geominQ = fa_fixture(hs, 3, "minres", "geominQ"),
  bfi_minres_geominQ = fa_fixture(bfi, 5, "minres", "geominQ"),
  hs_ml_geominT = fa_fixture(hs, 3, "ml", "geominT"),
  hs_uls_quartimin = fa_fixture(hs, 3, "uls", "quartimin"),
  bfi_uls_oblimin = fa_fixture(bfi, 5, "uls", "oblimin")
)

# Parallel analysis. Our implementation: components (eigenvalues of R) and factors with
# squared multiple correlations on the diagonal (psych's SMC = TRUE), random normal data.
parallel_out <- lapply(data_sets, function(d) {
  set.seed(7)
  p_smc <- fa.parallel(d, fa = "both", SMC = TRUE, n.iter = 1000, plot = FALSE)
  set.seed(7)
  # psych's default SMC = FALSE: factor eigenvalues after a one-factor minres fit
  p_default <- fa.parallel(d, fa = "both", n.iter = 100, plot = FALSE)
  list(n_iter = 1000, observed_pc = p_smc$pc.values, observed_fa = p_smc$fa.values,
       sim_pc_mean = p_smc$pc.sim, sim_fa_mean = p_smc$fa.sim,
       ncomp = p_smc$ncomp, nfact = p_smc$nfact,
       default_n_iter = 100, default_ncomp = p_default$ncomp, default_nfact = p_default$nfact,
       default_observed_fa = p_default$fa.values, default_sim_fa_mean = p_default$fa.sim)
})

out <- list(
  generated_with = list(R = R.version.string, psych = as.character(packageVersion("psych")),
                        GPArotation = as.character(packageVersion("GPArotation"))),
  kmo_bartlett = kmo_bartlett, efa = efa_out, parallel = parallel_out
)
write_json(out, "tests/fixtures/r/efa.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
