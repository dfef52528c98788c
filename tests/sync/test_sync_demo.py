"""The Mailchimp half of `engage demo`: two nights against an in-process sandbox."""

from __future__ import annotations

import io
import shutil

from rich.console import Console

from sync.jobs.demo_mailchimp import DEMO_CAMPAIGN, render, run_demo_sync


def test_demo_nights_create_the_audience_then_read_a_campaigns_activity_back(
    built_warehouse, tmp_path, monkeypatch
):
    assert not built_warehouse.failures("mailchimp_members", "segment_memberships")
    db = tmp_path / "engage.duckdb"
    shutil.copy(built_warehouse.db_path, db)
    target = tmp_path / "dbt_target"
    shutil.copytree(built_warehouse.target_path, target)
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dbt_logs"))
    result = run_demo_sync(db, target / "manifest.json")
    assert result.ok, [n.outcome.as_dict() for n in result.nights]
    night1, night2 = result.nights
    created = night1.outcome.audiences[0].applied.done["created"]
    assert night1.after.statuses == {"subscribed": created}
    assert sum(night1.after.tags.values()) == night1.outcome.audiences[0].plan.counts.tag_adds
    # The conditional-content dropdowns are created on the first night, with their choices.
    made = night1.outcome.audiences[0].applied.merge_fields_created
    assert {"TOPISSUE", "RFM", "NEXTSTEP"} <= set(made), made
    # Night 2: a campaign went to a tag; its activity and opt-outs were read back and rebuilt.
    counts = night2.campaign_counts
    assert counts["recipients"] > 0 and counts["unsubscribes"] > 0
    pull = night2.outcome.pulls[0]
    assert pull.activity.campaigns == pull.activity.new_campaigns == 1
    assert night2.outcome.build_ok
    after = night2.after.statuses
    assert after["unsubscribed"] == counts["unsubscribes"] + counts["abuse_reports"]
    assert pull.opted_out_seen == after["unsubscribed"] + after.get("cleaned", 0)
    assert sum(after.values()) == created
    plan2 = night2.outcome.audiences[0].plan.counts
    assert plan2.creates == plan2.unsubscribes == 0  # nobody re-subscribed, nothing re-sent
    perf = night2.warehouse_after.campaign
    assert perf is not None and night2.warehouse_before.campaign is None
    assert perf["unsubscribes"] == counts["unsubscribes"]
    assert perf["abuse_complaints"] == counts["abuse_reports"]
    assert perf["primary_issue"] == "housing"
    assert 0 < perf["unique_human_opens"] <= counts["recipients"]
    # Scores moved because of the opens and clicks, and tags moved with them.
    assert night2.warehouse_after.tiers != night2.warehouse_before.tiers
    assert night2.after.tags != night2.before.tags
    assert result.persist_path.exists()
    console = Console(record=True, width=120, file=io.StringIO())
    console.print(render(result))
    text = console.export_text()
    assert "Night 2" in text and "tag seg:" in text
    assert "merge fields created:" in text and "NEXTSTEP" in text
    assert DEMO_CAMPAIGN["title"] in text and "campaign_performance" in text
    assert "@" not in text  # no email address is ever printed
