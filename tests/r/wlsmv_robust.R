# Reference values for tests/test_wlsmv_robust.py: lavaan's robust CFI/TLI/RMSEA of WLSMV
# fits (the catML approach of Savalei 2021: lav_fit_catml_dwls), with the other fit measures.
# Run from the repository root:  Rscript tests/r/wlsmv_robust.R
# Needs R lavaan 0.6.14, semTools 0.5.6 and jsonlite. Writes the data
# tests/fixtures/data/wlsmv_robust.csv (n = 600, groups g1/g2 of 300) and
# tests/fixtures/data/wlsmv_robust_npd.csv (n = 50; its polychoric matrix is not positive
# definite), generated here with a seed, and tests/fixtures/r/wlsmv_robust.json.
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})

cut_at <- function(y, th) findInterval(y, th) + 1L          # categories 1..length(th) + 1
item <- function(f, lambda, th) cut_at(lambda * f + rnorm(length(f), sd = sqrt(1 - lambda^2)), th)

set.seed(20261207)
n <- 600
grp <- rep(c("g1", "g2"), each = n / 2)
d <- data.frame(grp = grp)
# a: one factor, 5 categories; group g2 has a higher latent mean and a weaker a5, a6
f <- rnorm(n) + ifelse(grp == "g2", 0.4, 0)
lam_a <- c(0.8, 0.75, 0.7, 0.65, 0.6, 0.55)
for (i in 1:6) {
  lam <- ifelse(grp == "g2" & i >= 5, lam_a[i] - 0.2, lam_a[i])
  d[[paste0("a", i)]] <- cut_at(lam * f + rnorm(n, sd = sqrt(1 - lam^2)), c(-1.5, -0.5, 0.3, 1.2))
}
# b: two correlated factors (r = 0.4); b1-b4 with 3 categories, b5-b8 with 4
f1 <- rnorm(n); f2 <- 0.4 * f1 + sqrt(1 - 0.4^2) * rnorm(n)
lam_b <- c(0.75, 0.7, 0.6, 0.55)
for (i in 1:4) d[[paste0("b", i)]] <- item(f1, lam_b[i], c(-0.5, 0.7))
for (i in 1:4) d[[paste0("b", i + 4)]] <- item(f2, lam_b[i], c(-0.8, 0, 0.9))
# c: two factors (r = 0.6) of 3 items each, 4 categories: a one-factor model fits poorly
g1 <- rnorm(n); g2 <- 0.6 * g1 + sqrt(1 - 0.6^2) * rnorm(n)
for (i in 1:3) d[[paste0("c", i)]] <- item(g1, 0.75, c(-0.7, 0.1, 0.9))
for (i in 1:3) d[[paste0("c", i + 3)]] <- item(g2, 0.75, c(-0.7, 0.1, 0.9))
# d: binary items, one factor
h <- rnorm(n)
lam_d <- c(0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45)
th_d <- c(-1, -0.6, -0.3, 0, 0.2, 0.5, 0.8, 1.1)
for (i in 1:8) d[[paste0("d", i)]] <- item(h, lam_d[i], th_d[i]) - 1L
write.csv(d, "tests/fixtures/data/wlsmv_robust.csv", row.names = FALSE)

# e: 50 rows of 12 binary items (loadings 0.6): the pairwise tetrachorics of this small
# sample do not form a positive definite matrix (smallest eigenvalue -0.16)
set.seed(1)
fe <- rnorm(50)
e <- as.data.frame(sapply(1:12, function(i) as.integer(0.6 * fe + rnorm(50, sd = 0.8) > (i - 6.5) / 12)))
names(e) <- paste0("e", 1:12)
write.csv(e, "tests/fixtures/data/wlsmv_robust_npd.csv", row.names = FALSE)
DATA <- list(main = d, npd = e)

FIT <- c("npar", "fmin", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
         "chisq.scaling.factor", "baseline.chisq", "baseline.df", "baseline.pvalue",
         "baseline.chisq.scaled", "baseline.df.scaled", "baseline.pvalue.scaled",
         "baseline.chisq.scaling.factor", "cfi", "tli", "cfi.scaled", "tli.scaled",
         "cfi.robust", "tli.robust", "nnfi.robust", "rni.robust", "rmsea", "rmsea.ci.lower",
         "rmsea.ci.upper", "rmsea.pvalue", "rmsea.notclose.pvalue", "rmsea.scaled",
         "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.pvalue.scaled",
         "rmsea.notclose.pvalue.scaled", "rmsea.robust", "rmsea.ci.lower.robust",
         "rmsea.ci.upper.robust", "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust",
         "srmr")

run <- function(data_name, model, group = NULL, group_equal = "", printed = FALSE) {
  fit <- cfa(model, data = DATA[[data_name]], ordered = TRUE, estimator = "WLSMV",
             group = group, group.equal = group_equal)
  fm <- fitMeasures(fit)
  out <- list(
    args = list(data = data_name, model = model, group = if (is.null(group)) NA else group,
                group_equal = group_equal),
    converged = lavInspect(fit, "converged"), nobs = lavInspect(fit, "nobs"),
    fit = as.list(fm[FIT]),
    # the pieces of lav_fit_catml_dwls (NA where the robust indices are NA)
    catml = lavaan:::lav_fit_catml_dwls(fit),
    min_eigen_polychoric = min(sapply(lavInspect(fit, "sampstat", drop.list.single.group = FALSE),
                                      function(s) min(eigen(s$cov)$values))))
  if (printed) out$summary <- capture.output(summary(fit, fit.measures = TRUE))
  out
}

items <- function(prefix, k) paste0(prefix, seq_len(k), collapse = " + ")
A <- paste("f =~", items("a", 6))
METRIC <- as.character(measEq.syntax(A, data = d, ordered = paste0("a", 1:6),
                                     parameterization = "delta", ID.fac = "std.lv",
                                     ID.cat = "Wu.Estabrook.2016", group = "grp",
                                     group.equal = "loadings"))

cases <- list(
  one_factor_5cat = run("main", A),
  two_factor_3_4cat = run("main", paste0("f1 =~ ", items("b", 4), "\nf2 =~ b5 + b6 + b7 + b8")),
  misfit_one_factor = run("main", paste("f =~", items("c", 6)), printed = TRUE),
  binary = run("main", paste("f =~", items("d", 8))),
  just_identified = run("main", "f =~ a1 + a2 + a3"),
  two_group = run("main", A, group = "grp"),
  two_group_loadings = run("main", A, group = "grp", group_equal = "loadings"),
  two_group_measeq_metric = run("main", METRIC, group = "grp"),
  # NA: equality constraints on thresholds cannot be carried into the catML object
  two_group_thresholds_loadings = run("main", A, group = "grp",
                                      group_equal = c("thresholds", "loadings"),
                                      printed = TRUE),
  # NA: the polychoric matrix is not positive definite
  not_positive_definite = run("npd", paste("f =~", items("e", 12)))
)

out <- list(lavaan_version = as.character(packageVersion("lavaan")),
            semtools_version = as.character(packageVersion("semTools")), cases = cases)
write_json(out, "tests/fixtures/r/wlsmv_robust.json", digits = I(12), auto_unbox = TRUE,
           pretty = TRUE, na = "null")
