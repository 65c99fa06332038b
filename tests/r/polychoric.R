# Reference values for tests/test_polychoric.py (polychoric, tetrachoric, ordinal alpha).
#
# Run from the repository root after tests/r/reliability.R (which exports bfi.csv) and
# python tests/fixtures/data/make_ordinal_skewed.py:  Rscript tests/r/polychoric.R
# Writes tests/fixtures/r/polychoric.json. Made with R 4.2, psych 2.2.9, lavaan 0.6-14.
suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
  library(jsonlite)
})

skewed <- read.csv("analysis/datasets/ordinal_skewed.csv")
bfi <- read.csv("tests/fixtures/data/bfi.csv")[, 1:25]

rows <- function(m) unname(split(unname(m), row(m)))

psych_fixture <- function(x) {
  pc <- polychoric(x)  # defaults: global thresholds, pairwise tables, smooth = TRUE
  list(items = colnames(x), rho = rows(pc$rho), tau = rows(pc$tau), n_obs = pc$n.obs)
}

lavaan_fixture <- function(x) {
  # lavCor's default missing = "listwise": only complete rows
  fit <- lavCor(x, ordered = names(x), output = "fit")
  th <- lavInspect(fit, "sampstat")$th
  list(items = colnames(x), rho = rows(lavInspect(fit, "sampstat")$cov),
       th = unname(th), th_names = names(th), nobs = lavInspect(fit, "nobs"))
}

# N x asymptotic covariance of thresholds and correlations (lavaan's Gamma, muthen1984)
gamma_fixture <- function(x) {
  fit <- lavCor(x, ordered = names(x), output = "fit", estimator = "WLSMV")
  g <- lavInspect(fit, "gamma")
  list(items = colnames(x), names = rownames(g), gamma = rows(g), nobs = lavInspect(fit, "nobs"))
}

# ordinal alpha (Zumbo, Gadermann & Zeisser 2007): alpha of the polychoric matrix
ordinal_alpha <- function(x) {
  a <- psych::alpha(polychoric(x)$rho, warnings = FALSE)
  list(items = colnames(x), alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha,
       alpha_if_dropped = unname(a$alpha.drop$raw_alpha), r_drop = unname(a$item.stats$r.drop))
}

bfi_r <- bfi
for (i in c("A1", "C4", "C5", "E1", "E2", "O2", "O5")) bfi_r[[i]] <- 7 - bfi_r[[i]]
binary <- as.data.frame(lapply(bfi_r[, paste0("A", 1:5)], function(v) as.integer(v > 4)))
tet <- tetrachoric(binary)
not_pd <- matrix(c(1, .9, -.9, .9, 1, .9, -.9, .9, 1), 3)

out <- list(
  generated_with = list(R = R.version.string, psych = as.character(packageVersion("psych")),
                        lavaan = as.character(packageVersion("lavaan"))),
  psych = list(skewed = psych_fixture(skewed), bfi = psych_fixture(bfi)),
  lavaan = list(skewed = lavaan_fixture(skewed), bfi_A = lavaan_fixture(bfi[, paste0("A", 1:5)])),
  cor_smooth = list(input = rows(not_pd), smoothed = rows(suppressWarnings(cor.smooth(not_pd)))),
  gamma = list(skewed_q1_q5 = gamma_fixture(skewed[, paste0("q", 1:5)]),
               bfi_A = gamma_fixture(bfi[, paste0("A", 1:5)])),
  tetrachoric = list(items = colnames(binary), rho = rows(tet$rho), tau = unname(tet$tau),
                     cut = "reversed A1-A5 recoded 1 when > 4"),
  ordinal_alpha = list(skewed_1_5 = ordinal_alpha(skewed[, paste0("q", 1:5)]),
                       skewed_all = ordinal_alpha(skewed),
                       bfi_N = ordinal_alpha(bfi_r[, paste0("N", 1:5)]),
                       bfi_C = ordinal_alpha(bfi_r[, paste0("C", 1:5)]))
)
write_json(out, "tests/fixtures/r/polychoric.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
