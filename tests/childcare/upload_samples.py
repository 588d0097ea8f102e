"""Real and hostile upload files, built in memory so every test shows what it feeds the portal."""

import io
import struct
import zlib

from PIL import Image
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
