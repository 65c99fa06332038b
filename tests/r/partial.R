# Reference values for tests/test_partial_invariance.py: partial and strict measurement
# invariance (group.partial), latent mean differences and lavTestScore for the equality
# constraints. Run from the repository root:  Rscript tests/r/partial.R
# Needs R lavaan 0.6.14 and jsonlite. Writes tests/fixtures/r/partial.json.
# Data: HolzingerSwineford1939 by school (complete) and the synthetic survey by setting
# (FIML; the finance intercept and the friends loading differ between settings by design).
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

hs <- read.csv("analysis/datasets/holzinger_swineford_1939.csv")
sv <- read.csv("tests/fixtures/data/survey_missing.csv")
DATA <- list(hs = hs, sv = sv)
FIT <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic",
         "chisq.scaled", "chisq.scaling.factor", "cfi.robust", "rmsea.robust")

HS <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
SV <- "personal =~ sat_health + sat_resilience + sat_daily_coping + sat_strengths + sat_self_esteem
       social =~ sat_housing + sat_family + sat_friends + sat_finances"
HS_PARTIAL <- c("x3~1", "x7~1")
SV_PARTIAL <- c("sat_finances~1", "social=~sat_friends")

fit <- function(data_name, group_equal, group_partial = "", estimator = "ML") {
  model <- if (data_name == "hs") HS else SV
  group <- if (data_name == "hs") "school" else "setting"
  missing <- if (data_name == "hs") "listwise" else "ml"
  f <- suppressWarnings(cfa(model, data = DATA[[data_name]], group = group,
                            group.equal = group_equal, group.partial = group_partial,
                            estimator = estimator, missing = missing))
  attr(f, "args") <- list(data = data_name, model = model, group = group, missing = missing,
                          estimator = estimator, group_equal = group_equal,
                          group_partial = group_partial)
  f
}
record <- function(f) {
  fm <- fitMeasures(f)
  pe <- parameterEstimates(f, standardized = TRUE)
  pe <- pe[pe$op != "==", ]
  if (is.null(pe$label)) pe$label <- ""
  list(args = attr(f, "args"), fit = as.list(fm[intersect(FIT, names(fm))]),
       estimates = pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue",
                          "std.all")])
}
diff_test <- function(a, b) {
  method <- if (attr(a, "args")$estimator == "MLR") "satorra.bentler.2001" else "default"
  t <- lavTestLRT(a, b, method = method)
  list(chisq_diff = t[2, "Chisq diff"], df_diff = t[2, "Df diff"], p_diff = t[2, "Pr(>Chisq)"])
}
score <- function(f) {
  s <- lavTestScore(f)
  list(total = list(X2 = s$test$X2, df = s$test$df, pvalue = s$test$p.value),
       uni = s$uni[, c("lhs", "op", "rhs", "X2", "df", "p.value")])
}

fits <- list()
for (d in c("hs", "sv")) {
  P <- if (d == "hs") HS_PARTIAL else SV_PARTIAL
  for (est in c("ML", "MLR")) {
    k <- paste0(d, "_", tolower(est), "_")
    fits[[paste0(k, "configural")]] <- fit(d, "", estimator = est)
    fits[[paste0(k, "metric")]] <- fit(d, "loadings", estimator = est)
    fits[[paste0(k, "scalar")]] <- fit(d, c("loadings", "intercepts"), estimator = est)
    fits[[paste0(k, "scalar_partial")]] <- fit(d, c("loadings", "intercepts"), P, est)
    fits[[paste0(k, "strict_partial")]] <- fit(d, c("loadings", "intercepts", "residuals"), P, est)
    fits[[paste0(k, "metric_partial")]] <- fit(d, "loadings", P, est)
  }
}
cases <- lapply(fits, record)
lrt <- list()
for (d in c("hs", "sv")) for (est in c("ml", "mlr")) {
  k <- paste0(d, "_", est, "_")
  lrt[[paste0(k, "scalar_partial")]] <- diff_test(fits[[paste0(k, "metric")]], fits[[paste0(k, "scalar_partial")]])
  lrt[[paste0(k, "strict_partial")]] <- diff_test(fits[[paste0(k, "scalar_partial")]], fits[[paste0(k, "strict_partial")]])
  lrt[[paste0(k, "metric_partial")]] <- diff_test(fits[[paste0(k, "configural")]], fits[[paste0(k, "metric_partial")]])
}
scores <- list(hs_scalar = score(fits$hs_ml_scalar), sv_scalar = score(fits$sv_ml_scalar),
               hs_metric = score(fits$hs_ml_metric))

out <- list(lavaan_version = as.character(packageVersion("lavaan")),
            r_version = R.version.string, cases = cases, lrt = lrt, score = scores)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/fixtures/r/partial.json")
