# Reference values for tests/test_cfa.py and tests/test_invariance.py.
# Run from the repository root:  Rscript tests/r/cfa.R
# Needs R lavaan 0.6.14 and jsonlite. Writes tests/fixtures/r/cfa.json.
# Both data sets are read from the committed CSVs, so R and Python see identical numbers.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

hs <- read.csv("analysis/datasets/holzinger_swineford_1939.csv")
dom <- read.csv("tests/fixtures/data/domains10.csv")

FIT <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
         "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr", "aic", "bic",
         "logl", "unrestricted.logl", "ntotal")
ROBUST <- c("chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
            "baseline.chisq.scaled", "baseline.chisq.scaling.factor",
            "cfi.scaled", "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust",
            "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust")

record <- function(fit, args) {
  fm <- fitMeasures(fit)
  keep <- FIT
  if (identical(args$estimator, "MLR")) keep <- c(keep, ROBUST)
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe <- pe[pe$op != "==", ]
  if (is.null(pe$group)) pe$group <- 1L
  if (is.null(pe$label)) pe$label <- ""
  list(args = args,
       converged = lavInspect(fit, "converged"),
       group_labels = lavInspect(fit, "group.label"),
       fit = as.list(fm[keep]),
       estimates = pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "z",
                          "pvalue", "std.all")])
}

run <- function(data_name, model, estimator = "ML", group = NULL, group_equal = "",
                std_lv = FALSE, orthogonal = FALSE) {
  data <- if (data_name == "hs") hs else dom
  fit <- cfa(model, data = data, estimator = estimator, group = group,
             group.equal = group_equal, std.lv = std_lv, orthogonal = orthogonal)
  record(fit, list(data = data_name, model = model, estimator = estimator,
                   group = if (is.null(group)) NA else group, group_equal = group_equal,
                   std_lv = std_lv, orthogonal = orthogonal))
}

HS <- "
# classic three-factor model
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"
ONE <- "wellbeing =~ sat_health + sat_resilience + sat_housing + sat_daily_coping +
          sat_family + sat_friends + sat_finances + sat_strengths + sat_self_esteem"
ONE_CR <- paste(ONE, "\nsat_health ~~ sat_daily_coping")
TWO <- "personal =~ sat_health + sat_resilience + sat_daily_coping + sat_strengths + sat_self_esteem
        social =~ sat_housing + sat_family + sat_friends + sat_finances"
BIFACTOR <- "g =~ sat_health + sat_resilience + sat_daily_coping + sat_strengths + sat_self_esteem +
               sat_housing + sat_family + sat_friends + sat_finances
             personal =~ sat_health + sat_resilience + sat_daily_coping + sat_strengths + sat_self_esteem
             social =~ sat_housing + sat_family + sat_friends + sat_finances"
# bifactor with three specific factors: lavaan reaches a proper minimum; Fisher scoring from
# principal-axis starting values (this package's former default) stopped in an improper
# region (residual variance of sat_resilience about -600, not converged)
BIFACTOR3 <- "g =~ sat_health + sat_resilience + sat_housing + sat_daily_coping + sat_family +
                sat_friends + sat_finances + sat_strengths + sat_self_esteem + sat_life_overall
              s0 =~ sat_health + sat_daily_coping + sat_self_esteem
              s1 =~ sat_resilience + sat_strengths + sat_life_overall
              s2 =~ sat_housing + sat_family + sat_finances"

cases <- list(
  hs_ml = run("hs", HS),
  hs_mlr = run("hs", HS, "MLR"),
  hs_std_lv = run("hs", HS, std_lv = TRUE),
  hs_orthogonal = run("hs", HS, orthogonal = TRUE),
  hs_fixed = run("hs", "visual =~ x1 + 0.5*x2 + NA*x3 + a*x3\ntextual =~ x4 + b*x5 + b*x6\nspeed =~ x7 + x8 + x9\nvisual ~~ 0*speed"),
  hs_configural = run("hs", HS, group = "school"),
  hs_metric = run("hs", HS, group = "school", group_equal = "loadings"),
  hs_scalar = run("hs", HS, group = "school", group_equal = c("loadings", "intercepts")),
  hs_configural_mlr = run("hs", HS, "MLR", group = "school"),
  hs_scalar_mlr = run("hs", HS, "MLR", group = "school", group_equal = c("loadings", "intercepts")),
  dom_one = run("dom", ONE),
  dom_one_mlr = run("dom", ONE, "MLR"),
  dom_one_cr = run("dom", ONE_CR),
  dom_two = run("dom", TWO),
  dom_two_mlr = run("dom", TWO, "MLR"),
  dom_bifactor = run("dom", BIFACTOR, std_lv = TRUE, orthogonal = TRUE),
  dom_bifactor3 = run("dom", BIFACTOR3, std_lv = TRUE, orthogonal = TRUE),
  dom_configural = run("dom", TWO, group = "gender"),
  dom_metric = run("dom", TWO, group = "gender", group_equal = "loadings"),
  dom_scalar = run("dom", TWO, group = "gender", group_equal = c("loadings", "intercepts")),
  dom_configural_mlr = run("dom", TWO, "MLR", group = "gender"),
  dom_metric_mlr = run("dom", TWO, "MLR", group = "gender", group_equal = "loadings"),
  dom_scalar_mlr = run("dom", TWO, "MLR", group = "gender", group_equal = c("loadings", "intercepts"))
)

# chi-square difference tests (lavTestLRT) for the invariance sequences
lrt <- function(a, b, method = "default") {
  fa <- cfa(a$args$model, data = if (a$args$data == "hs") hs else dom, estimator = a$args$estimator,
            group = a$args$group, group.equal = a$args$group_equal)
  fb <- cfa(b$args$model, data = if (b$args$data == "hs") hs else dom, estimator = b$args$estimator,
            group = b$args$group, group.equal = b$args$group_equal)
  t <- lavTestLRT(fa, fb, method = method)
  list(chisq_diff = t[2, "Chisq diff"], df_diff = t[2, "Df diff"], p_diff = t[2, "Pr(>Chisq)"])
}
tests <- list(
  hs_metric_vs_configural = lrt(cases$hs_configural, cases$hs_metric),
  hs_scalar_vs_metric = lrt(cases$hs_metric, cases$hs_scalar),
  dom_metric_vs_configural = lrt(cases$dom_configural, cases$dom_metric),
  dom_scalar_vs_metric = lrt(cases$dom_metric, cases$dom_scalar),
  dom_metric_vs_configural_mlr = lrt(cases$dom_configural_mlr, cases$dom_metric_mlr, "satorra.bentler.2001"),
  dom_scalar_vs_metric_mlr = lrt(cases$dom_metric_mlr, cases$dom_scalar_mlr, "satorra.bentler.2001")
)

# Heywood case: a one-factor model whose sample covariance forces a loading above one
# (cor 0.8, 0.8, 0.5 gives lambda1^2 = 0.8*0.8/0.5 = 1.28). The test builds data with
# exactly this unbiased covariance and n = 200.
S <- matrix(c(1, .8, .8, .8, 1, .5, .8, .5, 1), 3, dimnames = list(c("y1", "y2", "y3"), c("y1", "y2", "y3")))
hey <- suppressWarnings(cfa("f =~ y1 + y2 + y3", sample.cov = S, sample.nobs = 200))
heywood <- record(hey, list(model = "f =~ y1 + y2 + y3", n = 200, cov = S))

out <- list(lavaan_version = as.character(packageVersion("lavaan")),
            r_version = R.version.string, cases = cases, lrt = tests, heywood = heywood)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/fixtures/r/cfa.json")
