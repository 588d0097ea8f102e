"""Every URL of the portal × eight personas, against a table of expected outcomes.

The URL list is read from the URL configuration (including the admin and /api/v1/), so a new
page that is not in ``EXPECTED`` fails ``test_every_url_is_in_the_table``: whoever adds a URL
decides who may open it. Outcomes are for a GET: a status code, or ``login`` for a redirect to
a sign-in page. Refusals of objects are 404 (outsiders learn nothing), of whole areas 403 or a
sign-in redirect. The scene (tests/portal/matrix_scene.py) has the leader of Y lose access to
family A: A withdrew the wish for Y, and A's second child was placed at X (its wish for Y inactive).
"""

import re
import uuid

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PortalClient
from tests.portal.matrix_scene import PERSONAS, build_scene

pytestmark = pytest.mark.django_db

# Outcome rows in PERSONAS order:
# anonymous, parent_a, parent_b, co_guardian, leader_x, leader_y, office, superuser
EVERYONE = ("200",) * 8
SIGNED_IN = ("login",) + ("200",) * 7

EXPECTED: dict[str, tuple[str, ...]] = {}


def _expect(names: str, outcomes: tuple[str, ...]) -> None:
    assert len(outcomes) == len(PERSONAS)
    for name in names.split():
        assert name not in EXPECTED, name
        EXPECTED[name] = outcomes


# /health/ answers 200 or 503 depending on the services around the test run: the same for everyone.
SAME_FOR_EVERYONE = {"health"}

_expect("health_ping", EVERYONE)
# Webhooks: the admin for the superuser (deliveries are never added by hand; no rows exist in the
# scene, so their change pages go back to the admin); the page for the facility's own staff.
_expect(
    "admin:childcare_webhookdelivery_changelist admin:childcare_webhookendpoint_add "
    "admin:childcare_webhookendpoint_changelist",
    ("login",) * 7 + ("200",),
)
_expect(
    """
    admin:childcare_webhookdelivery_change admin:childcare_webhookdelivery_delete
    admin:childcare_webhookdelivery_history admin:childcare_webhookendpoint_change
    admin:childcare_webhookendpoint_delete admin:childcare_webhookendpoint_history
    """,
    ("login",) * 7 + ("302 /admin/",),
)
_expect("admin:childcare_webhookdelivery_add", ("login",) * 7 + ("403",))
# The delivery pause is the portal's own row: seen in the admin, never added by hand.
_expect("admin:notifications_deliverypause_changelist", ("login",) * 7 + ("200",))
_expect("admin:notifications_deliverypause_add", ("login",) * 7 + ("403",))
_expect(
    """
    admin:notifications_deliverypause_change admin:notifications_deliverypause_delete
    admin:notifications_deliverypause_history
    """,
    ("login",) * 7 + ("302 /admin/",),
)
_expect("notifications_office:failed", ("login", "404", "404", "404", "404", "404", "200", "404"))
_expect("notifications_office:resend", ("login", "404", "404", "404", "404", "404", "405", "404"))
_expect("api:confirm_interest", ("401",) + ("405",) * 7)  # POST only; GET is refused after the key check
_expect(
    "api:staff_offer_make api:staff_wish_reject",
    ("401", "403", "403", "403", "405", "405", "405", "403"),
)
_expect("backoffice:webhooks", ("login", "404", "404", "404", "200", "404", "200", "404"))

