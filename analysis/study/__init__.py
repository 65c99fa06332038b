"""The study's analyses: the 3X10D comparison cohort and pilot, participant surveys, service
use and indicators, built from :mod:`analysis.stats` and the declarations of :mod:`analysis.intake`.
"""
