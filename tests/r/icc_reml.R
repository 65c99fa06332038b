# Reference values for ICC with missing occasions (tests/test_reliability.py).
#
# Run from the repository root:  Rscript tests/r/icc_reml.R
# Writes the seeded data sets tests/fixtures/data/icc_dropout.csv (240 persons, two
# occasions, about 25 % without the second) and tests/fixtures/data/icc_three_raters.csv
# (120 subjects, three raters, scattered missing ratings), then
# tests/fixtures/r/icc_reml.json with psych::ICC's default (lmer = TRUE: lme4 REML variance
# components on every observed value). Made with R 4.2, psych 2.2.9, lme4 1.1-31.
suppressPackageStartupMessages({
  library(psych)
  library(lme4)
  library(jsonlite)
})

set.seed(20260211)
n <- 240
true_score <- rnorm(n, 50, 10)
dropout <- data.frame(t1 = round(true_score + rnorm(n, 0, 5)),
                      t2 = round(true_score + 1.5 + rnorm(n, 0, 5)))
dropout$t2[sample(n, 60)] <- NA
write.csv(dropout, "tests/fixtures/data/icc_dropout.csv", row.names = FALSE, na = "")

m <- 120
subject <- rnorm(m, 0, 1.2)
raters <- data.frame(r1 = round(4 + subject + rnorm(m, 0, 0.8), 1),
                     r2 = round(4.6 + subject + rnorm(m, 0, 0.8), 1),
                     r3 = round(3.7 + subject + rnorm(m, 0, 0.8), 1))
for (j in 1:3) raters[sample(m, 15), j] <- NA
write.csv(raters, "tests/fixtures/data/icc_three_raters.csv", row.names = FALSE, na = "")

# The same model as psych fits, with bobyqa run to a tight end: lme4's default stop leaves
# the variance components about 1e-4 (relative) from the REML optimum.
tight_components <- function(d) {
  x.s <- data.frame(stack(d), id = rep(seq_len(nrow(d)), ncol(d)))
  m <- lme4::lmer(values ~ 1 + (1 | id) + (1 | ind), data = x.s,
                  control = lmerControl(optimizer = "bobyqa",
                                        optCtrl = list(rhobeg = 0.2, rhoend = 1e-12)))
  vc <- as.data.frame(VarCorr(m))
  c(vc$vcov[vc$grp == "id"], vc$vcov[vc$grp == "ind"], sigma(m)^2)
}

icc_fixture <- function(file) {
  d <- read.csv(file)
  out <- psych::ICC(d)  # default lmer = TRUE
  r <- out$results
  list(file = basename(file), n_rows = nrow(d), variance_tight = tight_components(d),
       type = r$type, icc = r$ICC, F = r$F, df1 = r$df1, df2 = r$df2, p = r$p,
       ci_low = r$`lower bound`, ci_high = r$`upper bound`,
       variance = unname(out$lme[1:4, "variance"]),
       percent = unname(out$lme[1:4, "Percent"]))
}

out <- list(
  generated_with = list(R = R.version.string, psych = as.character(packageVersion("psych")),
                        lme4 = as.character(packageVersion("lme4"))),
  dropout = icc_fixture("tests/fixtures/data/icc_dropout.csv"),
  three_raters = icc_fixture("tests/fixtures/data/icc_three_raters.csv")
)
write_json(out, "tests/fixtures/r/icc_reml.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
