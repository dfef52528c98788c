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
from sync.project import PROFILES_DIR, PROJECT_DIR

SOURCES_YML = PROJECT_DIR / "models" / "staging" / "spreadsheets" / "_spreadsheets__sources.yml"


def _source(table: str, raw_dir: str | None) -> SourceConfig:
    meta = {"plugin": "engage_files"}
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
    cells = plugin.load(_source("raw_cells", "raw"))
    assert files.column("file_path").to_pylist() == ["contacts/signups.csv", "events/signin.xlsx"]
    assert files.column("rows_read").to_pylist() == [2, 1]
    assert headers.column("header").to_pylist() == ["Email", "Name", "Email", "Zip"]
    numbered = zip(cells["row_number"].to_pylist(), cells["value"].to_pylist(), strict=True)
    assert sorted(numbered) == [
        (2, "2116"),
        (2, "René"),
        (2, "ana@x.org"),
        (2, "cat@x.org"),
        (4, "Bob"),
        (4, "bob@x.org"),
    ]


def test_scan_is_cached_until_the_folder_changes(
    plugin: Plugin, raw: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real_build = dbt_plugin.build_tables

    def counting_build(entries):
        calls.append(len(entries))
        return real_build(entries)

    monkeypatch.setattr(dbt_plugin, "build_tables", counting_build)
    first = plugin.load(_source("raw_cells", str(raw)))
    for table in ("raw_files", "raw_headers", "raw_cells"):
        plugin.load(_source(table, str(raw)))
    assert calls == [2]
    assert plugin.load(_source("raw_cells", str(raw))) is first

    (raw / "contacts" / "late.csv").write_text("Email\ndan@x.org\n")
    cells = plugin.load(_source("raw_cells", str(raw)))
    assert calls == [2, 3]
    assert "dan@x.org" in cells.column("value").to_pylist()

    (raw / "contacts" / "late.csv").write_text("Email\ndan@x.org\neve@x.org\n")
    cells = plugin.load(_source("raw_cells", str(raw)))
    assert calls == [2, 3, 3]
    assert "eve@x.org" in cells.column("value").to_pylist()


def test_unknown_table_and_missing_raw_dir_are_explained(plugin: Plugin, raw: Path) -> None:
    with pytest.raises(IngestError, match="serves only raw_files, raw_headers, raw_cells"):
        plugin.load(_source("raw_rows", str(raw)))
    with pytest.raises(IngestError, match="meta `raw_dir` is missing"):
        plugin.load(_source("raw_files", None))
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
        "select f.kind, f.encoding, f.rows_read, count(c.value) as cells\n"
        "from {{ source('spreadsheets', 'raw_files') }} as f\n"
        "left join {{ source('spreadsheets', 'raw_cells') }} as c on c.file_id = f.file_id\n"
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
