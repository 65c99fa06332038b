# Reference values for tests/test_invariance_score_tests.py: score tests of the equality
# constraints of the invariance steps across groups that Chen's (2007) criteria reject, as
# analysis.stats.sem.invariance() keeps them in attrs["score_tests"]. Each step is fitted by
# lavaan::cfa(group =, group.equal =) (ML, MLR) or, for ordered items, by cfa() on
# semTools::measEq.syntax(ordered =, parameterization =, ID.fac = "std.lv",
# ID.cat = "Wu.Estabrook.2016", group.equal =) (WLSMV); for each rejected step:
# lavTestScore(fit)$uni (lhs/rhs are partable plabels ".pN.", mapped here to the parameter
# "lhs op rhs" of the first group and the later group's label), for ordered items the
# modindices of the later groups' intercepts (fixed at 0) and, theta, residual variances
# held equal by a shared label (fixed at 1), and the fit of the partial step that frees the
# parameter with the largest statistic (group.partial), with its own score tests when Chen
# rejects it too.
# Run from the repository root:  Rscript tests/r/invariance_score_tests.R
# Needs R lavaan 0.6.14, semTools 0.5.6, MASS and jsonlite. Writes
# tests/fixtures/data/invariance_score_tests.csv (synthetic: 900 persons in groups north,
# east and west, in order of appearance, not alphabetical; continuous items x1-x6 of two
# factors, ordered items u1-u5 with four categories of one factor; in group east x3's
# intercept is 0.5 higher and u2's latent response 0.6 higher; in group west x5's loading is
# 0.15 instead of 0.65, x6's intercept 0.35 lower and u4's residual SD 1.7 times larger) and
# tests/fixtures/r/invariance_score_tests.json.
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})

set.seed(20261209)
GROUPS <- c("north", "east", "west")
n <- 300
group <- rep(GROUPS, each = n)
N <- length(group)
eta <- MASS::mvrnorm(N, c(0, 0), matrix(c(1, .4, .4, 1), 2))
eta[group == "east", ] <- sweep(eta[group == "east", ], 2, c(0.3, -0.2), "+")
eta[group == "west", ] <- sweep(eta[group == "west", ], 2, c(-0.2, 0.3), "+")
NU <- c(3, 2.5, 3.2, 2.8, 3, 2.6)
LAMBDA <- matrix(c(.8, .7, .75, 0, 0, 0, 0, 0, 0, .7, .65, .75), 6)
x <- matrix(NU, N, 6, byrow = TRUE) + eta %*% t(LAMBDA) + matrix(rnorm(N * 6, sd = 0.6), N, 6)
x[group == "east", 3] <- x[group == "east", 3] + 0.5                      # intercept (scalar)
x[group == "west", 5] <- x[group == "west", 5] - 0.5 * eta[group == "west", 2]  # loading
x[group == "west", 6] <- x[group == "west", 6] - 0.35                     # intercept
colnames(x) <- paste0("x", 1:6)
LAM_U <- c(0.75, 0.70, 0.80, 0.65, 0.70)
TAU <- list(c(-1, 0, 1), c(-0.8, 0.2, 1.2), c(-1.2, -0.3, 0.7), c(-1, 0.1, 1.1),
            c(-0.6, 0.4, 1.4))
sd_e <- matrix(sqrt(1 - LAM_U^2), N, 5, byrow = TRUE)
sd_e[group == "west", 4] <- sd_e[group == "west", 4] * 1.7                # residual (strict)
ystar <- outer(eta[, 1], LAM_U) + matrix(rnorm(N * 5), N, 5) * sd_e
ystar[group == "east", 2] <- ystar[group == "east", 2] + 0.6              # threshold shift
u <- sapply(1:5, function(j) findInterval(ystar[, j], TAU[[j]]))
colnames(u) <- paste0("u", 1:5)
d <- data.frame(group = group, round(x, 3), u)
d <- d[c(1, sample(2:N)), ]                                # a north row first (group order)
write.csv(d, "tests/fixtures/data/invariance_score_tests.csv", row.names = FALSE)
d <- read.csv("tests/fixtures/data/invariance_score_tests.csv")

MODEL_X <- "F =~ x1 + x2 + x3\nG =~ x4 + x5 + x6"
ITEMS <- paste0("u", 1:5)
MODEL_U <- paste("F =~", paste(ITEMS, collapse = " + "))
ML_STEPS <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
                 strict = c("loadings", "intercepts", "residuals"))
ORD_STEPS <- list(configural = "", thresholds = "thresholds",
                  metric = c("thresholds", "loadings"),
                  scalar = c("thresholds", "loadings", "intercepts"),
                  strict = c("thresholds", "loadings", "intercepts", "residuals"))
FIT <- list(ML = c("npar", "chisq", "df", "cfi", "rmsea", "srmr"),
            MLR = c("npar", "chisq", "df", "chisq.scaling.factor", "cfi.robust",
                    "rmsea.robust", "srmr"),
            WLSMV = c("npar", "chisq", "df", "chisq.scaled", "cfi.scaled", "rmsea.scaled",
                      "srmr"))
CHEN <- list(metric = 0.030, scalar = 0.010, strict = 0.010)       # delta SRMR limits

