"""Dates staff and the office enter stay within a planning window; the message names the limit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from childcare.allocation import rounds
from childcare.backoffice.forms.rounds import PublishForm, RoundForm
from childcare.backoffice.forms.staff import OfferTermsForm, PlacementForm
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
