# Reference values for tests/test_longitudinal_invariance_wlsmv.py: longitudinal measurement
# invariance of ordered items (WLSMV) and partial longitudinal invariance (WLSMV and ML).
# The models are those of semTools::measEq.syntax(configural, ordered =, parameterization =
# "delta", ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", longFacNames =, longIndNames =,
# long.equal =, long.partial =) (the same item's latent-response residuals correlated across
# all occasions: semTools' default auto = "all"), fitted by lavaan::cfa(estimator = "WLSMV");
# differences by lavTestLRT (its default for WLSMV: the scaled-shifted difference of
# Satorra 2000). The ML cases treat the same 0-3 items as continuous (semTools without
# ordered=, lavTestLRT's likelihood-ratio difference; MLR: Satorra-Bentler 2001).
# For the scalar steps, lavTestScore's score tests of the equality constraints (and for
# ordered items the modification indices of the intercepts, equal by being fixed at 0).
# Residual variances cannot be equated in the delta parameterization (semTools stops), so
# the ordinal steps end with the scalar one.
# Run from the repository root:  Rscript tests/r/longitudinal_invariance_wlsmv.R
# Needs R lavaan 0.6.14, semTools 0.5.6, MASS and jsonlite. Writes
# tests/fixtures/data/longitudinal_ordinal.csv (synthetic long data: one row per person x
# occasion; 5 items with 4 or 5 categories; item u3's latent response shifted upwards at the
# later occasions, so scalar invariance fails and freeing u3's intercept restores it) and
# tests/fixtures/r/longitudinal_invariance_wlsmv.json.
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})

set.seed(20261208)
N <- 600
OCC <- c("intake", "month6", "month12")
ITEMS <- paste0("u", 1:5)
LAMBDA <- c(0.80, 0.70, 0.75, 0.65, 0.70)
TAU <- list(c(-1.2, 0, 1.1), c(-0.8, 0.3, 1.4), c(-1.0, 0.1, 1.0), c(-1.5, -0.4, 0.8),
            c(-1.6, -0.6, 0.4, 1.3))                    # u5 has five categories
eta <- MASS::mvrnorm(N, c(0, 0.25, 0.4), matrix(c(1, .6, .5, .6, 1.1, .6, .5, .6, 1.2), 3))
item_eff <- matrix(rnorm(N * 5, sd = 0.4), N, 5)        # residuals of an item correlated over time
rows <- list()
for (t in 1:3) {
  ystar <- outer(eta[, t], LAMBDA) + item_eff +
    sweep(matrix(rnorm(N * 5), N, 5), 2, sqrt(1 - LAMBDA^2 - 0.16), "*")
  if (t > 1) ystar[, 3] <- ystar[, 3] + 0.6               # u3 drifts: scalar misfit
  u <- sapply(1:5, function(j) findInterval(ystar[, j], TAU[[j]]))
  colnames(u) <- ITEMS
  rows[[t]] <- data.frame(respondent_id = sprintf("r%03d", 1:N), occasion = OCC[t], u)
}
long <- do.call(rbind, rows)
# some persons miss an occasion (their rows are absent): listwise in the wide data
miss2 <- sample(N, 25); miss3 <- sample(N, 40)
long <- long[!(long$occasion == "month6" & long$respondent_id %in% sprintf("r%03d", miss2)) &
             !(long$occasion == "month12" & long$respondent_id %in% sprintf("r%03d", miss3)), ]
long <- long[sample(nrow(long)), ]
rownames(long) <- NULL
write.csv(long, "tests/fixtures/data/longitudinal_ordinal.csv", row.names = FALSE)

wide_of <- function(long, occ) {
  out <- data.frame(respondent_id = sort(unique(long$respondent_id)))
  for (k in seq_along(occ)) {
    part <- long[long$occasion == occ[k], c("respondent_id", ITEMS)]
    names(part)[-1] <- paste0(names(part)[-1], ".t", k)
    out <- merge(out, part, by = "respondent_id", all.x = TRUE)
  }
  out
}

