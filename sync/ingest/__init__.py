"""Raw-file ingest: reads the raw spreadsheet folder into the raw tables, in the data's order.

- `scan`: walks the raw folder; lists each file with its kind, or why it is never opened.
- `decoding`: bytes -> text, detecting the encoding of a delimited text file.
- `readers`: one file -> sheets of (headers, numbered rows); CSV/TSV and workbooks, streamed.
- `parse`: one file -> its rows as wide Parquet parts (`file_id`, `row_number`, `c1`..`cN`).
- `store`: the ingest folder: parses only new or changed files (in time-boxed workers),
  quarantines unreadable ones, and gives the small `raw_files` / `raw_headers` tables.
- `dbt_plugin`: the `engage_files` dbt-duckdb plugin that serves them to dbt sources.

The table contract is `models/staging/spreadsheets/_spreadsheets__sources.yml`.
"""

from sync.ingest.errors import IngestError

__all__ = ["IngestError"]
