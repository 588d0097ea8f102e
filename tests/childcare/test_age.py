import datetime

import pytest

from childcare.age import age_band_on, age_in_months, age_in_years, has_legal_entitlement, school_entry_date
from childcare.models import AgeBand

D = datetime.date


@pytest.mark.parametrize(
    ("birth", "on", "years"),
    [
        (D(2023, 5, 10), D(2026, 5, 9), 2),
        (D(2023, 5, 10), D(2026, 5, 10), 3),
        (D(2020, 2, 29), D(2021, 2, 28), 0),
        (D(2020, 2, 29), D(2021, 3, 1), 1),
    ],
)
def test_age_in_years_counts_completed_years_including_leap_day_births(birth, on, years):
    assert age_in_years(birth, on) == years


def test_age_in_months_counts_only_completed_months():
    assert age_in_months(D(2025, 1, 31), D(2025, 2, 28)) == 0
    assert age_in_months(D(2025, 1, 15), D(2025, 2, 15)) == 1
    assert age_in_months(D(2025, 1, 15), D(2026, 1, 14)) == 11


@pytest.mark.parametrize(
    ("birth", "entry"),
    [
        (D(2020, 6, 30), D(2026, 8, 1)),  # six on the cut-off day: school this year
        (D(2020, 7, 1), D(2027, 8, 1)),  # one day later: next year
        (D(2020, 1, 1), D(2026, 8, 1)),
    ],
)
def test_school_entry_follows_the_cutoff_day(birth, entry):
    assert school_entry_date(birth) == entry


def test_age_band_moves_from_u3_to_ue3_on_the_third_birthday():
    birth = D(2023, 10, 5)
    assert age_band_on(birth, D(2026, 10, 4)) == AgeBand.UNDER_THREE
    assert age_band_on(birth, D(2026, 10, 5)) == AgeBand.THREE_TO_SCHOOL


def test_age_band_is_school_from_school_entry_not_from_sixth_birthday():
    birth = D(2020, 7, 1)  # turns six after the cut-off
    assert age_band_on(birth, D(2026, 8, 1)) == AgeBand.THREE_TO_SCHOOL
    assert age_band_on(birth, D(2027, 7, 31)) == AgeBand.THREE_TO_SCHOOL
    assert age_band_on(birth, D(2027, 8, 1)) == AgeBand.SCHOOL


def test_age_band_respects_a_configured_school_calendar():
    birth = D(2020, 8, 15)
    assert age_band_on(birth, D(2026, 9, 1), entry=(9, 1), cutoff=(9, 30)) == AgeBand.SCHOOL
    assert age_band_on(birth, D(2026, 9, 1)) == AgeBand.THREE_TO_SCHOOL


def test_legal_entitlement_starts_on_the_first_birthday():
    assert not has_legal_entitlement(D(2025, 3, 1), D(2026, 2, 28))
    assert has_legal_entitlement(D(2025, 3, 1), D(2026, 3, 1))
