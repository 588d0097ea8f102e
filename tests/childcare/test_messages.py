"""Every message links straight to what it is about, on the portal's own address, in e-mail and inbox."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from childcare.actors import SYSTEM
from childcare.admissions import offers, reconfirmation
from childcare.admissions.digests import send_staff_digests
from childcare.admissions.messages import tell_facility_staff, tell_guardians
from childcare.models import AgeBand
from notifications.models import OutboxMessage
from tests.factories import ApplicationFactory, CapacityFactory, GuardianshipFactory, WishFactory

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8123"
START = timezone.localdate() + datetime.timedelta(days=60)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture(autouse=True)
def _english_readers(parent, staff):
    """Messages speak the recipient's language; English lets the tests read the source texts."""
    for user in (parent, staff):
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def wish(facility, parent):
    CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=2)
    wish = WishFactory(facility=facility, age_band=AgeBand.UNDER_THREE, application__desired_start_date=START)
    GuardianshipFactory(user=parent, child=wish.application.child)
    return wish


def message(kind: str, recipient) -> OutboxMessage:
    return OutboxMessage.objects.get(kind=kind, recipient=recipient)


def assert_links_to(message: OutboxMessage, url: str, label: str) -> None:
    """The address is in the text and is the button of the HTML (which is also the inbox copy)."""
    assert f"{label}:\n{url}\n" in message.body_text
    assert f'<a href="{url}"' in message.body_html
    assert f">{label}</a>" in message.body_html
    assert f"{SITE}/\n" not in message.body_text  # not the bare home page


def application_url(application) -> str:
    return SITE + reverse("parents:application_detail", args=[application.public_id])


def test_an_offer_message_opens_the_offers_answer_page(wish, parent):
    offer = offers.make_offer(wish=wish, start_date=START, by=SYSTEM)
    url = SITE + reverse("parents:offer_respond", args=[offer.public_id])
    assert_links_to(message("offer_made", parent), url, "Answer the offer")


def test_a_message_about_an_answered_offer_opens_the_application(wish, parent):
    offer = offers.make_offer(wish=wish, start_date=START, by=SYSTEM)
    offers.accept_offer(offer=offer, by=parent)
    assert_links_to(
        message("offer_accepted", parent), application_url(wish.application), "Open your application"
    )


def test_an_application_message_opens_the_application(parent, child):
    application = ApplicationFactory(child=child)
    with transaction.atomic():
        tell_guardians(application=application, kind="application_edited", key="edit", context={})
    assert_links_to(
        message("application_edited", parent), application_url(application), "Open your application"
    )


def test_the_reconfirmation_link_of_the_caller_is_kept_and_made_absolute(parent, child):
    application = ApplicationFactory(child=child)
    path = reconfirmation.confirmation_path(application)
    with transaction.atomic():
        tell_guardians(
            application=application,
            kind="reconfirmation_request",
            key="reconfirm",
            context={"deadline": timezone.now(), "link": path},
        )
    assert_links_to(message("reconfirmation_request", parent), SITE + path, "Confirm application")


def test_an_explicit_link_wins_over_the_derived_one(wish, parent):
    offer = offers.make_offer(wish=wish, start_date=START, by=SYSTEM, announce=False)
    with transaction.atomic():
        tell_guardians(
            application=wish.application,
            kind="offer_reminder",
            key="reminder",
            context={"offer": offer, "facility": wish.facility},
            link=reverse("parents:application_list"),
        )
    body = message("offer_reminder", parent).body_text
    assert f"{SITE}{reverse('parents:application_list')}\n" in body


def test_staff_get_the_application_or_their_waiting_list(wish, parent, staff, facility):
    offer = offers.make_offer(wish=wish, start_date=START, by=SYSTEM)
    offers.decline_offer(offer=offer, by=parent)
    staff_url = SITE + reverse("backoffice:application", args=[wish.application.public_id])
    assert_links_to(message("staff_offer_answered", staff), staff_url, "Open the application")
    with transaction.atomic():
        tell_facility_staff(
            facility=facility, kind="staff_new_applications_digest", key="d", context={"count": 2}
        )
    waitlist = SITE + reverse("backoffice:waitlist", args=[facility.slug])
    assert_links_to(message("staff_new_applications_digest", staff), waitlist, "Open the waiting list")


def test_the_daily_digest_links_to_the_waiting_list(wish, staff, facility):
    day = timezone.localdate(wish.application.submitted_at)
    assert send_staff_digests(day=day) == 1
    assert (
        SITE + reverse("backoffice:waitlist", args=[facility.slug])
        in message("staff_new_applications_digest", staff).body_text
    )
