# Reference values for tests/test_reliability.py (alpha, omega, ICC).
#
# Run from the repository root:  Rscript tests/r/reliability.R
# Writes tests/fixtures/r/reliability.json and exports psych's bfi data to
# tests/fixtures/data/bfi.csv (NA written as an empty cell). Made with R 4.2, psych 2.2.9,
# lavaan 0.6-14, semTools 0.5-6. The tests read the JSON only; R is never needed at test time.
suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
  library(semTools)
  library(jsonlite)
})

bfi_items <- psych::bfi[, c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5),
                            paste0("N", 1:5), paste0("O", 1:5), "gender", "education", "age")]
write.csv(bfi_items, "tests/fixtures/data/bfi.csv", row.names = FALSE, na = "")
bfi <- read.csv("tests/fixtures/data/bfi.csv")

hs_path <- "analysis/datasets/holzinger_swineford_1939.csv"
if (!file.exists(hs_path)) {
  write.csv(lavaan::HolzingerSwineford1939, hs_path, row.names = FALSE, na = "")
}
hs <- read.csv(hs_path)

# Reverse keying as psych's keys do for raw data: min + max of the whole item set - x.
reverse <- function(d, items) { for (i in items) d[[i]] <- 7 - d[[i]]; d }
bfi_r <- reverse(bfi, c("A1", "C4", "C5", "E1", "E2", "O2", "O5"))

alpha_fixture <- function(x, use, ...) {
  a <- psych::alpha(x, use = use, warnings = FALSE, ...)
  list(
    n_rows = nrow(x),
    raw_alpha = a$total$raw_alpha,
    std_alpha = a$total$std.alpha,
    feldt_low = a$feldt$lower.ci[[1]],
    feldt_high = a$feldt$upper.ci[[1]],
    items = rownames(a$item.stats),
    item_n = unname(a$item.stats$n),
    r_drop = unname(a$item.stats$r.drop),
    alpha_if_dropped = unname(a$alpha.drop$raw_alpha),
    std_alpha_if_dropped = unname(a$alpha.drop$std.alpha)
  )
}

scales <- list(A = paste0("A", 1:5), C = paste0("C", 1:5), N = paste0("N", 1:5))
alpha_out <- list()
for (s in names(scales)) {
  x <- bfi_r[, scales[[s]]]
  alpha_out[[paste0(s, "_pairwise")]] <- alpha_fixture(x, "pairwise")
  # listwise: incomplete rows removed first, so Feldt's n is the complete-case count
  alpha_out[[paste0(s, "_listwise")]] <- alpha_fixture(na.omit(x), "pairwise")
}
# psych's own reverse keying (keys=) must give the same as reversing beforehand
alpha_out$A_keys_pairwise <- alpha_fixture(bfi[, scales$A], "pairwise", keys = c("A1"))
alpha_out$hs_x1_x9 <- alpha_fixture(hs[, paste0("x", 1:9)], "pairwise")

# Bootstrap percentile CI (random: the test compares with a Monte Carlo tolerance)
set.seed(20260101)
boot <- psych::alpha(bfi[, scales$N], n.iter = 2000, warnings = FALSE)
alpha_out$N_boot <- list(n_iter = 2000, ci_low = unname(boot$boot.ci[1]),
                         ci_high = unname(boot$boot.ci[3]))

# ---- ICC ---------------------------------------------------------------------------------
icc_fixture <- function(d) {
  r <- psych::ICC(d, lmer = FALSE)$results
  list(type = r$type, icc = r$ICC, F = r$F, df1 = r$df1, df2 = r$df2, p = r$p,
       ci_low = r$`lower bound`, ci_high = r$`upper bound`)
}
sf <- data.frame(J1 = c(9, 6, 8, 7, 10, 6), J2 = c(2, 1, 4, 1, 5, 2),
                 J3 = c(5, 3, 6, 2, 6, 4), J4 = c(8, 2, 8, 6, 9, 7))
set.seed(2026)
n_retest <- 80
true_score <- rnorm(n_retest, 6, 2)
clip <- function(v) pmin(10, pmax(0, round(v)))
retest <- data.frame(t1 = clip(true_score + rnorm(n_retest, 0, 1)),
                     retest = clip(true_score + 0.3 + rnorm(n_retest, 0, 1)))
retest$t1[c(5, 17)] <- NA
retest$retest[c(17, 42, 63)] <- NA
retest_complete <- na.omit(retest)
icc_lmer <- psych::ICC(retest_complete, lmer = TRUE)$results$ICC
icc_out <- list(
  shrout_fleiss = c(list(data = sf), icc_fixture(sf)),
  retest = c(list(data = retest, n_complete = nrow(retest_complete)),
             icc_fixture(retest_complete)),
  retest_lmer_icc = icc_lmer
)

# ---- omega (semTools::compRelSEM, default obs.var = TRUE) ---------------------------------
omega_out <- list()
f_n <- cfa("f =~ N1 + N2 + N3 + N4 + N5", data = bfi)
omega_out$N_one_factor <- list(items = scales$N, omega = unname(compRelSEM(f_n)[1]),
                               omega_implied = unname(compRelSEM(f_n, obs.var = FALSE)[1]),
                               nobs = lavInspect(f_n, "nobs"))
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
f_hs <- cfa(hs_model, data = hs)
rel_hs <- compRelSEM(f_hs, return.total = TRUE)
omega_out$hs_three_factor <- list(model = hs_model, per_factor = as.list(rel_hs[1:3]),
                                  total = unname(rel_hs["total"]))
f_hs1 <- cfa(paste("f =~", paste0("x", 1:9, collapse = " + ")), data = hs)
omega_out$hs_one_factor <- list(omega = unname(compRelSEM(f_hs1)[1]))
bif_items <- c(scales$A, paste0("E", 1:5))
bif_model <- paste(
  paste("g =~", paste(bif_items, collapse = " + ")),
  paste("agree =~", paste(scales$A, collapse = " + ")),
  paste("extra =~", paste0("E", 1:5, collapse = " + ")),
  "g ~~ 0*agree\ng ~~ 0*extra\nagree ~~ 0*extra", sep = "\n")
f_bif <- cfa(bif_model, data = bfi_r)
rel_bif <- compRelSEM(f_bif, return.total = TRUE)
omega_out$bfi_bifactor <- list(model = bif_model, items = bif_items,
                               reversed = c("A1", "E1", "E2"),
                               omega_hierarchical = unname(rel_bif["g"]),
                               omega_total = unname(rel_bif["total"]),
                               converged = lavInspect(f_bif, "converged"),
                               nobs = lavInspect(f_bif, "nobs"))

out <- list(
  generated_with = list(R = R.version.string, psych = as.character(packageVersion("psych")),
                        lavaan = as.character(packageVersion("lavaan")),
                        semTools = as.character(packageVersion("semTools"))),
  reversed_bfi_items = c("A1", "C4", "C5", "E1", "E2", "O2", "O5"),
  alpha = alpha_out, icc = icc_out, omega = omega_out
)
write_json(out, "tests/fixtures/r/reliability.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
