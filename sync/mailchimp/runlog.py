"""`engage_sync.sync_runs`: one row per command run and audience.

Owns the run id, start/end times, status, counts per operation, errors (redacted: subscriber
hashes, never emails), fail-safe thresholds hit and any `--force` reason. A run row is written
at the start (status `running`), so a killed run is visible as one that never finished.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sync.mailchimp.state import SCHEMA, utcnow
from sync.warehouse.storage import Store


@dataclass
class RunRecord:
    run_id: str
    command: str
    audience_key: str | None


def new_run_id() -> str:
    return utcnow().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def start_run(
    con: Store,
    command: str,
    audience_key: str | None = None,
    audience_id: str | None = None,
    run_id: str | None = None,
    forced: bool = False,
    force_reason: str | None = None,
) -> RunRecord:
    rec = RunRecord(run_id or new_run_id(), command, audience_key)
    con.execute(
        f"insert into {SCHEMA}.sync_runs (run_id, command, audience_key, audience_id, "
        "started_at, status, forced, force_reason) values (?, ?, ?, ?, ?, 'running', ?, ?)",
        [rec.run_id, command, audience_key, audience_id, utcnow(), forced, force_reason],
    )
    return rec


def finish_run(
    con: Store,
    rec: RunRecord,
    status: str,
    *,
    audience_id: str | None = None,
    plan_id: str | None = None,
    counts: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    thresholds: list[dict[str, Any]] | None = None,
) -> None:
    con.execute(
        f"update {SCHEMA}.sync_runs set finished_at = ?, status = ?, "
        "audience_id = coalesce(?, audience_id), plan_id = coalesce(?, plan_id), counts = ?, "
        "errors = ?, error_summary = ?, thresholds_hit = ? where run_id = ?",
        [
            utcnow(),
            status,
            audience_id,
            plan_id,
            json.dumps(counts or {}, sort_keys=True),
            len(errors or []),
            json.dumps((errors or [])[:20]) if errors else None,
            json.dumps(thresholds) if thresholds else None,
            rec.run_id,
        ],
    )


def recent_runs(con: Store, limit: int = 10) -> list[dict[str, Any]]:
    cur = con.execute(f"select * from {SCHEMA}.sync_runs order by started_at desc limit ?", [limit])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
