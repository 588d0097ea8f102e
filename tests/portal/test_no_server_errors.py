"""No input produces a 500, and a refused request writes nothing.

For every form page of parents and staff, hypothesis posts each field (and ``next``) as a sensible
value or as garbage: random unicode, control characters, very long text, numbers and dates out of
range, foreign and malformed addresses. Every page that reads a query string gets its parameters the
same way. Each request is made as the persona the page is for. The forms include allauth's own
(sign-in, sign-up, password reset and change, e-mail addresses, the second factor), the office's
facility import (hypothesis writes the file), account deletion, the allocation round's steps and
the resumption of a background job.

Every example is rolled back afterwards (tests/portal/rows.py), so each meets the same world; a
refused one must leave the row count of every table unchanged (sessions and the audit log aside:
the log notes attempts too).
"""

import datetime
from dataclasses import dataclass

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.contrib.messages import constants, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BaseForm
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from childcare.actors import SYSTEM
from childcare.admissions import offers
from childcare.allocation import rounds
from childcare.models import AgeBand, ApplicationStatus, BackgroundJob
from tests.conftest import with_second_factor
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    ChildFactory,
    FacilityFactory,
    GuardianshipFactory,
    UserFactory,
    WishFactory,
)
from tests.portal.fuzz_forms import FILE_GARBAGE, GARBAGE, PAGES, PASSWORD, TODAY, field_value
from tests.portal.rows import AUDIT_LOG, SESSIONS, row_counts, undone, written

pytestmark = pytest.mark.django_db


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
    parent.set_password(PASSWORD)
    parent.save()
    EmailAddress.objects.update_or_create(
        user=parent, email=parent.email, defaults={"verified": True, "primary": True}
    )
    EmailAddress.objects.create(user=parent, email="zweite@example.org", verified=False, primary=False)
    office = UserFactory(email="runde@example.org", is_municipal_office=True)
    allocation_round = rounds.create_round(target_start_date=TODAY + datetime.timedelta(days=90), by=office)
    computed_round = rounds.compute_round(
        round=rounds.create_round(target_start_date=TODAY + datetime.timedelta(days=120), by=office),
        by=office,
    )
    failed_job = BackgroundJob.objects.create(
        kind=BackgroundJob.Kind.POLICY_RESCORING, requested_by=office, status=BackgroundJob.Status.FAILED
    )
    reset_key = default_token_generator.make_token(parent)
    uidb36 = user_pk_to_url_str(parent)
    return {
        "parent": parent,
        "round": allocation_round,
        "computed_round": computed_round,
        "failed_job": failed_job,
        "reset_link": reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": reset_key}),
        "reset_form": reverse(
            "account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": "set-password"}
        ),
        "facility": facility,
        "second_facility": second,
        "child": child,
        "free_child": free_child,
        "draft": draft,
        "parents_offer": parents_offer,
        "candidate": candidate,
        "back": reverse("backoffice:waitlist", args=[facility.slug]) + "?age_band=u3",
    }


# What a request may write besides the data: its session, and the audit log's note of it.
NOT_COUNTED = (SESSIONS, AUDIT_LOG)


@pytest.fixture
def parent_with_second_factor(db):
    return with_second_factor(UserFactory(email="vorsichtig@example.org"))


def refused(response) -> bool:
    """The request was turned down: answered 4xx, an error message, or a form shown with errors.

    A page shown again without errors (a new API key or webhook secret, shown once) did its work.
    """
    if response.status_code >= 400:
        return True
    if any(message.level == constants.ERROR for message in get_messages(response.wsgi_request)):
        return True
    if response.status_code != 200:
        return False
    return any(form.errors for form in _forms_shown(response))


def _forms_shown(response) -> list:
    if response.context is None:
        return []
    values = [value for context in response.context for layer in context.dicts for value in layer.values()]
    return [value for value in values if isinstance(value, BaseForm) and value.is_bound]


def file_value(*valid: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.sampled_from(valid), FILE_GARBAGE) if valid else FILE_GARBAGE


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_no_input_gives_a_server_error_and_a_refused_request_writes_nothing(client, request, world, page):
    user = None if page.persona == "anonymous" else request.getfixturevalue(page.persona)
    if user is not None:
        client.force_login(user)
    if page.setup:
        page.setup(client, world, user)
    url = page.url(world)
    # The persona reaches the form: a GET shows it (or the URL takes POSTs only), no sign-in or
    # re-authentication stands in front of it.
    assert client.get(url).status_code in (200, 405), url
    strategy = st.fixed_dictionaries(
        {
            **{name: field_value(*valid(world)) for name, valid in page.fields.items()},
            **{name: file_value(*valid(world)) for name, valid in page.files.items()},
        }
    )
    before = row_counts(skip=NOT_COUNTED)

    @settings(
        max_examples=page.examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=strategy)
    def post(data):
        for name in page.files:
            data[name] = SimpleUploadedFile("einrichtungen.csv", data[name], content_type="text/csv")
        with undone(client):
            response = client.post(url, data)
            assert response.status_code < 500
            if refused(response):
                assert written(before, row_counts(skip=NOT_COUNTED)) == {}, data

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
    before = row_counts(skip=NOT_COUNTED)

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(query=strategy)
    def get(query):
        with undone(client):
            response = client.get(url, query)
            assert response.status_code < 500, query
            assert written(before, row_counts(skip=NOT_COUNTED)) == {}, query

    get()
