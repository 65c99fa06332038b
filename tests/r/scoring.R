# Reference scores for tests/test_scoring.py, made independently of the package:
# psych::scoreItems (impute = "none": mean of the answered items after reverse-keying with
# min + max - x) for the questionnaire scores, base R for the 3X10D life-domain summaries.
# Run from the repository root:  Rscript tests/r/scoring.R
# Output: tests/fixtures/r/scoring.json (seeded synthetic responses and the expected scores).
suppressPackageStartupMessages({library(psych); library(jsonlite)})
set.seed(20260601)

gen <- function(n, k, lo, hi, p_miss, prefix) {
  x <- matrix(sample(lo:hi, n * k, replace = TRUE), n, k)
  x[matrix(runif(n * k) < p_miss, n, k)] <- NA
  colnames(x) <- paste0(prefix, "_", seq_len(k))
  as.data.frame(x)
}
keyed <- function(prefix, items, reverse) {
  ifelse(items %in% reverse, paste0("-", prefix, "_", items), paste0(prefix, "_", items))
}
# mean of the answered keyed items, missing when fewer than `need` answered
subscale <- function(x, prefix, items, reverse, lo, hi, need) {
  # suppressWarnings: psych warns about item-whole statistics of one-scale keys, not scores
  m <- suppressWarnings(scoreItems(list(s = keyed(prefix, items, reverse)), x, totals = FALSE,
                                   impute = "none",
                                   min = lo, max = hi))$scores[, 1]
  n <- rowSums(!is.na(x[, paste0(prefix, "_", items), drop = FALSE]))
  ifelse(n >= need, m, NA)
}

out <- list()

x <- gen(300, 5, 0, 5, 0.05, "who5")
raw <- subscale(x, "who5", 1:5, integer(0), 0, 5, 5) * 5
out$who5 <- list(responses = x, expected = data.frame(who5_raw = raw, who5_pct = raw * 4))

x <- gen(300, 10, 1, 4, 0.08, "rses")
out$rses <- list(responses = x, expected = data.frame(
  rses_total = subscale(x, "rses", 1:10, c(2, 5, 6, 8, 9), 1, 4, 8) * 10))

x <- gen(300, 5, 1, 7, 0.08, "swls")
out$swls <- list(responses = x, expected = data.frame(
  swls_total = subscale(x, "swls", 1:5, integer(0), 1, 7, 4) * 5))

# SUS: 2.5 * sum(keyed - 1) = 2.5 * 10 * (mean of keyed items - 1)
x <- gen(300, 10, 1, 5, 0.02, "sus")
out$sus <- list(responses = x, expected = data.frame(
  sus_score = (subscale(x, "sus", 1:10, c(2, 4, 6, 8, 10), 1, 5, 10) - 1) * 25))

x <- gen(300, 15, 1, 5, 0.15, "cs")
out[["client-survey"]] <- list(responses = x, expected = data.frame(
  cs_one_stop = subscale(x, "cs", 1:3, 3, 1, 5, 2),
  cs_benefit = subscale(x, "cs", 4:6, 6, 1, 5, 2),
  cs_participation = subscale(x, "cs", 7:9, 9, 1, 5, 2),
  cs_worker = subscale(x, "cs", 10:12, 12, 1, 5, 2),
  cs_plan = subscale(x, "cs", 13:15, 15, 1, 5, 2)))

x <- gen(300, 13, 1, 5, 0.15, "ss")
out[["staff-survey"]] <- list(responses = x, expected = data.frame(
  ss_multiprof = subscale(x, "ss", 1:3, 3, 1, 5, 2),
  ss_pulling_together = subscale(x, "ss", 4:6, 6, 1, 5, 2),
  ss_client_centred = subscale(x, "ss", 7:9, 9, 1, 5, 2),
  ss_management = subscale(x, "ss", 10:13, 13, 1, 5, 3)))

domains <- c("health", "resilience", "housing", "daily_coping", "family", "friends",
             "finances", "strengths", "self_esteem", "life_overall")
x <- gen(300, 10, 0, 10, 0.12, "sat")
colnames(x) <- paste0("sat_", domains)
n9 <- rowSums(!is.na(x[, 1:9]))
band <- function(v) as.character(cut(v, c(-Inf, 5, 7, Inf), labels = c("low", "moderate", "high")))
out[["3x10d"]] <- list(responses = x, expected = data.frame(
  n_answered = rowSums(!is.na(x)),
  n_low = rowSums(x <= 5, na.rm = TRUE),
  domain_mean = ifelse(n9 >= 7, rowMeans(x[, 1:9], na.rm = TRUE), NA),
  life_overall = x$sat_life_overall,
  band_health = band(x$sat_health),
  band_finances = band(x$sat_finances)))

meta <- list(R = R.version.string, psych = as.character(packageVersion("psych")), seed = 20260601)
writeLines(toJSON(c(list(meta = meta), out), digits = NA, na = "null", dataframe = "columns",
                  auto_unbox = TRUE, pretty = FALSE),
           "tests/fixtures/r/scoring.json")
