"""Human-readable summaries of a built warehouse: what was read, rejected and resolved.

Reads the marts (read-only, after dbt has finished) through the storage interface: a path is
the DuckDB file, a `StorageTarget` any supported warehouse (PostgreSQL: the models' schema is
the session's search path). Returns plain data; `render_*` functions turn that data into rich
tables. No emails are ever printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

from sync.errors import redact
from sync.warehouse.storage import DuckDBTarget, StorageTarget, Store, open_store

Warehouse = Path | StorageTarget


def _open(warehouse: Warehouse) -> Store:
    target = DuckDBTarget(warehouse) if isinstance(warehouse, Path) else warehouse
    return open_store(target, read_only=True)


def _exists(warehouse: Warehouse) -> bool:
    """False for a DuckDB file not written yet (nothing built)."""
    if isinstance(warehouse, Path):
        return warehouse.exists()
    if isinstance(warehouse, DuckDBTarget):
        return warehouse.path.exists()
    return True


@dataclass
class WarehouseSummary:
    files: int
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rejected_by_reason: list[tuple[str, int]]
    supporters: int
    supporters_by_email_status: list[tuple[str, int]]
    files_with_errors: list[tuple[str, str]] = field(default_factory=list)
    # (file, per-column counts of values that could not be read): rows that give no event
    unparsed_values: list[tuple[str, str]] = field(default_factory=list)
    # (file, what its layout implied: a Mailchimp status read from its columns, several headers
    # for one column, a title skipped above the header)
    layout_notes: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "rejected_by_reason": dict(self.rejected_by_reason),
            "supporters": self.supporters,
            "supporters_by_email_status": dict(self.supporters_by_email_status),
            "files_with_errors": dict(self.files_with_errors),
            "unparsed_values": dict(self.unparsed_values),
            "layout_notes": dict(self.layout_notes),
        }


def _relation_exists(con: Any, name: str) -> bool:
    rows = con.execute(
        "select count(*) from information_schema.tables where table_schema = current_schema() "
        "and table_name = ?",
        [name],
    ).fetchall()
    return rows[0][0] > 0


def _columns(con: Any, name: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = current_schema() and table_name = ?",
            [name],
        ).fetchall()
    }


def warehouse_summary(warehouse: Warehouse) -> WarehouseSummary:
    """Rows read, accepted and rejected (by reason) and supporters resolved."""
    con = _open(warehouse)
    try:
        files, read, accepted, rejected = con.execute(
            "select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_accepted), 0), "
            "coalesce(sum(rows_rejected), 0) from source_files"
        ).fetchall()[0]
        by_reason = con.execute(
            "select reason, count(*) from rejected_rows group by reason order by 2 desc, 1"
        ).fetchall()
        errors = _quarantined(con)
        unparsed, notes = _file_notes(con)
        supporters = con.execute("select count(*) from supporters").fetchall()[0][0]
        by_status = con.execute(
            "select email_status, count(*) from supporters group by 1 order by 2 desc, 1"
        ).fetchall()
    finally:
        con.close()
    return WarehouseSummary(
        files=int(files),
        rows_read=int(read),
        rows_accepted=int(accepted),
        rows_rejected=int(rejected),
        rejected_by_reason=[(str(r), int(n)) for r, n in by_reason],
        supporters=int(supporters),
        supporters_by_email_status=[(str(s), int(n)) for s, n in by_status],
        files_with_errors=errors,
        unparsed_values=unparsed,
        layout_notes=notes,
    )


@dataclass
class SegmentRow:
    name: str
    tag: str
    size: int
    change: int | None
    priority: int | None
    description: str


def segment_catalogue(warehouse: Warehouse) -> list[SegmentRow] | None:
    """The segment catalogue, or None when the segments mart has not been built."""
    con = _open(warehouse)
    try:
        if not _relation_exists(con, "segments"):
            return None
        cols = _columns(con, "segments")
        change = "size_change" if "size_change" in cols else "null"
        rows = con.execute(
            f"select segment_name, tag, size, {change}, priority, description "
            "from segments order by priority nulls last, segment_name"
        ).fetchall()
    finally:
        con.close()
    return [
        SegmentRow(str(n), str(t), int(s or 0), None if c is None else int(c), p, str(d or ""))
        for n, t, s, c, p, d in rows
    ]


def quarantined_files(warehouse: Warehouse) -> list[tuple[str, str]]:
    """(file path, reason) of every file the last build quarantined (unreadable, or lacking a
    required column); [] when the warehouse has no source_files yet."""
    if not _exists(warehouse):
        return []
    con = _open(warehouse)
    try:
        return _quarantined(con) if _relation_exists(con, "source_files") else []
    finally:
        con.close()


def file_notes(warehouse: Warehouse) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(file, values not read per column) and (file, layout notes) of the last build; empty
    when the warehouse has no source_files yet."""
    if not _exists(warehouse):
        return [], []
    con = _open(warehouse)
    try:
        return _file_notes(con) if _relation_exists(con, "source_files") else ([], [])
    finally:
        con.close()


def _quarantined(con: Any) -> list[tuple[str, str]]:
    """Printed and sent in reports, so redacted: a file without a header row shows its first
    data row, emails included, as the headers it found."""
    rows = con.execute(
        "select file_path || coalesce(' (sheet ' || sheet_name || ')', ''), quarantine_reason "
        "from source_files where quarantine_reason is not null order by 1"
    ).fetchall()
    return [(str(path), redact(str(reason))) for path, reason in rows]


def _file_notes(con: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(file, unparsed values) and (file, layout notes) from source_files; empty lists for a
    warehouse built before these columns existed. Redacted like the quarantine reasons."""
    columns = _columns(con, "source_files")
    if not {"unparsed_values", "layout_notes", "read_note"} <= columns:
        return [], []
    rows = con.execute(
        "select file_path || coalesce(' (sheet ' || sheet_name || ')', ''), unparsed_values, "
        "concat_ws(' | ', read_note, layout_notes) "
        "from source_files where quarantine_reason is null order by 1"
    ).fetchall()
    unparsed = [(str(p), redact(str(u))) for p, u, _ in rows if u]
    notes = [(str(p), redact(str(n))) for p, _, n in rows if n]
    return unparsed, notes


def render_warehouse(summary: WarehouseSummary) -> Table:
    table = Table(title="Warehouse", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("files read", str(summary.files))
    table.add_row("rows read", str(summary.rows_read))
    table.add_row("rows accepted", str(summary.rows_accepted))
    table.add_row("rows rejected", str(summary.rows_rejected))
    for reason, n in summary.rejected_by_reason:
        table.add_row(f"  rejected: {reason}", str(n))
    table.add_row("supporters", str(summary.supporters))
    for status, n in summary.supporters_by_email_status:
        table.add_row(f"  email status: {status}", str(n))
    for path, err in summary.files_with_errors:
        table.add_row(f"  not read: {path}", err)
    for path, unparsed in summary.unparsed_values:
        table.add_row(f"  values not read (no event for these rows): {path}", unparsed)
    for path, note in summary.layout_notes:
        table.add_row(f"  note: {path}", note)
    return table


def render_segments(rows: list[SegmentRow]) -> Table:
    table = Table(title="Segments", title_justify="left")
    table.add_column("tag", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("change", justify="right", no_wrap=True)
    table.add_column("what it means")
    for r in rows:
        change = "" if r.change is None else f"{r.change:+d}"
        table.add_row(r.tag, str(r.size), change, r.description.split(". ")[0])
    return table
