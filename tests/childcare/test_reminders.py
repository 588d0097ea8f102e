"""Time-travel tests for the periodic jobs, including the boundary moments."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from childcare.admissions import reconfirmation, reminders
from childcare.models import Application, ApplicationStatus, OfferStatus, WishStatus
from notifications.models import OutboxMessage
from tests.factories import ApplicationFactory, GuardianshipFactory, OfferFactory, WishFactory

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def messages(kind):
    return OutboxMessage.objects.filter(kind=kind).count()


@pytest.fixture
def waiting(parent):
    with time_machine.travel(T0, tick=False):
        application = ApplicationFactory(
            status=ApplicationStatus.WAITING, submitted_at=T0, last_confirmed_at=T0
        )
        GuardianshipFactory(user=parent, child=application.child)
        WishFactory(application=application)
    return application


@pytest.fixture
def open_offer(parent):
    with time_machine.travel(T0, tick=False):
        offer = OfferFactory(expires_at=T0 + datetime.timedelta(days=14))
        GuardianshipFactory(user=parent, child=offer.application.child)
        Application.objects.filter(pk=offer.application_id).update(status=ApplicationStatus.OFFERED)
        WishFactory(application=offer.application, rank=2)
    return offer


def test_offer_expires_exactly_at_its_deadline(open_offer):
    with time_machine.travel(open_offer.expires_at - datetime.timedelta(seconds=1), tick=False):
        assert reminders.expire_due_offers() == 0
    with time_machine.travel(open_offer.expires_at, tick=False):
        assert reminders.expire_due_offers() == 1
        assert reminders.expire_due_offers() == 0
    open_offer.refresh_from_db()
    assert open_offer.status == OfferStatus.EXPIRED
    assert open_offer.application.wishes.get(rank=2).status == WishStatus.ACTIVE
    assert Application.objects.get(pk=open_offer.application_id).status == ApplicationStatus.WAITING
    assert messages("offer_expired") == 1


def test_reminder_goes_out_once_when_the_deadline_is_three_days_away(open_offer):
    lead_start = open_offer.expires_at - datetime.timedelta(days=3)
    with time_machine.travel(lead_start - datetime.timedelta(minutes=1), tick=False):
        reminders.send_offer_reminders()
    assert messages("offer_reminder") == 0
    with time_machine.travel(lead_start, tick=False):
        reminders.send_offer_reminders()
        reminders.send_offer_reminders()  # a second beat by mistake
    with time_machine.travel(lead_start + datetime.timedelta(days=1), tick=False):
        reminders.send_offer_reminders()  # the next daily run
    assert messages("offer_reminder") == 1


def test_reconfirmation_is_requested_on_the_day_the_interval_ends_and_only_once(waiting):
    with time_machine.travel(datetime.datetime(2026, 9, 2, 8, 59, tzinfo=datetime.UTC), tick=False):
        assert reminders.request_reconfirmations() == 0
    with time_machine.travel(datetime.datetime(2026, 9, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        assert reminders.request_reconfirmations() == 1
    with time_machine.travel(datetime.datetime(2026, 9, 3, 9, 0, tzinfo=datetime.UTC), tick=False):
        reminders.request_reconfirmations()
    assert messages("reconfirmation_request") == 1
    body = OutboxMessage.objects.get(kind="reconfirmation_request").body_text
    assert "/bestaetigen/" in body


def test_unconfirmed_application_expires_after_the_grace_period(waiting):
    end_of_grace = datetime.datetime(2026, 9, 2, 9, 0, tzinfo=datetime.UTC) + datetime.timedelta(days=30)
    with time_machine.travel(end_of_grace - datetime.timedelta(seconds=1), tick=False):
        assert reminders.expire_unconfirmed_applications() == 0
    with time_machine.travel(end_of_grace, tick=False):
        assert reminders.expire_unconfirmed_applications() == 1
        assert reminders.expire_unconfirmed_applications() == 0
    waiting.refresh_from_db()
    assert waiting.status == ApplicationStatus.EXPIRED
    assert set(waiting.wishes.values_list("status", flat=True)) == {WishStatus.WITHDRAWN}
    assert messages("application_expired") == 1


def test_confirmed_families_are_not_asked_or_expired(waiting, parent):
    with time_machine.travel(datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC), tick=False):
        Application.objects.filter(pk=waiting.pk).update(last_confirmed_at=timezone.now())
    with time_machine.travel(datetime.datetime(2026, 10, 15, tzinfo=datetime.UTC), tick=False):
        assert reminders.request_reconfirmations() == 0
        assert reminders.expire_unconfirmed_applications() == 0


def test_the_one_click_link_confirms_without_sign_in_once(client, waiting):
    with time_machine.travel(datetime.datetime(2026, 9, 10, tzinfo=datetime.UTC), tick=False):
        url = reconfirmation.confirmation_path(waiting)
        page = client.get(url)
        assert page.status_code == 200
        waiting.refresh_from_db()
        assert waiting.last_confirmed_at == T0  # a GET changes nothing
        assert client.post(url).status_code == 200
        waiting.refresh_from_db()
        assert waiting.last_confirmed_at == timezone.now()
        assert client.post(url).status_code == 410  # the link belonged to the finished cycle


def test_a_tampered_or_outdated_link_is_refused_with_a_page_that_says_what_to_do(client, waiting, in_english):
    with time_machine.travel(datetime.datetime(2026, 9, 10, tzinfo=datetime.UTC), tick=False):
        token = reconfirmation.make_token(waiting)
    for method in (client.get, client.post):
        tampered = method(reverse("parents:interest_confirm_link", args=[token[:-2] + "xx"]))
        assert tampered.status_code == 410
        html = tampered.content.decode()
        assert "This confirmation link no longer works" in html
        assert "Sign in and confirm your interest on the page of your applications" in html
        assert f'href="{reverse("parents:application_list")}"' in html
    with time_machine.travel(datetime.datetime(2026, 10, 20, tzinfo=datetime.UTC), tick=False):
        assert client.post(reverse("parents:interest_confirm_link", args=[token])).status_code == 410
    waiting.refresh_from_db()
    assert waiting.last_confirmed_at == T0
