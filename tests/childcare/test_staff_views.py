import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from childcare.actors import SYSTEM
from childcare.admissions import offers
from childcare.models import (
    AgeBand,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Child,
    Offer,
    OfferStatus,
    Placement,
    Wish,
    WishStatus,
)
from portal.models import PortalSettings
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    FacilityFactory,
    GuardianshipFactory,
    StaffMembershipFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY + datetime.timedelta(days=60)
DEADLINE = TODAY + datetime.timedelta(days=10)
ALLOWED = ["staff", "municipal_office"]
OUTSIDERS = ["other_staff", "parent"]


def candidate(facility, points, *, start=START, first_name="Mia", rank=1, band=AgeBand.THREE_TO_SCHOOL):
    application = ApplicationFactory(desired_start_date=start, child__first_name=first_name)
    return WishFactory(application=application, facility=facility, age_band=band, points=points, rank=rank)


@pytest.fixture
def board(facility, parent):
    """Two places for Ü3; the parent's child waits on top, a second family holds an open offer."""
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=2)
    waiting = candidate(facility, 50, first_name="Jürgen")
    GuardianshipFactory(user=parent, child=waiting.application.child)
    offered = candidate(facility, 40, first_name="Ömer")
    offer = offers.make_offer(wish=offered, start_date=START, by=SYSTEM)
    return {"facility": facility, "waiting": waiting, "offered": offered, "offer": offer}


