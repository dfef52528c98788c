"""Runs dbt in-process through dbt's programmatic runner, with the project's profile.

Owns the translation from an `engage` invocation to dbt CLI arguments and the summary of a
dbt result. dbt-core does not support parallel invocations in one process: callers invoke
serially. dbt's console log is a log: it goes to stderr, so stdout carries only what engage
prints there (a `--json` summary). On a target other than DuckDB, a build or run first loads
the raw tables (`sync.warehouse.raw_load`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import yaml
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner, dbtRunnerResult

from sync.errors import StorageError, redact
from sync.warehouse.project import PROFILES_DIR, Settings
from sync.warehouse.raw_load import load_raw
from sync.warehouse.segment_wiring import wire_segments
from sync.warehouse.storage import (
    DuckDBTarget,
    open_store,
    storage_target,
    use_session_defaults,
)


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

    def reason(self) -> str | None:
        """Why the invocation failed, in one line (None when it succeeded)."""
        if self.success:
            return None
        if self.failures:
            names = ", ".join(f"{f.name} ({f.status})" for f in self.failures[:5])
            more = f" and {len(self.failures) - 5} more" if len(self.failures) > 5 else ""
            lines = [ln.strip() for ln in (self.failures[0].message or "").splitlines()]
            first = [ln for ln in lines if ln][:2]
            detail = f": {' '.join(first)}" if first else ""
            return f"{len(self.failures)} dbt node(s) failed: {names}{more}{detail}"
        return self.error or "dbt failed without naming a node; run with --verbose for its log"

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for n in self.nodes:
            out[n.status] = out.get(n.status, 0) + 1
        return out


SKIP_UNIT_TESTS: tuple[str, ...] = ("--exclude-resource-type", "unit_test")
"""For a build of the real data (`engage build`, the nightly job). dbt unit tests check model
logic on fixed inputs, never the data: their result cannot change from night to night, so a
production build leaves them to development and CI (`dbt build`, `make test`), as dbt
recommends. Data tests always run."""


def dbt_args(command: str, settings: Settings, extra: Sequence[str] = ()) -> list[str]:
    """The full dbt argument list for `command` against this project and profile."""
    return [
        command,
        "--project-dir",
        str(settings.project_dir),
        "--profiles-dir",
        str(PROFILES_DIR),
        "--target",
        settings.target,
        *extra,
    ]


def parse_vars(raw: str | None) -> dict:
    """A user's `--vars` YAML/JSON mapping; ValueError with a readable message if malformed."""
    if not raw:
        return {}
    try:
        parsed = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ValueError(f"--vars is not valid YAML/JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise ValueError("--vars must be a mapping, e.g. '{as_of: 2026-11-20}'")
    return parsed


def vars_args(raw: str | None = None, *, as_of: str | None = None) -> list[str]:
    """`--vars` arguments merging a user's YAML/JSON mapping with named options.

    Raises ValueError with a readable message for a malformed mapping or date.
    """
    merged = parse_vars(raw)
    if as_of:
        try:
            dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise ValueError(f"--as-of must be a date like 2026-11-20, got {as_of!r}") from exc
        merged["as_of"] = as_of
    if not merged:
        return []
    return ["--vars", json.dumps(merged, default=str)]


NodeListener = Callable[[str, int, int, str], None]
"""Called as (event, index, total, node_name) with event "start" or a finish status."""


def run_dbt(
    command: str,
    settings: Settings,
    extra: Sequence[str] = (),
    on_node: NodeListener | None = None,
) -> DbtOutcome:
    """Invoke dbt `command` (build, run, test, seed, ...) and summarise the result.

    With `on_node`, dbt's own console log is silenced (`--quiet`: errors still print) and the
    listener hears each node start and finish instead, e.g. to drive a progress bar. Segment
    files added or removed are wired into the segment union first (sync.warehouse.segment_wiring).
    """
    settings.apply_to_env()
    wiring = wire_segments(settings.project_dir)
    if wiring.changed:
        print(
            f"segments wired into the segment union: added {list(wiring.added)}, "
            f"removed {list(wiring.removed)}",
            file=sys.stderr,
        )
    if command in RAW_READERS:
        failed = load_raw_tables(settings)
        if failed is not None:
            return failed
    args = dbt_args(command, settings, extra)
    callbacks = []
    if on_node is not None:
        args.append("--quiet")
        callbacks.append(_node_callback(on_node))
    try:
        with contextlib.redirect_stdout(sys.stderr):  # dbt logs to stdout; logs go to stderr
            result: dbtRunnerResult = dbtRunner(callbacks=callbacks).invoke(args)
    finally:
        _reset_duckdb_environment()
    return summarise(result)


RAW_READERS = ("build", "run")
"""dbt commands that read the raw tables: on a target that does not read the ingest folder
itself (PostgreSQL), the raw tables are loaded into it first (`sync.warehouse.raw_load`)."""


def load_raw_tables(settings: Settings) -> DbtOutcome | None:
    """Load the raw tables into a non-DuckDB target before dbt reads them; a failed outcome
    when the warehouse refused them (an unreadable raw folder raises IngestError)."""
    target = storage_target(settings.duckdb_path, settings.target)
    if isinstance(target, DuckDBTarget):
        return None  # the engage_files plugin reads the raw folder inside dbt
    use_session_defaults()
    try:
        with open_store(target) as store:
            result = load_raw(store, settings.raw_dir, settings.ingest_dir, progress=_stderr)
    except StorageError as err:
        return DbtOutcome(
            success=False,
            error=f"loading the raw tables into {target.describe()} failed: {err}",
            nodes=[],
        )
    _stderr(result.ingest.summary.line(settings.raw_dir))
    return None


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _node_callback(on_node: NodeListener) -> Callable:
    total = 0

    def callback(event) -> None:  # dbt's EventMsg
        nonlocal total
        name = event.info.name
        if name == "LogStartLine":
            total = int(event.data.total)
            on_node("start", int(event.data.index), total, event.data.node_info.node_name)
        elif name == "NodeFinished":
            info = event.data.node_info
            on_node(info.node_status or "done", 0, total, info.node_name)

    return callback


def _reset_duckdb_environment() -> None:
    """Forget dbt-duckdb's process-wide environment between invocations.

    dbt-duckdb keeps its environment on a class attribute; left set, the next invocation in
    this process (another target, a `dbt ls`) would load plugin sources with stale settings
    and keep the DuckDB file's handle alive while the sync wants to open it.
    """
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def summarise(result: dbtRunnerResult) -> DbtOutcome:
    """The outcome in plain data. Database errors can quote a value (a cast that failed on
    an email), so every message is redacted: emails become short hashes."""
    nodes: list[NodeOutcome] = []
    inner = getattr(result.result, "results", None) or []
    for r in inner:
        node = getattr(r, "node", None)
        nodes.append(
            NodeOutcome(
                name=getattr(node, "name", "?"),
                resource_type=str(getattr(node, "resource_type", "?")),
                status=str(getattr(r, "status", "?")),
                message=_redacted(getattr(r, "message", None)),
            )
        )
    error = _redacted(str(result.exception)) if result.exception else None
    return DbtOutcome(success=bool(result.success), error=error, nodes=nodes)


def _redacted(message: str | None) -> str | None:
    return None if message is None else redact(str(message))
