"""Dates read unambiguously in both languages, and the forms still take the dates the browser sends."""

import datetime

import pytest
from django import forms
from django.utils import formats, translation

AUGUST_FIRST = datetime.date(2027, 8, 1)


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("en", "DATE_FORMAT", "1 August 2027"),
        ("en", "SHORT_DATE_FORMAT", "2027-08-01"),
        ("de", "DATE_FORMAT", "1. August 2027"),
        ("de", "SHORT_DATE_FORMAT", "01.08.2027"),
    ],
)
def test_dates_are_not_in_us_order(language, name, expected):
    with translation.override(language):
        assert formats.date_format(AUGUST_FIRST, name) == expected


def test_english_datetimes_use_a_24_hour_clock():
    moment = datetime.datetime(2027, 8, 1, 17, 5)
    with translation.override("en"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "1 August 2027, 17:05"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "2027-08-01 17:05"


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("typed", ["2027-08-01", "01.08.2027"])
def test_date_fields_accept_iso_and_german_input_in_both_languages(language, typed):
    with translation.override(language):
        assert forms.DateField().clean(typed) == AUGUST_FIRST


def test_english_no_longer_reads_day_and_month_the_us_way():
    with translation.override("en"), pytest.raises(forms.ValidationError):
        forms.DateField().clean("08/01/2027")
