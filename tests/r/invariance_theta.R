# Reference values for tests/test_invariance_theta.py: measurement invariance of ordered items
# in the theta parameterization (WLSMV), across groups and over occasions, with the strict
# step (equal residual variances of the latent responses y*) and partial steps.
# The models are those of semTools::measEq.syntax(configural, ordered =, parameterization =
# "theta", ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group.equal =, group.partial =)
# (groups) and of measEq.syntax(..., longFacNames =, longIndNames =, long.equal =,
# long.partial =) (occasions; the same item's residuals correlated across all occasions,
# semTools' default auto = "all"), fitted by lavaan::cfa(estimator = "WLSMV",
# parameterization = "theta"); differences by lavTestLRT (its default for WLSMV: the
# scaled-shifted difference of Satorra 2000). One delta case checks partial steps across
# groups. For the longitudinal scalar and strict steps: lavTestScore's score tests of the
# equality constraints and the modification indices of the later occasions' intercepts and
# residual variances (equal by being fixed at 0 and 1).
# Run from the repository root:  Rscript tests/r/invariance_theta.R
# Needs R lavaan 0.6.14, semTools 0.5.6, MASS and jsonlite. Writes
# tests/fixtures/data/ordinal_invariance_theta.csv (synthetic long data: 1000 persons in
# groups a and b, three occasions, one row per person x occasion; items u1-u4 with 3, 4, 5
# and 4 categories and u5 binary; in group b u2's latent response is shifted upwards and
# u4's residual variance is 2.6 times group a's; at the later occasions u3's latent response
# is shifted upwards, and at the third u1's residual variance is 4 times larger) and
# tests/fixtures/r/invariance_theta.json.
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})

set.seed(20261207)
N <- 1000
OCC <- c("t1", "t2", "t3")
ITEMS <- paste0("u", 1:5)
LAMBDA <- c(0.75, 0.70, 0.80, 0.65, 0.70)
TAU <- list(c(-0.9, 0.6), c(-1.0, 0.0, 1.0), c(-1.4, -0.5, 0.4, 1.3), c(-1.2, -0.2, 0.9),
            0.1)                                         # u5 is binary
group <- rep(c("a", "b"), each = N / 2)
eta <- MASS::mvrnorm(N, c(0, 0.2, 0.3), matrix(c(1, .6, .5, .6, 1.1, .6, .5, .6, 1.2), 3))
eta[group == "b", ] <- eta[group == "b", ] + 0.3
item_eff <- matrix(rnorm(N * 5, sd = 0.4), N, 5)        # residuals of an item correlated over time
rows <- list()
for (t in 1:3) {
  sd_e <- matrix(sqrt(1 - LAMBDA^2 - 0.16), N, 5, byrow = TRUE)
  sd_e[group == "b", 4] <- sd_e[group == "b", 4] * 1.6   # u4: larger residual in group b
  if (t == 3) sd_e[, 1] <- sd_e[, 1] * 2                   # u1: larger residual at t3
  ystar <- outer(eta[, t], LAMBDA) + item_eff + matrix(rnorm(N * 5), N, 5) * sd_e
  ystar[group == "b", 2] <- ystar[group == "b", 2] + 0.7   # u2: threshold shift in group b
  if (t > 1) ystar[, 3] <- ystar[, 3] + 0.6               # u3 drifts after t1
  u <- sapply(1:5, function(j) findInterval(ystar[, j], TAU[[j]]))
  colnames(u) <- ITEMS
  rows[[t]] <- data.frame(respondent_id = sprintf("p%04d", 1:N), group = group,
                          occasion = OCC[t], u)
}
long <- do.call(rbind, rows)
# some persons miss an occasion (their rows are absent): listwise in the wide data
long <- long[!(long$occasion == "t2" & long$respondent_id %in% sprintf("p%04d", sample(N, 30))) &
             !(long$occasion == "t3" & long$respondent_id %in% sprintf("p%04d", sample(N, 45))), ]
long <- long[c(1, sample(2:nrow(long))), ]             # group a's row first (group order)
rownames(long) <- NULL
write.csv(long, "tests/fixtures/data/ordinal_invariance_theta.csv", row.names = FALSE)

MODEL <- paste("F =~", paste(ITEMS, collapse = " + "))
FIT <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
         "chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr")
