"""The fast path for plain CSV: DuckDB's own reader, for files it reads exactly as Python would.

Most exports are plain UTF-8 with one record per line or quoted newlines, no blank lines: for
those, DuckDB's C++ reader (`read_csv`, all columns as text) is several times faster than
Python's `csv` module. `eligible` decides from the bytes whether the file is such a file; every
other file (another encoding, a NUL byte, blank lines that shift the row numbering, a lone CR,
an odd number of quotes, an Excel `sep=` line) takes the Python reader (`sync.ingest.readers`),
as does any file DuckDB refuses in strict mode (a row wider than the header, a broken quote),
so the Python reader keeps every cell or its error names the problem. The output is the same
either way (tests/ingest checks it file by file): the same header, row numbers (record index,
header = 1), values as found (blank = null) and the same content hash.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from sync.ingest.readers import (
    TITLE_LOOKAHEAD,
    clean_header,
    header_position,
    is_blank_row,
    last_nonblank,
    sniff_delimiter,
)

# A part is written per this many rows (the caller's chunk size).
Writer = Callable[[list[int], list[pa.Array], int], int]

# Enough bytes for the 64 KiB of text the Python reader sniffs, whatever the characters.
_SNIFF_BYTES = 4 * 64 * 1024


def eligible(data: bytes) -> bool:
    """True when DuckDB reads these bytes exactly as the Python reader would."""
    if not data or b"\x00" in data:
        return False
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    if body[:4].lower().startswith((b"sep=", b'"sep')):
        return False
    if body.startswith((b"\n", b"\r")) or b"\n\n" in body or b"\n\r\n" in body:
        return False  # blank records count in the row numbering; DuckDB skips them
    if body.count(b"\r") != body.count(b"\r\n"):
        return False  # a lone CR (old Mac line ends, or inside a value)
    if body.count(b'"') % 2:
        return False  # an unbalanced or stray quote: the Python reader names or keeps it
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


def dialect_of(data: bytes, suffix: str) -> tuple[str, int]:
    """The delimiter the Python reader would choose (the same sniffing of the same text), and
    the number of fields of the first record (the header); width 0 when a title line sits
    above the header (`readers.header_position`): the Python reader skips it, this one would
    not, so the caller falls back."""
    text = data[:_SNIFF_BYTES].decode("utf-8", errors="ignore").removeprefix("\ufeff")
    delimiter = sniff_delimiter(text, "\t" if suffix == ".tsv" else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    ahead: list[list[str]] = []
    try:
        for record in reader:
            if record and not is_blank_row(record):
                ahead.append(record)
                if len(ahead) >= TITLE_LOOKAHEAD:
                    break
    except csv.Error:
        pass  # a cut-off record at the end of the sniffed text: judge by the records before it
    if not ahead:
        return delimiter, 0
    if header_position(ahead) != 0:
        return delimiter, 0
    return delimiter, len(ahead[0])


def read(
    path: Path, delimiter: str, width: int, chunk_rows: int, write_part: Writer
) -> tuple[list[str], str, int] | None:
    """Stream the file through DuckDB; returns (headers, content hash, rows read), or None
    when DuckDB cannot read it as the Python reader would (the caller falls back).

    Nothing is sniffed: `width` columns (the header's), explicit quoting, strict mode. DuckDB's
    sniffer would otherwise guess rows to skip and a comment character (dropping rows that
    start with `#`), and a lax mode drops the extra cells of a row wider than the header; a
    wider row is an error here, so such files take the Python reader, which keeps every cell.

    `write_part(row_numbers, columns, header_width)` writes one chunk of non-blank rows (text
    arrays, blank = null) and returns its width.
    """
    con = duckdb.connect(config={"threads": 1, "preserve_insertion_order": True})
    try:
        if width < 1:
            return None
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(1, width + 1))
        reader = con.sql(
            f"select * from read_csv({_literal(str(path))}, auto_detect = false, "
            f"columns = {{{columns}}}, header = false, delim = {_literal(delimiter)}, "
            "quote = '\"', escape = '\"', strict_mode = true, null_padding = true, "
            "parallel = false, max_line_size = 67108864)"
        ).to_arrow_reader(chunk_rows)
        headers: list[str] | None = None
        digest = hashlib.sha256()
        record = 0  # records read so far, the header included
        rows_read = 0
        for batch in reader:
            columns = [batch.column(i) for i in range(batch.num_columns)]
            numbers = pa.array(range(record + 1, record + 1 + batch.num_rows), pa.int64())
            record += batch.num_rows
            if headers is None:
                headers = [clean_header(v or "") for v in (c[0].as_py() for c in columns)]
                header_line = "\x1f".join(headers).rstrip("\x1f")
                digest.update(header_line.encode("utf-8", "surrogatepass"))
                columns = [c.slice(1) for c in columns]
                numbers = numbers.slice(1)
            blank_free = [_blank_to_null(c) for c in columns]
            keep = _non_blank(blank_free, len(numbers))
            raw = [c.filter(keep) for c in columns]
            kept_numbers = numbers.filter(keep)
            if len(kept_numbers):
                digest.update(_hash_lines(raw).encode("utf-8", "surrogatepass"))
            rows_read += len(kept_numbers)
            write_part(
                kept_numbers.to_pylist(),
                [c.filter(keep) for c in blank_free],
                last_nonblank(headers),
            )
        if headers is None:
            return None
        return headers, digest.hexdigest(), rows_read
    except duckdb.Error:
        return None
    finally:
        con.close()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _blank_to_null(column: pa.Array) -> pa.Array:
    blank = pc.equal(pc.utf8_trim_whitespace(column), "")
    return pc.if_else(blank, pa.scalar(None, pa.string()), column)


def _non_blank(columns: list[pa.Array], length: int) -> pa.Array:
    if not columns:
        return pa.array([False] * length)
    mask = pc.is_valid(columns[0])
    for column in columns[1:]:
        mask = pc.or_(mask, pc.is_valid(column))
    return mask


def _hash_lines(columns: list[pa.Array]) -> str:
    """The rows as the Python reader hashes them: cells joined by US, trailing empties
    dropped, CRLF inside values read as LF, each row preceded by RS."""
    filled = [pc.fill_null(c, "") for c in columns]
    joined = pc.binary_join_element_wise(*filled, "\x1f")
    lines = pc.replace_substring(pc.utf8_rtrim(joined, characters="\x1f"), "\r\n", "\n")
    return "".join("\x1e" + line for line in lines.to_pylist())
