# Reference values for analysis.stats.irt.dif_ordinal (tests/test_irt_dif.py).
#
# Run from the repository root:  Rscript tests/r/irt_dif.R
# Simulates a seeded data set (480 persons, six items scored 1-4 from a graded response model;
# item i2 has uniform DIF by `sex` (a shift of the latent response of one group), item i4
# non-uniform DIF (a different slope in each group); a three-level `region` with uniform DIF
# in item i5; a few item and group values missing) and writes it, with the reference values,
# to tests/fixtures/r/irt_dif.json. Made with R 4.2 and MASS 7.3-58 (Debian r-cran-mass).
#
# For each grouping (sex: 2 levels, region: 3 levels), each matching criterion (sum: the total
# score including the studied item, Zumbo 1999; rest: the total without it) and each item, on
# the persons with every item and the group observed:
#   * the proportional-odds models of Zumbo (1999) / lordif (Choi, Gibbons & Crane 2011)
#       model 1  item ~ criterion
#       model 2  item ~ criterion + group
#       model 3  item ~ criterion + group + criterion:group
#     by MASS::polr(method = "logistic") (group a factor, treatment contrasts, first level in
#     sorted order the reference), started from polr's default and run by BFGS to reltol 1e-15,
#     then polished by Newton steps on polr's own parameters with the analytic gradient and
#     Hessian of the log-likelihood written below (BFGS alone stops ~1e-6 from the optimum),
#     and re-fitted by polr from the polished values (start =) so that polr's own logLik, coef,
#     zeta and vcov are reported at the optimum;
#   * the thresholds-only model's log-likelihood sum_k n_k log(n_k / n) (closed form);
#   * LR chi-squares 2 (LL_b - LL_a) for 1 vs 2 (uniform), 2 vs 3 (non-uniform), 1 vs 3
#     (total), df = (levels - 1), (levels - 1), 2 (levels - 1), p by pchisq;
#   * pseudo-R^2 of each model: McFadden 1 - LL / LL_0, Cox-Snell 1 - exp(2 (LL_0 - LL) / n),
#     Nagelkerke Cox-Snell / (1 - exp(2 LL_0 / n)) (lordif's three);
#   * the criterion's coefficient change between models 1 and 2: |b1 - b2| / |b1| (lordif's
#     beta change, Crane et al. 2006).
suppressPackageStartupMessages({
  library(MASS)
  library(jsonlite)
})

set.seed(20260402)
n <- 480
theta <- rnorm(n)
sex <- sample(c("female", "male"), n, replace = TRUE)
region <- sample(c("east", "north", "west"), n, replace = TRUE, prob = c(0.4, 0.35, 0.25))
a <- c(1.6, 1.4, 1.8, 1.5, 1.3, 1.7)
b <- rbind(c(-1.6, -0.3, 1.0), c(-1.2, 0.0, 1.3), c(-1.8, -0.5, 0.8),
           c(-1.4, -0.1, 1.1), c(-1.0, 0.2, 1.5), c(-1.5, -0.4, 0.9))
graded <- function(eta, cuts) {
  # P(Y >= k) = plogis(eta - cut_k); responses 1..4
  u <- runif(length(eta))
  1L + rowSums(sapply(cuts, function(ck) u < plogis(eta - ck)))
}
items <- sapply(1:6, function(j) {
  slope <- rep(a[j], n)
  shift <- rep(0, n)
  if (j == 2) shift <- ifelse(sex == "male", 0.9, 0)            # uniform DIF
  if (j == 4) slope <- ifelse(sex == "male", 0.6, 2.4)          # non-uniform DIF
  if (j == 5) shift <- ifelse(region == "west", -0.8, 0)        # uniform DIF, 3 levels
  graded(slope * theta + shift, a[j] * b[j, ])
})
colnames(items) <- paste0("i", 1:6)
items[cbind(c(3, 40, 77, 150, 151, 300, 410), c(1, 2, 6, 3, 3, 5, 4))] <- NA
sex[c(12, 260)] <- NA
region[c(99)] <- NA

# ---- the polr log-likelihood in polr's parameters (beta, zeta), with gradient and Hessian ----
loglik_parts <- function(par, X, y, K) {
  p <- ncol(X); beta <- par[seq_len(p)]; zeta <- par[p + seq_len(K - 1)]
  eta <- drop(X %*% beta)
  cuts <- cbind(-Inf, outer(rep(1, length(y)), zeta), Inf)
  up <- cuts[cbind(seq_along(y), y + 1)] - eta     # upper cut of the observed category
  lo <- cuts[cbind(seq_along(y), y)] - eta
  Fu <- plogis(up); Fl <- plogis(lo)
  pr <- Fu - Fl
  fu <- dlogis(up); fl <- dlogis(lo)
  # derivatives of f = dlogis: f' = f (1 - 2F)
  du <- ifelse(is.finite(up), fu * (1 - 2 * Fu), 0)
  dl <- ifelse(is.finite(lo), fl * (1 - 2 * Fl), 0)
  fu[!is.finite(up)] <- 0; fl[!is.finite(lo)] <- 0
  # d pr / d eta = -(fu - fl); d pr / d zeta_k = fu [y == k] - fl [y - 1 == k]
  D <- cbind(-(fu - fl) * X, sapply(seq_len(K - 1), function(k) fu * (y == k) - fl * (y - 1 == k)))
  g <- colSums(D / pr)
  # second derivatives of pr: d2/deta2 = du - dl; d2/deta dzeta_k = -(du [y==k] - dl [y-1==k]);
  # d2/dzeta_k dzeta_l = du [y==k] [k==l] - dl [y-1==k] [k==l]
  Zu <- sapply(seq_len(K - 1), function(k) (y == k) * 1)
  Zl <- sapply(seq_len(K - 1), function(k) (y - 1 == k) * 1)
  A <- cbind(X, -Zu); B <- cbind(X, -Zl)         # d up / d par = -A..., sign handled below
  # up = zeta_y - eta: d up/d beta = -X, d up/d zeta = Zu; so d up/d par = -(cbind(X, -Zu)) = -A
  H2 <- crossprod(A * (du / pr), A) - crossprod(B * (dl / pr), B)
  H <- H2 - crossprod(D / pr)
  list(ll = sum(log(pr)), g = g, H = H)
}

