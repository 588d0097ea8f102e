"""Writes through the API: staff offer and reject on their own facility's waitlist, families
re-confirm their interest. Same services as the pages; their rules answer 409."""

import datetime

import pytest
from django.utils import timezone

from childcare.api import tokens
from childcare.models import (
    AgeBand,
    ApiToken,
    ApplicationEvent,
    ApplicationStatus,
    EventKind,
    Offer,
    OfferStatus,
    WishStatus,
)
from tests.api.conftest import issue
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    FacilityFactory,
    GuardianshipFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db
START = timezone.localdate() + datetime.timedelta(days=60)
WRITE = ApiToken.Scope.WRITE


@pytest.fixture
def wish(facility, child):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=2)
    return WishFactory(application=ApplicationFactory(child=child), facility=facility)


def offer_url(facility, application) -> str:
    return f"/api/v1/staff/facilities/{facility.slug}/applications/{application.public_id}/offer/"


def reject_url(facility, application) -> str:
    return f"/api/v1/staff/facilities/{facility.slug}/applications/{application.public_id}/reject/"


def test_staff_make_an_offer_and_the_family_is_told(as_user, staff, wish, parent):
    answer_by = timezone.localdate() + datetime.timedelta(days=10)
    response = as_user(staff, WRITE).post(
        offer_url(wish.facility, wish.application),
        {"start_date": START.isoformat(), "answer_by": answer_by.isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    offer = Offer.objects.get()
    assert response.json()["id"] == str(offer.public_id)
    assert offer.status == OfferStatus.OPEN
    assert offer.start_date == START
    assert timezone.localtime(offer.expires_at).date() == answer_by
    wish.refresh_from_db()
    assert wish.status == WishStatus.OFFERED
    assert ApplicationEvent.objects.filter(kind=EventKind.OFFER_MADE, actor=staff).exists()


def test_an_offer_without_a_free_place_answers_409_and_changes_nothing(as_user, staff, wish):
    wish.facility.capacities.update(places=0)
    response = as_user(staff, WRITE).post(
        offer_url(wish.facility, wish.application), {"start_date": START.isoformat()}, format="json"
    )
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["type"] == "/api/problems/conflict"
    assert not Offer.objects.exists()


def test_an_offer_with_a_past_start_date_answers_400(as_user, staff, wish):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = as_user(staff, WRITE).post(
        offer_url(wish.facility, wish.application), {"start_date": yesterday.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"start_date"}
    assert not Offer.objects.exists()


def test_staff_reject_a_wish_with_a_reason(as_user, staff, wish):
    response = as_user(staff, WRITE).post(
        reject_url(wish.facility, wish.application), {"reason": "Nur Geschwisterkinder"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == WishStatus.REJECTED
    wish.refresh_from_db()
    assert wish.status == WishStatus.REJECTED


def test_a_rejection_without_a_reason_answers_400(as_user, staff, wish):
    response = as_user(staff, WRITE).post(reject_url(wish.facility, wish.application), {}, format="json")
    assert response.status_code == 400
    wish.refresh_from_db()
    assert wish.status == WishStatus.ACTIVE


def test_rejecting_twice_answers_409(as_user, staff, wish):
    client = as_user(staff, WRITE)
    assert (
        client.post(reject_url(wish.facility, wish.application), {"reason": "x"}, format="json").status_code
        == 200
    )
    response = client.post(reject_url(wish.facility, wish.application), {"reason": "x"}, format="json")
    assert response.status_code == 409


@pytest.mark.parametrize("action", [offer_url, reject_url])
def test_staff_of_another_facility_get_404(as_user, other_staff, wish, action):
    body = {"start_date": START.isoformat(), "reason": "x"}
    response = as_user(other_staff, WRITE).post(action(wish.facility, wish.application), body, format="json")
    assert response.status_code == 404
    wish.refresh_from_db()
    assert wish.status == WishStatus.ACTIVE


def test_staff_cannot_reach_another_facilitys_wish_through_their_own_slug(as_user, staff, facility, child):
    elsewhere = WishFactory(application=ApplicationFactory(child=child), facility=FacilityFactory())
    response = as_user(staff, WRITE).post(
        reject_url(facility, elsewhere.application), {"reason": "x"}, format="json"
    )
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == WishStatus.ACTIVE


@pytest.mark.parametrize("action", [offer_url, reject_url])
def test_a_read_only_key_may_not_write(as_user, staff, wish, action):
    body = {"start_date": START.isoformat(), "reason": "x"}
    response = as_user(staff).post(action(wish.facility, wish.application), body, format="json")
    assert response.status_code == 403
    assert not Offer.objects.exists()
    wish.refresh_from_db()
    assert wish.status == WishStatus.ACTIVE


@pytest.mark.parametrize("spoil", ["expire", "revoke"])
def test_expired_or_revoked_keys_answer_401_on_writes(api, staff, wish, spoil):
    key = issue(staff, WRITE)
    token = ApiToken.objects.get(key_hash=tokens.hash_key(key))
    if spoil == "expire":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    else:
        tokens.revoke_token(token=token, by=staff)
    response = api.post(
        reject_url(wish.facility, wish.application),
        {"reason": "x"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 401
    wish.refresh_from_db()
    assert wish.status == WishStatus.ACTIVE


def test_a_family_cannot_use_the_staff_endpoints(as_user, parent, wish):
    response = as_user(parent, WRITE).post(
        reject_url(wish.facility, wish.application), {"reason": "x"}, format="json"
    )
    assert response.status_code == 403


# --- families: "we still want a place" ---


def confirm_url(application) -> str:
    return f"/api/v1/me/applications/{application.public_id}/confirm-interest/"


def test_a_family_reconfirms_its_interest(as_user, parent, wish):
    application = wish.application
    application.__class__.objects.filter(pk=application.pk).update(
        last_confirmed_at=timezone.now() - datetime.timedelta(days=200)
    )
    response = as_user(parent, WRITE).post(confirm_url(application))
    assert response.status_code == 200
    application.refresh_from_db()
    assert timezone.now() - application.last_confirmed_at < datetime.timedelta(minutes=1)
    assert response.json()["last_confirmed_at"] is not None
    assert ApplicationEvent.objects.filter(
        application=application, kind=EventKind.INTEREST_CONFIRMED
    ).exists()


def test_reconfirming_a_closed_application_answers_409(as_user, parent, wish):
    wish.application.__class__.objects.filter(pk=wish.application.pk).update(
        status=ApplicationStatus.WITHDRAWN
    )
    response = as_user(parent, WRITE).post(confirm_url(wish.application))
    assert response.status_code == 409


def test_another_family_cannot_reconfirm(as_user, other_parent, wish):
    assert as_user(other_parent, WRITE).post(confirm_url(wish.application)).status_code == 404


def test_reconfirming_with_a_read_only_key_answers_403(as_user, parent, wish):
    assert as_user(parent).post(confirm_url(wish.application)).status_code == 403


def test_a_second_guardian_may_reconfirm(as_user, other_parent, wish):
    GuardianshipFactory(user=other_parent, child=wish.application.child)
    assert as_user(other_parent, WRITE).post(confirm_url(wish.application)).status_code == 200
