"""Walking the raw folder into raw_files / raw_headers / raw_cells."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from sync.ingest.errors import IngestError
from sync.ingest.scan import (
    RAW_CELLS_SCHEMA,
    RAW_FILES_SCHEMA,
    RAW_HEADERS_SCHEMA,
    list_raw_files,
    scan_raw_dir,
)


def _put(raw: Path, rel: str, data: bytes | str) -> Path:
    path = raw / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _files_by_path(tables) -> dict[str, dict]:
    return {(r["file_path"], r["sheet_name"]): r for r in tables.raw_files.to_pylist()}


def _cells(tables, fid: str) -> dict[tuple[int, str], str]:
    """(row_number, header) -> value for one file."""
    headers = {
        r["column_position"]: r["header"]
        for r in tables.raw_headers.to_pylist()
        if r["file_id"] == fid
    }
    return {
        (r["row_number"], headers[r["column_position"]]): r["value"]
        for r in tables.raw_cells.to_pylist()
        if r["file_id"] == fid
    }


def test_layout_kinds_nesting_and_skipped_files(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _put(raw, "contacts/signups.csv", "Email\nana@x.org\n")
    _put(raw, "contacts/2024/spring/late.csv", "Email\nbob@x.org\n")
    _put(raw, "contacts/.hidden.csv", "Email\nno@x.org\n")
    _put(raw, "contacts/~$signups.xlsx", b"lock")
    _put(raw, "contacts/_archive/old.csv", "Email\nno@x.org\n")
    _put(raw, "contacts/.git/x.csv", "Email\nno@x.org\n")
    _put(raw, "_drafts/x.csv", "Email\nno@x.org\n")
    _put(raw, "events/Thumbs.db", b"\x00\x01")
    _put(raw, "events/notes.pdf", b"%PDF-1.4")
    _put(raw, "loose.csv", "Email\nno@x.org\n")
    (raw / "petitions").mkdir()  # an empty kind folder is fine
    tables = scan_raw_dir(raw)
    rows = tables.raw_files.to_pylist()
    assert [(r["file_path"], r["kind"], r["file_name"]) for r in rows] == [
        ("contacts/2024/spring/late.csv", "contacts", "late.csv"),
        ("contacts/signups.csv", "contacts", "signups.csv"),
        ("events/notes.pdf", "events", "notes.pdf"),
        ("loose.csv", None, "loose.csv"),
    ]
    by_path = {r["file_path"]: r for r in rows}
    assert by_path["contacts/signups.csv"]["read_error"] is None
    assert by_path["contacts/signups.csv"]["rows_read"] == 1
    assert "unsupported file type '.pdf'" in by_path["events/notes.pdf"]["read_error"]
    assert "directly in the raw folder" in by_path["loose.csv"]["read_error"]
    unreadable_ids = {by_path["events/notes.pdf"]["file_id"], by_path["loose.csv"]["file_id"]}
    assert unreadable_ids.isdisjoint(tables.raw_cells.column("file_id").to_pylist())
    assert unreadable_ids.isdisjoint(tables.raw_headers.column("file_id").to_pylist())
    assert sorted(tables.raw_cells.column("value").to_pylist()) == ["ana@x.org", "bob@x.org"]


def test_file_id_is_md5_of_path_and_sheet(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _put(raw, "contacts/a.csv", "Email\nana@x.org\n")
    wb = openpyxl.Workbook()
    wb.active.title = "Walk-ins"
    wb.active.append(["Email"])
    wb.active.append(["bob@x.org"])
    (raw / "events").mkdir()
    wb.save(raw / "events" / "sheet.xlsx")
    files = _files_by_path(scan_raw_dir(raw))
    assert files[("contacts/a.csv", None)]["file_id"] == hashlib.md5(b"contacts/a.csv|").hexdigest()
    xlsx = files[("events/sheet.xlsx", "Walk-ins")]
    assert xlsx["file_id"] == hashlib.md5(b"events/sheet.xlsx|Walk-ins").hexdigest()
    assert (xlsx["encoding"], xlsx["delimiter"], xlsx["rows_read"]) == ("xlsx", None, 1)


def test_cells_join_headers_blank_cells_omitted_values_as_found(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    text = "Email,First Name,Zip,Email\r\n ANA@x.org ,Ana,02116,\r\n\r\nbob@x.org,,  ,b2@x.org\r\n"
    _put(raw, "contacts/a.csv", text)
    tables = scan_raw_dir(raw)
    (row,) = tables.raw_files.to_pylist()
    assert (row["encoding"], row["delimiter"], row["rows_read"]) == ("utf-8", ",", 2)
    headers = tables.raw_headers.to_pylist()
    assert [(h["column_position"], h["header"]) for h in headers] == [
        (1, "Email"),
        (2, "First Name"),
        (3, "Zip"),
        (4, "Email"),
    ]
    cells = [
        (c["row_number"], c["column_position"], c["value"]) for c in tables.raw_cells.to_pylist()
    ]
    assert cells == [
        (2, 1, " ANA@x.org "),
        (2, 2, "Ana"),
        (2, 3, "02116"),
        (4, 1, "bob@x.org"),
        (4, 4, "b2@x.org"),
    ]


def test_ragged_rows_extend_headers_and_trailing_delimiters_do_not(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _put(raw, "contacts/a.csv", "Email,Name,\nana@x.org,Ana,,\nbob@x.org,Bob,,extra\n")
    tables = scan_raw_dir(raw)
    headers = [(h["column_position"], h["header"]) for h in tables.raw_headers.to_pylist()]
    assert headers == [(1, "Email"), (2, "Name"), (3, ""), (4, "")]
    fid = tables.raw_files.column("file_id")[0].as_py()
    assert _cells(tables, fid)[(3, "")] == "extra"

    _put(raw, "contacts/a.csv", "Email,Name,\nana@x.org,Ana,\n")
    headers = [h["header"] for h in scan_raw_dir(raw).raw_headers.to_pylist()]
    assert headers == ["Email", "Name"]


def test_content_hash_same_data_under_another_name_encoding_and_delimiter(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    rows = [["Email", "Name", "Note"], ["ana@x.org", "René", "“hi”, there"], ["bob@x.org", "", ""]]
    utf8 = "\n".join(",".join(f'"{v}"' if "," in v else v for v in r) for r in rows) + "\n"
    cp1252 = "\r\n".join(";".join(r) for r in rows) + "\r\n\r\n"
    _put(raw, "contacts/export.csv", utf8)
    _put(raw, "contacts/export (1).csv", cp1252.encode("cp1252"))
    _put(raw, "contacts/changed.csv", utf8.replace("René", "Rene"))
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(raw / "contacts" / "export.xlsx")
    files = _files_by_path(scan_raw_dir(raw))
    original = files[("contacts/export.csv", None)]
    copy = files[("contacts/export (1).csv", None)]
    assert (copy["encoding"], copy["delimiter"]) == ("cp1252", ";")
    assert copy["content_hash"] == original["content_hash"]
    assert files[("contacts/export.xlsx", "Sheet")]["content_hash"] == original["content_hash"]
    assert files[("contacts/changed.csv", None)]["content_hash"] != original["content_hash"]
    assert copy["file_id"] != original["file_id"]


def test_empty_raw_folder_gives_typed_empty_tables(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    tables = scan_raw_dir(raw)
    assert tables.raw_files.schema == RAW_FILES_SCHEMA
    assert tables.raw_headers.schema == RAW_HEADERS_SCHEMA
    assert tables.raw_cells.schema == RAW_CELLS_SCHEMA
    assert tables.raw_cells.schema.field("row_number").type == pa.int64()
    assert (tables.raw_files.num_rows, tables.raw_cells.num_rows) == (0, 0)


def test_empty_file_is_listed_with_a_reason(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _put(raw, "donations/empty.csv", b"")
    (row,) = scan_raw_dir(raw).raw_files.to_pylist()
    assert (row["read_error"], row["rows_read"], row["content_hash"]) == (
        "empty file: no header row",
        0,
        None,
    )


def test_missing_raw_folder_names_the_path_and_how_to_set_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(IngestError) as err:
        scan_raw_dir(missing)
    message = str(err.value)
    assert str(missing) in message
    assert "ENGAGE_RAW_DIR" in message
    assert "raw_dir" in message


def test_unparseable_file_fails_the_scan_naming_the_file(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _put(raw, "events/broken.xlsx", b"not a workbook")
    with pytest.raises(IngestError, match=r"^events/broken\.xlsx: "):
        scan_raw_dir(raw)


def test_summary_log_has_counts_but_no_cell_content(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    raw = tmp_path / "raw"
    _put(raw, "contacts/a.csv", "Email,Name\nsecret.person@x.org,Secret Person\n")
    _put(raw, "contacts/b.txt.bak", "x")
    with caplog.at_level(logging.INFO, logger="engage.ingest"):
        scan_raw_dir(raw)
    (record,) = [r for r in caplog.records if r.name == "engage.ingest"]
    message = record.getMessage()
    assert "2 files, 1 sheets, 1 unreadable, 1 rows, 2 cells" in message
    assert "secret" not in message.lower()


def test_listing_is_sorted_and_tracks_size_and_mtime(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _put(raw, "b/z.csv", "a\n1\n")
    _put(raw, "a/y.csv", "a\n1\n")
    entries = list_raw_files(raw)
    assert [e.file_path for e in entries] == ["a/y.csv", "b/z.csv"]
    assert entries[0].size == 4
    assert entries[0].mtime_ns > 0
