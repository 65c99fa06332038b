# Reference values for tests/test_bifactor.py: bifactor indices of Rodriguez, Reise &
# Haviland (2016) and construct replicability H (Hancock & Mueller 2001).
# Run from the repository root:  Rscript tests/r/bifactor.R
# Needs R lavaan 0.6.14, semTools 0.5.6 and jsonlite. Writes tests/fixtures/r/bifactor.json.
#
# The indices are computed here from lavaan's standardizedSolution() (std.all loadings)
# and lavInspect(fit, "implied") (total variance = the sum of the model-implied
# correlation matrix, i.e. of the implied covariance matrix rescaled to unit variances).
# semTools' compRelSEM(obs.var = FALSE) gives the omega-H of the general factor for the
# sum of the *raw* items (denominator: sum of the implied covariance matrix); it is the
# reference of scale = "raw".
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})

hs <- read.csv("analysis/datasets/holzinger_swineford_1939.csv")
skewed <- read.csv("analysis/datasets/ordinal_skewed.csv")
DATA <- list(hs = hs, skewed = skewed)

Q <- function(i) paste0("q", i, collapse = " + ")
# Holzinger-Swineford: a specific factor for the visual items too gives an improper
# solution (x1's residual variance -0.84 in std.all), so the visual items mark the general
# factor (a bifactor S-1 model); tests/test_bifactor.py checks that the improper model is
# refused.
MODELS <- list(
  hs = list(data = "hs", general = "g", model = paste(
    "g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9",
    "textual =~ x4 + x5 + x6", "speed =~ x7 + x8 + x9", sep = "\n")),
  skewed = list(data = "skewed", general = "g", model = paste0(
    "g =~ ", Q(1:10), "\ns1 =~ ", Q(1:5), "\ns2 =~ ", Q(6:10))),
  # items q5 and q10 load on the general factor only: PUC and omega-S use unequal groups
  skewed_partial = list(data = "skewed", general = "gen", model = paste0(
    "gen =~ ", Q(1:10), "\nsa =~ ", Q(1:4), "\nsb =~ ", Q(6:9)))
)

indices <- function(fit, general) {
  ss <- standardizedSolution(fit)
  ld <- ss[ss$op == "=~", ]
  items <- lavNames(fit, "ov")
  lvs <- lavNames(fit, "lv")
  L <- matrix(0, length(items), length(lvs), dimnames = list(items, lvs))
  L[cbind(ld$rhs, ld$lhs)] <- ld$est.std
  R <- cov2cor(lavInspect(fit, "implied")$cov)[items, items]
  Sig <- lavInspect(fit, "implied")$cov[items, items]
  specific <- setdiff(lvs, general)
  n <- length(items)
  ns <- colSums(L[, specific, drop = FALSE] != 0)
  common <- sum(L^2)
  omega_total <- (sum(L[, general])^2 + sum(colSums(L[, specific, drop = FALSE])^2)) / sum(R)
  H <- function(l) { l <- l[l != 0]; 1 / (1 + 1 / sum(l^2 / (1 - l^2))) }
  rows <- list()
  rows[[general]] <- list(kind = "general", n_items = n, ecv = sum(L[, general]^2) / common,
                          ecv_ss = sum(L[, general]^2) / common,
                          omega = omega_total, omega_h = sum(L[, general])^2 / sum(R),
                          h = H(L[, general]))
  for (s in specific) {
    its <- items[L[, s] != 0]
    own <- sum(L[its, c(general, s)]^2)
    rows[[s]] <- list(kind = "specific", n_items = length(its),
                      ecv = sum(L[its, s]^2) / common, ecv_ss = sum(L[its, s]^2) / own,
                      omega = (sum(L[its, general])^2 + sum(L[its, s])^2) / sum(R[its, its]),
                      omega_h = sum(L[its, s])^2 / sum(R[its, its]), h = H(L[, s]))
  }
  # raw scale: unstandardized loadings (factor variances 1), implied covariance matrix
  Lr <- lavInspect(fit, "est")$lambda[items, lvs]
  raw <- list(omega_total = (sum(Lr[, general])^2 + sum(colSums(Lr[, specific, drop = FALSE])^2)) / sum(Sig),
              omega_h = sum(Lr[, general])^2 / sum(Sig))
  raw$specific <- lapply(setNames(specific, specific), function(s) {
    its <- items[Lr[, s] != 0]
    list(omega = (sum(Lr[its, general])^2 + sum(Lr[its, s])^2) / sum(Sig[its, its]),
         omega_h = sum(Lr[its, s])^2 / sum(Sig[its, its]))
  })
  list(ecv = sum(L[, general]^2) / common,
       puc = 1 - sum(ns * (ns - 1) / 2) / (n * (n - 1) / 2),
       omega_total = omega_total, omega_hierarchical = sum(L[, general])^2 / sum(R),
       factors = rows,
       items = list(item = items, general = unname(L[, general]),
                    i_ecv = unname(L[, general]^2 / rowSums(L^2))),
       raw = raw)
}

cases <- lapply(MODELS, function(m) {
  fit <- cfa(m$model, data = DATA[[m$data]], std.lv = TRUE, orthogonal = TRUE)
  stopifnot(lavInspect(fit, "converged"), lavInspect(fit, "post.check"))
  out <- c(list(model = m$model, data = m$data, general = m$general,
                nobs = lavInspect(fit, "nobs"), chisq = unname(fitMeasures(fit, "chisq"))),
           indices(fit, m$general))
  # semTools: omega of each factor, denominator the implied covariance matrix (raw items)
  out$compRelSEM_implied <- as.list(compRelSEM(fit, obs.var = FALSE))
  out$compRelSEM_total_implied <- unname(compRelSEM(fit, obs.var = FALSE, return.total = TRUE)["total"])
  out
})
out <- list(lavaan_version = as.character(packageVersion("lavaan")),
            semtools_version = as.character(packageVersion("semTools")), cases = cases)
write_json(out, "tests/fixtures/r/bifactor.json", digits = I(12), auto_unbox = TRUE,
           pretty = TRUE)
