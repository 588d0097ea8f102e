"""Dates staff and the office enter stay within a planning window; the message names the limit."""

import datetime
import importlib
import pkgutil
from dataclasses import dataclass

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from childcare.allocation import rounds
from childcare.backoffice.forms.audit import AuditFilterForm
from childcare.backoffice.forms.rounds import PublishForm, RoundForm
from childcare.backoffice.forms.staff import OfferNextForm, OfferTermsForm, PlacementForm, WaitlistFilterForm
from childcare.errors import DomainError
from childcare.models import AllocationRound

pytestmark = pytest.mark.usefixtures("in_english")


def days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


@pytest.mark.django_db
def test_a_round_for_9999_12_31_is_refused_by_the_service(municipal_office):
    with pytest.raises(DomainError, match="within the next 3 years"):
        rounds.create_round(target_start_date=datetime.date(9999, 12, 31), by=municipal_office)
    assert not AllocationRound.objects.exists()


@pytest.mark.django_db
def test_a_round_two_years_ahead_is_created(municipal_office):
    target = timezone.localdate() + datetime.timedelta(days=730)
    assert rounds.create_round(target_start_date=target, by=municipal_office).target_start_date == target


@pytest.mark.django_db
def test_the_round_page_names_the_limit_and_creates_nothing(client, municipal_office):
    client.force_login(municipal_office)

    response = client.post(reverse("backoffice:round_list"), {"target_start_date": "9999-12-31"}, follow=True)

    assert "The target start date must be within the next 3 years." in response.content.decode()
    assert not AllocationRound.objects.exists()


def test_round_form_bounds():
    assert RoundForm({"target_start_date": days(365)}).is_valid()
    assert RoundForm({"target_start_date": days(4 * 365)}).errors == {
        "target_start_date": ["The target start date must be within the next 3 years."]
    }


@pytest.mark.parametrize("form_class", [OfferTermsForm, PublishForm])
def test_answer_deadlines_lie_within_90_days(form_class):
    data = {"start_date": days(30)}
    assert form_class({**data, "answer_by": days(90)}).is_valid()
    form = form_class({**data, "answer_by": days(91)})
    assert form.errors["answer_by"] == ["The deadline must be within the next 90 days."]
    assert form_class({**data, "answer_by": days(-1)}).errors["answer_by"] == [
        "The deadline must not be in the past."
    ]


def test_offer_start_dates_lie_between_today_and_three_years_ahead():
    form = OfferTermsForm({"start_date": "2062-08-01", "answer_by": days(14)})
    assert form.errors["start_date"] == ["The start date must be within the next 3 years."]
    assert OfferTermsForm({"start_date": days(-1), "answer_by": days(14)}).errors["start_date"] == [
        "The start date must not be in the past."
    ]
    assert OfferTermsForm({"start_date": days(3 * 365 - 2), "answer_by": days(14)}).is_valid()


def test_a_placement_may_be_recorded_up_to_a_year_back_and_three_years_ahead():
    assert PlacementForm({"start_date": days(-100)}).is_valid()
    assert PlacementForm({"start_date": days(-400)}).errors["start_date"] == [
        "The start date must not be more than 365 days in the past."
    ]
    assert PlacementForm({"start_date": "9999-12-31"}).errors["start_date"] == [
        "The start date must be within the next 3 years."
    ]


# --- every date field of the staff and office forms: an impossible date is "not valid", never "required" ---

CALENDAR = "Please enter a valid date (day, month and year)."
OFFER_DATA = {"start_date": days(30), "answer_by": days(14)}
NEXT_DATA = {**OFFER_DATA, "age_band": "u3", "count": "1"}


@dataclass(frozen=True)
class DateCase:
    form: type
    field: str
    data: dict  # valid values of the other fields
    invalid: str  # the message for garbage, an impossible date, and (if required) an empty field
    bounds: tuple = ()  # (value, message) pairs past each limit
    required: bool = True


