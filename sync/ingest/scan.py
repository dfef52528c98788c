"""The raw folder -> the raw tables `raw_files`, `raw_headers`, `raw_cells` (Arrow).

Layout: `<raw_dir>/<kind>/[sub/folders/]<file>`. The kind is the top-level folder; nested
folders are allowed and kept in `file_path` (always `/`-separated, relative to the raw folder).
Skipped silently: hidden files and folders (`.x`), folders starting with `_`, Office lock files
(`~$x`) and OS litter (Thumbs.db, desktop.ini). Listed with a `read_error` and no cells: files
with an unsupported extension, files directly in the raw folder (no kind), empty files and
workbooks without data. A file that cannot be parsed at all raises IngestError naming it.

Ids: `file_id` = md5 hex of `file_path|sheet_name` (sheet '' for CSV); `content_hash` = sha256
of the decoded header and non-blank rows (trailing empty cells ignored, CRLF inside values read
as LF), so a copy under another name, delimiter or encoding hashes the same.

Column contract: `models/staging/spreadsheets/_spreadsheets__sources.yml`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from sync.ingest.errors import IngestError
from sync.ingest.readers import SUPPORTED_EXTENSIONS, FileContent, Sheet, read_file

log = logging.getLogger("engage.ingest")

RAW_FILES_SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("file_path", pa.string()),
        ("kind", pa.string()),
        ("file_name", pa.string()),
        ("sheet_name", pa.string()),
        ("content_hash", pa.string()),
        ("encoding", pa.string()),
        ("delimiter", pa.string()),
        ("rows_read", pa.int64()),
        ("read_error", pa.string()),
    ]
)
RAW_HEADERS_SCHEMA = pa.schema(
    [("file_id", pa.string()), ("column_position", pa.int64()), ("header", pa.string())]
)
RAW_CELLS_SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("row_number", pa.int64()),
        ("column_position", pa.int64()),
        ("value", pa.string()),
    ]
)
TABLE_NAMES = ("raw_files", "raw_headers", "raw_cells")

_SKIPPED_NAMES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})


@dataclass(frozen=True)
class RawFileEntry:
    """One file found under the raw folder."""

    path: Path
    file_path: str  # relative, `/`-separated
    kind: str | None  # None for a file directly in the raw folder
    size: int
    mtime_ns: int


@dataclass
class ScanSummary:
    files: int = 0
    sheets: int = 0
    unreadable: int = 0
    rows: int = 0
    cells: int = 0
    seconds: float = 0.0

    def line(self, raw_dir: Path) -> str:
        """One log line: counts only, never cell content (cells can be personal data)."""
        return (
            f"engage_files: read {raw_dir}: {self.files} files, {self.sheets} sheets, "
            f"{self.unreadable} unreadable, {self.rows} rows, {self.cells} cells "
            f"in {self.seconds:.2f}s"
        )


@dataclass
class RawTables:
    raw_files: pa.Table
    raw_headers: pa.Table
    raw_cells: pa.Table
    summary: ScanSummary = field(default_factory=ScanSummary)

    def table(self, name: str) -> pa.Table:
        if name not in TABLE_NAMES:
            raise IngestError(
                f"unknown raw table {name!r}; "
                f"the engage_files plugin serves {', '.join(TABLE_NAMES)}"
            )
        return getattr(self, name)


def file_id(file_path: str, sheet_name: str | None) -> str:
    return hashlib.md5(f"{file_path}|{sheet_name or ''}".encode()).hexdigest()


def _is_skipped(name: str) -> bool:
    return name.startswith((".", "~$")) or name.lower() in _SKIPPED_NAMES


def check_raw_dir(raw_dir: Path) -> Path:
    """The raw folder, resolved; IngestError naming the path and how to set it if missing."""
    resolved = raw_dir.expanduser().resolve()
    if not resolved.is_dir():
        what = "is not a folder" if resolved.exists() else "does not exist"
        raise IngestError(
            f"raw folder {resolved} {what}. Point engage at your spreadsheets with "
            "ENGAGE_RAW_DIR=/path/to/raw (or `engage build --raw-dir PATH`, or the dbt var: "
            "--vars '{raw_dir: /path/to/raw}'); it holds one sub-folder per kind, e.g. contacts/."
        )
    return resolved


def list_raw_files(raw_dir: Path) -> list[RawFileEntry]:
    """Every candidate file under the raw folder, sorted by path (see module docstring)."""
    root = check_raw_dir(raw_dir)
    found: list[RawFileEntry] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        rel_dir = Path(dirpath).relative_to(root)
        kind = rel_dir.parts[0] if rel_dir.parts else None
        for name in filenames:
            if _is_skipped(name):
                continue
            path = Path(dirpath) / name
            try:
                st = path.stat()
            except OSError:  # a dangling link or a file removed while we walk
                continue
            rel = (rel_dir / name).as_posix()
            found.append(RawFileEntry(path, rel, kind, st.st_size, st.st_mtime_ns))
    found.sort(key=lambda e: e.file_path)
    return found


def fingerprint(entries: list[RawFileEntry]) -> tuple[tuple[str, int, int], ...]:
    """What must change for a new scan to be needed: paths, sizes and modification times."""
    return tuple((e.file_path, e.size, e.mtime_ns) for e in entries)


def content_hash(sheet: Sheet, width: int) -> str:
    """sha256 of the header and rows (see module docstring)."""
    h = hashlib.sha256()
    lines = ["\x1f".join(sheet.headers[:width]).rstrip("\x1f")]
    for row in sheet.rows:
        line = "\x1f".join(row).rstrip("\x1f")
        if "\r" in line:
            line = line.replace("\r\n", "\n")
        lines.append(line)
    h.update("\x1e".join(lines).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _sheet_width(sheet: Sheet) -> int:
    """Columns to keep: up to the last non-empty header or the last non-blank cell of any row.

    Trailing empty header cells without data under them (a trailing delimiter) are dropped.
    """
    width = len(sheet.headers)
    while width and not sheet.headers[width - 1]:
        width -= 1
    for row in sheet.rows:
        if len(row) > width:
            for j in range(len(row) - 1, width - 1, -1):
                if row[j].strip():
                    width = j + 1
                    break
    return width


def _fit(row: list[str], width: int) -> list[str]:
    return row[:width] if len(row) > width else row + [""] * (width - len(row))


def long_cells(fid: str, sheet: Sheet, width: int) -> pa.Table:
    """The sheet's non-blank cells in long format, ordered by row then column.

    Built column-wise in Arrow (one flat value array viewed as fixed-size rows), which is
    about twice as fast as building per-column Python lists.
    """
    rows = sheet.rows
    if not rows or not width:
        return RAW_CELLS_SCHEMA.empty_table()
    flat = [v for r in rows for v in (r if len(r) == width else _fit(r, width))]
    values = pa.array(flat, pa.string())
    parent = pc.list_parent_indices(pa.FixedSizeListArray.from_arrays(values, width))
    numbers = pa.array(sheet.row_numbers, pa.int64()).take(parent)
    ones = pa.repeat(pa.scalar(1, pa.int64()), len(values))
    positions = pc.subtract(pc.cumulative_sum(ones), pc.multiply(parent.cast(pa.int64()), width))
    keep = pc.not_equal(pc.utf8_trim_whitespace(values), "")
    kept = values.filter(keep)
    return pa.table(
        [
            pa.repeat(pa.scalar(fid, pa.string()), len(kept)),
            numbers.filter(keep),
            positions.filter(keep),
            kept,
        ],
        schema=RAW_CELLS_SCHEMA,
    )


@dataclass
class _Builder:
    files: list[dict] = field(default_factory=list)
    headers: list[pa.Table] = field(default_factory=list)
    cells: list[pa.Table] = field(default_factory=list)
    summary: ScanSummary = field(default_factory=ScanSummary)

    def add_error(self, entry: RawFileEntry, reason: str, content: FileContent | None = None):
        self.summary.unreadable += 1
        self.files.append(
            _file_row(entry, None, None, content, 0, reason),
        )

    def add_sheet(self, entry: RawFileEntry, content: FileContent, sheet: Sheet) -> None:
        fid = file_id(entry.file_path, sheet.name)
        width = _sheet_width(sheet)
        headers = sheet.headers[:width] + [""] * (width - len(sheet.headers))
        self.headers.append(
            pa.table(
                {
                    "file_id": pa.repeat(pa.scalar(fid, pa.string()), width),
                    "column_position": pa.array(range(1, width + 1), pa.int64()),
                    "header": pa.array(headers, pa.string()),
                },
                schema=RAW_HEADERS_SCHEMA,
            )
        )
        cells = long_cells(fid, sheet, width)
        if cells.num_rows:
            self.cells.append(cells)
        self.summary.cells += cells.num_rows
        self.summary.sheets += 1
        self.summary.rows += len(sheet.rows)
        self.files.append(
            _file_row(entry, sheet, content_hash(sheet, width), content, len(sheet.rows), None)
        )

    def tables(self) -> RawTables:
        files = pa.Table.from_pylist(self.files, schema=RAW_FILES_SCHEMA)
        headers = (
            pa.concat_tables(self.headers) if self.headers else RAW_HEADERS_SCHEMA.empty_table()
        )
        cells = pa.concat_tables(self.cells) if self.cells else RAW_CELLS_SCHEMA.empty_table()
        return RawTables(files, headers, cells, self.summary)


def _file_row(
    entry: RawFileEntry,
    sheet: Sheet | None,
    digest: str | None,
    content: FileContent | None,
    rows_read: int,
    read_error: str | None,
) -> dict:
    sheet_name = sheet.name if sheet else None
    return {
        "file_id": file_id(entry.file_path, sheet_name),
        "file_path": entry.file_path,
        "kind": entry.kind,
        "file_name": entry.path.name,
        "sheet_name": sheet_name,
        "content_hash": digest,
        "encoding": content.encoding if content else None,
        "delimiter": content.delimiter if content else None,
        "rows_read": rows_read,
        "read_error": read_error,
    }


def iter_contents(entries: list[RawFileEntry]) -> Iterator[tuple[RawFileEntry, FileContent | str]]:
    """Each entry with what it yielded, or the reason it is listed without content."""
    for entry in entries:
        suffix = entry.path.suffix.lower()
        if entry.kind is None:
            yield entry, _NOT_IN_KIND_FOLDER
        elif suffix not in SUPPORTED_EXTENSIONS:
            yield entry, _unsupported(entry.path.suffix)
        else:
            yield entry, read_file(entry.path, entry.file_path)


_NOT_IN_KIND_FOLDER = (
    "file is directly in the raw folder; move it into a kind sub-folder (e.g. contacts/) "
    "so engage knows what it holds"
)


def _unsupported(suffix: str) -> str:
    supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
    return (
        f"unsupported file type {suffix or '(no extension)'!r}; save it as .csv or .xlsx "
        f"(supported: {supported})"
    )


def build_tables(entries: list[RawFileEntry]) -> RawTables:
    """Read the given files into the three raw tables."""
    started = time.perf_counter()
    builder = _Builder()
    for entry, content in iter_contents(entries):
        builder.summary.files += 1
        if isinstance(content, str):
            builder.add_error(entry, content)
        elif content.empty_reason:
            builder.add_error(entry, content.empty_reason, content)
        else:
            for sheet in content.sheets:
                builder.add_sheet(entry, content, sheet)
    tables = builder.tables()
    tables.summary.seconds = time.perf_counter() - started
    return tables


def scan_raw_dir(raw_dir: Path) -> RawTables:
    """Read the whole raw folder (see module docstring) and log a one-line summary."""
    root = check_raw_dir(raw_dir)
    tables = build_tables(list_raw_files(root))
    log.info(tables.summary.line(root))
    return tables
