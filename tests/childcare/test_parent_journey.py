"""A parent's whole way through the real pages: sign up, verify, add a child, search, apply with
three ranked wishes, see positions, get an offer, accept it and download all three PDFs."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from childcare.admissions.offers import make_offer
from childcare.models import AgeBand, Application, ApplicationStatus, Offer, Placement, Wish
from tests.factories import CapacityFactory, FacilityFactory, StaffMembershipFactory, UserFactory, WishFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Sonnenblume-im-Garten-42"


def next_august():
    today = timezone.localdate()
    start = datetime.date(today.year, 8, 1)
    return start if start > today else start.replace(year=today.year + 1)


@pytest.fixture
def town():
    """Four Kitas with U3 places at known distances north of 50.05 N, 8.69 E, and one Kindergarten."""
    facilities = {}
    for index, name in enumerate(["Kita Ahorn", "Kita Birke", "Kita Eiche", "Kita Weide"]):
        facility = FacilityFactory(
            name=name,
            slug=name.lower().replace(" ", "-"),
            postcode="63000",
            latitude=Decimal("50.050000") + Decimal("0.010000") * index,
            longitude=Decimal("8.690000"),
        )
        CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=4)
        facilities[name] = facility
    kindergarten = FacilityFactory(name="Kindergarten Linde", slug="kindergarten-linde")
    CapacityFactory(facility=kindergarten, age_band=AgeBand.THREE_TO_SCHOOL, places=20)
    return facilities


def pdf_text(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_parent_journey_from_sign_up_to_placement_documents(client, town, in_english):
    # Sign up and verify the e-mail address.
    client.post(
        reverse("account_signup"), {"email": "anna@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    confirm_url = re.search(r"https?://[^/\s]+(/konto/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)
    client.post(confirm_url)
    assert client.get(reverse("parents:application_list")).status_code == 200  # signed in after confirming

    # Add the child: two years old at the next 1 August, so U3.
    birth = next_august() - datetime.timedelta(days=700)
    client.post(
        reverse("parents:child_create"),
        {"first_name": "Zoë", "last_name": "Müller", "birth_date": birth.isoformat()},
    )

    # Search: U3 places near 63000 with free places at the start, nearest first.
    response = client.get(
        reverse("parents:facility_search"),
        {
            "birth_date": birth.isoformat(),
            "start": next_august().isoformat(),
            "free_at_start": "on",
            "near": "50.05,8.69",
            "sort": "distance",
        },
    )
    html = response.content.decode()
    positions = [html.index(name) for name in ("Kita Ahorn", "Kita Birke", "Kita Eiche", "Kita Weide")]
    assert positions == sorted(positions)
    assert "Kindergarten Linde" not in html

    # Apply with three ranked wishes.
    child = Application._meta.get_field("child").related_model.objects.get()
    client.post(reverse("parents:application_start"), {"child": child.pk})
    application = Application.objects.get()
    pid = application.public_id
    client.post(
        reverse("parents:application_step_start", args=[pid]),
        {"desired_start_date": next_august().isoformat(), "care_hours_per_week": "35"},
    )
    for name in ("Kita Eiche", "Kita Ahorn", "Kita Birke"):
        client.post(
            reverse("parents:application_step_wishes", args=[pid]),
            {"action": "add", "facility": town[name].slug},
        )
    client.post(
        reverse("parents:application_step_criteria", args=[pid]),
        {
            "resides_in_municipality": "True",
            "guardians_working_or_training": "1",
            "single_parent": "False",
            "hardship_referral": "False",
            "integration_need": "False",
        },
    )
    client.post(reverse("parents:application_step_review", args=[pid]), {"consent": "on"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert list(application.wishes.order_by("rank").values_list("facility__name", flat=True)) == [
        "Kita Eiche",
        "Kita Ahorn",
        "Kita Birke",
    ]

    # A hardship case with more points stands before Anna's child at Kita Eiche.
    WishFactory(facility=town["Kita Eiche"], age_band=AgeBand.UNDER_THREE, points=500)
    html = client.get(reverse("parents:application_list")).content.decode()
    assert html.count("Place 1 of 1 on the waitlist") == 2
    assert html.count("Place 2 of 2 on the waitlist") == 1

    # The facility makes an offer through the staff service; the parent sees and accepts it.
    leader = StaffMembershipFactory(facility=town["Kita Eiche"], user=UserFactory()).user
    offer = make_offer(
        wish=Wish.objects.get(application=application, rank=1), start_date=next_august(), by=leader
    )
    html = client.get(reverse("parents:application_list")).content.decode()
    assert "Offer: a place at Kita Eiche" in html
    client.post(reverse("parents:offer_respond", args=[offer.public_id]), {"answer": "accept"})
    placement = Placement.objects.get()
    assert Offer.objects.get().status == "accepted"

    # All three PDFs, parsed back.
    for url in (
        reverse("letters:application_receipt_pdf", args=[pid]),
        reverse("letters:offer_letter_pdf", args=[offer.public_id]),
        reverse("letters:placement_confirmation_pdf", args=[placement.public_id]),
    ):
        text = pdf_text(client.get(url))
        assert application.reference in text
        assert "Kita Eiche" in text
