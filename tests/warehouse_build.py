"""A DuckDB warehouse built by dbt in a private folder, for tests (see tests/conftest.py).

`make_warehouse(root, raw_dir)` gives a `Warehouse` whose `dbt(...)` runs dbt in-process
(sync.warehouse.dbt_runner) with its own DuckDB file, target and log paths and the sample's `as_of`,
and whose `query(...)` reads the file read-only. `on_project_copy`/`fork` run dbt on a private
copy of the dbt project instead (for tests that add model files). Import it from tests as
`from warehouse_build import Warehouse, make_warehouse`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from sync.warehouse.dbt_runner import DbtOutcome, NodeOutcome, run_dbt, vars_args
from sync.warehouse.project import PROJECT_DIR, Settings, copy_project

SAMPLE_AS_OF = (PROJECT_DIR / "sample_data" / "AS_OF").read_text().strip()
PLANTED_CASES_PATH = PROJECT_DIR / "sample_data" / "planted_cases.json"


@contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of one dbt invocation."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@dataclass
class Warehouse:
    """A DuckDB warehouse built by dbt under `root`, with its own target and log folders."""

    root: Path
    raw_dir: Path
    db_path: Path
    dbt_vars: dict[str, object] = field(default_factory=dict)
    outcome: DbtOutcome | None = None
    project_dir: Path | None = None  # a copy of the dbt project to run; None: the repository's

    @property
    def target_path(self) -> Path:
        return self.root / "dbt_target"

    @property
    def log_path(self) -> Path:
        return self.root / "dbt_logs"

    @property
    def manifest(self) -> dict:
        """dbt's manifest from the last invocation."""
        return json.loads((self.target_path / "manifest.json").read_text())

    def dbt(
        self,
        command: str,
        *args: str,
        target: str = "dev",
        env: dict[str, str] | None = None,
        dbt_vars: dict[str, object] | None = None,
    ) -> DbtOutcome:
        """Run one dbt command (build, run, test, ...) against this warehouse and raw folder."""
        merged_vars = {**self.dbt_vars, **(dbt_vars or {})}
        extra: list[str] = list(args)
        if merged_vars:
            extra += vars_args(json.dumps(merged_vars))
        settings = Settings.from_env(
            raw_dir=self.raw_dir,
            duckdb_path=self.db_path,
            target=target,
            project_dir=self.project_dir,
        )
        private = {
            "DBT_TARGET_PATH": str(self.target_path),
            "DBT_LOG_PATH": str(self.log_path),
            **(env or {}),
        }
        with _env(private):
            return run_dbt(command, settings, extra)

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        """Run SQL on the warehouse file, read-only."""
        con = duckdb.connect(str(self.db_path), read_only=True)
        try:
            return con.execute(sql, list(params)).fetchall()
        finally:
            con.close()

    def scalar(self, sql: str, params: Sequence[object] = ()) -> object:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def on_project_copy(self, root: Path) -> Warehouse:
        """This warehouse's DuckDB file, with dbt run on a private copy of the project (and
        private target/log folders) under `root`."""
        root.mkdir(parents=True, exist_ok=True)
        return dataclasses.replace(self, root=root, project_dir=copy_project(root / "project"))

    def fork(self, root: Path) -> Warehouse:
        """A copy of this warehouse (DuckDB file and project) to change without touching it."""
        copy = self.on_project_copy(root)
        copy.db_path = root / "engage.duckdb"
        shutil.copy2(self.db_path, copy.db_path)
        return copy

    def failures(self, *name_parts: str) -> list[NodeOutcome]:
        """Failed nodes of the build whose name contains any of `name_parts` (all if none)."""
        if self.outcome is None:
            return []
        return [
            node
            for node in self.outcome.failures
            if not name_parts or any(part in node.name for part in name_parts)
        ]


def make_warehouse(
    root: Path, raw_dir: Path, dbt_vars: dict[str, object] | None = None
) -> Warehouse:
    """A warehouse object for `raw_dir` under `root` (nothing is built yet)."""
    root.mkdir(parents=True, exist_ok=True)
    return Warehouse(
        root=root,
        raw_dir=raw_dir,
        db_path=root / "engage.duckdb",
        dbt_vars={"as_of": SAMPLE_AS_OF, **(dbt_vars or {})},
    )


def failure_text(outcome: DbtOutcome) -> str:
    """dbt's failed nodes and error, one per line, for assertion messages."""
    lines = [f"{f.status} {f.name}: {f.message}" for f in outcome.failures]
    if outcome.error:
        lines.append(outcome.error)
    return "\n".join(lines)
