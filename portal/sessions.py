"""Sessions in the database, as Django keeps them, read with one written-out statement.

Every signed-in request reads its session first. Building and compiling the ORM's query for it
cost about three times running it, so the read is written out once (names from the model);
everything else (saving, expiry, cycling the key on sign-in) is Django's database backend.
``SESSION_ENGINE = "portal.sessions"``.
"""

import functools

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone


@functools.cache
def _select() -> str:
    from django.contrib.sessions.models import Session

    meta, quote = Session._meta, connection.ops.quote_name
    key, expires = (quote(meta.get_field(name).column) for name in ("session_key", "expire_date"))
    return f"SELECT * FROM {quote(meta.db_table)} WHERE {key} = %s AND {expires} > %s"  # noqa: S608


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        sessions = self.model.objects.raw(_select(), [self.session_key, timezone.now()])
        session = next(iter(sessions), None)
        if session is None:
            self._session_key = None
        return session