MODEL <- paste("F =~", paste(ITEMS, collapse = " + "))
# the one-occasion model at occasion t: every variable name suffixed .t<t>
at <- function(model, t) gsub("\\b([A-Za-z]\\w*)\\b", paste0("\\1.t", t), model, perl = TRUE)
syntax_of <- function(k, wide, equal, partial = "", ordered = TRUE, model = MODEL) {
  conf <- paste(sapply(seq_len(k), function(t) at(model, t)), collapse = "\n")
  lv <- unique(lavaanify(model)$lhs[lavaanify(model)$op == "=~"])
  items <- lavNames(lavaanify(model), "ov")
  ind <- sapply(items, function(v) paste0(v, ".t", 1:k), simplify = FALSE)
  fac <- sapply(lv, function(f) paste0(f, ".t", 1:k), simplify = FALSE)
  args <- list(conf, data = wide, ID.fac = "std.lv", longFacNames = fac,
               longIndNames = ind, long.equal = equal, long.partial = partial)
  if (ordered) args <- c(args, list(ordered = unlist(ind), parameterization = "delta",
                                    ID.cat = "Wu.Estabrook.2016"))
  as.character(do.call(measEq.syntax, args))
}

WLSMV_FIT <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
               "chisq.scaling.factor", "cfi", "tli", "rmsea", "cfi.scaled", "tli.scaled",
               "rmsea.scaled", "srmr")
ML_FIT <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic")
MLR_FIT <- c(ML_FIT, "chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust",
             "rmsea.robust")
WLSMV_STEPS <- list(configural = "", thresholds = "thresholds",
                    metric = c("thresholds", "loadings"),
                    scalar = c("thresholds", "loadings", "intercepts"))
ML_STEPS <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
                 strict = c("loadings", "intercepts", "residuals"))
PARTIAL <- "u3 ~ 1"

# steps as longitudinal_invariance(long_partial = PARTIAL) runs them: the partial step after
# the scalar one (compared with metric), the later steps keeping u3's intercept free
run <- function(k, estimator) {
  occ <- OCC[1:k]
  wide <- wide_of(long, occ)
  ordinal <- estimator == "WLSMV"
  steps <- if (ordinal) WLSMV_STEPS else ML_STEPS
  plan <- list()
  for (s in names(steps)) {
    after <- any(grepl("partial", names(plan)))
    prev <- if (length(plan)) names(plan)[length(plan)] else NA
    plan[[s]] <- list(equal = steps[[s]], partial = if (after) PARTIAL else "", against = prev)
    if (s == "scalar")
      plan[["scalar (partial)"]] <- list(equal = steps[[s]], partial = PARTIAL,
                                         against = plan[[s]]$against)
  }
  fits <- list(); out <- list()
  for (s in names(plan)) {
    p <- plan[[s]]
    syn <- syntax_of(k, wide, p$equal, p$partial, ordered = ordinal)
    fits[[s]] <- if (ordinal) {
      cfa(syn, data = wide, ordered = paste0(rep(ITEMS, k), ".t", rep(1:k, each = 5)),
          estimator = "WLSMV", parameterization = "delta")
    } else cfa(syn, data = wide, estimator = estimator)
    fm <- fitMeasures(fits[[s]])
    row <- as.list(unclass(fm[switch(estimator, WLSMV = WLSMV_FIT, ML = ML_FIT, MLR = MLR_FIT)]))
    if (ordinal) row$chisq.shift.parameters <-
      lavInspect(fits[[s]], "test")$scaled.shifted$shift.parameter
    row$nobs <- lavInspect(fits[[s]], "nobs")
    row$converged <- lavInspect(fits[[s]], "converged")
    row$syntax <- syn
    row$against <- p$against
    if (!is.na(p$against)) {
      lrt <- lavTestLRT(fits[[p$against]], fits[[s]], method = if (estimator == "MLR")
        "satorra.bentler.2001" else "default")
      row$chisq_diff <- lrt[["Chisq diff"]][2]; row$df_diff <- lrt[["Df diff"]][2]
      row$p_diff <- lrt[["Pr(>Chisq)"]][2]
      row$lrt_method <- attr(lrt, "heading")
    }
    if (s == "scalar") {                      # score tests of the rejected step's equalities
      lts <- lavTestScore(fits[[s]])
      row$score <- list(total = as.list(lts$test[c("X2", "df", "p.value")]),
                        uni = lts$uni[c("lhs", "op", "rhs", "X2", "df", "p.value")])
      # ordered items: the intercepts are equal by being fixed at 0, tested by modindices
      if (ordinal) row$score$mi <- subset(modindices(fits[[s]]), op == "~1")[c("lhs", "op", "mi")]
    }
    out[[s]] <- row
  }
  list(occasions = occ, estimator = estimator, long_partial = PARTIAL, steps = out)
}

