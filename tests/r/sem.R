# Reference values for tests/test_sem.py: structural models (regressions among latent and
# observed variables), defined parameters (:=), constraints (==, >), per-group modifiers
# c(...) and lavaan::standardizedSolution (std.all, std.lv, std.nox with delta-method SEs).
# Run from the repository root:  Rscript tests/r/sem.R
# Needs R lavaan 0.6.14 and jsonlite. Writes tests/fixtures/r/sem.json.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

DATA <- list(pd = read.csv("analysis/datasets/political_democracy.csv"),
             hs = read.csv("analysis/datasets/holzinger_swineford_1939.csv"),
             sv = read.csv("tests/fixtures/data/survey_missing.csv"))
FIT <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
         "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "aic", "bic", "logl",
         "unrestricted.logl")
SCALED <- c("chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust", "rmsea.robust")

# lavaan tutorial model with an indirect effect (labels a, b, c) and equal loadings
PD <- "
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + d1*y2 + d2*y3 + d3*y4
  dem65 =~ y5 + d1*y6 + d2*y7 + d3*y8
  dem60 ~ a*ind60
  dem65 ~ c*ind60 + b*dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
  indirect := a*b
  total := c + a*b
  ratio := indirect / total
"
# observed covariates (fixed.x), a mediator chain and a linear equality constraint
SVX <- "
  personal =~ sat_health + sat_resilience + sat_daily_coping + sat_strengths + sat_self_esteem
  social =~ sat_housing + sat_family + sat_friends + sat_finances
  social ~ g1*personal + age
  sat_life_overall ~ g2*personal + g3*social
  g2 == 2*g3
  via_social := g1*g3
"
# per-group modifiers: labels, fixed values and NA by group; a bound on a variance
HSG <- "
  visual =~ x1 + c(v2, v2)*x2 + c(v3a, v3b)*x3
  textual =~ x4 + c(NA, 1)*x5 + x6
  speed =~ x7 + x8 + x9
  x9 ~~ c(r9, r9)*x9
  r9 > 0.1
  diff3 := v3a - v3b
"
# a path model of observed variables only (exogenous x1, x2 fixed at their sample moments)
PATH <- "y5 ~ a*y1 + x1\ny1 ~ b*x1 + x2\nab := a*b"
# an active bound: the Heywood case of tests/r/cfa.R with its variance kept >= 0
S <- matrix(c(1, .8, .8, .8, 1, .5, .8, .5, 1), 3, dimnames = list(c("y1", "y2", "y3"), c("y1", "y2", "y3")))
HEY <- "f =~ y1 + y2 + y3\ny1 ~~ v1*y1\nv1 > 0"

record <- function(fit, args) {
  fm <- fitMeasures(fit)
  keep <- FIT
  if (identical(args$estimator, "MLR")) keep <- c(keep, SCALED)
  pe <- parameterEstimates(fit, standardized = TRUE, remove.def = FALSE)
  pe <- pe[!pe$op %in% c("==", "<", ">"), ]
  if (is.null(pe$group)) pe$group <- ifelse(pe$op == ":=", 0L, 1L)
  if (is.null(pe$label)) pe$label <- ""
  std <- lapply(c("std.all", "std.lv", "std.nox"), function(type) {
    s <- standardizedSolution(fit, type = type)
    s <- s[!s$op %in% c("==", "<", ">"), ]
    if (is.null(s$group)) s$group <- ifelse(s$op == ":=", 0L, 1L)
    s[, c("lhs", "op", "rhs", "group", "est.std", "se", "z", "pvalue", "ci.lower", "ci.upper")]
  })
  names(std) <- c("std.all", "std.lv", "std.nox")
  list(args = args, converged = lavInspect(fit, "converged"),
       fit = as.list(fm[intersect(keep, names(fm))]),
       estimates = pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue",
                          "std.all", "std.lv", "std.nox")],
       standardized = std)
}
run <- function(data_name, model, estimator = "ML", group = NULL, missing = "listwise") {
  fit <- suppressWarnings(sem(model, data = DATA[[data_name]], estimator = estimator,
                              group = group, missing = missing))
  record(fit, list(data = data_name, model = model, estimator = estimator,
                   group = if (is.null(group)) NA else group, missing = missing))
}

hey <- suppressWarnings(sem(HEY, sample.cov = S, sample.nobs = 200))
cases <- list(
  pd_ml = run("pd", PD),
  pd_mlr = run("pd", PD, "MLR"),
  pd_path = run("pd", PATH),
  sv_ml = run("sv", SVX),
  sv_mlr = run("sv", SVX, "MLR"),
  sv_fiml = run("sv", SVX, missing = "ml"),
  hs_groups = run("hs", HSG, group = "school"),
  hs_groups_mlr = run("hs", HSG, "MLR", group = "school")
)
out <- list(lavaan_version = as.character(packageVersion("lavaan")),
            r_version = R.version.string, cases = cases,
            heywood_bound = record(hey, list(model = HEY, n = 200, cov = S)))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/fixtures/r/sem.json")
