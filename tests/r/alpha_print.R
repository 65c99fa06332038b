# Reference numbers and printed text of psych 2.2.9's alpha() for tests/test_display_print.py
# and tests/test_reliability.py: every column of $total, $alpha.drop, $item.stats and
# $response.freq, and capture.output(print(alpha(x))).
# Run from the repository root:  Rscript tests/r/alpha_print.R
# Needs R psych 2.2.9 and jsonlite. Writes tests/fixtures/r/alpha_print.json. Reads the
# committed CSVs (bfi exported by tests/r/reliability.R), so R and Python see the same data.
suppressPackageStartupMessages({library(psych); library(jsonlite)})

bfi <- read.csv("tests/fixtures/data/bfi.csv")
reverse <- function(d, items) { for (i in items) d[[i]] <- 7 - d[[i]]; d }
bfi_r <- reverse(bfi, c("A1", "C4", "C5", "E1", "E2", "O2", "O5"))
hs <- read.csv("analysis/datasets/holzinger_swineford_1939.csv")
ord <- read.csv("analysis/datasets/ordinal_skewed.csv")

frame <- function(d) c(list(row = rownames(d)), lapply(as.list(d), unname))

case <- function(x, items, listwise = FALSE, polychoric = FALSE) {
  x <- x[, items]
  if (listwise) x <- na.omit(x)
  a <- if (polychoric) psych::alpha(psych::polychoric(x)$rho, warnings = FALSE)
       else psych::alpha(x, warnings = FALSE)
  freq <- a$response.freq
  list(items = items, listwise = listwise, polychoric = polychoric,
       total = lapply(as.list(a$total), unname),
       feldt = list(lower = a$feldt$lower.ci[[1]], upper = a$feldt$upper.ci[[1]]),
       alpha_drop = frame(a$alpha.drop),
       item_stats = frame(a$item.stats),
       response_freq = if (is.null(freq)) NA else
         list(values = colnames(freq), freq = unname(lapply(seq_len(nrow(freq)),
                                                            function(i) unname(freq[i, ])))),
       printed = capture.output(print(a)))
}

cases <- list(
  A_pairwise = case(bfi_r, paste0("A", 1:5)),
  A_listwise = case(bfi_r, paste0("A", 1:5), listwise = TRUE),
  C_two_items = case(bfi_r, c("C1", "C2")),
  hs_x4_x6 = case(hs, c("x4", "x5", "x6")),
  hs_x1_x9 = case(hs, paste0("x", 1:9)),
  ordinal_polychoric = case(ord, paste0("q", 1:5), polychoric = TRUE)
)
out <- list(psych_version = as.character(packageVersion("psych")), cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/fixtures/r/alpha_print.json")
