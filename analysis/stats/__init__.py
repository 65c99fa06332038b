"""General psychometrics and statistics, usable for any instrument.

Nothing here knows the 3X10D, an occasion label or a category value: functions take
DataFrames (``data`` first) and column names, and return frozen result objects with
``.to_frame()`` or tidy DataFrames whose first column names the score or item.
"""
