"""CSV that a spreadsheet opens as data: no cell runs as a formula.

Text typed by users (names of cycles and units, statements of a questionnaire) ends up in the
CSV files we hand out. Excel, LibreOffice and Google Sheets run a cell that starts with = + - @
(or a tab or carriage return before one) as a formula, so `=HYPERLINK(...)` would run when the
file is opened. Every CSV file for people goes through `safe_csv_writer`, which writes such a
text cell with a leading apostrophe: the spreadsheet shows it as the text it was. (Not for
CSV that feeds a machine, such as PostgreSQL's COPY in `demo/bench.py`: there the apostrophe
would be data.)
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Each start is one character, so a cell's first character tells.
_FORMULA_FIRST_CHARACTERS = frozenset(FORMULA_STARTS)
assert all(len(start) == 1 for start in FORMULA_STARTS)


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def as_text_cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula. Names of cycles and units are typed
    by users, and a name such as `=HYPERLINK(...)` would otherwise run when the file is opened."""
    return "'" + value if value[:1] in _FORMULA_FIRST_CHARACTERS else value


def as_text_cells(values: Iterable[str]) -> list[str]:
    """`as_text_cell` of each value, in one pass without a call per cell: the results export of
    3,000 teams writes over half a million cells."""
    return ["'" + value if value[:1] in _FORMULA_FIRST_CHARACTERS else value for value in values]


class SafeCsvWriter:
    """`csv.writer`'s `writerow` and `writerows`, with every text cell through `as_text_cell`.
    Numbers and empty cells are written as they are: they cannot hold a formula."""

    def __init__(self, output: _Writable, **options: Any) -> None:
        self._writer = csv.writer(output, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(
            [as_text_cell(cell) if isinstance(cell, str) else cell for cell in row]
        )

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_csv_writer(output: _Writable, **options: Any) -> SafeCsvWriter:
    """A CSV writer for files people open in a spreadsheet (`options` as for `csv.writer`)."""
    return SafeCsvWriter(output, **options)


# Windows-1252 has no ŵ or ŷ: Excel's plain "CSV" writes each as "?", which `spreadsheet_text`
# then reads as it stands. An import names a "?" it meets in a name with this hint.
LOST_LETTER_HINT = (
    "“?” often stands for a letter (ŵ, ŷ) that the file's encoding could not hold: save it as "
    "“CSV UTF-8” and import again."
)


class NotSpreadsheetText(ValueError):
    """Bytes that are not a CSV file as a spreadsheet saves one."""


def spreadsheet_text(data: bytes, *, windows_1252: bool = True) -> str:
    """The text of a CSV file as spreadsheets save one: UTF-8, with or without the byte-order
    mark Excel writes for "CSV UTF-8", else Windows-1252, which Excel on Windows writes for
    plain "CSV (Comma delimited)". Whatever is valid UTF-8 is read as UTF-8 (Windows-1252 text
    with any accented letter or curly quote is not). Raises NotSpreadsheetText for anything
    else: UTF-16 ("Unicode text"), whose zero bytes Windows-1252 would read as text, or a byte
    that Windows-1252 leaves undefined. `windows_1252=False` for text Windows-1252 cannot hold
    (Welsh: Excel writes ŵ and ŷ as "?" there), which must then be UTF-8."""
    if b"\x00" in data:
        raise NotSpreadsheetText("zero bytes: not a CSV file's text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if not windows_1252:
            raise NotSpreadsheetText(str(exc)) from exc
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise NotSpreadsheetText(str(exc)) from exc


# A byte-order mark before a downloaded CSV: without it Excel, which most councils open these
# in, reads the file as Windows-1252 and shows "50th–80th" as "50thâ€“80th". The command line's
# CSV (the §10 interface, read by scripts) has none.
EXCEL_READS_UTF8 = "\ufeff"


def csv_attachment(rows: Iterable[Iterable[Any]], *, filename: str) -> HttpResponse:
    """A CSV file to download, as Excel opens it (UTF-8 with its mark), safe to open."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(EXCEL_READS_UTF8)
    safe_csv_writer(response, lineterminator="\n").writerows(rows)
    return response