STEPS <- list(configural = "", thresholds = "thresholds", metric = c("thresholds", "loadings"),
              scalar = c("thresholds", "loadings", "intercepts"),
              strict = c("thresholds", "loadings", "intercepts", "residuals"))

# the steps as invariance()/longitudinal_invariance() run them: the partial step after
# partial_step (compared with the step before it), the later steps keeping `partial` free
plan_of <- function(steps, partial, partial_step) {
  plan <- list()
  for (s in names(steps)) {
    after <- any(grepl("partial", names(plan)))
    prev <- if (length(plan)) names(plan)[length(plan)] else NA
    plan[[s]] <- list(equal = steps[[s]], partial = if (after) partial else "", against = prev)
    if (s == partial_step)
      plan[[paste(s, "(partial)")]] <- list(equal = steps[[s]], partial = partial,
                                            against = plan[[s]]$against)
  }
  plan
}

row_of <- function(fit, syn, against, fits) {
  row <- as.list(unclass(fitMeasures(fit)[FIT]))
  row$chisq.shift.parameters <- lavInspect(fit, "test")$scaled.shifted$shift.parameter
  row$nobs <- sum(lavInspect(fit, "nobs"))
  row$converged <- lavInspect(fit, "converged")
  row$syntax <- syn
  row$against <- against
  if (!is.na(against)) {
    lrt <- lavTestLRT(fits[[against]], fit)
    row$chisq_diff <- lrt[["Chisq diff"]][2]; row$df_diff <- lrt[["Df diff"]][2]
    row$p_diff <- lrt[["Pr(>Chisq)"]][2]
    row$lrt_method <- attr(lrt, "heading")
  }
  row
}

run_groups <- function(param, partial, partial_step, strict = TRUE) {
  d1 <- long[long$occasion == "t1", c("group", ITEMS)]
  steps <- if (strict) STEPS else STEPS[names(STEPS) != "strict"]
  plan <- plan_of(steps, partial, partial_step)
  fits <- list(); out <- list()
  for (s in names(plan)) {
    p <- plan[[s]]
    syn <- as.character(measEq.syntax(MODEL, data = d1, group = "group", ordered = ITEMS,
                                      parameterization = param, ID.fac = "std.lv",
                                      ID.cat = "Wu.Estabrook.2016", group.equal = p$equal,
                                      group.partial = p$partial))
    fits[[s]] <- cfa(syn, data = d1, group = "group", ordered = ITEMS, estimator = "WLSMV",
                     parameterization = param)
    out[[s]] <- row_of(fits[[s]], syn, p$against, fits)
  }
  list(parameterization = param, partial = partial, partial_step = partial_step,
       strict = strict, steps = out)
}

wide_of <- function(occ) {
  out <- data.frame(respondent_id = sort(unique(long$respondent_id)))
  for (k in seq_along(occ)) {
    part <- long[long$occasion == occ[k], c("respondent_id", ITEMS)]
    names(part)[-1] <- paste0(names(part)[-1], ".t", k)
    out <- merge(out, part, by = "respondent_id", all.x = TRUE)
  }
  out
}
at <- function(model, t) gsub("\\b([A-Za-z]\\w*)\\b", paste0("\\1.t", t), model, perl = TRUE)
long_syntax <- function(k, wide, equal, partial, param = "theta", model = MODEL) {
  conf <- paste(sapply(seq_len(k), function(t) at(model, t)), collapse = "\n")
  pt <- lavaanify(model)
  lv <- unique(pt$lhs[pt$op == "=~"])
  ind <- sapply(lavNames(pt, "ov"), function(v) paste0(v, ".t", 1:k), simplify = FALSE)
  fac <- sapply(lv, function(f) paste0(f, ".t", 1:k), simplify = FALSE)
  as.character(measEq.syntax(conf, data = wide, ordered = unlist(ind), parameterization = param,
                             ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016",
                             longFacNames = fac, longIndNames = ind, long.equal = equal,
                             long.partial = partial))
}

