# Reference values for tests/test_fiml.py: full-information ML (missing = "ml", "ml.x").
# Run from the repository root:  Rscript tests/r/fiml.R
# Needs R lavaan 0.6.14 and jsonlite. Writes tests/fixtures/r/fiml.json.
# Data: tests/fixtures/data/survey_missing.csv (synthetic, missingness depends on the
# setting and on observed answers) and psych's bfi (real item non-response).
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

sv <- read.csv("tests/fixtures/data/survey_missing.csv")
bfi <- read.csv("tests/fixtures/data/bfi.csv")
DATA <- list(sv = sv, bfi = bfi)

FIT <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
         "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr", "aic", "bic",
         "logl", "unrestricted.logl", "ntotal", "cfi.robust", "tli.robust", "rmsea.robust",
         "rmsea.ci.lower.robust", "rmsea.ci.upper.robust")
SCALED <- c("chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
            "baseline.chisq.scaled", "baseline.chisq.scaling.factor",
            "cfi.scaled", "tli.scaled", "rmsea.scaled")

run <- function(data_name, model, estimator = "ML", missing = "ml", group = NULL,
                group_equal = "") {
  fit <- suppressWarnings(sem(model, data = DATA[[data_name]], estimator = estimator,
                              missing = missing, group = group, group.equal = group_equal))
  keep <- FIT
  if (estimator == "MLR") keep <- c(keep, SCALED)
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe <- pe[pe$op != "==", ]
  if (is.null(pe$group)) pe$group <- 1L
  if (is.null(pe$label)) pe$label <- ""
  pats <- lavInspect(fit, "patterns")
  list(args = list(data = data_name, model = model, estimator = estimator, missing = missing,
                   group = if (is.null(group)) NA else group, group_equal = group_equal),
       converged = lavInspect(fit, "converged"),
       nobs = sum(unlist(lavInspect(fit, "nobs"))),
       norig = sum(unlist(lavInspect(fit, "norig"))),
       npatterns = if (is.list(pats)) sum(sapply(pats, nrow)) else nrow(pats),
       group_labels = lavInspect(fit, "group.label"),
       fit = as.list(fitMeasures(fit)[keep]),
       estimates = pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue",
                          "std.all")])
}

S <- paste0("sat_", c("health", "resilience", "housing", "daily_coping", "family", "friends",
                      "finances", "strengths", "self_esteem", "life_overall"))
ONE <- paste("wellbeing =~", paste(S, collapse = " + "))
TWO <- "personal =~ sat_health + sat_resilience + sat_daily_coping + sat_strengths + sat_self_esteem + sat_life_overall
        social =~ sat_housing + sat_family + sat_friends + sat_finances + sat_life_overall
        sat_health ~~ sat_daily_coping"
COV <- "personal =~ sat_health + sat_resilience + sat_daily_coping + sat_strengths + sat_self_esteem
        social =~ sat_housing + sat_family + sat_friends + sat_finances
        personal ~ age
        social ~ age"
MG <- "personal =~ sat_health + sat_resilience + sat_daily_coping + sat_strengths + sat_self_esteem
       social =~ sat_housing + sat_family + sat_friends + sat_finances"
AC <- "agree =~ A1 + A2 + A3 + A4 + A5
       consc =~ C1 + C2 + C3 + C4 + C5"
STEPS <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))

cases <- list(
  sv_one_ml = run("sv", ONE),
  sv_one_mlr = run("sv", ONE, "MLR"),
  sv_two_ml = run("sv", TWO),
  sv_two_mlr = run("sv", TWO, "MLR"),
  sv_cov_ml = run("sv", COV),                      # rows lacking age removed (fixed.x)
  sv_cov_mlx = run("sv", COV, missing = "ml.x"),   # ... kept
  bfi_ac_ml = run("bfi", AC),
  bfi_ac_mlr = run("bfi", AC, "MLR"),
  bfi_ac_gender_ml = run("bfi", AC, group = "gender"),
  bfi_ac_gender_mlr = run("bfi", AC, "MLR", group = "gender")
)
for (step in names(STEPS)) {
  for (est in c("ML", "MLR")) {
    cases[[paste0("sv_", step, "_", tolower(est))]] <-
      run("sv", MG, est, group = "setting", group_equal = STEPS[[step]])
  }
}

# chi-square difference tests (lavTestLRT) for the FIML invariance sequence
refit <- function(case) {
  a <- case$args
  suppressWarnings(sem(a$model, data = DATA[[a$data]], estimator = a$estimator,
                       missing = a$missing, group = a$group, group.equal = a$group_equal))
}
lrt <- list()
for (est in c("ml", "mlr")) {
  prev <- NULL
  for (step in names(STEPS)) {
    this <- cases[[paste0("sv_", step, "_", est)]]
    if (!is.null(prev)) {
      t <- lavTestLRT(refit(prev), refit(this),
                      method = if (est == "mlr") "satorra.bentler.2001" else "default")
      lrt[[paste0(step, "_", est)]] <- list(chisq_diff = t[2, "Chisq diff"],
                                            df_diff = t[2, "Df diff"],
                                            p_diff = t[2, "Pr(>Chisq)"])
    }
    prev <- this
  }
}

out <- list(lavaan_version = as.character(packageVersion("lavaan")),
            r_version = R.version.string, cases = cases, lrt = lrt)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/fixtures/r/fiml.json")
