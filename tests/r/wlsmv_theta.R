# Reference values for tests/test_wlsmv_theta.py: lavaan's WLSMV for ordered items in the
# theta parameterization (residual variances of the latent responses are parameters, the
# scaling factors derived), and the theta scalar step of semTools::measEq.syntax.
# Run from the repository root:  Rscript tests/r/wlsmv_theta.R
# Needs R lavaan 0.6.14, semTools 0.5.6, MASS and jsonlite. Writes the data
# tests/fixtures/data/ordinal_theta.csv (simulated here, seeded) and the reference
# tests/fixtures/r/wlsmv_theta.json.
suppressPackageStartupMessages({
  library(lavaan); library(semTools); library(MASS); library(jsonlite)
})

# --- data: 900 rows, two groups of 450 ('a', 'b'), three item sets
set.seed(20261207)
cut <- function(y, tau) findInterval(y, tau) + 1L
n <- 450
make_group <- function(shift, scale) {
  # u1-u5: one factor, five categories (u5: four); group b differs in loadings and in
  # residual variances, so that theta's free residual variances are not 1
  f <- rnorm(n, shift)
  lam <- c(0.8, 0.7, 0.75, 0.6, 0.5)
  ustar <- sapply(1:5, function(j) lam[j] * f + rnorm(n, sd = sqrt(1 - lam[j]^2) * scale[j]))
  u <- cbind(sapply(1:4, function(j) cut(ustar[, j], c(-1.6, -0.6, 0.3, 1.2))),
             cut(ustar[, 5], c(-1.0, 0.1, 1.1)))
  # v1-v6: two correlated factors (r = 0.5), four categories, skewed thresholds
  F <- mvrnorm(n, c(0, 0), matrix(c(1, 0.5, 0.5, 1), 2))
  lv <- c(0.8, 0.7, 0.6, 0.75, 0.65, 0.55)
  vstar <- sapply(1:6, function(j) lv[j] * F[, (j > 3) + 1] + rnorm(n, sd = sqrt(1 - lv[j]^2)))
  v <- sapply(1:6, function(j) cut(vstar[, j], c(-1.3, -0.2, 0.8)))
  # b1-b5: one factor, binary
  h <- rnorm(n)
  lb <- c(0.8, 0.75, 0.7, 0.6, 0.65)
  tb <- c(-0.5, 0, 0.4, -0.2, 0.7)
  b <- sapply(1:5, function(j) as.integer(lb[j] * h + rnorm(n, sd = sqrt(1 - lb[j]^2)) > tb[j]))
  out <- data.frame(u, v, b)
  names(out) <- c(paste0("u", 1:5), paste0("v", 1:6), paste0("b", 1:5))
  out
}
d <- rbind(cbind(grp = "a", make_group(0, rep(1, 5))),
           cbind(grp = "b", make_group(0.4, c(0.8, 1, 1.1, 0.9, 1.2))))
write.csv(d, "tests/fixtures/data/ordinal_theta.csv", row.names = FALSE)
d <- read.csv("tests/fixtures/data/ordinal_theta.csv")

FIT <- c("npar", "fmin", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
         "chisq.scaling.factor", "baseline.chisq", "baseline.df", "baseline.pvalue",
         "baseline.chisq.scaled", "baseline.df.scaled", "baseline.pvalue.scaled",
         "baseline.chisq.scaling.factor", "cfi", "tli", "cfi.scaled", "tli.scaled", "rmsea",
         "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "rmsea.scaled",
         "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.pvalue.scaled", "srmr")

record <- function(fit, args) {
  fm <- as.list(fitMeasures(fit)[FIT])
  fm$chisq.shift.parameters <- lavInspect(fit, "test")$scaled.shifted$shift.parameter
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$group)) pe$group <- 1L
  if (is.null(pe$label)) pe$label <- ""
  list(args = args, converged = lavInspect(fit, "converged"),
       group_labels = lavInspect(fit, "group.label"), nobs = lavInspect(fit, "nobs"),
       fit = fm,
       estimates = pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue",
                          "std.lv", "std.all")])
}

run <- function(model, group = NULL, group_equal = "", std_lv = FALSE) {
  fit <- cfa(model, data = d, ordered = TRUE, estimator = "WLSMV", parameterization = "theta",
             group = group, group.equal = group_equal, std.lv = std_lv)
  record(fit, list(model = model, group = if (is.null(group)) NA else group,
                   group_equal = group_equal, std_lv = std_lv))
}

U <- "f =~ u1 + u2 + u3 + u4 + u5"
V <- "f1 =~ v1 + v2 + v3\nf2 =~ v4 + v5 + v6"
B <- "f =~ b1 + b2 + b3 + b4 + b5"

# semTools' theta syntax of the scalar step (Wu & Estabrook 2016; std.lv identification):
# residual variances 'u ~~ c(1, NA)*u', no scaling factors
scalar <- as.character(measEq.syntax(U, data = d, ordered = paste0("u", 1:5),
                                     parameterization = "theta", ID.fac = "std.lv",
                                     ID.cat = "Wu.Estabrook.2016", group = "grp",
                                     group.equal = c("thresholds", "loadings", "intercepts")))
measeq <- record(cfa(scalar, data = d, group = "grp", ordered = paste0("u", 1:5),
                     estimator = "WLSMV", parameterization = "theta"),
                 list(model = scalar, group = "grp", group_equal = "", std_lv = FALSE))

out <- list(
  lavaan_version = as.character(packageVersion("lavaan")),
  semtools_version = as.character(packageVersion("semTools")),
  cases = list(
    one_factor = run(U),
    two_factor = run(V),
    two_factor_rescov = run(paste(V, "\nv1 ~~ v4")),
    binary_std_lv = run(B, std_lv = TRUE),
    two_group = run(U, group = "grp"),
    two_group_thresholds_loadings = run(U, group = "grp",
                                        group_equal = c("thresholds", "loadings")),
    measeq_scalar = measeq
  )
)
write_json(out, "tests/fixtures/r/wlsmv_theta.json", digits = I(12), auto_unbox = TRUE,
           pretty = TRUE, na = "null")
