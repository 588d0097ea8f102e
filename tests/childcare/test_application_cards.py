"""The family page's cards as written in Python: escaped values, the page's CSRF token, translations."""

import datetime
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from childcare.models import ApplicationStatus, WishStatus
from childcare.parents.application_cards import application_cards
from childcare.parents.dashboard import ApplicationCard, TimelineEntry, WishLine
from tests.childcare.test_dashboard import dashboard
from tests.factories import ApplicationFactory, FacilityFactory, OfferFactory, WishFactory

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
FACILITY = 'Kita "Sonne" & <Mond>'


def test_a_childs_name_a_facilitys_name_and_a_reason_are_shown_escaped_never_as_markup(
    parent_client, child, in_english
):
    child.first_name = SCRIPT
    child.save()
    application = ApplicationFactory(child=child, status=ApplicationStatus.WAITING)
    listed = WishFactory(application=application, facility=FacilityFactory(name=FACILITY), rank=1)
    WishFactory(
        application=application,
        facility=FacilityFactory(name="Kita Birke"),
        rank=2,
        status=WishStatus.REJECTED,
        rejection_reason="<b>full</b> & closed",
    )

    html = dashboard(parent_client)

    for markup in ("<script>", "<b>full", "<Mond>"):
        assert markup not in html
    heading = f'id="title-{application.public_id}">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; · '
    assert heading + f"{application.reference}</h2>" in html
    assert '<strong class="ms-1 me-auto">Kita &quot;Sonne&quot; &amp; &lt;Mond&gt;</strong>' in html
    withdraw = reverse("parents:wish_withdraw", args=[application.public_id, listed.rank])
    assert (
        f'href="{withdraw}">Withdraw this wish'
        '<span class="visually-hidden">: Kita &quot;Sonne&quot; &amp; &lt;Mond&gt;</span></a>'
    ) in html
    assert "Reason: &lt;b&gt;full&lt;/b&gt; &amp; closed</p>" in html


def test_the_interest_is_confirmed_with_the_token_the_page_gives_the_card_and_the_sign_out_alike(
    parent, child, in_english
):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    client.force_login(parent)
    long_ago = timezone.now() - datetime.timedelta(days=6 * 31)
    application = ApplicationFactory(
        child=child, status=ApplicationStatus.WAITING, last_confirmed_at=long_ago
    )

    html = dashboard(client)

    confirm_url = reverse("parents:interest_confirm", args=[application.public_id])
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) >= 2  # the card's form and the frame's sign-out
    assert len(set(tokens)) == 1  # one masking for the page
    form = html.index(f'<form method="post" action="{confirm_url}">')
    assert html.index(tokens[0], form) < html.index("I am still interested", form)
    response = client.post(confirm_url, {"csrfmiddlewaretoken": tokens[0]})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.last_confirmed_at > long_ago


def test_sentences_with_markup_are_translated_with_their_values_escaped_in_either_language(
    parent_client, child
):
    application = ApplicationFactory(child=child, status=ApplicationStatus.WAITING)
    OfferFactory(
        wish__application=application,
        wish__facility=FacilityFactory(name=FACILITY),
        start_date=datetime.date(2027, 8, 2),
        expires_at=datetime.datetime(2027, 1, 10, 11, 45, tzinfo=datetime.UTC),
    )

    german = dashboard(parent_client)
    parent_client.cookies["django_language"] = "en"
    english = dashboard(parent_client)

    assert "Platzangebot der Einrichtung Kita &quot;Sonne&quot; &amp; &lt;Mond&gt;</h3>" in german
    assert "Beginn: 2. August 2027. Bitte antworten Sie bis spätestens <strong>10. Januar 2027" in german
    assert "Offer: a place at Kita &quot;Sonne&quot; &amp; &lt;Mond&gt;</h3>" in english
    assert "Start: 2 August 2027. Please answer by <strong>10 January 2027, 12:45</strong>." in english
    assert ">Wünsche<" in german
    assert ">Wishes<" in english
    assert "Platzangebot" not in english


def test_a_card_is_labelled_by_its_heading_and_lists_its_wishes_documents_and_timeline():
    public_id = uuid.uuid4()
    card = ApplicationCard(
        public_id=public_id,
        reference="KP-1",
        child_first_name="Mia",
        status=ApplicationStatus.PLACED,
        status_label="Placed",
        sentence="Your child has a place.",
        confirm_by=None,
        confirm_url="",
        change_url="",
        withdraw_url="",
        receipt_url="/receipt.pdf",
        placement_url="/placement.pdf",
        wishes=[
            WishLine(
                rank=1,
                facility="Kita Ahorn",
                status=WishStatus.ACCEPTED,
                status_label="Accepted",
                points=2,
                points_why="2 points – why?",
                explained=["Single parent: 2 points"],
                rejection_reason="",
                place="",
                withdraw_url="",
            )
        ],
        timeline=[
            TimelineEntry(
                at="2026-09-03T10:15:00+02:00",
                at_text="2026-09-03 10:15",
                label="Offer accepted",
                facility="Kita Ahorn",
                actor="You",
            )
        ],
    )
    with translation.override("en"):
        html = application_cards([card], csrf_token="token")

    assert html.startswith(
        f'<section class="card mb-4" id="application-{public_id}" aria-labelledby="title-{public_id}">'
    )
    assert f'<h2 class="h4 card-title" id="title-{public_id}">Mia · KP-1</h2>' in html
    assert "<details><summary>2 points – why?</summary>" in html
    assert "<li>Single parent: 2 points</li>" in html
    documents = html.index("Documents</h3>")
    placement = html.index('href="/placement.pdf" download>', documents)
    assert placement < html.index('href="/receipt.pdf" download>')
    assert (
        '<li><time datetime="2026-09-03T10:15:00+02:00">2026-09-03 10:15</time> – Offer accepted: Kita Ahorn '
        '<span class="text-body-secondary small">(You)</span></li>'
    ) in html
    assert "csrfmiddlewaretoken" not in html  # nothing to confirm, no form
    assert "Withdraw" not in html
    assert "Change the application" not in html
