"""Who is signed in, read with what every page shows of them.

Every signed-in page shows the inbox badge: the user is read with their unread count in the same
statement (``notifications.selectors.user_with_unread_count``), one query less per page; usually
that statement is the session's too (``portal.sessions``), one more query less. A view that
changes what is unread and then shows a page forgets the count it came with
(``forget_unread_count``), so the badge is counted anew.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend

from notifications.selectors import user_with_unread_count
from portal.sessions import user_read_along


class _WithUnreadCount:
    def get_user(self, user_id):
        user = user_read_along(user_id) or user_with_unread_count(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class PasswordBackend(_WithUnreadCount, ModelBackend):
    """Django's model backend (the admin, tests' force_login)."""


class AccountBackend(_WithUnreadCount, AuthenticationBackend):
    """allauth's backend (sign-in by e-mail address)."""
