"""Portability: the models build on Apache Spark (dbt-spark, local `session`) and give the same
marts as DuckDB, row for row (order-independent, floats rounded).

The sample build's raw tables are written as Parquet by DuckDB, Spark creates tables over
them (macro engage_spark_load_raw) and dbt-spark builds the same selection as the PostgreSQL
test in a child process (tests/spark_build.py), less the snapshot and the model reading it
(skipped on Spark: docs/engines.md). Skipped where pyspark, dbt-spark (pip extra `spark`) or
Java is missing, unless ENGAGE_REQUIRE_SPARK=1 (set by .ci/run), where that fails the test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from spark_build import build_on_spark, export_raw_parquet, normalise, spark_missing
from test_engagement_postgres import COMPARED, ENGAGEMENT_SELECT
from warehouse_build import Warehouse

# The PostgreSQL test's marts plus the core ones.
SPARK_COMPARED = {
    **COMPARED,
    "supporters": "select supporter_id, email, first_name, last_name, phone, postcode, "
    "email_status, is_emailable, source_kinds from supporters",
    "consent events": "select * from consent_events",
    "rejected rows": "select file_id, row_number, reason from rejected_rows",
}


@pytest.fixture(scope="module")
def spark_ready() -> None:
    missing = spark_missing()
    if missing:
        if os.environ.get("ENGAGE_REQUIRE_SPARK") == "1":
            pytest.fail(missing + "; ENGAGE_REQUIRE_SPARK=1 makes this a failure")
        pytest.skip(missing)


def test_models_build_on_spark_with_the_same_marts(
    spark_ready: None, sample_warehouse: Warehouse, tmp_path: Path
) -> None:
    raw = export_raw_parquet(sample_warehouse, tmp_path / "raw_parquet")
    wh = sample_warehouse.on_project_copy(tmp_path / "project")
    build = build_on_spark(
        work=tmp_path / "spark",
        raw_parquet=raw,
        project_dir=wh.project_dir,
        dbt_vars=wh.dbt_vars,
        dbt_args=[*ENGAGEMENT_SELECT, "+supporters", "+consent_events", "+rejected_rows"],
        queries=SPARK_COMPARED,
    )
    outcome = build.outcome or {}
    failures = "\n".join(f"{s} {n}: {m}" for s, n, m in outcome.get("failures", []))
    assert build.returncode == 0 and build.results, (
        f"Spark build failed ({outcome.get('step')}): {outcome.get('error')}\n{failures}\n"
        + build.log[-3000:]
    )
    print(f"spark build: {build.seconds:.0f}s, {len(outcome['nodes'])} nodes")

    for name, sql in SPARK_COMPARED.items():
        on_spark = sorted(tuple(normalise(v) for v in r) for r in build.results[name])
        on_duckdb = sorted(tuple(normalise(v) for v in r) for r in sample_warehouse.query(sql))
        assert on_spark, name
        assert on_spark == on_duckdb, name
