"""Which optional kinds of message a user wants by e-mail.

Transactional kinds report a change to the recipient's own case and always go out; only
optional kinds can be switched off, and without a stored choice the kind's default applies.
"""

from django.db import transaction

from notifications.kinds import KINDS, Audience, NotificationKind, optional_kinds
from notifications.models import NotificationPreference


def audiences_of(user) -> set[Audience]:
    """Everyone may be a parent; staff of a facility and the municipal office also get staff messages."""
    if user.is_municipal_office or user.staff_memberships.exists():
        return {Audience.PARENTS, Audience.STAFF}
    return {Audience.PARENTS}


def email_enabled(*, user, kind: NotificationKind) -> bool:
    if not kind.optional:
        return True
    choice = (
        NotificationPreference.objects.filter(user=user, kind=kind.name)
        .values_list("email_enabled", flat=True)
        .first()
    )
    return kind.enabled_by_default if choice is None else choice


def email_choices(*, user, audiences: set[Audience]) -> dict[str, bool]:
    """The user's current choice for each optional kind of these audiences, defaults filled in."""
    stored = dict(
        NotificationPreference.objects.filter(user=user).values_list("kind", "email_enabled").iterator()
    )
    return {
        kind.name: stored.get(kind.name, kind.enabled_by_default)
        for kind in optional_kinds(audiences=audiences)
    }


@transaction.atomic
def set_email_choices(*, user, choices: dict[str, bool]) -> None:
    """Store the user's choice per optional kind; transactional kinds cannot be switched off."""
    for name, enabled in choices.items():
        if name not in KINDS or not KINDS[name].optional:
            raise ValueError(f"{name!r} is not an optional notification kind")
        NotificationPreference.objects.update_or_create(
            user=user, kind=name, defaults={"email_enabled": enabled}
        )
