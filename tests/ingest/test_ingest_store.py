"""The ingest: the raw folder -> raw_files / raw_headers and wide Parquet rows, re-read only
when a file changes, with every unreadable file quarantined instead of stopping the build."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pytest

from sync.ingest import store
from sync.ingest.errors import IngestError
from sync.ingest.scan import list_raw_files
from sync.ingest.store import (
    RAW_FILES_SCHEMA,
    RAW_HEADERS_SCHEMA,
    ROWS_GLOB,
    IngestOptions,
    IngestResult,
    ingest,
)

IN_PROCESS = IngestOptions(workers=1, file_timeout=300, pool_min_bytes=1 << 40)


@dataclass
class Scanned:
    """An ingest result plus its rows in long form, as the old raw_cells read."""

    raw_files: pa.Table
    raw_headers: pa.Table
    cells: list[dict]
    result: IngestResult


def _cells_of(ingest_dir: Path) -> list[dict]:
    con = duckdb.connect()
    rel = con.sql(
        f"select * from read_parquet('{ingest_dir / ROWS_GLOB}', union_by_name = true, "
        "hive_partitioning = false)"
    )
    names = rel.columns
    cells = []
    for row in rel.fetchall():
        record = dict(zip(names, row, strict=True))
        for name, value in record.items():
            if name.startswith("c") and name[1:].isdigit() and value is not None:
                cells.append(
                    {
                        "file_id": record["file_id"],
                        "row_number": record["row_number"],
                        "column_position": int(name[1:]),
                        "value": value,
                    }
                )
    return sorted(cells, key=lambda c: (c["file_id"], c["row_number"], c["column_position"]))


def scan_raw_dir(raw: Path, options: IngestOptions = IN_PROCESS) -> Scanned:
    ingest_dir = raw.parent / "ingest"
    result = ingest(raw, ingest_dir, options)
    return Scanned(result.raw_files, result.raw_headers, _cells_of(ingest_dir), result)


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
        for r in tables.cells
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
    assert unreadable_ids.isdisjoint(c["file_id"] for c in tables.cells)
    assert unreadable_ids.isdisjoint(tables.raw_headers.column("file_id").to_pylist())
    assert sorted(c["value"] for c in tables.cells) == ["ana@x.org", "bob@x.org"]


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
    cells = [(c["row_number"], c["column_position"], c["value"]) for c in tables.cells]
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


def test_empty_raw_folder_gives_typed_empty_tables_and_a_readable_rows_glob(
    tmp_path: Path,
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    tables = scan_raw_dir(raw)
    assert tables.raw_files.schema == RAW_FILES_SCHEMA
    assert tables.raw_headers.schema == RAW_HEADERS_SCHEMA
    assert (tables.raw_files.num_rows, len(tables.cells)) == (0, 0)
    types = duckdb.sql(
        f"describe select * from read_parquet('{tmp_path / 'ingest' / ROWS_GLOB}')"
    ).fetchall()
    assert [(t[0], t[1]) for t in types] == [
        ("file_id", "VARCHAR"),
        ("row_number", "BIGINT"),
        ("c1", "VARCHAR"),
    ]


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


def test_summary_line_has_counts_but_no_cell_content(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _put(raw, "contacts/a.csv", "Email,Name\nsecret.person@x.org,Secret Person\n")
    _put(raw, "contacts/b.txt.bak", "x")
    line = scan_raw_dir(raw).result.summary.line(raw)
    assert "2 files (1 read, 0 unchanged, 1 quarantined), 1 sheets, 1 rows" in line
    assert "secret" not in line.lower()


def test_listing_is_sorted_and_tracks_size_and_mtime(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _put(raw, "b/z.csv", "a\n1\n")
    _put(raw, "a/y.csv", "a\n1\n")
    entries = list_raw_files(raw)
    assert [e.file_path for e in entries] == ["a/y.csv", "b/z.csv"]
    assert entries[0].size == 4
    assert entries[0].mtime_ns > 0


# ------------------------------------------------------------------ one bad file never stops it


def _xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["Email"])
    for i in range(200):
        wb.active.append([f"p{i}@x.org"])
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"engage-test-{os.getpid()}.xlsx"
    wb.save(path)
    data = path.read_bytes()
    path.unlink()
    return data


def test_every_unreadable_file_is_quarantined_with_its_reason_and_good_files_load(
    tmp_path: Path,
) -> None:
    raw = tmp_path / "raw"
    _put(raw, "contacts/good.csv", "Email\nana@x.org\n")
    _put(raw, "contacts/junk.csv", bytes(range(256)) * 4)
    _put(raw, "contacts/nul.csv", b"Email\nana@x.org\x00\x00\x00\n")
    _put(raw, "contacts/quote.csv", 'Email,Note\nbob@x.org,"never closed\ncat@x.org,x\n')
    _put(raw, "events/cut.xlsx", _xlsx_bytes()[:1500])
    _put(raw, "events/old.xls", b"\xd0\xcf\x11\xe0 not really a workbook")
    _put(raw, "notes.txt", "a file in the root\n")
    tables = scan_raw_dir(raw)
    errors = {
        r["file_path"]: r["read_error"] for r in tables.raw_files.to_pylist() if r["read_error"]
    }
    assert set(errors) == {
        "contacts/junk.csv",
        "contacts/nul.csv",
        "contacts/quote.csv",
        "events/cut.xlsx",
        "events/old.xls",
        "notes.txt",
    }
    assert "binary file" in errors["contacts/junk.csv"]
    assert "never closed" in errors["contacts/quote.csv"]
    assert "workbook" in errors["events/cut.xlsx"]
    assert "directly in the raw folder" in errors["notes.txt"]
    assert tables.result.summary.quarantined == 6
    assert [c["value"] for c in tables.cells] == ["ana@x.org"]
    assert not any(p.name.endswith(".partial") for p in (tmp_path / "ingest" / "rows").iterdir())


def test_a_named_pipe_is_listed_and_never_opened(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _put(raw, "contacts/good.csv", "Email\nana@x.org\n")
    os.mkfifo(raw / "contacts" / "pipe.csv")
    outcome: list[Scanned] = []
    worker = threading.Thread(target=lambda: outcome.append(scan_raw_dir(raw)), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert outcome, "the ingest blocked on a named pipe"
    rows = {r["file_path"]: r for r in outcome[0].raw_files.to_pylist()}
    assert "named pipe" in rows["contacts/pipe.csv"]["read_error"]
    assert rows["contacts/good.csv"]["read_error"] is None


def test_a_file_over_its_time_box_is_quarantined_and_the_rest_load(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _put(raw, "contacts/small.csv", "Email\nana@x.org\n")
    body = "".join(f"p{i}@x.org,{'x' * 40},{i}\n" for i in range(600_000))
    # A blank line keeps the file off DuckDB's CSV reader, which can read 600k plain rows in
    # under the 1 s time box on a quiet machine; the Python reader takes several seconds.
    _put(raw, "contacts/huge.csv", "Email,Note,N\n\n" + body)
    options = IngestOptions(workers=2, file_timeout=1.0, pool_min_bytes=0)
    started = time.monotonic()
    tables = scan_raw_dir(raw, options)
    assert time.monotonic() - started < 60
    rows = {r["file_path"]: r for r in tables.raw_files.to_pylist()}
    assert "longer than 1 s" in rows["contacts/huge.csv"]["read_error"]
    assert rows["contacts/small.csv"]["rows_read"] == 1
    assert [c["value"] for c in tables.cells] == ["ana@x.org"]


def test_workers_read_the_same_rows_as_in_process(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    for i in range(3):
        _put(
            raw, f"contacts/f{i}.csv", "Email,N\n" + "".join(f"p{j}@x.org,{j}\n" for j in range(50))
        )
    in_process = scan_raw_dir(raw)
    pooled = ingest(raw, tmp_path / "pooled", IngestOptions(2, 300, 0))
    assert pooled.raw_files.equals(in_process.raw_files)
    assert _cells_of(tmp_path / "pooled") == in_process.cells


# ------------------------------------------------------------------------ nights cost what changed


def test_unchanged_files_are_not_read_again_and_removed_files_leave_no_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = tmp_path / "raw"
    _put(raw, "contacts/a.csv", "Email\nana@x.org\n")
    _put(raw, "contacts/b.csv", "Email\nbob@x.org\n")
    read: list[str] = []
    real_parse = store.parse_file

    def counting_parse(path: str, file_path: str, out_dir: str) -> list[dict]:
        read.append(file_path)
        return real_parse(path, file_path, out_dir)

    monkeypatch.setattr(store, "parse_file", counting_parse)
    first = scan_raw_dir(raw)
    assert sorted(read) == ["contacts/a.csv", "contacts/b.csv"]

    read.clear()
    again = scan_raw_dir(raw)
    assert read == []
    assert again.raw_files.equals(first.raw_files)
    assert again.result.summary.reused == 2

    _put(raw, "contacts/c.csv", "Email\ncat@x.org\n")
    (raw / "contacts" / "b.csv").unlink()
    _put(raw, "contacts/a.csv", "Email\nana@x.org\nann@x.org\n")
    read.clear()
    later = scan_raw_dir(raw)
    assert sorted(read) == ["contacts/a.csv", "contacts/c.csv"]
    assert sorted(c["value"] for c in later.cells) == ["ana@x.org", "ann@x.org", "cat@x.org"]
    assert [r["file_path"] for r in later.raw_files.to_pylist()] == [
        "contacts/a.csv",
        "contacts/c.csv",
    ]


def test_another_raw_folder_is_read_afresh(tmp_path: Path) -> None:
    one, two = tmp_path / "one" / "raw", tmp_path / "two" / "raw"
    _put(one, "contacts/a.csv", "Email\nana@x.org\n")
    _put(two, "contacts/a.csv", "Email\nbob@x.org\n")
    ingest_dir = tmp_path / "ingest"
    ingest(one, ingest_dir, IN_PROCESS)
    ingest(two, ingest_dir, IN_PROCESS)
    assert [c["value"] for c in _cells_of(ingest_dir)] == ["bob@x.org"]
