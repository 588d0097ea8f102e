"""PDF documents: each one is parsed back with pypdf and read like a family would read it."""

import contextlib
import datetime
import io
import threading
import zoneinfo

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from childcare.letters import (
    ApplicationReceipt,
    OfferLetter,
    PlacementConfirmation,
    render_application_receipt,
    render_offer_letter,
    render_placement_confirmation,
)
from childcare.letters.base import application_status_url, qr_code
from childcare.models import ApplicationStatus, OfferStatus
from portal.models import PortalSettings
from tests.factories import (
    ApplicationFactory,
    ChildFactory,
    FacilityFactory,
    GuardianshipFactory,
    OfferFactory,
    PlacementFactory,
    StaffMembershipFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
LONG_NAME = (
    "Städtische Kindertagesstätte „Regenbogenland“ am Großen Stadtpark – Krippe, Kindergarten und Hort "
    "für Kinder aus Süd-Ost"
)


def pdf_pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    """All pages as one line: a name wrapped over two lines still reads as one phrase."""
    return " ".join(" ".join(pdf_pages(data)).split())


def squeezed(text: str) -> str:
    """Without any white space, so a word broken at a hyphen still matches."""
    return "".join(text.split())


@pytest.fixture
def child(parent):
    child = ChildFactory(first_name="Zoë-Ümmühan", last_name="Müller-Lüdenscheidt")
    GuardianshipFactory(user=parent, child=child)
    return child


@pytest.fixture
def application(child, facility):
    facility.name = "Kita Sonnenblume & Söhne"
    facility.phone = "06101 4711"
    facility.save()
    application = ApplicationFactory(
        child=child,
        desired_start_date=datetime.date(2026, 3, 1),
        care_hours_per_week=35,
        guardians_working_or_training=2,
        single_parent=True,
    )
    WishFactory(application=application, facility=facility, rank=1)
    WishFactory(application=application, facility=FacilityFactory(name="Kita Pusteblume"), rank=2)
    return application


@pytest.fixture
def offer(application):
    return OfferFactory(
        wish=application.wishes.get(rank=1),
        start_date=datetime.date(2026, 8, 1),
        expires_at=datetime.datetime(2026, 12, 9, 23, 59, tzinfo=BERLIN),
    )


@pytest.fixture
def placement(offer):
    return PlacementFactory(
        child=offer.application.child,
        facility=offer.wish.facility,
        source_offer=offer,
        start_date=datetime.date(2026, 8, 1),
        end_date=datetime.date(2029, 8, 1),
    )


# --- Application receipt ------------------------------------------------------------------------


def test_receipt_in_english_lists_reference_child_wishes_and_criteria(application):
    text = pdf_text(ApplicationReceipt().render(application, language="en"))
    assert "Application receipt" in text
    assert application.reference in text
    assert "Zoë-Ümmühan Müller-Lüdenscheidt" in text
    assert "1 March 2026" in text
    assert "35 hours per week" in text
    assert text.index("Kita Sonnenblume & Söhne") < text.index("Kita Pusteblume")
    assert "You live in Musterstadt." in text
    assert "2 guardians are working or in training." in text
    assert "You are bringing up your child alone." in text
    assert "Page 1 of 1" in text


def test_receipt_in_german_uses_german_labels_and_dates(application):
    text = pdf_text(ApplicationReceipt().render(application, language="de"))
    assert application.reference in text
    assert "Zoë-Ümmühan Müller-Lüdenscheidt" in text
    assert "Kita Sonnenblume & Söhne" in text
    for german in ("Antragsnummer", "Geburtsdatum", "Einrichtung", "Altersgruppe", "35 Stunden pro Woche"):
        assert german in text
    assert "1. März 2026" in text
    assert "1 March 2026" not in text


def qr_modules(code) -> list[list[bool]]:
    """The dark modules the letter draws, row by row, from its runs."""
    width = max(start + length for runs in code.rows for start, length in runs)
    size = len(code.rows)
    assert width <= size
    matrix = [[False] * size for _ in range(size)]
    for y, runs in enumerate(code.rows):
        for start, length in runs:
            matrix[y][start : start + length] = [True] * length
    return matrix


def reference_qr_matrix(data: str) -> list[list[bool]]:
    """The same code made by an independent encoder (the qrcode package), to prove ours is valid."""
    import qrcode

    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=0)
    reference.add_data(data)
    reference.make(fit=True)
    return reference.get_matrix()


def test_receipt_carries_a_qr_code_and_the_address_of_the_status_page(application):
    status_url = settings.SITE_URL + reverse(
        "parents:application_detail", kwargs={"public_id": application.public_id}
    )
    assert application_status_url(application) == status_url
    assert qr_modules(qr_code(status_url)) == reference_qr_matrix(status_url)
    text = pdf_text(ApplicationReceipt().render(application, language="en"))
    assert squeezed(status_url) in squeezed(text)


