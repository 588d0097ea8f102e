"""Django date formats as strftime patterns, for pages that write many dates.

Django's date formatting costs tens of microseconds a date; a page of fifty rows or a long
timeline pays that many times. A format made only of numeric day, month, year, hour and minute
letters and punctuation (German "d.m.Y H:i", English "Y-m-d") writes the same with strftime.
"""

import functools

# Django's format letters that strftime writes the same way (zero-padded numbers).
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M"}


@functools.cache
def strftime_pattern(django_format: str) -> str | None:
    """``django_format`` as a strftime pattern when it is made of those letters and punctuation
    only; else None (format with Django)."""
    if "\\" in django_format or any(c.isalpha() and c not in _STRFTIME for c in django_format):
        return None
    return "".join(_STRFTIME.get(c, c.replace("%", "%%")) for c in django_format)
