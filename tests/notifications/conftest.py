import datetime

import pytest
from django.utils import timezone

from childcare.models import GuardianInvitation
from notifications import attachments
from tests.factories import (
    ApplicationFactory,
    ChildFactory,
    FacilityFactory,
    GuardianshipFactory,
    OfferFactory,
    PlacementFactory,
    WishFactory,
)

# A surname that appears nowhere else, so a test can prove the e-mails never contain it.
CHILD_SURNAME = "Wiśniewska-Zuber"


@pytest.fixture
def case(parent):
    """Everything a parent's messages talk about: child, application, wish, offer and placement."""
    child = ChildFactory(first_name="Mia", last_name=CHILD_SURNAME)
    GuardianshipFactory(user=parent, child=child)
    application = ApplicationFactory(child=child)
    facility = FacilityFactory(name="Kita Sonnenblume & Co")
    wish = WishFactory(application=application, facility=facility)
    offer = OfferFactory(
        wish=wish,
        start_date=datetime.date(2027, 8, 2),
        expires_at=timezone.make_aware(datetime.datetime(2027, 3, 15, 18, 0)),
    )
    placement = PlacementFactory(child=child, facility=facility, start_date=datetime.date(2027, 8, 2))
    invitation = GuardianInvitation.objects.create(
        child=child, email="partner@example.org", invited_by=parent
    )
    return {
        "application": application,
        "child": child,
        "facility": facility,
        "offer": offer,
        "placement": placement,
        "link": f"/antraege/{application.public_id}/",
        "reason": "Keine freien U3-Plätze",
        "deadline": datetime.date(2027, 4, 30),
        "position": 3,
        "total": 17,
        "count": 2,
        "answer": "accepted",
        "invitation": invitation,
        "inviter": parent,
    }


@pytest.fixture
def registered_receipt(monkeypatch):
    """A PDF renderer registered for the test only, as the childcare app will register its own."""

    def render(object_id, language):
        return f"Eingangsbestaetigung-{object_id}-{language}.pdf", b"%PDF-1.4 test", "application/pdf"

    monkeypatch.setitem(attachments.RENDERERS, "test_receipt", render)
    return render
