# Reference values for omega_sl (tests/test_omega_sl.py): psych::omega, Schmid–Leiman.
#
# Run from the repository root after tests/r/reliability.R (bfi.csv) and
# python tests/fixtures/data/make_ordinal_skewed.py:  Rscript tests/r/omega_sl.R
# Writes tests/fixtures/r/omega_sl.json. Made with R 4.2, psych 2.2.9, GPArotation.
suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
  library(jsonlite)
})

hs <- read.csv("analysis/datasets/holzinger_swineford_1939.csv")[, paste0("x", 1:9)]
bfi <- read.csv("tests/fixtures/data/bfi.csv")[, 1:25]
skewed <- read.csv("analysis/datasets/ordinal_skewed.csv")

rows <- function(m) unname(split(unname(m), row(m)))

omega_fixture <- function(x, nf, poly = FALSE) {
  om <- omega(x, nfactors = nf, plot = FALSE, poly = poly)  # fm = "minres", rotate = "oblimin"
  sl <- om$schmid$sl
  list(n_factors = nf, poly = poly, items = rownames(sl), sl_columns = colnames(sl),
       sl = rows(sl), omega_h = om$omega_h, omega_lim = om$omega.lim, alpha = om$alpha,
       omega_tot = om$omega.tot, G6 = om$G6, ECV = unname(om$ECV),
       omega_group_rows = rownames(om$omega.group),
       omega_group = rows(as.matrix(om$omega.group)),
       gloading = unname(as.numeric(om$schmid$gloading)), phi = rows(om$schmid$phi))
}

out <- list(
  generated_with = list(R = R.version.string, psych = as.character(packageVersion("psych")),
                        GPArotation = as.character(packageVersion("GPArotation"))),
  hs_3 = omega_fixture(hs, 3),
  bfi_5 = omega_fixture(bfi, 5),
  skewed_2 = omega_fixture(skewed, 2),
  skewed_3_poly = omega_fixture(skewed, 3, poly = TRUE)
)
write_json(out, "tests/fixtures/r/omega_sl.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
