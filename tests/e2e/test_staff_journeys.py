"""Journeys (b) and (c) on a desktop: a Kita leader makes an offer the family accepts on a phone, and the
municipal office runs a central allocation round from creation to publication. Staff and the office
sign in with password and authenticator code; their pages must fit a 1280 px window."""

import re
from urllib.parse import urlsplit

import pytest

from childcare.models import ApplicationStatus, Offer, OfferStatus, Placement
from tests.e2e.helpers import (
    check,
    download_pdf,
    give_authenticator,
    latest_mail,
    link_in,
    next_august,
    pdf_attachments,
    pdf_text,
    sign_in,
    submitted_application,
)
from tests.e2e.journeys import nav
from tests.factories import StaffMembershipFactory, UserFactory

pytestmark = pytest.mark.e2e

PUBLISH_TIMEOUT_MS = 60_000


@pytest.fixture
def ahorn(town):
    return town["Kita Ahorn"]


@pytest.fixture
def leader(ahorn):
    """The leader of Kita Ahorn with an authenticator app whose secret the test knows."""
    user = StaffMembershipFactory(facility=ahorn, user=UserFactory(email="leitung@example.org")).user
    user.totp_secret = give_authenticator(user)
    return user


@pytest.fixture
def family(ahorn, town):
    parent = UserFactory(email="familie@example.org")
    application = submitted_application(parent=parent, facilities=[ahorn, town["Kita Birke"]])
    return parent, application


def sign_in_to_the_backoffice(page, user) -> None:
    """Password, then the authenticator code; staff and the office land on their facilities and menu."""
    sign_in(page, user.email, totp_secret=user.totp_secret)
    assert urlsplit(page.url).path == "/verwaltung/"
    assert page.locator("#main-nav a[href='/verwaltung/']").count() == 1
    assert page.locator("#main-nav a[href='/antraege/']").count() == 0, "staff have their own menu"


def test_facility_leader_offers_a_place_and_the_family_accepts(portal, leader, family, desktop, phone):
    parent, application = family

    sign_in_to_the_backoffice(desktop, leader)
    check(desktop, shot="staff-facilities")
    desktop.locator("main a[href^='/verwaltung/kita-ahorn/warteliste/?age_band=u3']").click()
    desktop.wait_for_url("**/verwaltung/kita-ahorn/warteliste/?age_band=u3")
    check(desktop, shot="staff-waitlist")

    row = desktop.locator(f"#candidate-{application.public_id}")
    assert application.reference in row.inner_text()
    row.locator(f"a[href='/verwaltung/antraege/{application.public_id}/']").click()
    desktop.wait_for_url(f"**/verwaltung/antraege/{application.public_id}/")
    check(desktop, shot="staff-application")
    desktop.go_back()
    desktop.wait_for_url("**/verwaltung/kita-ahorn/warteliste/?age_band=u3")

    # The row's offer button posts the page's one actions form to the row's offer URL.
    offer_button = row.locator("button[formaction$='/angebot/']")
    row.locator("details:has(button[formaction$='/angebot/']) > summary").click()
    offer_button.click()
    desktop.wait_for_url("**/verwaltung/kita-ahorn/warteliste/?age_band=u3")
    assert application.reference in desktop.locator("main .alert-success").inner_text()
    check(desktop, shot="staff-waitlist-offered")
    offer = Offer.objects.get(application=application)
    assert offer.status == OfferStatus.OPEN

    # The family learns of it by e-mail, with the offer letter attached; the link leads to the offer's
    # answer page, through the sign-in.
    offer_mail = latest_mail(portal.smtp, parent.email, subject="Kita Ahorn")
    assert "Kita Ahorn" in pdf_text(pdf_attachments(offer_mail)[0])
    phone.goto(link_in(offer_mail, base_url=portal.url, path_pattern=rf"^/angebote/{offer.public_id}/$"))
    assert "/konto/login/" in phone.url
    check(phone, shot="offer-mail-link")
    sign_in(phone, parent.email, here=True)
    assert urlsplit(phone.url).path == f"/angebote/{offer.public_id}/"
    check(phone, shot="offer")
    for answer in ("accept", "decline"):
        assert phone.locator(f"main a[href='?answer={answer}']").count() == 1, (
            f"no {answer} on the offer page"
        )

    # "My applications" with the open offer: both answers, the receipt and the offer letter as PDFs.
    nav(phone, "/antraege/")
    check(phone, shot="offer-applications")
    card = phone.locator(f"#application-{application.public_id}")
    assert card.locator(f"a[href='/angebote/{offer.public_id}/?answer=decline']").count() == 1
    download_pdf(phone, card.locator(f"a[href='/dokumente/antrag/{application.public_id}.pdf']"))
    letter = download_pdf(phone, card.locator(f"a[href='/dokumente/angebot/{offer.public_id}.pdf']"))
    assert "Kita Ahorn" in pdf_text(letter)

    card.locator(f"a[href='/angebote/{offer.public_id}/?answer=accept']").click()
    phone.wait_for_url(f"**/angebote/{offer.public_id}/?answer=accept")
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
    # The same confirmation from "My applications".
    pdf = download_pdf(
        phone, phone.locator(f"main a[href='/dokumente/betreuungsplatz/{placement.public_id}.pdf']")
    )
    assert application.child.first_name in pdf_text(pdf)


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
    office.totp_secret = give_authenticator(office)
    sign_in_to_the_backoffice(desktop, office)
    check(desktop, shot="office-facilities")
    nav(desktop, "/verwaltung/vergabe/")
    desktop.wait_for_url("**/verwaltung/vergabe/")
    check(desktop, shot="office-rounds")

    desktop.locator("input[name=target_start_date]").fill(next_august().isoformat())
    desktop.locator("main form[method=post] [type=submit]").click()
    desktop.wait_for_url(re.compile(r"/verwaltung/vergabe/[0-9a-f-]{36}/$"))
    check(desktop, shot="office-round-draft")
    round_path = urlsplit(desktop.url).path

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
    # Publishing runs in the background; its progress page refreshes itself until the job is done.
    desktop.wait_for_url(re.compile(r"/verwaltung/auftraege/[0-9a-f-]{36}/$"))
    check(desktop, shot="office-publish-progress")
    assert desktop.locator("#job-state[data-refresh-seconds]").count() == 1 or (
        desktop.locator("#outcome-heading").count() == 1
    ), "a running job's page refreshes itself"
    desktop.locator("#outcome-heading").wait_for(timeout=PUBLISH_TIMEOUT_MS)
    assert desktop.locator("#job-state[data-refresh-seconds]").count() == 0, "a finished job's page stays put"
    assert re.search(r"\b2\b", desktop.locator("section[aria-labelledby=outcome-heading]").inner_text())
    check(desktop, shot="office-publish-done")

    desktop.locator(f"main a[href='{round_path}']").click()
    desktop.wait_for_url(f"**{round_path}")
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


