"""Messages to the people an application concerns, written in the changing transaction.

Every message links straight to what it is about, and its button says what the link opens: an
open offer to its answer page, an application that has ended on no waiting list to a new
application, anything else about an application to that application's page; staff to the
application as staff see it, or to the waiting list.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as KombuOperationalError

from childcare.models import Application, ApplicationStatus, Facility, OfferStatus
from notifications.dispatch import enqueue_delivery
from notifications.models import OutboxMessage
from notifications.services import build_message, notify

logger = logging.getLogger(__name__)

# Rows per INSERT when many messages are written at once (a round): bounded statements.
MESSAGE_INSERT_BATCH = 1000

# An application in one of these is on no waiting list any more: what the family can do is apply again.
ENDED_WITHOUT_PLACE = (ApplicationStatus.CLOSED, ApplicationStatus.EXPIRED)

# Button texts of links a caller brings along itself (e.g. the signed one-click confirmation).
OWN_LINK_LABELS = {"reconfirmation_request": _("Confirm application")}


def absolute(path: str) -> str:
    """The full address of a page of this portal, as e-mails and PDFs need it."""
    return f"{settings.SITE_URL}{path}"


def guardian_link(*, application: Application, context: dict) -> tuple[str, str]:
    """The page a message to a family opens, and its button text.

    An open offer > a new application, if this one ended without a place > the application.
    """
    offer = context.get("offer")
    if offer is not None and offer.status == OfferStatus.OPEN:
        return absolute(reverse("parents:offer_respond", args=[offer.public_id])), _("Answer the offer")
    if application.status in ENDED_WITHOUT_PLACE:
        return absolute(reverse("parents:application_start")), _("Start a new application")
    return absolute(reverse("parents:application_detail", args=[application.public_id])), _(
        "Open your application"
    )


def staff_link(*, facility: Facility, context: dict) -> tuple[str, str]:
    """The page a message to staff opens: the application it is about, else the facility's waiting list."""
    offer = context.get("offer")
    application = offer.application if offer is not None else context.get("application")
    if application is not None:
        return absolute(reverse("backoffice:application", args=[application.public_id])), _(
            "Open the application"
        )
    return absolute(reverse("backoffice:waitlist", args=[facility.slug])), _("Open the waiting list")


def _with_link(
    kind: str, context: dict, derived: tuple[str, str], own: str | None, label: str | None
) -> dict:
    """``context`` with ``link`` and ``link_label``: the caller's own link wins over the derived one."""
    own = own or context.get("link")
    if own:
        return {
            **context,
            "link": own,
            "link_label": label or OWN_LINK_LABELS.get(kind, _("Open in the portal")),
        }
    return {**context, "link": derived[0], "link_label": label or derived[1]}


def tell_guardians(
    *,
    application: Application,
    kind: str,
    key: str,
    context: dict,
    attachments=(),
    link: str | None = None,
    link_label: str | None = None,
) -> None:
    """One message per guardian of the child; ``key`` makes each message unique per event.

    The link is derived from ``context`` (see ``guardian_link``) unless the caller gives its own
    ``link`` (a path or a full URL), as a keyword or in ``context``.
    """
    about = about_case(application=application, context=context)
    context = _guardian_context(application, kind, context, link, link_label)
    for guardian in application.child.guardians.all():
        notify(
            recipient=guardian,
            kind=kind,
            dedupe_key=_guardian_key(key, guardian),
            context=context,
            attachments=attachments,
            about=about,
        )


def about_case(*, application: Application, context: dict) -> dict:
    """What a family's message reports on, for its kind's ``still_valid`` check at send time (notices).

    The offer if it exists; an offer not yet saved (a round names it before writing it) by its wish.
    """
    about = {"application": application.pk}
    offer = context.get("offer")
    if offer is not None and offer.pk is not None:
        about["offer"] = offer.pk
    elif offer is not None and offer.wish_id is not None:
        about["wish"] = offer.wish_id
    return about


def _guardian_context(
    application: Application, kind: str, context: dict, link: str | None = None, label: str | None = None
) -> dict:
    return _with_link(
        kind,
        {"application": application, "child": application.child, **context},
        guardian_link(application=application, context=context),
        link,
        label,
    )


def _guardian_key(key: str, guardian) -> str:
    return f"{key}:user:{guardian.pk}"


def guardian_messages(
    *, application: Application, kind: str, key: str, context: dict, portal_settings
) -> list[OutboxMessage]:
    """The unsaved rows ``tell_guardians`` would write, for writing many families' at once.

    Prefetch ``child__guardians``; with ``portal_settings`` passed this runs no query.
    """
    about = about_case(application=application, context=context)
    context = _guardian_context(application, kind, context)
    messages = (
        build_message(
            recipient=guardian,
            kind=kind,
            dedupe_key=_guardian_key(key, guardian),
            context=context,
            portal_settings=portal_settings,
            about=about,
        )
        for guardian in application.child.guardians.all()
    )
    return [message for message in messages if message is not None]


def queue_messages(messages: list[OutboxMessage]) -> None:
    """Write built messages in the caller's transaction, a few INSERTs for all; each is sent after commit.

    After the commit one task hands them to the broker (``hand_over``, one delivery task per
    message): the writer, e.g. a round's publishing job, does not wait for a broker round trip
    per message. If that task cannot be queued, the outbox sweeper hands the messages over.
    A dedupe key that exists already fails the transaction: callers write each message once
    (e.g. a round's batches commit their messages together with their progress).
    """
    if not messages:
        return
    saved = OutboxMessage.objects.bulk_create(messages, batch_size=MESSAGE_INSERT_BATCH)
    message_ids = [message.pk for message in saved]
    transaction.on_commit(lambda: _queue_hand_over(message_ids))


def _queue_hand_over(message_ids: list[int]) -> None:
    # Imported here: the task module imports the round's publishing, which imports this one.
    from childcare import tasks

    try:
        tasks.hand_over_messages.delay(message_ids)
    except (KombuOperationalError, OSError):
        logger.warning("Broker unreachable: %s outbox messages stay queued for the sweeper", len(message_ids))


def hand_over(message_ids: list[int]) -> None:
    """Queue one delivery task per message, until the broker fails (the sweeper does the rest later)."""
    for message_id in message_ids:
        if not enqueue_delivery(message_id):
            break


def tell_staff_of_facilities(*, facilities, kind: str, key: str, context: dict) -> None:
    """Tell the staff of each of ``facilities`` that an application left their list.

    The link opens each facility's waiting list: staff no longer see an application that has
    no live wish for them.
    """
    for facility in facilities:
        tell_facility_staff(
            facility=facility,
            kind=kind,
            key=f"{key}:facility:{facility.pk}",
            context=context,
            link=reverse("backoffice:waitlist", args=[facility.slug]),
            link_label=_("Open the waiting list"),
        )


def tell_facility_staff(
    *,
    facility: Facility,
    kind: str,
    key: str,
    context: dict,
    link: str | None = None,
    link_label: str | None = None,
) -> None:
    """One message per staff member of ``facility``; the link as for ``tell_guardians`` (``staff_link``)."""
    context = _with_link(
        kind,
        {"facility": facility, **context},
        staff_link(facility=facility, context=context),
        link,
        link_label,
    )
    for membership in facility.staff_memberships.select_related("user"):
        notify(
            recipient=membership.user,
            kind=kind,
            dedupe_key=f"{key}:user:{membership.user_id}",
            context=context,
        )
