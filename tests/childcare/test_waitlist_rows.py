"""The waitlist rows' actions: one form for the page, a button or a link per action, names that say who."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from childcare.actors import SYSTEM
from childcare.admissions import offers
from childcare.models import AgeBand, Offer, OfferStatus, WishStatus
from tests.factories import ApplicationFactory, CapacityFactory, WishFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


class _Page(HTMLParser):
    """The actions form's fields, and per row its buttons and links with their accessible text."""

    def __init__(self):
        super().__init__()
        self.form_fields: dict[str, str] = {}
        self.rows: dict[str, list[dict]] = {}
        self._form = self._row = None
        self._controls: list[dict] = []  # the open buttons and links

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = attrs.get("id")
        elif tag == "input" and self._form == "candidate-actions":
            self.form_fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "tr" and attrs.get("id", "").startswith("candidate-"):
            self._row = attrs["id"].removeprefix("candidate-")
            self.rows[self._row] = []
        elif tag in ("button", "a") and self._row and attrs.get("class") != "reference":
            control = {"tag": tag, "text": "", **attrs}
            self.rows[self._row].append(control)
            self._controls.append(control)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "tr":
            self._row = None
        elif tag in ("button", "a") and self._controls:
            self._controls.pop()

    def handle_data(self, data):
        for control in self._controls:
            control["text"] += data


def parse(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


@pytest.fixture
def board(facility):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=3)
    application = ApplicationFactory(
        desired_start_date=TODAY + datetime.timedelta(days=45), child__first_name="Jürgen"
    )
    waiting = WishFactory(
        application=application, facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, points=50
    )
    offered = WishFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, points=40)
    offer = offers.make_offer(wish=offered, start_date=TODAY + datetime.timedelta(days=30), by=SYSTEM)
    return {"facility": facility, "waiting": waiting, "offered": offered, "offer": offer}


def open_list(client, board, **filters):
    url = reverse("backoffice:waitlist", args=[board["facility"].slug])
    return client.get(url, {"age_band": AgeBand.THREE_TO_SCHOOL, **filters})


def control(page, wish, tag, action):
    [found] = [
        c
        for c in page.rows[str(wish.application.public_id)]
        if c["tag"] == tag and (c.get("formaction") or c.get("href", "")).split("?")[0].endswith(action)
    ]
    return found


def test_offering_from_a_row_posts_the_pages_one_form_with_the_rows_start_date(client, board, staff):
    client.force_login(staff)
    listed = open_list(client, board, state="active")
    page = parse(listed)
    button = control(page, board["waiting"], "button", "/angebot/")
    assert button["form"] == "candidate-actions"
    assert button["value"] == (TODAY + datetime.timedelta(days=45)).isoformat()

    # What a browser sends for that button: the form's fields and the button's own name and value.
    response = client.post(button["formaction"], {**page.form_fields, button["name"]: button["value"]})

    assert response.status_code == 302
    assert response["Location"] == listed.wsgi_request.get_full_path()
    offer = Offer.objects.get(wish=board["waiting"], status=OfferStatus.OPEN)
    assert offer.start_date == TODAY + datetime.timedelta(days=45)
    assert timezone.localdate(offer.expires_at).isoformat() == page.form_fields["answer_by"]


def test_withdrawing_from_a_row_puts_the_wish_back_on_the_list(client, board, staff):
    client.force_login(staff)
    page = parse(open_list(client, board))
    button = control(page, board["offered"], "button", f"/{board['offer'].public_id}/zurueckziehen/")
    client.post(button["formaction"], page.form_fields)
    board["offer"].refresh_from_db()
    board["offered"].refresh_from_db()
    assert board["offer"].status == OfferStatus.WITHDRAWN
    assert board["offered"].status == WishStatus.ACTIVE


@pytest.mark.parametrize("action", ["/angebot/", "/ablehnen/", "/aufnahme/", "/notiz/"])
def test_the_other_actions_open_their_form_page_which_leads_back_to_the_filtered_list(
    client, board, staff, action
):
    client.force_login(staff)
    listed = open_list(client, board, state="active", page=1)
    link = control(parse(listed), board["waiting"], "a", action)
    form_page = client.get(link["href"])
    assert form_page.status_code == 200
    assert form_page.context["back"] == listed.wsgi_request.get_full_path()


def test_every_rows_buttons_and_links_name_the_child(client, board, staff):
    client.force_login(staff)
    page = parse(open_list(client, board))
    for wish in (board["waiting"], board["offered"]):
        controls = page.rows[str(wish.application.public_id)]
        assert controls
        for found in controls:
            assert f": {wish.application.child.first_name}, {wish.application.reference}" in found["text"]


def test_the_csrf_token_and_the_way_back_are_written_once_whatever_the_rows(client, board, staff):
    client.force_login(staff)
    two_rows = open_list(client, board).content.decode()
    for points in range(5):
        WishFactory(facility=board["facility"], age_band=AgeBand.THREE_TO_SCHOOL, points=points)
    seven_rows = open_list(client, board).content.decode()
    assert seven_rows.count('<tr id="candidate-') == 7
    for field in ('name="csrfmiddlewaretoken"', 'name="next"', 'name="answer_by"'):
        assert seven_rows.count(field) == two_rows.count(field), field
    assert "<form" not in seven_rows[seven_rows.index("<tbody>") : seven_rows.index("</tbody>")]


def test_names_from_the_database_are_escaped(client, board, staff):
    child = board["waiting"].application.child
    child.first_name = '<img src=x onerror="alert(1)">'
    child.save()
    client.force_login(staff)
    html = open_list(client, board).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_the_rows_follow_the_language_of_each_request(client, board, staff):
    client.force_login(staff)
    with translation.override("de"):
        german = open_list(client, board).content.decode()
    client.cookies["django_language"] = "en"
    english = open_list(client, board).content.decode()
    assert "Platz anbieten" in german
    assert "Platzangebot zurückziehen" in german
    assert "Offer a place" in english
    assert "Offer with other dates" in english
    assert "Withdraw offer" in english
    assert "Platz anbieten" not in english


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_rows_short_dates_read_as_the_templates_date_filter_writes_them(language):
    from django.utils.formats import date_format

    from childcare.backoffice.waitlist_rows import _Dates

    with translation.override(language):
        dates = _Dates()
        for day in (datetime.date(2027, 1, 5), datetime.date(2026, 12, 31)):
            assert dates(day) == date_format(day, "SHORT_DATE_FORMAT")
        assert dates(None) == "–"


def test_the_points_explanation_follows_the_language_of_each_request(client, board, staff):
    board["waiting"].points_explanation = {"residence": 30}
    board["waiting"].save()
    client.force_login(staff)
    with translation.override("de"):
        german = open_list(client, board).content.decode()
    client.cookies["django_language"] = "en"
    english = open_list(client, board).content.decode()
    client.cookies["django_language"] = "de"
    german_again = open_list(client, board).content.decode()
    assert "<li>Wohnt in der Kommune: 30 Punkte</li>" in german
    assert "<li>Lives in the municipality: 30 points</li>" in english
    assert "Wohnt in der Kommune" not in english
    assert "<li>Wohnt in der Kommune: 30 Punkte</li>" in german_again
