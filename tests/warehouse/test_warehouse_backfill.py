"""`engage backfill`: segment sizes for past days from the event history, then today's state
back in place."""

from __future__ import annotations

import datetime as dt

from warehouse_build import SAMPLE_AS_OF, Warehouse, _env

from sync.jobs.backfill import as_of_models, backfill_dates, backfill_segment_sizes
from sync.warehouse.dbt_runner import vars_args
from sync.warehouse.project import Settings

DECIDED = "select * from int_segment_memberships__decided"


def test_backfill_replays_past_days_and_puts_the_current_state_back(
    built_warehouse: Warehouse, tmp_path
):
    wh = built_warehouse.fork(tmp_path / "backfill")
    assert wh.dbt("parse").success
    models = as_of_models(wh.manifest)
    assert "supporter_engagement" in models and "segment_size_history" in models
    assert not any(m.startswith("stg_") or m.startswith("int_identity") for m in models)

    before = wh.query(DECIDED)
    end = dt.date.fromisoformat(SAMPLE_AS_OF)
    dates = backfill_dates(end, days=120, every=60)
    assert dates == [end - dt.timedelta(days=120), end - dt.timedelta(days=60)]
    settings = Settings.from_env(
        raw_dir=wh.raw_dir, duckdb_path=wh.db_path, project_dir=wh.project_dir
    )
    with _env({"DBT_TARGET_PATH": str(wh.target_path), "DBT_LOG_PATH": str(wh.log_path)}):
        result = backfill_segment_sizes(
            settings, wh.target_path / "manifest.json", dates, vars_args(as_of=SAMPLE_AS_OF)
        )
    assert result.ok, result.as_dict()

    # A series per segment for each replayed day, and it moves: new-30d on a day four months
    # back counts that month's sign-ups, not this one's.
    sizes = {
        (str(d), tag): size
        for d, tag, size in wh.query("select as_of_date, tag, size from segment_sizes_daily")
    }
    for day in (*dates, end):  # (segments of dated events exist only around their event)
        assert {("seg:new-30d"), ("seg:lapsed-90d")} <= {t for d, t in sizes if d == str(day)}
    assert len({sizes[(str(day), "seg:new-30d")] for day in (*dates, end)}) > 1
    # Today's memberships are back exactly as they were.
    after = wh.query(DECIDED)
    assert sorted(map(repr, after)) == sorted(map(repr, before))