START_BOUNDS = (
    (days(-1), "The start date must not be in the past."),
    ("9999-12-31", "The start date must be within the next 3 years."),
)
DEADLINE_BOUNDS = (
    ("0001-01-01", "The deadline must not be in the past."),
    ("9999-12-31", "The deadline must be within the next 90 days."),
)
DATE_CASES = [
    DateCase(OfferTermsForm, "start_date", OFFER_DATA, CALENDAR, START_BOUNDS),
    DateCase(OfferTermsForm, "answer_by", OFFER_DATA, CALENDAR, DEADLINE_BOUNDS),
    DateCase(OfferNextForm, "start_date", NEXT_DATA, CALENDAR, START_BOUNDS),
    DateCase(OfferNextForm, "answer_by", NEXT_DATA, CALENDAR, DEADLINE_BOUNDS),
    DateCase(
        PlacementForm,
        "start_date",
        {"start_date": days(10)},
        CALENDAR,
        (
            ("0001-01-01", "The start date must not be more than 365 days in the past."),
            ("9999-12-31", "The start date must be within the next 3 years."),
        ),
    ),
    DateCase(
        RoundForm,
        "target_start_date",
        {"target_start_date": days(200)},
        "Please enter a valid target start date.",
        # The lower limit (in the future) is the service's rule: test_round_views shows its message.
        (("9999-12-31", "The target start date must be within the next 3 years."),),
    ),
    DateCase(PublishForm, "answer_by", {"answer_by": days(14)}, CALENDAR, DEADLINE_BOUNDS),
    DateCase(AuditFilterForm, "date_from", {}, CALENDAR, required=False),
    DateCase(AuditFilterForm, "date_to", {}, CALENDAR, required=False),
    DateCase(
        WaitlistFilterForm, "start_month", {}, "Enter a month as YYYY-MM, e.g. 2026-08.", required=False
    ),
]
IMPOSSIBLE = ["31.02.2027", "2027-02-31", "2027-13-01", "30.02.", "morgen", "0000-00-00", "2027-02-29T10:00"]


def _staff_form_date_fields() -> set[tuple[type, str]]:
    """Every date field of every form defined in the staff and office room (childcare/backoffice/)."""
    import childcare.backoffice

    found = set()
    for module_info in pkgutil.walk_packages(childcare.backoffice.__path__, "childcare.backoffice."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                found |= {
                    (value, name)
                    for name, field in value.base_fields.items()
                    if isinstance(field, forms.DateField | forms.DateTimeField)
                }
    return found


def test_every_date_field_of_the_staff_and_office_forms_is_tested_here():
    assert _staff_form_date_fields() == {(case.form, case.field) for case in DATE_CASES}


def case_id(case: DateCase) -> str:
    return f"{case.form.__name__}.{case.field}"


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("case", DATE_CASES, ids=case_id)
def test_an_impossible_or_garbage_date_is_called_invalid_in_the_users_language(case, language):
    with translation.override(language):
        expected = [translation.gettext(case.invalid)]
        if language == "de":
            assert expected != [case.invalid], "the message has a German translation"
        values = [*IMPOSSIBLE, ""] if case.required else IMPOSSIBLE
        for value in values:
            errors = case.form({**case.data, case.field: value}).errors
            assert errors.get(case.field) == expected, value
        if case.required:  # a browser sends nothing at all for a date it cannot read
            data = {name: value for name, value in case.data.items() if name != case.field}
            assert case.form(data).errors[case.field] == expected


@pytest.mark.parametrize("case", [case for case in DATE_CASES if case.bounds], ids=case_id)
def test_a_date_past_a_limit_names_the_limit(case):
    assert case.form({**case.data}).is_valid(), case.form({**case.data}).errors
    for value, message in case.bounds:
        assert case.form({**case.data, case.field: value}).errors[case.field] == [message]
        with translation.override("de"):
            german = case.form({**case.data, case.field: value}).errors[case.field]
        assert german != [message]
        assert german[0]  # translated, not empty


@pytest.mark.django_db
def test_the_offer_page_calls_an_impossible_date_invalid(client, staff, facility, in_english):
    from tests.factories import WishFactory

    wish = WishFactory(facility=facility)
    client.force_login(staff)
    response = client.post(
        reverse("backoffice:offer_make", args=[facility.slug, wish.application.public_id]),
        {"start_date": "31.02.2027", "answer_by": ""},
    )
    html = response.content.decode()
    assert html.count(CALENDAR) >= 2
    assert "This field is required." not in html