def login(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def state() -> tuple:
    """Everything a staff action could change."""
    return (
        sorted(Wish.objects.values_list("pk", "status", "rejection_reason")),
        sorted(Offer.objects.values_list("pk", "status")),
        Placement.objects.count(),
        ApplicationEvent.objects.count(),
    )


def waitlist_url(facility, **params):
    url = reverse("backoffice:waitlist", args=[facility.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


ACTIONS = {
    "offer": lambda b: (
        reverse("backoffice:offer_make", args=[b["facility"].slug, b["waiting"].application.public_id]),
        {"start_date": START.isoformat(), "answer_by": DEADLINE.isoformat()},
    ),
    "withdraw_offer": lambda b: (
        reverse("backoffice:offer_withdraw", args=[b["facility"].slug, b["offer"].public_id]),
        {},
    ),
    "reject": lambda b: (
        reverse("backoffice:wish_reject", args=[b["facility"].slug, b["waiting"].application.public_id]),
        {"reason": "Für 45 Stunden haben wir leider keinen Platz."},
    ),
    "record_placement": lambda b: (
        reverse("backoffice:placement_record", args=[b["facility"].slug, b["waiting"].application.public_id]),
        {"start_date": START.isoformat(), "care_hours_per_week": "30"},
    ),
    "add_note": lambda b: (
        reverse("backoffice:note_add", args=[b["waiting"].application.public_id]),
        {"text": "Mutter hat angerufen: Beginn flexibel."},
    ),
    "offer_next": lambda b: (
        reverse("backoffice:offer_next", args=[b["facility"].slug]),
        {
            "age_band": AgeBand.THREE_TO_SCHOOL,
            "count": "1",
            "start_date": START.isoformat(),
            "answer_by": DEADLINE.isoformat(),
        },
    ),
}


def assert_done(action, board):
    waiting, offered = board["waiting"], board["offered"]
    waiting.refresh_from_db()
    if action in ("offer", "offer_next"):
        offer = Offer.objects.get(wish=waiting, status=OfferStatus.OPEN)
        assert offer.start_date == START
        assert timezone.localtime(offer.expires_at).date() == DEADLINE
        assert waiting.status == WishStatus.OFFERED
    elif action == "withdraw_offer":
        board["offer"].refresh_from_db()
        offered.refresh_from_db()
        assert board["offer"].status == OfferStatus.WITHDRAWN
        assert offered.status == WishStatus.ACTIVE
    elif action == "reject":
        assert waiting.status == WishStatus.REJECTED
        assert waiting.rejection_reason == "Für 45 Stunden haben wir leider keinen Platz."
    elif action == "record_placement":
        placement = Placement.objects.get(child=waiting.application.child)
        assert (placement.start_date, placement.care_hours_per_week) == (START, 30)
        assert waiting.status == WishStatus.ACCEPTED
    elif action == "add_note":
        note = ApplicationEvent.objects.get(application=waiting.application, kind="note")
        assert note.visible_to_parents is False


# --- every action: allowed for staff of the facility and the municipal office ---


@pytest.mark.parametrize("role", ALLOWED)
@pytest.mark.parametrize("action", ACTIONS)
def test_staff_and_municipal_office_can_act(client, request, board, in_english, action, role):
    url, data = ACTIONS[action](board)
    back = waitlist_url(board["facility"], state="active")
    response = login(client, request, role).post(url, {**data, "next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    assert_done(action, board)
    assert not [text for text in texts(response) if "cannot" in text]
    assert len(texts(response)) == 1


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("action", ACTIONS)
def test_outsiders_get_404_and_nothing_changes(client, request, board, action, role):
    url, data = ACTIONS[action](board)
    before = state()
    client = login(client, request, role)
    assert client.post(url, data).status_code == 404
    assert client.get(url).status_code == 404
    assert state() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_visitors_are_sent_to_sign_in(client, board, action):
    url, data = ACTIONS[action](board)
    before = state()
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert state() == before


@pytest.mark.parametrize("role", ALLOWED)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_has_a_form_page(client, request, board, in_english, action, role):
    url, _data = ACTIONS[action](board)
    before = state()
    response = login(client, request, role).get(url)
    assert response.status_code == 200
    assert 'name="next"' in response.content.decode()
    assert state() == before


def test_the_offer_form_suggests_the_desired_start_and_the_portal_deadline(client, board, staff):
    PortalSettings.objects.filter(pk=1).update(offer_window_days=7)
    url, _data = ACTIONS["offer"](board)
    client.force_login(staff)
    form = client.get(url).context["form"]
    # (today as the request saw it: the module's TODAY was read at collection, maybe before midnight)
    answer_by = timezone.localdate() + datetime.timedelta(days=7)
    assert form.initial == {"start_date": START, "answer_by": answer_by}


# --- pages: waitlist, CSV, application, my facilities ---


def page_urls(board):
    facility, application = board["facility"], board["waiting"].application
    return [
        reverse("backoffice:waitlist", args=[facility.slug]),
        reverse("backoffice:waitlist_csv", args=[facility.slug]),
        reverse("backoffice:application", args=[application.public_id]),
    ]


@pytest.mark.parametrize("role", ALLOWED)
def test_staff_pages_open_for_staff_and_municipal_office(client, request, board, role):
    client = login(client, request, role)
    for url in page_urls(board):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", OUTSIDERS)
def test_staff_pages_are_404_for_outsiders(client, request, board, role):
    client = login(client, request, role)
    for url in page_urls(board):
        assert client.get(url).status_code == 404, url


def test_staff_pages_send_anonymous_visitors_to_sign_in(client, board):
    for url in [*page_urls(board), reverse("backoffice:facilities")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_an_unknown_facility_or_application_is_404_even_for_the_municipal_office(client, municipal_office):
    client.force_login(municipal_office)
    assert client.get(reverse("backoffice:waitlist", args=["gibt-es-nicht"])).status_code == 404
    assert client.get(reverse("backoffice:application", args=[Application().public_id])).status_code == 404


def test_my_facilities_lists_only_own_facilities_with_places_and_waitlist(client, board, staff, in_english):
    FacilityFactory(name="Kita Fremd")
    client.force_login(staff)
    response = client.get(reverse("backoffice:facilities"))
    html = response.content.decode()
    assert board["facility"].name in html
    assert "Kita Fremd" not in html
    [(facility, bands)] = response.context["facilities"]
    [band] = bands
    assert (band.age_band, band.places, band.free_now, band.waiting) == (AgeBand.THREE_TO_SCHOOL, 2, 2, 2)


def test_my_facilities_is_404_for_parents(client, parent):
    client.force_login(parent)
    assert client.get(reverse("backoffice:facilities")).status_code == 404


def test_the_municipal_office_sees_all_facilities_paginated(client, municipal_office):
    for n in range(30):
        FacilityFactory(name=f"Kita {n:02}")
    client.force_login(municipal_office)
    first = client.get(reverse("backoffice:facilities"))
    second = client.get(reverse("backoffice:facilities"), {"page": 2})
    assert len(first.context["facilities"]) == 25
    assert len(second.context["facilities"]) == 5


@pytest.mark.parametrize("count", [1, 20])
def test_my_facilities_runs_a_constant_number_of_queries(
    client, municipal_office, django_assert_num_queries, count
):
    for _ in range(count):
        facility = FacilityFactory()
        CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE)
        CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL)
        candidate(facility, 10)
    client.force_login(municipal_office)
    client.get(reverse("backoffice:facilities"))  # warm up the settings row
    # session with its user (and the unread inbox count for the nav badge), facility count, page
    # of facilities, their capacities, active placements, open offers, waitlist lengths, portal
    # settings (layout)
    with django_assert_num_queries(8):
        response = client.get(reverse("backoffice:facilities"))
    assert len(response.context["facilities"]) == count


def test_the_waitlist_shows_ranked_candidates_with_points_explanation(client, board, staff, in_english):
    Wish.objects.filter(pk=board["waiting"].pk).update(points_explanation={"residence": 30, "hardship": 20})
    client.force_login(staff)
    response = client.get(reverse("backoffice:waitlist", args=[board["facility"].slug]))
    html = response.content.decode()
    candidates = response.context["candidates"]
    assert [(wish.pk, wish.position) for wish in candidates] == [
        (board["waiting"].pk, 1),
        (board["offered"].pk, 2),
    ]
    assert "Jürgen" in html
    assert "Ömer" in html
    assert "Lives in the municipality: 30 points" in html
    assert board["waiting"].application.reference in html
    assert (
        reverse("backoffice:offer_withdraw", args=[board["facility"].slug, board["offer"].public_id]) in html
    )
    assert (
        reverse(
            "backoffice:offer_make", args=[board["facility"].slug, board["waiting"].application.public_id]
        )
        in html
    )


def test_filters_keep_each_candidates_position_on_the_full_list(client, board, staff):
    later = candidate(board["facility"], 10, start=START + datetime.timedelta(days=62))
    candidate(board["facility"], 99, band=AgeBand.UNDER_THREE)  # another list
    client.force_login(staff)
    offered = client.get(waitlist_url(board["facility"], state="offered")).context["candidates"]
    assert [(wish.pk, wish.position) for wish in offered] == [(board["offered"].pk, 2)]
    month = f"{later.application.desired_start_date:%Y-%m}"
    in_month = client.get(waitlist_url(board["facility"], start_month=month)).context["candidates"]
    assert [(wish.pk, wish.position) for wish in in_month] == [(later.pk, 3)]
    u3 = client.get(waitlist_url(board["facility"], age_band=AgeBand.UNDER_THREE)).context["candidates"]
    assert [wish.position for wish in u3] == [1]


def test_garbage_filters_show_a_message_instead_of_failing(client, board, staff, in_english):
    client.force_login(staff)
    response = client.get(
        waitlist_url(board["facility"], age_band="xx", state="<b>", start_month="2026-13", page="zz")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a month as YYYY-MM" in html
    assert "Select a valid choice" in html
    assert len(response.context["candidates"]) == 2  # the defaults apply
    export = client.get(
        reverse("backoffice:waitlist_csv", args=[board["facility"].slug]), {"start_month": "nonsense"}
    )
    assert export.status_code == 302
    assert "start_month=nonsense" in export["Location"]
    assert texts(export) == ["Please correct the filters before exporting."]


def test_the_waitlist_is_paginated_by_50(client, facility, staff):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL)
    for points in range(60):
        candidate(facility, points)
    client.force_login(staff)
    second = client.get(waitlist_url(facility, page=2)).context["candidates"]
    assert [wish.position for wish in second] == list(range(51, 61))


def bulk_waitlist(facility, rows):
    children = Child.objects.bulk_create(
        Child(first_name=f"Kind{n}", last_name="Muster", birth_date=datetime.date(2023, 1, 1))
        for n in range(rows)
    )
    applications = Application.objects.bulk_create(
        Application(
            child=child,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=timezone.now(),
            desired_start_date=START,
            care_hours_per_week=35,
        )
        for child in children
    )
    Wish.objects.bulk_create(
        Wish(
            application=application,
            facility=facility,
            rank=1,
            age_band=AgeBand.THREE_TO_SCHOOL,
            points=n % 97,
            points_explanation={"residence": 30},
        )
        for n, application in enumerate(applications)
    )


@pytest.mark.parametrize("rows", [20, 2000])
def test_the_waitlist_runs_a_constant_number_of_queries(
    client, facility, staff, django_assert_num_queries, rows
):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=3)
    bulk_waitlist(facility, rows)
    offers.make_offer(wish=Wish.objects.order_by("-points").first(), start_date=START, by=SYSTEM)
    client.force_login(staff)
    url = reverse("backoffice:waitlist", args=[facility.slug])
    client.get(url)  # warm up the settings rows
    # 1 session with its user and the unread inbox count, 2 the facility with the staff membership
    # check and its age bands' places and places taken today (stored availability), 3 the page:
    # positions on the whole list, the counts and the page's rows with child and open offer, in one
    # statement, 4 portal settings (offer deadline), 5 portal settings (layout), 6 the audit log:
    # one INSERT naming the list and the page's references, however long the page
    with django_assert_num_queries(6):
        response = client.get(url, {"state": "all", "start_month": f"{START:%Y-%m}"})
    assert len(response.context["candidates"]) == min(rows, 50)
    assert response.context["total"] == rows


# --- CSV ---


def test_the_csv_export_opens_in_german_excel(client, board, staff):
    client.force_login(staff)
    response = client.get(reverse("backoffice:waitlist_csv", args=[board["facility"].slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert board["facility"].slug in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert "Kind" in header
    assert "Gewünschter Betreuungsbeginn" in header
    assert len(lines) == 3
    first = lines[1].split(";")
    assert first[:3] == ["1", board["waiting"].application.reference, "Jürgen"]
    assert len(first) == len(header)
    assert "Ömer" in lines[2]


def test_the_csv_export_follows_the_filters_and_the_language(client, board, staff, in_english):
    client.force_login(staff)
    response = client.get(
        reverse("backoffice:waitlist_csv", args=[board["facility"].slug]), {"state": "offered"}
    )
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Position;Reference number;Child;Age band;Desired start;")
    assert len(lines) == 2
    assert lines[1].startswith(f"2;{board['offered'].application.reference};Ömer;")


def test_the_csv_export_neutralises_formulas_typed_by_families(client, board, staff):
    Child.objects.filter(pk=board["waiting"].application.child_id).update(first_name="=HYPERLINK(1)")
    client.force_login(staff)
    response = client.get(reverse("backoffice:waitlist_csv", args=[board["facility"].slug]))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert ";'=HYPERLINK(1);" in content


# --- bad input: a clear message, no 500, nothing changed ---


def test_rejecting_without_a_reason_shows_the_form_again(client, board, staff, in_english):
    url, _data = ACTIONS["reject"](board)
    before = state()
    client.force_login(staff)
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert "Please give a reason; the family will see it." in response.content.decode()
    assert state() == before


def test_an_offer_starting_in_the_past_is_refused(client, board, staff, in_english):
    url, data = ACTIONS["offer"](board)
    before = state()
    client.force_login(staff)
    response = client.post(url, {**data, "start_date": (TODAY - datetime.timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    assert "The start date must not be in the past." in response.content.decode()
    response = client.post(url, {**data, "answer_by": "kein Datum"})
    assert response.status_code == 200
    assert state() == before


@pytest.mark.parametrize("count", ["0", "100000", "-3", "viele"])
def test_offering_the_next_n_needs_a_sensible_number(client, board, staff, count):
    url, data = ACTIONS["offer_next"](board)
    before = state()
    client.force_login(staff)
    response = client.post(url, {**data, "count": count})
    assert response.status_code == 200
    assert response.context["form"].errors["count"]
    assert state() == before


def test_a_refusal_by_the_domain_is_shown_and_changes_nothing(client, board, staff, in_english):
    """The second free place is taken by the first offer; a further offer has no place."""
    client.force_login(staff)
    url, data = ACTIONS["offer"](board)
    client.post(url, data, follow=True)
    third = candidate(board["facility"], 5)
    before = state()
    response = client.post(
        reverse("backoffice:offer_make", args=[board["facility"].slug, third.application.public_id]), data
    )
    assert response.status_code == 302
    assert texts(response) == ["There is no free place for this age band from that date."]
    assert state() == before


def test_offering_the_next_n_never_offers_more_than_free_places(client, board, staff, in_english):
    candidate(board["facility"], 30)
    url, data = ACTIONS["offer_next"](board)
    client.force_login(staff)
    response = client.post(url, {**data, "count": "5"})
    assert texts(response) == ["1 offer was made. The family has been notified."]
    assert Offer.objects.filter(status=OfferStatus.OPEN).count() == 2


def test_only_our_own_pages_are_accepted_as_next(client, board, staff):
    url, data = ACTIONS["add_note"](board)
    client.force_login(staff)
    response = client.post(url, {**data, "next": "https://evil.example/"})
    assert response["Location"] == reverse(
        "backoffice:application", args=[board["waiting"].application.public_id]
    )


def test_an_offer_of_another_facility_cannot_be_withdrawn_through_ours(client, board, staff):
    elsewhere = FacilityFactory()
    CapacityFactory(facility=elsewhere, age_band=AgeBand.THREE_TO_SCHOOL)
    foreign = offers.make_offer(wish=candidate(elsewhere, 10), start_date=START, by=SYSTEM)
    client.force_login(staff)
    response = client.post(
        reverse("backoffice:offer_withdraw", args=[board["facility"].slug, foreign.public_id])
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == OfferStatus.OPEN


# --- the application page ---


def test_the_application_page_shows_internal_notes_to_staff_only(client, board, staff, parent, in_english):
    application = board["waiting"].application
    client.force_login(staff)
    client.post(reverse("backoffice:note_add", args=[application.public_id]), {"text": "Rückruf am Montag."})
    html = client.get(reverse("backoffice:application", args=[application.public_id])).content.decode()
    assert "Rückruf am Montag." in html
    assert "internal" in html
    client.force_login(parent)
    assert "Rückruf am Montag." not in client.get(reverse("parents:application_list")).content.decode()


def test_staff_of_a_facility_the_family_did_not_choose_cannot_open_the_application(client, board):
    StaffMembershipFactory(facility=FacilityFactory())
    outsider = StaffMembershipFactory(facility=FacilityFactory()).user
    client.force_login(outsider)
    assert (
        client.get(
            reverse("backoffice:application", args=[board["waiting"].application.public_id])
        ).status_code
        == 404
    )


def test_drafts_stay_hidden_from_staff(client, facility, staff):
    draft = ApplicationFactory(status=ApplicationStatus.DRAFT, submitted_at=None)
    WishFactory(application=draft, facility=facility)
    client.force_login(staff)
    assert client.get(reverse("backoffice:application", args=[draft.public_id])).status_code == 404
    url = reverse("backoffice:offer_make", args=[facility.slug, draft.public_id])
    assert (
        client.post(url, {"start_date": START.isoformat(), "answer_by": DEADLINE.isoformat()}).status_code
        == 404
    )
