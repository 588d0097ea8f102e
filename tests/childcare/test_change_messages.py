"""Every change to a family's case writes a message: what happened, what to do, a link to where to do it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from childcare.admissions import applications, offers, waitlist_actions
from childcare.models import AgeBand, ApplicationStatus
from notifications.models import OutboxMessage
from tests.factories import (
    CapacityFactory,
    GuardianshipFactory,
    StaffMembershipFactory,
    UserFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8123"
START = timezone.localdate() + datetime.timedelta(days=60)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture(params=["de", "en"])
def language(request, parent, staff):
    for user in (parent, staff):
        user.language = request.param
        user.save(update_fields=["language"])
    return request.param


@pytest.fixture
def wish(facility, parent):
    facility.name = "Kita Regenbogen"
    facility.save(update_fields=["name"])
    CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=2)
    wish = WishFactory(facility=facility, age_band=AgeBand.UNDER_THREE, application__desired_start_date=START)
    GuardianshipFactory(user=parent, child=wish.application.child)
    return wish


def only(kind: str, recipient) -> OutboxMessage:
    return OutboxMessage.objects.get(kind=kind, recipient=recipient)


def application_url(application) -> str:
    return SITE + reverse("parents:application_detail", args=[application.public_id])


def assert_links_to(message: OutboxMessage, url: str) -> None:
    assert f"\n{url}\n" in message.body_text
    assert f'<a href="{url}"' in message.body_html


SUBJECTS = {
    "offer_withdrawn": {
        "de": "Kita Regenbogen hat das Platzangebot zurückgezogen – Sie müssen nicht antworten",
        "en": "Kita Regenbogen has withdrawn its offer – you need not answer",
    },
    "offer_declined": {
        "de": "Sie haben den Platz in der Einrichtung Kita Regenbogen abgelehnt – "
        "Sie müssen nichts weiter tun",
        "en": "You declined the place at Kita Regenbogen – nothing else to do",
    },
    "application_withdrawn": {
        "de": "Antrag {ref} zurückgezogen – Sie müssen nichts weiter tun",
        "en": "Application {ref} withdrawn – nothing else to do",
    },
    "staff_application_withdrawn": {
        "de": "Antrag zurückgezogen: {ref} verlässt die Warteliste von Kita Regenbogen",
        "en": "Application withdrawn: {ref} leaves the waiting list of Kita Regenbogen",
    },
    "application_closed": {
        "de": "Antrag {ref} ist beendet – Sie können neu beantragen",
        "en": "Application {ref} has ended – you can apply again",
    },
}


def assert_subject(message: OutboxMessage, kind: str, language: str, application) -> None:
    expected = SUBJECTS[kind][language].format(ref=application.reference)
    assert message.subject == f"[Kita-Portal] {expected}"
    assert message.language == language


def test_staff_withdrawing_an_offer_tells_the_family(wish, parent, staff, language):
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    offers.withdraw_offer(offer=offer, by=staff)
    message = only("offer_withdrawn", parent)
    assert_subject(message, "offer_withdrawn", language, wish.application)
    # The offer is gone: the link opens the application, not the answer page of a dead offer.
    assert_links_to(message, application_url(wish.application))
    assert message.attachments == []


def test_declining_an_offer_is_confirmed_to_the_family(wish, parent, staff, language):
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    offers.decline_offer(offer=offer, by=parent)
    message = only("offer_declined", parent)
    assert_subject(message, "offer_declined", language, wish.application)
    # Its only wish is gone, so the text says the application ended, not "your other wishes stay",
    # and the link opens what the family can do now: a new application.
    assert_links_to(message, SITE + reverse("parents:application_start"))
    assert message.attachments == []
    wish.application.refresh_from_db()
    assert wish.application.status == ApplicationStatus.CLOSED
    assert ("neuen Antrag" if language == "de" else "new application") in message.body_text


def test_withdrawing_an_application_tells_the_family_and_every_listed_facility(wish, parent, staff, language):
    second = WishFactory(application=wish.application, rank=2, age_band=AgeBand.UNDER_THREE)
    second_staff = StaffMembershipFactory(facility=second.facility, user=UserFactory(language=language)).user
    applications.withdraw_application(application=wish.application, by=parent)

    family = only("application_withdrawn", parent)
    assert_subject(family, "application_withdrawn", language, wish.application)
    assert_links_to(family, application_url(wish.application))
    assert family.attachments == []

    to_staff = only("staff_application_withdrawn", staff)
    assert_subject(to_staff, "staff_application_withdrawn", language, wish.application)
    assert_links_to(to_staff, SITE + reverse("backoffice:waitlist", args=[wish.facility.slug]))
    assert to_staff.attachments == []
    to_second = only("staff_application_withdrawn", second_staff)
    assert_links_to(to_second, SITE + reverse("backoffice:waitlist", args=[second.facility.slug]))


def test_rejecting_the_last_wish_says_the_application_ended_and_how_to_start_again(
    wish, parent, staff, language
):
    waitlist_actions.reject_wish(wish=wish, by=staff, reason="Keine Plätze für 45 Stunden")
    message = only("application_closed", parent)
    assert_subject(message, "application_closed", language, wish.application)
    assert_links_to(message, SITE + reverse("parents:application_start"))
    assert "Keine Plätze für 45 Stunden" in message.body_text
    assert message.attachments == []
    assert not OutboxMessage.objects.filter(kind="wish_rejected").exists()
    assert "übrigen Wünsche" not in message.body_text
    assert "other wishes are not" not in message.body_text


def test_rejecting_one_of_several_wishes_keeps_the_other_wishes_message(wish, parent, staff, language):
    WishFactory(application=wish.application, rank=2, age_band=AgeBand.UNDER_THREE)
    waitlist_actions.reject_wish(wish=wish, by=staff, reason="Voll")
    message = only("wish_rejected", parent)
    assert ("übrigen Wünsche" if language == "de" else "other wishes are not affected") in message.body_text
    assert not OutboxMessage.objects.filter(kind="application_closed").exists()
