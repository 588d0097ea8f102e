"""The forms the fuzz test posts to: each page, its persona, and its fields' sensible values.

``tests/portal/test_no_server_errors.py`` draws each field as one of these values or as garbage
(``GARBAGE``, ``FILE_GARBAGE``); a new form page gets its row here.
"""

import datetime
import time
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from childcare.models import AgeBand

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
