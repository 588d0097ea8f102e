"""No input produces a 500, and a refused request writes nothing.

For every form page of parents and staff, hypothesis posts each field (and ``next``) as a sensible
value or as garbage: random unicode, control characters, very long text, numbers and dates out of
range, foreign and malformed addresses. Every page that reads a query string gets its parameters the
same way. Each request is made as the persona the page is for.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.contrib.messages import constants, get_messages
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from childcare.actors import SYSTEM
from childcare.admissions import offers
from childcare.models import (
    AgeBand,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Child,
    Offer,
    Placement,
    Wish,
)
from notifications.models import OutboxMessage
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    ChildFactory,
    FacilityFactory,
    GuardianshipFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = (TODAY + datetime.timedelta(days=1)).isoformat()
START = (TODAY + datetime.timedelta(days=60)).isoformat()
DEADLINE = (TODAY + datetime.timedelta(days=10)).isoformat()
WRITTEN = (Application, Wish, Offer, Placement, ApplicationEvent, OutboxMessage, Child)

TRICKY = [
    "",
    " ",
    "zurueck",
    "parents:child_list",
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
    "/\r\nLocation: https://evil.example/",
    "\x00",
    "\x1b[31m",
    "-1",
    "0",
    "1e308",
    "99999999999999999999999",
    "NaN",
    "True",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "31.12.2026",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "ü" * 5000,
]
GARBAGE = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),
    st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=4), st.integers(300, 3000)),
)


def field_value(*valid: str) -> st.SearchStrategy[str]:
    """A value that might pass, or garbage."""
    return st.one_of(st.sampled_from(valid), GARBAGE) if valid else GARBAGE


@dataclass(frozen=True)
class FormPage:
    name: str
    persona: str  # "parent", "staff" or "municipal_office"
    url: object  # world -> URL
    fields: dict = field(default_factory=dict)  # field name -> world -> valid values


NEXT = {"next": lambda w: [w["back"]]}
PAGES = [
    *(
        FormPage(name, "parent", lambda w, view=view: reverse(view, args=[w["facility"].slug]), NEXT)
        for name, view in [("wish list add", "parents:wish_add"), ("wish list remove", "parents:wish_remove")]
    ),
    *(
        FormPage(
            name,
            "parent",
            url,
            {
                "first_name": lambda w: ["Zoë"],
                "last_name": lambda w: ["Müller"],
                "birth_date": lambda w: [(TODAY - datetime.timedelta(days=400)).isoformat(), TOMORROW],
                "birth_date_is_expected": lambda w: ["on", ""],
                "needs_integration_support": lambda w: ["on", ""],
                "needs_notes": lambda w: ["", "Allergie"],
                "home_languages": lambda w: ["Deutsch, Türkisch"],
            },
        )
        for name, url in [
            ("child create", lambda w: reverse("parents:child_create") + "?next=apply"),
            ("child edit", lambda w: reverse("parents:child_edit", args=[w["child"].public_id])),
        ]
    ),
    FormPage(
        "application start",
        "parent",
        lambda w: reverse("parents:application_start"),
        {"child": lambda w: [str(w["free_child"].pk), str(w["child"].pk)]},
    ),
    FormPage(
        "application step start",
        "parent",
        lambda w: reverse("parents:application_step_start", args=[w["draft"].public_id]),
        {"desired_start_date": lambda w: [START, TOMORROW], "care_hours_per_week": lambda w: ["35", "45"]},
    ),
    FormPage(
        "application step wishes",
        "parent",
        lambda w: reverse("parents:application_step_wishes", args=[w["draft"].public_id]),
        {
            "action": lambda w: ["add", "remove", "up", "down", "basket"],
            "facility": lambda w: [w["facility"].slug, w["second_facility"].slug],
        },
    ),
    FormPage(
        "application step criteria",
        "parent",
        lambda w: reverse("parents:application_step_criteria", args=[w["draft"].public_id]),
        {
            "resides_in_municipality": lambda w: ["True", "False"],
            "guardians_working_or_training": lambda w: ["0", "1", "2"],
            "single_parent": lambda w: ["on", ""],
            "hardship_referral": lambda w: ["on", ""],
            "integration_need": lambda w: ["on", ""],
        },
    ),
    FormPage(
        "application step review",
        "parent",
        lambda w: reverse("parents:application_step_review", args=[w["draft"].public_id]),
        {"consent": lambda w: ["on"]},
    ),
    FormPage(
        "offer respond",
        "parent",
        lambda w: reverse("parents:offer_respond", args=[w["parents_offer"].public_id]),
        {"answer": lambda w: ["accept", "decline"]},
    ),
    FormPage(
        "note",
        "staff",
        lambda w: reverse("backoffice:note_add", args=[w["candidate"].application.public_id]),
        {"text": lambda w: ["Rückruf am Montag."], **NEXT},
    ),
    *(
        FormPage(
            name,
            "staff",
            lambda w, url_name=url_name: reverse(
                url_name, args=[w["facility"].slug, w["candidate"].application.public_id]
            ),
            {**fields, **NEXT},
        )
        for name, url_name, fields in [
            (
                "offer make",
                "backoffice:offer_make",
                {"start_date": lambda w: [START, TOMORROW], "answer_by": lambda w: [DEADLINE]},
            ),
            ("reject", "backoffice:wish_reject", {"reason": lambda w: ["Kein Platz im Sommer."]}),
            (
                "placement",
                "backoffice:placement_record",
                {"start_date": lambda w: [START], "care_hours_per_week": lambda w: ["", "35"]},
            ),
        ]
    ),
    FormPage(
        "offer withdraw",
        "staff",
        lambda w: reverse(
            "backoffice:offer_withdraw", args=[w["facility"].slug, w["parents_offer"].public_id]
        ),
        NEXT,
    ),
    FormPage(
        "offer next",
        "staff",
        lambda w: reverse("backoffice:offer_next", args=[w["facility"].slug]),
        {
            "age_band": lambda w: [AgeBand.UNDER_THREE, AgeBand.THREE_TO_SCHOOL],
            "count": lambda w: ["1", "2"],
            "start_date": lambda w: [START],
            "answer_by": lambda w: [DEADLINE],
            **NEXT,
        },
    ),
    FormPage(
        "round create",
        "municipal_office",
        lambda w: reverse("backoffice:round_list"),
        {"target_start_date": lambda w: [START]},
    ),
    FormPage(
        "guardian invite",
        "parent",
        lambda w: reverse("parents:guardian_invite", args=[w["child"].public_id]),
        {"email": lambda w: ["partner@example.org"]},
    ),
    FormPage(
        "application withdraw",
        "parent",
        lambda w: reverse("parents:application_withdraw", args=[w["parents_offer"].application.public_id]),
        NEXT,
    ),
    FormPage(
        "interest confirm",
        "parent",
        lambda w: reverse("parents:interest_confirm", args=[w["parents_offer"].application.public_id]),
        NEXT,
    ),
    FormPage(
        "API key create",
        "parent",
        lambda w: reverse("api_tokens"),
        {
            "name": lambda w: ["Familien-App"],
            "scope": lambda w: ["read", "write"],
            "valid_days": lambda w: ["30"],
        },
    ),
    FormPage(
        "webhook add",
        "staff",
        lambda w: reverse("backoffice:webhooks", args=[w["facility"].slug]),
        {"url": lambda w: ["https://kita-software.example/hooks"]},
    ),
    FormPage(
        "webhook change",
        "staff",
        lambda w: reverse("backoffice:webhooks", args=[w["facility"].slug]),
        {
            "endpoint": lambda w: ["00000000-0000-0000-0000-000000000000"],
            "action": lambda w: ["pause", "delete"],
        },
    ),
    FormPage(
        "notification preferences",
        "parent",
        lambda w: reverse("notifications:preferences"),
        {"waitlist_position_improved": lambda w: ["on", ""]},
    ),
]


@pytest.fixture
def world(facility, parent, child):
    """Two facilities with U3 places; the parent's draft, a child without application, an open offer
    for a third child; another family waiting at the facility."""
    second = FacilityFactory()
    for place in (facility, second):
        CapacityFactory(facility=place, age_band=AgeBand.UNDER_THREE, places=3)
    start = TODAY + datetime.timedelta(days=60)
    draft = ApplicationFactory(
        child=child, status=ApplicationStatus.DRAFT, submitted_at=None, desired_start_date=start
    )
    WishFactory(application=draft, facility=facility, age_band=AgeBand.UNDER_THREE)
    free_child = ChildFactory(first_name="Ben")
    GuardianshipFactory(user=parent, child=free_child)
    offered = WishFactory(
        application=ApplicationFactory(child__first_name="Lea", desired_start_date=start),
        facility=facility,
        age_band=AgeBand.UNDER_THREE,
    )
    GuardianshipFactory(user=parent, child=offered.application.child)
    parents_offer = offers.make_offer(wish=offered, start_date=start, by=SYSTEM)
    candidate = WishFactory(
        application=ApplicationFactory(child__first_name="Ömer", desired_start_date=start),
        facility=facility,
        age_band=AgeBand.UNDER_THREE,
    )
    return {
        "facility": facility,
        "second_facility": second,
        "child": child,
        "free_child": free_child,
        "draft": draft,
        "parents_offer": parents_offer,
        "candidate": candidate,
        "back": reverse("backoffice:waitlist", args=[facility.slug]) + "?age_band=u3",
    }


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN}


def refused(response) -> bool:
    """The page was shown again (form errors), answered 4xx, or the action reported an error."""
    if response.status_code != 302:
        return True
    return any(message.level == constants.ERROR for message in get_messages(response.wsgi_request))


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_no_input_gives_a_server_error_and_a_refused_request_writes_nothing(client, request, world, page):
    client.force_login(request.getfixturevalue(page.persona))
    url = page.url(world)
    strategy = st.fixed_dictionaries(
        {name: field_value(*valid(world)) for name, valid in page.fields.items()}
    )

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=strategy)
    def post(data):
        before = row_counts()
        response = client.post(url, data)
        assert response.status_code < 500
        if refused(response):
            assert row_counts() == before, data

    post()


# --- query strings: every page that reads one, with each parameter sensible, garbage or missing ---


def _form_fields(form_class) -> list[str]:
    return list(form_class.base_fields)


@dataclass(frozen=True)
class QueryPage:
    name: str
    persona: str | None  # None: anonymous
    url: object  # world -> URL
    parameters: object  # () -> parameter names


def _query_pages() -> list[QueryPage]:
    from childcare.backoffice.forms.audit import AuditFilterForm
    from childcare.backoffice.forms.staff import WaitlistFilterForm
    from childcare.facilities.search import FacilitySearch, SearchForm

    search = lambda: [*_form_fields(SearchForm), *FacilitySearch.base_filters, "page"]  # noqa: E731
    return [
        QueryPage("facility search", None, lambda w: reverse("parents:facility_search"), search),
        QueryPage(
            "facility search signed in", "parent", lambda w: reverse("parents:facility_search"), search
        ),
        QueryPage(
            "facility page",
            None,
            lambda w: reverse("parents:facility_detail", args=[w["facility"].slug]),
            search,
        ),
        QueryPage("public API list", None, lambda w: "/api/v1/facilities/", lambda: [*search(), "page_size"]),
        QueryPage(
            "application start", "parent", lambda w: reverse("parents:application_start"), lambda: ["wishes"]
        ),
        QueryPage(
            "offer page",
            "parent",
            lambda w: reverse("parents:offer_respond", args=[w["parents_offer"].public_id]),
            lambda: ["answer"],
        ),
        QueryPage("inbox", "parent", lambda w: reverse("notifications:inbox"), lambda: ["page"]),
        QueryPage(
            "waitlist",
            "staff",
            lambda w: reverse("backoffice:waitlist", args=[w["facility"].slug]),
            lambda: [*_form_fields(WaitlistFilterForm), "page"],
        ),
        QueryPage(
            "waitlist CSV",
            "staff",
            lambda w: reverse("backoffice:waitlist_csv", args=[w["facility"].slug]),
            lambda: _form_fields(WaitlistFilterForm),
        ),
        QueryPage(
            "audit log",
            "municipal_office",
            lambda w: reverse("backoffice:audit_log"),
            lambda: [*_form_fields(AuditFilterForm), "page"],
        ),
        QueryPage(
            "round list", "municipal_office", lambda w: reverse("backoffice:round_list"), lambda: ["page"]
        ),
        QueryPage(
            "planning",
            "municipal_office",
            lambda w: reverse("backoffice:planning_overview"),
            lambda: ["page"],
        ),
    ]


QUERY_PAGES = _query_pages()


@pytest.mark.parametrize("page", QUERY_PAGES, ids=[page.name for page in QUERY_PAGES])
def test_no_query_string_gives_a_server_error_or_writes_anything(client, request, world, page):
    if page.persona:
        client.force_login(request.getfixturevalue(page.persona))
    url = page.url(world)
    strategy = st.dictionaries(st.sampled_from(page.parameters()), GARBAGE, max_size=6)

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(query=strategy)
    def get(query):
        before = row_counts()
        response = client.get(url, query)
        assert response.status_code < 500, query
        assert row_counts() == before, query

    get()
