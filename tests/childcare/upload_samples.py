"""Real and hostile upload files, built in memory so every test shows what it feeds the portal."""

import io
import random
import struct
import zipfile
import zlib

from PIL import ExifTags, Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import NameObject, StreamObject


def pdf_bytes(writer: PdfWriter | None = None) -> bytes:
    if writer is None:
        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(kind: str, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, kind)
    return buffer.getvalue()


PDF = pdf_bytes()
PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")


def pdf_with_javascript() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert('hello');"))
    return pdf_bytes(writer)


def pdf_with_attachment() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("invoice.exe", b"MZ\x90\x00")
    return pdf_bytes(writer)


def zeros_deflated(megabytes: int) -> bytes:
    """A valid zlib stream of ``megabytes`` MiB of zeros, built without compressing them all.

    After a full flush the compressor starts afresh, so every further MiB of zeros compresses to
    the same bytes: repeat them, finish, and end with the Adler-32 of all those zeros.
    """
    chunk = bytes(2**20)
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    middle = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.compress(chunk) + compressor.flush(zlib.Z_FINISH)
    adler32 = ((megabytes * 2**20 % 65521) << 16) | 1  # a = 1 + sum of bytes, b = sum of the a's
    return first + middle * (megabytes - 2) + last[:-4] + struct.pack(">I", adler32)


def pdf_with_flate_bomb(megabytes: int = 512) -> bytes:
    """A page whose content stream inflates to ``megabytes`` MiB of zeros (about 0.5 MB on disk)."""
    compressed = zeros_deflated(megabytes)
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    stream = StreamObject()
    stream.set_data(compressed)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    return pdf_bytes(writer)


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header announcing ``width`` x ``height`` pixels, with a tiny (wrong) image body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


# Where the phone was when the photo was taken: what a stored proof must not tell anyone.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (52.0, 31.0, 12.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (13.0, 24.0, 0.0),
}


def photo_with_location(kind: str = "JPEG", orientation: int = 6) -> bytes:
    """A 40 x 30 photo, left half red, taken turned (orientation 6: shown rotated 90 degrees
    clockwise, so 30 x 40) with the GPS position in its EXIF data."""
    image = Image.new("RGB", (40, 30), (255, 255, 255))
    image.paste((255, 0, 0), (0, 0, 20, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "samsung"
    exif[ExifTags.IFD.GPSInfo] = GPS
    buffer = io.BytesIO()
    image.save(buffer, kind, exif=exif)
    return buffer.getvalue()


def motion_photo_trailer() -> bytes:
    """What a Samsung phone appends after the end of a JPEG: the video of a motion photo (an MP4:
    ftyp and mdat boxes of compressed-looking bytes), then its own index ending in SEFT."""
    video = random.Random(7).randbytes(64 * 2**10)
    mp4 = (
        struct.pack(">I", 24)
        + b"ftypmp42\x00\x00\x00\x00isommp42"
        + struct.pack(">I", 8 + len(video))
        + b"mdat"
        + video
    )
    marker = b"\x00\x00\x30\x0aMotionPhoto_Data"
    index = (
        b"SEFH" + struct.pack("<III", 107, 1, 0x0A30) + struct.pack("<II", len(mp4) + len(marker), len(mp4))
    )
    return marker + mp4 + index + struct.pack("<I", len(index)) + b"SEFT"


PHONE_PHOTO = photo_with_location() + motion_photo_trailer()


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("rechnung.exe", b"MZ\x90\x00" * 100)
    return buffer.getvalue()
