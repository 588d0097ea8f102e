"""Services tier: on PostgreSQL the audit log refuses UPDATE and DELETE in the database itself.

Only the retention purge, which sets ``kitaportal.audit_purge`` for its transaction, may delete.
"""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from portal import audit
from portal.models import AuditEntry

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_the_database_refuses_to_change_or_delete_entries_except_the_purge():
    assert connection.vendor == "postgresql"
    audit.record_now(user=None, action=AuditEntry.Action.SIGN_IN_FAILED, detail="old")
    for sql in ("UPDATE portal_auditentry SET detail = 'y'", "DELETE FROM portal_auditentry"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql)
    assert AuditEntry.objects.get().detail == "old"
    assert audit.purge_expired() == 0  # within the retention period
    assert audit.purge_expired(now=timezone.now() + datetime.timedelta(days=3650)) == 1
    assert not AuditEntry.objects.exists()
