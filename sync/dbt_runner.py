"""Runs dbt in-process through dbt's programmatic runner, with the project's profile.

Owns the translation from an `engage` invocation to dbt CLI arguments and the summary of a
dbt result. dbt-core does not support parallel invocations in one process: callers invoke
serially.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import yaml
from dbt.cli.main import dbtRunner, dbtRunnerResult

from sync.project import PROFILES_DIR, PROJECT_DIR, Settings


@dataclass
class NodeOutcome:
    name: str
    resource_type: str
    status: str
    message: str | None


@dataclass
class DbtOutcome:
    """What a dbt invocation did, in plain data."""

    success: bool
    error: str | None = None
    nodes: list[NodeOutcome] = field(default_factory=list)

    @property
    def failures(self) -> list[NodeOutcome]:
        return [n for n in self.nodes if n.status in ("error", "fail", "runtime error")]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for n in self.nodes:
            out[n.status] = out.get(n.status, 0) + 1
        return out


def dbt_args(command: str, settings: Settings, extra: Sequence[str] = ()) -> list[str]:
    """The full dbt argument list for `command` against this project and profile."""
    return [
        command,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROFILES_DIR),
        "--target",
        settings.target,
        *extra,
    ]


def vars_args(raw: str | None = None, *, as_of: str | None = None) -> list[str]:
    """`--vars` arguments merging a user's YAML/JSON mapping with named options.

    Raises ValueError with a readable message for a malformed mapping or date.
    """
    merged: dict = {}
    if raw:
        try:
            parsed = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise ValueError(f"--vars is not valid YAML/JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise ValueError("--vars must be a mapping, e.g. '{as_of: 2026-11-20}'")
        merged.update(parsed)
    if as_of:
        try:
            dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise ValueError(f"--as-of must be a date like 2026-11-20, got {as_of!r}") from exc
        merged["as_of"] = as_of
    if not merged:
        return []
    return ["--vars", json.dumps(merged, default=str)]


def run_dbt(command: str, settings: Settings, extra: Sequence[str] = ()) -> DbtOutcome:
    """Invoke dbt `command` (build, run, test, seed, ...) and summarise the result."""
    settings.apply_to_env()
    try:
        result: dbtRunnerResult = dbtRunner().invoke(dbt_args(command, settings, extra))
    finally:
        _reset_duckdb_environment()
    return summarise(result)


def _reset_duckdb_environment() -> None:
    """Forget dbt-duckdb's process-wide environment between invocations.

    dbt-duckdb keeps its environment on a class attribute; left set, the next invocation in
    this process (another target, a `dbt ls`) would load plugin sources with stale settings
    and keep the DuckDB file's handle alive while the sync wants to open it.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - duckdb adapter always installed
        return
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def summarise(result: dbtRunnerResult) -> DbtOutcome:
    nodes: list[NodeOutcome] = []
    inner = getattr(result.result, "results", None) or []
    for r in inner:
        node = getattr(r, "node", None)
        nodes.append(
            NodeOutcome(
                name=getattr(node, "name", "?"),
                resource_type=str(getattr(node, "resource_type", "?")),
                status=str(getattr(r, "status", "?")),
                message=getattr(r, "message", None),
            )
        )
    error = str(result.exception) if result.exception else None
    return DbtOutcome(success=bool(result.success), error=error, nodes=nodes)
