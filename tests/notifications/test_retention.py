import datetime

import pytest
import time_machine
from django.conf import settings

from notifications import retention
from notifications.models import OutboxMessage
from notifications.tasks import purge_old_messages
from portal.models import PortalSettings

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2024, 1, 10, 9, 0, tzinfo=datetime.UTC)


def message_at(moment, key, status, **fields):
    with time_machine.travel(moment, tick=False):
        return OutboxMessage.objects.create(
            to_email="someone@example.org",
            kind="test",
            language="de",
            subject="S",
            body_text="Mia",
            dedupe_key=key,
            status=status,
            sent_at=moment if status == "sent" else None,
            **fields,
        )


def test_old_sent_and_failed_messages_are_deleted_recent_and_queued_ones_kept(parent):
    message_at(T0, "old-sent", "sent", recipient=parent)
    message_at(T0, "old-failed", "failed", recipient=parent)
    message_at(T0, "old-to-an-address", "sent")
    message_at(T0, "old-queued", "queued", recipient=parent)
    message_at(T0 + datetime.timedelta(days=700), "recent", "sent", recipient=parent)
    with time_machine.travel(T0 + datetime.timedelta(days=740), tick=False):
        assert retention.purge_old_messages() == 3
        assert retention.purge_old_messages() == 0
    assert set(OutboxMessage.objects.values_list("dedupe_key", flat=True)) == {"old-queued", "recent"}


def test_the_retention_period_comes_from_the_portal_settings(parent):
    PortalSettings.objects.update_or_create(pk=1, defaults={"retention_months": 6})
    message_at(T0, "seven-months-old", "sent", recipient=parent)
    message_at(T0 + datetime.timedelta(days=60), "five-months-old", "sent", recipient=parent)
    with time_machine.travel(T0 + datetime.timedelta(days=213), tick=False):
        assert purge_old_messages() == 1
    assert list(OutboxMessage.objects.values_list("dedupe_key", flat=True)) == ["five-months-old"]


def test_the_purge_runs_nightly_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-purge-old-messages"]
    assert entry["task"] == "notifications.tasks.purge_old_messages"
    assert entry["schedule"].hour == {1}
    assert "purge_old_messages" not in str(settings.CELERY_BEAT_SCHEDULE["childcare-data-retention"])
