"""Scoring, psychometric validation and evaluation reports for the 3X10D life-situation
self-assessment and the participant surveys of the integrated youth-services pilot.

Data flow (one way): :mod:`analysis.io` loads and checks files → :mod:`analysis.scoring`
scores → :mod:`analysis.reliability`, :mod:`analysis.structure`, :mod:`analysis.validity`,
:mod:`analysis.change`, :mod:`analysis.norms` analyse → tables and figures → notebooks.
"""
__version__ = "0.1.0"
