#!/usr/bin/env python3
"""Prove a refactor of the dbt project changes no result and no query plan.

Builds the bundled sample (or `--raw-dir`) twice into fresh DuckDB files, once with the dbt
project as it is at a git revision (default HEAD) and once with the working tree, then compares:

1. every relation both builds made: the same columns in the same order and the same rows (as a
   multiset: `except all` both ways), leaving out columns that hold the build's own time or id
   (`VOLATILE_COLUMNS`) and rounding floating-point columns to 9 decimal places (a parallel
   sum may add in another order);
2. every model's physical plan: DuckDB's `explain` of each side's compiled SQL, both run on the
   working tree's warehouse, as `identical`, `same operators` (only projection names or
   literals differ, e.g. an alias added to a union branch) or `different operators` (a plan
   that may run faster or slower: measure it with scripts/bench.py). A few models compile the
   build's own invocation id into their SQL, so they are listed even with nothing changed
   (comparing HEAD with a clean tree: 5 identical, `segments` with the same operators).

Exits 1 when a relation differs or a plan's operators change, else 0. Not part of `make test`:
run it before landing a change that should change nothing (SQL style, renames, layering).

Usage:
    .venv/bin/python scripts/compare_builds.py              # HEAD against the working tree
    .venv/bin/python scripts/compare_builds.py a1e11ee      # any revision
    .venv/bin/python scripts/compare_builds.py --keep       # keep both warehouses
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sync.warehouse.dbt_runner import run_dbt, vars_args
from sync.warehouse.project import (
    PROJECT_DIR,
    PROJECT_PARTS,
    SAMPLE_RAW_DIR,
    Settings,
    copy_project,
)

# Columns holding when or by which invocation a row was built: never equal across two builds.
VOLATILE_COLUMNS = frozenset(
    {
        "built_at",
        "invocation_id",
        "run_started_at",
        "minted_at",
        "last_seen_at",
        "entered_at",
        "exited_at",
        "dbt_scd_id",
        "dbt_updated_at",
        "dbt_valid_from",
        "dbt_valid_to",
    }
)
_FLOATS = ("DOUBLE", "FLOAT", "REAL")
_UUID = re.compile(r"'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'")


@dataclass
class Build:
    name: str
    project_dir: Path
    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / "engage.duckdb"

    @property
    def compiled(self) -> Path:
        return self.root / "target" / "compiled" / "engage" / "models"


def export_revision(revision: str, dest: Path) -> Path:
    """The dbt project as it is at `revision` (git archive), under `dest`."""
    archive = subprocess.run(
        ["git", "-C", str(PROJECT_DIR), "archive", "--format=tar", revision, *PROJECT_PARTS],
        check=True,
        capture_output=True,
    ).stdout
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest


@contextlib.contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def build(side: Build, raw_dir: Path, as_of: str) -> list[str]:
    """`dbt build` of `raw_dir` with this side's project; the names of failed nodes."""
    settings = Settings.from_env(
        raw_dir=raw_dir, duckdb_path=side.db_path, target="dev", project_dir=side.project_dir
    )
    private = {
        "DBT_TARGET_PATH": str(side.root / "target"),
        "DBT_LOG_PATH": str(side.root / "logs"),
    }
    with _env(private):
        outcome = run_dbt("build", settings, vars_args(json.dumps({"as_of": as_of})))
    failed = [node.name for node in outcome.failures]
    if outcome.error:
        failed.append(outcome.error.splitlines()[0])
    return failed


