import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from childcare.api import tokens
from childcare.errors import DomainError
from childcare.models import ApiToken
from tests.api.conftest import issue

pytestmark = pytest.mark.django_db


def test_a_key_is_stored_only_as_its_hash(parent):
    issued = tokens.create_token(user=parent, name="Kita-App", scope="read", valid_days=30)
    assert issued.key.startswith(f"kp_{issued.token.public_id}_")
    stored = ApiToken.objects.get()
    assert issued.key not in {stored.key_hash, stored.public_id}
    assert stored.key_hash == tokens.hash_key(issued.key)


def test_a_valid_key_authenticates_and_records_its_use(api, parent, child):
    key = issue(parent)
    response = api.get("/api/v1/me/children/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert [c["first_name"] for c in response.json()["results"]] == [child.first_name]
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize("header", ["Bearer kp_nothing_here", "Bearer", "Bearer a b", "Bearer not-a-kp-key"])
def test_unknown_or_malformed_keys_answer_401(api, parent, header):
    response = api.get("/api/v1/me/children/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_and_revoked_keys_answer_401(api, parent):
    expired = issue(parent)
    ApiToken.objects.filter(key_hash=tokens.hash_key(expired)).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert api.get("/api/v1/me/children/", HTTP_AUTHORIZATION=f"Bearer {expired}").status_code == 401
    revoked = issue(parent)
    token = ApiToken.objects.get(key_hash=tokens.hash_key(revoked))
    tokens.revoke_token(token=token, by=parent)
    response = api.get("/api/v1/me/children/", HTTP_AUTHORIZATION=f"Bearer {revoked}")
    assert response.status_code == 401


def test_without_a_key_family_endpoints_answer_401(api):
    assert api.get("/api/v1/me/applications/").status_code == 401


def test_only_the_owner_revokes(parent, other_parent):
    issued = tokens.create_token(user=parent, name="x", scope="read", valid_days=1)
    with pytest.raises(DomainError):
        tokens.revoke_token(token=issued.token, by=other_parent)
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_staff_keys_need_a_second_factor(staff, municipal_office):
    Authenticator.objects.filter(user__in=[staff, municipal_office]).delete()  # the personas come with one
    for user in (staff, municipal_office):
        with pytest.raises(tokens.SecondFactorRequired):
            tokens.create_token(user=user, name="x", scope="read", valid_days=1)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert tokens.create_token(user=staff, name="x", scope="read", valid_days=1).token.user == staff


def test_validity_is_bounded_by_the_setting(parent, settings):
    settings.API_TOKEN_MAX_DAYS = 10
    with pytest.raises(DomainError):
        tokens.create_token(user=parent, name="x", scope="read", valid_days=11)


# --- the account page ---


def test_token_page_creates_a_key_shown_once(client, parent):
    client.force_login(parent)
    response = client.post("/konto/api-tokens/", {"name": "Meine App", "scope": "read", "valid_days": "30"})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=parent)
    key = response.context["issued"].key
    assert key.encode() in response.content
    assert tokens.hash_key(key) == token.key_hash
    again = client.get("/konto/api-tokens/")
    assert key.encode() not in again.content
    assert token.prefix.encode() in again.content


def test_token_page_refuses_staff_without_second_factor_and_links_the_setup(client, staff):
    Authenticator.objects.filter(user=staff).delete()
    client.force_login(staff)
    page = client.get("/konto/api-tokens/")
    assert b'href="/konto/2fa/"' in page.content
    response = client.post("/konto/api-tokens/", {"name": "x", "scope": "read", "valid_days": "30"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_token_page_rejects_bad_input_without_creating_anything(client, parent):
    client.force_login(parent)
    response = client.post("/konto/api-tokens/", {"name": "", "scope": "admin", "valid_days": "9999"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "scope", "valid_days"}
    assert not ApiToken.objects.exists()


def test_a_person_revokes_only_their_own_keys(client, parent, other_parent):
    mine = tokens.create_token(user=parent, name="x", scope="read", valid_days=1).token
    theirs = tokens.create_token(user=other_parent, name="y", scope="read", valid_days=1).token
    client.force_login(parent)
    assert client.post(f"/konto/api-tokens/{theirs.public_id}/widerrufen/").status_code == 404
    assert client.post(f"/konto/api-tokens/{mine.public_id}/widerrufen/").status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None
    assert theirs.revoked_at is None


def test_token_page_needs_login(client):
    assert client.get("/konto/api-tokens/").status_code == 302


def test_every_successful_key_use_sends_token_used_once(api, parent, child):
    from childcare.api.authentication import token_used

    uses = []

    def record(sender, token, user, request, **kwargs):
        uses.append((token.pk, user, request.path))

    token_used.connect(record)
    try:
        key = issue(parent)
        api.get("/api/v1/me/children/", HTTP_AUTHORIZATION=f"Bearer {key}")
        api.get("/api/v1/me/applications/", HTTP_AUTHORIZATION=f"Bearer {key}")
        api.get("/api/v1/me/children/", HTTP_AUTHORIZATION="Bearer kp_unknown_key")
        api.get("/api/v1/facilities/")
    finally:
        token_used.disconnect(record)
    token = ApiToken.objects.get()
    assert uses == [
        (token.pk, parent, "/api/v1/me/children/"),
        (token.pk, parent, "/api/v1/me/applications/"),
    ]


def test_every_key_use_is_in_the_audit_log(api, parent, child):
    from portal.models import AuditEntry

    key = tokens.create_token(user=parent, name="Familien-App", scope="read", valid_days=1)
    response = api.get("/api/v1/me/children/", HTTP_AUTHORIZATION=f"Bearer {key.key}")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action=AuditEntry.Action.API_KEY_USED)
    assert (entry.actor_user_id, entry.object_ref) == (parent.pk, key.token.public_id)
    assert entry.detail == "GET /api/v1/me/children/"
    assert key.key not in entry.detail
    api.get("/api/v1/me/children/", HTTP_AUTHORIZATION="Bearer kp_nope_nope")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.API_KEY_USED).count() == 1
