"""Portability: everything after raw-file reading is adapter-neutral SQL.

The raw tables of the sample-set build are copied into a PostgreSQL server started on
loopback for the test, the warehouse layers (seeds, staging, identity, consent, core marts
and their dbt tests) are built there with dbt-postgres, and the supporters, identifiers,
consent events, rejects and file inventory must equal DuckDB's row for row.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from postgres_server import load_raw_tables
from warehouse_build import failure_text
from warehousetest_helpers import WAREHOUSE_MARTS, WAREHOUSE_SELECT

# mart -> its key; every column is compared
COMPARED = {
    "supporters": "supporter_id",
    "supporter_identifiers": "supporter_identifier_id",
    "consent_events": "consent_event_id",
    "rejected_rows": "rejected_row_id",
    "source_files": "file_id",
}


def _normalise(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


def _rows(fetch, mart: str, key: str) -> tuple[list[str], list[tuple]]:
    cols, rows = fetch(f"select * from {mart} order by {key}")
    return cols, [tuple(_normalise(v) for v in row) for row in rows]


def test_warehouse_layers_build_on_postgres_with_the_same_results(built_warehouse, postgres):
    failed = built_warehouse.failures(*WAREHOUSE_MARTS, "stg_spreadsheets", "int_identity")
    assert not failed, [(f.name, f.message) for f in failed]
    counts = load_raw_tables(built_warehouse, postgres)
    assert counts["raw_rows"] > 1000

    outcome = built_warehouse.dbt(
        "build",
        *WAREHOUSE_SELECT,
        "path:tests/dbt/normalise",
        "path:tests/dbt/warehouse",
        "--indirect-selection",
        "cautious",
        target="postgres",
        env=postgres.env(),
    )
    assert outcome.success, failure_text(outcome)
    ran = {n.resource_type.split(".")[-1].lower() for n in outcome.nodes}
    assert {"model", "seed", "test", "unit_test"} <= ran, ran

    pg = postgres.connect()
    try:

        def fetch_pg(sql: str):
            cur = pg.cursor()
            cur.execute(sql.replace(" from ", " from main.", 1))
            return [d[0] for d in cur.description], cur.fetchall()

        def fetch_duck(sql: str):
            import duckdb

            con = duckdb.connect(str(built_warehouse.db_path), read_only=True)
            try:
                result = con.execute(sql)
                return [d[0] for d in result.description], result.fetchall()
            finally:
                con.close()

        for mart, key in COMPARED.items():
            duck_cols, duck_rows = _rows(fetch_duck, mart, key)
            pg_cols, pg_rows = _rows(fetch_pg, mart, key)
            assert pg_cols == duck_cols, mart
            assert len(pg_rows) == len(duck_rows) > 0, mart
            differing = [(d, p) for d, p in zip(duck_rows, pg_rows, strict=True) if d != p]
            assert not differing, (mart, differing[:3])
    finally:
        pg.close()
