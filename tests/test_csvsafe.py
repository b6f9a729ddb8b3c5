"""CSV files for people: no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from sword.csvsafe import FORMULA_STARTS, as_text_cell, as_text_cells, safe_csv_writer

ROOT = Path(__file__).resolve().parent.parent


def written(*rows: list[object]) -> str:
    buffer = io.StringIO()
    safe_csv_writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_it_writes_a_cell_that_starts_like_a_formula_as_text(start):
    value = f'{start}HYPERLINK("https://evil.example","Open")'
    row = next(csv.reader(io.StringIO(written(["WL9", value]))))
    assert row == ["WL9", "'" + value]


def test_it_writes_a_row_of_cells_as_each_cell_on_its_own():
    values = [f"{start}SUM(A1)" for start in FORMULA_STARTS]
    values += ["", "Team A", "'=quoted", " =spaced", "0.5", "x=1", "\n=next line"]
    assert as_text_cells(values) == [as_text_cell(value) for value in values]
    assert as_text_cells(values)[: len(FORMULA_STARTS)] == [
        "'" + v for v in values[: len(FORMULA_STARTS)]
    ]


def test_it_covers_every_character_spreadsheets_start_a_formula_with():
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


def test_it_leaves_plain_text_numbers_and_empty_cells_alone():
    assert written(["Caseloads = too high", -3, 4.5, None, ""], ["a"]) == (
        "Caseloads = too high,-3,4.5,,\na\n"
    )
    assert as_text_cell("Team A") == "Team A"


# csv.writer is used directly only here, for CSV that feeds a machine or already passes every
# cell through as_text_cell (or as_text_cells).
DIRECT_WRITERS = {
    "sword/csvsafe.py",  # the shared writer itself
    "diagnostics/exports.py",  # the results export: every cell through as_text_cells
}


def test_it_is_how_every_csv_file_for_people_is_written():
    writers = {
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/**/*.py")
        if not path.relative_to(ROOT).parts[0].startswith((".", "tests", "static"))
        and "migrations" not in path.parts
        and "csv.writer(" in path.read_text(encoding="utf-8")
    }
    assert writers == DIRECT_WRITERS


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Children’s Services,12\n".encode(), "Children’s Services,12\n"),
        ("\ufeffTîm Gogledd,12\n".encode(), "Tîm Gogledd,12\n"),  # Excel's "CSV UTF-8"
        ("Children’s Services,12\n".encode("cp1252"), "Children’s Services,12\n"),  # "CSV"
        ("Caf\xe9,12\n".encode("cp1252"), "Café,12\n"),
    ],
)
def test_it_reads_a_csv_file_as_spreadsheets_save_one(data, text):
    from sword.csvsafe import spreadsheet_text

    assert spreadsheet_text(data) == text


@pytest.mark.parametrize(
    "data",
    ["team_path,caseload\n".encode("utf-16"), b"team\x81path\n"],
    ids=["UTF-16, Excel's Unicode text", "a byte Windows-1252 leaves undefined"],
)
def test_it_refuses_what_no_spreadsheet_saves_as_csv(data):
    from sword.csvsafe import NotSpreadsheetText, spreadsheet_text

    with pytest.raises(NotSpreadsheetText):
        spreadsheet_text(data)
