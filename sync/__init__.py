"""engage: a dbt-native engagement warehouse with a reverse-ETL sync to Mailchimp.

One sub-package per step of the data's path: `ingest` (raw files, inside dbt) ->
`warehouse` (dbt) -> `mailchimp` (plan, apply, pull) - put in order by `jobs`, driven by
`cli` (the `engage` command). Errors: `sync.errors`. Map: docs/architecture.md.
"""

import logging

__version__ = "0.1.0"

# A library's loggers stay silent unless the application configures logging.
logging.getLogger("engage.sync").addHandler(logging.NullHandler())
