"""Warnings of the statistics code that a report can say in its own language.

The text of a warning is English, for whoever calls the library. It also carries a ``key``
naming the message and the ``fields`` it was filled with (item keys, counts), so that a report
can look the key up in its catalogue and write the fields its own way (item keys as labels;
fields named ``n`` or ``n_…`` are counts of persons or their rows, which a report publishes
under its small-cell rule). :func:`warn` raises a :class:`StatsWarning`; results that
keep their warnings as text (a confirmatory model's ``warnings``) keep :class:`Notice` strings,
which are the same English text with the same key and fields.

Examples
--------
>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     warn("omega_listwise", "omega: {n_dropped} of {n} rows have a missing item", n_dropped=3, n=10)
>>> w = caught[0].message
>>> str(w), w.key, dict(w.fields)
('omega: 3 of 10 rows have a missing item', 'omega_listwise', {'n_dropped': 3, 'n': 10})
"""
from __future__ import annotations

import warnings
from types import MappingProxyType
from typing import Any, Mapping


class Notice(str):
    """An English message (the string itself) with the ``key`` and ``fields`` it was made of.

    The English text shows the fields as they are (``{items}`` of a list shows the list); a
    report formats them itself.

    Examples
    --------
    >>> n = Notice("sem.not_converged", "the optimiser did not converge")
    >>> n, n.key, n == "the optimiser did not converge"
    ('the optimiser did not converge', 'sem.not_converged', True)
    """

    key: str
    fields: Mapping[str, Any]

    def __new__(cls, key: str, template: str, /, **fields: Any) -> Notice:
        return _notice(key, template.format(**fields), fields)

    def __reduce__(self) -> tuple[Any, ...]:
        return _notice, (self.key, str(self), dict(self.fields))


def _notice(key: str, text: str, fields: Mapping[str, Any]) -> Notice:
    out = str.__new__(Notice, text)
    out.key = key
    out.fields = MappingProxyType(dict(fields))
    return out


class StatsWarning(UserWarning):
    """A warning of the statistics code: its English text, ``key`` and ``fields``
    (:class:`Notice`)."""

    def __init__(self, notice: Notice) -> None:
        super().__init__(notice)
        self.notice = notice

    @property
    def key(self) -> str:
        return self.notice.key

    @property
    def fields(self) -> Mapping[str, Any]:
        return self.notice.fields


def warn(key: str, template: str, /, *, stacklevel: int = 2, **fields: Any) -> None:
    """Warn with the English ``template`` filled with ``fields`` (a :class:`StatsWarning`);
    ``stacklevel`` counts from the caller, as in :func:`warnings.warn`."""
    warnings.warn(StatsWarning(Notice(key, template, **fields)), stacklevel=stacklevel + 1)
