"""The page layout every portal PDF shares, and the pieces its documents are built from.

A document is a plain class: it says which rows it can be made for, its title, its file
name and its body; ``PdfDocument.render`` lays the body out on A4 pages with the
portal's header and a footer that counts pages. Platypus paragraphs and tables wrap long
names instead of running off the page.

The text font is DejaVu Sans, shipped in ``fonts/``: reportlab's built-in Helvetica only
knows the Latin-1 letters, so names such as "Ayşe Yıldız" or "Łukasz" would print as
black boxes, and a system font is not there on every machine.
"""

import datetime
import functools
import io
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from childcare.models import Application, Facility
from portal.models import PortalSettings

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
TOP_MARGIN = 34 * mm
BOTTOM_MARGIN = 22 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#bbbbbb")
SHADE = colors.HexColor("#eeeeee")

PDF_MIMETYPE = "application/pdf"

# reportlab keeps each font's subsetting state on the shared font object, so two documents built at
# once in one process (the worker's threads pool) corrupt each other's fonts. Building is pure
# Python under the GIL, so one document at a time costs no throughput.
_BUILDING = threading.Lock()


@functools.cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, FONT_DIR / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, FONT_DIR / "DejaVuSans-Bold.ttf"))
    # <b> inside a paragraph picks the bold face of the family.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, spaceAfter=4)
    return {
        "title": ParagraphStyle("title", body, fontName=FONT_BOLD, fontSize=17, leading=22, spaceAfter=8),
        "heading": ParagraphStyle(
            "heading", body, fontName=FONT_BOLD, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4
        ),
        "body": body,
        "cell": ParagraphStyle("cell", body, spaceAfter=0),
        "label": ParagraphStyle("label", body, textColor=MUTED, spaceAfter=0),
        "small": ParagraphStyle("small", body, fontSize=8.5, leading=11, spaceAfter=0),
        "item": ParagraphStyle("item", body, leftIndent=14, bulletIndent=2, spaceAfter=2),
    }


def para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text: names and addresses may contain "&" or "<", so they are escaped."""
    return Paragraph(escape(str(text)), styles()[style])


def markup(template: str, **values) -> str:
    """``template`` (translated, may hold <b> tags) with its escaped ``%(name)s`` values filled in."""
    return template % {name: escape(str(value)) for name, value in values.items()}


def rich(text: str, style: str = "body") -> Paragraph:
    """A paragraph whose text is already markup (see ``markup``)."""
    return Paragraph(text, styles()[style])


def item(text: str, bullet: str = "•") -> Paragraph:
    """A list entry whose wrapped lines stay indented under its first word, e.g. a numbered step."""
    return Paragraph(text, styles()["item"], bulletText=bullet)


def heading(text: str) -> Paragraph:
    return para(text, "heading")


def facts(rows: list[tuple[str, str | Flowable | list]]) -> Table:
    """A two-column table of labels and values; values wrap within their column."""
    data = [
        [para(name, "label"), value if isinstance(value, Flowable | list) else para(value, "cell")]
        for name, value in rows
    ]
    table = Table(data, colWidths=[48 * mm, CONTENT_WIDTH - 48 * mm], hAlign="LEFT", spaceAfter=8)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def grid(header: list[str], rows: list[list], widths: list[float]) -> Table:
    """A table with a shaded header row that repeats when the table continues on the next page."""
    data = [[para(text, "label") for text in header], *rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def facility_block(facility: Facility, *, contact: bool = False) -> list[Paragraph]:
    """Name in bold, address below; with ``contact`` also phone and e-mail."""
    lines = [
        rich(markup("<b>%(name)s</b>", name=facility.name), "cell"),
        para(f"{facility.street}, {facility.postcode} {facility.city}", "cell"),
    ]
    if contact and facility.phone:
        lines.append(para(f"{gettext('Phone')}: {facility.phone}", "cell"))
    if contact and facility.email:
        lines.append(para(f"{gettext('E-mail')}: {facility.email}", "cell"))
    return lines


def format_date(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


def format_moment(moment: datetime.datetime) -> str:
    """Date and time in the portal's time zone, e.g. "9. Dezember 2026 um 23:59 Uhr"."""
    local = timezone.localtime(moment)
    return gettext("%(date)s at %(time)s") % {
        "date": format_date(local.date()),
        "time": time_format(local.time(), "TIME_FORMAT"),
    }


def care_scope(hours: int | None) -> str:
    if hours is None:
        return gettext("Not stated")
    return ngettext("%(hours)s hour per week", "%(hours)s hours per week", hours) % {"hours": hours}


def child_rows(child) -> list[tuple[str, str]]:
    if child.birth_date_is_expected:
        birth_label = gettext("expected date of birth")
    else:
        birth_label = gettext("date of birth")
    return [
        (capfirst(gettext("child")), str(child)),
        (capfirst(birth_label), format_date(child.birth_date)),
    ]


def application_status_url(application: Application) -> str:
    """The page where the family follows the application and answers offers."""
    return settings.SITE_URL + reverse(
        "parents:application_detail", kwargs={"public_id": application.public_id}
    )


class QrCode(Flowable):
    """A vector QR code drawn straight on the canvas: sharp at any zoom, no image file in between.

    reportlab's QrCodeWidget encodes the data twice (for its bounds and for drawing), tries all
    eight masks each time and draws one shape per dark module: ~60 ms of a ~70 ms letter. Here
    the code is encoded once with a fixed mask (every mask is valid and decodes the same; the
    search only polishes the pattern) and each row's dark runs are drawn as single rectangles.
    """

    def __init__(self, data: str, size: float):
        super().__init__()
        self.width = self.height = size
        self.rows = _qr_rows(data)

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        count = len(self.rows) + 2 * QR_QUIET_ZONE
        module = self.width / count
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(colors.black)
        for y, runs in enumerate(self.rows):
            top = self.height - (y + QR_QUIET_ZONE) * module
            for start, length in runs:
                x = (start + QR_QUIET_ZONE) * module
                canvas.rect(x, top - module, length * module, module, stroke=0, fill=1)
        canvas.restoreState()


