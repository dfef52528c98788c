"""Helpers for the engagement tests: run dbt on a copy of the project, query a warehouse.

dbt cannot run two invocations in one process at once: callers run serially. Every run
gets its own target/log paths under a tmp folder, never the repository's target/.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner

from sync.dbt_runner import DbtOutcome, _reset_duckdb_environment, summarise
from sync.project import PROFILES_DIR, PROJECT_DIR, SAMPLE_RAW_DIR

# The project the tests copy and build (the repository's own dbt project).
SOURCE_PROJECT = PROJECT_DIR
SAMPLE_AS_OF = (PROJECT_DIR / "sample_data" / "AS_OF").read_text().strip()
PLANTED = json.loads((PROJECT_DIR / "sample_data" / "planted_cases.json").read_text())

# Everything a dbt project needs; the rest of the repository (venv, target, tests' data) is
# not copied.
_PROJECT_PARTS = ("dbt_project.yml", "models", "seeds", "macros", "snapshots", "tests/dbt")


@contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
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
    """A built DuckDB warehouse and the project copy that built it."""

    db: Path
    project: Path
    work: Path

    def query(self, sql: str, *params: object) -> list[tuple]:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.execute(sql, list(params)).fetchall()
        finally:
            con.close()

    def scalar(self, sql: str, *params: object) -> object:
        return self.query(sql, *params)[0][0]

    def dbt(
        self, *args: str, vars: dict | None = None, env: dict[str, str] | None = None
    ) -> DbtOutcome:
        """Run a dbt command on this warehouse's project copy and file (`env` adds
        environment variables, e.g. the ENGAGE_PG_* ones for `--target postgres`)."""
        merged = {"as_of": SAMPLE_AS_OF, **(vars or {})}
        env = {
            "ENGAGE_DUCKDB_PATH": str(self.db),
            "ENGAGE_RAW_DIR": str(SAMPLE_RAW_DIR),
            "ENGAGE_TARGET": "dev",
            "DBT_TARGET_PATH": str(self.work / "target"),
            "DBT_LOG_PATH": str(self.work / "logs"),
            **(env or {}),
        }
        argv: Sequence[str] = [
            *args,
            "--project-dir",
            str(self.project),
            "--profiles-dir",
            str(PROFILES_DIR),
            "--vars",
            json.dumps(merged),
        ]
        with _env(env):
            try:
                result = dbtRunner().invoke(list(argv))
            finally:
                _reset_duckdb_environment()
        return summarise(result)

    def fork(self, work: Path) -> Warehouse:
        """A copy of this warehouse (file and project) to change without touching this one."""
        work.mkdir(parents=True, exist_ok=True)
        project = copy_project(work / "project")
        db = work / "engage.duckdb"
        shutil.copy2(self.db, db)
        return Warehouse(db=db, project=project, work=work)


def copy_project(dest: Path) -> Path:
    """Copy the dbt project (models, seeds, macros, snapshots, dbt tests) to `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in _PROJECT_PARTS:
        src = SOURCE_PROJECT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            (dest / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / part)
    return dest


def failures(outcome: DbtOutcome) -> str:
    lines = [f"{f.status} {f.name}: {f.message}" for f in outcome.failures]
    if outcome.error:
        lines.append(outcome.error)
    return "\n".join(lines)
