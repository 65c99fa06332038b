# Reference values for tests/test_wlsmv.py: lavaan's WLSMV for ordered items and the
# ordinal measurement-invariance steps of semTools::measEq.syntax.
# Run from the repository root:  Rscript tests/r/wlsmv.R
# Needs R lavaan 0.6.14, semTools 0.5.6 and jsonlite. Writes tests/fixtures/r/wlsmv.json.
# Data: the committed synthetic skewed 1-5 items (analysis/datasets/ordinal_skewed.csv;
# 'half' = rows 1-450 vs 451-900, made here and in the test) and psych's bfi
# (tests/fixtures/data/bfi.csv). lavaan's WLSMV default for missing data is listwise.
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})

skewed <- read.csv("analysis/datasets/ordinal_skewed.csv")
skewed$half <- rep(c("first", "second"), each = 450)
bfi <- read.csv("tests/fixtures/data/bfi.csv")
DATA <- list(skewed = skewed, bfi = bfi)

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
                          "std.all")])
}

run <- function(data_name, model, group = NULL, group_equal = "", std_lv = FALSE) {
  fit <- cfa(model, data = DATA[[data_name]], ordered = TRUE, estimator = "WLSMV",
             group = group, group.equal = group_equal, std.lv = std_lv)
  record(fit, list(data = data_name, model = model,
                   group = if (is.null(group)) NA else group, group_equal = group_equal,
                   std_lv = std_lv))
}

Q <- function(i) paste0("q", i, collapse = " + ")
SK1 <- paste("f =~", Q(1:10))
SK2 <- paste0("f1 =~ ", Q(1:5), "\nf2 =~ ", Q(6:10))
NEU <- "neu =~ N1 + N2 + N3 + N4 + N5"
# A1 (weakest, reverse-keyed) left out: as the marker of 'agree' it made lavaan's
# second-order fit diverge
BFI3 <- "agree =~ A2 + A3 + A4 + A5
         consc =~ C1 + C2 + C3 + C4 + C5
         neuro =~ N1 + N2 + N3 + N4 + N5"

cases <- list(
  skewed_one = run("skewed", SK1),
  skewed_two = run("skewed", SK2),
  skewed_two_std_lv = run("skewed", SK2, std_lv = TRUE),
  skewed_resid_cov = run("skewed", paste(SK1, "\nq1 ~~ q2")),
  bfi_neu = run("bfi", NEU),
  bfi_three = run("bfi", BFI3),
  bfi_higher = run("bfi", paste(BFI3, "\nbig =~ agree + consc + neuro")),
  bfi_neu_gender = run("bfi", NEU, group = "gender"),
  bfi_neu_gender_th = run("bfi", NEU, group = "gender", group_equal = "thresholds"),
  bfi_neu_gender_thl = run("bfi", NEU, group = "gender",
                           group_equal = c("thresholds", "loadings"))
)

# measurement invariance with semTools' identification (Wu & Estabrook 2016, std.lv)
STEPS <- list(configural = "", thresholds = "thresholds",
              metric = c("thresholds", "loadings"),
              scalar = c("thresholds", "loadings", "intercepts"))
invariance <- function(data_name, model, group) {
  data <- DATA[[data_name]]
  items <- lavNames(lavaanify(model), "ov")
  fits <- list(); steps <- list()
  for (s in names(STEPS)) {
    syn <- as.character(measEq.syntax(model, data = data, ordered = items,
                                      parameterization = "delta", ID.fac = "std.lv",
                                      ID.cat = "Wu.Estabrook.2016", group = group,
                                      group.equal = STEPS[[s]]))
    fits[[s]] <- cfa(syn, data = data, group = group, ordered = items, estimator = "WLSMV",
                     parameterization = "delta")
    steps[[s]] <- record(fits[[s]], list(data = data_name, model = model, group = group,
                                         group_equal = STEPS[[s]], syntax = syn))
  }
  s <- names(STEPS)
  lrt <- lapply(2:length(s), function(i) {
    a <- lavTestLRT(fits[[s[i - 1]]], fits[[s[i]]])   # lavaan's default for WLSMV
    list(h1 = s[i - 1], h0 = s[i],
         method = regmatches(attr(a, "heading"), regexpr("satorra[.0-9a-z]*", attr(a, "heading"))),
         chisq_diff = a[["Chisq diff"]][2], df_diff = a[["Df diff"]][2],
         p_diff = a[["Pr(>Chisq)"]][2])
  })
  list(steps = steps, lrt = lrt)
}

out <- list(
  lavaan_version = as.character(packageVersion("lavaan")),
  semtools_version = as.character(packageVersion("semTools")),
  cases = cases,
  invariance = list(
    bfi_neu_gender = invariance("bfi", NEU, "gender"),
    skewed_two_half = invariance("skewed", SK2, "half")
  )
)
write_json(out, "tests/fixtures/r/wlsmv.json", digits = I(12), auto_unbox = TRUE, pretty = TRUE,
           na = "null")