polish <- function(fit, X, y) {
  K <- length(fit$zeta) + 1
  par <- c(fit$coefficients, fit$zeta)
  for (it in 1:50) {
    pt <- loglik_parts(par, X, y, K)
    step <- solve(pt$H, pt$g)
    par <- par - step
    if (max(abs(step)) < 1e-13) break
  }
  stopifnot(max(abs(loglik_parts(par, X, y, K)$g)) < 1e-8)
  par
}

fit_polr <- function(formula, d, X) {
  ctrl <- list(reltol = 1e-15, maxit = 10000)
  first <- polr(formula, data = d, method = "logistic", Hess = TRUE, control = ctrl)
  par <- polish(first, X, as.integer(d$y))
  again <- polr(formula, data = d, method = "logistic", Hess = TRUE, start = unname(par),
                control = list(reltol = 1e-15, maxit = 0))
  list(ll = as.numeric(logLik(again)), ll_ours = loglik_parts(par, X, as.integer(d$y),
       length(first$zeta) + 1)$ll, ll_bfgs = as.numeric(logLik(first)),
       coef = as.list(par[seq_along(first$coefficients)]), zeta = unname(par[-seq_along(first$coefficients)]),
       se = as.list(sqrt(diag(vcov(again)))[seq_along(first$coefficients)]),
       coef_bfgs = as.list(first$coefficients))
}

analyse <- function(group, criterion) {
  keep <- complete.cases(items) & !is.na(group)
  X <- items[keep, ]; g <- factor(group[keep])
  total <- rowSums(X)
  out <- lapply(colnames(X), function(it) {
    crit <- if (criterion == "sum") total else total - X[, it]
    y <- factor(X[, it], ordered = TRUE)
    d <- data.frame(y = y, crit = crit, g = g)
    M1 <- model.matrix(~ crit, d)[, -1, drop = FALSE]
    M2 <- model.matrix(~ crit + g, d)[, -1, drop = FALSE]
    M3 <- model.matrix(~ crit * g, d)[, -1, drop = FALSE]
    f1 <- fit_polr(y ~ crit, d, M1)
    f2 <- fit_polr(y ~ crit + g, d, M2)
    f3 <- fit_polr(y ~ crit * g, d, M3)
    nk <- table(y); nn <- length(y)
    ll0 <- sum(nk * log(nk / nn))
    L <- nlevels(g) - 1
    lr <- function(a, b) 2 * (b$ll - a$ll)
    r2 <- function(f) {
      cs <- 1 - exp(2 * (ll0 - f$ll) / nn)
      list(mcfadden = 1 - f$ll / ll0, cox_snell = cs, nagelkerke = cs / (1 - exp(2 * ll0 / nn)))
    }
    list(item = it, n = nn, ll0 = ll0, categories = as.integer(levels(y)),
         m1 = f1, m2 = f2, m3 = f3,
         chi2_12 = lr(f1, f2), df_12 = L, p_12 = pchisq(lr(f1, f2), L, lower.tail = FALSE),
         chi2_23 = lr(f2, f3), df_23 = L, p_23 = pchisq(lr(f2, f3), L, lower.tail = FALSE),
         chi2_13 = lr(f1, f3), df_13 = 2 * L, p_13 = pchisq(lr(f1, f3), 2 * L, lower.tail = FALSE),
         r2_1 = r2(f1), r2_2 = r2(f2), r2_3 = r2(f3),
         beta_change = abs(f1$coef$crit - f2$coef$crit) / abs(f1$coef$crit))
  })
  list(n = sum(keep), n_excluded = length(keep) - sum(keep), levels = levels(g),
       level_counts = as.list(table(g)), items = out)
}

out <- list(
  generated_with = list(R = R.version.string, MASS = as.character(packageVersion("MASS"))),
  data = list(items = as.data.frame(items), sex = sex, region = region),
  sex_sum = analyse(sex, "sum"),
  sex_rest = analyse(sex, "rest"),
  region_sum = analyse(region, "sum"),
  region_rest = analyse(region, "rest")
)
write_json(out, "tests/fixtures/r/irt_dif.json", digits = NA, auto_unbox = TRUE, pretty = TRUE,
           na = "null")