_expect(
    """
    account_change_password account_data account_data_download account_email
    account_reauthenticate account_request_reauthentication_code
    api_tokens mfa_index mfa_list_webauthn notifications:inbox notifications:preferences
    parents:application_list parents:child_create parents:child_list
    """,
    SIGNED_IN,
)
_expect(
    """
    account_confirm_email account_email_verification_sent account_inactive account_reset_password
    account_reset_password_done account_reset_password_from_key account_reset_password_from_key_done
    api:docs api:facility_detail api:facility_list api:open_data_csv api:open_data_geojson api:redoc
    api:schema home imprint parents:facility_detail parents:facility_search
    parents:interest_confirm_link privacy
    """,
    EVERYONE,
)
_expect(
    "account_confirm_login_code mfa_authenticate",
    (
        "login",
        "302 /antraege/",
        "302 /antraege/",
        "302 /antraege/",
        "302 /verwaltung/",
        "302 /verwaltung/",
        "302 /verwaltung/",
        "302 /antraege/",
    ),
)
_expect(
    "account_confirm_reauthentication_code",
    (
        "login",
        "302 /konto/reauthenticate/code/",
        "302 /konto/reauthenticate/code/",
        "302 /konto/reauthenticate/code/",
        "302 /konto/reauthenticate/code/",
        "302 /konto/reauthenticate/code/",
        "302 /konto/reauthenticate/code/",
        "302 /konto/reauthenticate/code/",
    ),
)
_expect(
    "account_login account_signup",
    (
        "200",
        "302 /antraege/",
        "302 /antraege/",
        "302 /antraege/",
        "302 /verwaltung/",
        "302 /verwaltung/",
        "302 /verwaltung/",
        "302 /antraege/",
    ),
)
_expect(
    "account_logout",
    ("302 /", "200", "200", "200", "200", "200", "200", "200"),
)
_expect(
    "account_set_password",
    (
        "login",
        "302 /konto/password/change/",
        "302 /konto/password/change/",
        "302 /konto/password/change/",
        "302 /konto/password/change/",
        "302 /konto/password/change/",
        "302 /konto/password/change/",
        "302 /konto/password/change/",
    ),
)
_expect(
    "admin/(?P<url>.*)$ admin:view_on_site",
    ("login", "login", "login", "login", "login", "login", "login", "404"),
)
_expect(
    "admin/login/ admin:login",
    ("login", "403", "403", "403", "403", "403", "403", "403"),
)
_expect(
    """
    admin:account_emailaddress_add admin:account_emailaddress_change
    admin:account_emailaddress_changelist admin:account_emailaddress_delete
    admin:account_emailaddress_history admin:app_list admin:auth_group_add admin:auth_group_changelist
    admin:auth_user_password_change admin:childcare_application_add admin:childcare_application_change
    admin:childcare_application_changelist admin:childcare_application_delete
    admin:childcare_application_history admin:childcare_applicationdocument_add
    admin:childcare_applicationdocument_change admin:childcare_applicationdocument_changelist
    admin:childcare_applicationdocument_delete admin:childcare_applicationdocument_history
    admin:childcare_applicationevent_add admin:childcare_applicationevent_changelist
    admin:childcare_backgroundjob_change admin:childcare_backgroundjob_changelist
    admin:childcare_backgroundjob_delete admin:childcare_backgroundjob_history
    admin:childcare_capacity_add admin:childcare_capacity_change admin:childcare_capacity_changelist
    admin:childcare_capacity_delete admin:childcare_capacity_history admin:childcare_child_add
    admin:childcare_child_change admin:childcare_child_changelist admin:childcare_child_delete
    admin:childcare_child_history admin:childcare_facility_add admin:childcare_facility_change
    admin:childcare_facility_changelist admin:childcare_facility_delete admin:childcare_facility_history
    admin:childcare_guardianinvitation_add admin:childcare_guardianinvitation_change
    admin:childcare_guardianinvitation_changelist admin:childcare_guardianinvitation_delete
    admin:childcare_guardianinvitation_history admin:childcare_guardianship_add
    admin:childcare_guardianship_change admin:childcare_guardianship_changelist
    admin:childcare_guardianship_delete admin:childcare_guardianship_history
    admin:childcare_offer_change admin:childcare_offer_changelist admin:childcare_offer_delete
    admin:childcare_offer_history admin:childcare_placement_change admin:childcare_placement_changelist
    admin:childcare_placement_delete admin:childcare_placement_history
    admin:childcare_prioritypolicy_add admin:childcare_prioritypolicy_changelist
    admin:childcare_provider_add admin:childcare_provider_change admin:childcare_provider_changelist
    admin:childcare_provider_delete admin:childcare_provider_history admin:childcare_staffmembership_add
    admin:childcare_staffmembership_change admin:childcare_staffmembership_changelist
    admin:childcare_staffmembership_delete admin:childcare_staffmembership_history
    admin:childcare_wish_add admin:childcare_wish_change admin:childcare_wish_changelist
    admin:childcare_wish_delete admin:childcare_wish_history admin:index admin:jsi18n
    admin:mfa_authenticator_add admin:mfa_authenticator_change admin:mfa_authenticator_changelist
    admin:mfa_authenticator_delete admin:mfa_authenticator_history
    admin:notifications_notificationpreference_add admin:notifications_notificationpreference_changelist
    admin:notifications_outboxmessage_add admin:notifications_outboxmessage_change
    admin:notifications_outboxmessage_changelist admin:notifications_outboxmessage_delete
    admin:notifications_outboxmessage_history admin:password_change admin:password_change_done
    admin:portal_portalsettings_change admin:portal_portalsettings_changelist
    admin:portal_portalsettings_history admin:portal_user_add admin:portal_user_change
    admin:portal_user_changelist admin:portal_user_delete admin:portal_user_history
    """,
    ("login", "login", "login", "login", "login", "login", "login", "200"),
)
_expect(
    """
    admin:auth_group_change admin:auth_group_delete admin:auth_group_history
    admin:childcare_applicationevent_change admin:childcare_applicationevent_delete
    admin:childcare_applicationevent_history admin:childcare_prioritypolicy_change
    admin:childcare_prioritypolicy_history admin:notifications_notificationpreference_change
    admin:notifications_notificationpreference_delete admin:notifications_notificationpreference_history
    """,
    ("login", "login", "login", "login", "login", "login", "login", "302 /admin/"),
)
_expect(
    """
    admin:autocomplete admin:childcare_backgroundjob_add admin:childcare_offer_add
    admin:childcare_placement_add admin:childcare_prioritypolicy_delete admin:portal_portalsettings_add
    admin:portal_portalsettings_delete
    """,
    ("login", "login", "login", "login", "login", "login", "login", "403"),
)
_expect(
    "admin:logout",
    (
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "405",
    ),
)
_expect(
    "api/v1/^.*$",
    ("404", "404", "404", "404", "404", "404", "404", "404"),
)
_expect(
    "api:my_application",
    ("401", "200", "404", "200", "404", "404", "404", "404"),
)
_expect(
    "api:my_applications api:my_children api:my_offers",
    ("401", "200", "200", "200", "200", "200", "200", "200"),
)
_expect(
    "api:offer_accept api:offer_decline",
    ("401", "405", "405", "405", "405", "405", "405", "405"),
)
_expect(
    "api:office_planning api:office_round api:office_rounds",
    ("401", "403", "403", "403", "403", "403", "200", "403"),
)
_expect(
    "api:staff_facilities",
    ("401", "403", "403", "403", "200", "200", "200", "403"),
)
_expect(
    "api:staff_placements api:staff_waitlist",
    ("401", "403", "403", "403", "200", "404", "200", "403"),
)
_expect(
    "api_tokens_revoke notifications:mark_all_read",
    ("login", "405", "405", "405", "405", "405", "405", "405"),
)
_expect(
    """
    backoffice:application backoffice:note_add backoffice:offer_make backoffice:offer_next
    backoffice:offer_withdraw backoffice:placement_record backoffice:waitlist backoffice:waitlist_csv
    backoffice:wish_reject
    """,
    ("login", "404", "404", "404", "200", "404", "200", "404"),
)
_expect(
    "backoffice:facilities",
    ("login", "404", "404", "404", "200", "200", "200", "404"),
)
_expect(
    """
    backoffice:audit_log backoffice:audit_log_csv
    backoffice:facility_import backoffice:job_progress backoffice:placements_csv
    backoffice:planning_overview backoffice:planning_unmet_csv backoffice:round_detail
    backoffice:round_list backoffice:round_results_csv
    """,
    ("login", "404", "404", "404", "404", "404", "200", "404"),
)
_expect(
    "backoffice:job_resume backoffice:round_compute",
    ("login", "404", "404", "404", "404", "404", "405", "404"),
)
_expect(
    "backoffice:round_publish",
    ("login", "404", "404", "404", "404", "404", "302 /verwaltung/vergabe/<id>/", "404"),
)
_expect(
    "favicon.ico",
    (
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
    ),
)
_expect(
    "letters:application_receipt_pdf letters:offer_letter_pdf parents:document_download",
    ("login", "200", "404", "200", "200", "404", "200", "404"),
)
_expect(
    "letters:placement_confirmation_pdf",
    ("login", "200", "404", "404", "200", "404", "200", "404"),
)
_expect(
    """
    mfa_activate_totp mfa_add_webauthn mfa_edit_webauthn mfa_generate_recovery_codes
    mfa_reauthenticate_webauthn mfa_remove_webauthn
    """,
    (
        "login",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
    ),
)
_expect(
    "mfa_deactivate_totp",
    (
        "login",
        "404",
        "404",
        "404",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
    ),
)
_expect(
    "mfa_download_recovery_codes mfa_view_recovery_codes parents:invitation_accept",
    ("login", "404", "404", "404", "404", "404", "404", "404"),
)
_expect(
    "mfa_reauthenticate",
    (
        "login",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "200",
        "200",
        "200",
        "200",
    ),
)
_expect(
    "notifications:message",
    ("login", "200", "404", "404", "404", "404", "404", "404"),
)
_expect(
    """
    parents:application_detail parents:application_step_criteria parents:application_step_start
    parents:application_step_wishes
    """,
    ("login", "302 /antraege/", "404", "302 /antraege/", "404", "404", "404", "404"),
)
_expect(
    "parents:application_start",
    (
        "login",
        "200",
        "200",
        "200",
        "302 /kinder/neu/",
        "302 /kinder/neu/",
        "302 /kinder/neu/",
        "302 /kinder/neu/",
    ),
)
_expect(
    "parents:application_step_review",
    ("login", "302 /antraege/<id>/", "404", "302 /antraege/<id>/", "404", "404", "404", "404"),
)
_expect(
    """
    parents:application_withdraw parents:child_delete parents:child_edit parents:guardian_invite
    parents:offer_respond parents:wish_withdraw
    """,
    ("login", "200", "404", "200", "404", "404", "404", "404"),
)
_expect(
    """
    parents:document_delete parents:document_upload parents:interest_confirm parents:wish_add
    parents:wish_remove
    """,
    ("405", "405", "405", "405", "405", "405", "405", "405"),
)
_expect(
    "set_language",
    ("302 /", "302 /", "302 /", "302 /", "302 /", "302 /", "302 /", "302 /"),
)


