import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from childcare.admissions import offers
from childcare.models import AgeBand, Application, ApplicationStatus, Child, WishStatus
from portal.models import PortalSettings
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    ChildFactory,
    FacilityFactory,
    GuardianshipFactory,
    OfferFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db


def next_august():
    today = timezone.localdate()
    start = datetime.date(today.year, 8, 1)
    return start if start > today else start.replace(year=today.year + 1)


@pytest.fixture
def u3_facilities():
    result = []
    for name in ("Kita Sonnenblume", "Kita Regenbogen", "Krippe Sternschnuppe"):
        facility = FacilityFactory(name=name)
        CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=5)
        result.append(facility)
    return result


def test_adding_a_child(parent_client, parent):
    response = parent_client.post(
        reverse("parents:child_create"),
        {"first_name": "Zoë", "last_name": "Müller", "birth_date": "2025-03-01"},
    )
    assert response.status_code == 302
    child = Child.objects.get()
    assert child.guardianships.get().user == parent


@pytest.mark.parametrize(
    ("days_ahead", "expected", "message"),
    [
        (400, "on", "at most 12 months ahead"),
        (30, "", "Tick &#x27;expected date of birth&#x27;"),
        (-13 * 366, "", "older than 12 years"),
    ],
)
def test_implausible_birth_dates_are_refused_with_a_message(
    parent_client, in_english, days_ahead, expected, message
):
    birth = timezone.localdate() + datetime.timedelta(days=days_ahead)
    data = {"first_name": "Ben", "last_name": "Kurz", "birth_date": birth.isoformat()}
    if expected:
        data["birth_date_is_expected"] = expected
    response = parent_client.post(reverse("parents:child_create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'href="#id_birth_date"' in html  # the error summary links to the field
    assert not Child.objects.exists()


def test_the_whole_application_wizard(parent_client, parent, child, u3_facilities, in_english):
    Child.objects.filter(pk=child.pk).update(birth_date=next_august() - datetime.timedelta(days=700))
    response = parent_client.post(reverse("parents:application_start"), {"child": child.pk})
    application = Application.objects.get()
    assert response["Location"] == reverse("parents:application_step_start", args=[application.public_id])
    parent_client.post(
        reverse("parents:application_step_start", args=[application.public_id]),
        {"desired_start_date": next_august().isoformat(), "care_hours_per_week": "35"},
    )
    wishes_url = reverse("parents:application_step_wishes", args=[application.public_id])
    for facility in u3_facilities:
        parent_client.post(wishes_url, {"action": "add", "facility": facility.slug})
    parent_client.post(wishes_url, {"action": "up", "facility": u3_facilities[2].slug})
    assert list(application.wishes.order_by("rank").values_list("facility__name", flat=True)) == [
        "Kita Sonnenblume",
        "Krippe Sternschnuppe",
        "Kita Regenbogen",
    ]
    parent_client.post(
        reverse("parents:application_step_criteria", args=[application.public_id]),
        {
            "resides_in_municipality": "True",
            "guardians_working_or_training": "2",
            "single_parent": "False",
            "hardship_referral": "False",
            "integration_need": "False",
        },
    )
    response = parent_client.post(
        reverse("parents:application_step_review", args=[application.public_id]), {"consent": "on"}
    )
    assert response["Location"] == reverse("parents:application_list")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    html = parent_client.get(reverse("parents:application_list")).content.decode()
    assert application.reference in html
    assert "Place 1 of 1 on the waitlist" in html
    assert "Lives in the municipality: 30 points" in html


def test_review_without_consent_shows_the_error_and_keeps_the_draft(parent_client, child, in_english):
    application = ApplicationFactory(child=child, status=ApplicationStatus.DRAFT, submitted_at=None)
    response = parent_client.post(
        reverse("parents:application_step_review", args=[application.public_id]), {}
    )
    assert "Please agree to the processing of your data." in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_another_parents_child_cannot_be_chosen(parent_client, child, other_parent, in_english):
    foreign = ChildFactory()
    GuardianshipFactory(user=other_parent, child=foreign)
    response = parent_client.post(reverse("parents:application_start"), {"child": foreign.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Application.objects.exists()


def test_offer_is_answered_from_the_dashboard(parent_client, parent, child, staff, facility):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=3)
    application = ApplicationFactory(child=child)
    wish = WishFactory(application=application, facility=facility)
    WishFactory(application=application, rank=2)
    offer = offers.make_offer(wish=wish, start_date=application.desired_start_date, by=staff)
    html = parent_client.get(reverse("parents:application_list")).content.decode()
    assert reverse("parents:offer_respond", args=[offer.public_id]) in html
    response = parent_client.post(
        reverse("parents:offer_respond", args=[offer.public_id]), {"answer": "accept"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PLACED
    assert application.wishes.get(rank=2).status == WishStatus.INACTIVE


def test_expired_offer_cannot_be_accepted_and_says_so(parent_client, child, in_english):
    offer = OfferFactory(
        wish__application__child=child, expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = parent_client.post(
        reverse("parents:offer_respond", args=[offer.public_id]), {"answer": "accept"}, follow=True
    )
    assert "The deadline for this offer has passed" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == "open"


def parent_urls(application, offer, child):
    pid = application.public_id
    return [
        ("get", reverse("parents:child_edit", args=[child.public_id])),
        ("post", reverse("parents:child_delete", args=[child.public_id])),
        ("get", reverse("parents:application_detail", args=[pid])),
        ("post", reverse("parents:application_step_start", args=[pid])),
        ("post", reverse("parents:application_step_wishes", args=[pid])),
        ("post", reverse("parents:application_step_criteria", args=[pid])),
        ("post", reverse("parents:application_step_review", args=[pid])),
        ("post", reverse("parents:application_withdraw", args=[pid])),
        ("post", reverse("parents:wish_withdraw", args=[pid, 1])),
        ("post", reverse("parents:interest_confirm", args=[pid])),
        ("post", reverse("parents:offer_respond", args=[offer.public_id])),
    ]


def test_a_second_parent_gets_404_on_every_url_and_changes_nothing(client, child, other_parent):
    application = ApplicationFactory(child=child)
    offer = OfferFactory(wish__application=application)
    client.force_login(other_parent)
    for method, url in parent_urls(application, offer, child):
        response = getattr(client, method)(url, {"answer": "accept", "consent": "on"})
        assert response.status_code == 404, url
    application.refresh_from_db()
    offer.refresh_from_db()
    assert (application.status, offer.status) == (ApplicationStatus.OFFERED, "open")
    assert Child.objects.filter(pk=child.pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, child):
    application = ApplicationFactory(child=child)
    for url in (
        reverse("parents:application_list"),
        reverse("parents:child_list"),
        reverse("parents:application_detail", args=[application.public_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_an_empty_form_shows_errors_instead_of_silently_reloading(parent_client, in_english):
    response = parent_client.post(reverse("parents:child_create"), {})
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_first_name"' in html
    assert not Child.objects.exists()


@pytest.fixture
def draft_with_start(parent_client, child):
    Child.objects.filter(pk=child.pk).update(birth_date=next_august() - datetime.timedelta(days=700))
    return ApplicationFactory(
        child=child, status=ApplicationStatus.DRAFT, submitted_at=None, desired_start_date=next_august()
    )


def test_a_start_date_in_the_past_is_refused_on_the_page(parent_client, draft_with_start, in_english):
    response = parent_client.post(
        reverse("parents:application_step_start", args=[draft_with_start.public_id]),
        {"desired_start_date": "2020-08-01", "care_hours_per_week": "35"},
    )
    assert "The desired start date must be in the future." in response.content.decode()
    draft_with_start.refresh_from_db()
    assert draft_with_start.desired_start_date == next_august()


def add_wish(client, application, facility):
    url = reverse("parents:application_step_wishes", args=[application.public_id])
    return client.post(url, {"action": "add", "facility": facility.slug}, follow=True).content.decode()


def test_wrong_age_band_duplicate_and_too_many_wishes_are_refused_on_the_page(
    parent_client, draft_with_start, u3_facilities, in_english
):
    kindergarten = FacilityFactory(name="Kindergarten Arche")
    CapacityFactory(facility=kindergarten, age_band=AgeBand.THREE_TO_SCHOOL)
    html = add_wish(parent_client, draft_with_start, kindergarten)
    assert "Kindergarten Arche: This facility has no places for the age band" in html
    add_wish(parent_client, draft_with_start, u3_facilities[0])
    html = add_wish(parent_client, draft_with_start, u3_facilities[0])
    assert "Each facility can be chosen only once." in html
    PortalSettings.objects.filter(pk=1).update(max_wishes=2)
    add_wish(parent_client, draft_with_start, u3_facilities[1])
    html = add_wish(parent_client, draft_with_start, u3_facilities[2])
    assert "You can choose at most 2 facilities." in html
    assert list(draft_with_start.wishes.order_by("rank").values_list("facility", flat=True)) == [
        u3_facilities[0].pk,
        u3_facilities[1].pk,
    ]


@pytest.mark.parametrize("posted", ["", "2027-02-29", "29.02.2027"])
def test_an_impossible_or_missing_birth_date_asks_for_a_valid_date(parent_client, in_english, posted):
    # The browser's date field posts "" for 29.02.2027, so the empty case must say the same.
    response = parent_client.post(
        reverse("parents:child_create"), {"first_name": "Ben", "last_name": "Kurz", "birth_date": posted}
    )
    html = response.content.decode()
    assert "Please enter a valid date (day, month and year)." in html
    assert "This field is required." not in html
    assert not Child.objects.exists()


def test_an_impossible_start_date_asks_for_a_valid_date(parent_client, draft_with_start, in_english):
    response = parent_client.post(
        reverse("parents:application_step_start", args=[draft_with_start.public_id]),
        {"desired_start_date": "", "care_hours_per_week": "35"},
    )
    assert "Please enter a valid date (day, month and year)." in response.content.decode()