def test_long_facility_names_and_many_wishes_wrap_onto_a_second_page(child):
    application = ApplicationFactory(child=child)
    names = [LONG_NAME[:120]] + [f"{LONG_NAME[:100]} Nr. {rank}" for rank in range(2, 11)]
    for rank, name in enumerate(names, start=1):
        WishFactory(application=application, facility=FacilityFactory(name=name), rank=rank)
    assert len(LONG_NAME[:120]) == 120

    pages = pdf_pages(ApplicationReceipt().render(application, language="de"))

    assert len(pages) == 2
    text = squeezed(" ".join(pages))
    for name in names:
        assert squeezed(name) in text
    assert squeezed("Zoë-Ümmühan Müller-Lüdenscheidt") in text
    assert application.reference in text


def test_names_beyond_latin_1_keep_their_letters(parent, facility):
    """The embedded DejaVu font has the Turkish and Polish letters Helvetica lacks."""
    child = ChildFactory(first_name="Ayşe", last_name="Yıldız-Łukaszewska")
    application = ApplicationFactory(child=child)
    WishFactory(application=application, facility=facility)
    text = pdf_text(ApplicationReceipt().render(application, language="en"))
    assert "Ayşe Yıldız-Łukaszewska" in text


def test_draft_application_has_no_receipt(child):
    draft = ApplicationFactory(child=child, status=ApplicationStatus.DRAFT, submitted_at=None)
    assert not ApplicationReceipt().get_queryset().filter(pk=draft.pk).exists()


# --- Offer letter -------------------------------------------------------------------------------


def test_offer_letter_in_english_explains_how_to_accept_before_the_deadline(offer):
    text = pdf_text(OfferLetter().render(offer, language="en"))
    assert "Offer of a daycare place" in text
    assert offer.application.reference in text
    assert "Kita Sonnenblume & Söhne" in text
    assert "06101 4711" in text
    assert "Zoë-Ümmühan Müller-Lüdenscheidt" in text
    assert "1 August 2026" in text
    assert "9 December 2026 at 23:59" in text
    assert "Sign in to the portal" in text
    assert "The offer ends at this deadline." in text


def test_offer_letter_in_german_shows_the_deadline_in_german(offer):
    text = pdf_text(OfferLetter().render(offer, language="de"))
    assert offer.application.reference in text
    assert "Kita Sonnenblume & Söhne" in text
    assert "Zoë-Ümmühan Müller-Lüdenscheidt" in text
    assert "Antwort bis" in text
    assert "9. Dezember 2026" in text
    assert "23:59" in text
    assert "1. August 2026" in text


def test_offer_letter_of_an_answered_offer_says_how_it_ended(offer):
    offer.status = OfferStatus.DECLINED
    offer.save()
    assert "Status Declined" in pdf_text(OfferLetter().render(offer, language="en"))


# --- Placement confirmation ---------------------------------------------------------------------


def test_placement_confirmation_in_english(placement):
    text = pdf_text(PlacementConfirmation().render(placement, language="en"))
    assert "Confirmation of a daycare place" in text
    assert placement.source_offer.application.reference in text
    assert "Kita Sonnenblume & Söhne" in text
    assert "Zoë-Ümmühan Müller-Lüdenscheidt" in text
    assert "1 August 2026" in text
    assert "Last day of care 31 July 2029" in text


def test_placement_confirmation_in_german(placement):
    text = pdf_text(PlacementConfirmation().render(placement, language="de"))
    assert placement.source_offer.application.reference in text
    assert "Kita Sonnenblume & Söhne" in text
    assert "Zoë-Ümmühan Müller-Lüdenscheidt" in text
    assert "Betreuungsbeginn 1. August 2026" in text
    assert "31. Juli 2029" in text


def test_placement_without_an_offer_is_named_by_its_own_id(child, facility):
    placement = PlacementFactory(child=child, facility=facility)
    short_id = str(placement.public_id)[:8].upper()
    assert short_id in pdf_text(PlacementConfirmation().render(placement, language="en"))
    assert PlacementConfirmation().filename(placement, language="en") == f"Placement-{short_id}.pdf"


# --- Attachments for e-mails ----------------------------------------------------------------------


def test_attachment_functions_render_by_primary_key(placement):
    offer = placement.source_offer
    application = offer.application
    for render, pk, stem in (
        (render_application_receipt, application.pk, "Application"),
        (render_offer_letter, offer.pk, "Offer"),
        (render_placement_confirmation, placement.pk, "Placement"),
    ):
        filename, data, mimetype = render(pk, "en")
        assert filename == f"{stem}-{application.reference}.pdf"
        assert mimetype == "application/pdf"
        text = pdf_text(data)
        assert application.reference in text
        assert "Kita Sonnenblume & Söhne" in text


