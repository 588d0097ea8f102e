"""The waitlist page's markup and the start date its two offer forms suggest."""

import datetime
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from childcare.actors import SYSTEM
from childcare.admissions import offers
from childcare.models import AgeBand, Application, ApplicationStatus, Child, Wish
from tests.factories import ApplicationFactory, CapacityFactory, PlacementFactory, WishFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = Counter()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                self.ids[value] += 1


def duplicate_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return [element_id for element_id, count in parser.ids.items() if count > 1]


def waiting(facility, points, desired):
    application = ApplicationFactory(desired_start_date=desired)
    return WishFactory(
        application=application, facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, points=points
    )


@pytest.fixture
def waitlist(facility):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=3)
    return facility


def waitlist_page(client, facility):
    return client.get(
        reverse("backoffice:waitlist", args=[facility.slug]), {"age_band": AgeBand.THREE_TO_SCHOOL}
    )


def test_every_element_id_on_the_waitlist_page_is_unique(client, waitlist, staff):
    waiting(waitlist, 50, TODAY + datetime.timedelta(days=30))
    offered = waiting(waitlist, 40, TODAY + datetime.timedelta(days=30))
    offers.make_offer(wish=offered, start_date=TOMORROW, by=SYSTEM)
    client.force_login(staff)
    html = waitlist_page(client, waitlist).content.decode()
    assert 'id="offer-next-age_band"' in html
    assert duplicate_ids(html) == []


def test_both_offer_forms_suggest_the_top_familys_desired_start(client, waitlist, staff):
    desired = TODAY + datetime.timedelta(days=90)
    top = waiting(waitlist, 50, desired)
    waiting(waitlist, 40, desired + datetime.timedelta(days=30))
    client.force_login(staff)
    page = waitlist_page(client, waitlist)
    assert page.context["offer_next"]["start_date"] == desired
    [row] = [wish for wish in page.context["candidates"] if wish.pk == top.pk]
    assert row.offer_start == desired
    single = client.get(reverse("backoffice:offer_make", args=[waitlist.slug, top.application.public_id]))
    assert single.context["form"].initial["start_date"] == desired
    bulk = client.get(
        reverse("backoffice:offer_next", args=[waitlist.slug]), {"age_band": AgeBand.THREE_TO_SCHOOL}
    )
    assert bulk.context["form"].initial["start_date"] == desired


def test_the_bulk_form_suggests_the_earliest_desired_start_among_the_top_waiting_families(
    client, waitlist, staff
):
    later = TODAY + datetime.timedelta(days=120)
    earlier = TODAY + datetime.timedelta(days=60)
    waiting(waitlist, 50, later)
    waiting(waitlist, 40, earlier)
    client.force_login(staff)
    assert waitlist_page(client, waitlist).context["offer_next"]["start_date"] == earlier


def test_a_desired_start_in_the_past_is_suggested_as_tomorrow_by_both_forms(client, waitlist, staff):
    top = waiting(waitlist, 50, TODAY - datetime.timedelta(days=10))
    client.force_login(staff)
    assert waitlist_page(client, waitlist).context["offer_next"]["start_date"] == TOMORROW
    single = client.get(reverse("backoffice:offer_make", args=[waitlist.slug, top.application.public_id]))
    assert single.context["form"].initial["start_date"] == TOMORROW


def test_the_bulk_form_explains_its_start_date_rule(client, waitlist, staff, in_english):
    client.force_login(staff)
    html = waitlist_page(client, waitlist).content.decode()
    assert "Each offer starts on the family's desired start, but not before this date." in html


def test_the_waitlist_scrolls_in_its_wrapper_with_the_actions_kept_in_view(client, waitlist, staff):
    waiting(waitlist, 50, TODAY + datetime.timedelta(days=30))
    client.force_login(staff)
    html = waitlist_page(client, waitlist).content.decode()
    wrapper = html.index('<div class="table-responsive">')
    assert html.index('<table class="table align-top waitlist-table">') > wrapper
    assert html.count('class="actions-cell"') == 2  # the header and the one candidate's cell


