"""The nightly history: every night leaves a row, locked nights included.

Owns two records of each `engage nightly`:

- `<warehouse file>.nightly.jsonl`, next to the warehouse: one JSON object per line, appended
  (`O_APPEND`, one write per line) when a night starts (`outcome: running`) and when it ends,
  under the same `run_id`; the last line of a run wins. Every night writes here, including one
  that found the writer lock held: that night may not open the DuckDB file (the other run holds
  it), but appending a line to a separate file is safe. A night killed midway stays `running`.
  `engage runs` reads this file, so it works while a night is running.
- a `command = 'nightly'` row in `engage_sync.sync_runs` (through `sync.mailchimp.runlog`), for
  every night that held the lock, beside its per-audience `pull` and `sync` rows: status is the
  outcome, `counts` the step durations and totals, `error_summary` the error.

Rows carry counts, durations, outcome words and redacted errors: never an address or a key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sync.mailchimp import state
from sync.mailchimp.runlog import RunRecord, finish_run, start_run
from sync.warehouse.storage import StorageTarget

HISTORY_SUFFIX = ".nightly.jsonl"
RUNNING = "running"


def history_path(db_path: Path) -> Path:
    """The nightly history file of a warehouse file (`target/engage.duckdb.nightly.jsonl`)."""
    return db_path.with_name(db_path.name + HISTORY_SUFFIX)


def append(db_path: Path, row: dict[str, Any]) -> None:
    """Append one night's row as one line, in one write (safe beside a concurrent night)."""
    path = history_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(row, sort_keys=True, default=str, separators=(",", ":")) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read(db_path: Path, limit: int = 10) -> list[dict[str, Any]]:
    """The last `limit` nights, newest first: in the order they started (their first line),
    each as its last line says; a torn line is skipped."""
    path = history_path(db_path)
    if not path.exists():
        return []
    runs: dict[str, dict[str, Any]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                row = json.loads(line)
            except ValueError:
                continue  # a line cut short by a full disk or a crash mid-write
            if isinstance(row, dict) and row.get("run_id"):
                runs[row["run_id"]] = row  # keeps its place: the order the nights started in
    return list(reversed(runs.values()))[:limit]


def begin_in_warehouse(warehouse: Path | StorageTarget, run_id: str) -> RunRecord:
    """The night's `sync_runs` row, status `running` (the caller holds the writer lock)."""
    con = state.connect(warehouse)
    try:
        return start_run(con, "nightly", run_id=run_id)
    finally:
        con.close()


def finish_in_warehouse(
    warehouse: Path | StorageTarget, rec: RunRecord, row: dict[str, Any]
) -> None:
    """Close the night's `sync_runs` row with its outcome, counts, durations and error."""
    con = state.connect(warehouse)
    try:
        finish_run(
            con,
            rec,
            str(row["outcome"]),
            counts={
                "durations": row.get("durations"),
                "totals": row.get("counts"),
                "warnings": row.get("warnings"),
                "audiences": row.get("audiences"),
            },
            errors=[row["error"]] if row.get("error") else None,
        )
    finally:
        con.close()
