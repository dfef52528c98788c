"""One raw file -> its rows as Parquet parts, read wide (one text column per file column).

`parse_file` is what an ingest worker runs for one file: it streams the file's sheets through
`readers.stream_file` and writes, per sheet, `<out_dir>/<file_id>/part-NNNNN.parquet` with
columns `file_id`, `row_number`, `c1` .. `cN` (text; a blank or whitespace-only cell is NULL,
other values are kept exactly as found). Rows are written in chunks of `CHUNK_ROWS`, so memory
stays bounded by the chunk (and, for delimited text, the decoded file), never by the corpus.
A chunk's width is its last column holding a value, so parts of one sheet may differ in width;
readers union them by name.

It returns one `SheetResult` per sheet (or one with `read_error` when the file cannot be read):
the header, the content hash, the encoding and delimiter, and the rows read. Ids:
`file_id` = md5 hex of `file_path|sheet_name` (sheet '' for CSV); `content_hash` = sha256 of
the decoded header and non-blank rows (trailing empty cells ignored, CRLF inside values read as
LF), so a copy under another name, delimiter or encoding hashes the same.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sync.ingest import fast_csv
from sync.ingest.errors import IngestError
from sync.ingest.readers import (
    DELIMITED_EXTENSIONS,
    SheetStream,
    last_nonblank,
    stream_file,
    title_note,
)

CHUNK_ROWS = 50_000
# Bump when the Parquet layout or the reading rules change: cached parts are then re-read.
PARSER_VERSION = 3


@dataclass
class SheetResult:
    """What one sheet (or an unreadable file) yielded; stored in the ingest manifest."""

    file_id: str
    sheet_name: str | None
    content_hash: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    rows_read: int = 0
    headers: list[str] = field(default_factory=list)
    read_error: str | None = None
    read_note: str | None = None  # e.g. a title above the header, skipped

    def to_dict(self) -> dict:
        return asdict(self)


def ready() -> bool:
    """A no-op a new worker process runs first, so its start-up is not charged to a file."""
    return True


def file_id(file_path: str, sheet_name: str | None) -> str:
    return hashlib.md5(f"{file_path}|{sheet_name or ''}".encode()).hexdigest()


def column_name(position: int) -> str:
    """The raw column holding the file's column at 1-based `position`: c1, c2, ..."""
    return f"c{position}"


def parse_file(path: str, file_path: str, out_dir: str) -> list[dict]:
    """Read one file into Parquet parts under `out_dir` (see module docstring).

    Returns `SheetResult.to_dict()` per sheet. A file that cannot be read gives one result with
    `read_error` and no parts (any partial parts are removed). Never raises for bad content.
    """
    written: list[Path] = []
    try:
        fast = _read_with_duckdb(Path(path), file_path, Path(out_dir), written)
        if fast is not None:
            return [fast.to_dict()]
        streamed = stream_file(Path(path), file_path)
        if streamed.empty_reason:
            return [_error(file_path, streamed.empty_reason, streamed.encoding)]
        results = []
        for sheet in streamed.sheets:
            result = _write_sheet(file_path, sheet, Path(out_dir), written)
            result.encoding, result.delimiter = streamed.encoding, streamed.delimiter
            results.append(result)
        return [r.to_dict() for r in results]
    except IngestError as exc:
        _remove(written)
        return [_error(file_path, str(exc).removeprefix(f"{file_path}: "))]
    except (MemoryError, RecursionError, UnicodeError, ValueError, OSError) as exc:
        _remove(written)
        reason = (
            f"cannot be read ({type(exc).__name__}: {exc}); re-export it as CSV (UTF-8) or XLSX"
        )
        return [_error(file_path, reason)]


def _read_with_duckdb(
    path: Path, file_path: str, out_dir: Path, written: list[Path]
) -> SheetResult | None:
    """The plain-CSV fast path (`sync.ingest.fast_csv`); None when the file needs the Python
    reader (nothing is left behind then)."""
    suffix = path.suffix.lower()
    if suffix not in DELIMITED_EXTENSIONS:
        return None
    with path.open("rb") as handle:
        data = handle.read()
    if not fast_csv.eligible(data):
        return None
    delimiter, width = fast_csv.dialect_of(data, suffix)
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    del data
    fid = file_id(file_path, None)
    parts = _Parts(out_dir, fid, [])
    written += parts.folders

    def write_part(numbers: list[int], columns: list[pa.Array], header_width: int) -> int:
        parts.width = max(parts.width, header_width)
        return parts.add(numbers, columns)

    outcome = fast_csv.read(path, delimiter, width, CHUNK_ROWS, write_part)
    if outcome is None:
        parts.discard()
        return None
    headers, digest, rows_read = outcome
    return SheetResult(
        fid,
        None,
        content_hash=digest,
        encoding=encoding,
        delimiter=delimiter,
        rows_read=rows_read,
        headers=parts.finish(headers),
    )


