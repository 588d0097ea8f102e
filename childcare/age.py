"""Age bands from a birth date: pure date arithmetic, no database."""

import datetime

from childcare.models.choices import AgeBand


def age_in_years(birth_date: datetime.date, on: datetime.date) -> int:
    """Completed years of life on ``on`` (a child born on 29 February ages on 1 March)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def age_in_months(birth_date: datetime.date, on: datetime.date) -> int:
    """Completed months of life on ``on``."""
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if on.day < birth_date.day:
        months -= 1
    return months


def school_entry_date(
    birth_date: datetime.date, *, entry: tuple[int, int] = (8, 1), cutoff: tuple[int, int] = (6, 30)
) -> datetime.date:
    """The school entry date: children who are 6 by the cut-off day start school that year."""
    sixth_birthday_year = birth_date.year + 6
    turns_six_by_cutoff = (birth_date.month, birth_date.day) <= cutoff
    year = sixth_birthday_year if turns_six_by_cutoff else sixth_birthday_year + 1
    return datetime.date(year, *entry)


def age_band_on(
    birth_date: datetime.date,
    on: datetime.date,
    *,
    entry: tuple[int, int] = (8, 1),
    cutoff: tuple[int, int] = (6, 30),
) -> AgeBand:
    """The age band a child belongs to on a day: U3 before the 3rd birthday, Ü3 until school entry."""
    if on >= school_entry_date(birth_date, entry=entry, cutoff=cutoff):
        return AgeBand.SCHOOL
    if age_in_years(birth_date, on) >= 3:
        return AgeBand.THREE_TO_SCHOOL
    return AgeBand.UNDER_THREE


def has_legal_entitlement(birth_date: datetime.date, on: datetime.date) -> bool:
    """§ 24 SGB VIII: a legal right to a place from the first birthday."""
    return age_in_years(birth_date, on) >= 1
