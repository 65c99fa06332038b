# Reference values for tests/test_longitudinal_invariance.py: longitudinal measurement
# invariance of one factor measured at 2 and at 3 occasions, with the models of
# semTools::measEq.syntax(longFacNames =, long.equal =, ID.fac = "std.lv") (the same item's
# residuals correlated across occasions in every step, semTools' default auto = "all")
# fitted by lavaan::cfa, and lavTestLRT differences (ML; MLR with the Satorra-Bentler 2001
# scaled difference).
# Run from the repository root:  Rscript tests/r/longitudinal_invariance.R
# Needs R lavaan 0.6.14, semTools 0.5.6 and jsonlite. Writes
# tests/fixtures/r/longitudinal_invariance.csv (synthetic long data: one row per person x
# occasion) and tests/fixtures/r/longitudinal_invariance.json.
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})

set.seed(20261207)
N <- 400
OCC <- c("pre", "post", "follow")   # not alphabetical: the order comes from the arguments
LAMBDA <- c(0.8, 0.7, 0.6, 0.75)
NU <- c(3, 3.2, 2.8, 3.1)
# person-specific item effects -> residuals of the same item correlated over time
item_eff <- matrix(rnorm(N * 4, sd = 0.35), N, 4)
eta <- MASS::mvrnorm(N, c(0, 0.3, 0.5), matrix(c(1, .6, .5, .6, 1.1, .6, .5, .6, 1.2), 3))
rows <- list()
for (t in 1:3) {
  nu <- NU
  if (t > 1) nu[3] <- nu[3] + 0.25          # item 3's intercept drifts: scalar misfit
  shared <- rnorm(N, sd = 0.5)               # unmodelled x1-x2 covariance: some misfit
  e <- matrix(rchisq(N * 4, df = 3) / sqrt(6) - 3 / sqrt(6), N, 4) * 0.55  # skewed: MLR
  e[, 1] <- e[, 1] + shared; e[, 2] <- e[, 2] + shared
  x <- sweep(outer(eta[, t], LAMBDA), 2, nu, "+") + item_eff + e
  colnames(x) <- paste0("x", 1:4)
  rows[[t]] <- data.frame(respondent_id = sprintf("p%03d", 1:N), occasion = OCC[t], round(x, 4))
}
long <- do.call(rbind, rows)
# some persons miss an occasion (their rows are absent) and one item value is missing
miss2 <- sample(N, 30); miss3 <- sample(N, 40)
long <- long[!(long$occasion == "post" & long$respondent_id %in% sprintf("p%03d", miss2)) &
             !(long$occasion == "follow" & long$respondent_id %in% sprintf("p%03d", miss3)), ]
long$x2[sample(nrow(long), 5)] <- NA
long <- long[sample(nrow(long)), ]           # shuffled: persons and occasions interleaved
rownames(long) <- NULL
write.csv(long, "tests/fixtures/r/longitudinal_invariance.csv", row.names = FALSE, na = "")

wide_of <- function(long, occ) {
  out <- data.frame(respondent_id = sort(unique(long$respondent_id)))
  for (k in seq_along(occ)) {
    part <- long[long$occasion == occ[k], c("respondent_id", paste0("x", 1:4))]
    names(part)[-1] <- paste0(names(part)[-1], ".t", k)
    out <- merge(out, part, by = "respondent_id", all.x = TRUE)
  }
  out
}

FIT <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic")
SCALED <- c("chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust", "rmsea.robust")
STEPS <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))

cases <- list()
for (k in 2:3) {
  occ <- OCC[1:k]
  wide <- wide_of(long, occ)
  conf <- paste(sapply(seq_len(k), function(t)
    sprintf("F.t%d =~ %s", t, paste0("x", 1:4, ".t", t, collapse = " + "))), collapse = "\n")
  for (est in c("ML", "MLR")) for (miss in c("listwise", "ml")) {
    if (est == "MLR" && miss == "ml") next
    fits <- list(); syn <- list()
    for (s in names(STEPS)) {
      me <- measEq.syntax(conf, data = wide, longFacNames = list(F = paste0("F.t", 1:k)),
                          long.equal = STEPS[[s]], ID.fac = "std.lv")
      syn[[s]] <- as.character(me)
      fits[[s]] <- cfa(syn[[s]], data = wide, estimator = est, missing = miss)
    }
    key <- sprintf("t%d_%s_%s", k, tolower(est), miss)
    steps <- list()
    for (i in seq_along(fits)) {
      s <- names(fits)[i]
      fm <- fitMeasures(fits[[s]])
      keep <- if (est == "MLR") c(FIT, SCALED) else FIT
      row <- as.list(unclass(fm[keep]))
      row$nobs <- lavInspect(fits[[s]], "nobs")
      if (i > 1) {
        lrt <- lavTestLRT(fits[[i - 1]], fits[[s]], method = if (est == "MLR")
          "satorra.bentler.2001" else "default")
        row$chisq_diff <- lrt[["Chisq diff"]][2]; row$df_diff <- lrt[["Df diff"]][2]
        row$p_diff <- lrt[["Pr(>Chisq)"]][2]
      }
      row$syntax <- syn[[s]]
      steps[[s]] <- row
    }
    cases[[key]] <- list(occasions = occ, estimator = est, missing = miss, steps = steps)
  }
}
out <- list(lavaan = as.character(packageVersion("lavaan")),
            semTools = as.character(packageVersion("semTools")),
            model = "F =~ x1 + x2 + x3 + x4", cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/fixtures/r/longitudinal_invariance.json")