def compare_relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Relations of `old` and `new` (attached) whose columns or rows differ."""

    def columns(db: str) -> dict[str, list[tuple[str, str]]]:
        found: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = ? and table_schema = 'main' "
            "order by table_name, ordinal_position",
            [db],
        ).fetchall():
            found.setdefault(table, []).append((column, data_type))
        return found

    old, new = columns("old"), columns("new")
    problems = [
        f"only in the {db} build: {name}"
        for db, names in (("old", set(old) - set(new)), ("new", set(new) - set(old)))
        for name in sorted(names)
    ]
    for name in sorted(set(old) & set(new)):
        if [c for c, _ in old[name]] != [c for c, _ in new[name]]:
            problems.append(
                f"{name}: columns {[c for c, _ in old[name]]} -> {[c for c, _ in new[name]]}"
            )
            continue
        exprs = [
            f'round("{c}", 9)' if t.upper() in _FLOATS else f'"{c}"'
            for c, t in new[name]
            if c not in VOLATILE_COLUMNS
        ] or ["1"]
        select = ", ".join(exprs)
        differing = con.execute(
            f'select count(*) from ((select {select} from old.main."{name}" except all '
            f'select {select} from new.main."{name}") union all (select {select} from '
            f'new.main."{name}" except all select {select} from old.main."{name}"))'
        ).fetchone()[0]
        if differing:
            rows = con.execute(f'select count(*) from new.main."{name}"').fetchone()[0]
            problems.append(f"{name}: {differing} rows differ (of {rows} in the new build)")
    return problems


def _plan(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[int, str, str]]:
    """(depth, operator, details) of DuckDB's physical plan, cardinality estimates left out."""
    rows = con.execute("explain (format json) " + sql.strip().rstrip(";")).fetchall()
    found: list[tuple[int, str, str]] = []

    def walk(node: dict, depth: int) -> None:
        info = {k: v for k, v in node.get("extra_info", {}).items() if k != "Estimated Cardinality"}
        found.append((depth, node.get("name", ""), _UUID.sub("'<id>'", json.dumps(info))))
        for child in node.get("children", []):
            walk(child, depth + 1)

    for root in json.loads(rows[0][1]):
        walk(root, 0)
    return found


def compare_plans(old: Build, new: Build) -> dict[str, list[str]]:
    """Changed models (compiled SQL differs) by verdict, plans run on the new warehouse."""
    verdicts: dict[str, list[str]] = {
        "identical": [],
        "same operators": [],
        "different operators": [],
        "not comparable": [],
    }
    con = duckdb.connect(str(new.db_path), read_only=True)
    try:
        for new_sql in sorted(new.compiled.rglob("*.sql")):
            rel = new_sql.relative_to(new.compiled)
            old_sql = old.compiled / rel
            if not old_sql.exists() or old_sql.read_text() == new_sql.read_text():
                continue
            try:
                before, after = _plan(con, old_sql.read_text()), _plan(con, new_sql.read_text())
            except duckdb.Error as exc:
                verdicts["not comparable"].append(f"{rel} ({str(exc).splitlines()[0]})")
                continue
            if before == after:
                verdicts["identical"].append(str(rel))
            elif [p[:2] for p in before] == [p[:2] for p in after]:
                verdicts["same operators"].append(str(rel))
            else:
                verdicts["different operators"].append(str(rel))
    finally:
        con.close()
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build the sample with the dbt project at REVISION and with the working "
        "tree; compare every relation row for row and every changed model's query plan.",
    )
    parser.add_argument("revision", nargs="?", default="HEAD", help="git revision (default HEAD)")
    parser.add_argument(
        "--raw-dir",
        type=Path,
        default=SAMPLE_RAW_DIR,
        help="raw folder to build (default: the bundled sample; e.g. a benchmark corpus's raw/)",
    )
    parser.add_argument(
        "--as-of", help="the build's as_of date (default: sample_data/AS_OF, the corpora's too)"
    )
    parser.add_argument("--keep", action="store_true", help="keep both warehouses and print where")
    args = parser.parse_args(argv)

    as_of = args.as_of or (PROJECT_DIR / "sample_data" / "AS_OF").read_text().strip()
    work = Path(tempfile.mkdtemp(prefix="engage-compare-"))
    try:
        old = Build("old", export_revision(args.revision, work / "old" / "project"), work / "old")
        new = Build("new", copy_project(work / "new" / "project"), work / "new")
        for side in (old, new):
            print(f"building {args.raw_dir} with the {side.name} project ...", flush=True)
            failed = build(side, args.raw_dir.resolve(), as_of)
            if failed:
                print(f"the {side.name} build failed: {failed}", file=sys.stderr)
                return 1
        con = duckdb.connect()
        con.execute(f"attach '{old.db_path}' as old (read_only)")
        con.execute(f"attach '{new.db_path}' as new (read_only)")
        problems = compare_relations(con)
        relations = con.execute(
            "select count(*) from information_schema.tables "
            "where table_catalog = 'new' and table_schema = 'main'"
        ).fetchone()[0]
        con.close()
        verdicts = compare_plans(old, new)
    finally:
        if args.keep:
            print(f"warehouses kept under {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\nrelations: {relations - len(problems)} of {relations} equal")
    for problem in problems:
        print(f"  DIFFERS  {problem}")
    print("changed models' plans:")
    for verdict, models in verdicts.items():
        print(f"  {verdict}: {len(models)}")
        if verdict != "identical":
            for model in models:
                print(f"    {model}")
    return 1 if problems or verdicts["different operators"] else 0


if __name__ == "__main__":
    sys.exit(main())
