"""Journeys (b) and (c) on a desktop: a Kita leader makes an offer the family accepts on a phone, and the
municipal office runs a central allocation round from creation to publication."""

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from childcare.models import ApplicationStatus, Offer, OfferStatus, Placement
from tests.e2e.helpers import (
    check,
    latest_mail,
    link_in,
    next_august,
    pdf_attachments,
    sign_in,
    submitted_application,
)
from tests.e2e.journeys import nav
from tests.factories import StaffMembershipFactory, UserFactory

pytestmark = pytest.mark.e2e


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def ahorn(town):
    return town["Kita Ahorn"]


@pytest.fixture
def leader(ahorn):
    return StaffMembershipFactory(facility=ahorn, user=UserFactory(email="leitung@example.org")).user


@pytest.fixture
def family(ahorn, town):
    parent = UserFactory(email="familie@example.org")
    application = submitted_application(parent=parent, facilities=[ahorn, town["Kita Birke"]])
    return parent, application


def test_facility_leader_offers_a_place_and_the_family_accepts(portal, leader, family, desktop, phone):
    parent, application = family

    sign_in(desktop, leader.email)
    nav(desktop, "/verwaltung/")
    check(desktop, shot="staff-facilities")
    desktop.locator("main a[href^='/verwaltung/kita-ahorn/warteliste/?age_band=u3']").click()
    desktop.wait_for_url("**/verwaltung/kita-ahorn/warteliste/?age_band=u3")
    check(desktop, shot="staff-waitlist")

    row = desktop.locator(f"#candidate-{application.public_id}")
    assert application.reference in row.inner_text()
    offer_form = row.locator("form[action$='/angebot/']")
    row.locator("details:has(form[action$='/angebot/']) > summary").click()
    offer_form.locator("[type=submit]").click()
    desktop.wait_for_url("**/verwaltung/kita-ahorn/warteliste/?age_band=u3")
    assert application.reference in desktop.locator("main .alert-success").inner_text()
    check(desktop, shot="staff-waitlist-offered")
    offer = Offer.objects.get(application=application)
    assert offer.status == OfferStatus.OPEN

    # The family learns of it by e-mail, with the offer letter attached, and follows the link.
    offer_mail = latest_mail(portal.smtp, parent.email, subject="Kita Ahorn")
    assert "Kita Ahorn" in pdf_text(pdf_attachments(offer_mail)[0])
    phone.goto(link_in(offer_mail, base_url=portal.url))
    check(phone, shot="offer-mail-link")
    if "/konto/login/" in phone.url:
        sign_in(phone, parent.email, here=True)
    else:  # where the link leads today (the home page): sign in and open "My applications"
        sign_in(phone, parent.email)
        nav(phone, "/antraege/")
    if "/angebote/" not in phone.url:
        check(phone, shot="offer-applications")
        phone.locator(f"main a[href='/angebote/{offer.public_id}/?answer=accept']").click()
    phone.wait_for_url(f"**/angebote/{offer.public_id}/**")
    check(phone, shot="offer-accept")
    phone.locator("main form [type=submit]").click()
    phone.wait_for_url("**/antraege/")
    check(phone, shot="offer-accepted")

    placement = Placement.objects.get(child=application.child)
    assert placement.facility.slug == "kita-ahorn"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PLACED
    confirmation = latest_mail(portal.smtp, parent.email, subject="bestätigt")
    assert application.child.first_name in pdf_text(pdf_attachments(confirmation)[0])

    # The confirmation PDF from the page, where the page offers one (see test_known_defects).
    pdf_link = phone.locator(f"main a[href='/dokumente/betreuungsplatz/{placement.public_id}.pdf']")
    if pdf_link.count():
        with phone.expect_download() as download:
            pdf_link.first.click()
        assert application.child.first_name in pdf_text(Path(download.value.path()).read_bytes())


@pytest.fixture
def round_families(town):
    """Three families for two U3 places (one each at Kita Ahorn and Kita Weide, the others are full)."""
    for name in ("Kita Birke", "Kita Eiche"):
        town[name].capacities.update(places=0)
    for name in ("Kita Ahorn", "Kita Weide"):
        town[name].capacities.update(places=1)
    ahorn, weide = town["Kita Ahorn"], town["Kita Weide"]
    wishes = {"eins": [ahorn, weide], "zwei": [ahorn], "drei": [weide, ahorn]}
    return {
        f"familie.{key}@example.org": submitted_application(
            parent=UserFactory(email=f"familie.{key}@example.org"),
            facilities=facilities,
            first_name=key.title(),
        )
        for key, facilities in wishes.items()
    }


def test_municipal_office_runs_an_allocation_round(portal, round_families, desktop):
    office = UserFactory(email="fachbereich@example.org", is_municipal_office=True)
    sign_in(desktop, office.email)
    nav(desktop, "/verwaltung/")
    check(desktop, shot="office-facilities")
    desktop.locator("main a[href='/verwaltung/vergabe/']").click()
    desktop.wait_for_url("**/verwaltung/vergabe/")
    check(desktop, shot="office-rounds")

    desktop.locator("input[name=target_start_date]").fill(next_august().isoformat())
    desktop.locator("main form[method=post] [type=submit]").click()
    desktop.wait_for_url(re.compile(r"/verwaltung/vergabe/[0-9a-f-]{36}/$"))
    check(desktop, shot="office-round-draft")

    desktop.locator("form[action$='/berechnen/'] [type=submit]").click()
    desktop.wait_for_load_state()
    assert "2" in desktop.locator("main .alert-success").inner_text()
    results = desktop.locator("section[aria-labelledby=results] tbody tr")
    assert results.count() == 3
    check(desktop, shot="office-round-preview")
    assert Offer.objects.count() == 0, "computing is a preview: no offers before publishing"

    desktop.locator("main a[href$='/veroeffentlichen/']").click()
    desktop.wait_for_url("**/veroeffentlichen/")
    check(desktop, shot="office-round-publish")
    desktop.locator("main form [type=submit]").click()
    desktop.wait_for_url(re.compile(r"/verwaltung/vergabe/[0-9a-f-]{36}/$"))
    check(desktop, shot="office-round-published")
    assert desktop.locator("form[action$='/berechnen/']").count() == 0, "a published round is final"

    offers = {
        o.application_id: o.wish.facility.name
        for o in Offer.objects.filter(status=OfferStatus.OPEN).select_related("wish__facility")
    }
    assert sorted(offers.values()) == ["Kita Ahorn", "Kita Weide"]
    # Every family in the round hears its own result by e-mail, through the real worker and SMTP.
    for address, application in round_families.items():
        mail = latest_mail(portal.smtp, address, subject="Platzvergabe")
        expected = offers.get(application.pk) or application.reference
        assert expected in str(mail["Subject"]), (address, str(mail["Subject"]))
