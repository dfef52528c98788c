"""`engage backfill`: segment sizes for past days, replayed from the event history.

Owns filling `segment_sizes_daily` for days before the first nightly run, so a marketer's
size trend does not start on install day. Each past date is one `dbt run` of the models that
depend on the as-of date and lie upstream of `segment_size_history`, with `--vars {as_of: D}`:
`segment_size_history` (append-only) gains that date's sizes and `segment_sizes_daily` serves
them by date. Which models: those whose SQL calls the as-of macros (read from dbt's manifest),
and everything between them and `segment_size_history`. A last run with the caller's as-of
(default: today) puts the current state back, and `segment_sizes_daily` is rebuilt. The whole
job holds the writer lock, so no sync reads a past state meanwhile.

What a past size means: the segment rules applied to the events on or before that day (later
events are ignored: `int_engagement_events__dated` keeps events up to as_of) and to today's
consent (who may be emailed is not replayed), i.e. who would have been in the segment then,
among the people reachable now. Cost: one run of the as-of models per date (about 10 s at the
sample's size, a few minutes at a million supporters), so `--every 7` is the default.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sync.errors import BuildError, ConfigError
from sync.jobs.lock import locked
from sync.mailchimp.apply import ProgressSink
from sync.warehouse.dbt_runner import run_dbt, vars_args
from sync.warehouse.project import Settings

AS_OF_MACROS = frozenset(
    {
        "macro.engage.engage_as_of",
        "macro.engage.engage_as_of_date",
        "macro.engage.engage_days_before_as_of",
    }
)
HISTORY_MODEL = "segment_size_history"
SERIES_MODEL = "segment_sizes_daily"


@dataclass
class BackfillResult:
    dates: list[str] = field(default_factory=list)  # replayed, oldest first
    failed: dict[str, str] = field(default_factory=dict)  # date -> why
    restored: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.restored and not self.failed

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def backfill_dates(end: date, days: int, every: int) -> list[date]:
    """The dates to replay: every `every` days back from `end` (excluded), within `days`."""
    if days < 1 or every < 1:
        raise ConfigError("--days and --every must be at least 1")
    return sorted(end - timedelta(days=k) for k in range(every, days + 1, every))


def as_of_models(manifest: dict[str, Any]) -> list[str]:
    """Models that call the as-of macros and feed `segment_size_history` (or are it)."""
    nodes = manifest.get("nodes") or {}
    history = next((uid for uid, n in nodes.items() if n.get("name") == HISTORY_MODEL), None)
    if history is None:
        raise ConfigError(f"dbt's manifest has no model {HISTORY_MODEL}: run `engage build` first")
    upstream, stack = {history}, [history]
    while stack:
        for parent in (nodes.get(stack.pop()) or {}).get("depends_on", {}).get("nodes", []):
            if parent in nodes and parent not in upstream:
                upstream.add(parent)
                stack.append(parent)
    return sorted(
        nodes[uid]["name"]
        for uid in upstream
        if nodes[uid].get("resource_type") == "model"
        and AS_OF_MACROS & set(nodes[uid].get("depends_on", {}).get("macros", []))
    )


def selection(manifest: dict[str, Any]) -> list[str]:
    """`--select` for one replay: each as-of model and everything between it and the history."""
    return ["--select", " ".join(f"{m}+,+{HISTORY_MODEL}" for m in as_of_models(manifest))]


def backfill_segment_sizes(
    settings: Settings,
    manifest_path: Path,
    dates: Sequence[date],
    restore_vars: Sequence[str] = (),
    progress: ProgressSink | None = None,
) -> BackfillResult:
    """Replay each date, then restore the current state (see the module docstring)."""
    progress = progress or ProgressSink()
    if not manifest_path.exists():
        raise ConfigError(f"no dbt manifest at {manifest_path}: run `engage build` first")
    select = selection(json.loads(manifest_path.read_text()))
    out = BackfillResult()
    started = time.monotonic()
    with locked(settings.duckdb_path):
        progress.start("backfill segment sizes", len(dates) + 1)
        for day in dates:
            outcome = run_dbt("run", settings, [*select, *vars_args(as_of=day.isoformat())])
            out.dates.append(day.isoformat())
            if not outcome.success:
                out.failed[day.isoformat()] = outcome.reason() or "dbt run failed"
            progress.advance("backfill segment sizes", 1)
        restore = run_dbt(
            "run",
            settings,
            [select[0], f"{select[1]} {SERIES_MODEL}", *restore_vars],
        )
        progress.advance("backfill segment sizes", 1)
    out.restored = restore.success
    out.seconds = round(time.monotonic() - started, 1)
    if not restore.success:
        raise BuildError(
            "the backfill could not put the current state back "
            f"({restore.reason() or 'dbt run failed'}); run `engage build` before the next sync"
        )
    return out
