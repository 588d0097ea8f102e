import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("notifications", "0001_initial")]
AFTER = [("notifications", "0002_public_id_and_preferences")]


def test_messages_written_before_the_public_id_each_get_their_own(parent):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_message = executor.loader.project_state(BEFORE).apps.get_model("notifications", "OutboxMessage")
        for n in range(3):
            old_message.objects.create(
                recipient_id=parent.pk,
                to_email=parent.email,
                kind="test",
                language="de",
                subject="S",
                body_text="T",
                dedupe_key=f"k:{n}",
            )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new_message = executor.loader.project_state(AFTER).apps.get_model("notifications", "OutboxMessage")
        public_ids = list(new_message.objects.values_list("public_id", flat=True))
        assert len(set(public_ids)) == 3
        assert None not in public_ids
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
