"""Every URL of the portal × eight personas, against a table of expected outcomes.

The URL list is read from the URL configuration (including the admin and /api/v1/), so a new
page that is not in ``EXPECTED`` fails ``test_every_url_is_in_the_table``: whoever adds a URL
decides who may open it. ``EXPECTED`` holds the outcomes of a GET, ``POST_EXPECTED`` those of a
POST without fields: a status code, or ``login`` for a redirect to a sign-in page. A refused POST
writes no row (all tables counted in one query; each POST is rolled back afterwards, so every
request meets the same scene). Refusals of objects are 404 (outsiders learn nothing), of whole areas 403 or a
sign-in redirect. The scene (tests/portal/matrix_scene.py) has the leader of Y lose access to
family A: A withdrew the wish for Y, and A's second child was placed at X (its wish for Y inactive).
"""

import re
import uuid
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PortalClient
from tests.portal.matrix_scene import PERSONAS, build_scene
from tests.portal.permission_table import EXPECTED, SAME_FOR_EVERYONE
from tests.portal.permission_table_post import POST_EXPECTED
from tests.portal.rows import row_counts, undone, written

pytestmark = pytest.mark.django_db


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


def fetch(clients: dict, scene, persona: str, key: str, url: str, method: str = "get"):
    """Ask ``url`` as ``persona``: pages with the session, the API with the persona's API key.

    A POST carries no fields (an empty form; ``{}`` to the API, which reads JSON only).
    """
    client = clients[persona]
    kwargs = {}
    if url.startswith("/api/v1/"):
        if persona != "anonymous":
            kwargs["headers"] = {"Authorization": f"Bearer {scene.api_keys[persona]}"}
        if method == "post":
            kwargs.update(data={}, content_type="application/json")
    try:
        return getattr(client, method)(url, **kwargs)
    except Exception as error:  # the test client re-raises what the view raised: a 500 to a visitor
        return ServerError(error)


@dataclass
class ServerError:
    error: Exception
    status_code: int = 500
    headers: dict = field(default_factory=dict)


def post_and_undo(clients: dict, scene, persona: str, key: str, url: str):
    """POST as ``persona`` and undo it, so every POST meets the same scene.

    Returns the response and the row counts the request left behind.
    """
    with undone(clients[persona]):
        response = fetch(clients, scene, persona, key, url, method="post")
        counts = row_counts()
    return response, counts


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
    missing_post = sorted(keys - set(POST_EXPECTED) - SAME_FOR_EVERYONE)
    assert not missing_post, f"URLs without expected outcomes of a POST: {missing_post}"
    stale_post = sorted(set(POST_EXPECTED) - keys)
    assert not stale_post, f"POST rows for URLs that no longer exist: {stale_post}"


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


# Outcomes that refuse the request: it must write nothing and name no object in its headers.
REFUSALS = {"login", "401", "403", "404", "405"}


def test_every_url_answers_a_post_of_every_persona_as_expected():
    """An empty POST to every URL as every persona: refusals as in the table, writing nothing;
    allowed ones do what their form does with no data, and nothing answers 500."""
    scene = build_scene()
    clients = signed_in_clients(scene)
    before = row_counts()
    names = scene_ids(scene)
    wrong = []
    for key in url_keys():
        url = url_for(key, scene)
        if url is None:
            continue
        got = []
        for persona in PERSONAS:
            response, after = post_and_undo(clients, scene, persona, key, url)
            result = outcome(response)
            got.append(result)
            if result in REFUSALS:
                if after != before:
                    wrong.append((key, persona, result, "wrote", written(before, after)))
                headers = " ".join(f"{name}: {value}" for name, value in response.headers.items())
                # The sign-in redirect repeats the URL asked for (``next``): only other ids would leak.
                if leaked := [name for name in names if name in headers and name not in url]:
                    wrong.append((key, persona, result, "named in headers", leaked))
        got = tuple(got)
        if key in SAME_FOR_EVERYONE:
            if len(set(got)) != 1:
                wrong.append((key, got))
        elif got != POST_EXPECTED[key]:
            wrong.append((key, dict(zip(PERSONAS, got, strict=True)), "expected", POST_EXPECTED[key]))
    assert not wrong, "\n".join(map(str, wrong))


def scene_ids(scene) -> list[str]:
    """The opaque ids of the scene's objects: what a refusal must not reveal."""
    objects = (scene.application, scene.offer, scene.placement, scene.placed_application, scene.document)
    return [str(obj.public_id) for obj in objects] + [str(scene.round.public_id), str(scene.job.public_id)]


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
