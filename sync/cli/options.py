"""Options shared by several `engage` commands (typer `Annotated` types), in one place.

A leaf of the command line: the commands import these so every `--db` or `--json` reads and
helps the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

RawDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--raw-dir",
        help="Folder of raw spreadsheets, one sub-folder per kind "
        "(default: $ENGAGE_RAW_DIR, else the bundled sample_data/raw).",
    ),
]
DbPathOpt = Annotated[
    Path | None,
    typer.Option(
        "--db", help="DuckDB warehouse file (default: $ENGAGE_DUCKDB_PATH or target/engage.duckdb)."
    ),
]
TargetOpt = Annotated[
    str | None,
    typer.Option(
        "--target",
        help="dbt profile target the warehouse is on: dev (the DuckDB file) or postgres "
        "(default: $ENGAGE_TARGET, else dev; profiles/profiles.yml, docs/engines.md).",
    ),
]
JsonOpt = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Print the summary as one JSON object on one line on stdout (status, error, ...); "
        "progress and logs stay on stderr.",
    ),
]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show dbt's own log instead of a progress bar.")
]
AudienceOpt = Annotated[
    list[str] | None,
    typer.Option("--audience", "-a", help="Only this audience (exposure name); repeatable."),
]
ManifestOpt = Annotated[
    Path | None,
    typer.Option(
        "--manifest",
        help="dbt manifest.json to read the exposures from "
        "(default: $DBT_TARGET_PATH/manifest.json or target/manifest.json).",
    ),
]
ReconcileOpt = Annotated[
    bool,
    typer.Option(
        "--reconcile",
        help="Plan against what Mailchimp holds (from the last `engage pull`) instead of what "
        "we last pushed: repairs drift such as an owned tag removed by hand or a member "
        "archived by staff.",
    ),
]
ForceOpt = Annotated[
    str | None,
    typer.Option(
        "--force",
        metavar="REASON",
        help="Apply even when a fail-safe threshold is exceeded; the reason is logged in "
        "engage_sync.sync_runs.",
    ),
]
