"""The `engage_files` dbt-duckdb plugin: serves the raw folder as the `spreadsheets` sources.

Configured in `profiles/profiles.yml` (`module: sync.ingest.dbt_plugin, alias: engage_files`)
and used by `models/staging/spreadsheets/_spreadsheets__sources.yml`: `raw_files` and
`raw_headers` come from this plugin (`meta: {plugin: engage_files, raw_dir: ..., ingest_dir:
...}`); `raw_rows` is the Parquet the ingest keeps in `ingest_dir`, read by DuckDB directly.
A relative `raw_dir` or `ingest_dir` resolves against the working directory.

dbt-duckdb calls `load` every time a model resolves `source()`, so the ingest
(`sync.ingest.store.ingest`) runs at most once per raw-folder listing (path/size/mtime) in
this process: the first source resolved in a build brings the ingest folder up to date, the
others reuse the result. Only the two small tables are kept in memory; rows stay on disk.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig
from dbt.adapters.events.logging import AdapterLogger

from sync.ingest.errors import IngestError
from sync.ingest.scan import check_raw_dir, list_raw_files
from sync.ingest.store import IngestResult, ingest

logger = AdapterLogger("DuckDB")

TABLE_NAMES = ("raw_files", "raw_headers")

_lock = threading.Lock()
_cache: dict[tuple, IngestResult] = {}


def _listing(root: Path) -> tuple:
    return tuple((e.file_path, e.size, e.mtime_ns) for e in list_raw_files(root))


def load_raw_tables(raw_dir: Path, ingest_dir: Path) -> IngestResult:
    """The raw tables for `raw_dir`, ingested into `ingest_dir` once per folder listing."""
    root = check_raw_dir(raw_dir)
    with _lock:
        key = (str(root), str(ingest_dir.resolve()), _listing(root))
        cached = _cache.get(key)
        if cached is not None:
            return cached
        result = ingest(root, ingest_dir, progress=logger.info)
        _cache.clear()
        _cache[key] = result
    logger.info(result.summary.line(root))
    return result


def clear_cache() -> None:
    with _lock:
        _cache.clear()


class Plugin(BasePlugin):
    """dbt-duckdb source plugin for the raw spreadsheet folder."""

    def load(self, source_config: SourceConfig) -> pa.Table:
        raw_dir = source_config.get("raw_dir")
        if not raw_dir:
            raise IngestError(
                f"source {source_config.table_name()}: meta `raw_dir` is missing or empty; the "
                "spreadsheets source sets it from --vars '{raw_dir: PATH}' or ENGAGE_RAW_DIR"
            )
        ingest_dir = source_config.get("ingest_dir")
        if not ingest_dir:
            raise IngestError(
                f"source {source_config.table_name()}: meta `ingest_dir` is missing or empty; "
                "the spreadsheets source sets it from ENGAGE_INGEST_DIR or the DuckDB path"
            )
        name = source_config.identifier or source_config.name
        if name not in TABLE_NAMES:
            raise IngestError(
                f"source {source_config.table_name()}: the engage_files plugin serves only "
                f"{', '.join(TABLE_NAMES)}, not {name!r} (raw_rows is read from the ingest "
                "folder's Parquet)"
            )
        result = load_raw_tables(Path(str(raw_dir)), Path(str(ingest_dir)))
        return result.raw_files if name == "raw_files" else result.raw_headers
