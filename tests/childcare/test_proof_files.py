"""Proof files leave storage only with their rows, after the commit, and orphans do not stay forever."""

import datetime
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from childcare.admissions import children, proofs, retention
from childcare.errors import DomainError
from childcare.models import Application, ApplicationDocument, ApplicationStatus, Child
from childcare.tasks import apply_data_retention
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def application(child):
    return ApplicationFactory(child=child, status=ApplicationStatus.DRAFT)


def stored_proof(application) -> ApplicationDocument:
    return ApplicationDocument.objects.create(
        application=application,
        criterion="residence",
        file=ContentFile(PDF, name="meldebescheinigung.pdf"),
        original_name="meldebescheinigung.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )


def age(path: Path, *, hours: float) -> None:
    moment = (timezone.now() - datetime.timedelta(hours=hours)).timestamp()
    os.utime(path, (moment, moment))


def test_proofs_are_stored_in_the_folder_the_orphan_sweep_searches(application):
    document = stored_proof(application)
    assert document.file.name.startswith(f"{retention.PROOFS_FOLDER}/")
    assert Path(document.file.path).read_bytes() == PDF


def test_removing_a_proof_deletes_its_file_after_the_commit(parent, application):
    document = stored_proof(application)
    path = Path(document.file.path)
    with transaction.atomic():
        proofs.remove_document(document=document, by=parent)
        assert path.exists()  # the transaction may still roll back and bring the row back
    assert not path.exists()
    assert not ApplicationDocument.objects.exists()


def test_a_rolled_back_proof_removal_keeps_row_and_file(parent, application):
    document = stored_proof(application)
    pk, path = document.pk, Path(document.file.path)
    with pytest.raises(RuntimeError), transaction.atomic():
        proofs.remove_document(document=document, by=parent)
        raise RuntimeError("the request failed after the removal")
    assert ApplicationDocument.objects.filter(pk=pk).exists()
    assert path.read_bytes() == PDF


def test_the_delete_button_removes_the_file(client, parent, application):
    document = stored_proof(application)
    client.force_login(parent)
    client.post(reverse("parents:document_delete", args=[document.public_id]))
    assert not Path(document.file.path).exists()


def test_files_outside_a_transaction_are_never_deleted_at_once(application):
    with pytest.raises(RuntimeError, match="after the commit"):
        proofs.delete_files_on_commit([stored_proof(application).file.name])


def test_removing_a_child_removes_its_proofs_files_after_the_commit(parent, child, application):
    paths = [Path(stored_proof(application).file.path) for _ in range(2)]
    other = stored_proof(ApplicationFactory(status=ApplicationStatus.DRAFT))
    with transaction.atomic():
        children.remove_child(child=child, by=parent)
        assert all(path.exists() for path in paths)
    assert not any(path.exists() for path in paths)
    assert not Child.objects.filter(pk=child.pk).exists()
    assert Path(other.file.path).exists()  # another child's proof stays


def test_a_rolled_back_child_removal_keeps_the_files(parent, child, application):
    document = stored_proof(application)
    with pytest.raises(RuntimeError), transaction.atomic():
        children.remove_child(child=child, by=parent)
        raise RuntimeError("the request failed after the removal")
    assert ApplicationDocument.objects.filter(public_id=document.public_id).exists()
    assert Path(document.file.path).exists()


def test_a_refused_child_removal_keeps_the_files(parent, child):
    document = stored_proof(ApplicationFactory(child=child, status=ApplicationStatus.WAITING))
    with pytest.raises(DomainError):
        children.remove_child(child=child, by=parent)
    assert Path(document.file.path).exists()


def test_anonymising_a_child_removes_its_proofs_files(child, application):
    document = stored_proof(application)
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.WITHDRAWN, updated_at=timezone.now() - datetime.timedelta(days=800)
    )
    Child.objects.filter(pk=child.pk).update(created_at=timezone.now() - datetime.timedelta(days=800))
    assert retention.anonymise_closed_records() == 1
    assert not ApplicationDocument.objects.exists()
    assert not Path(document.file.path).exists()


def test_the_nightly_run_removes_day_old_files_no_row_refers_to(application):
    referenced = stored_proof(application)
    age(Path(referenced.file.path), hours=48)
    folder = Path(default_storage.path(f"{retention.PROOFS_FOLDER}/{application.public_id}"))
    old_orphan, fresh_orphan = folder / "old-orphan", folder / "upload-in-progress"
    nested_orphan = Path(default_storage.path(f"{retention.PROOFS_FOLDER}/a/b/old"))
    nested_orphan.parent.mkdir(parents=True)
    for path in (old_orphan, fresh_orphan, nested_orphan):
        path.write_bytes(PDF)
    age(old_orphan, hours=25)
    age(nested_orphan, hours=24 * 30)
    age(fresh_orphan, hours=23)
    elsewhere = Path(default_storage.path("other/old"))
    elsewhere.parent.mkdir(parents=True)
    elsewhere.write_bytes(PDF)
    age(elsewhere, hours=48)

    assert apply_data_retention() == {
        "children_anonymised": 0,
        "orphaned_proof_files_removed": 2,
        "audit_entries_purged": 0,
    }

    assert not old_orphan.exists()
    assert not nested_orphan.exists()
    assert fresh_orphan.exists()  # its upload may still be committing
    assert Path(referenced.file.path).exists()
    assert elsewhere.exists()  # not a proof
    assert retention.remove_orphaned_proof_files() == 0


def test_the_nightly_run_copes_with_no_proofs_stored_yet():
    assert retention.remove_orphaned_proof_files() == 0
