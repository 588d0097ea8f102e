"""What an uploaded proof may be: a plain PDF, JPEG or PNG by its content (not its name), not too large.

The first bytes only say which parser to ask. The file is then parsed in full, so that what
staff later open is exactly a document or an image and nothing else:

- no active content in a PDF (JavaScript, automatic actions, launch or form-submit actions,
  embedded or attached files, XFA forms), found in the parsed objects, so no ``#xx``-escaped name
  hides it;
- no second format in the same bytes (HTML or script markers at the start or end, data after
  the PDF's last ``%%EOF`` or the PNG's end chunk; after a JPEG's end-of-image marker, a page,
  script, PDF or ZIP archive);
- no decompression bomb: PDF streams are decoded with a cap per stream and in total, images
  must declare a sane pixel count before any pixel is decoded.

Images are stored re-encoded from their decoded pixels (turned upright by their EXIF orientation
first): what a phone appends after a JPEG's end (Samsung's trailer, the video of a motion photo)
and all metadata, the GPS position included, are not kept. Only the colour profile stays.

The shown file name loses control and direction-changing characters and gets the extension of
the detected type, so "rechnung\u202egnp.exe" cannot pose as something it is not.
"""

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from struct import error as struct_error

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from childcare.errors import DomainError

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)
EXTENSIONS = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",)}
NAME_MAX_LENGTH = 200

# Markers of a document a browser would render as a page, looked for where sniffers look.
POLYGLOT_MARKERS = re.compile(
    rb"<\s*(?:html|script|!doctype|body|iframe|svg|object|embed|\?php)|javascript:", re.IGNORECASE
)
EDGE_BYTES = 4096
# Another file after a JPEG's end that some program would open: a PDF, a ZIP archive (local file
# header or end of its directory, which unzip looks for at the end), besides the page markers above.
TRAILER_FORMAT_MARKERS = re.compile(rb"%PDF-|PK\x03\x04|PK\x05\x06")
JPEG_QUALITY = 90
# Modes each format stores as they are; anything else (e.g. a JPEG in YCbCr with an odd mode) is
# converted to the first.
STORED_MODES = {JPEG: ("RGB", "L", "CMYK"), PNG: ("RGBA", "RGB", "L", "LA", "P", "1", "I", "I;16")}

MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel photo; a 100,000 x 100,000 claim is a bomb
PDF_STREAM_MAX_BYTES = 32 * 2**20  # one decoded stream (a scanned page is a few MB)
PDF_TOTAL_MAX_BYTES = 128 * 2**20  # all decoded streams together
PDF_MAX_OBJECTS = 100_000
# Keys that carry scripts, automatic actions or whole other files.
PDF_FORBIDDEN_KEYS = {
    "/JS",
    "/JavaScript",
    "/AA",
    "/EmbeddedFiles",
    "/EmbeddedFile",
    "/XFA",
    "/RichMedia",
}
# Action types and annotation kinds that run, open or send something.
PDF_FORBIDDEN_NAMES = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToE",
    "/FileAttachment",
    "/RichMedia",
    "/EmbeddedFile",
}
# Image codecs inside a PDF are not decoded here (a viewer does that); their bytes count as stored.
PDF_IMAGE_FILTERS = {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"}


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    name: str
    content: bytes  # what to store: the PDF as sent, an image re-encoded


def check_upload(upload) -> CheckedUpload:
    """The type the file's content proves and a safe name to show, or a DomainError saying why not."""
    size_limit = settings.UPLOAD_MAX_BYTES
    if upload.size > size_limit:
        raise DomainError(
            _("The file is too large. At most %(size)s are allowed.") % {"size": filesizeformat(size_limit)}
        )
    if upload.size == 0:
        raise DomainError(_("The file is empty."))
    upload.seek(0)
    data = upload.read(size_limit + 1)
    upload.seek(0)
    content_type = next((kind for signature, kind in SIGNATURES if data.startswith(signature)), None)
    if content_type is None:
        raise DomainError(_("Only PDF, JPEG or PNG files can be uploaded."))
    if POLYGLOT_MARKERS.search(data[:EDGE_BYTES]) or POLYGLOT_MARKERS.search(data[-EDGE_BYTES:]):
        raise DomainError(_("The file contains web page or script code and cannot be accepted."))
    if content_type == PDF:
        _check_pdf(data)
        content = data
    else:
        content = _checked_image(data, content_type)
    return CheckedUpload(
        content_type=content_type, name=clean_file_name(upload.name or "", content_type), content=content
    )


# --- names ---

_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}  # controls; format chars incl. bidi overrides, ZWJ


