"""Safe defaults checked before a job writes to a real Mailchimp account.

Owns one rule: the bundled sample people (`sample_data/raw`, the raw folder used when none is
named) never reach a real audience by accident. With a real key (a target that is not an
`ENGAGE_MAILCHIMP_URL` override such as the sandbox), on any target (DuckDB and PostgreSQL both
load the raw folder), `engage sync` and `engage nightly` need the raw folder named:
`--raw-dir`, the dbt var `raw_dir`, or `ENGAGE_RAW_DIR` (the env file's convention,
docs/sync.md).
"""

from __future__ import annotations

from sync.errors import ConfigError
from sync.mailchimp.client import Target
from sync.warehouse.project import SAMPLE_RAW_DIR, Settings


def refuse_sample_data(target: Target, settings: Settings, command: str) -> None:
    """ConfigError when `command` would sync a warehouse of the bundled sample data to a real
    Mailchimp account; the message says how to name the raw folder."""
    if target.overridden or settings.raw_dir_explicit:
        return
    raise ConfigError(
        f"engage {command} would sync the bundled sample data ({SAMPLE_RAW_DIR}) to "
        f"{target.describe()}: no raw folder was named. Set ENGAGE_RAW_DIR=/path/to/your/raw "
        "in the env file (/etc/engage/engage.env)"
        + (" or pass --raw-dir" if command == "nightly" else "")
        + "; to try engage on the sample, use the sandbox (engage sandbox) instead of a real "
        "MAILCHIMP_API_KEY"
    )
