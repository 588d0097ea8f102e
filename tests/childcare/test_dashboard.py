"""'My applications': documents to download, open offers first, plain sentences, what to do next."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix
from django.utils import dateformat, timezone

from childcare.models import (
    AgeBand,
    ApplicationEvent,
    ApplicationStatus,
    EventKind,
    OfferStatus,
    PriorityPolicy,
    WishStatus,
)
from portal.date_patterns import strftime_pattern
from tests.factories import (
    ApplicationFactory,
    ChildFactory,
    FacilityFactory,
    GuardianshipFactory,
    OfferFactory,
    PlacementFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db


def dashboard(client) -> str:
    response = client.get(reverse("parents:application_list"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_receipt_the_offer_letter_and_the_placement_confirmation_are_linked(parent_client, parent, child):
    offered = ApplicationFactory(child=child, status=ApplicationStatus.OFFERED)
    offer = OfferFactory(wish__application=offered)
    sibling = ChildFactory(first_name="Ben")
    GuardianshipFactory(user=parent, child=sibling)
    placed = ApplicationFactory(child=sibling, status=ApplicationStatus.PLACED)
    accepted = OfferFactory(wish__application=placed, status=OfferStatus.ACCEPTED)
    placement = PlacementFactory(child=sibling, facility=accepted.wish.facility, source_offer=accepted)
    draft = ApplicationFactory(
        child=ChildFactory(), status=ApplicationStatus.DRAFT, submitted_at=None, last_confirmed_at=None
    )
    GuardianshipFactory(user=parent, child=draft.child)

    html = dashboard(parent_client)
    assert reverse("letters:application_receipt_pdf", args=[offered.public_id]) in html
    assert reverse("letters:application_receipt_pdf", args=[placed.public_id]) in html
    assert reverse("letters:offer_letter_pdf", args=[offer.public_id]) in html
    assert reverse("letters:placement_confirmation_pdf", args=[placement.public_id]) in html
    # a draft has no receipt yet, and an accepted offer's letter is no longer offered
    assert reverse("letters:application_receipt_pdf", args=[draft.public_id]) not in html
    assert reverse("letters:offer_letter_pdf", args=[accepted.public_id]) not in html
    # the links work for the family
    for url in (
        reverse("letters:offer_letter_pdf", args=[offer.public_id]),
        reverse("letters:placement_confirmation_pdf", args=[placement.public_id]),
    ):
        assert parent_client.get(url).status_code == 200


def test_an_open_offer_comes_first_with_its_deadline(parent_client, parent, child, in_english):
    second = ChildFactory(first_name="Ben")
    GuardianshipFactory(user=parent, child=second)
    offered = ApplicationFactory(child=second, status=ApplicationStatus.OFFERED)
    offer = OfferFactory(wish__application=offered)
    waiting = ApplicationFactory(child=child, status=ApplicationStatus.WAITING)  # newer: first by date
    html = dashboard(parent_client)
    assert html.index(f'id="application-{offered.public_id}"') < html.index(
        f'id="application-{waiting.public_id}"'
    )
    deadline = html.index("Please answer by")
    assert deadline < html.index(f'id="application-{waiting.public_id}"')
    assert reverse("parents:offer_respond", args=[offer.public_id]) in html[: deadline + 500]


@pytest.mark.parametrize("status", [s for s, _ in ApplicationStatus.choices])
def test_the_status_sentence_does_not_repeat_the_badge(parent_client, child, in_english, status):
    ApplicationFactory(child=child, status=status)
    html = dashboard(parent_client)
    label = str(ApplicationStatus(status).label)
    assert f'badge text-bg-secondary">{label}</span> {label}' not in html
    sentence = html.split(f"{label}</span>", 1)[1].split("</p>", 1)[0].strip()
    assert sentence
    assert not sentence.startswith(label)


def test_the_reconfirmation_button_shows_only_when_due_and_says_why(parent_client, child, in_english):
    application = ApplicationFactory(child=child, status=ApplicationStatus.WAITING)
    confirm_url = reverse("parents:interest_confirm", args=[application.public_id])
    assert confirm_url not in dashboard(parent_client)  # just submitted: nothing to confirm

    application.last_confirmed_at = timezone.now() - datetime.timedelta(days=6 * 31)
    application.save()
    html = dashboard(parent_client)
    assert confirm_url in html
    assert "Please confirm by" in html
    assert "still need a place" in html


def test_a_closed_application_whose_wishes_were_all_rejected_says_what_to_do_next(
    parent_client, child, in_english
):
    application = ApplicationFactory(child=child, status=ApplicationStatus.CLOSED)
    WishFactory(application=application, status=WishStatus.REJECTED)
    html = dashboard(parent_client)
    assert "All wishes were rejected. You can make a new application with other facilities." in html
    assert f'href="{reverse("parents:application_start")}"' in html


def test_each_wish_shows_its_place_on_its_own_list_counted_among_listed_families_only(
    parent_client, child, in_english
):
    submitted = timezone.now() - datetime.timedelta(days=3)
    mine = ApplicationFactory(child=child, status=ApplicationStatus.WAITING, submitted_at=submitted)
    ahorn, birke = FacilityFactory(name="Kita Ahorn"), FacilityFactory(name="Kita Birke")
    WishFactory(application=mine, facility=ahorn, rank=1, points=20)
    WishFactory(application=mine, facility=birke, rank=2, points=5)
    for points in (30, 25, 10):
        WishFactory(facility=ahorn, points=points)
    # The same points, submitted an hour earlier: ahead.
    WishFactory(facility=ahorn, points=20, application__submitted_at=submitted - datetime.timedelta(hours=1))
    # Not on this list: declined, a withdrawn application, another age band.
    WishFactory(facility=ahorn, points=40, status=WishStatus.DECLINED)
    WishFactory(facility=ahorn, points=40, application__status=ApplicationStatus.WITHDRAWN)
    WishFactory(facility=ahorn, points=40, age_band=AgeBand.UNDER_THREE)
    WishFactory(facility=birke, points=1)

    html = dashboard(parent_client)

    on_ahorn, on_birke = html.index("Kita Ahorn"), html.index("Kita Birke")
    assert on_ahorn < html.index("Place 4 of 5 on the waitlist") < on_birke
    assert on_birke < html.index("Place 1 of 2 on the waitlist")
    for rank in (1, 2):  # each wish can be withdrawn on its own
        assert reverse("parents:wish_withdraw", args=[mine.public_id, rank]) in html


def test_places_stay_hidden_when_the_office_does_not_show_them(parent_client, child, in_english):
    PriorityPolicy.objects.create(pk=1, show_positions_to_parents=False)
    application = ApplicationFactory(child=child, status=ApplicationStatus.WAITING)
    WishFactory(application=application, facility=FacilityFactory(name="Kita Ahorn"))
    html = dashboard(parent_client)
    assert "Kita Ahorn" in html
    assert "Place 1 of 1" not in html
    PriorityPolicy.objects.update(show_positions_to_parents=True)
    assert "Place 1 of 1 on the waitlist" in dashboard(parent_client)


def test_the_page_shows_no_other_familys_application(parent_client, child, other_parent, in_english):
    facility = FacilityFactory(name="Kita Ahorn")
    mine = ApplicationFactory(child=child, status=ApplicationStatus.WAITING)
    WishFactory(application=mine, facility=facility)
    foreign_child = ChildFactory(first_name="Zoe")
    GuardianshipFactory(user=other_parent, child=foreign_child)
    foreign = ApplicationFactory(child=foreign_child, status=ApplicationStatus.OFFERED)
    offer = OfferFactory(wish__application=foreign, wish__facility=facility)
    ApplicationEvent.objects.create(application=foreign, kind=EventKind.OFFER_MADE, wish=offer.wish)

    html = dashboard(parent_client)

    assert mine.reference in html
    assert "Place 1 of 2 on the waitlist" in html  # the other family is counted, not shown
    for trace in (foreign.reference, "Zoe", str(foreign.public_id), str(offer.public_id), "Offer received"):
        assert trace not in html


def _family(parent, *, applications: int, wishes: int, families: int) -> None:
    """``applications`` of the parent's children (the first with an open offer, a second placed),
    ``wishes`` each, on facilities where ``families`` other families wait too, with timelines."""
    facilities = [FacilityFactory() for _ in range(wishes)]
    for index in range(applications):
        child = ChildFactory(first_name=f"Kind {index}")
        GuardianshipFactory(user=parent, child=child)
        status = [ApplicationStatus.WAITING, ApplicationStatus.PLACED][index % 2]
        application = ApplicationFactory(child=child, status=status)
        for rank, facility in enumerate(facilities, start=1):
            WishFactory(application=application, facility=facility, rank=rank)
        ApplicationEvent.objects.bulk_create(
            [ApplicationEvent(application=application, kind=EventKind.EDITED) for _ in range(wishes * 3)]
        )
        if index == 0:
            OfferFactory(wish=application.wishes.first())
        elif index == 1:
            accepted = OfferFactory(wish=application.wishes.first(), status=OfferStatus.ACCEPTED)
            PlacementFactory(child=child, facility=accepted.wish.facility, source_offer=accepted)
    for facility in facilities:
        for _ in range(families):
            WishFactory(facility=facility)


def _statements(client) -> int:
    with CaptureQueriesContext(connection) as statements:
        assert client.get(reverse("parents:application_list")).status_code == 200
    return len(statements)


@pytest.mark.parametrize(("applications", "wishes", "families"), [(2, 1, 1), (4, 5, 40)])
def test_the_page_reads_the_same_statements_however_much_a_family_and_its_lists_hold(
    parent_client, parent, in_english, applications, wishes, families
):
    _statements(parent_client)  # creates the settings rows
    empty = _statements(parent_client)  # the layout's statements and the (no) applications
    _family(parent, applications=applications, wishes=wishes, families=families)

    # Beyond the applications: their wishes with the timelines, the wishes' places on the
    # waitlists, the open offer and the placement.
    assert _statements(parent_client) == empty + 3
    html = dashboard(parent_client)
    assert html.count("on the waitlist</p>") == applications // 2 * wishes  # every wish not placed
    assert html.count("<li><time") == applications * wishes * 3


def test_the_timeline_shows_its_entries_in_order_in_the_languages_short_format(parent_client, child):
    application = ApplicationFactory(child=child, status=ApplicationStatus.WAITING)
    wish = WishFactory(application=application, facility=FacilityFactory(name="Kita Ahorn"))
    at = datetime.datetime(2026, 9, 3, 8, 5, tzinfo=datetime.UTC)
    for minutes, kind in ((30, EventKind.WISH_REJECTED), (0, EventKind.SUBMITTED)):
        event = ApplicationEvent.objects.create(application=application, kind=kind, wish=wish)
        moment = at + datetime.timedelta(minutes=minutes)
        ApplicationEvent.objects.filter(pk=event.pk).update(created_at=moment)

    german = dashboard(parent_client)
    parent_client.cookies["django_language"] = "en"
    english = dashboard(parent_client)

    assert '<time datetime="2026-09-03T10:05:00+02:00">03.09.2026 10:05</time> – Antrag eingereicht' in german
    assert german.index("03.09.2026 10:05") < german.index("03.09.2026 10:35</time>")
    assert "2026-09-03 10:05</time> – Application submitted" in english
    assert "2026-09-03 10:35</time> – Wish rejected by the facility: Kita Ahorn" in english


MOMENT = datetime.datetime(2026, 3, 7, 8, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize("django_format", ["d.m.Y H:i", "Y-m-d H:i", "d/m/y, H:i", "d.m.Y %H:i"])
def test_a_short_time_written_with_strftime_reads_as_djangos_format_writes_it(django_format):
    moment = timezone.localtime(MOMENT)
    assert moment.strftime(strftime_pattern(django_format)) == dateformat.format(moment, django_format)


@pytest.mark.parametrize("django_format", ["j. F Y, G:i", "d.m.Y \\u\\m H:i", "N j, Y, P"])
def test_a_format_with_letters_strftime_writes_otherwise_is_left_to_django(django_format):
    assert strftime_pattern(django_format) is None


def test_the_links_kept_for_the_page_follow_the_prefix_the_portal_is_served_under(
    parent_client, child, in_english
):
    application = ApplicationFactory(child=child, status=ApplicationStatus.WAITING)
    page, start = reverse("parents:application_list"), reverse("parents:application_start")
    withdraw = reverse("parents:application_withdraw", args=[application.public_id])
    assert f'href="{withdraw}"' in dashboard(parent_client)  # the pattern is now kept
    set_script_prefix("/kita/")  # as the server sets it for a portal under /kita
    try:
        html = parent_client.get(page).content.decode()
    finally:
        set_script_prefix("/")
    assert f'href="/kita{withdraw}"' in html
    assert f'href="/kita{start}"' in html
