from functools import cached_property

from notifications import selectors


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
