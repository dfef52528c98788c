"""The `engage` command line: one sub-command per job, each with --help and a --json summary.

Exit codes (documented in the README):
  0 ok; 1 dbt build or tests failed; 2 configuration or usage error;
  3 refused by a fail-safe; 4 partial failure (some writes failed, retry next run).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sync.dbt_runner import DbtOutcome, parse_vars, run_dbt, vars_args
from sync.progress import dbt_progress
from sync.project import Settings
from sync.sandbox.cli import sandbox_command

EXIT_OK = 0
EXIT_DBT_FAILED = 1
EXIT_CONFIG = 2
EXIT_REFUSED = 3
EXIT_PARTIAL = 4
# `engage build` only: built and tested, but some files were quarantined (listed, not read).
EXIT_QUARANTINED = 5

app = typer.Typer(
    help="engage: spreadsheets -> one supporter table -> segments -> Mailchimp.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


@app.callback()
def _root() -> None:
    """engage: spreadsheets -> one supporter table -> segments -> Mailchimp."""


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
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout.")]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show dbt's own log instead of a progress bar.")
]


def _run_dbt_with_progress(command: str, settings: Settings, extra: list[str], verbose: bool):
    """dbt with a progress bar (or dbt's own log with --verbose)."""
    if verbose:
        return run_dbt(command, settings, extra)
    with dbt_progress(console, f"dbt {command}") as listener:
        return run_dbt(command, settings, extra, on_node=listener)


def _print_dbt_outcome(
    outcome: DbtOutcome, as_json: bool, quarantined: list[tuple[str, str]] | None = None
) -> None:
    quarantined = quarantined or []
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "success": outcome.success,
                    "error": outcome.error,
                    "counts": outcome.counts(),
                    "failures": [
                        {"name": f.name, "status": f.status, "message": f.message}
                        for f in outcome.failures
                    ],
                    "quarantined_files": [
                        {"file": path, "reason": reason} for path, reason in quarantined
                    ],
                },
                indent=2,
            )
        )
        return
    counts = ", ".join(f"{k}={v}" for k, v in sorted(outcome.counts().items()))
    style = "green" if outcome.success else "red"
    console.print(f"[{style}]dbt build: {'ok' if outcome.success else 'FAILED'}[/] {counts}")
    for f in outcome.failures:
        console.print(f"  [red]{f.status}[/] {f.name}: {f.message}")
    if outcome.error:
        console.print(f"  [red]{outcome.error}[/]")
    if quarantined:
        console.print(
            f"[yellow]{len(quarantined)} file(s) quarantined[/] (listed in source_files, not "
            "read; every other file was built):"
        )
        for path, reason in quarantined:
            console.print(f"  [yellow]{path}[/]: {reason}")


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def build(
    ctx: typer.Context,
    select: Annotated[
        list[str] | None, typer.Option("--select", "-s", help="dbt node selection.")
    ] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="dbt exclusion.")] = None,
    selector: Annotated[str | None, typer.Option("--selector", help="dbt YAML selector.")] = None,
    full_refresh: Annotated[bool, typer.Option("--full-refresh")] = False,
    raw_dir: RawDirOpt = None,
    db: DbPathOpt = None,
    target: Annotated[
        str | None, typer.Option("--target", help="Profile target (dev, postgres).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Date (YYYY-MM-DD) every time-relative figure uses."),
    ] = None,
    dbt_vars: Annotated[
        str | None, typer.Option("--vars", help="dbt vars as a YAML/JSON mapping.")
    ] = None,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Build the warehouse: `dbt build` with the project's profile.

    Selection flags pass through to dbt, as do any further dbt flags after them
    (e.g. `engage build -s staging+ --fail-fast`). Only new or changed raw files are read
    again. A file that cannot be read is quarantined (listed with its reason in source_files)
    and never stops the build: exit 5 says "built, with quarantined files".
    """
    from sync.ingest.scan import IngestError, check_raw_dir

    settings = Settings.from_env(raw_dir=raw_dir, duckdb_path=db, target=target)
    extra: list[str] = []
    for s in select or []:
        extra += ["--select", s]
    for e in exclude or []:
        extra += ["--exclude", e]
    if selector:
        extra += ["--selector", selector]
    if full_refresh:
        extra.append("--full-refresh")
    try:
        extra += vars_args(dbt_vars, as_of=as_of)
        if settings.target == "dev":  # other targets read raw tables loaded beforehand
            check_raw_dir(Path(parse_vars(dbt_vars).get("raw_dir", settings.raw_dir)))
    except (ValueError, IngestError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(EXIT_CONFIG) from exc
    extra += list(ctx.args)
    outcome = _run_dbt_with_progress("build", settings, extra, verbose)
    quarantined = []
    if outcome.success and settings.target == "dev":
        from sync.report import quarantined_files

        quarantined = quarantined_files(settings.duckdb_path)
    _print_dbt_outcome(outcome, as_json, quarantined)
    if not outcome.success:
        raise typer.Exit(EXIT_DBT_FAILED)
    raise typer.Exit(EXIT_QUARANTINED if quarantined else EXIT_OK)


@app.command()
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
    target/sandbox-demo.json) and prints what changed in the audience.
    """
    from sync.demo import run_demo
    from sync.report import render_segments, render_warehouse

    if verbose:
        result = run_demo(db)
    else:
        with dbt_progress(console, "dbt build") as listener:
            result = run_demo(db, on_node=listener)
    # Then two nights of `engage nightly` against an in-process Mailchimp sandbox.
    sync_result = None
    if result.build.success and not no_sync:
        from sync.demo_sync import run_demo_sync

        sync_result = run_demo_sync(db)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "build_success": result.build.success,
                    "warehouse": result.warehouse.as_dict() if result.warehouse else None,
                    "segments": [s.__dict__ for s in result.segments or []],
                    "mailchimp": sync_result.as_dict() if sync_result else None,
                },
                indent=2,
                default=str,
            )
        )
    else:
        _print_dbt_outcome(result.build, False)
        out = Console()
        if result.warehouse:
            out.print(render_warehouse(result.warehouse))
        if result.segments:
            out.print(render_segments(result.segments))
        if sync_result:
            from sync.demo_sync import render as render_sync

            out.print(render_sync(sync_result))
    if not result.build.success:
        raise typer.Exit(EXIT_DBT_FAILED)
    raise typer.Exit(EXIT_OK if sync_result is None or sync_result.ok else EXIT_PARTIAL)


# `engage sandbox`: the local Mailchimp sandbox server (body in sync/sandbox/cli.py).
app.command("sandbox")(sandbox_command)

# `engage plan | sync | pull | nightly`: the Mailchimp sync (bodies in sync/sync_commands.py).
from sync.sync_commands import register as _register_sync_commands  # noqa: E402

_register_sync_commands(app)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
