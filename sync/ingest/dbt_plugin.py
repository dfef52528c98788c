"""The `engage_files` dbt-duckdb plugin: serves the raw folder as the `spreadsheets` sources.

Configured in `profiles/profiles.yml` (`module: sync.ingest.dbt_plugin, alias: engage_files`)
and used by `models/staging/spreadsheets/_spreadsheets__sources.yml` (`meta: {plugin:
engage_files, raw_dir: ...}`). `source_config.identifier` picks one of `raw_files`,
`raw_headers`, `raw_cells`; a relative `raw_dir` resolves against the working directory.

dbt-duckdb calls `load` every time a model resolves `source()` (its relation factory), so the
scan is cached per (raw folder, listing of path/size/mtime): one read per build, the same
tables for every source, and a fresh read as soon as any file is added, removed or changed.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig
from dbt.adapters.events.logging import AdapterLogger

from sync.ingest.errors import IngestError
from sync.ingest.scan import (
    TABLE_NAMES,
    RawTables,
    build_tables,
    check_raw_dir,
    fingerprint,
    list_raw_files,
)

logger = AdapterLogger("DuckDB")

_lock = threading.Lock()
# Only the latest scan is kept: a build reads one raw folder, and cells can be large.
_cache: dict[tuple, RawTables] = {}


def load_raw_tables(raw_dir: Path) -> RawTables:
    """The raw tables for `raw_dir`, read once per distinct folder listing (thread-safe)."""
    root = check_raw_dir(raw_dir)
    with _lock:
        entries = list_raw_files(root)
        key = (str(root), fingerprint(entries))
        cached = _cache.get(key)
        if cached is not None:
            return cached
        tables = build_tables(entries)
        _cache.clear()
        _cache[key] = tables
    logger.info(tables.summary.line(root))
    return tables


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
        name = source_config.identifier or source_config.name
        if name not in TABLE_NAMES:
            raise IngestError(
                f"source {source_config.table_name()}: the engage_files plugin serves only "
                f"{', '.join(TABLE_NAMES)}, not {name!r}"
            )
        return load_raw_tables(Path(str(raw_dir))).table(name)
