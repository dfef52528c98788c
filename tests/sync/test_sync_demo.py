"""The Mailchimp half of `engage demo`: two nights against an in-process sandbox."""

from __future__ import annotations

import io
import shutil

from rich.console import Console

from sync.jobs.demo_mailchimp import DEMO_UNSUBSCRIBES, render, run_demo_sync


def test_demo_nights_create_the_audience_then_honour_the_days_optouts(
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
    # Night 2: the day's opt-outs were read back, rebuilt into consent, and kept.
    assert night2.outcome.pulls[0].opted_out_seen == DEMO_UNSUBSCRIBES + 1
    assert night2.outcome.build_ok
    assert night2.after.statuses == {
        "subscribed": created - DEMO_UNSUBSCRIBES - 1,
        "unsubscribed": DEMO_UNSUBSCRIBES,
        "cleaned": 1,
    }
    plan2 = night2.outcome.audiences[0].plan.counts
    assert plan2.creates == plan2.updates == plan2.unsubscribes == 0
    assert result.persist_path.exists()
    console = Console(record=True, width=120, file=io.StringIO())
    console.print(render(result))
    text = console.export_text()
    assert "Night 2" in text and "tag seg:" in text
    assert "@" not in text  # no email address is ever printed
