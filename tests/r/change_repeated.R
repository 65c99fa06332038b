# Reference values for analysis.stats.change.rm_anova and mixed_change
# (tests/test_change_repeated.py).
#
# Run from the repository root:  Rscript tests/r/change_repeated.R
# Simulates a seeded long data set (70 persons, four occasions declared in the order
# baseline, 6m, 12m, 24m; the spread grows over time so that sphericity fails; some persons
# miss an occasion or a value) and writes it, with the reference values, to
# tests/fixtures/r/change_repeated.json. Made with R 4.2, car 3.1, lme4 1.1-31.
#
#   * repeated-measures ANOVA on the persons with every occasion: aov(dv ~ occasion +
#     Error(id/occasion)); Mauchly's test by mauchly.test on the multivariate lm of the wide
#     data (X = ~1) and by car::Anova(idata, idesign); Greenhouse-Geisser epsilon and p from
#     car's summary(multivariate = FALSE); partial eta^2 = SS_occasion / (SS_occasion + SS_error);
#   * pairwise paired t tests in the declared order (A earlier, B later): t.test(paired = TRUE)
#     and pairwise.t.test(paired = TRUE, p.adjust.method = "holm"); Hedges' g as pingouin
#     computes it: d_av = (mean_A - mean_B) / sqrt((var_A + var_B) / 2) times
#     1 - 3 / (4 (n_A + n_B) - 9);
#   * lme4::lmer(dv ~ occasion + (1 | id), REML = TRUE) on every observed value (levels in
#     the declared order, baseline the reference), with lme4's default optimiser and with bobyqa
#     run to a tight end (rhoend 1e-12): the default stop leaves the variance components about
#     1e-5..1e-4 (relative) from the REML optimum;
#   * the same lmer (tight) on a second, boundary data set whose person means are all equal
#     (REML person variance 0: a singular fit).
suppressPackageStartupMessages({
  library(car)
  library(lme4)
  library(jsonlite)
})

set.seed(20260319)
levels <- c("baseline", "6m", "12m", "24m")
n <- 70
person <- rnorm(n, 0, 1.2)
means <- c(5.0, 5.6, 5.9, 6.1)
sds <- c(0.6, 1.0, 1.4, 1.9)
long <- do.call(rbind, lapply(seq_len(n), function(i) {
  data.frame(id = sprintf("p%02d", i), occasion = levels,
             dv = round(means + person[i] + rnorm(4, 0, sds), 2))
}))
# unbalanced: 12 persons miss a whole occasion (row absent), 5 have a missing value
absent <- sample(which(long$occasion != "baseline"), 12)
long <- long[-absent, ]
long$dv[sample(nrow(long), 5)] <- NA
long <- long[sample(nrow(long)), ]   # rows in no particular order
rownames(long) <- NULL

# ---- repeated-measures ANOVA on complete cases ----
obs <- long[!is.na(long$dv), ]
counts <- table(obs$id)
complete_ids <- sort(names(counts)[counts == length(levels)])
cc <- obs[obs$id %in% complete_ids, ]
cc$occasion <- factor(cc$occasion, levels = levels)
cc$id <- factor(cc$id)
cc <- cc[order(cc$id, cc$occasion), ]
fit <- aov(dv ~ occasion + Error(id / occasion), data = cc)
tab <- summary(fit)[["Error: id:occasion"]][[1]]
ss_effect <- tab["occasion", "Sum Sq"]; ss_error <- tab["Residuals", "Sum Sq"]

wide <- sapply(levels, function(l) cc$dv[cc$occasion == l])
mlm <- lm(wide ~ 1)
mauchly <- mauchly.test(mlm, X = ~1)
av <- Anova(mlm, idata = data.frame(occasion = factor(levels, levels = levels)),
            idesign = ~occasion, type = "III")
s <- summary(av, multivariate = FALSE)
gg <- s$pval.adjustments["occasion", ]
sph <- s$sphericity.tests["occasion", ]

