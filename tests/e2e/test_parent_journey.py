"""Journey (a): a new parent on a phone, from signing up to a submitted application with positions."""

import pytest

from childcare.models import Application, ApplicationStatus
from tests.e2e.helpers import latest_mail
from tests.e2e.journeys import CHOSEN, apply_as_new_parent, positions

pytestmark = pytest.mark.e2e


def test_new_parent_applies_on_a_phone(portal, town, phone, tmp_path):
    reference = apply_as_new_parent(
        phone, portal, email="anna@example.org", proof=tmp_path / "arbeitgeber.pdf"
    )

    assert positions(phone) == {name: (1, 1) for name in CHOSEN}
    application = Application.objects.get(reference=reference)
    assert application.status == ApplicationStatus.SUBMITTED
    assert [w.facility.name for w in application.wishes.order_by("rank")] == CHOSEN
    assert application.documents.count() == 1
    receipt = latest_mail(portal.smtp, "anna@example.org", subject=reference)
    assert receipt["To"] == "anna@example.org"