@pytest.mark.parametrize("rows", [20, 1200])
def test_the_csv_export_streams_any_list_with_the_same_queries(
    client, waitlist, staff, django_assert_num_queries, rows
):
    applications = Application.objects.bulk_create(
        Application(child=child, status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now())
        for child in Child.objects.bulk_create(
            Child(first_name=f"Kind{n}", last_name="Muster", birth_date=datetime.date(2022, 1, 1))
            for n in range(rows)
        )
    )
    Wish.objects.bulk_create(
        Wish(
            application=application,
            facility=waitlist,
            rank=1,
            age_band=AgeBand.THREE_TO_SCHOOL,
            points=n % 7,
            points_explanation={"residence": n % 7},
        )
        for n, application in enumerate(applications)
    )
    client.force_login(staff)
    url = reverse("backoffice:waitlist_csv", args=[waitlist.slug])
    client.get(url)  # warm up the settings rows

    # 1 session with its user, 2 the facility with the staff membership check and its age bands, 3
    # the audit log INSERT; while streaming: 4 the ranked rows, read in chunks of plain values.
    with django_assert_num_queries(4):
        response = client.get(url, {"age_band": AgeBand.THREE_TO_SCHOOL})
        body = b"".join(response.streaming_content).decode("utf-8")

    lines = body.splitlines()
    assert lines[0].startswith("\ufeff")
    assert len(lines) == rows + 1
    assert [line.split(";")[0] for line in lines[1:4]] == ["1", "2", "3"]


# --- one statement for the page, whatever the length of the list ---


def bulk_list(facility, rows, *, desired=None):
    applications = Application.objects.bulk_create(
        Application(
            child=child,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=timezone.now(),
            desired_start_date=desired,
        )
        for child in Child.objects.bulk_create(
            Child(first_name=f"Kind{n}", last_name="Muster", birth_date=datetime.date(2022, 1, 1))
            for n in range(rows)
        )
    )
    return Wish.objects.bulk_create(
        Wish(
            application=application, facility=facility, rank=1, age_band=AgeBand.THREE_TO_SCHOOL, points=n % 7
        )
        for n, application in enumerate(applications)
    )


@pytest.mark.parametrize("rows", [120, 1500])
def test_a_filtered_later_page_costs_the_same_queries_at_any_length(
    client, waitlist, staff, django_assert_num_queries, rows
):
    bulk_list(waitlist, rows, desired=TODAY + datetime.timedelta(days=40))
    offers.make_offer(wish=Wish.objects.order_by("-points", "pk").first(), start_date=TOMORROW, by=SYSTEM)
    client.force_login(staff)
    url = reverse("backoffice:waitlist", args=[waitlist.slug])
    client.get(url)  # warm up the settings rows
    month = f"{TODAY + datetime.timedelta(days=40):%Y-%m}"
    # 1 session with its user (and the unread inbox count), 2 the facility with the staff
    # membership check and its age bands' places taken today, 3 the page (positions, counts, the
    # page's rows), 4 portal settings (offer deadline), 5 portal settings (layout), 6 the audit log
    with django_assert_num_queries(6):
        response = client.get(url, {"state": "active", "start_month": month, "page": 2})
    page = response.context["candidates"]
    assert len(page) == 50
    assert response.context["page_obj"].number == 2
    assert response.context["page_obj"].paginator.count == rows - 1  # the offered family is left out
    assert response.context["total"] == rows
    assert [candidate.position for candidate in page] == list(range(52, 102))  # the offer holds place 1


