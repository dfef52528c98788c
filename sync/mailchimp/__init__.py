"""The Mailchimp step: from the warehouse's marts to an audience in Mailchimp and back.

In the data's order: `exposures` (what to sync, declared in dbt), `merge_fields` (values and
schema), `plan` (desired vs pushed state), `failsafe` (thresholds), `apply` (writes),
`pull` (read back), with `client` (the API), `audiences` (finding each audience),
`state` (the `engage_sync` schema) and `runlog` (one row per run). See docs/architecture.md.
"""
