"""Correct behaviour the app team is still building: these tests fail until their fix lands.

Each one names its defect. The journeys drive around these gaps (e.g. they open /antraege/neu/
from "My applications" instead of from the wish list), so they stay green meanwhile.
"""

import pytest

from childcare.admissions import applications as application_services
from childcare.admissions.children import add_child
from childcare.admissions.offers import accept_offer, make_offer
from childcare.models import Offer
from tests.e2e.helpers import axe_check, latest_mail, link_in, next_august, sign_in, submitted_application
from tests.e2e.journeys import child_birth_date, nav
from tests.factories import StaffMembershipFactory, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def parent(town):
    return UserFactory(email="familie@example.org")


@pytest.fixture
def offered(parent, town):
    """A submitted application for Kita Ahorn and Kita Birke with an open offer from Kita Ahorn."""
    application = submitted_application(parent=parent, facilities=[town["Kita Ahorn"], town["Kita Birke"]])
    leader = StaffMembershipFactory(facility=town["Kita Ahorn"]).user
    wish = application.wishes.get(rank=1)
    return make_offer(wish=wish, start_date=next_august(), by=leader)


def test_criteria_step_leaves_the_answers_to_the_parent(parent, town, desktop):
    """Defect: the criteria step pre-selects answers, so a parent can submit points they never claimed."""
    child = add_child(by=parent, first_name="Zoë", last_name="Müller", birth_date=child_birth_date())
    application = application_services.create_application(child=child, by=parent)
    application_services.update_application(
        application=application, by=parent, desired_start_date=next_august(), care_hours_per_week=35
    )
    application_services.set_wishes(application=application, by=parent, facilities=[town["Kita Ahorn"]])

    sign_in(desktop, parent.email)
    desktop.goto(f"/antraege/{application.public_id}/kriterien/")
    answers = desktop.locator("main form[method=post]").first
    preselected = answers.locator("input[type=radio]:checked, input[type=checkbox]:checked")
    assert preselected.count() == 0, "pre-selected: " + ", ".join(
        f"{element.get_attribute('name')}={element.get_attribute('value')}" for element in preselected.all()
    )


def test_my_applications_links_to_the_pdf_documents(parent, offered, phone):
    """Defect: "Meine Anträge" has no links to the receipt, the offer letter or the placement confirmation."""
    sign_in(phone, parent.email)
    nav(phone, "/antraege/")
    wanted = {
        "receipt": f"/dokumente/antrag/{offered.application.public_id}.pdf",
        "offer letter": f"/dokumente/angebot/{offered.public_id}.pdf",
    }
    missing = [name for name, href in wanted.items() if not phone.locator(f"main a[href='{href}']").count()]

    placement = accept_offer(offer=offered, by=parent)
    phone.reload()
    href = f"/dokumente/betreuungsplatz/{placement.public_id}.pdf"
    if not phone.locator(f"main a[href='{href}']").count():
        missing.append("placement confirmation")
    assert not missing, f"no link on /antraege/ to the {', '.join(missing)} PDF"


def test_wish_list_offers_to_apply_with_these_facilities(parent, town, phone):
    """Defect: the wish list (Merkliste) has no "apply with these facilities" link."""
    sign_in(phone, parent.email)
    phone.goto("/einrichtungen/")
    for slug in ("kita-ahorn", "kita-birke"):
        phone.locator(f"form[action='/einrichtungen/merken/{slug}/'] [type=submit]").click()
        phone.wait_for_load_state()
    apply_links = phone.locator("main a[href^='/antraege/neu/']")
    assert apply_links.count() >= 1, (
        "the search page with a filled wish list has no link into the application"
    )


def test_links_in_emails_lead_to_the_page_they_are_about(portal, parent, offered, phone):
    """Defect: the links in the portal's e-mails all point at the home page."""
    receipt = latest_mail(portal.smtp, parent.email, subject=offered.application.reference)
    offer_mail = latest_mail(portal.smtp, parent.email, subject="Kita Ahorn")
    wrong = []
    for mail, path in ((receipt, "/antraege/"), (offer_mail, f"/angebote/{offered.public_id}/")):
        try:
            link_in(mail, base_url=portal.url, path_pattern=f"^{path}")
        except AssertionError as error:
            wrong.append(str(error))
    assert not wrong, "\n".join(wrong)

    # Following the offer link signed out: after signing in the parent is at the offer.
    phone.goto(link_in(offer_mail, base_url=portal.url))
    if "/konto/login/" in phone.url:
        sign_in(phone, parent.email, here=True)
    assert f"/angebote/{offered.public_id}/" in phone.url


def test_open_offer_on_my_applications_meets_contrast(parent, offered, phone):
    """Defect found by this tier: the offer's "Ablehnen" button fails WCAG contrast (see KNOWN_VIOLATIONS)."""
    assert Offer.objects.filter(pk=offered.pk).exists()
    sign_in(phone, parent.email)
    nav(phone, "/antraege/")
    axe_check(phone, strict=True)
