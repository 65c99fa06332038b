"""Intake: read and check researchers' files, declare instruments and datasets, score.

Instrument definitions (``questionnaires``), Table Schemas
(``data_dictionary``) and the study manifest of a data folder are the declarations
everything else reads.
"""
