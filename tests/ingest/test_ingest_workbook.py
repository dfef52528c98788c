"""Reading workbooks: every sheet with data, cells as the text a user sees, sheet row numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from sync.ingest.errors import IngestError
from sync.ingest.readers import cell_text, read_workbook


@pytest.fixture
def signin_xlsx(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sign-in"
    ws.append([" Email ", "Zip", "Zip (text)", "Date", "Checked in", "Donated", "Volunteer"])
    ws.append(["ana@x.org", 2116, "02116", dt.date(2024, 2, 1), dt.datetime(2024, 2, 1, 13, 5)])
    ws.append([None, None, None, None, None])  # blank row 3
    ws.append(["bob@x.org", 98101, "00971", dt.date(2024, 12, 31), None, 12.5, True])
    wb.create_sheet("Notes")  # empty sheet: skipped
    other = wb.create_sheet("Walk-ins")
    other["A1"] = "Meeting attendance"  # a title row: by contract it becomes the header
    other["A3"] = "Email"
    other["B3"] = "Phone"
    other["A5"] = "cat@x.org"
    other["B5"] = 447700900123
    path = tmp_path / "signin.xlsx"
    wb.save(path)
    return path


def test_every_sheet_with_data_is_read_and_empty_sheets_skipped(signin_xlsx: Path) -> None:
    content = read_workbook(signin_xlsx)
    assert content.encoding == "xlsx"
    assert content.delimiter is None
    assert [s.name for s in content.sheets] == ["Sign-in", "Walk-ins"]


def test_cells_are_text_as_shown_and_rows_keep_sheet_numbers(signin_xlsx: Path) -> None:
    sheet = read_workbook(signin_xlsx).sheets[0]
    assert sheet.headers == [
        "Email",
        "Zip",
        "Zip (text)",
        "Date",
        "Checked in",
        "Donated",
        "Volunteer",
    ]
    assert sheet.row_numbers == [2, 4]  # the blank row 3 is skipped, numbering continues
    ana, bob = sheet.rows
    assert ana[:5] == ["ana@x.org", "2116", "02116", "2024-02-01", "2024-02-01 13:05:00"]
    assert bob == ["bob@x.org", "98101", "00971", "2024-12-31", "", "12.5", "TRUE"]


def test_first_non_empty_row_is_the_header(signin_xlsx: Path) -> None:
    sheet = read_workbook(signin_xlsx).sheets[1]
    assert sheet.headers == ["Meeting attendance", ""]
    # No guessing: a title row is the header (staging then reports the missing columns, naming
    # this sheet); data rows keep the sheet's real row numbers.
    assert list(zip(sheet.row_numbers, sheet.rows, strict=True)) == [
        (3, ["Email", "Phone"]),
        (5, ["cat@x.org", "447700900123"]),
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2116.0, "2116"),
        (2116, "2116"),
        (0.1 + 0.2, "0.3"),
        (-3.25, "-3.25"),
        (False, "FALSE"),
        (dt.datetime(2024, 2, 1, 13, 4, 59, 999_999), "2024-02-01 13:05:00"),
        (dt.datetime(2024, 2, 1, 13, 5, 0, 250_000), "2024-02-01 13:05:00.250"),
        (dt.time(9, 30), "09:30:00"),
        (dt.timedelta(hours=26, minutes=3), "26:03:00"),
        (None, ""),
        ("0044", "0044"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_corrupt_workbook_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(IngestError, match=r"events/broken\.xlsx: cannot open as a workbook"):
        read_workbook(path, "events/broken.xlsx")


def test_workbook_without_any_data(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(path)
    content = read_workbook(path)
    assert content.sheets == []
    assert content.empty_reason == "workbook has no sheet with data"


def test_a_title_above_a_wide_header_is_skipped(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Gifts"
    ws["A1"] = "Contributions report 2024"
    ws.append(["Date", "Email", "Amount", "Zip"])  # row 2
    ws.append([None])
    ws.append(["2024-01-01", "ana@x.org", 5, "02116"])  # row 4
    path = tmp_path / "gifts.xlsx"
    wb.save(path)
    (sheet,) = read_workbook(path).sheets
    assert sheet.headers == ["Date", "Email", "Amount", "Zip"]
    assert (sheet.header_row, sheet.title_rows) == (2, [1])
    assert sheet.row_numbers == [4]