# --- walking the URL configuration ---


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), prefix, pattern
            else:  # unnamed: keyed by its route
                yield f"{prefix}{pattern.pattern}", prefix, pattern


def url_keys() -> list[str]:
    return sorted({key for key, _prefix, _pattern in _walk(get_resolver().url_patterns)})


# --- a real URL for every key, with the scene's objects as arguments ---

ARGUMENTS = {
    "api_tokens_revoke": lambda s: {"public_id": s.token_public_id},
    "account_confirm_email": lambda s: {"key": "not-a-key"},
    "account_reset_password_from_key": lambda s: {"uidb36": "1", "key": "not-a-key"},
    "mfa_remove_webauthn": lambda s: {"pk": 1},
    "mfa_edit_webauthn": lambda s: {"pk": 1},
    "letters:application_receipt_pdf": lambda s: {"public_id": s.application.public_id},
    "letters:offer_letter_pdf": lambda s: {"public_id": s.offer.public_id},
    "letters:placement_confirmation_pdf": lambda s: {"public_id": s.placement.public_id},
    "notifications:message": lambda s: {"public_id": s.message.public_id},
    "backoffice:round_detail": lambda s: {"public_id": s.round.public_id},
    "backoffice:round_compute": lambda s: {"public_id": s.round.public_id},
    "backoffice:round_publish": lambda s: {"public_id": s.round.public_id},
    "backoffice:round_results_csv": lambda s: {"public_id": s.round.public_id},
    "backoffice:job_progress": lambda s: {"public_id": s.job.public_id},
    "backoffice:job_resume": lambda s: {"public_id": s.job.public_id},
    "backoffice:application": lambda s: {"public_id": s.application.public_id},
    "backoffice:note_add": lambda s: {"public_id": s.application.public_id},
    "backoffice:waitlist": lambda s: {"slug": s.facility_x.slug},
    "backoffice:waitlist_csv": lambda s: {"slug": s.facility_x.slug},
    "backoffice:offer_next": lambda s: {"slug": s.facility_x.slug},
    "backoffice:offer_make": lambda s: {"slug": s.facility_x.slug, "public_id": s.application.public_id},
    "backoffice:wish_reject": lambda s: {"slug": s.facility_x.slug, "public_id": s.application.public_id},
    "backoffice:placement_record": lambda s: {
        "slug": s.facility_x.slug,
        "public_id": s.application.public_id,
    },
    "backoffice:offer_withdraw": lambda s: {"slug": s.facility_x.slug, "public_id": s.offer.public_id},
    "parents:wish_add": lambda s: {"slug": s.facility_x.slug},
    "parents:wish_remove": lambda s: {"slug": s.facility_x.slug},
    "parents:facility_detail": lambda s: {"slug": s.facility_x.slug},
    "parents:child_edit": lambda s: {"public_id": s.child.public_id},
    "parents:child_delete": lambda s: {"public_id": s.child.public_id},
    "parents:guardian_invite": lambda s: {"public_id": s.child.public_id},
    "parents:application_detail": lambda s: {"public_id": s.application.public_id},
    "parents:application_step_start": lambda s: {"public_id": s.application.public_id},
    "parents:application_step_wishes": lambda s: {"public_id": s.application.public_id},
    "parents:application_step_criteria": lambda s: {"public_id": s.application.public_id},
    "parents:application_step_review": lambda s: {"public_id": s.application.public_id},
    "parents:application_withdraw": lambda s: {"public_id": s.application.public_id},
    "parents:wish_withdraw": lambda s: {"public_id": s.application.public_id, "rank": 1},
    "parents:interest_confirm": lambda s: {"public_id": s.application.public_id},
    "parents:interest_confirm_link": lambda s: {"token": s.confirm_token},
    "parents:invitation_accept": lambda s: {"public_id": s.invitation.public_id},
    "parents:document_upload": lambda s: {"public_id": s.application.public_id},
    "parents:document_download": lambda s: {"public_id": s.document.public_id},
    "parents:document_delete": lambda s: {"public_id": s.document.public_id},
    "parents:offer_respond": lambda s: {"public_id": s.offer.public_id},
    "api:facility_detail": lambda s: {"slug": s.facility_x.slug},
    "api:my_application": lambda s: {"public_id": s.application.public_id},
    "api:offer_accept": lambda s: {"public_id": s.offer.public_id},
    "api:offer_decline": lambda s: {"public_id": s.offer.public_id},
    "api:staff_waitlist": lambda s: {"slug": s.facility_x.slug},
    "api:staff_placements": lambda s: {"slug": s.facility_x.slug},
    "api:office_round": lambda s: {"public_id": s.round.public_id},
    "api:confirm_interest": lambda s: {"public_id": s.application.public_id},
    "api:staff_offer_make": lambda s: {"slug": s.facility_x.slug, "public_id": s.application.public_id},
    "api:staff_wish_reject": lambda s: {"slug": s.facility_x.slug, "public_id": s.application.public_id},
    "backoffice:webhooks": lambda s: {"slug": s.facility_x.slug},
    "notifications_office:resend": lambda s: {"public_id": uuid.uuid4()},  # POST only: refused before lookup
}

