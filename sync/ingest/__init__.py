"""Raw-file ingest: reads the raw spreadsheet folder into the three raw tables.

- `decoding`: bytes -> text, detecting the encoding of a delimited text file.
- `readers`: one file -> sheets of (headers, numbered rows); CSV/TSV and workbooks.
- `scan`: walks the raw folder and builds `raw_files`, `raw_headers`, `raw_cells` as Arrow tables.
- `dbt_plugin`: the `engage_files` dbt-duckdb plugin that serves those tables to dbt sources.

The table contract is `models/staging/spreadsheets/_spreadsheets__sources.yml`.
"""

from sync.ingest.errors import IngestError

__all__ = ["IngestError"]
