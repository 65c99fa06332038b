# Reference values for tests/test_modindices_wlsmv.py: modification indices of WLSMV fits of
# ordered items (lavaan::modindices with its defaults: expected information, all rows,
# standardized EPCs) and lavTestScore of the equality constraints of a 2-group fit; delta
# (lavaan's default) and theta parameterizations.
# Run from the repository root:  Rscript tests/r/modindices_wlsmv.R
# Needs R lavaan 0.6.14, MASS and jsonlite. Writes the simulated data
# tests/fixtures/data/ordinal_misfit.csv and tests/fixtures/r/modindices_wlsmv.json.
#
# Data (seeded, n = 800, groups 'g1'/'g2' of 400): latent responses y* = loadings x factors +
# normal residuals, cut at fixed thresholds. Each set of items has a real
# misspecification that the fitted models leave out:
#   o1-o6 (5 categories), one factor; the residuals of o2 and o5 correlate .45;
#   a1-a4, b1-b4 (3-4 categories), factors A, B (r = .4); a3 also loads .45 on B and the
#     residuals of b2 and b3 correlate .5; in group g2 the thresholds of a2 are .4 higher
#     and the loading of b4 is .35 instead of .6 (non-invariance for the 2-group fits);
#   d1-d6 (binary), one factor; the residuals of d1 and d2 correlate .5.
suppressPackageStartupMessages({library(lavaan); library(MASS); library(jsonlite)})

set.seed(20261207)
n <- 800
grp <- rep(c("g1", "g2"), each = n / 2)
g2 <- grp == "g2"
ystar <- function(load, f, rcov = NULL) {
  # y* = load %*% f + residuals of variance 1 - (sum of squared loadings), correlated by rcov
  common <- f %*% t(load)
  p <- ncol(common)
  R <- diag(p)
  if (!is.null(rcov)) for (k in seq_len(nrow(rcov))) {
    R[rcov[k, 1], rcov[k, 2]] <- R[rcov[k, 2], rcov[k, 1]] <- rcov[k, 3]
  }
  e <- mvrnorm(nrow(f), rep(0, p), R)
  sd_e <- sqrt(1 - rowSums(load^2))
  common + sweep(e, 2, sd_e, "*")
}
cut_at <- function(y, th) findInterval(y, th) + 1L

# o1-o6: one factor, 5 categories
f1 <- matrix(rnorm(n), n, 1)
yo <- ystar(matrix(c(.75, .7, .65, .7, .6, .55), 6, 1), f1, rbind(c(2, 5, .45)))
th5 <- list(c(-1.6, -.7, .2, 1.1), c(-1.3, -.4, .4, 1.3), c(-1.0, -.1, .7, 1.5),
            c(-1.8, -.9, .0, .9), c(-1.2, -.2, .6, 1.6), c(-1.5, -.6, .3, 1.2))
# a, b: two factors (r = .4 in the structural part), a cross-loading and a residual correlation
fab <- mvrnorm(n, c(0, 0), matrix(c(1, .4, .4, 1), 2))
lab <- matrix(0, 8, 2)
lab[1:4, 1] <- c(.7, .65, .6, .7)
lab[5:8, 2] <- c(.65, .6, .7, .6)
lab[3, 2] <- .45
yab1 <- ystar(lab, fab, rbind(c(6, 7, .5)))
lab2 <- lab
lab2[8, 2] <- .35
yab2 <- ystar(lab2, fab, rbind(c(6, 7, .5)))
yab <- yab1
yab[g2, ] <- yab2[g2, ]
yab[g2, 2] <- yab[g2, 2] - .4          # thresholds of a2 .4 higher in g2
thab <- list(c(-1.1, -.2, .8), c(-.9, .1, 1.0), c(-.8, .2, 1.0), c(-.5, .6, 1.5),
             c(-.7, .5), c(-.4, .8), c(-1.0, .0, .9), c(-.2, .9))
# d1-d6: binary, one factor
fd <- matrix(rnorm(n), n, 1)
yd <- ystar(matrix(c(.7, .65, .6, .7, .55, .6), 6, 1), fd, rbind(c(1, 2, .5)))
thd <- c(-.6, -.2, .1, .4, -1.0, .7)

d <- data.frame(group = grp)
for (j in 1:6) d[[paste0("o", j)]] <- cut_at(yo[, j], th5[[j]])
for (j in 1:8) d[[c("a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4")[j]]] <- cut_at(yab[, j], thab[[j]])
for (j in 1:6) d[[paste0("d", j)]] <- cut_at(yd[, j], thd[j])
write.csv(d, "tests/fixtures/data/ordinal_misfit.csv", row.names = FALSE)
d <- read.csv("tests/fixtures/data/ordinal_misfit.csv")

ONE5 <- "f =~ o1 + o2 + o3 + o4 + o5 + o6"
TWO <- "A =~ a1 + a2 + a3 + a4\nB =~ b1 + b2 + b3 + b4"
BIN <- "f =~ d1 + d2 + d3 + d4 + d5 + d6"
SEM <- "A =~ a1 + a2 + a3 + a4\nB =~ b1 + b2 + b3 + b4\nB ~ A"

COLS <- c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")
run <- function(model, group = NULL, group_equal = "", std_lv = FALSE, score = FALSE,
                parameterization = "delta") {
  fit <- cfa(model, data = d, ordered = TRUE, estimator = "WLSMV", group = group,
             group.equal = group_equal, std.lv = std_lv, parameterization = parameterization)
  mi <- modindices(fit)
  if (is.null(mi$group)) mi$group <- 1L
  out <- list(args = list(model = model, group = if (is.null(group)) NA else group,
                          group_equal = group_equal, std_lv = std_lv,
                          parameterization = parameterization),
              chisq = unname(fitMeasures(fit, "chisq")), mi = mi[, COLS],
              mi_sorted = modindices(fit, sort. = TRUE, minimum.value = 4)[, c("lhs", "op", "rhs", "mi")])
  if (score) {
    st <- suppressWarnings(lavTestScore(fit))
    out$score_test <- list(X2 = st$test$X2, df = st$test$df,
                           uni = as.data.frame(st$uni)[, c("lhs", "op", "rhs", "X2")])
  }
  out
}

cases <- list(
  one_five = run(ONE5),
  two_factor = run(TWO),
  two_factor_std_lv = run(TWO, std_lv = TRUE),
  sem_regression = run(SEM),
  binary = run(BIN),
  configural = run(TWO, group = "group"),
  loadings_thresholds = run(TWO, group = "group", group_equal = c("loadings", "thresholds"),
                            score = TRUE),
  two_factor_theta = run(TWO, parameterization = "theta"),
  loadings_thresholds_theta = run(TWO, group = "group",
                                  group_equal = c("loadings", "thresholds"), score = TRUE,
                                  parameterization = "theta")
)
out <- list(lavaan_version = as.character(packageVersion("lavaan")),
            r_version = R.version.string, cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/fixtures/r/modindices_wlsmv.json")
