"""Hostile proof files are refused by content; honest ones pass with a safe name."""

import io
import stat
import time
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from childcare.admissions import uploads
from childcare.admissions.uploads import check_upload, clean_file_name
from childcare.errors import DomainError
from childcare.models import ApplicationDocument, ApplicationStatus
from tests.childcare.upload_samples import (
    JPEG,
    PDF,
    PHONE_PHOTO,
    PNG,
    motion_photo_trailer,
    pdf_with_attachment,
    pdf_with_flate_bomb,
    pdf_with_javascript,
    photo_with_location,
    png_claiming,
    zeros_deflated,
    zip_archive,
)
from tests.factories import ApplicationFactory


def checked(content: bytes, name: str = "nachweis.pdf"):
    return check_upload(SimpleUploadedFile(name, content))


def refusal(content: bytes) -> str:
    with pytest.raises(DomainError) as error:
        checked(content)
    return error.value.message


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(PDF, uploads.PDF), (JPEG, uploads.JPEG), (PNG, uploads.PNG)],
    ids=["pdf", "jpeg", "png"],
)
def test_a_real_pdf_jpeg_or_png_is_accepted(content, content_type):
    assert checked(content).content_type == content_type


def test_a_pdf_with_javascript_is_refused(in_english):
    assert "scripts, automatic actions or attached files" in refusal(pdf_with_javascript())


def test_a_pdf_with_an_attached_file_is_refused(in_english):
    assert "scripts, automatic actions or attached files" in refusal(pdf_with_attachment())


def test_a_pdf_with_an_escaped_javascript_name_is_still_found(in_english):
    # "/J#61vaScript" is "/JavaScript" to every PDF reader; a byte search would miss it.
    disguised = pdf_with_javascript().replace(b"/JavaScript", b"/J#61vaScript")
    assert "scripts, automatic actions or attached files" in refusal(disguised)


def test_a_pdf_followed_by_html_is_refused(in_english):
    assert "web page or script code" in refusal(PDF + b"<html><script>alert(1)</script></html>")


def test_a_pdf_with_other_data_after_its_end_is_refused(in_english):
    assert "data after its end" in refusal(PDF + b"\x00\x01binary tail" * 600)


def test_a_pdf_html_polyglot_at_the_start_is_refused(in_english):
    polyglot = PDF.replace(b"\n", b"\n<!DOCTYPE html><body onload=alert(1)>\n", 1)
    assert "web page or script code" in refusal(polyglot)


def test_a_jpeg_with_html_appended_is_refused(in_english):
    assert "web page or script code" in refusal(JPEG + b"<html><script>alert(1)</script></html>")


def test_a_png_with_any_data_after_the_image_is_refused(in_english):
    assert "data after its end" in refusal(PNG + b"PK\x03\x04" + bytes(5000))
    assert "data after its end" in refusal(PNG + bytes(range(256)) * 20)


@pytest.mark.parametrize(
    "appended",
    [zip_archive(), PDF, b"PK\x05\x06" + bytes(18)],
    ids=["zip archive", "pdf", "end of a zip directory"],
)
def test_a_jpeg_with_another_file_after_its_end_is_refused(appended, in_english):
    assert "data after its end" in refusal(JPEG + motion_photo_trailer()[:1000] + appended)


def test_a_jpeg_with_a_page_hidden_deep_in_its_trailer_is_refused(in_english):
    # Beyond the last 4 KiB a sniffer reads: the whole trailer is searched, not only the edges.
    hidden = JPEG + b"<html><script>alert(1)</script></html>" + bytes(3 * uploads.EDGE_BYTES)
    assert "web page or script code" in refusal(hidden)


def exif_of(content: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(content)) as image:
        return image.getexif()


def test_a_phone_photo_with_a_motion_photo_trailer_is_accepted_and_kept_without_it():
    assert len(PHONE_PHOTO) > len(photo_with_location()) + 60_000  # the video really is appended

    upload = checked(PHONE_PHOTO, "20260604_101500.jpg")

    assert upload.content_type == uploads.JPEG
    assert upload.content.endswith(b"\xff\xd9")
    assert b"SEFT" not in upload.content
    assert b"ftypmp42" not in upload.content
    assert len(upload.content) < len(PHONE_PHOTO) - 60_000


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_a_stored_image_is_upright_and_has_no_location_or_other_metadata(kind):
    original = photo_with_location(kind)
    assert exif_of(original).get_ifd(ExifTags.IFD.GPSInfo)  # the sample does carry a position

    stored = checked(original, f"foto.{kind.lower()}").content

    exif = exif_of(stored)
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert ExifTags.Base.Make not in exif
    assert ExifTags.Base.Orientation not in exif
    with Image.open(io.BytesIO(stored)) as image:
        # Orientation 6 turned the 40 x 30 photo by 90 degrees: its red left half is now on top.
        assert image.size == (30, 40)
        image = image.convert("RGB")
        top, bottom = image.getpixel((15, 5)), image.getpixel((15, 35))
    assert top[0] > 200
    assert top[1] < 60
    assert top[2] < 60
    assert min(bottom) > 200


