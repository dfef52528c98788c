"""`engage build` and `engage backfill`: the warehouse commands (dbt with the project's
profile; backfill replays past days of segment sizes, `sync.jobs.backfill`)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from sync.cli.exits import (
    EXIT_CONFIG,
    EXIT_DBT_FAILED,
    EXIT_OK,
    EXIT_QUARANTINED,
    exit_code_for_error,
)
from sync.cli.options import DbPathOpt, JsonOpt, RawDirOpt, VerboseOpt
from sync.cli.output import (
    RichProgress,
    console,
    dbt_progress,
    print_dbt_outcome,
    progress_bars,
)
from sync.errors import BuildError, ConfigError, IngestError, LockHeld
from sync.ingest.scan import check_raw_dir
from sync.jobs.backfill import backfill_dates, backfill_segment_sizes
from sync.mailchimp.exposures import manifest_path_default
from sync.warehouse.dbt_runner import (
    SKIP_UNIT_TESTS,
    DbtOutcome,
    parse_vars,
    run_dbt,
    vars_args,
)
from sync.warehouse.project import Settings
from sync.warehouse.report import file_notes, quarantined_files
from sync.warehouse.storage import storage_target


def run_dbt_with_progress(
    command: str, settings: Settings, extra: list[str], verbose: bool
) -> DbtOutcome:
    """dbt with a progress bar (or dbt's own log with --verbose)."""
    if verbose:
        return run_dbt(command, settings, extra)
    with dbt_progress(console, f"dbt {command}") as listener:
        return run_dbt(command, settings, extra, on_node=listener)


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
    unit_tests: Annotated[
        bool,
        typer.Option(
            "--unit-tests/--no-unit-tests",
            help="Also run dbt's unit tests (model logic on fixed inputs; `make test` and CI "
            "run them). Data tests always run.",
        ),
    ] = False,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Build the warehouse: `dbt build` with the project's profile.

    Selection flags pass through to dbt, as do any further dbt flags after them
    (e.g. `engage build -s staging+ --fail-fast`). Only new or changed raw files are read
    again. A file that cannot be read is quarantined (listed with its reason in source_files)
    and never stops the build: exit 5 says "built, with warnings" (the quarantined files). dbt's
    unit tests (model logic on fixed inputs) are left to `make test` unless --unit-tests.
    With --json, one JSON object on one line on stdout (`error` says why a build failed);
    dbt's log and the progress bar go to stderr.
    """
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
    if not unit_tests:
        extra += SKIP_UNIT_TESTS
    try:
        extra += vars_args(dbt_vars, as_of=as_of)
        var_raw = parse_vars(dbt_vars).get("raw_dir")
        if var_raw and raw_dir is None:  # the raw folder the PostgreSQL load reads, too
            settings = Settings.from_env(raw_dir=Path(var_raw), duckdb_path=db, target=target)
        check_raw_dir(settings.raw_dir)
        warehouse = storage_target(settings.duckdb_path, settings.target)
    except (ValueError, IngestError, ConfigError) as exc:
        if as_json:
            typer.echo(
                json.dumps(
                    {"command": "build", "status": "config", "success": False, "error": str(exc)},
                    separators=(",", ":"),
                )
            )
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(EXIT_CONFIG) from exc
    extra += list(ctx.args)
    outcome = run_dbt_with_progress("build", settings, extra, verbose)
    quarantined = []
    unparsed: list[tuple[str, str]] = []
    notes: list[tuple[str, str]] = []
    if outcome.success:
        quarantined = quarantined_files(warehouse)
        unparsed, notes = file_notes(warehouse)
    print_dbt_outcome(outcome, as_json, quarantined, unparsed, notes)
    if not outcome.success:
        raise typer.Exit(EXIT_DBT_FAILED)
    raise typer.Exit(EXIT_QUARANTINED if quarantined else EXIT_OK)


def backfill(
    days: Annotated[
        int, typer.Option("--days", help="How far back to replay, in days (default 90).")
    ] = 90,
    every: Annotated[
        int, typer.Option("--every", help="Replay one day in this many (default 7: weekly).")
    ] = 7,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The current date (YYYY-MM-DD; default today): replays go back from it, and "
            "the warehouse is left built for it.",
        ),
    ] = None,
    db: DbPathOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fill segment sizes for past days (segment_sizes_daily) from the event history.

    Replays the models that depend on the as-of date, once per past date (every --every days
    over the last --days), so each segment's size trend reaches back before the first
    nightly run; then rebuilds them for --as-of (default today). Each past size counts who
    the segment rules select on that day's events, among the people reachable now (consent is
    not replayed). Holds the writer lock: no sync runs meanwhile. Run `engage build` first.
    """
    settings = Settings.from_env(duckdb_path=db)
    try:
        end = date.fromisoformat(as_of) if as_of else date.today()
        dates = backfill_dates(end, days, every)
        with progress_bars() as bars:
            result = backfill_segment_sizes(
                settings,
                manifest_path_default(),
                dates,
                vars_args(as_of=as_of),
                RichProgress(bars),
            )
    except ValueError as exc:
        _backfill_stop(f"--as-of must be a date like 2026-11-20 ({exc})", EXIT_CONFIG, as_json)
    except (ConfigError, LockHeld, BuildError) as exc:
        _backfill_stop(str(exc), exit_code_for_error(exc), as_json)
    if as_json:
        payload = {"command": "backfill", "status": "ok" if result.ok else "build"}
        typer.echo(json.dumps({**payload, **result.as_dict()}, separators=(",", ":")))
    else:
        console.print(
            f"backfill: {len(result.dates) - len(result.failed)} of {len(result.dates)} past "
            f"day(s) replayed ({result.dates[0] if result.dates else '-'} .. "
            f"{result.dates[-1] if result.dates else '-'}) in {result.seconds:.0f} s; "
            "current state restored"
        )
        for day, why in result.failed.items():
            console.print(f"[red]{day}: {why}[/]")
    raise typer.Exit(EXIT_OK if result.ok else EXIT_DBT_FAILED)


def _backfill_stop(message: str, code: int, as_json: bool) -> NoReturn:
    if as_json:
        typer.echo(
            json.dumps(
                {"command": "backfill", "status": "error", "error": message},
                separators=(",", ":"),
            )
        )
    console.print(f"[red]{message}[/]")
    raise typer.Exit(code)
