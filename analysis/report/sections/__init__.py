"""The sections of each report notebook, one module per notebook.

A notebook holds narrative and calls only: it opens its report
(:func:`analysis.report.document.open_report`), makes the report's object from this package and
calls one method per section, each in :meth:`~analysis.report.document.Report.attempt` so that a
section the data cannot support becomes a note. A method adds the section's heading, sentences
(from the message catalogues), tables (with what their rows are, for disclosure control) and
figures; which section runs, where its numbers come from and what a sentence may say about a
hidden cell are decided here and in :mod:`analysis.study`, not in the notebook.
"""