# --- Downloads ----------------------------------------------------------------------------------


def receipt_url(application):
    return reverse("letters:application_receipt_pdf", kwargs={"public_id": application.public_id})


def offer_url(offer):
    return reverse("letters:offer_letter_pdf", kwargs={"public_id": offer.public_id})


def placement_url(placement):
    return reverse("letters:placement_confirmation_pdf", kwargs={"public_id": placement.public_id})


def test_guardian_downloads_the_receipt_in_the_language_of_their_account(client, parent, application):
    parent.language = "en"
    parent.save()
    client.force_login(parent)

    response = client.get(receipt_url(application))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'attachment; filename="Application-{application.reference}.pdf"'
    )
    assert "private" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "Application receipt" in text
    assert application.reference in text


def test_staff_get_the_pdf_in_the_language_of_the_page(client, staff, application):
    client.force_login(staff)
    german = pdf_text(client.get(receipt_url(application)).content)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = pdf_text(client.get(receipt_url(application)).content)
    assert "Antragsnummer" in german
    assert "Reference number" in english


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("parent", 200),
        ("staff", 200),
        ("municipal_office", 200),
        ("other_parent", 404),
        ("other_staff", 404),
    ],
)
def test_who_may_download_the_receipt(client, request, application, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(receipt_url(application))
    assert response.status_code == status
    if status == 200:
        assert application.reference in pdf_text(response.content)


def test_staff_of_a_lower_wish_may_download_the_receipt(client, application):
    other_facility = application.wishes.get(rank=2).facility
    client.force_login(StaffMembershipFactory(facility=other_facility).user)
    assert client.get(receipt_url(application)).status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("parent", 200),
        ("staff", 200),
        ("municipal_office", 200),
        ("other_parent", 404),
        ("other_staff", 404),
    ],
)
def test_who_may_download_the_offer_letter(client, request, offer, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(offer_url(offer))
    assert response.status_code == status
    if status == 200:
        assert "Kita Sonnenblume & Söhne" in pdf_text(response.content)


def test_offer_letter_is_only_for_staff_of_the_offered_facility(client, offer):
    """Staff of the family's second wish see the application, but not another facility's offer."""
    second_choice = offer.application.wishes.get(rank=2).facility
    client.force_login(StaffMembershipFactory(facility=second_choice).user)
    assert client.get(offer_url(offer)).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("parent", 200),
        ("staff", 200),
        ("municipal_office", 200),
        ("other_parent", 404),
        ("other_staff", 404),
    ],
)
def test_who_may_download_the_placement_confirmation(client, request, placement, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(placement_url(placement))
    assert response.status_code == status
    if status == 200:
        assert "Kita Sonnenblume & Söhne" in pdf_text(response.content)


def test_downloads_need_a_signed_in_user(client, placement):
    offer = placement.source_offer
    for url in (receipt_url(offer.application), offer_url(offer), placement_url(placement)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_draft_has_no_receipt_to_download(client, parent, child):
    draft = ApplicationFactory(child=child, status=ApplicationStatus.DRAFT, submitted_at=None)
    client.force_login(parent)
    assert client.get(receipt_url(draft)).status_code == 404


def test_ids_of_one_kind_do_not_open_another(client, parent, placement):
    """An application's id is not an offer's: each URL looks only at its own kind of document."""
    client.force_login(parent)
    application = placement.source_offer.application
    assert client.get(offer_url(application)).status_code == 404
    assert client.get(placement_url(placement.source_offer)).status_code == 404


@pytest.mark.django_db(transaction=True)  # the threads read the application over their own connections
def test_documents_built_at_once_in_several_threads_keep_their_fonts(application):
    """The worker's threads pool renders attachments side by side; reportlab's fonts are shared."""
    pdfs, errors = [], []
    # SQLite's in-memory test database lets one connection at a time read a table (shared cache:
    # "database table is locked"); a worker's file database in WAL mode does not. There the
    # threads read one after the other and build their PDFs side by side, which is what this tests.
    reading = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()
    receipt = ApplicationReceipt()
    PortalSettings.load()  # kept by the process, as a worker holds it after its first message

    def render_some():
        try:
            for _ in range(6):
                with reading:
                    loaded = receipt.get_queryset().get(pk=application.pk)
                pdfs.append(receipt.render(loaded, language="de"))
        except Exception as error:  # noqa: BLE001 (the test reports what any thread raised)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=render_some) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(pdfs) == 24
    assert all(application.reference in pdf_text(pdf) for pdf in pdfs)
