"""Fixtures for the engagement tests: the shared sample warehouse, checked and wrapped."""

from __future__ import annotations

import pytest
from warehouse_build import Warehouse

# The marts these tests read; if the shared build could not make them, say why once.
REQUIRED = (
    "engagement_events",
    "supporter_engagement",
    "supporter_issue_interest",
    "supporter_top_issue",
    "segment_memberships",
    "segment_memberships_held_out",
    "segments",
    "segment_size_history",
    "segment_membership_history",
)


@pytest.fixture(scope="session")
def sample_warehouse(built_warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The sample set built once for the session (tests/conftest.py `built_warehouse`, with
    as_of = sample_data/AS_OF), plus a private copy of the dbt project for extra commands.
    Read-only: tests that change things work on `Warehouse.fork`."""
    warehouse = built_warehouse.on_project_copy(tmp_path_factory.mktemp("engagement"))
    have = {
        r[0]
        for r in warehouse.query(
            "select table_name from information_schema.tables where table_schema = 'main'"
        )
    }
    missing = [name for name in REQUIRED if name not in have]
    if missing:
        outcome = built_warehouse.outcome
        broken = [
            f"{n.status} {n.name}: {(n.message or '')[:200]}"
            for n in (outcome.nodes if outcome else [])
            if n.status in ("error", "fail", "runtime error")
        ]
        pytest.fail(
            f"the sample build did not make {missing}; failed nodes:\n" + "\n".join(broken[:20])
        )
    return warehouse
