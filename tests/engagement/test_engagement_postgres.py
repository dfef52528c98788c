"""Portability: the engagement models, segments and their dbt tests build unchanged on
PostgreSQL and give the same memberships, held-out rows, scores, issue interest, events
and catalogue sizes as DuckDB.

The sample build's raw tables are copied into a throwaway loopback server
(tests/postgres_server.py) and everything the engagement marts need is built there
with dbt-postgres.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from postgres_server import copy_raw_tables
from warehouse_build import Warehouse, failure_text

ENGAGEMENT_SELECT = [
    "--select",
    "+segment_memberships +segment_memberships_held_out +segments +segment_sizes_daily "
    "+segment_membership_history +unmapped_campaigns +supporter_engagement "
    "+segment_broadcast_checks +int_next_steps__chosen "
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
    "next steps": "select supporter_id, next_step, matched_condition from int_next_steps__chosen",
    "broadcasts": "select tag, size, emailable_supporters, audience_share, approval_status, "
    "is_blocked from segment_broadcast_checks",
}


def _normalise(row: tuple) -> tuple:
    return tuple(round(float(v), 4) if isinstance(v, (Decimal, float)) else v for v in row)


def test_engagement_builds_on_postgres_with_the_same_results(
    sample_warehouse: Warehouse, postgres, tmp_path: Path
) -> None:
    copy_raw_tables(sample_warehouse, postgres)
    wh = sample_warehouse.on_project_copy(tmp_path)  # private dbt target folder
    outcome = wh.dbt("build", *ENGAGEMENT_SELECT, target="postgres", env=postgres.env())
    assert outcome.success, failure_text(outcome)
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
