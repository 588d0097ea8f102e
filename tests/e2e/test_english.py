"""Journey (e): the new parent's journey in English, switched to with the language switcher."""

import pytest

from childcare.admissions import applications as services
from childcare.admissions.children import add_child
from childcare.models import Application
from tests.e2e.helpers import EVERY_ANSWER, check, latest_mail, next_august, sign_in
from tests.e2e.journeys import (
    CHOSEN,
    apply_as_new_parent,
    child_birth_date,
    german_words,
    positions,
    switch_language,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_new_parent_applies_in_english(portal, town, phone, tmp_path):
    def on_page(page, name):
        assert page.evaluate("document.documentElement.lang") == "en", f"{name} is not in English"
        check(page, shot=f"en-{name}")

    reference = apply_as_new_parent(
        phone,
        portal,
        email="emma@example.org",
        proof=tmp_path / "employer.pdf",
        language="en",
        upload_button=False,  # the proof goes along with "Save and continue"
        on_page=on_page,
    )

    assert positions(phone) == {name: (1, 1) for name in CHOSEN}
    assert Application.objects.get(reference=reference).documents.count() == 1
    assert "My applications" in phone.locator("main h1").inner_text()
    receipt = latest_mail(portal.smtp, "emma@example.org", subject=reference)
    assert "received" in str(receipt["Subject"]), "the parent signed up in English, so mails are English"


def test_english_wizard_and_dashboard_show_no_german_words(town, phone):
    """The steps of a draft with wishes, then "My applications" once it is submitted, all in English."""
    parent = UserFactory(email="emma@example.org", language="en")
    child = add_child(by=parent, first_name="Zoë", last_name="Müller", birth_date=child_birth_date())
    application = services.create_application(child=child, by=parent)
    services.update_application(
        application=application, by=parent, desired_start_date=next_august(), care_hours_per_week=35
    )
    services.set_wishes(application=application, by=parent, facilities=[town[name] for name in CHOSEN])
    sign_in(phone, parent.email)
    switch_language(phone, "en")

    leftovers = {}

    def look_at(path):
        phone.goto(path)
        check(phone, label=f"en-{path}")
        found = german_words(phone)
        if found:
            leftovers[path] = found

    look_at("/antraege/neu/")
    for step in ("beginn", "wuensche", "kriterien", "pruefen"):
        look_at(f"/antraege/{application.public_id}/{step}/")
    services.update_application(
        application=application, by=parent, criteria=EVERY_ANSWER | {"consent_data_processing": True}
    )
    services.submit_application(application=application, by=parent)
    look_at("/antraege/")

    assert not leftovers, "German words on English pages:\n" + "\n".join(
        f"- {path}: {', '.join(words)}" for path, words in leftovers.items()
    )
