"""`engage demo`: the whole path on the bundled sample data, then two nights against a sandbox."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from sync.cli.exits import EXIT_DBT_FAILED, EXIT_OK, EXIT_PARTIAL
from sync.cli.options import DbPathOpt, JsonOpt, VerboseOpt
from sync.cli.output import RichProgress, console, dbt_progress, print_dbt_outcome, progress_bars
from sync.jobs.catalogue import CatalogueResult, write_catalogue
from sync.jobs.demo_mailchimp import forget_a_lost_sandbox, run_demo_sync
from sync.jobs.demo_mailchimp import render as render_sync
from sync.jobs.demo_warehouse import run_demo
from sync.warehouse.report import render_segments, render_warehouse


def demo(
    db: DbPathOpt = None,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
    no_sync: Annotated[
        bool, typer.Option("--no-sync", help="Stop after the warehouse (no Mailchimp sandbox).")
    ] = False,
) -> None:
    """Run the main job end to end on the bundled sample data and print what happened.

    Builds the warehouse from sample_data/raw into target/engage.duckdb (or --db), then
    prints rows read, rejected (by reason), supporters resolved and the segment catalogue.
    Then runs `engage nightly` twice against an in-process Mailchimp sandbox (saved in
    target/sandbox-demo.json) and prints what changed in the audience. Delete that file to
    start over: the sync state it left in the warehouse (schema engage_sync) goes with it.
    Last, writes the segment catalogue (`engage catalogue`) next to the warehouse and prints
    its path.
    """
    if not no_sync:
        forget_a_lost_sandbox(db)  # a fresh sandbox: the warehouse forgets the old one's state
    if verbose:
        result = run_demo(db)
    else:
        with dbt_progress(console, "dbt build") as listener:
            result = run_demo(db, on_node=listener)
    # Then two nights of `engage nightly` against an in-process Mailchimp sandbox.
    sync_result = None
    if result.build.success and not no_sync:
        with progress_bars() as bars:
            sync_result = run_demo_sync(db, progress=RichProgress(bars))
    # Last, the segment catalogue: a static site a marketer opens in a browser.
    site: CatalogueResult | None = None
    if result.build.success:
        site = write_catalogue(db)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "build_success": result.build.success,
                    "warehouse": result.warehouse.as_dict() if result.warehouse else None,
                    "segments": [s.__dict__ for s in result.segments or []],
                    "mailchimp": sync_result.as_dict() if sync_result else None,
                    "catalogue": str(site.site.index) if site else None,
                },
                indent=2,
                default=str,
            )
        )
    else:
        print_dbt_outcome(result.build, False)
        out = Console()
        if result.warehouse:
            out.print(render_warehouse(result.warehouse))
        if result.segments:
            out.print(render_segments(result.segments))
        if sync_result:
            out.print(render_sync(sync_result))
        if site:
            for warning in site.warnings:
                console.print(f"[yellow]{warning}[/]")
            typer.echo(f"Segment catalogue: open {site.site.index} in a browser.")
    if not result.build.success:
        raise typer.Exit(EXIT_DBT_FAILED)
    raise typer.Exit(EXIT_OK if sync_result is None or sync_result.ok else EXIT_PARTIAL)
