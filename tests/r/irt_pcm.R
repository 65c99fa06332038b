# Reference values for analysis.stats.irt.pcm (tests/test_irt_pcm.py).
#
# Run from the repository root:  Rscript tests/r/irt_pcm.R
# Simulates seeded data from a Rasch partial credit model and writes them, with the reference
# values, to tests/fixtures/r/irt_pcm.json. Made with R 4.2 and eRm 1.0-2 (Debian r-cran-erm).
#
#   * "five": 400 persons, five items scored 0-4; item i3 has disordered thresholds (its
#     second threshold above its third); a few persons far out so that the raw scores 0 and 20
#     occur (eRm's person.parameter interpolates those);
#   * "mixed": 300 persons, four items with 3, 4, 5 and 5 categories coded from 1 (eRm shifts
#     each item to start at 0) and 9 missing answers in q3 and q4 (eRm fits the conditional
#     likelihood per pattern of missing answers and estimates person parameters per pattern);
#   * "mixed_na": the same answers with 5 more missing, in q1 and q2. Here eRm 1.0-2 is not a
#     reference: its conditional likelihood (fitcml) splits the parameters of the items a
#     pattern answered by the category counts of the *first* items (mt_ind[1:n]), so when an
#     item with fewer categories is missing, the items are mis-grouped and PCM() maximises a
#     different likelihood. The reference is a brute-force conditional likelihood written
#     below (the symmetric functions by enumerating every answer pattern, no recursion),
#     maximised by optim (BFGS, analytic gradient, reltol 1e-15) with standard errors from
#     optimHess; eRm's log-likelihood and that of the brute-force likelihood with eRm's
#     grouping, both at eRm's estimates, are written too (they agree, which shows the cause).
#
# For "five" and "mixed": PCM(X) (defaults: sum0 = TRUE, the item-category parameters beta sum
# to zero), its conditional log-likelihood, beta and eta with standard errors (nlm's Hessian),
# thresholds() (location = mean of an item's thresholds), person.parameter() (ML per raw score
# and pattern of missing answers; extreme scores by eRm's spline interpolation) and
# itemfit() (chi-square, outfit/infit mean squares and t, on the persons without an extreme
# score).
suppressPackageStartupMessages({
  library(eRm)
  library(jsonlite)
})

simulate_pcm <- function(theta, tau) {
  # tau: list of threshold vectors; P(X = h) ∝ exp(sum_{l <= h} (theta - tau_l))
  sapply(tau, function(t) {
    m <- length(t)
    num <- sapply(0:m, function(h) if (h == 0) rep(0, length(theta)) else h * theta - sum(t[1:h]))
    p <- exp(num - apply(num, 1, max)); p <- p / rowSums(p)
    apply(p, 1, function(pr) sample(0:m, 1, prob = pr))
  })
}

reference <- function(X) {
  fit <- PCM(X)
  th <- thresholds(fit)
  pp <- person.parameter(fit)
  ifit <- itemfit(pp)
  tt <- th$threshtable[[1]]
  list(
    loglik = fit$loglik, npar = fit$npar, iterations = fit$iter, convergence = fit$convergence,
    betapar = unname(fit$betapar), beta_names = names(fit$betapar), se_beta = unname(fit$se.beta),
    etapar = unname(fit$etapar), se_eta = unname(fit$se.eta),
    thresholds = list(item = rownames(tt), location = unname(tt[, "Location"]),
                      table = unname(tt[, -1, drop = FALSE]),
                      threshpar = unname(th$threshpar), se = unname(th$se.thresh)),
    persons = list(theta = unname(pp$theta.table[, "Person Parameter"]),
                   interpolated = pp$theta.table[, "Interpolated"],
                   nagroup = unname(pp$theta.table[, "NAgroup"]),
                   raw_score = unname(rowSums(fit$X, na.rm = TRUE)),
                   thetapar = lapply(pp$thetapar, unname), se_theta = lapply(pp$se.theta, unname),
                   thetapar_names = lapply(pp$thetapar, names),
                   loglik = pp$loglik, excluded = pp$pers.ex),
    itemfit = list(item = names(ifit$i.fit), chisq = unname(ifit$i.fit), df = unname(ifit$i.df - 1),
                   p = unname(1 - pchisq(ifit$i.fit, ifit$i.df - 1)),
                   outfit_msq = unname(ifit$i.outfitMSQ), infit_msq = unname(ifit$i.infitMSQ),
                   outfit_t = unname(ifit$i.outfitZ), infit_t = unname(ifit$i.infitZ),
                   discrim = unname(ifit$i.disc))
  )
}

set.seed(20260403)
n <- 400
theta <- c(rnorm(n - 6, 0.2, 1.3), -5.5, -5, -4.5, 5.5, 5, 6)
tau <- list(c(-1.8, -0.6, 0.4, 1.6), c(-1.2, -0.3, 0.6, 1.4), c(-1.0, 0.9, -0.2, 1.8),
            c(-2.2, -1.0, 0.1, 1.0), c(-0.6, 0.3, 1.1, 2.2))