def test_a_page_past_the_end_shows_the_last_page_with_one_more_query(
    client, waitlist, staff, django_assert_num_queries
):
    bulk_list(waitlist, 60)
    client.force_login(staff)
    url = reverse("backoffice:waitlist", args=[waitlist.slug])
    client.get(url)
    with django_assert_num_queries(7):  # the page is read again at the last page
        response = client.get(url, {"page": 9})
    assert response.context["page_obj"].number == 2
    assert [candidate.position for candidate in response.context["candidates"]] == list(range(51, 61))
    assert client.get(url, {"page": 0}).context["page_obj"].number == 2  # as Paginator.get_page
    assert client.get(url, {"page": "zz"}).context["page_obj"].number == 1


def test_a_filter_without_matches_still_counts_the_list(client, waitlist, staff, in_english):
    bulk_list(waitlist, 3)
    client.force_login(staff)
    response = client.get(reverse("backoffice:waitlist", args=[waitlist.slug]), {"state": "offered"})
    assert response.context["candidates"] == []
    assert response.context["total"] == 3
    assert "3 children on the waitlist" in response.content.decode()
    assert "No candidates match these filters." in response.content.decode()


def test_the_bulk_form_skips_families_holding_an_offer_for_its_date(client, waitlist, staff):
    early = TODAY + datetime.timedelta(days=20)
    offered = waiting(waitlist, 90, early)
    offers.make_offer(wish=offered, start_date=early, by=SYSTEM)
    later = TODAY + datetime.timedelta(days=50)
    waiting(waitlist, 50, later)
    waiting(waitlist, 40, later + datetime.timedelta(days=10))
    waiting(waitlist, 30, later + datetime.timedelta(days=20))
    waiting(waitlist, 20, TODAY + datetime.timedelta(days=30))  # fourth waiting family: not at the top
    client.force_login(staff)
    assert waitlist_page(client, waitlist).context["offer_next"]["start_date"] == later


def test_the_header_counts_places_taken_today_from_the_stored_availability(client, waitlist, staff):
    PlacementFactory(facility=waitlist, age_band=AgeBand.THREE_TO_SCHOOL, start_date=TODAY)
    PlacementFactory(facility=waitlist, age_band=AgeBand.THREE_TO_SCHOOL, start_date=TOMORROW)
    offers.make_offer(wish=waiting(waitlist, 10, TODAY), start_date=TOMORROW, by=SYSTEM)
    client.force_login(staff)
    response = waitlist_page(client, waitlist)
    assert (response.context["places"], response.context["free_now"]) == (3, 2)  # later starts count later


def test_a_page_number_no_database_could_take_shows_the_last_page(client, waitlist, staff):
    bulk_list(waitlist, 60)
    client.force_login(staff)
    url = reverse("backoffice:waitlist", args=[waitlist.slug])
    for number in (10**30, -(10**30)):
        response = client.get(url, {"page": number})
        assert response.status_code == 200
        assert response.context["page_obj"].number == 2


# --- the forms' fields, kept per values, errors and language ---


def field_markup(html: str, name_attribute: str) -> str:
    start = html.index(f'name="{name_attribute}"')
    return html[html.rindex("<", 0, start) : html.index(">", start) + 1]


def test_the_kept_filter_fields_show_each_visits_values_and_errors(client, waitlist, staff, in_english):
    waiting(waitlist, 50, TODAY + datetime.timedelta(days=30))
    client.force_login(staff)
    url = reverse("backoffice:waitlist", args=[waitlist.slug])

    first = client.get(url, {"start_month": "2027-08"}).content.decode()
    wrong = client.get(url, {"start_month": "August"}).content.decode()
    again = client.get(url, {"start_month": "2027-08"}).content.decode()
    other = client.get(url, {"start_month": "2027-09", "state": "offered"}).content.decode()

    assert 'value="2027-08"' in field_markup(first, "start_month")
    assert "Enter a month as YYYY-MM" not in first
    assert 'value="August"' in field_markup(wrong, "start_month")
    assert 'aria-invalid="true"' in field_markup(wrong, "start_month")
    assert "Enter a month as YYYY-MM" in wrong
    assert field_markup(again, "start_month") == field_markup(first, "start_month")
    assert "Enter a month as YYYY-MM" not in again
    assert 'value="2027-09"' in field_markup(other, "start_month")
    assert '<option value="offered" selected>' in other


