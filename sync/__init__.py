"""engage: a dbt-native engagement warehouse with a reverse-ETL sync to Mailchimp.

One sub-package per step of the data's path: `ingest` (raw files, inside dbt) ->
`warehouse` (dbt) -> `mailchimp` (plan, apply, pull) - put in order by `jobs`, driven by
`cli` (the `engage` command). Errors: `sync.errors`. Map: docs/architecture.md.
"""

__version__ = "0.1.0"
