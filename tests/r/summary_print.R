# Reference text for tests/test_display_print.py: lavaan's printed summary() and the fit
# measures it prints, on simulated data no other fixture uses.
# Run from the repository root:  Rscript tests/r/summary_print.R
# Needs R lavaan 0.6.14 and jsonlite. Writes tests/fixtures/r/summary_print.json.
#
# The data: two correlated factors, three items each, with two cross-loadings (y3 on f2,
# y6 on f1) that the fitted two-factor model leaves out, so that the model misfits and the
# RMSEA p-values lie inside (0, 1). Values are rounded to 3 decimals before fitting and
# stored in the JSON, so R and Python fit the same numbers. The ordinal items are the
# continuous ones cut at -0.8, 0, 0.8; the missing-data copy blanks y1 and y5 in 30 rows each.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

set.seed(20261207)
n <- 300
f1 <- rnorm(n)
f2 <- 0.4 * f1 + sqrt(1 - 0.16) * rnorm(n)
x <- cbind(0.7 * f1, 0.7 * f1, 0.6 * f1 + 0.35 * f2, 0.7 * f2, 0.6 * f2, 0.5 * f2 + 0.3 * f1) +
  matrix(rnorm(n * 6, sd = 0.6), n)
d <- as.data.frame(round(x, 3))
names(d) <- paste0("y", 1:6)
d$g <- rep(c("a", "b"), length.out = n)
dm <- d
dm$y1[sample(n, 30)] <- NA
dm$y5[sample(n, 30)] <- NA
do <- d
for (v in paste0("y", 1:6)) do[[v]] <- cut(d[[v]], c(-Inf, -0.8, 0, 0.8, Inf), labels = FALSE)

TWO <- "f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6"
LABELLED <- "f1 =~ y1 + a*y2 + a*y3\nf2 =~ y4 + y5 + y6"
# explicit constraints and a defined parameter: "Constraints:" with |Slack|, "Defined Parameters:"
CONSTRAINED <- "f1 =~ y1 + a*y2 + b*y3\nf2 =~ y4 + c*y5 + y6\na == b\nc > 0.5\nab := a*b"
# the fit measures summary(fit.measures = TRUE) prints (lavaan's fitMeasures names)
FIT <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "baseline.pvalue",
         "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue",
         "rmsea.notclose.pvalue", "srmr")
SCALED <- c("chisq.scaled", "chisq.scaling.factor", "scaling.factor.h1", "scaling.factor.h0",
            "baseline.chisq.scaled", "baseline.df.scaled", "baseline.pvalue.scaled",
            "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled", "rmsea.ci.lower.scaled",
            "rmsea.ci.upper.scaled", "rmsea.pvalue.scaled", "rmsea.notclose.pvalue.scaled")
ROBUST <- c("cfi.robust", "tli.robust", "rmsea.robust", "rmsea.ci.lower.robust",
            "rmsea.ci.upper.robust", "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust")

run <- function(data, model, estimator = "ML", group = NULL, group_equal = "",
                missing = "listwise", ordered = FALSE) {
  dat <- switch(data, complete = d, missing = dm, ordinal = do)
  fit <- cfa(model, data = dat, estimator = estimator, group = group,
             group.equal = group_equal, missing = missing, ordered = ordered)
  fm <- fitMeasures(fit)
  keep <- c(FIT, if (estimator != "ML") SCALED, if (estimator != "ML" || missing == "ml") ROBUST)
  list(args = list(data = data, model = model, estimator = estimator,
                   group = if (is.null(group)) NA else group, group_equal = group_equal,
                   missing = missing, ordered = ordered),
       iterations = lavInspect(fit, "iterations"),
       fit = as.list(fm[intersect(keep, names(fm))]),
       stat_group = fit@test[[1]]$stat.group,
       printed = capture.output(summary(fit, fit.measures = TRUE, standardized = TRUE)))
}

cases <- list(
  ml = run("complete", TWO),
  mlr = run("complete", TWO, "MLR"),
  fiml = run("missing", TWO, missing = "ml"),
  ml_labelled = run("complete", LABELLED),
  ml_constrained = run("complete", CONSTRAINED),
  mlr_fiml = run("missing", TWO, "MLR", missing = "ml"),
  ml_groups = run("complete", TWO, group = "g"),
  mlr_groups = run("complete", TWO, "MLR", group = "g",
                   group_equal = c("loadings", "intercepts")),
  wlsmv = run("ordinal", TWO, "WLSMV", ordered = TRUE),
  wlsmv_groups = run("ordinal", TWO, "WLSMV", group = "g", ordered = TRUE)
)
columns <- function(x) lapply(x, function(v) if (is.numeric(v)) v else as.character(v))
out <- list(lavaan_version = as.character(packageVersion("lavaan")),
            data = list(complete = columns(d), missing = columns(dm), ordinal = columns(do)),
            cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/fixtures/r/summary_print.json")