fit_step <- function(case, data, equal, partial = "") {
  if (case$estimator != "WLSMV")
    return(cfa(MODEL_X, data = data, group = "group", estimator = case$estimator,
               group.equal = equal, group.partial = partial))
  syn <- as.character(measEq.syntax(MODEL_U, data = data, group = "group", ordered = ITEMS,
                                    parameterization = case$parameterization,
                                    ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016",
                                    group.equal = equal, group.partial = partial))
  cfa(syn, data = data, group = "group", ordered = ITEMS, estimator = "WLSMV",
      parameterization = case$parameterization)
}

measures <- function(fit, case) {
  fm <- fitMeasures(fit)[FIT[[case$estimator]]]
  c(as.list(unclass(fm)), converged = lavInspect(fit, "converged"))
}

rejected_by_chen <- function(step, fit, against, case) {
  k <- switch(case$estimator, ML = c("cfi", "rmsea"), MLR = c("cfi.robust", "rmsea.robust"),
              WLSMV = c("cfi.scaled", "rmsea.scaled"))
  a <- fitMeasures(fit); b <- fitMeasures(against)
  !(a[k[1]] - b[k[1]] >= -0.01 && a[k[2]] - b[k[2]] <= 0.015 &&
      a["srmr"] - b["srmr"] <= CHEN[[sub(" .*", "", step)]])
}

# lavTestScore's univariate tests, each named by the first group's parameter (lavaan
# group.partial's "lhs op rhs") and the later group's label; for ordered items the
# modification indices of the later groups' intercepts and (theta) of residual variances
# fixed at 1 under the first group's label
score_of <- function(fit, case) {
  pt <- parTable(fit)
  labels <- lavInspect(fit, "group.label")
  lts <- lavTestScore(fit)$uni
  first <- match(lts$lhs, pt$plabel); later <- match(lts$rhs, pt$plabel)
  uni <- data.frame(lts[c("lhs", "op", "rhs", "X2", "df", "p.value")],
                    parameter = paste0(pt$lhs[first], pt$op[first], pt$rhs[first]),
                    group = labels[pt$group[later]], reference = labels[pt$group[first]])
  out <- list(uni = uni, partable = pt[c("lhs", "op", "rhs", "group", "plabel", "label")])
  if (case$estimator == "WLSMV") {
    mi <- modindices(fit)
    lab1 <- setNames(pt$label[pt$group == 1 & pt$op == "~~"], pt$lhs[pt$group == 1 & pt$op == "~~"])
    key <- paste(mi$lhs, mi$op, mi$rhs, mi$group)
    lab <- pt$label[match(key, paste(pt$lhs, pt$op, pt$rhs, pt$group))]
    held <- mi$op == "~1" & mi$lhs %in% ITEMS |
      mi$op == "~~" & mi$lhs == mi$rhs & mi$lhs %in% ITEMS & lab != "" &
        lab == lab1[mi$lhs]
    mi <- mi[held & mi$group > 1, c("lhs", "op", "rhs", "group", "mi")]
    mi$parameter <- paste0(mi$lhs, mi$op, ifelse(mi$op == "~~", mi$lhs, ""))
    mi$group <- labels[mi$group]
    out$mi <- mi
  }
  out
}

top_of <- function(score) {
  cand <- rbind(data.frame(parameter = score$uni$parameter, X2 = score$uni$X2),
                if (!is.null(score$mi)) data.frame(parameter = score$mi$parameter,
                                                   X2 = score$mi$mi))
  cand$parameter[which.max(cand$X2)]
}

run <- function(case) {
  data <- d[d$group %in% case$groups, c("group", if (case$estimator == "WLSMV") ITEMS
                                        else paste0("x", 1:6))]
  steps <- if (case$estimator != "WLSMV") ML_STEPS else if (case$parameterization == "theta")
    ORD_STEPS else ORD_STEPS[names(ORD_STEPS) != "strict"]      # semTools: no strict (delta)
  fits <- list(); out <- list()
  for (s in names(steps)) {
    fits[[s]] <- fit_step(case, data, steps[[s]])
    row <- measures(fits[[s]], case)
    if (s %in% names(CHEN)) {
      prev <- names(steps)[match(s, names(steps)) - 1]
      row$rejected <- rejected_by_chen(s, fits[[s]], fits[[prev]], case)
      if (row$rejected) {
        row$score <- score_of(fits[[s]], case)
        top <- top_of(row$score)
        pfit <- fit_step(case, data, steps[[s]], top)
        partial <- c(list(parameter = top), measures(pfit, case),
                     rejected = rejected_by_chen(s, pfit, fits[[prev]], case))
        if (partial$rejected) partial$score <- score_of(pfit, case)
        row$partial <- partial
      }
    }
    out[[s]] <- row
  }
  c(case, list(steps = out))
}

CASES <- list(
  ml_2g = list(groups = GROUPS[1:2], estimator = "ML"),
  mlr_2g = list(groups = GROUPS[1:2], estimator = "MLR"),
  ml_3g = list(groups = GROUPS, estimator = "ML"),
  mlr_3g = list(groups = GROUPS, estimator = "MLR"),
  wlsmv_delta_2g = list(groups = GROUPS[1:2], estimator = "WLSMV", parameterization = "delta"),
  wlsmv_theta_3g = list(groups = GROUPS, estimator = "WLSMV", parameterization = "theta"))
cases <- lapply(CASES, run)

out <- list(lavaan = as.character(packageVersion("lavaan")),
            semTools = as.character(packageVersion("semTools")),
            model_x = MODEL_X, model_u = MODEL_U, cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/fixtures/r/invariance_score_tests.json")
