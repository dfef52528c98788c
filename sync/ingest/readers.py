"""One raw file -> sheets of (headers, rows numbered as a spreadsheet program numbers them).

Pure functions, no knowledge of the raw folder layout (that is `scan`). `stream_file` serves
the ingest (rows produced as they are consumed); `read_delimited` and `read_workbook` return
whole sheets. Two formats:

- delimited text (CSV, TSV, TXT): encoding from `decoding.decode_bytes`, delimiter sniffed
  per file among `,` `;` tab `|` (an Excel `sep=;` first line wins), parsed by Python's `csv`
  module (CRLF, quoted delimiters and newlines, doubled quotes). A record with a quoted newline
  is one row. The first non-blank record is the header, numbered by its record position (row 1
  in a normal file), so the first data record is row 2; unless it is a title (see below).
- workbooks (XLSX and the other formats calamine reads): every non-empty sheet; the first
  non-empty row is the header; rows keep the sheet's own row numbers. Cells become text:
  integral numbers without `.0`, other numbers with up to 15 significant digits (what Excel
  shows), dates `2024-02-01`, datetimes `2024-02-01 13:05:00`, times `13:05:00`, booleans
  `TRUE`/`FALSE`; text cells as stored (leading zeros kept).

A title above the header (one or a few lines filling at most two cells, such as "Contributions
report 2024", before a row filling many) is skipped: `header_position` finds the header among
the first non-blank rows, and the sheet says which row it was (`header_row`, `title_rows`;
`title_note` words it for source_files). Rows keep their numbers either way.

Blank rows (every cell empty or whitespace) are dropped but keep their number. Values are kept
as found; headers are trimmed and lose any BOM. Duplicate or empty headers stay, by position.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from sync.ingest.decoding import decode_bytes
from sync.ingest.errors import IngestError

DELIMITED_EXTENSIONS = frozenset({".csv", ".tsv", ".txt"})
WORKBOOK_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
SUPPORTED_EXTENSIONS = DELIMITED_EXTENSIONS | WORKBOOK_EXTENSIONS

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_CHARS = 64 * 1024
_SNIFF_RECORDS = 50
_SEP_LINE = re.compile(r"\A\"?sep=(.)\"?\r?\n", re.IGNORECASE)
# A single cell can be a long free-text answer; Python's default limit is 128 KiB.
_FIELD_SIZE_LIMIT = 64 * 1024 * 1024
# Non-blank rows examined for a title above the header.
TITLE_LOOKAHEAD = 6
# A title line fills at most this many cells.
_TITLE_MAX_CELLS = 2


@dataclass
class Sheet:
    """One table of a file: the header and the non-blank data rows.

    `rows[i]` is numbered `row_numbers[i]`; values are text, '' for an empty cell. Rows may be
    shorter or longer than the header (ragged files are kept as found).
    """

    name: str | None
    headers: list[str]
    row_numbers: list[int] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    header_row: int = 1
    title_rows: list[int] = field(default_factory=list)


@dataclass
class FileContent:
    """What one file yielded: its sheets, how it was decoded, or why it has no table."""

    sheets: list[Sheet]
    encoding: str | None = None
    delimiter: str | None = None
    empty_reason: str | None = None


def clean_header(value: str) -> str:
    """Header text trimmed of whitespace and any byte-order marks."""
    return value.replace("\ufeff", "").strip()


def last_nonblank(values: list[str]) -> int:
    """How many values to keep: up to the last one that is not blank (trailing empty headers
    without data under them come from a trailing delimiter)."""
    width = len(values)
    while width and not values[width - 1].strip():
        width -= 1
    return width


def is_blank_row(values: list[str]) -> bool:
    return not "".join(values).strip()


# ---------------------------------------------------------------------------- delimited text


def sniff_delimiter(text: str, preferred: str = ",") -> str:
    """The delimiter among `,` `;` tab `|` that splits the header into the most columns while
    giving the data records the same number of fields. `preferred` wins ties (tab for .tsv).

    A file that no candidate splits (a single column) gets `preferred`.
    """
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > _SNIFF_CHARS
    if truncated and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    order = (preferred, *[d for d in DELIMITERS if d != preferred])
    best: tuple[float, int, int] | None = None
    best_delim = preferred
    for rank, delim in enumerate(order):
        records = []
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delim)
        try:
            for record in reader:
                if record and not is_blank_row(record):
                    records.append(record)
                if len(records) > _SNIFF_RECORDS:
                    break
        except csv.Error:
            continue
        if truncated and len(records) > 1:
            records.pop()  # may be cut mid-record
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        body = records[1:]
        consistency = sum(len(r) == width for r in body) / len(body) if body else 1.0
        score = (consistency, width, -rank)
        if best is None or score > best:
            best, best_delim = score, delim
    return best_delim


def header_position(records: list[list[str]]) -> int:
    """Which of a sheet's first non-blank records (up to TITLE_LOOKAHEAD) is its header: the
    first filling at least two cells and at least half as many as the fullest of them, when
    every record before it fills at most two cells (a title such as "Contributions report
    2024", a "Generated on" line). 0 (the first record) otherwise, and whenever in doubt."""
    counts = [sum(1 for v in record if v and v.strip()) for record in records]
    if len(counts) < 2 or max(counts) <= _TITLE_MAX_CELLS:
        return 0
    needed = max(2, (max(counts) + 1) // 2)
    for position, filled in enumerate(counts):
        if filled >= needed:
            return position
        if filled > _TITLE_MAX_CELLS:
            return 0
    return 0


def title_note(header_row: int, title_rows: list[int]) -> str | None:
    """The note source_files shows for a sheet whose header is below a title; None otherwise.
    Names rows only (a title can be anything, so its text is not repeated)."""
    if not title_rows:
        return None
    rows = ", ".join(str(n) for n in title_rows)
    return (
        f"header found on row {header_row}; row{'s' if len(title_rows) > 1 else ''} {rows} "
        "above it read as a title and skipped"
    )


def iter_delimited(
    text: str, name: str = "<text>", preferred: str = ","
) -> tuple[list[str], str, Iterator[tuple[int, list[str]]], int, list[int]]:
    """Parse decoded text lazily; returns (headers, delimiter, numbered non-blank records,
    the header's row number, the row numbers of title lines skipped above it).

    The records are produced as the iterator is consumed, so a large file never needs all its
    rows in memory. Raises IngestError (while iterating) when a quoted value is never closed
    (it would swallow every later row). An empty text gives no headers and no records.
    """
    delimiter: str | None = None
    sep_line = _SEP_LINE.match(text)
    if sep_line:  # Excel's hint line; Excel hides it, so it does not count as a row
        delimiter = sep_line.group(1)
        text = text[sep_line.end() :]
    if delimiter is None:
        delimiter = sniff_delimiter(text, preferred)
    if csv.field_size_limit() < _FIELD_SIZE_LIMIT:
        csv.field_size_limit(_FIELD_SIZE_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = enumerate(reader, start=1)
    headers: list[str] = []
    ahead: list[tuple[int, list[str]]] = []  # the first non-blank records, header included
    try:
        for number, record in records:
            if record and not is_blank_row(record):
                ahead.append((number, record))
                if len(ahead) >= TITLE_LOOKAHEAD:
                    break
    except csv.Error as exc:
        raise _parse_error(name, reader, exc) from exc
    position = header_position([record for _, record in ahead])
    title_rows = [number for number, _ in ahead[:position]]
    header_row, first = ahead[position] if ahead else (1, [])
    headers = [clean_header(h) for h in first]
    buffered = ahead[position + 1 :]

    def rows() -> Iterator[tuple[int, list[str]]]:
        last, last_number = first, header_row
        for number, record in buffered:
            last, last_number = record, number
            yield number, record
        try:
            for number, record in records:
                if record and not is_blank_row(record):
                    last, last_number = record, number
                    yield number, record
        except csv.Error as exc:
            raise _parse_error(name, reader, exc) from exc
        if last and ("\n" in last[-1] or "\r" in last[-1]) and text.endswith(last[-1]):
            raise IngestError(
                f"{name}: row {last_number} opens a quoted value that is never closed, so every "
                "line after it would be read as one cell. Fix the unbalanced double quote in "
                'that row (a literal quote inside a quoted value must be doubled: "").'
            )

    return headers, delimiter, rows(), header_row, title_rows


def _parse_error(name: str, reader, exc: csv.Error) -> IngestError:
    return IngestError(
        f"{name}: cannot parse as delimited text near record {reader.line_num}: {exc}"
    )


# ---------------------------------------------------------------------------------- workbooks


def cell_text(value: object) -> str:
    """A workbook cell as text the way a user reads it in the spreadsheet (see module docstring)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        value = _round_to_second(value)
        if value.microsecond:
            return value.isoformat(sep=" ", timespec="milliseconds")
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds" if not value.microsecond else "milliseconds")
    if isinstance(value, dt.timedelta):
        return _duration_text(value)
    return str(value)


def _round_to_second(value: dt.datetime) -> dt.datetime:
    """Excel stores times as fractions of a day; undo float noise like 13:04:59.999999."""
    us = value.microsecond
    if us >= 999_000:
        return value.replace(microsecond=0) + dt.timedelta(seconds=1)
    if us <= 1_000:
        return value.replace(microsecond=0)
    return value


def _duration_text(value: dt.timedelta) -> str:
    seconds = round(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"


def read_workbook(path: Path, name: str | None = None) -> FileContent:
    """Read every non-empty sheet of a workbook (see module docstring)."""
    label = name or str(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
    except (CalamineError, OSError, ValueError) as exc:
        raise IngestError(
            f"{label}: cannot open as a workbook ({type(exc).__name__}: {exc}). Is it a "
            "password-protected, corrupt or mis-named file? Re-save it as .xlsx or .csv."
        ) from exc
    sheets: list[Sheet] = []
    for sheet_name in names:
        try:
            sheet_range = workbook.get_sheet_by_name(sheet_name)
            start = sheet_range.start
            values = sheet_range.to_python(skip_empty_area=True) if start is not None else []
        except (CalamineError, ValueError) as exc:
            raise IngestError(
                f"{label}: cannot read sheet {sheet_name!r} ({type(exc).__name__}: {exc})."
            ) from exc
        sheet = _sheet_from_cells(sheet_name, values, first_row=(start or (0, 0))[0] + 1)
        if sheet is not None:
            sheets.append(sheet)
    if not sheets:
        return FileContent([], encoding="xlsx", empty_reason="workbook has no sheet with data")
    return FileContent(sheets, encoding="xlsx")


def _sheet_from_cells(name: str, values: list[list[object]], first_row: int) -> Sheet | None:
    """Cells of a sheet's used range (starting at spreadsheet row `first_row`) -> a Sheet
    (its header below any title lines: `header_position`)."""
    numbers: list[int] = []
    rows: list[list[str]] = []
    for offset, raw in enumerate(values):
        row = [v if v.__class__ is str else cell_text(v) for v in raw]  # most cells are text
        if is_blank_row(row):
            continue
        numbers.append(first_row + offset)
        rows.append(row)
    if not rows:
        return None
    position = header_position(rows[:TITLE_LOOKAHEAD])
    return Sheet(
        name=name,
        headers=[clean_header(h) for h in rows[position]],
        row_numbers=numbers[position + 1 :],
        rows=rows[position + 1 :],
        header_row=numbers[position],
        title_rows=numbers[:position],
    )


# ---------------------------------------------------------------------------------- streaming


@dataclass
class SheetStream:
    """One table of a file whose numbered rows are produced as they are consumed."""

    name: str | None
    headers: list[str]
    records: Iterator[tuple[int, list[str]]]
    header_row: int = 1
    title_rows: list[int] = field(default_factory=list)


@dataclass
class StreamedFile:
    """What one file yields for the ingest: sheet streams, how it was decoded, or why none."""

    sheets: list[SheetStream]
    encoding: str | None = None
    delimiter: str | None = None
    empty_reason: str | None = None


def stream_file(path: Path, name: str | None = None) -> StreamedFile:
    """Open any supported file for streaming by its extension (see module docstring).

    A delimited file is decoded whole (the decoder needs every line) but its rows are parsed as
    they are consumed; a workbook sheet is read whole by calamine. Raises IngestError for a
    file that cannot be read (the message names it and the fix).
    """
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_EXTENSIONS:
        content = read_workbook(path, name)
        streams = [
            SheetStream(
                s.name,
                s.headers,
                iter(zip(s.row_numbers, s.rows, strict=True)),
                s.header_row,
                s.title_rows,
            )
            for s in content.sheets
        ]
        return StreamedFile(streams, content.encoding, None, content.empty_reason)
    if suffix not in DELIMITED_EXTENSIONS:
        raise IngestError(f"{name or path}: unsupported file type {suffix or '(none)'!r}")
    return _stream_delimited(path, name or str(path))


def read_delimited(path: Path, name: str | None = None) -> FileContent:
    """Read a CSV/TSV/TXT file whole, into memory (see module docstring); the ingest streams
    the same rows with `stream_file`."""
    streamed = _stream_delimited(path, name or str(path))
    sheets = []
    for stream in streamed.sheets:
        sheet = Sheet(
            stream.name, stream.headers, header_row=stream.header_row, title_rows=stream.title_rows
        )
        for number, record in stream.records:
            sheet.row_numbers.append(number)
            sheet.rows.append(record)
        sheets.append(sheet)
    return FileContent(sheets, streamed.encoding, streamed.delimiter, streamed.empty_reason)


def _stream_delimited(path: Path, label: str) -> StreamedFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{label}: cannot open: {exc.strerror or exc}") from exc
    text, encoding = decode_bytes(data, label)
    del data
    preferred = "\t" if path.suffix.lower() == ".tsv" else ","
    headers, delimiter, records, header_row, title_rows = iter_delimited(text, label, preferred)
    if not headers:
        return StreamedFile([], encoding, delimiter, empty_reason="empty file: no header row")
    return StreamedFile(
        [SheetStream(None, headers, records, header_row, title_rows)], encoding, delimiter
    )
