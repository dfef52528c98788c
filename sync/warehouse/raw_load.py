"""The raw tables in a warehouse that does not read the ingest folder itself (PostgreSQL).

On DuckDB the `engage_files` plugin serves `raw_files` / `raw_headers` and DuckDB reads the
rows' Parquet in place. Elsewhere this module owns the copy: `load_raw` brings the ingest
folder up to date (`sync.ingest.store.ingest`: the same readers, quarantine and Parquet), then
loads schema `raw` of the target through the store's bulk path (`Store.copy_in`: PostgreSQL
`COPY ... FROM STDIN`), in one transaction:

- `raw_files` and `raw_headers` (one row per sheet / header: small) are emptied and refilled;
- `raw_rows` is incremental, keyed like the ingest folder: each sheet's rows are the Parquet
  parts under `rows/<file_id>/`, fingerprinted by their names, sizes and modification times
  in `raw.raw_rows_loaded`. A sheet whose fingerprint is unchanged is not copied again; a
  changed one is deleted and copied; a sheet that is gone (or quarantined) is deleted. A wider
  file adds `cN` columns (text) to `raw_rows`.

Running it twice loads nothing the second time (idempotent); a run killed midway rolls back
and the next one redoes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sync.ingest.scan import check_raw_dir
from sync.ingest.store import ROWS_FOLDER, IngestResult, ingest
from sync.warehouse.storage import Store

SCHEMA = "raw"
LOADED = "raw_rows_loaded"


@dataclass
class LoadResult:
    """What one load did: the ingest's summary line, and sheets copied, deleted and kept."""

    ingest: IngestResult
    sheets_copied: int = 0
    sheets_deleted: int = 0
    sheets_kept: int = 0
    rows_copied: int = 0

    def line(self) -> str:
        return (
            f"raw rows into the warehouse: {self.sheets_copied} sheet(s) copied "
            f"({self.rows_copied} rows), {self.sheets_deleted} removed, {self.sheets_kept} "
            "unchanged"
        )


def _pg_type(t: pa.DataType) -> str:
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_int32(t):
        return "integer"
    if pa.types.is_integer(t):
        return "bigint"
    return "text"


def _replace_rows(store: Store, name: str, table: pa.Table) -> None:
    """`raw.<name>` holds exactly the Arrow table's rows (created, or given the columns it
    lacks; emptied rather than dropped, so views built on it stay)."""
    store.execute(
        f"create table if not exists {SCHEMA}.{name} ("
        + ", ".join(f"{f.name} {_pg_type(f.type)}" for f in table.schema)
        + ")"
    )
    have = _columns(store, name)
    for f in table.schema:
        if f.name not in have:
            store.execute(f"alter table {SCHEMA}.{name} add column {f.name} {_pg_type(f.type)}")
    store.execute(f"delete from {SCHEMA}.{name}")
    store.copy_in(f"{SCHEMA}.{name}", table.column_names, _table_rows(table))


def _columns(store: Store, name: str) -> set[str]:
    return {
        r[0]
        for r in store.rows(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [SCHEMA, name],
        )
    }


def _table_rows(table: pa.Table) -> Iterator[tuple]:
    for batch in table.to_batches(max_chunksize=10_000):
        columns = [c.to_pylist() for c in batch.columns]
        yield from zip(*columns, strict=True)


def _parts(rows_dir: Path, file_id: str) -> list[Path]:
    return sorted((rows_dir / file_id).glob("*.parquet"))


def _fingerprint(parts: list[Path]) -> str:
    h = hashlib.sha256()
    for p in parts:
        st = p.stat()
        h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()


def _ensure_rows_table(store: Store, width: int, have: set[str]) -> set[str]:
    """`raw.raw_rows` with at least columns c1..c<width>; the columns it has."""
    if not have:
        store.execute(
            f"create table if not exists {SCHEMA}.raw_rows (file_id text, row_number bigint)"
        )
        have = _columns(store, "raw_rows")
    for i in range(1, width + 1):
        if f"c{i}" not in have:
            store.execute(f"alter table {SCHEMA}.raw_rows add column c{i} text")
            have.add(f"c{i}")
    return have


def load_raw(
    store: Store,
    raw_dir: Path,
    ingest_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> LoadResult:
    """Ingest `raw_dir` into `ingest_dir` and load the raw tables into `store` (see above)."""
    result = ingest(check_raw_dir(raw_dir), ingest_dir, progress=progress)
    out = LoadResult(result)
    rows_dir = ingest_dir / ROWS_FOLDER
    files = result.raw_files.to_pylist()
    wanted = {
        f["file_id"]: _parts(rows_dir, f["file_id"]) for f in files if f["read_error"] is None
    }
    with store.transaction():
        store.execute(f"create schema if not exists {SCHEMA}")
        _replace_rows(store, "raw_files", result.raw_files)
        _replace_rows(store, "raw_headers", result.raw_headers)
        store.execute(
            f"create table if not exists {SCHEMA}.{LOADED} (file_id text primary key, "
            "fingerprint text not null, rows_loaded bigint)"
        )
        loaded = dict(store.rows(f"select file_id, fingerprint from {SCHEMA}.{LOADED}"))
        prints = {fid: _fingerprint(parts) for fid, parts in wanted.items()}
        stale = [fid for fid, fp in loaded.items() if prints.get(fid) != fp]
        have = _ensure_rows_table(store, 1, set())
        for table in ("raw_rows", LOADED):
            store.bulk(
                f"delete from {SCHEMA}.{table} t using _bulk b where t.file_id = b.f",
                "f:v",
                [(fid,) for fid in stale],
            )
        # Rows no load recorded (copied by hand, or by a tool before this one) are not ours.
        store.execute(
            f"delete from {SCHEMA}.raw_rows where file_id not in "
            f"(select file_id from {SCHEMA}.{LOADED})"
        )
        out.sheets_deleted = len([fid for fid in stale if fid not in prints])
        for fid, parts in sorted(wanted.items()):
            if loaded.get(fid) == prints[fid]:
                out.sheets_kept += 1
                continue
            copied = 0
            for part in parts:
                pf = pq.ParquetFile(part)
                names = pf.schema_arrow.names
                width = max(
                    (int(n[1:]) for n in names if n[:1] == "c" and n[1:].isdigit()), default=0
                )
                have = _ensure_rows_table(store, width, have)
                for batch in pf.iter_batches(batch_size=50_000):
                    columns = [c.to_pylist() for c in batch.columns]
                    copied += store.copy_in(f"{SCHEMA}.raw_rows", names, zip(*columns, strict=True))
            store.execute(
                f"insert into {SCHEMA}.{LOADED} values (?, ?, ?)", [fid, prints[fid], copied]
            )
            out.sheets_copied += 1
            out.rows_copied += copied
    if progress:
        progress(out.line())
    return out
