"""The kinds of message the portal sends, registered by the apps that send them.

A kind names its templates (``templates/notifications/<name>/``), the context a caller must
pass, and whether the recipient may switch its e-mails off. Transactional kinds report a
change to the recipient's own case and always go out; optional kinds are conveniences.
The app that owns a kind registers it when it is ready, e.g.::

    register_kind(NotificationKind("parcel_arrived", _("Parcel arrived"), Audience.PARENTS, ("link",)))

A kind may give ``still_valid(about) -> bool``: checked just before sending, with the
``about`` the sender stored on the message; a message that no longer holds is superseded.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise


class Audience(StrEnum):
    PARENTS = "parents"
    STAFF = "staff"
    # People written to by address who may have no account: no inbox, no preferences to show.
    INVITEES = "invitees"


@dataclass(frozen=True)
class NotificationKind:
    name: str
    label: str | Promise
    audience: Audience
    context: tuple[str, ...]
    optional: bool = False
    enabled_by_default: bool = True
    # At send time: does a message of this kind about ``about`` (what the sender stored, e.g.
    # {"offer": 12}) still hold? None: always. Lets the app that owns the subject decide
    # without notifications knowing its models.
    still_valid: Callable[[Mapping], bool] | None = None

    def holds(self, about: Mapping) -> bool:
        return self.still_valid is None or not about or self.still_valid(about)


class UnknownNotificationKind(LookupError):
    pass


# Filled by register_kind() from the apps' ready(); in registration order, which the preferences page keeps.
KINDS: dict[str, NotificationKind] = {}


def register_kind(kind: NotificationKind) -> NotificationKind:
    """Make ``kind`` known to notify() and the preferences page; a second kind of that name is an error."""
    if KINDS.get(kind.name, kind) is not kind:
        raise ImproperlyConfigured(f"Two notification kinds named {kind.name!r}")
    KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> NotificationKind:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownNotificationKind(
            f"No notification kind {name!r} is registered; the app sending it must call register_kind()"
        ) from None


def optional_kinds(*, audiences: set[Audience]) -> list[NotificationKind]:
    return [kind for kind in KINDS.values() if kind.optional and kind.audience in audiences]


def transactional_kinds(*, audiences: set[Audience]) -> list[NotificationKind]:
    return [kind for kind in KINDS.values() if not kind.optional and kind.audience in audiences]
