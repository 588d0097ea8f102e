"""What a request wrote, for the permission matrix and the fuzz test: row counts, and undoing it."""

from collections.abc import Iterable
from contextlib import contextmanager
from copy import deepcopy

from django.apps import apps
from django.db import connection, transaction

from portal.models import AuditEntry

# A refused request may add a session row (for a message such as "please sign in").
SESSIONS = "django_session"
AUDIT_LOG = AuditEntry._meta.db_table
# The audit log records attempts as well: a refused call made with an API key, a failed sign-in.
ATTEMPTS = (AuditEntry.Action.API_KEY_USED, AuditEntry.Action.SIGN_IN_FAILED)


def row_counts(*, skip: Iterable[str] = (SESSIONS,)) -> dict[str, int]:
    """Rows per table of the portal (audit entries other than attempts), in one query."""
    tables = sorted(
        {model._meta.db_table for model in apps.get_models() if model._meta.managed and not model._meta.proxy}
        - set(skip)
    )
    quote = connection.ops.quote_name
    attempts = ", ".join(f"'{action}'" for action in ATTEMPTS)
    counts = [
        f"(SELECT COUNT(*) FROM {quote(table)}"
        + (f" WHERE action NOT IN ({attempts}))" if table == AUDIT_LOG else ")")
        for table in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(counts))
        return dict(zip(tables, cursor.fetchone(), strict=True))


def written(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {table: after[table] - before[table] for table in after if after[table] != before[table]}


@contextmanager
def undone(client):
    """Whatever the requests inside write is rolled back (sessions too: they live in the database)
    and the client's cookies are restored, so the next request meets the same world."""
    cookies = deepcopy(client.cookies)
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    client.cookies = cookies