def clean_file_name(name: str, content_type: str) -> str:
    """The uploaded name without path, controls or direction marks, ending in the detected type."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(char for char in name if unicodedata.category(char) not in _INVISIBLE_CATEGORIES)
    name = " ".join(name.split()).strip(" .")
    extensions = EXTENSIONS[content_type]
    stem, dot, extension = name.rpartition(".")
    if dot and f".{extension.lower()}" in extensions:
        name, extension = stem, f".{extension.lower()}"
    else:
        extension = extensions[0]
    name = name.strip(" .")[: NAME_MAX_LENGTH - len(extension)] or _("document")
    return name + extension


# --- PDF ---


def _check_pdf(data: bytes) -> None:
    end = data.rfind(b"%%EOF")
    if end == -1 or data[end + len(b"%%EOF") :].strip(b" \t\r\n\x00"):
        raise DomainError(_("The PDF has data after its end and cannot be accepted."))
    # pypdf decodes cross-reference and object streams while it reads: capped here as well.
    caps = dict.fromkeys(
        (
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "brotli_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "image_maximum_buffer_size",
        ),
        PDF_STREAM_MAX_BYTES,
    )
    try:
        with apply_configuration(**caps), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about harmless repairs of real-world files
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise DomainError(_("Password-protected PDFs cannot be accepted."))
            _check_pdf_objects(reader)
            if len(reader.pages) == 0:
                raise DomainError(_("The PDF has no pages."))
    except DomainError:
        raise
    except LimitReachedError:
        raise _unpacks_too_much() from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        raise DomainError(_("The PDF cannot be read. Please save it again or scan it anew.")) from None


def _indirect_objects(reader: PdfReader):
    """Every numbered object of the file, those in object streams last: their streams are then
    known to be within the caps before pypdf decodes them."""
    plain = [(number, generation) for generation, numbers in reader.xref.items() for number in numbers]
    packed = [(number, 0) for number in reader.xref_objStm]
    if len(plain) + len(packed) > PDF_MAX_OBJECTS:
        raise DomainError(_("The PDF is too complex to be checked."))
    for number, generation in [*plain, *packed]:
        yield reader.get_object(IndirectObject(number, generation, reader))


def _check_pdf_objects(reader: PdfReader) -> None:
    decoded_total = 0
    _check_pdf_value(reader.trailer, depth=0)
    for obj in _indirect_objects(reader):
        _check_pdf_value(obj, depth=0)
        if isinstance(obj, StreamObject):
            decoded_total += _decoded_size(obj)
            if decoded_total > PDF_TOTAL_MAX_BYTES:
                raise _unpacks_too_much()


def _check_pdf_value(value, *, depth: int) -> None:
    """Looks through one object and its direct children; indirect ones are visited on their own."""
    if depth > 50:
        raise DomainError(_("The PDF is too complex to be checked."))
    if isinstance(value, DictionaryObject):
        for key, child in value.items():
            if key in PDF_FORBIDDEN_KEYS:
                raise _active_content()
            if key == "/OpenAction" and isinstance(child, DictionaryObject | IndirectObject):
                action = child.get_object()
                if isinstance(action, DictionaryObject) and action.get("/S") != "/GoTo":
                    raise _active_content()
            kind = child if key in ("/S", "/Subtype", "/Type") and isinstance(child, NameObject) else None
            if kind in PDF_FORBIDDEN_NAMES:
                raise _active_content()
            _check_pdf_value(child, depth=depth + 1)
    elif isinstance(value, ArrayObject):
        for child in value:
            _check_pdf_value(child, depth=depth + 1)


def _active_content() -> DomainError:
    return DomainError(
        _("The PDF contains scripts, automatic actions or attached files and cannot be accepted.")
    )


def _unpacks_too_much() -> DomainError:
    return DomainError(_("The PDF unpacks to far more data than a document holds and cannot be accepted."))


def _decoded_size(stream: StreamObject) -> int:
    filters = stream.get("/Filter")
    names = {str(f) for f in filters} if isinstance(filters, ArrayObject) else {str(filters)}
    if names & PDF_IMAGE_FILTERS or filters is None:
        return len(stream._data)
    # Decoded under the caps set in _check_pdf: a bomb stops at the cap with LimitReachedError.
    return len(stream.get_data())


# --- images ---


def _checked_image(data: bytes, content_type: str) -> bytes:
    """The image re-encoded from its pixels, if it is one image and nothing else."""
    end = _jpeg_end(data) if content_type == JPEG else _png_end(data)
    if end is None:
        raise DomainError(_("The image cannot be read. Please save it again."))
    trailer = data[end:]
    if trailer:
        if POLYGLOT_MARKERS.search(trailer):
            raise DomainError(_("The file contains web page or script code and cannot be accepted."))
        # Phones append their own data to JPEGs only; a PNG with a tail was made to be two things.
        if content_type == PNG or TRAILER_FORMAT_MARKERS.search(trailer):
            raise DomainError(_("The image has data after its end and cannot be accepted."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                _check_pixels(image)
                image.verify()
            # verify() leaves the image unusable: open again and decode every pixel, within the cap.
            with Image.open(io.BytesIO(data)) as image:
                _check_pixels(image)
                image.load()
                return _reencoded(image, content_type)
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct_error):
        raise DomainError(_("The image cannot be read. Please save it again.")) from None


def _reencoded(image, content_type: str) -> bytes:
    """The pixels, upright, in a new file of the same format: no trailer, no EXIF (GPS position,
    camera serial), no comments or text chunks; the colour profile is kept so colours stay right."""
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    modes = STORED_MODES[content_type]
    if upright.mode not in modes:
        upright = upright.convert(modes[0])
    buffer = io.BytesIO()
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    if content_type == JPEG:
        upright.save(buffer, "JPEG", quality=JPEG_QUALITY, **extra)
    else:
        upright.save(buffer, "PNG", **extra)
    return buffer.getvalue()


def _check_pixels(image) -> None:
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> DomainError:
    return DomainError(
        _("The image is too large: at most %(megapixels)s megapixels are allowed.")
        % {"megapixels": MAX_IMAGE_PIXELS // 1_000_000}
    )


def _png_end(data: bytes) -> int | None:
    """Offset just after the IEND chunk, walking the chunks from the signature."""
    position = 8
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        position += 12 + length
        if kind == b"IEND":
            return position if position <= len(data) else None
    return None


def _jpeg_end(data: bytes) -> int | None:
    """Offset just after the end-of-image marker, walking the segments (and scans) from the start."""
    position = 2
    size = len(data)
    while position + 1 < size:
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:
            return position + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 2
            continue
        if position + 4 > size:
            return None
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next real marker
            while True:
                position = data.find(b"\xff", position)
                if position == -1 or position + 1 >= size:
                    return None
                following = data[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    position += 2
                    continue
                break
    return None
