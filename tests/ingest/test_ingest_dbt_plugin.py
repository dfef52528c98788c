"""The engage_files dbt-duckdb plugin: the source tables, the scan cache, and the real profile."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.adapters.duckdb.utils import SourceConfig
from dbt.cli.main import dbtRunner

from sync.ingest import dbt_plugin
from sync.ingest.dbt_plugin import Plugin
from sync.ingest.errors import IngestError
from sync.warehouse.project import PROFILES_DIR, PROJECT_DIR

SOURCES_YML = PROJECT_DIR / "models" / "staging" / "spreadsheets" / "_spreadsheets__sources.yml"


def _source(table: str, raw_dir: str | None, ingest_dir: str = "ingest") -> SourceConfig:
    meta = {"plugin": "engage_files", "ingest_dir": ingest_dir}
    if raw_dir is not None:
        meta["raw_dir"] = raw_dir
    return SourceConfig(
        name=table, identifier=table, schema="raw", database=None, meta=meta, tags=[]
    )


@pytest.fixture
def plugin() -> Plugin:
    dbt_plugin.clear_cache()
    yield Plugin(name="engage_files", plugin_config={})
    dbt_plugin.clear_cache()


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    (raw / "contacts").mkdir(parents=True)
    (raw / "contacts" / "signups.csv").write_bytes(
        "Email;Name\r\nana@x.org;René\r\n\r\nbob@x.org;Bob\r\n".encode("cp1252")
    )
    (raw / "events").mkdir()
    wb = openpyxl.Workbook()
    wb.active.title = "Walk-ins"
    wb.active.append(["Email", "Zip"])
    wb.active.append(["cat@x.org", 2116])
    wb.save(raw / "events" / "signin.xlsx")
    return raw


def test_load_serves_each_raw_table_from_a_relative_raw_dir(
    plugin: Plugin, raw: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(raw.parent)
    files = plugin.load(_source("raw_files", "raw"))
    headers = plugin.load(_source("raw_headers", "raw"))
    assert files.column("file_path").to_pylist() == ["contacts/signups.csv", "events/signin.xlsx"]
    assert files.column("rows_read").to_pylist() == [2, 1]
    assert headers.column("header").to_pylist() == ["Email", "Name", "Email", "Zip"]
    rows = duckdb.sql(
        "select row_number, c1, c2 from read_parquet('ingest/rows/*/*.parquet', "
        "union_by_name = true, hive_partitioning = false) order by all"
    ).fetchall()
    assert rows == [(2, "ana@x.org", "René"), (2, "cat@x.org", "2116"), (4, "bob@x.org", "Bob")]


def test_ingest_runs_once_per_folder_listing(
    plugin: Plugin, raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real_ingest = dbt_plugin.ingest

    def counting_ingest(raw_dir, ingest_dir, **kwargs):
        calls.append(raw_dir)
        return real_ingest(raw_dir, ingest_dir, **kwargs)

    monkeypatch.setattr(dbt_plugin, "ingest", counting_ingest)
    ingest_dir = str(tmp_path / "ingest")
    first = plugin.load(_source("raw_files", str(raw), ingest_dir))
    for table in ("raw_files", "raw_headers", "raw_files"):
        plugin.load(_source(table, str(raw), ingest_dir))
    assert len(calls) == 1
    assert plugin.load(_source("raw_files", str(raw), ingest_dir)) is first

    (raw / "contacts" / "late.csv").write_text("Email\ndan@x.org\n")
    files = plugin.load(_source("raw_files", str(raw), ingest_dir))
    assert len(calls) == 2
    assert "contacts/late.csv" in files.column("file_path").to_pylist()


def test_unknown_table_and_missing_settings_are_explained(plugin: Plugin, raw: Path) -> None:
    with pytest.raises(IngestError, match="serves only raw_files, raw_headers"):
        plugin.load(_source("raw_rows", str(raw)))
    with pytest.raises(IngestError, match="meta `raw_dir` is missing"):
        plugin.load(_source("raw_files", None))
    with pytest.raises(IngestError, match="meta `ingest_dir` is missing"):
        plugin.load(_source("raw_files", str(raw), ""))
    with pytest.raises(IngestError, match="ENGAGE_RAW_DIR"):
        plugin.load(_source("raw_files", str(raw / "missing")))


def _reset_duckdb_env() -> None:
    """dbt-duckdb keeps its environment in a class attribute across in-process invocations; a
    leftover one makes later `dbt parse`/`ls` in this process load plugin sources. Drop it."""
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def _project_with_the_real_source(tmp_path: Path) -> Path:
    """A throwaway dbt project: the real spreadsheets source YAML and one model reading it.

    It runs against the real profile, so it proves the wiring (profile plugin + source meta +
    --vars raw_dir) without depending on every model of the shared project parsing.
    """
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: engage_ingest_check\nversion: '0.1.0'\nconfig-version: 2\nprofile: engage\n"
        "model-paths: ['models']\n"
    )
    shutil.copy(SOURCES_YML, project / "models" / SOURCES_YML.name)
    (project / "models" / "ingest_check.sql").write_text(
        "{{ config(materialized='table') }}\n"
        "select f.kind, f.encoding, f.rows_read, count(r.c1) + count(r.c2) as cells\n"
        "from {{ source('spreadsheets', 'raw_files') }} as f\n"
        "left join {{ source('spreadsheets', 'raw_rows') }} as r on r.file_id = f.file_id\n"
        "group by f.kind, f.encoding, f.rows_read\n"
    )
    return project


def test_dbt_reads_the_sources_through_the_project_profile(
    plugin: Plugin, raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real `dbt run`: profile plugin wiring + the source's meta + --vars raw_dir."""
    database = tmp_path / "engage.duckdb"
    monkeypatch.setenv("ENGAGE_DUCKDB_PATH", str(database))
    monkeypatch.setenv("ENGAGE_TARGET", "dev")
    project = _project_with_the_real_source(tmp_path)
    try:
        result = dbtRunner().invoke(
            [
                "run",
                "--project-dir",
                str(project),
                "--profiles-dir",
                str(PROFILES_DIR),
                "--target",
                "dev",
                "--target-path",
                str(tmp_path / "target"),
                "--log-path",
                str(tmp_path / "logs"),
                "--vars",
                json.dumps({"raw_dir": str(raw)}),
                "--quiet",
            ]
        )
    finally:
        _reset_duckdb_env()
    assert result.success, result.exception
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute("select * from main.ingest_check order by kind").fetchall()
    assert rows == [("contacts", "latin-1", 2, 4), ("events", "xlsx", 1, 2)]
