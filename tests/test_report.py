"""The warehouse summary and segment catalogue that `make demo` prints, on the sample set."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
from rich.console import Console
from warehouse_build import Warehouse

from sync.warehouse.report import (
    _quarantined,
    file_notes,
    quarantined_files,
    render_segments,
    render_warehouse,
    segment_catalogue,
    warehouse_summary,
)
from sync.warehouse.storage import open_store

ROOT = Path(__file__).resolve().parents[1]


def printed(table) -> str:
    console = Console(record=True, width=200)
    console.print(table)
    return console.export_text()


def test_summary_adds_up_and_matches_the_marts(built_warehouse: Warehouse) -> None:
    summary = warehouse_summary(built_warehouse.db_path)
    assert summary.rows_read == summary.rows_accepted + summary.rows_rejected
    assert summary.rows_rejected == sum(n for _, n in summary.rejected_by_reason) > 0
    assert summary.supporters == built_warehouse.scalar("select count(*) from supporters")
    assert summary.supporters == sum(n for _, n in summary.supporters_by_email_status)
    assert summary.files == built_warehouse.scalar("select count(*) from source_files")
    assert dict(summary.supporters_by_email_status).get("unsubscribed", 0) > 0


def test_printed_summary_names_every_reason_and_no_email(built_warehouse: Warehouse) -> None:
    summary = warehouse_summary(built_warehouse.db_path)
    text = printed(render_warehouse(summary))
    for reason, n in summary.rejected_by_reason:
        assert re.search(rf"rejected: {re.escape(reason)}\W+{n}\b", text), reason
    assert re.search(rf"\bsupporters\W+{summary.supporters}\b", text)
    assert re.search(rf"\brows rejected\W+{summary.rows_rejected}\b", text)
    assert "@" not in text  # no PII in what the demo prints


def test_catalogue_lists_every_segment_file_with_its_size(built_warehouse: Warehouse) -> None:
    rows = segment_catalogue(built_warehouse.db_path)
    assert rows is not None
    segment_files = {
        p.stem for p in (ROOT / "models" / "segments" / "definitions").glob("seg_*.sql")
    }
    assert {r.name for r in rows} == segment_files  # one file, one segment: nothing else
    issues = {f"issue:{slug}" for (slug,) in built_warehouse.query("select issue_slug from issues")}
    assert issues <= {r.tag for r in rows}  # one issue:<slug> tag per issue in the taxonomy
    for r in rows:
        members = built_warehouse.scalar(
            "select count(distinct supporter_id) from segment_memberships where tag = ?", [r.tag]
        )
        assert r.size == members, r.tag
    text = printed(render_segments(rows))
    for r in rows:
        assert r.tag in text


def test_catalogue_is_none_before_segments_are_built(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    assert segment_catalogue(db) is None


def test_quarantine_reasons_never_print_an_email() -> None:
    """A file without a header row shows its first data row as the headers it found."""
    con = duckdb.connect()
    con.execute(
        "create table source_files as select 'petitions/no_header.csv' as file_path, "
        "null as sheet_name, 'no \"email\" column (headers found: ana@example.org | Ana)' "
        "as quarantine_reason"
    )
    [(path, reason)] = _quarantined(con)
    assert path == "petitions/no_header.csv"
    assert "@" not in reason
    assert 'no "email" column (headers found: <' in reason


def test_quarantined_files_and_notes_are_read_through_the_store_on_postgres(postgres) -> None:
    """The build report reads `source_files` in the models' schema on PostgreSQL too."""
    target = postgres.fresh_target("report_")
    with open_store(target) as store:
        assert quarantined_files(target) == []  # nothing built yet
        store.execute("create schema main")
        store.execute(
            "create table main.source_files (file_path text, sheet_name text, "
            "quarantine_reason text, unparsed_values text, layout_notes text, read_note text)"
        )
        store.execute(
            "insert into main.source_files values ('petitions/no_header.csv', null, "
            "'no \"email\" column (headers found: ana@example.org | Ana)', null, null, null), "
            "('events/a.csv', 'Sheet1', null, 'amount: 2', null, 'header found on row 3')"
        )
    [(path, reason)] = quarantined_files(target)
    assert path == "petitions/no_header.csv" and "@" not in reason
    unparsed, notes = file_notes(target)
    assert unparsed == [("events/a.csv (sheet Sheet1)", "amount: 2")]
    assert notes == [("events/a.csv (sheet Sheet1)", "header found on row 3")]
