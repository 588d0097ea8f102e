"""Who changes a state: a signed-in person, or the portal itself acting on a schedule.

Every service and transition takes ``by``: a user, or ``SYSTEM`` for beat jobs, the
allocation round and other work nobody triggered by hand. ``None`` is refused, so a
forgotten argument can never silently skip a permission check.
"""

from typing import TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser


class SystemActor:
    """The portal acting by itself; has no account and passes no permission check."""

    is_authenticated = False
    is_municipal_office = False
    pk = None

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()

Actor: TypeAlias = AbstractBaseUser | SystemActor


def require_actor(by: object) -> Actor:
    """Refuse a missing actor loudly: it is a programming error, not a user's mistake."""
    if by is SYSTEM or isinstance(by, AbstractBaseUser):
        return by
    raise TypeError(f"by= must be a user or SYSTEM, not {by!r}")
