"""Portability: the engagement models, segments and their dbt tests build unchanged on
PostgreSQL and give the same memberships, held-out rows, scores, issue interest, events
and catalogue sizes as DuckDB.

The sample build's raw tables are copied into a throwaway loopback server
(tests/warehouse/postgres_server.py) and everything the engagement marts need is built there
with dbt-postgres.
"""

from __future__ import annotations

import csv
import io
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from engagementtest_helpers import Warehouse, failures

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "warehouse"))
from postgres_server import find_bin_dir, start_server  # noqa: E402

RAW_TABLES = ("raw_files", "raw_headers", "raw_cells")

ENGAGEMENT_SELECT = [
    "--select",
    "+segment_memberships +segment_memberships_held_out +segments +segment_sizes_daily "
    "+segment_membership_history +unmapped_campaigns +supporter_engagement "
    "path:tests/dbt/engagement",
    # only tests whose every parent is selected (relationships to unbuilt marts are skipped)
    "--indirect-selection",
    "cautious",
]

# query -> compared row for row (order-independent) between DuckDB and Postgres
COMPARED = {
    "memberships": "select supporter_id, segment_name, tag, reason, priority_rank "
    "from segment_memberships",
    "held out": "select supporter_id, tag, held_out_reason, held_out_detail "
    "from segment_memberships_held_out",
    "scores": "select supporter_id, engagement_raw, engagement_score, engagement_stars, "
    "ladder_rung, rfm_cell, messages_last_7d, top_issue, second_issue from supporter_engagement",
    "issue interest": "select supporter_id, issue_slug, affinity, share, issue_rank "
    "from supporter_issue_interest",
    "events": "select event_id, supporter_id, action_type, occurred_at, campaign_name, "
    "issue_slugs, is_proxy_open, event_date from engagement_events",
    "catalogue": "select segment_name, tag, description, size, candidates from segments",
}


@pytest.fixture(scope="module")
def postgres():
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    server = start_server(bin_dir)
    try:
        yield server
    finally:
        server.stop()


def _copy_raw_tables(warehouse: Warehouse, server) -> None:
    con = server.connect()
    try:
        cur = con.cursor()
        cur.execute("create schema raw")
        for table in RAW_TABLES:
            columns = warehouse.query(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                table,
            )
            types = {"BIGINT": "bigint", "INTEGER": "integer", "BOOLEAN": "boolean"}
            cur.execute(
                f"create table raw.{table} ("
                + ", ".join(f"{name} {types.get(kind, 'text')}" for name, kind in columns)
                + ")"
            )
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for row in warehouse.query(f"select * from raw.{table}"):
                writer.writerow(["\\N" if v is None else v for v in row])
            buffer.seek(0)
            cur.copy_expert(f"copy raw.{table} from stdin with (format csv, null '\\N')", buffer)
        con.commit()
    finally:
        con.close()


def _normalise(row: tuple) -> tuple:
    return tuple(round(float(v), 4) if isinstance(v, (Decimal, float)) else v for v in row)


def test_engagement_builds_on_postgres_with_the_same_results(
    sample_warehouse: Warehouse, postgres, tmp_path: Path
) -> None:
    _copy_raw_tables(sample_warehouse, postgres)
    wh = Warehouse(db=tmp_path / "unused.duckdb", project=sample_warehouse.project, work=tmp_path)
    outcome = wh.dbt("build", *ENGAGEMENT_SELECT, "--target", "postgres", env=postgres.env())
    assert outcome.success, failures(outcome)
    assert any(n.resource_type.endswith("unit_test") for n in outcome.nodes)

    con = postgres.connect()
    try:
        cur = con.cursor()
        cur.execute("set search_path to main")
        for name, sql in COMPARED.items():
            cur.execute(sql)
            on_postgres = sorted(_normalise(r) for r in cur.fetchall())
            on_duckdb = sorted(_normalise(r) for r in sample_warehouse.query(sql))
            assert on_postgres, name
            assert on_postgres == on_duckdb, name
    finally:
        con.close()
