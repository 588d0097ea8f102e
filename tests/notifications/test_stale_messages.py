"""Nothing stale goes out: a message whose subject moved on before sending is superseded, not sent."""

import datetime
import io

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from childcare.admissions import applications, offers
from childcare.admissions.messages import tell_guardians
from childcare.letters import render_offer_letter
from childcare.models import AgeBand
from notifications.delivery import Outcome, deliver_message
from notifications.models import OutboxMessage
from tests.factories import CapacityFactory, GuardianshipFactory, WishFactory

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
START = timezone.localdate() + datetime.timedelta(days=60)


@pytest.fixture
def wish(facility, parent):
    CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=2)
    wish = WishFactory(facility=facility, age_band=AgeBand.UNDER_THREE, application__desired_start_date=START)
    GuardianshipFactory(user=parent, child=wish.application.child)
    return wish


def deliver_all() -> dict[str, Outcome]:
    """What the worker does once the mail server is back: every queued row, oldest first."""
    rows = OutboxMessage.objects.filter(status=Status.QUEUED).order_by("pk")
    return {row.kind: deliver_message(message_id=row.pk).outcome for row in rows}


def test_an_offer_withdrawn_before_delivery_reaches_the_family_only_as_its_withdrawal(wish, parent, staff):
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    offers.withdraw_offer(offer=offer, by=staff)
    outcomes = deliver_all()
    assert outcomes["offer_made"] is Outcome.SUPERSEDED
    assert outcomes["offer_withdrawn"] is Outcome.SENT
    to_family = [email for email in mail.outbox if email.to == [parent.email]]
    assert len(to_family) == 1
    assert "zurückgezogen" in to_family[0].subject or "withdrawn" in to_family[0].subject
    made = OutboxMessage.objects.get(kind="offer_made")
    assert (made.status, made.sent_at, made.about) == (
        Status.SUPERSEDED,
        None,
        {"application": wish.application_id, "offer": offer.pk},
    )


def test_messages_about_a_withdrawn_application_are_superseded(wish, parent):
    application = wish.application
    with transaction.atomic():
        tell_guardians(application=application, kind="application_edited", key="edit", context={})
    applications.withdraw_application(application=application, by=parent)
    outcomes = deliver_all()
    assert outcomes == {"application_edited": Outcome.SUPERSEDED, "application_withdrawn": Outcome.SENT} | {
        kind: Outcome.SENT for kind in outcomes if kind == "staff_application_withdrawn"
    }


def test_a_message_still_true_is_sent(wish, parent, staff):
    offers.make_offer(wish=wish, start_date=START, by=staff)
    assert deliver_all() == {"offer_made": Outcome.SENT}
    (email,) = mail.outbox
    assert email.attachments[0][2] == "application/pdf"


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_offer_letter_of_an_ended_offer_says_it_is_no_longer_valid(wish, staff):
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    _name, open_letter, _type = render_offer_letter(offer.pk, "en")
    assert "We are pleased to offer" in pdf_text(open_letter)
    offers.withdraw_offer(offer=offer, by=staff)
    _name, closed_letter, _type = render_offer_letter(offer.pk, "en")
    text = pdf_text(closed_letter)
    assert "We are pleased to offer" not in text
    assert "This offer is no longer valid" in text
    assert "Withdrawn" in text


def test_the_inbox_marks_a_superseded_message_as_out_of_date(client, wish, parent, staff, in_english):
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    offers.withdraw_offer(offer=offer, by=staff)
    deliver_all()
    made = OutboxMessage.objects.get(kind="offer_made", recipient=parent)
    client.force_login(parent)
    page = client.get(f"/postfach/{made.public_id}/")
    assert "Out of date: what this message reported changed" in page.content.decode()


def test_the_inbox_shows_the_withdrawal_not_the_stale_offer_and_counts_only_it(
    client, wish, parent, staff, in_english
):
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    offers.withdraw_offer(offer=offer, by=staff)
    deliver_all()
    made = OutboxMessage.objects.get(kind="offer_made", recipient=parent)
    withdrawn = OutboxMessage.objects.get(kind="offer_withdrawn", recipient=parent)
    assert (made.status, withdrawn.status) == (Status.SUPERSEDED, Status.SENT)
    client.force_login(parent)
    inbox = client.get("/postfach/").content.decode()
    assert withdrawn.subject in inbox
    assert made.subject not in inbox
    assert client.get("/postfach/").context["inbox"].unread_count == 1
    older = client.get("/postfach/", {"versions": "all"}).content.decode()
    assert made.subject in older


def test_while_delivery_waits_the_inbox_hides_an_offer_withdrawn_meanwhile(client, wish, parent, staff):
    """SMTP paused or the worker down: nothing was sent yet, and the family must not read the offer."""
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    offers.withdraw_offer(offer=offer, by=staff)
    made = OutboxMessage.objects.get(kind="offer_made", recipient=parent)
    withdrawn = OutboxMessage.objects.get(kind="offer_withdrawn", recipient=parent)
    assert (made.status, withdrawn.status) == (Status.QUEUED, Status.QUEUED)
    client.force_login(parent)

    inbox = client.get("/postfach/").content.decode()

    assert withdrawn.subject in inbox
    assert made.subject not in inbox
    made.refresh_from_db()
    withdrawn.refresh_from_db()
    assert (made.status, withdrawn.status) == (Status.SUPERSEDED, Status.QUEUED)
    assert deliver_all() == {"offer_withdrawn": Outcome.SENT}
    assert [email.subject for email in mail.outbox if email.to == [parent.email]] == [withdrawn.subject]
