from functools import cached_property

from notifications import selectors
from notifications.pause import current_pause


class InboxSummary:
    """Counts unread messages only when a template asks, so pages that don't show it cost no query."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def unread_count(self) -> int:
        if not self._user.is_authenticated:
            return 0
        return selectors.unread_count(user=self._user)


def inbox(request):
    return {"inbox": InboxSummary(request.user)}


class DeliveryStatus:
    """Whether e-mail delivery is paused, read only when a template (the admin's banner) asks."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def pause(self):
        if not (self._user.is_authenticated and self._user.is_staff):
            return None
        return current_pause()


def delivery(request):
    return {"delivery": DeliveryStatus(request.user)}
