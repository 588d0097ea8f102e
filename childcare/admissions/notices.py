"""The messages childcare sends, registered with notifications when the app is ready.

Each kind's templates live in ``templates/notifications/<name>/``; the context names are
what the sending code must pass (see ``notifications.services.notify``).
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from childcare.models import (
    LISTED_APPLICATION_STATUSES,
    OPEN_APPLICATION_STATUSES,
    WAITING_APPLICATION_STATUSES,
    Application,
    ApplicationStatus,
    Offer,
    OfferStatus,
)
from notifications.kinds import Audience, NotificationKind, register_kind

# Checked at send time with the ``about`` the message stored (``messages.about_case``): a
# message whose subject has moved on is superseded instead of sent.


def _application_in(about: Mapping, statuses) -> bool:
    return Application.objects.filter(pk=about.get("application"), status__in=statuses).exists()


def offer_still_open(about: Mapping) -> bool:
    """An offer message holds only while its offer is open (a round's, by its wish, once it exists)."""
    if "offer" in about:
        return Offer.objects.filter(pk=about["offer"], status=OfferStatus.OPEN).exists()
    if "wish" in about:
        return Offer.objects.filter(wish_id=about["wish"], status=OfferStatus.OPEN).exists()
    return application_not_withdrawn(about)


def application_not_withdrawn(about: Mapping) -> bool:
    return not Application.objects.filter(
        pk=about.get("application"), status=ApplicationStatus.WITHDRAWN
    ).exists()


def application_still_open(about: Mapping) -> bool:
    return _application_in(about, OPEN_APPLICATION_STATUSES)


def application_still_listed(about: Mapping) -> bool:
    return _application_in(about, LISTED_APPLICATION_STATUSES)


def application_still_waiting(about: Mapping) -> bool:
    return _application_in(about, WAITING_APPLICATION_STATUSES)


_APPLICATION = ("application", "child", "link")
_OFFER = ("offer", "application", "child", "facility", "link")

MESSAGE_KINDS = (
    NotificationKind(
        "application_submitted",
        _("Application received"),
        Audience.PARENTS,
        _APPLICATION,
        still_valid=application_not_withdrawn,
    ),
    NotificationKind(
        "application_edited",
        _("Application changed"),
        Audience.PARENTS,
        _APPLICATION,
        still_valid=application_not_withdrawn,
    ),
    NotificationKind(
        "wish_rejected",
        _("Wish rejected by a facility"),
        Audience.PARENTS,
        (*_APPLICATION, "facility", "reason"),
        still_valid=application_not_withdrawn,
    ),
    NotificationKind(
        "offer_made", _("Place offered"), Audience.PARENTS, _OFFER, still_valid=offer_still_open
    ),
    NotificationKind(
        "offer_reminder",
        _("Reminder to answer an offer"),
        Audience.PARENTS,
        _OFFER,
        still_valid=offer_still_open,
    ),
    NotificationKind("offer_expired", _("Offer expired"), Audience.PARENTS, _OFFER),
    NotificationKind("offer_withdrawn", _("Offer withdrawn by the facility"), Audience.PARENTS, _OFFER),
    NotificationKind("offer_declined", _("Confirmation of a declined offer"), Audience.PARENTS, _OFFER),
    NotificationKind(
        "application_withdrawn", _("Confirmation of a withdrawn application"), Audience.PARENTS, _APPLICATION
    ),
    NotificationKind(
        "application_closed",
        _("Application ended after its last wish was rejected"),
        Audience.PARENTS,
        (*_APPLICATION, "facility", "reason"),
    ),
    NotificationKind(
        "offer_accepted",
        _("Place accepted"),
        Audience.PARENTS,
        ("offer", "placement", "child", "facility", "link"),
    ),
    NotificationKind(
        "placement_recorded",
        _("Place recorded by the facility"),
        Audience.PARENTS,
        ("placement", "child", "facility", "link"),
    ),
    NotificationKind(
        "reconfirmation_request",
        _("Request to confirm an application"),
        Audience.PARENTS,
        (*_APPLICATION, "deadline"),
        still_valid=application_still_listed,
    ),
    NotificationKind("application_expired", _("Application expired"), Audience.PARENTS, _APPLICATION),
    NotificationKind(
        "allocation_result",
        _("Result of the allocation round"),
        Audience.PARENTS,
        (*_APPLICATION, "facility", "offer"),
        still_valid=offer_still_open,
    ),
    NotificationKind(
        "waitlist_position_improved",
        _("Better position on a waiting list"),
        Audience.PARENTS,
        (*_APPLICATION, "facility", "position", "total"),
        still_valid=application_still_waiting,
        optional=True,
        enabled_by_default=False,
    ),
    NotificationKind(
        "staff_new_applications_digest",
        _("Summary of new applications for your facility"),
        Audience.STAFF,
        ("facility", "count", "link"),
        optional=True,
    ),
    NotificationKind(
        "staff_offer_answered",
        _("A family answered an offer"),
        Audience.STAFF,
        ("offer", "facility", "answer", "link"),
    ),
    NotificationKind(
        "staff_application_withdrawn",
        _("A family withdrew an application"),
        Audience.STAFF,
        ("application", "facility", "link"),
    ),
    NotificationKind(
        "guardian_invitation",
        _("Invitation to manage a daycare application"),
        Audience.INVITEES,
        ("invitation", "child", "inviter", "link"),
    ),
)

for kind in MESSAGE_KINDS:
    register_kind(kind)
