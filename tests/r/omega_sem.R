# Reference values for tests/test_omega_sem.py: semTools::compRelSEM on CFA fits —
# categorical omega of WLSMV fits (ord.scale = TRUE: Green & Yang 2009), per-factor omega
# of correlated-factor models and the omega of higher-order factors (higher =).
# Run from the repository root:  Rscript tests/r/omega_sem.R
# Needs R lavaan 0.6.14, semTools 0.5.6 and jsonlite. Writes tests/fixtures/r/omega_sem.json.
#
# semTools 0.5.6 stops with "non-conformable arguments" when compRelSEM combines
# ord.scale = TRUE with return.total = TRUE or with higher = (it passes the *sum* of the
# common covariance matrix to omegaCat). For those two quantities the reference is
# semTools' own omegaCat applied to the matrix compRelSEM means (L Phi L', or
# L B Phi B' L' for a higher-order factor), the sample polychoric matrix and the model's
# thresholds: `omegacat_matrix` below.
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})

skewed <- read.csv("analysis/datasets/ordinal_skewed.csv")
bfi <- read.csv("tests/fixtures/data/bfi.csv")
hs <- read.csv("analysis/datasets/holzinger_swineford_1939.csv")
# psych's keys: reverse-scored items of the 1-6 scale
bfi_r <- bfi
for (i in c("A1", "C4", "C5", "E1", "E2", "O2", "O5")) bfi_r[[i]] <- 7 - bfi_r[[i]]
DATA <- list(skewed = skewed, bfi = bfi, bfi_r = bfi_r, hs = hs)

Q <- function(i) paste0("q", i, collapse = " + ")
MODELS <- list(
  skewed_one = paste("f =~", Q(1:10)),
  skewed_two = paste0("f1 =~ ", Q(1:5), "\nf2 =~ ", Q(6:10)),
  skewed_bifactor = paste0("g =~ ", Q(1:10), "\ns1 =~ ", Q(1:5), "\ns2 =~ ", Q(6:10)),
  bfi_neu = "neu =~ N1 + N2 + N3 + N4 + N5",
  bfi_three = "agree =~ A1 + A2 + A3 + A4 + A5
               consc =~ C1 + C2 + C3 + C4 + C5
               extra =~ E1 + E2 + E3 + E4 + E5",
  bfi_higher = "agree =~ A1 + A2 + A3 + A4 + A5
                consc =~ C1 + C2 + C3 + C4 + C5
                extra =~ E1 + E2 + E3 + E4 + E5
                alpha =~ agree + consc + extra",
  hs_three = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
  hs_higher = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9
               g =~ visual + textual + speed"
)

# semTools' omegaCat on the matrix of common (co)variances of the given indicators
omegacat_matrix <- function(fit, inds, common) {
  th <- semTools:::getThreshold(fit)[[1]]
  sc <- semTools:::getScales(fit)[[1]]
  S <- lavInspect(fit, "sampstat")$cov
  semTools:::omegaCat(truevar = common[inds, inds], threshold = th[inds], scales = sc[inds],
                      denom = S[inds, inds])
}

run <- function(name, data_name, ordered, higher = character(0), orthogonal = FALSE,
                std_lv = FALSE) {
  model <- MODELS[[name]]
  data <- DATA[[data_name]]
  fit <- if (ordered) {
    cfa(model, data = data, ordered = TRUE, estimator = "WLSMV", orthogonal = orthogonal,
        std.lv = std_lv)
  } else cfa(model, data = data, orthogonal = orthogonal, std.lv = std_lv)
  stopifnot(lavInspect(fit, "converged"))
  out <- list(model = model, data = data_name, ordered = ordered, higher = higher,
              orthogonal = orthogonal, std_lv = std_lv, nobs = lavInspect(fit, "nobs"),
              compRelSEM = as.list(compRelSEM(fit, higher = if (ordered) character(0) else higher)))
  est <- lavInspect(fit, "est")
  L <- est$lambda; B <- est$beta; PHI <- lavInspect(fit, "cov.lv")
  inds <- rownames(L)[rowSums(L != 0) > 0]
  if (!ordered && length(higher) == 0) {
    out$total <- unname(compRelSEM(fit, return.total = TRUE)["total"])
  }
  if (ordered) {
    first <- colnames(L)[colSums(L != 0) > 1]
    out$total <- omegacat_matrix(fit, inds, L[, first, drop = FALSE] %*% PHI[first, first, drop = FALSE] %*% t(L[, first, drop = FALSE]))
    for (hf in higher) {
      lat <- rownames(B)[B[, hf] != 0]
      Lh <- L[, c(hf, lat)]; Bh <- B[c(hf, lat), c(hf, lat)]; Ph <- PHI[c(hf, lat), c(hf, lat)]
      hinds <- rownames(L)[rowSums(L[, lat, drop = FALSE] != 0) > 0]
      out$higher_omegacat_matrix[[hf]] <- omegacat_matrix(
        fit, hinds, Lh %*% Bh %*% Ph %*% t(Bh) %*% t(Lh))
    }
  }
  out
}

cases <- list(
  skewed_one_wlsmv = run("skewed_one", "skewed", TRUE),
  skewed_two_wlsmv = run("skewed_two", "skewed", TRUE),
  skewed_bifactor_wlsmv = run("skewed_bifactor", "skewed", TRUE, orthogonal = TRUE,
                              std_lv = TRUE),
  bfi_neu_wlsmv = run("bfi_neu", "bfi", TRUE),
  bfi_three_wlsmv = run("bfi_three", "bfi_r", TRUE),
  bfi_higher_wlsmv = run("bfi_higher", "bfi_r", TRUE, higher = "alpha"),
  bfi_three_ml = run("bfi_three", "bfi_r", FALSE),
  bfi_higher_ml = run("bfi_higher", "bfi_r", FALSE, higher = "alpha"),
  hs_three_ml = run("hs_three", "hs", FALSE),
  hs_higher_ml = run("hs_higher", "hs", FALSE, higher = "g")
)
out <- list(lavaan_version = as.character(packageVersion("lavaan")),
            semtools_version = as.character(packageVersion("semTools")),
            reversed = c("A1", "C4", "C5", "E1", "E2", "O2", "O5"), cases = cases)
write_json(out, "tests/fixtures/r/omega_sem.json", digits = I(12), auto_unbox = TRUE,
           pretty = TRUE)