def _error(file_path: str, reason: str, encoding: str | None = None) -> dict:
    return SheetResult(
        file_id(file_path, None), None, encoding=encoding, read_error=reason
    ).to_dict()


def _remove(folders: list[Path]) -> None:
    """Remove every part written for a file (all sheets): a failed file leaves nothing."""
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


class _Parts:
    """The Parquet parts of one sheet, written to `<file_id>.partial/` and moved to
    `<file_id>/` only when complete. `width` grows to the last column holding a value, never
    below the header's."""

    def __init__(self, out_dir: Path, fid: str, headers: list[str]) -> None:
        self.fid = fid
        self.staging, self.final = out_dir / f"{fid}.partial", out_dir / fid
        self.folders = [self.staging, self.final]
        self.width = last_nonblank(headers)
        self.count = 0
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)

    def add(self, numbers: list[int], columns: list[pa.Array]) -> int:
        """Write one chunk (text columns, blank = null); returns the sheet's width so far."""
        path = self.staging / f"part-{self.count:05d}.parquet"
        self.width = max(self.width, _write_columns(path, self.fid, numbers, columns, self.width))
        self.count += 1
        return self.width

    def finish(self, headers: list[str]) -> list[str]:
        """Move the parts in place; returns the headers padded or cut to the sheet's width."""
        if not self.count:
            self.add([], [])
        shutil.rmtree(self.final, ignore_errors=True)
        self.staging.rename(self.final)
        return (headers + [""] * self.width)[: self.width]

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _write_sheet(
    file_path: str, sheet: SheetStream, out_dir: Path, written: list[Path]
) -> SheetResult:
    fid = file_id(file_path, sheet.name)
    result = SheetResult(fid, sheet.name, read_note=title_note(sheet.header_row, sheet.title_rows))
    digest = hashlib.sha256(
        "\x1f".join(sheet.headers).rstrip("\x1f").encode("utf-8", "surrogatepass")
    )
    parts = _Parts(out_dir, fid, sheet.headers)
    written += parts.folders
    numbers: list[int] = []
    rows: list[list[str]] = []
    for number, row in sheet.records:
        line = "\x1f".join(row).rstrip("\x1f")
        if "\r" in line:
            line = line.replace("\r\n", "\n")
        digest.update(("\x1e" + line).encode("utf-8", "surrogatepass"))
        numbers.append(number)
        rows.append(row)
        if len(rows) >= CHUNK_ROWS:
            parts.add(numbers, _columns(rows, parts.width))
            numbers, rows = [], []
        result.rows_read += 1
    if rows:
        parts.add(numbers, _columns(rows, parts.width))
    result.content_hash = digest.hexdigest()
    result.headers = parts.finish(sheet.headers)
    return result


def _columns(rows: list[list[str]], min_width: int) -> list[pa.Array]:
    """Rows (ragged lists of text) as text columns, blank or whitespace-only cells null."""
    longest = max(max((len(r) for r in rows), default=0), min_width)
    if not longest:
        return []
    flat = [v for r in rows for v in (r if len(r) == longest else r + [""] * (longest - len(r)))]
    values = pa.array(flat, pa.string())
    blank = pc.equal(pc.utf8_trim_whitespace(values), "")
    values = pc.if_else(blank, pa.scalar(None, pa.string()), values)
    grid = pa.FixedSizeListArray.from_arrays(values, longest)
    return [pc.list_element(grid, j) for j in range(longest)]


def _write_columns(
    path: Path, fid: str, numbers: list[int], columns: list[pa.Array], min_width: int
) -> int:
    """Write one chunk (text columns, blank = null) as `c1`..`cN`; returns its width: its last
    column holding a value, never fewer than `min_width` (the header's), so every named column
    exists in every part."""
    columns = columns + [pa.nulls(len(numbers), pa.string())] * (min_width - len(columns))
    width = len(columns)
    while width > min_width and columns[width - 1].null_count == len(numbers):
        width -= 1
    table = pa.table(
        {
            "file_id": pa.repeat(pa.scalar(fid, pa.string()), len(numbers)),
            "row_number": pa.array(numbers, pa.int64()),
            **{column_name(j + 1): columns[j] for j in range(width)},
        }
    )
    pq.write_table(table, path, compression="zstd", compression_level=1)
    return width