cases <- list(t2_wlsmv = run(2, "WLSMV"), t3_wlsmv = run(3, "WLSMV"),
              t2_ml = run(2, "ML"), t3_mlr = run(3, "MLR"))

# syntax only: partial thresholds, loadings and intercepts in other steps; a two-factor
# model with a cross-loading, a residual covariance and a binary item (u5 cut at 2), ordered
# and continuous
wide3 <- wide_of(long, OCC)
binary <- wide3
for (t in 1:3) binary[[paste0("u5.t", t)]] <- as.integer(binary[[paste0("u5.t", t)]] >= 2)
TWO <- "F =~ u1 + u2 + u3\nG =~ u3 + u4 + u5\nu1 ~~ u2"
SYNTAX <- list(
  list(k = 3, equal = "thresholds", partial = "u2 | t2"),
  list(k = 3, equal = c("thresholds", "loadings"), partial = c("u2 | t1", "u2 | t3")),
  list(k = 2, equal = c("thresholds", "loadings", "intercepts"),
       partial = c("F =~ u4", "u1 | t1", "u5 | t1", "u5 | t2", "u5 ~ 1")),
  list(k = 3, equal = c("thresholds", "loadings", "intercepts"),
       partial = c("u2 | t1", "u2 | t2", "u2 | t3", "u3 ~ 1")),
  list(k = 2, equal = c("thresholds", "loadings", "intercepts"), partial = c("u1 ~ 1", "u2 ~ 1"),
       model = TWO, binary = TRUE),
  list(k = 3, equal = "thresholds", partial = "u4 | t1", model = TWO, binary = TRUE),
  list(k = 3, equal = c("loadings", "intercepts", "residuals"),
       partial = c("G =~ u3", "u4 ~ 1", "u5 ~ 1", "u1 ~~ u1"), model = TWO, ordered = FALSE))
syntax <- lapply(SYNTAX, function(s) {
  s$model <- if (is.null(s$model)) MODEL else s$model
  s$ordered <- !identical(s$ordered, FALSE)
  data <- if (isTRUE(s$binary)) binary else wide3
  s$n_thresholds <- if (s$ordered) sapply(ITEMS, function(v)
    length(unique(data[[paste0(v, ".t1")]])) - 1L, simplify = FALSE)
  s$binary <- NULL
  c(s, list(syntax = syntax_of(s$k, data[, c("respondent_id", paste0(rep(ITEMS, s$k), ".t",
                                                                 rep(1:s$k, each = 5)))],
                               s$equal, s$partial, s$ordered, s$model)))
})

out <- list(lavaan = as.character(packageVersion("lavaan")),
            semTools = as.character(packageVersion("semTools")),
            model = MODEL,
            cases = cases, syntax = syntax)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/fixtures/r/longitudinal_invariance_wlsmv.json")
