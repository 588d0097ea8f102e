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
import time
from dataclasses import dataclass, field

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.contrib.messages import constants, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BaseForm
from django.urls import reverse
from django.utils import timezone
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
from tests.portal.rows import AUDIT_LOG, SESSIONS, row_counts, undone, written

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = (TODAY + datetime.timedelta(days=1)).isoformat()
START = (TODAY + datetime.timedelta(days=60)).isoformat()
DEADLINE = (TODAY + datetime.timedelta(days=10)).isoformat()

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
    persona: str  # a fixture ("parent", "staff", "municipal_office", ...) or "anonymous"
    url: object  # world -> URL
    fields: dict = field(default_factory=dict)  # field name -> world -> valid values
    files: dict = field(default_factory=dict)  # field name -> world -> valid file contents
    examples: int = 25
    # Called with (client, world, user) before the examples, e.g. to open a page that starts a flow.
    setup: object = None


PASSWORD = "Sonnenblume-2026!"
CSV_HEADER = "external_id;name;type;provider_external_id;provider_name;provider_kind;places_u3"
CSV_ROW = "kita-neu;Kita Neu;kita;traeger-1;Träger e.V.;non_profit;12"
FILE_GARBAGE = st.one_of(
    st.binary(max_size=400),
    GARBAGE.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.lists(GARBAGE, min_size=1, max_size=9).map(
        lambda cells: (CSV_HEADER + "\n" + ";".join(cells)).encode("utf-8", "surrogatepass")
    ),
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbf" + CSV_HEADER.encode(),
            (CSV_HEADER + "\n" + CSV_ROW + "\n" + CSV_ROW).encode(),  # the same facility twice
            CSV_HEADER.replace(";", ",").encode() + b"\n" + CSV_ROW.encode(),  # mixed separators
            b"\x00" * 300,
            "ä".encode("latin-1") * 50,
        ]
    ),
)


def recently_signed_in(client, world, user) -> None:
    """A password sign-in moments ago, as allauth records it: its account and second-factor pages
    ask for the password again otherwise."""
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    record = {"method": "password", "at": time.time(), "email": user.email, "reauthenticated": True}
    session["account_authentication_methods"] = [record]
    session.save()


def open_reset_link(client, world, user) -> None:
    """The link from the reset e-mail: allauth keeps its key in the session and shows the form."""
    response = client.get(world["reset_link"])
    assert response.status_code == 302, response.status_code


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
    # --- allauth's forms ---
    FormPage(
        "sign-in",
        "anonymous",
        lambda w: reverse("account_login"),
        {
            "login": lambda w: [w["parent"].email, "unknown@example.org"],
            "password": lambda w: [PASSWORD, "falsch"],
            "remember": lambda w: ["on", ""],
            **NEXT,
        },
    ),
    FormPage(
        "sign-up",
        "anonymous",
        lambda w: reverse("account_signup"),
        {
            "email": lambda w: ["neu@example.org", w["parent"].email],
            "password1": lambda w: [PASSWORD, "kurz"],
            "password2": lambda w: [PASSWORD],
        },
    ),
    FormPage(
        "password reset",
        "anonymous",
        lambda w: reverse("account_reset_password"),
        {"email": lambda w: [w["parent"].email, "unknown@example.org"]},
    ),
    FormPage(
        "password reset from key",
        "anonymous",
        lambda w: w["reset_form"],
        {"password1": lambda w: [PASSWORD + "x"], "password2": lambda w: [PASSWORD + "x"]},
        setup=open_reset_link,
    ),
    FormPage(
        "password change",
        "parent",
        lambda w: reverse("account_change_password"),
        {
            "oldpassword": lambda w: [PASSWORD, "falsch"],
            "password1": lambda w: [PASSWORD + "x"],
            "password2": lambda w: [PASSWORD + "x"],
        },
    ),
    *(
        FormPage(
            f"e-mail {action}",
            "parent",
            lambda w: reverse("account_email"),
            {
                "email": lambda w: [w["parent"].email, "zweite@example.org", "neu@example.org"],
                f"action_{action}": lambda w: [""],
            },
            examples=12,
        )
        for action in ("add", "send", "remove", "primary")
    ),
    FormPage(
        "authenticator activate",
        "other_parent",  # all addresses verified: allauth refuses a second factor otherwise
        lambda w: reverse("mfa_activate_totp"),
        {"code": lambda w: ["123456", "000000"]},
        setup=recently_signed_in,
    ),
    FormPage(
        "authenticator deactivate",
        "parent_with_second_factor",
        lambda w: reverse("mfa_deactivate_totp"),
        NEXT,
        examples=8,
        setup=recently_signed_in,
    ),
    FormPage(
        "recovery codes",
        "parent_with_second_factor",
        lambda w: reverse("mfa_generate_recovery_codes"),
        NEXT,
        examples=8,
        setup=recently_signed_in,
    ),
    FormPage(
        "reauthenticate",
        "parent",
        lambda w: reverse("account_reauthenticate"),
        {"password": lambda w: [PASSWORD, "falsch"], **NEXT},
    ),
    # --- the portal's own ---
    FormPage(
        "account deletion",
        "parent",
        lambda w: reverse("account_data"),
        {"email": lambda w: [w["parent"].email, w["parent"].email.upper(), "other.parent@example.org"]},
    ),
    FormPage(
        "facility import",
        "municipal_office",
        lambda w: reverse("backoffice:facility_import"),
        {"dry_run": lambda w: ["on", ""]},
        files={"file": lambda w: [(CSV_HEADER + "\n" + CSV_ROW).encode()]},
    ),
    FormPage(
        "round compute",
        "municipal_office",
        lambda w: reverse("backoffice:round_compute", args=[w["round"].public_id]),
        NEXT,
        examples=8,
    ),
    FormPage(
        "round publish",
        "municipal_office",
        lambda w: reverse("backoffice:round_publish", args=[w["computed_round"].public_id]),
        {"answer_by": lambda w: [DEADLINE, TOMORROW]},
    ),
    FormPage(
        "job resume",
        "municipal_office",
        lambda w: reverse("backoffice:job_resume", args=[w["failed_job"].public_id]),
        NEXT,
        examples=8,
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
