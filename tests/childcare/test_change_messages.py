"""Every change to a family's case writes a message: what happened, what to do, a link to where to do it."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from childcare.actors import SYSTEM
from childcare.admissions import applications, offers, proofs, reminders, waitlist_actions
from childcare.admissions.reconfirmation import confirmation_path
from childcare.admissions.transitions import application as application_transitions
from childcare.models import AgeBand, ApplicationStatus
from notifications.models import OutboxMessage
from portal.models import PortalSettings
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
    "application_submitted": {
        "de": "Ihr Antrag {ref} ist eingegangen – die Eingangsbestätigung liegt bei",
        "en": "Application {ref} received – your receipt is attached",
    },
    "offer_made": {
        "de": "Platzangebot der Einrichtung Kita Regenbogen – bitte antworten Sie bis zum {deadline}",
        "en": "Place offered at Kita Regenbogen – please answer by {deadline}",
    },
    "offer_reminder": {
        "de": "Erinnerung: Bitte antworten Sie bis zum {deadline} auf das Platzangebot der Einrichtung "
        "Kita Regenbogen",
        "en": "Reminder: please answer the offer from Kita Regenbogen by {deadline}",
    },
    "offer_expired_waiting": {
        "de": "Angebot der Einrichtung Kita Regenbogen abgelaufen – Ihre übrigen Wünsche bleiben auf den "
        "Wartelisten",
        "en": "Offer from Kita Regenbogen expired – your other wishes stay on the waiting lists",
    },
    "offer_expired_ended": {
        "de": "Angebot der Einrichtung Kita Regenbogen abgelaufen – Antrag {ref} ist beendet, Sie können "
        "neu beantragen",
        "en": "Offer from Kita Regenbogen expired – application {ref} has ended, you can apply again",
    },
    "offer_accepted": {
        "de": "Platz in der Einrichtung Kita Regenbogen bestätigt – Betreuungsbeginn am {start}",
        "en": "Place at Kita Regenbogen confirmed – care starts on {start}",
    },
    "placement_recorded": {
        "de": "Platz in der Einrichtung Kita Regenbogen von ihr eingetragen – Betreuungsbeginn am {start}",
        "en": "Place at Kita Regenbogen recorded by the facility – care starts on {start}",
    },
    "staff_offer_answered": {
        "de": "Angebot angenommen: Kita Regenbogen, Antrag {ref}",
        "en": "Offer accepted: Kita Regenbogen, application {ref}",
    },
    "wish_rejected": {
        "de": "Die Einrichtung Kita Regenbogen kann Ihren Antrag {ref} nicht berücksichtigen – "
        "Ihre übrigen Wünsche bleiben auf den Wartelisten",
        "en": "Kita Regenbogen cannot consider application {ref} – "
        "your other wishes stay on the waiting lists",
    },
    "reconfirmation_request": {
        "de": "Bitte bestätigen Sie Ihren Antrag {ref} bis zum {deadline}",
        "en": "Please confirm your application {ref} by {deadline}",
    },
    "application_edited": {
        "de": "Ihr Antrag {ref} wurde geändert – bitte prüfen Sie die Angaben",
        "en": "Your application {ref} has been changed – please check the details",
    },
    "application_expired": {
        "de": "Ihr Antrag {ref} ist abgelaufen – Sie können neu beantragen",
        "en": "Application {ref} has expired – you can apply again",
    },
    "guardian_invitation": {
        "de": "{inviter} lädt Sie ein, den Kita-Antrag für {name} mitzuverwalten – bitte nehmen Sie die "
        "Einladung an",
        "en": "{inviter} invites you to manage the daycare application for {name} – "
        "please accept the invitation",
    },
}

# How the subjects write a date: "15. März 2027" in German, "15 March 2027" in English.
MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "en": "January February March April May June July August September October November December",
}


def written(day: datetime.date, language: str) -> str:
    return f"{day.day}{'.' if language == 'de' else ''} {MONTHS[language].split()[day.month - 1]} {day.year}"


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def assert_subject(message: OutboxMessage, kind: str, language: str, application, **values) -> None:
    expected = SUBJECTS[kind][language].format(ref=application.reference, **values)
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
    assert_subject(message, "wish_rejected", language, wish.application)
    assert_links_to(message, application_url(wish.application))
    assert message.attachments == []
    assert ("übrigen Wünsche" if language == "de" else "other wishes are not affected") in message.body_text
    assert not OutboxMessage.objects.filter(kind="application_closed").exists()


def test_submitting_an_application_sends_the_receipt(wish, parent, language):
    application = wish.application
    application.status = ApplicationStatus.DRAFT
    application.save(update_fields=["status"])
    with transaction.atomic():
        application_transitions.submit(application=application, by=parent)
    message = only("application_submitted", parent)
    assert_subject(message, "application_submitted", language, application)
    assert_links_to(message, application_url(application))
    assert message.attachments == [{"kind": "application_receipt", "object_id": application.pk}]


def test_an_offer_asks_for_an_answer_by_its_date_and_carries_the_offer_letter(wish, parent, staff, language):
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    message = only("offer_made", parent)
    deadline = written(local_day(offer.expires_at), language)
    assert_subject(message, "offer_made", language, wish.application, deadline=deadline)
    assert_links_to(message, SITE + reverse("parents:offer_respond", args=[offer.public_id]))
    assert message.attachments == [{"kind": "offer_letter", "object_id": offer.pk}]


def test_the_reminder_names_the_deadline_and_opens_the_answer_page(wish, parent, staff, language):
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    reminders.send_offer_reminders(now=offer.expires_at - datetime.timedelta(days=1))
    message = only("offer_reminder", parent)
    deadline = written(local_day(offer.expires_at), language)
    assert_subject(message, "offer_reminder", language, wish.application, deadline=deadline)
    assert_links_to(message, SITE + reverse("parents:offer_respond", args=[offer.public_id]))
    assert message.attachments == []


def test_an_expired_offer_says_the_other_wishes_keep_waiting(wish, parent, staff, language):
    WishFactory(application=wish.application, rank=2, age_band=AgeBand.UNDER_THREE)
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    assert offers.expire_offer(offer=offer, by=SYSTEM, now=offer.expires_at + datetime.timedelta(minutes=1))
    message = only("offer_expired", parent)
    assert_subject(message, "offer_expired_waiting", language, wish.application)
    assert_links_to(message, application_url(wish.application))
    assert message.attachments == []
    wish.application.refresh_from_db()
    assert wish.application.status == ApplicationStatus.WAITING
    said = "übrigen Wünsche" if language == "de" else "stays on the waiting lists of your other wishes"
    assert said in message.body_text


def test_an_expired_offer_for_the_last_wish_says_the_application_ended_and_links_to_a_new_one(
    wish, parent, staff, language
):
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    assert offers.expire_offer(offer=offer, by=SYSTEM, now=offer.expires_at + datetime.timedelta(minutes=1))
    message = only("offer_expired", parent)
    assert_subject(message, "offer_expired_ended", language, wish.application)
    assert_links_to(message, SITE + reverse("parents:application_start"))
    assert message.attachments == []
    wish.application.refresh_from_db()
    assert wish.application.status == ApplicationStatus.CLOSED
    assert ("neuen Antrag" if language == "de" else "new application") in message.body_text


def test_an_accepted_offer_is_confirmed_with_the_start_and_the_confirmation(wish, parent, staff, language):
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    placement = offers.accept_offer(offer=offer, by=parent)
    message = only("offer_accepted", parent)
    assert_subject(message, "offer_accepted", language, wish.application, start=written(START, language))
    assert_links_to(message, application_url(wish.application))
    assert message.attachments == [{"kind": "placement_confirmation", "object_id": placement.pk}]

    to_staff = only("staff_offer_answered", staff)
    assert_subject(to_staff, "staff_offer_answered", language, wish.application)
    assert_links_to(to_staff, SITE + reverse("backoffice:application", args=[wish.application.public_id]))
    assert to_staff.attachments == []


def test_a_place_recorded_by_staff_is_worded_as_such(wish, parent, staff, language):
    placement = waitlist_actions.record_placement(wish=wish, by=staff, start_date=START)
    message = only("placement_recorded", parent)
    assert_subject(message, "placement_recorded", language, wish.application, start=written(START, language))
    assert_links_to(message, application_url(wish.application))
    assert message.attachments == [{"kind": "placement_confirmation", "object_id": placement.pk}]
    assert "angenommen" not in message.body_text
    assert "You have accepted" not in message.body_text


def test_the_reconfirmation_request_names_its_deadline_and_carries_the_one_click_link(wish, parent, language):
    application = wish.application
    portal = PortalSettings.load()
    now = application.last_confirmed_at + relativedelta(months=portal.reconfirmation_interval_months, days=1)
    # The link's signature holds the second it was made: the clock stands still until it is compared.
    with time_machine.travel(timezone.now(), tick=False):
        assert reminders.request_reconfirmations(now=now) == 1
        expected_path = confirmation_path(application)
    message = only("reconfirmation_request", parent)
    deadline = application.last_confirmed_at + relativedelta(
        months=portal.reconfirmation_interval_months, days=portal.reconfirmation_grace_days
    )
    assert_subject(
        message,
        "reconfirmation_request",
        language,
        application,
        deadline=written(local_day(deadline), language),
    )
    assert_links_to(message, SITE + expected_path)
    assert message.attachments == []


def test_an_unconfirmed_application_expires_and_the_family_is_pointed_to_a_new_one(wish, parent, language):
    application = wish.application
    now = application.last_confirmed_at + datetime.timedelta(days=800)
    assert reminders.expire_unconfirmed_applications(now=now) == 1
    message = only("application_expired", parent)
    assert_subject(message, "application_expired", language, application)
    assert_links_to(message, SITE + reverse("parents:application_start"))
    assert message.attachments == []


def test_an_invited_guardian_is_asked_to_accept_in_the_inviters_language(wish, parent, language):
    child = wish.application.child
    invitation = proofs.invite_guardian(child=child, by=parent, email="partner@example.org")
    message = OutboxMessage.objects.get(kind="guardian_invitation")
    assert (message.recipient, message.to_email, message.language) == (None, "partner@example.org", language)
    assert_subject(
        message,
        "guardian_invitation",
        language,
        wish.application,
        inviter=parent.display_name,
        name=child.first_name,
    )
    assert_links_to(message, SITE + reverse("parents:invitation_accept", args=[invitation.public_id]))
    assert message.attachments == []


def test_an_edited_application_asks_the_family_to_check_it(wish, parent, language):
    application = applications.update_application(
        application=wish.application, by=parent, care_hours_per_week=35
    )
    message = only("application_edited", parent)
    assert_subject(message, "application_edited", language, application)
    assert_links_to(message, application_url(application))
    assert message.attachments == []
