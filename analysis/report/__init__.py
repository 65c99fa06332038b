"""Presentation: disclosure control, labelled and formatted tables, figures, message
catalogues, HTML/Word/Excel export and the report run.
"""