def test_the_kept_offer_next_fields_follow_the_top_of_the_list(client, waitlist, staff):
    later = TODAY + datetime.timedelta(days=120)
    waiting(waitlist, 50, later)
    client.force_login(staff)
    before = waitlist_page(client, waitlist).content.decode()
    earlier = TODAY + datetime.timedelta(days=60)
    waiting(waitlist, 60, earlier)  # a family with more points, waiting for an earlier start
    after = waitlist_page(client, waitlist).content.decode()
    assert f'value="{later.isoformat()}"' in field_markup(before, "start_date")
    assert f'value="{earlier.isoformat()}"' in field_markup(after, "start_date")


def test_the_kept_fields_follow_the_language_of_each_request(client, waitlist, staff):
    client.force_login(staff)
    client.cookies["django_language"] = "de"
    german = waitlist_page(client, waitlist).content.decode()
    client.cookies["django_language"] = "en"
    english = waitlist_page(client, waitlist).content.decode()
    assert 'for="id_start_month" class="form-label">Gewünschter Betreuungsbeginn (Monat)</label>' in german
    assert '<label for="id_start_month" class="form-label">Desired start in</label>' in english
    assert "Number of offers" in english
    assert "Number of offers" not in german


def test_the_heading_escapes_the_facility_name_and_counts_in_the_request_language(
    client, waitlist, staff, in_english
):
    waitlist.name = 'Kita <b>&"Sonne"'
    waitlist.save()
    bulk_list(waitlist, 1)
    client.force_login(staff)

    html = waitlist_page(client, waitlist).content.decode()

    assert "<h1>Waitlist · Kita &lt;b&gt;&amp;&quot;Sonne&quot;</h1>" in html
    assert "<b>&" not in html
    assert "3 places,\n  3 free today,\n  1 child on the waitlist\n</p>" in html
    client.cookies["django_language"] = "de"
    assert "1 Kind auf der Warteliste" in waitlist_page(client, waitlist).content.decode()


def test_the_csv_link_keeps_the_filters_but_not_the_page(client, waitlist, staff):
    bulk_list(waitlist, 60)
    client.force_login(staff)
    url = reverse("backoffice:waitlist", args=[waitlist.slug])

    html = client.get(url, {"state": "active", "page": "2"}).content.decode()

    csv = reverse("backoffice:waitlist_csv", args=[waitlist.slug])
    assert f'href="{csv}?state=active">' in html
    assert f'href="{csv}"' in client.get(url).content.decode()


def test_the_page_s_forms_and_its_frame_carry_one_token_that_is_accepted(client, waitlist, staff):
    waiting(waitlist, 50, TODAY + datetime.timedelta(days=30))
    client.force_login(staff)
    client.handler.enforce_csrf_checks = True

    html = waitlist_page(client, waitlist).content.decode()

    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) == 4  # sign-out, language, offer the next places, the rows' actions
    assert len(set(tokens)) == 1
    response = client.post(
        reverse("backoffice:offer_next", args=[waitlist.slug]),
        {
            "csrfmiddlewaretoken": tokens[0],
            "age_band": AgeBand.THREE_TO_SCHOOL,
            "count": 1,
            "start_date": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "answer_by": (TODAY + datetime.timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302


def test_wrong_filters_are_summed_up_above_the_form(client, waitlist, staff, in_english):
    client.force_login(staff)

    html = client.get(reverse("backoffice:waitlist", args=[waitlist.slug]), {"state": "nonsense"}).content

    assert b'id="error-summary"' in html
    assert html.index(b'id="error-summary"') < html.index(b'aria-label="Filter the waitlist"')