# Unnamed routes: a concrete path for each.
UNNAMED_PATHS = {
    "favicon.ico": "/favicon.ico",
    "admin/login/": "/admin/login/",
    "admin/(?P<url>.*)$": "/admin/no-such-page/",
    "api/v1/^.*$": "/api/v1/no-such-endpoint/",
}


def _admin_object_id(name: str):
    """``admin:childcare_offer_change`` -> the pk of an existing offer."""
    for model in apps.get_models():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            obj = model.objects.order_by("pk").first()
            return obj.pk if obj else 0
    raise AssertionError(f"no model for {name}")


def _old_admin_change_url(key: str) -> bool:
    """The admin's unnamed ``<model>/<id>/``: it only redirects to the named change URL, checked there."""
    return key.startswith("admin/") and key.endswith("<path:object_id>/")


def url_for(key: str, scene) -> str | None:
    if key in UNNAMED_PATHS:
        return UNNAMED_PATHS[key]
    if _old_admin_change_url(key):
        return None
    if key in ARGUMENTS:
        return reverse(key, kwargs=ARGUMENTS[key](scene))
    if key == "admin:app_list":
        return reverse(key, kwargs={"app_label": "childcare"})
    if key == "admin:view_on_site":
        return reverse(key, args=[scene.content_type_id, scene.application.pk])
    if key == "admin:auth_user_password_change":
        return reverse(key, args=[scene.users["parent_a"].pk])
    if key.startswith("admin:") and key.endswith(("_change", "_delete", "_history")) and key.count("_") > 1:
        return reverse(key, args=[_admin_object_id(key)])
    return reverse(key)


