"""English is complete: no German left from strings translated once at import time."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from childcare.models import ApplicationStatus
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(client, parent, child):
    client.force_login(parent)
    return ApplicationFactory(
        child=child,
        status=ApplicationStatus.DRAFT,
        submitted_at=None,
        desired_start_date=timezone.localdate() + datetime.timedelta(days=200),
    )


def page(client, url, language) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_wizard_speaks_english_after_a_german_request_in_the_same_process(client, draft):
    url = reverse("parents:application_step_start", args=[draft.public_id])
    german = page(client, url, "de")
    assert "Beginn und Betreuungsumfang" in german
    assert "35 Stunden pro Woche" in german
    english = page(client, url, "en")
    assert "Start and care scope" in english
    assert "Review and submit" in english
    assert "35 hours per week" in english
    for word in ("Beginn und Betreuungsumfang", "Stunden pro Woche", "Prüfen und absenden"):
        assert word not in english