five <- simulate_pcm(theta, tau)
colnames(five) <- paste0("i", 1:5)

set.seed(20260404)
n2 <- 300
theta2 <- rnorm(n2, -0.3, 1.1)
tau2 <- list(c(-0.8, 0.7), c(-1.5, 0.0, 1.2), c(-1.4, -0.4, 0.5, 1.6), c(-0.9, -0.2, 0.9, 1.9))
mixed <- simulate_pcm(theta2, tau2) + 1L
colnames(mixed) <- c("q1", "q2", "q3", "q4")
mixed[cbind(c(33, 60, 88, 120, 150, 199, 230, 241, 299), c(3, 4, 4, 3, 4, 4, 3, 4, 3))] <- NA
mixed_na <- mixed
mixed_na[cbind(c(5, 17, 61, 151, 270), c(1, 2, 1, 1, 2))] <- NA

# ---- brute-force conditional likelihood (sum0: beta = W eta) ----
# erm = TRUE reproduces eRm's grouping: the parameters of the answered items, in order, split
# by mt_ind[1:n] (the category counts of the first items).
brute_cml <- function(X, erm = FALSE) {
  X <- sweep(X, 2, apply(X, 2, min, na.rm = TRUE))
  m <- apply(X, 2, max, na.rm = TRUE)
  K <- sum(m)
  item_of <- rep(seq_along(m), m); cat_of <- sequence(m)
  W <- rbind(rep(-1, K - 1), diag(K - 1))
  obs <- !is.na(X)
  key <- apply(obs * 1, 1, paste, collapse = "")
  counts <- sapply(seq_len(K), function(k) sum(X[, item_of[k]] == cat_of[k], na.rm = TRUE))
  pats <- lapply(split(seq_len(nrow(X)), key), function(rows) {
    items <- which(obs[rows[1], ])
    cols <- unlist(lapply(items, function(i) which(item_of == i)))
    sizes <- if (erm) as.vector(table(item_of[seq_along(cols)])) else m[items]
    grid <- as.matrix(expand.grid(lapply(sizes, function(s) 0:s)))
    start <- c(0, cumsum(sizes))
    D <- matrix(0, nrow(grid), K)          # answer pattern x item-category indicator
    for (j in seq_along(sizes)) for (h in seq_len(sizes[j])) D[, cols[start[j] + h]] <- (grid[, j] == h) * 1
    list(score = rowSums(grid), D = D, r = rowSums(X[rows, items, drop = FALSE]))
  })
  negll <- function(eta) {
    beta <- drop(W %*% eta)
    f <- -sum(counts * beta)
    for (p in pats) {
      gam <- tapply(exp(drop(p$D %*% beta)), p$score, sum)
      f <- f + sum(log(gam[as.character(p$r)]))
    }
    f
  }
  grad <- function(eta) {
    beta <- drop(W %*% eta)
    g <- -counts
    for (p in pats) {
      e <- exp(drop(p$D %*% beta))
      gam <- tapply(e, p$score, sum)
      for (r in p$r) {
        sel <- p$score == r
        g <- g + colSums(p$D[sel, , drop = FALSE] * e[sel]) / gam[as.character(r)]
      }
    }
    drop(t(W) %*% g)
  }
  list(negll = negll, grad = grad, W = W, K = K)
}

brute_reference <- function(X, erm_fit) {
  b <- brute_cml(X)
  fit <- optim(rep(0, b$K - 1), b$negll, b$grad, method = "BFGS",
               control = list(reltol = 1e-15, maxit = 10000))
  H <- optimHess(fit$par, b$negll, b$grad)
  beta <- drop(b$W %*% fit$par)
  vc <- b$W %*% solve(H) %*% t(b$W)
  eta_erm <- -erm_fit$etapar            # PCM() reports -eta
  list(loglik = -fit$value, convergence = fit$convergence, max_abs_grad = max(abs(b$grad(fit$par))),
       betapar = beta, se_beta = sqrt(diag(vc)),
       erm_loglik = erm_fit$loglik,
       loglik_at_erm_estimates = -b$negll(eta_erm),
       erm_grouping_loglik_at_erm_estimates = -brute_cml(X, erm = TRUE)$negll(eta_erm))
}

out <- list(
  generated_with = list(R = R.version.string, eRm = as.character(packageVersion("eRm"))),
  five = c(list(data = as.data.frame(five)), reference(five)),
  mixed = c(list(data = as.data.frame(mixed)), reference(mixed)),
  mixed_na = c(list(data = as.data.frame(mixed_na)),
               brute_reference(mixed_na, suppressWarnings(PCM(mixed_na))))
)
# the brute-force likelihood agrees with eRm where eRm groups correctly
chk <- brute_cml(five)
stopifnot(abs(-chk$negll(-PCM(five)$etapar) - out$five$loglik) < 1e-9)
write_json(out, "tests/fixtures/r/irt_pcm.json", digits = NA, auto_unbox = TRUE, pretty = TRUE,
           na = "null", matrix = "rowmajor")
