"""The messages of a round's result, for a whole batch of families at once.

Every family of a round gets the same text up to its child's name, its reference number, the
facility and its link. Rendering the templates (subject, text and HTML, per guardian) took
most of the time of publishing a city's round, so a batch renders each variant (language x
offered or not) once with stand-in values and fills in each family's own. The first family of
every variant is also rendered the ordinary way (``guardian_messages``) and must come out
identical; if it does not (a template that transforms one of the values), that variant is
rendered the ordinary way for every family of the batch.
"""

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape

from childcare.admissions.messages import about_case, guardian_link, guardian_messages
from childcare.models import Application, Child, Facility, Offer, OfferStatus
from notifications.models import OutboxMessage
from notifications.rendering import SUBJECT_MAX_LENGTH, supported_language
from notifications.services import build_message

KIND = "allocation_result"
# Stand-ins: letters and digits only, so that escaping leaves them as they are.
NAME, REFERENCE, FACILITY = "Xq7NameStandIn", "Xq7ReferenceStandIn", "Xq7FacilityStandIn"
APPLICATION_ID, OFFER_ID = uuid.UUID(int=0x7A), uuid.UUID(int=0x7B)


@dataclass(frozen=True)
class Family:
    """One family's result: its application (child and guardians loaded), and its offer if it got one."""

    application: Application
    offer: Offer | None = None
    facility: Facility | None = None


def result_key(*, round_id: int, application_id: int) -> str:
    return f"round:{round_id}:application:{application_id}"


def result_messages(
    *, round_id: int, families: Sequence[Family], expires_at: datetime.datetime, portal_settings
) -> list[OutboxMessage]:
    """The unsaved outbox rows of ``families``, one per guardian, as ``guardian_messages`` writes them."""
    variants: dict[tuple[str, bool], _Variant | None] = {}
    messages = []
    for family in families:
        for guardian in family.application.child.guardians.all():
            key = (supported_language(guardian.language), family.offer is not None)
            if key not in variants:
                variants[key] = _Variant.checked(
                    family,
                    guardian,
                    round_id=round_id,
                    expires_at=expires_at,
                    portal_settings=portal_settings,
                )
            variant = variants[key]
            if variant is None:
                messages.extend(_rendered(family, round_id, portal_settings, only=guardian))
            else:
                messages.append(variant.fill(family, guardian, round_id=round_id))
    return messages


def _context(family: Family) -> dict:
    return {"facility": family.facility, "offer": family.offer}


def _rendered(family: Family, round_id: int, portal_settings, *, only=None) -> list[OutboxMessage]:
    """The ordinary way: ``guardian_messages`` for the family (one guardian of it, if ``only``)."""
    messages = guardian_messages(
        application=family.application,
        kind=KIND,
        key=result_key(round_id=round_id, application_id=family.application.pk),
        context=_context(family),
        portal_settings=portal_settings,
    )
    return [m for m in messages if only is None or m.recipient == only]


@dataclass(frozen=True)
class _Variant:
    """A message rendered with stand-in values, to be filled in per family."""

    language: str
    subject: str
    body_text: str
    body_html: str

    @classmethod
    def checked(
        cls, family: Family, guardian, *, round_id: int, expires_at, portal_settings
    ) -> "_Variant | None":
        """The variant of ``family`` and ``guardian``, if filling it in gives the ordinary message."""
        stand_in = Application(public_id=APPLICATION_ID, reference=REFERENCE, child=Child(first_name=NAME))
        offer = None
        if family.offer is not None:
            offer = Offer(public_id=OFFER_ID, status=OfferStatus.OPEN, expires_at=expires_at)
        context = {"facility": Facility(name=FACILITY) if offer else None, "offer": offer}
        link, label = guardian_link(application=stand_in, context=context)
        message = build_message(
            recipient=guardian,
            kind=KIND,
            dedupe_key="",
            context={
                "application": stand_in,
                "child": stand_in.child,
                **context,
                "link": link,
                "link_label": label,
            },
            portal_settings=portal_settings,
        )
        if message is None:
            return None
        variant = cls(message.language, message.subject, message.body_text, message.body_html)
        expected = _rendered(family, round_id, portal_settings, only=guardian)
        filled = variant.fill(family, guardian, round_id=round_id)
        fields = (
            "recipient_id",
            "to_email",
            "language",
            "subject",
            "body_text",
            "body_html",
            "dedupe_key",
            "about",
        )
        if len(expected) != 1 or any(getattr(expected[0], f) != getattr(filled, f) for f in fields):
            return None
        return variant

    def fill(self, family: Family, guardian, *, round_id: int) -> OutboxMessage:
        application = family.application
        values = {
            NAME: application.child.first_name,
            REFERENCE: application.reference,
            FACILITY: family.facility.name if family.facility else "",
            str(APPLICATION_ID): str(application.public_id),
            str(OFFER_ID): str(family.offer.public_id) if family.offer else "",
        }
        subject = " ".join(_replace(self.subject, values, escaped=False).split())[:SUBJECT_MAX_LENGTH]
        return OutboxMessage(
            recipient=guardian,
            to_email=guardian.email,
            kind=KIND,
            language=self.language,
            subject=subject,
            body_text=_replace(self.body_text, values, escaped=False),
            body_html=_replace(self.body_html, values, escaped=True),
            dedupe_key=f"{result_key(round_id=round_id, application_id=application.pk)}:user:{guardian.pk}",
            attachments=[],
            about=about_case(application=application, context=_context(family)),
        )


def _replace(text: str, values: dict[str, str], *, escaped: bool) -> str:
    for stand_in, value in values.items():
        text = text.replace(stand_in, escape(value) if escaped else value)
    return text
