# Reference values for tests/test_process.py (issue 20: identification, client process, teams).
# Run from the repository root:  Rscript tests/r/process.R
# Needs R with survival (3.5), psych, multilevel and jsonlite (Debian: r-cran-survival,
# r-cran-psych, r-cran-multilevel). The data are drawn here with a fixed seed and written into
# the fixture next to R's results, so the tests need no R.
#
# 1. Kaplan-Meier: survival::survfit(Surv(time, status) ~ 1) with its defaults (conf.type =
#    "log", Greenwood variance) and quantile(fit, c(.25, .5, .75)) with its quantile rule
#    (the midpoint of a flat stretch at exactly 1 - p; the last point's rule).
# 2. Concentration: Lorenz ordinates, the Gini coefficient as ineq::Gini(x, corr = FALSE)
#    computes it (ineq is not in Debian; its formula is written out below), and the share of the
#    top ceiling(p n) values.
# 3. ICC(1) and ICC(2) of groups (one-way random effects) from aov's mean squares with
#    multilevel's group size (N / J), checked against multilevel::ICC1 / ICC2, and on balanced
#    data against psych::ICC's ICC1.
suppressPackageStartupMessages({
  library(survival); library(jsonlite); library(psych); library(multilevel)
})
set.seed(20)

km <- function(time, status) {
  fit <- survfit(Surv(time, status) ~ 1)
  q <- quantile(fit, c(0.25, 0.5, 0.75))
  na <- function(x) ifelse(is.na(x), NA, x)
  list(time = time, status = status,
       fit = list(time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, surv = fit$surv,
                  std_err = fit$std.err, lower = na(fit$lower), upper = na(fit$upper)),
       quantile = unname(na(q$quantile)), lower = unname(na(q$lower)), upper = unname(na(q$upper)))
}

cases <- list()
# a: 40 clients, days to the plan with ties, a third censored (still waiting at the extract date)
t_a <- round(rexp(40, 1 / 45)); c_a <- round(runif(40, 10, 200))
cases$ties_and_censoring <- km(pmin(t_a, c_a), as.integer(t_a <= c_a))
# b: no censoring, S is exactly 0.5 on a flat stretch: median = midpoint (5 + 6) / 2
cases$flat_at_half <- km(1:10, rep(1L, 10))
# c: heavy censoring: the median and upper limits not reached (NA)
t_c <- round(rexp(25, 1 / 300)); c_c <- round(runif(25, 5, 120))
cases$heavy_censoring <- km(pmin(t_c, c_c), as.integer(t_c <= c_c))
# d: the last point sits at exactly 1 - p: (event time + last time) / 2
cases$last_point <- km(c(1, 5), c(1L, 0L))
# e: every client reaches the phase, the curve falls to 0 (log limits NA there)
cases$falls_to_zero <- km(c(3, 3, 7, 8, 8, 8, 12, 15, 15, 21), rep(1L, 10))
# f: events on day 0 (the plan on the day of the referral)
cases$day_zero <- km(c(0, 0, 0, 4, 9, 9, 14, 30, 30, 45, 60, 60), c(1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0))

# ineq::Gini(x, corr = FALSE): x <- sort(x); G <- sum(x * 1:n); G <- 2 * G / sum(x) - (n + 1); G / n
gini_ineq <- function(x) { x <- sort(x); n <- length(x); G <- sum(x * 1L:n); G <- 2 * G / sum(x) - (n + 1L); G / n }
conc <- function(x) {
  n <- length(x); s <- sort(x)
  list(x = x, gini = gini_ineq(x),
       lorenz_p = c(0, (1:n) / n), lorenz_l = c(0, cumsum(s) / sum(s)),
       top = lapply(c(0.05, 0.1, 0.2), function(p) {
         k <- ceiling(p * n); list(p = p, k = k, share = sum(sort(x, decreasing = TRUE)[1:k]) / sum(x))
       }))
}
visits <- rnbinom(300, size = 0.6, mu = 6)
visits <- visits[visits > 0]
concentration <- list(skewed = conc(visits), small = conc(c(1, 1, 2, 3, 5, 8, 13, 40)),
                      equal = conc(rep(4, 12)))

icc_groups <- function(group, value) {
  d <- data.frame(group = factor(group), value = value)
  a <- aov(value ~ group, data = d)
  s <- summary(a)[[1]]
  msb <- s[1, 3]; msw <- s[2, 3]; J <- nlevels(d$group); N <- nrow(d); k <- N / J
  list(group = group, value = value, msb = msb, msw = msw, df_between = s[1, 1], df_within = s[2, 1],
       F = s[1, 4], p = s[1, 5], k = k,
       icc1 = (msb - msw) / (msb + (k - 1) * msw), icc2 = (msb - msw) / msb,
       multilevel_icc1 = ICC1(a), multilevel_icc2 = ICC2(a))
}
sizes <- c(7, 6, 3, 2, 5, 8)
grp <- rep(paste0("T", seq_along(sizes)), sizes)
eff <- rnorm(length(sizes), 0, 1)[as.integer(factor(grp))]
val <- round(3.5 + eff + rnorm(length(grp), 0, 0.8), 2)
balanced_group <- rep(paste0("B", 1:6), each = 4)
balanced_value <- round(rnorm(24, 3, 1) + rep(rnorm(6, 0, 0.7), each = 4), 2)
bal <- icc_groups(balanced_group, balanced_value)
wide <- matrix(balanced_value, ncol = 4, byrow = TRUE)
bal$psych_icc1 <- psych::ICC(wide, lmer = FALSE)$results["Single_raters_absolute", "ICC"]
icc <- list(unbalanced = icc_groups(grp, val), balanced = bal)

write_json(list(km = cases, concentration = concentration, icc = icc), "tests/fixtures/r/process.json",
           auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null")
