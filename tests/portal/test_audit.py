"""The audit log: staff reads, exports, changes and sign-ins are written; it cannot be changed."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from childcare.models import ApplicationStatus
from portal import audit
from portal.models import AuditEntry
from tests.factories import ApplicationFactory, CapacityFactory, UserFactory, WishFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(child, facility):
    application = ApplicationFactory(child=child, status=ApplicationStatus.WAITING)
    WishFactory(application=application, facility=facility)
    return application


def test_a_staff_read_of_an_application_is_logged_with_who_what_and_where(client, application, staff):
    client.force_login(staff)
    client.get(reverse("backoffice:application", args=[application.public_id]), REMOTE_ADDR="10.1.2.3")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.READ)
    assert entry.actor_user_id == staff.pk
    assert entry.actor_label == staff.email
    assert entry.object_type == "application"
    assert entry.object_ref == application.reference
    assert entry.client_address == "10.1.2.3"


def test_the_familys_own_pdf_is_not_a_staff_read_but_staffs_is(client, application, parent, staff):
    url = reverse("letters:application_receipt_pdf", args=[application.public_id])
    client.force_login(parent)
    assert client.get(url).status_code == 200
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.READ).exists()
    client.force_login(staff)
    assert client.get(url).status_code == 200
    assert AuditEntry.objects.filter(action=AuditEntry.Action.READ, actor_user_id=staff.pk).count() == 1


def test_a_list_page_writes_one_entry_naming_the_list(client, facility, staff, child):
    CapacityFactory(facility=facility)
    applications = [ApplicationFactory(status=ApplicationStatus.WAITING) for _ in range(5)]
    for application in applications:
        WishFactory(application=application, facility=facility)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("backoffice:waitlist", args=[facility.slug]))
    inserts = [q for q in queries.captured_queries if 'INSERT INTO "portal_auditentry"' in q["sql"]]
    assert len(inserts) == 1
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LIST)
    assert entry.object_type == "waitlist"
    for application in applications:
        assert application.reference in entry.detail


def test_changes_and_exports_are_logged(client, application, staff, facility):
    client.force_login(staff)
    client.post(reverse("backoffice:note_add", args=[application.public_id]), {"text": "Rückruf"})
    change = AuditEntry.objects.get(action=AuditEntry.Action.CHANGE)
    assert change.object_type == "backoffice:note_add"
    assert str(application.public_id) in change.object_ref
    client.get(reverse("backoffice:waitlist_csv", args=[facility.slug]))
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, object_ref=facility.slug).exists()


def test_a_post_refused_with_a_sign_in_redirect_is_not_logged_as_a_change(client, parent):
    client.force_login(parent)
    response = client.post(reverse("admin:childcare_provider_add"), {"name": "Träger e.V."})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CHANGE).exists()


def test_sign_ins_are_logged_failed_ones_too(client):
    user = UserFactory(email="eltern@example.org")
    user.set_password("richtig-Passwort-1")
    user.save()
    client.post(reverse("account_login"), {"login": user.email, "password": "falsch"})
    failed = AuditEntry.objects.get(action=AuditEntry.Action.SIGN_IN_FAILED)
    assert failed.actor_user_id is None
    assert "falsch" not in failed.detail
    client.post(reverse("account_login"), {"login": user.email, "password": "richtig-Passwort-1"})
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SIGN_IN, actor_user_id=user.pk).exists()


def test_admin_changes_are_logged(client):
    from tests.conftest import with_second_factor

    root = with_second_factor(UserFactory(is_staff=True, is_superuser=True))
    client.force_login(root)
    response = client.post(
        reverse("admin:childcare_provider_add"), {"name": "Träger e.V.", "kind": "non_profit"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ADMIN_CHANGE)
    assert entry.object_type == "provider"
    assert entry.actor_label == root.email


def test_entries_cannot_be_changed_or_deleted(client):
    audit.record_now(user=None, action=AuditEntry.Action.SIGN_IN_FAILED, detail="x")
    entry = AuditEntry.objects.get()
    entry.detail = "y"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(detail="y")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_the_retention_purge_removes_only_old_entries(settings):
    settings.AUDIT_RETENTION_MONTHS = 12
    long_ago = timezone.now() - datetime.timedelta(days=400)
    with mock.patch("django.utils.timezone.now", return_value=long_ago):
        audit.record_now(user=None, action=AuditEntry.Action.SIGN_IN_FAILED, detail="old")
    audit.record_now(user=None, action=AuditEntry.Action.SIGN_IN_FAILED, detail="new")
    assert AuditEntry.objects.get(detail="old").at == long_ago
    assert audit.purge_expired() == 1
    assert list(AuditEntry.objects.values_list("detail", flat=True)) == ["new"]


def test_the_office_searches_and_downloads_the_log(client, municipal_office, staff, application):
    audit.record_now(user=staff, action=AuditEntry.Action.READ, object_type="application", object_ref="K-1")
    audit.record_now(user=municipal_office, action=AuditEntry.Action.SIGN_IN)
    client.force_login(municipal_office)
    page = client.get(reverse("backoffice:audit_log"), {"who": "leitung", "action": "read"})
    assert page.status_code == 200
    assert [e.object_ref for e in page.context["page_obj"]] == ["K-1"]
    csv = b"".join(
        client.get(
            reverse("backoffice:audit_log_csv"), {"object_ref": "K-1", "action": "read"}
        ).streaming_content
    )
    assert b"K-1" in csv
    assert csv.decode("utf-8-sig").count("\n") == 2  # header and the one entry
    assert (
        client.get(
            reverse("backoffice:audit_log"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
        ).status_code
        == 200
    )


def test_staff_and_families_do_not_see_the_log(client, staff, parent):
    for user in (staff, parent):
        client.force_login(user)
        assert client.get(reverse("backoffice:audit_log")).status_code == 404
        assert client.get(reverse("backoffice:audit_log_csv")).status_code == 404
