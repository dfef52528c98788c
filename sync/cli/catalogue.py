"""`engage catalogue`: write the segment catalogue, a static site for marketers
(`sync.warehouse.catalogue`), with the merge fields the exposures declare."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sync.cli.exits import EXIT_CONFIG, EXIT_OK
from sync.cli.options import DbPathOpt, JsonOpt, ManifestOpt
from sync.cli.output import console
from sync.errors import ConfigError
from sync.jobs.catalogue import write_catalogue


def catalogue(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder to write the site to (default: $ENGAGE_CATALOGUE_DIR, else "
            "`catalogue` next to the warehouse file: target/catalogue).",
        ),
    ] = None,
    db: DbPathOpt = None,
    manifest: ManifestOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the segment catalogue: a static site a marketer opens in a browser.

    Reads the built warehouse (read-only) and dbt's manifest and writes plain HTML to --out:
    index.html lists every segment (tag, what it means, size today, change since the previous
    build, a 90-day trend, priority, held-out counts by reason, its issue, when the sync last
    ran); segments/<tag>.html shows one segment (definition, its SQL, sizes over time, how many
    are over the contact cap, overlap with other segments); merge-fields.html lists the merge
    fields the exposures declare with ready-to-paste conditional-content snippets. Counts only:
    no page carries an e-mail address. Open index.html in any browser; no server needed.
    Exit 2 when the warehouse has not been built (run `engage build` or `engage demo`).
    """
    try:
        result = write_catalogue(db, out, manifest)
    except ConfigError as err:
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "command": "catalogue",
                        "status": "config",
                        "success": False,
                        "error": str(err),
                    },
                    separators=(",", ":"),
                )
            )
        console.print(f"[red]{err}[/]")
        raise typer.Exit(EXIT_CONFIG) from err
    for warning in result.warnings:
        console.print(f"[yellow]{warning}[/]")
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "command": "catalogue",
                    "status": "ok",
                    "success": True,
                    "warnings": result.warnings,
                    **result.site.as_dict(),
                },
                separators=(",", ":"),
                default=str,
            )
        )
    else:
        typer.echo(f"Segment catalogue written: {result.site.index}")
    raise typer.Exit(EXIT_OK)
