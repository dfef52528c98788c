"""The models on Apache Spark, for the Spark portability test (test_engagement_spark.py).

`spark_missing()` says why Spark cannot run here (pyspark or dbt-spark not installed: the pip
extra `spark`; no `java` on PATH), or None. `export_raw_parquet(warehouse, dest)` writes a
built DuckDB warehouse's raw tables (`raw_files`, `raw_headers`, `raw_rows`) as one Parquet
folder each. `build_on_spark(...)` runs this file as a script in a child process (so the
JVM it starts ends with it): dbt-spark's `session` method (profile target `spark`) creates
the raw tables over that Parquet (macro `engage_spark_load_raw`), builds the selection, then
the same Spark session runs the given queries, whose rows come back pickled.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path


def spark_missing() -> str | None:
    """Why the Spark build cannot run on this machine, or None when it can."""
    for module, what in (("pyspark", "pyspark"), ("dbt.adapters.spark", "dbt-spark")):
        if importlib.util.find_spec(module) is None:
            return f"{what} is not installed (pip install -c constraints.txt -e '.[spark]')"
    if shutil.which("java") is None:
        return "no `java` on PATH (Spark needs Java 17+: apt-get install default-jre-headless)"
    return None


def export_raw_parquet(warehouse, dest: Path) -> Path:
    """Write the DuckDB warehouse's raw tables as `dest/<table>/data.parquet`."""
    import duckdb

    rows_glob = f"{warehouse.db_path}.ingest/rows/*/*.parquet"
    sources = {
        "raw_files": "raw.raw_files",
        "raw_headers": "raw.raw_headers",
        "raw_rows": f"read_parquet('{rows_glob}', union_by_name = true, hive_partitioning = false)",
    }
    con = duckdb.connect(str(warehouse.db_path), read_only=True)
    try:
        for table, source in sources.items():
            (dest / table).mkdir(parents=True, exist_ok=True)
            target = dest / table / "data.parquet"
            con.execute(f"copy (select * from {source}) to '{target}' (format parquet)")
    finally:
        con.close()
    return dest


def normalise(value: object) -> object:
    """One value as both engines' rows are compared: floats rounded, dates as ISO text."""
    if isinstance(value, (Decimal, float)):
        return round(float(value), 4)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


@dataclass
class SparkBuild:
    returncode: int
    seconds: float
    log: str
    results: dict[str, list[tuple]] | None
    outcome: dict | None


def build_on_spark(
    *,
    work: Path,
    raw_parquet: Path,
    project_dir: Path,
    dbt_vars: dict[str, object],
    dbt_args: list[str],
    queries: dict[str, str],
    timeout: float = 900,
) -> SparkBuild:
    """Build on a fresh local Spark under `work` in a child process, then run `queries`."""
    work.mkdir(parents=True, exist_ok=True)
    spec = {
        "raw_parquet": str(raw_parquet),
        "project_dir": str(project_dir),
        "dbt_vars": dbt_vars,
        "dbt_args": dbt_args,
        "queries": queries,
        "results": str(work / "results.pickle"),
    }
    (work / "spec.json").write_text(json.dumps(spec))
    env = {
        **os.environ,
        "ENGAGE_SPARK_DIR": str(work / "spark"),
        "DBT_TARGET_PATH": str(work / "dbt_target"),
        "DBT_LOG_PATH": str(work / "dbt_logs"),
    }
    started = time.monotonic()
    timed_out = False
    with open(work / "build.log", "w") as log:
        # its own process group, so a timeout ends the JVM it started too
        proc = subprocess.Popen(
            [sys.executable, __file__, str(work / "spec.json")],
            cwd=work,  # derby.log and any stray Spark files stay here
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    seconds = time.monotonic() - started
    results_path = Path(spec["results"])
    payload = pickle.loads(results_path.read_bytes()) if results_path.exists() else {}
    if timed_out:
        payload["outcome"] = {
            **(payload.get("outcome") or {}),
            "step": "timeout",
            "error": f"the Spark build did not finish within {timeout:.0f} s and was stopped "
            "(tests/spark_build.py build_on_spark's timeout; the log's end follows)",
        }
    return SparkBuild(
        returncode=proc.returncode,
        seconds=seconds,
        log=(work / "build.log").read_text(errors="replace"),
        results=payload.get("results"),
        outcome=payload.get("outcome"),
    )


def _main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from dbt.cli.main import dbtRunner

    from sync.warehouse.dbt_runner import dbt_args, summarise, vars_args
    from sync.warehouse.project import Settings

    settings = Settings.from_env(target="spark", project_dir=Path(spec["project_dir"]))
    settings.apply_to_env()
    dbt_vars = vars_args(json.dumps(spec["dbt_vars"]))
    payload: dict[str, object] = {}

    def run_dbt(command: str, extra: list[str]):
        # dbt directly, not engage's run_dbt: that loads the raw tables first through the
        # sync's storage, which has no Spark implementation; here they come from Parquet.
        return summarise(dbtRunner().invoke(dbt_args(command, settings, extra)))

    def save() -> None:
        Path(spec["results"]).write_bytes(pickle.dumps(payload))

    load = run_dbt(
        "run-operation",
        ["engage_spark_load_raw", "--args", json.dumps({"path": spec["raw_parquet"]})],
    )
    if not load.success:
        payload["outcome"] = {"step": "load", "error": load.error, "failures": []}
        save()
        return 1
    started = time.monotonic()
    outcome = run_dbt("build", [*spec["dbt_args"], *dbt_vars])
    payload["outcome"] = {
        "step": "build",
        "success": outcome.success,
        "seconds": time.monotonic() - started,
        "error": outcome.error,
        "nodes": [(n.resource_type, n.name, n.status) for n in outcome.nodes],
        "failures": [(f.status, f.name, f.message) for f in outcome.failures],
    }
    save()
    if not outcome.success:
        return 1

    from pyspark.sql import SparkSession

    spark = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
    try:
        spark.sql(f"use {os.environ.get('ENGAGE_SPARK_SCHEMA', 'main')}")
        payload["results"] = {
            name: [tuple(row) for row in spark.sql(sql).collect()]
            for name, sql in spec["queries"].items()
        }
    finally:
        spark.stop()
    save()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1]))
