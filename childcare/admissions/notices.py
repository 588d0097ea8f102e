"""The messages childcare sends, registered with notifications when the app is ready.

Each kind's templates live in ``templates/notifications/<name>/``; the context names are
what the sending code must pass (see ``notifications.services.notify``).
"""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import Audience, NotificationKind, register_kind

_APPLICATION = ("application", "child", "link")
_OFFER = ("offer", "application", "child", "facility", "link")

MESSAGE_KINDS = (
    NotificationKind("application_submitted", _("Application received"), Audience.PARENTS, _APPLICATION),
    NotificationKind("application_edited", _("Application changed"), Audience.PARENTS, _APPLICATION),
    NotificationKind(
        "wish_rejected",
        _("Wish rejected by a facility"),
        Audience.PARENTS,
        (*_APPLICATION, "facility", "reason"),
    ),
    NotificationKind("offer_made", _("Place offered"), Audience.PARENTS, _OFFER),
    NotificationKind("offer_reminder", _("Reminder to answer an offer"), Audience.PARENTS, _OFFER),
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
    ),
    NotificationKind("application_expired", _("Application expired"), Audience.PARENTS, _APPLICATION),
    NotificationKind(
        "allocation_result",
        _("Result of the allocation round"),
        Audience.PARENTS,
        (*_APPLICATION, "facility", "offer"),
    ),
    NotificationKind(
        "waitlist_position_improved",
        _("Better position on a waiting list"),
        Audience.PARENTS,
        (*_APPLICATION, "facility", "position", "total"),
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