pairs <- combn(length(levels), 2)
pw <- pairwise.t.test(cc$dv, cc$occasion, paired = TRUE, p.adjust.method = "holm")
pairwise <- lapply(seq_len(ncol(pairs)), function(k) {
  a <- levels[pairs[1, k]]; b <- levels[pairs[2, k]]
  x <- wide[, a]; y <- wide[, b]
  tt <- t.test(x, y, paired = TRUE)
  d_av <- (mean(x) - mean(y)) / sqrt((var(x) + var(y)) / 2)
  list(A = a, B = b, t = unname(tt$statistic), df = unname(tt$parameter), p = tt$p.value,
       p_holm = pw$p.value[b, a], hedges = d_av * (1 - 3 / (4 * (2 * length(x)) - 9)))
})

# ---- linear mixed model on every observed value ----
obs$occasion <- factor(obs$occasion, levels = levels)
lmm <- function(control) {
  m <- lmer(dv ~ occasion + (1 | id), data = obs, REML = TRUE, control = control)
  vc <- as.data.frame(VarCorr(m))
  list(fixef = unname(fixef(m)), se = unname(sqrt(diag(as.matrix(vcov(m))))),
       t = unname(coef(summary(m))[, "t value"]),
       var_id = vc$vcov[vc$grp == "id"], var_residual = vc$vcov[vc$grp == "Residual"],
       reml_loglik = as.numeric(logLik(m)), converged = is.null(m@optinfo$conv$lme4$messages))
}
tight <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 0.2, rhoend = 1e-12))
lmm_default <- lmm(lmerControl())
lmm_tight <- lmm(tight)

# ---- a boundary fit: every person has the same mean, so the REML person variance is 0 ----
m <- 30
resid <- matrix(rnorm(3 * m), m)
resid <- resid - rowMeans(resid)
boundary <- data.frame(id = rep(sprintf("q%02d", seq_len(m)), each = 3),
                       occasion = rep(c("a", "b", "c"), m),
                       dv = as.vector(t(resid + matrix(c(0, 0.5, 1), m, 3, byrow = TRUE))))
bfit <- suppressMessages(lmer(dv ~ occasion + (1 | id), data = boundary, REML = TRUE,
                              control = tight))
bvc <- as.data.frame(VarCorr(bfit))

out <- list(
  generated_with = list(R = R.version.string, car = as.character(packageVersion("car")),
                        lme4 = as.character(packageVersion("lme4"))),
  levels = levels,
  data = list(id = long$id, occasion = long$occasion, dv = long$dv),
  rm_anova = list(n = length(complete_ids), n_persons = length(unique(long$id)),
                  F = tab["occasion", "F value"], df1 = tab["occasion", "Df"],
                  df2 = tab["Residuals", "Df"], p = tab["occasion", "Pr(>F)"],
                  ss_effect = ss_effect, ss_error = ss_error,
                  np2 = ss_effect / (ss_effect + ss_error),
                  gg_eps = unname(gg["GG eps"]), p_gg = unname(gg["Pr(>F[GG])"]),
                  mauchly_W = unname(mauchly$statistic), mauchly_p = mauchly$p.value,
                  car_W = unname(sph["Test statistic"]), car_p = unname(sph["p-value"])),
  pairwise = pairwise,
  lmer = list(n_persons = length(unique(obs$id)), n_obs = nrow(obs),
              names = colnames(model.matrix(~occasion, obs)),
              default = lmm_default, tight = lmm_tight),
  boundary = list(data = boundary, fixef = unname(fixef(bfit)),
                  se = unname(sqrt(diag(as.matrix(vcov(bfit))))),
                  var_id = bvc$vcov[bvc$grp == "id"], var_residual = bvc$vcov[bvc$grp == "Residual"],
                  reml_loglik = as.numeric(logLik(bfit)), singular = isSingular(bfit))
)
write_json(out, "tests/fixtures/r/change_repeated.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
