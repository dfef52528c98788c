"""The raw tables loaded into PostgreSQL with COPY (`sync.warehouse.raw_load`): the same rows
the DuckDB path reads from the ingest folder, incrementally per sheet, idempotently.
Runs on a throwaway loopback server (`postgres` fixture: skipped where PostgreSQL is missing
unless ENGAGE_REQUIRE_POSTGRES=1)."""

from __future__ import annotations

import os

import duckdb
import pytest

from sync.warehouse.raw_load import load_raw
from sync.warehouse.storage import open_store


@pytest.fixture
def store(postgres):
    target = postgres.fresh_target("raw_")
    with open_store(target) as s:
        yield s


def _parquet_rows(ingest_dir) -> tuple[list[tuple], list[str]]:
    """raw_rows as the DuckDB path reads them (the ingest folder's Parquet), as text."""
    rel = duckdb.sql(
        f"select * from read_parquet('{ingest_dir}/rows/*/*.parquet', union_by_name = true)"
    )
    cols = rel.columns
    return sorted(
        tuple(str(v) if v is not None else None for v in r)
        for r in duckdb.sql(f"select {', '.join(cols)} from rel").fetchall()
    ), cols


def _pg_rows(store, cols) -> list[tuple]:
    return sorted(
        tuple(str(v) if v is not None else None for v in r)
        for r in store.rows(f"select {', '.join(cols)} from raw.raw_rows")
    )


def test_raw_tables_load_incrementally_and_match_the_parquet(store, tmp_path):
    raw = tmp_path / "raw"
    (raw / "petitions").mkdir(parents=True)
    (raw / "contacts").mkdir()
    a = raw / "petitions" / "a.csv"
    b = raw / "contacts" / "b.csv"
    a.write_text('email,first_name\nann@x.org,"Ann\tTab"\nbob@x.org,\\N\n', encoding="utf-8")
    b.write_text('email,first_name,last_name,phone\ncy@x.org,Cy,"O\'Neil",+1 555\n')
    ingest_dir = tmp_path / "engage.duckdb.ingest"

    first = load_raw(store, raw, ingest_dir)
    assert (first.sheets_copied, first.sheets_kept, first.rows_copied) == (2, 0, 3)
    want, cols = _parquet_rows(ingest_dir)
    assert _pg_rows(store, cols) == want
    assert ("ann@x.org", "Ann\tTab") in {r[2:4] for r in want}  # a tab survives COPY
    assert store.row("select count(*) from raw.raw_files")[0] == 2
    assert store.row("select count(*) from raw.raw_headers")[0] == 6

    again = load_raw(store, raw, ingest_dir)  # nothing changed: nothing copied
    assert (again.sheets_copied, again.sheets_kept, again.sheets_deleted) == (0, 2, 0)
    assert _pg_rows(store, cols) == want

    a.write_text("email,first_name\nann@x.org,Ann\ndee@x.org,Dee\neve@x.org,Eve\n")
    os.utime(a, (a.stat().st_atime, a.stat().st_mtime + 5))
    b.unlink()
    third = load_raw(store, raw, ingest_dir)
    assert (third.sheets_copied, third.sheets_kept, third.sheets_deleted) == (1, 0, 1)
    want, cols = _parquet_rows(ingest_dir)
    assert _pg_rows(store, cols) == want and len(want) == 3
    assert store.row("select count(*) from raw.raw_files")[0] == 1
