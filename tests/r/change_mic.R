# Reference values for analysis.stats.change.mic (tests/test_change_mic.py).
#
# Run from the repository root:  Rscript tests/r/change_mic.R
# Simulates a seeded data set (180 clients: a change score in steps of 0.1 and a five-step
# global transition anchor, a few values missing) and writes it, with the reference values,
# to tests/fixtures/r/change_mic.json. Made with R 4.2, pROC 1.18 (Debian r-cran-proc).
#
#   * predictive MIC (Terluin et al. 2015): glm(improved ~ change, binomial) run to a tight
#     end (epsilon 1e-13), MIC_pred = (ln(p / (1 - p)) - C) / B;
#   * adjusted MIC (Terluin et al. 2017): MIC_pred - (0.09 + 0.103 cor) SD_change ln(p / (1 - p))
#     with cor the Pearson (point-biserial) correlation of change with the 0/1 improved
#     indicator, as in the authors' R code (Eekhout's MIC package, mic_iapm: cor(anchor, change)
#     with a binary anchor);
#   * ROC MIC: pROC::coords(roc(improved, change, direction = "<"), "best", best.method =
#     "youden"): pROC's cut-points lie midway between adjacent observed values and a client with
#     change >= cut is classified improved; the same by hand over observed values;
#     DeLong interval of the AUC by pROC::ci.auc;
#   * the same estimates on 25 bootstrap resamples whose row numbers are written too.
suppressPackageStartupMessages({
  library(pROC)
  library(jsonlite)
})

set.seed(20260318)
n <- 180
true_change <- rnorm(n, 0.4, 1.1)
change <- round(true_change + rnorm(n, 0, 0.6), 1)
latent <- true_change + rnorm(n, 0, 0.7)
labels <- c("much worse", "worse", "same", "better", "much better")
anchor <- as.character(cut(latent, c(-Inf, -1.2, -0.4, 0.9, 1.8, Inf), labels = labels))
change[c(7, 50)] <- NA
anchor[13] <- NA

estimates <- function(x, y) {
  fit <- glm(y ~ x, family = binomial, control = glm.control(epsilon = 1e-13, maxit = 100))
  stopifnot(fit$converged)
  C <- unname(coef(fit)[1]); B <- unname(coef(fit)[2])
  q <- mean(y); lo <- log(q / (1 - q))
  r <- cor(x, y); s <- sd(x)
  mic_pred <- (lo - C) / B
  mic_adj <- mic_pred - (0.09 + 0.103 * r) * s * lo
  ro <- roc(y, x, levels = c(0, 1), direction = "<", quiet = TRUE)
  best <- coords(ro, "best", best.method = "youden",
                 ret = c("threshold", "sensitivity", "specificity"), transpose = FALSE)
  k <- which.min(best$threshold)  # ties: the smallest cut-point (the package's rule)
  list(B = B, C = C, se = unname(sqrt(diag(vcov(fit)))), log_odds = lo, cor = r, sd = s,
       mic_pred = mic_pred, mic_adj = mic_adj, mic_roc = best$threshold[k],
       sensitivity = best$sensitivity[k], specificity = best$specificity[k],
       n_youden_ties = nrow(best), roc = ro)
}

hand_youden <- function(x, y) {
  # change >= c classified improved, over the observed values c; ties: smallest c
  cs <- sort(unique(x))
  j <- sapply(cs, function(c) mean(x[y == 1] >= c) + mean(x[y == 0] < c) - 1)
  cs[which(j == max(j))[1]]
}

analyse <- function(improved, not_improved = NULL) {
  keep <- !is.na(change) & !is.na(anchor)
  if (!is.null(not_improved)) keep <- keep & anchor %in% c(improved, not_improved)
  x <- change[keep]
  y <- as.integer(anchor[keep] %in% improved)
  e <- estimates(x, y)
  ci <- as.numeric(ci.auc(e$roc, conf.level = 0.95, method = "delong"))
  boot <- lapply(1:25, function(b) {
    i <- sample(length(x), replace = TRUE)
    eb <- estimates(x[i], y[i])
    list(rows = i, mic_roc = eb$mic_roc, mic_pred = eb$mic_pred, mic_adj = eb$mic_adj)
  })
  list(n = length(x), n_improved = sum(y), n_not_improved = sum(1 - y),
       n_dropped = length(change) - length(x),
       B = e$B, C = e$C, se_C = e$se[1], se_B = e$se[2], log_odds_pretest = e$log_odds,
       cor = e$cor, sd_change = e$sd, mic_pred = e$mic_pred, mic_adj = e$mic_adj,
       mic_roc = e$mic_roc, mic_roc_observed = hand_youden(x, y),
       sensitivity = e$sensitivity, specificity = e$specificity, n_youden_ties = e$n_youden_ties,
       auc = as.numeric(auc(e$roc)), auc_ci_low = ci[1], auc_ci_high = ci[3],
       share_roc = mean(x >= e$mic_roc), share_pred = mean(x >= e$mic_pred),
       share_adj = mean(x >= e$mic_adj),
       analysed_rows = which(keep), boot = boot)
}

out <- list(
  generated_with = list(R = R.version.string, pROC = as.character(packageVersion("pROC"))),
  data = list(change = change, anchor = anchor),
  improved = c("better", "much better"),
  # improved vs every other answer
  all = analyse(c("better", "much better")),
  # improved vs "same" only (worse answers left out)
  stable = analyse(c("better", "much better"), not_improved = "same")
)
write_json(out, "tests/fixtures/r/change_mic.json", digits = NA, auto_unbox = TRUE, pretty = TRUE,
           na = "null")
