"""Every kind of message the portal sends, in one place.

A kind names its templates (``templates/notifications/<name>/``), the context a caller must
pass, and whether the recipient may switch its e-mails off. Transactional kinds report a
change to the recipient's own case and always go out; optional kinds are conveniences.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Audience(StrEnum):
    PARENTS = "parents"
    STAFF = "staff"


@dataclass(frozen=True)
class NotificationKind:
    name: str
    label: str | Promise
    audience: Audience
    context: tuple[str, ...]
    optional: bool = False
    enabled_by_default: bool = True


class UnknownNotificationKind(LookupError):
    pass


_APPLICATION = ("application", "child", "link")
_OFFER = ("offer", "application", "child", "facility", "link")

KINDS: dict[str, NotificationKind] = {
    kind.name: kind
    for kind in (
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
            (*_APPLICATION, "facility"),
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
    )
}


def get_kind(name: str) -> NotificationKind:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownNotificationKind(f"No notification kind {name!r}; see notifications/kinds.py") from None


def optional_kinds(*, audiences: set[Audience]) -> list[NotificationKind]:
    return [kind for kind in KINDS.values() if kind.optional and kind.audience in audiences]


def transactional_kinds(*, audiences: set[Audience]) -> list[NotificationKind]:
    return [kind for kind in KINDS.values() if not kind.optional and kind.audience in audiences]
