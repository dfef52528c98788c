"""Portability: the models build on Apache Spark (dbt-spark, local `session`) and give the same
marts as DuckDB, row for row (order-independent, floats rounded).

The sample build's raw tables are written as Parquet by DuckDB, Spark creates tables over
them (macro engage_spark_load_raw) and dbt-spark builds every model (the Mailchimp desired state
included) in a child process (tests/spark_build.py), less the snapshot and the model reading it
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

# The PostgreSQL test's queries plus every column of the other marts (and the one
# intermediate model nothing else reads) and of the Mailchimp desired state, with everything
# upstream of them: every model but those disabled on Spark (docs/engines.md).
WHOLE_TABLES = (
    "supporters",
    "supporter_identifiers",
    "consent_events",
    "rejected_rows",
    "source_files",
    "campaigns",
    "campaign_performance",
    "message_dose_response",
    "issue_interest_monthly",
    "int_identity__skipped_identifiers",
    "mailchimp_members",
    "mailchimp_desired_members",
    "mailchimp_desired_merge_fields",
    "mailchimp_desired_tags",
)
SPARK_COMPARED = {**COMPARED, **{table: f"select * from {table}" for table in WHOLE_TABLES}}


# The PostgreSQL test's models (less the snapshot and segment_membership_history, disabled on
# Spark) and the tables above; dbt's data and unit tests are left to DuckDB and PostgreSQL (on
# a local Spark they would take longer than the models): the rows are compared instead.
SPARK_SELECT = [
    "--select",
    ENGAGEMENT_SELECT[1]
    .replace(" +segment_membership_history", "")
    .replace(" path:tests/dbt/engagement", "")
    + "".join(f" +{table}" for table in WHOLE_TABLES),
    "--exclude",
    "resource_type:test resource_type:unit_test",
]


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
        dbt_args=[*SPARK_SELECT],
        queries=SPARK_COMPARED,
    )
    outcome = build.outcome or {}
    failures = "\n".join(f"{s} {n}: {m}" for s, n, m in outcome.get("failures", []))
    assert build.returncode == 0 and build.results, (
        f"Spark build failed ({outcome.get('step')}): {outcome.get('error')}\n{failures}\n"
        + build.log[-3000:]
    )
    print(f"spark build: {build.seconds:.0f}s, {len(outcome['nodes'])} nodes")

    differences = compare(build.results, sample_warehouse.query)
    assert not differences, "\n".join(differences)


def compare(on_spark: dict[str, list[tuple]], query_duckdb) -> list[str]:
    """Each compared query whose rows differ between Spark and DuckDB, with a few of them."""
    differences = []
    for name, sql in SPARK_COMPARED.items():
        spark_rows = sorted(tuple(normalise(v) for v in r) for r in on_spark[name])
        duckdb_rows = sorted(tuple(normalise(v) for v in r) for r in query_duckdb(sql))
        if not duckdb_rows or spark_rows != duckdb_rows:
            only_spark = sorted(set(spark_rows) - set(duckdb_rows))[:3]
            only_duckdb = sorted(set(duckdb_rows) - set(spark_rows))[:3]
            differences.append(
                f"{name}: {len(spark_rows)} rows on Spark, {len(duckdb_rows)} on DuckDB; "
                f"only on Spark: {only_spark}; only on DuckDB: {only_duckdb}"
            )
    return differences