LOGIN_PATHS = ("/konto/login/", "/admin/login/")


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def outcome(response) -> str:
    """``200``, ``404``, ``login`` or ``302 /where/<id>/`` (ids replaced, query and fragment dropped)."""
    if response.status_code in (301, 302):
        location = response.headers["Location"]
        if location.startswith(LOGIN_PATHS):
            return "login"
        return "302 " + UUID.sub("<id>", location.split("?")[0].split("#")[0])
    return str(response.status_code)


def fetch(clients: dict, scene, persona: str, key: str, url: str):
    """GET ``url`` as ``persona``: pages with the session, the API with the persona's API key."""
    client = clients[persona]
    if url.startswith("/api/v1/") and persona != "anonymous":
        return client.get(url, headers={"Authorization": f"Bearer {scene.api_keys[persona]}"})
    return client.get(url)


def signed_in_clients(scene) -> dict:
    clients = {}
    for persona in PERSONAS:
        clients[persona] = PortalClient()
        if scene.users[persona] is not None:
            clients[persona].force_login(scene.users[persona])
    return clients


# --- the tests ---


def test_every_url_is_in_the_table():
    """A new URL needs a row: whoever adds a page decides who may open it."""
    keys = {key for key in url_keys() if not _old_admin_change_url(key)}
    missing = sorted(keys - set(EXPECTED) - SAME_FOR_EVERYONE)
    assert not missing, f"URLs without expected outcomes in the permission matrix: {missing}"
    stale = sorted(set(EXPECTED) - keys)
    assert not stale, f"Rows for URLs that no longer exist: {stale}"


