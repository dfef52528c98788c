"""The engagement dbt unit tests (scoring, ladder, issue interest, every segment rule,
contact cap and priority limit) and singular tests pass against the sample warehouse."""

from __future__ import annotations

from warehouse_build import Warehouse, failure_text


def test_engagement_unit_and_singular_tests_pass(sample_warehouse: Warehouse) -> None:
    outcome = sample_warehouse.dbt("test", "--select", "path:tests/dbt/engagement")
    assert outcome.success, failure_text(outcome)
    ran = [n for n in outcome.nodes if n.status == "pass"]
    assert len(ran) >= 20, [n.name for n in outcome.nodes]
