# Reference values for tests/test_service_use.py.
# Run from the repository root:  Rscript tests/r/service_use.R
# Needs R (stats) and jsonlite. Reads tests/fixtures/data/service_use_2026.csv (a frozen copy
# of the seed-2026 demo service-use file) and writes tests/fixtures/r/service_use.json.
suppressPackageStartupMessages(library(jsonlite))

su <- read.csv("tests/fixtures/data/service_use_2026.csv", stringsAsFactors = FALSE)
services <- unique(su$service_type)
wide <- function(period) {
  x <- su[su$period == period, ]
  m <- tapply(x$visits, list(x$respondent_id, x$service_type), sum)
  m[, services, drop = FALSE]
}
before <- wide("before"); after <- wide("after")
stopifnot(identical(rownames(before), rownames(after)))
before <- cbind(before, all_services = rowSums(before))
after <- cbind(after, all_services = rowSums(after))

out <- lapply(colnames(before), function(s) {
  b <- before[, s]; a <- after[, s]; d <- a - b
  used <- (a + b) > 0          # the clients a row rests on: those with a visit before or after
  w <- suppressWarnings(wilcox.test(a, b, paired = TRUE, exact = FALSE, correct = FALSE))
  sg <- binom.test(sum(d > 0), sum(d != 0), 0.5)
  list(service_type = s, n = sum(used), total_before = sum(b), total_after = sum(a),
       mean_before = mean(b[used]), sd_before = sd(b[used]), mean_after = mean(a[used]), sd_after = sd(a[used]),
       p_wilcoxon = w$p.value, V = unname(w$statistic), p_sign = sg$p.value)
})
write_json(out, "tests/fixtures/r/service_use.json", auto_unbox = TRUE, digits = NA, pretty = TRUE)
