"""Sessions in the database, as Django keeps them, read with the signed-in user in one statement.

Every signed-in request reads its session, then the user the session names (with the inbox
badge's unread count, ``notifications.selectors``). A session names the same user for as long as
its key lives (signing in, out or as someone else changes the key), so once a process has read a
session it remembers whose it is and reads the next time the session row and that user's row in
one statement. The user read along is handed to the authentication backend
(``portal.auth_backends``) only when the session's data names that same user; Django then checks
the session's password hash against it as always. Everything else (saving, expiry, cycling the
key on sign-in) is Django's database backend. ``SESSION_ENGINE = "portal.sessions"``.
"""

import contextvars
import functools

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

from notifications.selectors import UNREAD_COLUMNS_PARAMS, user_with_unread_columns

MAX_REMEMBERED = 20_000  # session keys per process whose user is known: about 2 MB

_owners: dict[str, str] = {}
# (user id, user) read along with this request's session, until the backend takes it.
_read_along: contextvars.ContextVar[tuple[str, object] | None] = contextvars.ContextVar(
    "user_read_along_with_session", default=None
)


def _quoted(model, *names: str) -> list[str]:
    meta, quote = model._meta, connection.ops.quote_name
    return [quote(meta.db_table), *(quote(meta.get_field(name).column) for name in names)]


@functools.cache
def _select() -> str:
    from django.contrib.sessions.models import Session

    table, key, expires = _quoted(Session, "session_key", "expire_date")
    return f"SELECT * FROM {table} WHERE {key} = %s AND {expires} > %s"  # noqa: S608 (names from the model)


@functools.cache
def _select_with_user() -> str:
    from django.contrib.sessions.models import Session

    table, key, data, expires = _quoted(Session, "session_key", "session_data", "expire_date")
    users, user_id = _quoted(get_user_model(), "id")
    return (
        f"SELECT s.{data} AS session_data_read_along, {user_with_unread_columns()}"  # noqa: S608
        f" FROM {table} s LEFT JOIN {users} u ON u.{user_id} = %s"
        f" WHERE s.{key} = %s AND s.{expires} > %s"
    )


def user_read_along(user_id):
    """The user read with this request's session, if it is the one with ``user_id`` (taken once)."""
    read = _read_along.get()
    _read_along.set(None)
    if read is not None and read[0] == str(user_id):
        return read[1]
    return None


def forget_owners() -> None:
    _owners.clear()


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        sessions = self.model.objects.raw(_select(), [self.session_key, timezone.now()])
        session = next(iter(sessions), None)
        if session is None:
            self._session_key = None
        return session

    def load(self):
        _read_along.set(None)
        owner = _owners.get(self.session_key) if self.session_key else None
        data = super().load() if owner is None else self._load_with_user(owner)
        named = data.get(SESSION_KEY)
        if named is not None and self.session_key:
            if len(_owners) >= MAX_REMEMBERED:
                _owners.clear()
            _owners[self.session_key] = str(named)
        return data

    def _load_with_user(self, owner: str) -> dict:
        users = get_user_model()
        rows = users._default_manager.raw(
            _select_with_user(),
            [*UNREAD_COLUMNS_PARAMS, users._meta.pk.to_python(owner), self.session_key, timezone.now()],
        )
        row = next(iter(rows), None)
        if row is None:
            self._session_key = None
            return {}
        data = self.decode(row.session_data_read_along)
        if row.pk is not None and str(data.get(SESSION_KEY)) == str(row.pk):
            del row.session_data_read_along
            _read_along.set((str(row.pk), row))
        return data