run_long <- function(k, partial, partial_step) {
  occ <- OCC[1:k]
  wide <- wide_of(occ)
  ordered <- paste0(rep(ITEMS, k), ".t", rep(1:k, each = 5))
  plan <- plan_of(STEPS, partial, partial_step)
  fits <- list(); out <- list()
  for (s in names(plan)) {
    p <- plan[[s]]
    syn <- long_syntax(k, wide, p$equal, p$partial)
    fits[[s]] <- cfa(syn, data = wide, ordered = ordered, estimator = "WLSMV",
                     parameterization = "theta")
    row <- row_of(fits[[s]], syn, p$against, fits)
    if (s %in% c("scalar", "strict")) {     # score tests of the equalities (used if rejected)
      lts <- lavTestScore(fits[[s]])
      mi <- modindices(fits[[s]])
      row$score <- list(total = as.list(lts$test[c("X2", "df", "p.value")]),
                        uni = lts$uni[c("lhs", "op", "rhs", "X2", "df", "p.value")],
                        mi = subset(mi, op == "~1" | (op == "~~" & lhs == rhs))[
                          c("lhs", "op", "rhs", "mi")])
    }
    out[[s]] <- row
  }
  list(occasions = occ, partial = partial, partial_step = partial_step, steps = out)
}

cases <- list(
  groups_theta = run_groups("theta", "u2 ~ 1", "scalar"),
  groups_theta_strict_partial = run_groups("theta", c("u2 ~ 1", "u4 ~~ u4"), "scalar"),
  groups_delta = run_groups("delta", "u2 ~ 1", "scalar", strict = FALSE),
  t2_theta = run_long(2, "u3 ~ 1", "scalar"),
  t3_theta = run_long(3, "u3 ~ 1", "scalar"))

# syntax only: theta partial models (a residual variance, an intercept, thresholds), groups
# and occasions; a two-factor model with a cross-loading, a residual covariance and binary u5
d1 <- long[long$occasion == "t1", c("group", ITEMS)]
wide3 <- wide_of(OCC)
TWO <- "F =~ u1 + u2 + u3\nG =~ u3 + u4 + u5\nu1 ~~ u2"
nthr <- sapply(ITEMS, function(v) length(unique(d1[[v]])) - 1L, simplify = FALSE)
SYNTAX <- list(
  list(k = 1, equal = c("thresholds", "loadings", "intercepts", "residuals"),
       partial = c("u1 ~~ u1", "u2 ~ 1", "u3 | t2")),
  list(k = 1, equal = c("thresholds", "loadings"), partial = c("u3 | t1", "u5 | t1")),
  list(k = 1, equal = c("thresholds", "loadings", "intercepts", "residuals"),
       partial = c("G =~ u3", "u5 ~ 1", "u2 ~~ u2"), model = TWO),
  list(k = 1, equal = c("thresholds", "loadings", "intercepts"), partial = "u1 ~ 1",
       model = TWO, parameterization = "delta"),
  list(k = 2, equal = c("thresholds", "loadings", "intercepts", "residuals"),
       partial = c("u1 ~~ u1", "u2 ~ 1", "u3 | t2", "u3 | t3")),
  list(k = 3, equal = c("thresholds", "loadings"), partial = c("u2 | t1", "u2 | t2", "u5 | t1")),
  list(k = 3, equal = c("thresholds", "loadings", "intercepts", "residuals"),
       partial = c("G =~ u3", "u5 ~ 1", "u4 | t1", "u4 ~~ u4"), model = TWO),
  list(k = 2, equal = "thresholds", partial = "", model = TWO))
syntax <- lapply(SYNTAX, function(s) {
  s$model <- if (is.null(s$model)) MODEL else s$model
  s$parameterization <- if (is.null(s$parameterization)) "theta" else s$parameterization
  s$n_thresholds <- nthr
  s$syntax <- if (s$k == 1) {
    as.character(measEq.syntax(s$model, data = d1, group = "group", ordered = ITEMS,
                               parameterization = s$parameterization, ID.fac = "std.lv",
                               ID.cat = "Wu.Estabrook.2016", group.equal = s$equal,
                               group.partial = s$partial))
  } else long_syntax(s$k, wide3, s$equal, s$partial, s$parameterization, s$model)
  s
})

out <- list(lavaan = as.character(packageVersion("lavaan")),
            semTools = as.character(packageVersion("semTools")),
            model = MODEL, cases = cases, syntax = syntax)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/fixtures/r/invariance_theta.json")