def test_staff_pages_pass_axe_and_fit_a_desktop_window(leader, ahorn, town, desktop):
    """A fuller waitlist than the journey's, with a long unbroken name and an open offer, at 1280 px."""
    from childcare.admissions.offers import make_offer

    applications = [
        submitted_application(
            parent=UserFactory(email=f"familie.{number}@example.org"),
            facilities=[ahorn, town["Kita Birke"]],
            first_name=name,
        )
        for number, name in enumerate(["Mia", "Noah", "Emilia", "Ben", "Sophia-Marie", "Leon", "X" * 60])
    ]
    make_offer(wish=applications[0].wishes.get(rank=1), start_date=next_august(), by=leader)
    assert desktop.viewport_size["width"] == 1280

    sign_in_to_the_backoffice(desktop, leader)
    desktop.goto("/verwaltung/kita-ahorn/warteliste/?age_band=u3")
    assert desktop.locator("main tbody tr[id^=candidate-]").count() == len(applications)
    check(desktop, label="staff-waitlist-full")
    for application in (applications[0], applications[-1]):
        desktop.goto(f"/verwaltung/antraege/{application.public_id}/")
        check(desktop, label="staff-application")


def test_the_waitlist_scrolls_in_its_wrapper_on_a_phone_with_words_kept_whole(leader, ahorn, town, phone):
    """At 390 px the table is wider than the phone: it scrolls inside its wrapper, and no cell is
    squeezed to a letter per line (a date, the actions' heading and button each stay on one line)."""
    for number, name in enumerate(["Mia", "Noah"]):
        submitted_application(
            parent=UserFactory(email=f"familie.{number}@example.org"),
            facilities=[ahorn, town["Kita Birke"]],
            first_name=name,
        )
    assert phone.viewport_size["width"] == 390

    sign_in_to_the_backoffice(phone, leader)
    phone.goto("/verwaltung/kita-ahorn/warteliste/?age_band=u3")
    check(phone, label="staff-waitlist-phone")

    wrapper = phone.locator("main .table-responsive")
    scroll_width, client_width = wrapper.evaluate("(w) => [w.scrollWidth, w.clientWidth]")
    assert scroll_width > client_width  # the table scrolls, the page does not (check above)
    row = phone.locator("main tbody tr[id^=candidate-]").first
    date, heading = row.locator("td").nth(1), phone.locator("main thead th.actions-cell")
    for cell in (date, heading, row.locator("summary").last):
        height, line = cell.evaluate(
            "(c) => { const text = document.createRange(); text.selectNodeContents(c);"
            " return [text.getBoundingClientRect().height, parseFloat(getComputedStyle(c).lineHeight)]; }"
        )
        assert height < 1.5 * line, (cell.inner_text(), height, line)  # the text's own height: one line


def test_staff_offer_a_place_from_the_waitlist_with_the_keyboard_alone(portal, leader, family, desktop):
    """Tab to the row's actions, open them with Enter, Tab to the child's offer button, Enter."""
    from tests.e2e.test_keyboard import press, tab_to

    _parent, application = family
    sign_in_to_the_backoffice(desktop, leader)
    desktop.goto("/verwaltung/kita-ahorn/warteliste/?age_band=u3")
    row = f"#candidate-{application.public_id}"
    press(desktop, f"{row} .actions-cell summary")
    button = f"{row} button[formaction$='/angebot/']"
    tab_to(desktop, button)
    assert application.reference in desktop.locator(button).inner_text()  # its name says which child
    with desktop.expect_navigation(url="**/verwaltung/kita-ahorn/warteliste/?age_band=u3"):
        desktop.keyboard.press("Enter")
    assert application.reference in desktop.locator("main .alert-success").inner_text()
    assert Offer.objects.get(application=application).status == OfferStatus.OPEN
