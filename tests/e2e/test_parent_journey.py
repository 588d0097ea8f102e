"""Journey (a): a new parent on a phone, from signing up to a submitted application with positions."""

import pytest

from childcare.models import Application, ApplicationStatus
from tests.e2e.helpers import latest_mail, link_in
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
    assert (application.resides_in_municipality, application.guardians_working_or_training) == (True, 2)
    assert (application.single_parent, application.hardship_referral, application.integration_need) == (
        False,
        False,
        False,
    )
    assert application.documents.count() == 1
    receipt = latest_mail(portal.smtp, "anna@example.org", subject=reference)
    assert receipt["To"] == "anna@example.org"
    # The receipt's link leads to the application on "My applications", not to the home page.
    link = link_in(receipt, base_url=portal.url, path_pattern=r"^/antraege/")
    phone.goto(link)
    assert phone.locator(f"#application-{application.public_id}").count() == 1
