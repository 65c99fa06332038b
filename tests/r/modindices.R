# Reference values for tests/test_modindices.py: modification indices and expected
# parameter changes (lavaan::modindices with its defaults: expected information, all
# rows, standardized EPCs). Run from the repository root:  Rscript tests/r/modindices.R
# Needs R lavaan 0.6.14 and jsonlite. Writes tests/fixtures/r/modindices.json.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

DATA <- list(hs = read.csv("analysis/datasets/holzinger_swineford_1939.csv"),
             dom = read.csv("tests/fixtures/data/domains10.csv"),
             sv = read.csv("tests/fixtures/data/survey_missing.csv"),
             pd = read.csv("analysis/datasets/political_democracy.csv"))
HS1 <- "g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9"
HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
DOM1 <- "wellbeing =~ sat_health + sat_resilience + sat_housing + sat_daily_coping + sat_family +
           sat_friends + sat_finances + sat_strengths + sat_self_esteem + sat_life_overall"
SV2 <- "personal =~ sat_health + sat_resilience + sat_daily_coping + sat_strengths + sat_self_esteem
        social =~ sat_housing + sat_family + sat_friends + sat_finances"
SVX <- paste(SV2, "\npersonal ~ age")
PD <- "ind60 =~ x1 + x2 + x3
       dem60 =~ y1 + y2 + y3 + y4
       dem65 =~ y5 + y6 + y7 + y8
       dem60 ~ ind60
       dem65 ~ ind60 + dem60"

run <- function(data_name, model, estimator = "ML", missing = "listwise", group = NULL,
                group_equal = "") {
  fit <- suppressWarnings(sem(model, data = DATA[[data_name]], estimator = estimator,
                              missing = missing, group = group, group.equal = group_equal))
  mi <- modindices(fit)
  if (is.null(mi$group)) mi$group <- 1L
  list(args = list(data = data_name, model = model, estimator = estimator, missing = missing,
                   group = if (is.null(group)) NA else group, group_equal = group_equal),
       chisq = unname(fitMeasures(fit, "chisq")),
       mi = mi[, c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")])
}

cases <- list(
  hs_one = run("hs", HS1),
  hs_three = run("hs", HS3),
  hs_three_mlr = run("hs", HS3, "MLR"),
  hs_scalar = run("hs", HS3, group = "school", group_equal = c("loadings", "intercepts")),
  dom_one = run("dom", DOM1),
  sv_two_fiml = run("sv", SV2, missing = "ml"),
  sv_cov = run("sv", SVX),
  pd_sem = run("pd", PD)
)
out <- list(lavaan_version = as.character(packageVersion("lavaan")),
            r_version = R.version.string, cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/fixtures/r/modindices.json")
