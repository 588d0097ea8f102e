"""Signed events for a facility's daycare software, written as outbox rows with the change.

The transitions call one hook each (``offer_accepted``, ``placement_recorded``,
``wish_withdrawn``) inside their transaction. Each active endpoint of the facility gets a
``WebhookDelivery`` row with one event id shared by all endpoints; the delivery task is queued
when the transaction commits (see ``webhook_delivery``). No endpoint: nothing is written.

Signing follows Standard Webhooks (standardwebhooks.com): HMAC-SHA256 with the endpoint's
secret over ``{id}.{timestamp}.{body}``, sent as ``Webhook-Signature: v1,<base64>`` with
``Webhook-Id`` (receivers drop an id they have seen) and ``Webhook-Timestamp`` (seconds).
"""

import base64
import hashlib
import hmac
import secrets
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.actors import Actor, require_actor
from childcare.errors import DomainError
from childcare.models import Facility, Offer, Placement, WebhookDelivery, WebhookEndpoint, Wish

SECRET_PREFIX = "whsec_"


class EventType:
    OFFER_ACCEPTED = "offer.accepted"
    PLACEMENT_CREATED = "placement.created"
    WISH_WITHDRAWN = "wish.withdrawn"


# --- hooks: one line in a transition each ---


def offer_accepted(*, offer: Offer, placement: Placement) -> None:
    """The family took the place: the offer's answer and the new placement, two events."""
    queue_event(
        facility=offer.wish.facility, event_type=EventType.OFFER_ACCEPTED, data=_offer(offer, placement)
    )
    placement_recorded(placement=placement)


def placement_recorded(*, placement: Placement) -> None:
    """A placement was created, by an accepted offer or recorded by staff."""
    queue_event(
        facility=placement.facility, event_type=EventType.PLACEMENT_CREATED, data=_placement(placement)
    )


def wish_withdrawn(*, wish: Wish) -> None:
    """The family took this facility off its application: it leaves the facility's waitlist."""
    queue_event(facility=wish.facility, event_type=EventType.WISH_WITHDRAWN, data=_wish(wish))


def queue_event(*, facility: Facility, event_type: str, data: dict) -> list[WebhookDelivery]:
    """One delivery row per active endpoint of ``facility``, in the caller's transaction."""
    endpoints = list(WebhookEndpoint.objects.filter(facility=facility, active=True).only("pk"))
    if not endpoints:
        return []
    event_id = uuid.uuid4()
    payload = {"type": event_type, "timestamp": timezone.now().isoformat(), "data": data}
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event_id=event_id, event_type=event_type, payload=payload)
        for endpoint in endpoints
    )
    # Imported here: the delivery module imports the task module, which imports the models.
    from childcare.api.webhook_delivery import enqueue_delivery

    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: [enqueue_delivery(pk) for pk in ids])
    return deliveries


# --- payloads: what daycare software needs to act, addressed by the API's ids ---


def _child(child) -> dict:
    return {
        "id": str(child.public_id),
        "first_name": child.first_name,
        "last_name": child.last_name,
        "birth_date": child.birth_date.isoformat(),
    }


def _offer(offer: Offer, placement: Placement) -> dict:
    return {
        "offer": str(offer.public_id),
        "application": str(offer.application.public_id),
        "reference": offer.application.reference,
        "facility": offer.wish.facility.slug,
        "age_band": offer.wish.age_band,
        "start_date": offer.start_date.isoformat(),
        "placement": str(placement.public_id),
    }


def _placement(placement: Placement) -> dict:
    return {
        "placement": str(placement.public_id),
        "facility": placement.facility.slug,
        "child": _child(placement.child),
        "age_band": placement.age_band,
        "start_date": placement.start_date.isoformat(),
        "end_date": placement.end_date.isoformat() if placement.end_date else None,
        "care_hours_per_week": placement.care_hours_per_week,
        "offer": str(placement.source_offer.public_id) if placement.source_offer_id else None,
    }


def _wish(wish: Wish) -> dict:
    return {
        "application": str(wish.application.public_id),
        "reference": wish.application.reference,
        "facility": wish.facility.slug,
        "age_band": wish.age_band,
        "rank": wish.rank,
    }


# --- signing ---


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(*, secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256>`` over ``{id}.{timestamp}.{body}`` with the secret's decoded bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{event_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


# --- endpoints, managed by the facility's staff ---


def _require_staff(by: Actor, facility: Facility) -> None:
    require_actor(by)
    if not permissions.is_facility_staff(by, facility):
        raise DomainError(_("You cannot manage webhooks for this facility."))


def endpoints_of(facility: Facility):
    return WebhookEndpoint.objects.filter(facility=facility).order_by("created_at")


def create_endpoint(*, facility: Facility, url: str, by: Actor) -> WebhookEndpoint:
    """A new active endpoint with a fresh secret; the caller shows the secret once."""
    _require_staff(by, facility)
    endpoint = WebhookEndpoint(facility=facility, url=url, secret=new_secret(), created_by=by)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def set_endpoint_active(*, endpoint: WebhookEndpoint, active: bool, by: Actor) -> WebhookEndpoint:
    """Pause or resume an endpoint: paused, it gets no new events (queued ones still go out)."""
    _require_staff(by, endpoint.facility)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=active)
    endpoint.active = active
    return endpoint


def delete_endpoint(*, endpoint: WebhookEndpoint, by: Actor) -> None:
    _require_staff(by, endpoint.facility)
    endpoint.delete()