def test_every_url_answers_every_persona_as_expected():
    scene = build_scene()
    clients = signed_in_clients(scene)
    wrong = []
    for key in url_keys():
        url = url_for(key, scene)
        if url is None:
            continue
        got = tuple(outcome(fetch(clients, scene, persona, key, url)) for persona in PERSONAS)
        if key in SAME_FOR_EVERYONE:
            if len(set(got)) != 1:
                wrong.append((key, got))
        elif got != EXPECTED[key]:
            wrong.append((key, dict(zip(PERSONAS, got, strict=True)), "expected", EXPECTED[key]))
    assert not wrong, "\n".join(map(str, wrong))


def test_refusals_name_nothing(client):
    """A refused object is a plain 404: no redirect, no id in a header."""
    scene = build_scene()
    clients = signed_in_clients(scene)
    refused = [
        ("leader_y", reverse("backoffice:application", args=[scene.application.public_id])),
        ("leader_y", reverse("letters:placement_confirmation_pdf", args=[scene.placement.public_id])),
        ("parent_b", reverse("parents:document_download", args=[scene.document.public_id])),
    ]
    for persona, url in refused:
        response = clients[persona].get(url)
        assert response.status_code == 404
        headers = " ".join(f"{name}: {value}" for name, value in response.headers.items())
        assert str(scene.application.public_id) not in headers
    for persona in ("leader_x", "leader_y", "parent_b"):
        response = clients[persona].post(reverse("parents:document_delete", args=[scene.document.public_id]))
        assert response.status_code == 404
        assert "Location" not in response.headers


def test_staff_access_ends_with_the_wish_and_with_a_placement_elsewhere():
    """The scene's two stories, spelled out: Y's leader saw both applications while Y was wished for."""
    from childcare.models import Wish, WishStatus

    scene = build_scene()
    clients = signed_in_clients(scene)
    leader_y = clients["leader_y"]
    pages = [
        reverse("backoffice:application", args=[scene.application.public_id]),
        reverse("backoffice:application", args=[scene.placed_application.public_id]),
    ]
    for application in (scene.application, scene.placed_application):
        Wish.objects.filter(application=application, facility=scene.facility_y).update(
            status=WishStatus.ACTIVE
        )
    assert [leader_y.get(page).status_code for page in pages] == [200, 200]
    Wish.objects.filter(application=scene.application, facility=scene.facility_y).update(
        status=WishStatus.WITHDRAWN
    )
    Wish.objects.filter(application=scene.placed_application, facility=scene.facility_y).update(
        status=WishStatus.INACTIVE
    )
    assert [leader_y.get(page).status_code for page in pages] == [404, 404]
