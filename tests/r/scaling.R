# Reference values for tests/test_fiml.py::test_badly_scaled_variables_keep_their_standard_errors:
# a two-group MLR + FIML model whose variables differ in variance by a factor of ~5000
# (psych's sat.act: ACT ~ 25, SAT ~ 5000). lavaan warns about the scales and still gives
# every SE. Run from the repository root:  Rscript tests/r/scaling.R
# Needs R psych, lavaan 0.6.14 and jsonlite. Writes tests/fixtures/data/sat_act.csv and
# tests/fixtures/r/scaling.json.
suppressPackageStartupMessages({library(lavaan); library(psych); library(jsonlite)})
d <- psych::sat.act
write.csv(d, "tests/fixtures/data/sat_act.csv", row.names = FALSE, na = "")
model <- "ability =~ ACT + SATV + SATQ\nability ~ education + age"
f <- suppressWarnings(cfa(model, data = d, group = "gender", estimator = "MLR", missing = "ml"))
pe <- parameterEstimates(f)
fm <- fitMeasures(f, c("chisq", "df", "chisq.scaled", "chisq.scaling.factor", "cfi", "cfi.scaled",
                       "tli.scaled", "rmsea", "rmsea.scaled", "srmr"))
out <- list(model = model, group = "gender", fit = as.list(fm),
            estimates = pe[, c("lhs", "op", "rhs", "group", "est", "se")])
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/fixtures/r/scaling.json")
