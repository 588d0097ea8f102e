"""CSV downloads that German spreadsheet software opens correctly.

Excel in a German locale expects ``;`` between cells and only reads UTF-8 when the file
starts with a byte order mark; without it, umlauts turn into garbage. Rows are streamed,
so an export of a whole town never sits in memory at once.
"""

import csv
import datetime
from collections.abc import Iterable, Sequence

from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header

BOM = "\ufeff"
DELIMITER = ";"
CONTENT_TYPE = "text/csv; charset=utf-8"
# A cell starting like this is run as a formula by spreadsheets; text families typed must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_CHARACTERS = 16 * 1024


class _Echo:
    """A file-like sink that hands each written line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def cell(value) -> str | int:
    """One value as the spreadsheet should see it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(translation.gettext("Yes") if value else translation.gettext("No"))
    if isinstance(value, int):
        return value
    if isinstance(value, datetime.datetime):
        # Local time without seconds and offset: spreadsheets read "2026-08-01 09:30" as a date and time.
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(*, filename: str, header: Sequence, rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """A streamed ``;``-separated UTF-8 CSV download with a BOM, a header row and ``rows``.

    ``rows`` may be a lazy iterable (e.g. over a query set); it is read while the response
    is sent, in the language that was active when the response was made.
    """
    writer = csv.writer(_Echo(), delimiter=DELIMITER)
    language = translation.get_language()
    first_line = BOM + writer.writerow([str(title) for title in header])

    def lines():
        # Lines go out in chunks of a few kilobytes: one write to the socket per row would cost
        # more than making the row.
        chunk = [first_line]
        size = len(first_line)
        with translation.override(language):
            for row in rows:
                line = writer.writerow([cell(value) for value in row])
                chunk.append(line)
                size += len(line)
                if size >= CHUNK_CHARACTERS:
                    yield "".join(chunk)
                    chunk, size = [], 0
        yield "".join(chunk)

    response = StreamingHttpResponse(lines(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