def test_a_flate_bomb_is_refused_without_inflating_it(in_english):
    bomb = pdf_with_flate_bomb(512)
    assert len(bomb) < 2**20  # the bomb fits easily within the upload limit

    started = time.monotonic()
    message = refusal(bomb)

    assert "unpacks to far more data than a document holds" in message
    assert time.monotonic() - started < 5  # stopped at the cap, not after 512 MiB


def test_the_bomb_really_inflates_to_512_mib():
    decompressor = zlib.decompressobj()
    data, total = zeros_deflated(512), 0
    while data:
        total += len(decompressor.decompress(data, 2**24))
        data = decompressor.unconsumed_tail
    assert total == 512 * 2**20
    assert decompressor.eof


def test_a_png_claiming_100000_by_100000_pixels_is_refused(in_english):
    assert "at most 50 megapixels" in refusal(png_claiming(100_000, 100_000))


def test_a_broken_image_is_refused(in_english):
    assert "cannot be read" in refusal(PNG[:40] + PNG[60:])


@pytest.mark.parametrize(
    ("uploaded", "content_type", "shown"),
    [
        ("rechnung\u202egnp.exe", uploads.PNG, "rechnunggnp.exe.png"),
        ("Meldebescheinigung.PDF", uploads.PDF, "Meldebescheinigung.pdf"),
        ("foto.jpeg", uploads.JPEG, "foto.jpeg"),
        ("foto.png", uploads.JPEG, "foto.png.jpg"),
        ("..\\..\\etc/pass\x00wd\u2066.pdf\u2069", uploads.PDF, "passwd.pdf"),
        ("\u200e\u200f", uploads.PDF, "document.pdf"),
        ("a" * 300 + ".pdf", uploads.PDF, "a" * 196 + ".pdf"),
    ],
)
def test_shown_file_names_lose_control_and_direction_characters_and_match_the_type(
    uploaded, content_type, shown, in_english
):
    assert clean_file_name(uploaded, content_type) == shown


# --- through the page ---


@pytest.fixture
def application(child):
    return ApplicationFactory(child=child, status=ApplicationStatus.WAITING)


def upload_url(application):
    return reverse("parents:document_upload", args=[application.public_id])


@pytest.mark.django_db
def test_an_accepted_proof_is_stored_readable_by_the_service_user_only(client, parent, application):
    client.force_login(parent)
    client.post(
        upload_url(application),
        {"criterion": "residence", "file": SimpleUploadedFile("\u202eFDP.scan.png", PNG)},
    )

    document = ApplicationDocument.objects.get()
    assert document.original_name == "FDP.scan.png"
    path = Path(document.file.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.django_db
def test_a_phone_photo_is_stored_without_its_trailer_and_location(client, parent, application):
    client.force_login(parent)
    client.post(
        upload_url(application),
        {"criterion": "residence", "file": SimpleUploadedFile("20260604_101500.jpg", PHONE_PHOTO)},
    )

    document = ApplicationDocument.objects.get()
    stored = Path(document.file.path).read_bytes()
    assert document.content_type == uploads.JPEG
    assert document.original_name == "20260604_101500.jpg"
    assert document.size == len(stored) < len(PHONE_PHOTO)
    assert stored.endswith(b"\xff\xd9")
    assert b"SEFT" not in stored
    assert not exif_of(stored).get_ifd(ExifTags.IFD.GPSInfo)


@pytest.mark.django_db
@pytest.mark.parametrize("megabytes", [50, 200])
def test_a_huge_body_is_refused_before_anything_reads_it(client, parent, application, megabytes, in_english):
    client.force_login(parent)
    page = reverse("parents:application_step_criteria", args=[application.public_id])

    # The body really is a few bytes: the test client's stream fails if more than that is read,
    # so success proves nothing (not even the CSRF check) read the announced size.
    response = client.post(
        upload_url(application),
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(megabytes * 2**20),
        HTTP_REFERER=f"http://testserver{page}",
    )

    assert response.status_code == 302
    assert response["Location"] == f"http://testserver{page}"
    assert not ApplicationDocument.objects.exists()
    shown = client.get(page).content.decode()
    assert "The file is too large. At most 5.0\xa0MB are allowed." in shown


@pytest.mark.django_db
def test_a_huge_body_without_a_page_to_return_to_gets_413(client, parent, application):
    client.force_login(parent)
    response = client.post(
        upload_url(application),
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(50 * 2**20),
    )
    assert response.status_code == 413


def test_many_moderate_streams_are_refused_once_their_total_is_too_large(in_english, monkeypatch):
    monkeypatch.setattr(uploads, "PDF_TOTAL_MAX_BYTES", 8 * 2**20)
    assert "unpacks to far more data" in refusal(pdf_with_flate_bomb(16))
    monkeypatch.setattr(uploads, "PDF_TOTAL_MAX_BYTES", 32 * 2**20)
    assert checked(pdf_with_flate_bomb(16)).content_type == uploads.PDF