QR_QUIET_ZONE = 4  # modules of white border the QR standard asks for


@functools.lru_cache(maxsize=256)
def _qr_rows(data: str) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Per row, the (first module, length) of each run of dark modules."""
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(data)
    code.version = code.calculate_version()
    code.makeImpl(False, 0)
    rows = []
    for row in code.modules:
        runs, start = [], None
        for x, dark in enumerate([*row, False]):
            if dark and start is None:
                start = x
            elif not dark and start is not None:
                runs.append((start, x - start))
                start = None
        rows.append(tuple(runs))
    return tuple(rows)


def qr_code(url: str, size: float = 32 * mm) -> QrCode:
    return QrCode(url, size)


def status_page_box(application: Application, explanation: str) -> Table:
    """The QR code beside an explanation and the written-out address of the status page."""
    url = application_status_url(application)
    text = [para(explanation, "cell"), Spacer(0, 3), para(url, "small")]
    table = Table(
        [[qr_code(url), text]],
        colWidths=[36 * mm, CONTENT_WIDTH - 36 * mm],
        hAlign="LEFT",
        spaceBefore=8,
        spaceAfter=4,
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("BOX", (0, 0), (-1, -1), 0.4, RULE),
            ]
        )
    )
    return table


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten a header or footer line with an ellipsis so it never runs into the margin."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _page_template() -> PageTemplate:
    # No frame padding: the text lines up with the header and footer drawn at the margins.
    frame = Frame(
        MARGIN,
        BOTTOM_MARGIN,
        CONTENT_WIDTH,
        PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    return PageTemplate(id="page", frames=[frame])


class _CountingCanvas(Canvas):
    """Holds every page back until the end, so each footer can say how many pages there are."""

    def __init__(self, *args, decorate, **kwargs):
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._held_pages = []

    def showPage(self):  # noqa: N802 - reportlab's name
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self._decorate(self, number, total)
            super().showPage()
        super().save()


class PdfDocument:
    """One kind of PDF. Subclasses set ``title`` and ``file_label`` and write ``body``."""

    title: str | Promise = ""
    file_label: str | Promise = ""

    def get_queryset(self) -> QuerySet:
        raise NotImplementedError

    def reference(self, obj: Model) -> str:
        """The number that names the file and that the family quotes when they get in touch."""
        raise NotImplementedError

    def body(self, obj: Model, *, portal: PortalSettings) -> list[Flowable]:
        raise NotImplementedError

    def document_title(self, obj: Model) -> str:
        """The heading on the page; a document whose subject has moved on may say so here."""
        return str(self.title)

    def render(self, obj: Model, *, language: str) -> bytes:
        with translation.override(language):
            with _BUILDING:
                _register_fonts()
            portal = PortalSettings.load()
            buffer = io.BytesIO()
            document = BaseDocTemplate(
                buffer,
                pagesize=A4,
                title=f"{self.document_title(obj)} {self.reference(obj)}",
                author=f"{portal.portal_name} {portal.municipality_name}",
                creator=portal.portal_name,
                lang=language,
                initialFontName=FONT,
            )
            document.addPageTemplates([_page_template()])
            story = [para(self.document_title(obj), "title"), *self.body(obj, portal=portal)]
            created = format_date(timezone.localdate())
            with _BUILDING:
                document.build(
                    story,
                    canvasmaker=functools.partial(
                        _CountingCanvas,
                        decorate=functools.partial(self._decorate, portal=portal, created=created),
                    ),
                )
            return buffer.getvalue()

    def filename(self, obj: Model, *, language: str) -> str:
        with translation.override(language):
            return f"{self.file_label}-{self.reference(obj)}.pdf"

    def attachment(self, pk: int, *, language: str) -> tuple[str, bytes, str]:
        """(file name, PDF, MIME type) for the row ``pk``, as e-mail attachments want it."""
        obj = self.get_queryset().get(pk=pk)
        return self.filename(obj, language=language), self.render(obj, language=language), PDF_MIMETYPE

    def _decorate(self, canvas: Canvas, number: int, total: int, *, portal: PortalSettings, created: str):
        # Runs inside render()'s translation.override, so the footer is in the document's language.
        top = PAGE_HEIGHT - 14 * mm
        canvas.saveState()
        canvas.setFillColor(colors.black)
        canvas.setFont(FONT_BOLD, 11)
        canvas.drawString(MARGIN, top, _fit(portal.portal_name, FONT_BOLD, 11, CONTENT_WIDTH))
        canvas.setFont(FONT, 9)
        canvas.setFillColor(MUTED)
        municipality = gettext("Childcare in %(municipality)s") % {"municipality": portal.municipality_name}
        canvas.drawString(MARGIN, top - 13, _fit(municipality, FONT, 9, CONTENT_WIDTH * 0.6))
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN, top - 13, _fit(portal.contact_email, FONT, 9, CONTENT_WIDTH * 0.38)
        )
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, top - 20, PAGE_WIDTH - MARGIN, top - 20)

        bottom = 12 * mm
        canvas.line(MARGIN, bottom + 10, PAGE_WIDTH - MARGIN, bottom + 10)
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, bottom, gettext("Created on %(date)s") % {"date": created})
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN,
            bottom,
            gettext("Page %(number)s of %(total)s") % {"number": number, "total": total},
        )
        canvas.restoreState()
