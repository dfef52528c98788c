"""The `engage plan | sync | pull | nightly` commands: arguments, progress and output.

Owns only the command-line surface; the work is in `sync.jobs.audience_sync`,
`sync.mailchimp.pull` and `sync.jobs.nightly`. Registered on the `engage` app by
`sync.cli.app`. Every command prints a human summary on stderr (hashed emails only, never the
API key), or with `--json` a JSON summary on stdout, and exits with the codes of
`sync.cli.exits`: 0 ok; 1 dbt build failed; 2 configuration or usage error (including no
Mailchimp target); 3 refused by a fail-safe, or another run holds the lock; 4 partial failure
(retry next run).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.table import Table

from sync.cli.exits import EXIT_CONFIG, exit_code, exit_code_for_error
from sync.cli.options import (
    AudienceOpt,
    DbPathOpt,
    ForceOpt,
    JsonOpt,
    ManifestOpt,
    ReconcileOpt,
)
from sync.cli.output import RichProgress, console, progress_bars
from sync.errors import ConfigError, EngageError, LockHeld
from sync.jobs.audience_sync import client_for, plan_job, sync_job
from sync.jobs.lock import locked
from sync.jobs.nightly import dbt_build, nightly_job
from sync.mailchimp import state
from sync.mailchimp.client import RetryPolicy, Target
from sync.mailchimp.exposures import load_audiences
from sync.mailchimp.pull import pull_all
from sync.warehouse.project import Settings


def _db(db: Path | None) -> Path:
    return Settings.from_env(duckdb_path=db).duckdb_path


def _emit(payload: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(payload, indent=2, default=str))


def _plan_table(rows: list[dict[str, Any]], title: str) -> Table:
    t = Table(title=title, title_justify="left")
    for col in (
        "audience",
        "status",
        "desired",
        "creates",
        "updates",
        "unsubs",
        "archives",
        "tag adds",
        "tag removes",
    ):
        t.add_column(col, justify="left" if col in ("audience", "status") else "right")
    for r in rows:
        p = r.get("plan") or {}
        c = p.get("counts") or {}
        t.add_row(
            r["audience"],
            r["status"],
            str(p.get("desired_size", "")),
            *(
                str(c.get(k, ""))
                for k in (
                    "creates",
                    "updates",
                    "unsubscribes",
                    "archives",
                    "tag_adds",
                    "tag_removes",
                )
            ),
        )
    return t


def _print_audiences(rows: list[dict[str, Any]], title: str) -> None:
    console.print(_plan_table(rows, title))
    for r in rows:
        for hit in r.get("thresholds_hit") or []:
            style = "yellow" if r.get("forced") else "red"
            console.print(f"  [{style}]fail-safe[/] {r['audience']}: {hit['message']}")
        if r.get("status") == "refused":
            console.print(
                f"  [red]refused[/] {r['audience']}: nothing was written. Review the plan "
                "(engage_sync.plan_members / plan_tags) and re-run with --force REASON if it "
                "is intended."
            )
        applied = r.get("applied")
        if applied:
            done = ", ".join(f"{k}={v}" for k, v in sorted(applied["done"].items())) or "nothing"
            console.print(f"  {r['audience']}: done {done}")
            if applied["rejected"]:
                rej = ", ".join(f"{k}={v}" for k, v in sorted(applied["rejected"].items()))
                console.print(f"  [yellow]rejected (recorded in sync_rejects)[/] {rej}")
            if applied["failed"]:
                fail = ", ".join(f"{k}={v}" for k, v in sorted(applied["failed"].items()))
                console.print(f"  [red]failed, retried next run[/] {fail}")
            for e in applied["errors"][:5]:
                console.print(f"    {e}")
        if r.get("error"):
            console.print(f"  [red]error[/] {r['audience']}: {r['error']}")
        for kind, sample in (r.get("samples") or {}).items():
            console.print(f"  sample {kind}:")
            for row in sample:
                console.print("    " + ", ".join(f"{k}={v}" for k, v in row.items()))


def _maybe_target(required: bool) -> tuple[Target, RetryPolicy] | None:
    """The Mailchimp target and retry settings from the environment; None (or a config error)
    when no target is set. The jobs build the client once the audiences are read, with the
    connection cap they declare (`client_for`)."""
    try:
        return Target.from_env(), RetryPolicy.from_env()
    except ConfigError:
        if required:
            raise
        return None


def _required_target(command: str, as_json: bool) -> tuple[Target, RetryPolicy]:
    """The Mailchimp target and retry settings, or exit 2 saying how to configure them."""
    try:
        found = _maybe_target(required=True)
    except ConfigError as err:
        _stop(command, err, as_json)
    assert found is not None  # required=True: a target or a ConfigError
    return found


def _stop(command: str, err: EngageError, as_json: bool) -> NoReturn:
    """Report an error that stopped `command` before it began, and exit with its code."""
    _emit({"command": command, "status": err.kind, "error": str(err)}, as_json)
    console.print(f"[red]{err}[/]")
    raise typer.Exit(exit_code_for_error(err)) from None


def _check_force(force: str | None) -> None:
    if force is not None and not force.strip():
        console.print("[red]--force needs a reason (it is logged)[/]")
        raise typer.Exit(EXIT_CONFIG)


def plan_cmd(
    audience: AudienceOpt = None,
    reconcile: ReconcileOpt = False,
    show: Annotated[
        int, typer.Option("--show", help="Print this many sample rows per change kind.")
    ] = 0,
    manifest: ManifestOpt = None,
    db: DbPathOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute what `engage sync` would change in each Mailchimp audience, without writing.

    The plan is stored in the warehouse for review: engage_sync.plan_members (create,
    update with the changed fields, unsubscribe, archive), plan_merge_fields (old -> new),
    plan_tags (add/remove) and the summary in engage_sync.plans. Fail-safe thresholds the
    plan exceeds are reported (exit 3). Mailchimp is only read (to find the audience);
    without MAILCHIMP_API_KEY the audience id remembered from the last sync is used.
    """
    target, retry = _maybe_target(required=False) or (None, None)
    out = plan_job(_db(db), manifest, audience, reconcile, samples=show, target=target, retry=retry)
    payload = out.as_dict()
    _emit(payload, as_json)
    if not as_json:
        if out.error:
            console.print(f"[red]{out.error}[/]")
        _print_audiences(payload["audiences"], "engage plan")
    status = out.status
    if status == "ok" and any(a.thresholds for a in out.audiences):
        status = "refused"
    raise typer.Exit(exit_code(out.failure, status))


def sync_cmd(
    audience: AudienceOpt = None,
    reconcile: ReconcileOpt = False,
    force: ForceOpt = None,
    manifest: ManifestOpt = None,
    db: DbPathOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan, check the fail-safes, and apply the plan to each Mailchimp audience.

    Writes through batch subscribe (members and merge fields) and
    static segments (tags); only declared merge fields and tags in
    the owned namespaces are touched, existing members never get a
    status except `unsubscribed` for an opt-out. Progress is saved
    after every acknowledged chunk: a run killed at any point
    converges on the next one. Target: MAILCHIMP_API_KEY (+
    MAILCHIMP_SERVER) or the sandbox (ENGAGE_MAILCHIMP_URL). Exit
    codes: 0 ok, 2 configuration, 3 refused by a fail-safe (or
    locked), 4 partial.
    """
    _check_force(force)
    target, retry = _required_target("sync", as_json)
    with progress_bars() as bars:
        out = sync_job(
            _db(db),
            manifest,
            audience,
            reconcile,
            force,
            progress=RichProgress(bars),
            retry=retry,
            target=target,
        )
    payload = out.as_dict()
    _emit(payload, as_json)
    if not as_json:
        if out.error:
            console.print(f"[red]{out.error}[/]")
        _print_audiences(payload["audiences"], "engage sync")
    raise typer.Exit(exit_code(out.failure, out.status))


def pull_cmd(
    audience: AudienceOpt = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Re-read everything (default: only members changed "
            "since the last pull) and drop members Mailchimp no longer has.",
        ),
    ] = False,
    manifest: ManifestOpt = None,
    db: DbPathOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Read each audience back from Mailchimp: its members, then its campaigns' activity.

    Members: status, last_changed, the declared merge fields and the tags in our namespaces
    are stored; unsubscribed and cleaned members feed the warehouse's consent model on the
    next build, so they are never asked to subscribe again. Incremental by default.

    Campaign activity (unless the exposure sets activity.enabled: false): the audience's sent
    campaigns, their recipients, opens, clicks, bounces, unsubscribes with reasons and abuse
    reports, from campaigns sent within activity.lookback_days (default 14) of the last pull
    (activity.history_days, default 365, on the first). A pull that stops midway resumes
    where it stopped.
    """
    try:
        audiences = load_audiences(manifest, audience)
    except ConfigError as err:
        _stop("pull", err, as_json)
    target, retry = _required_target("pull", as_json)
    client = client_for(audiences, target, retry)
    dbp = _db(db)
    try:
        with locked(dbp), progress_bars() as bars:
            con = state.connect(dbp)
            try:
                results = pull_all(con, client, audiences, full, RichProgress(bars))
            finally:
                con.close()
    except (LockHeld, ConfigError) as err:  # e.g. a rejected key or an unknown audience id
        _stop("pull", err, as_json)
    finally:
        client.close()
    status = "error" if any(r.status == "error" for r in results) else "ok"
    _emit(
        {"command": "pull", "status": status, "audiences": [r.as_dict() for r in results]},
        as_json,
    )
    if not as_json:
        for r in results:
            console.print(f"{r.audience_key}: {r.summary()}")
    raise typer.Exit(exit_code(None, status))


def nightly_cmd(
    audience: AudienceOpt = None,
    force: ForceOpt = None,
    reconcile: ReconcileOpt = False,
    raw_dir: Annotated[
        Path | None,
        typer.Option(
            "--raw-dir",
            help="Folder of raw spreadsheets (default: $ENGAGE_RAW_DIR, else sample_data/raw).",
        ),
    ] = None,
    skip_build: Annotated[
        bool, typer.Option("--skip-build", help="Do not run dbt build (warehouse is fresh).")
    ] = False,
    manifest: ManifestOpt = None,
    db: DbPathOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The scheduled job: pull -> build -> plan -> fail-safes -> apply -> report.

    Holds a lock for the whole run, so overlapping runs cannot both write (the second
    exits 3). A failed dbt build stops before any write (exit 1). Schedule it with cron
    or a systemd timer (see the README).
    """
    settings = Settings.from_env(raw_dir=raw_dir, duckdb_path=db)
    target, retry = _required_target("nightly", as_json)
    _check_force(force)
    with progress_bars() as bars:
        out = nightly_job(
            settings,
            manifest,
            audience,
            force,
            reconcile,
            retry=retry,
            progress=RichProgress(bars),
            build=None if skip_build else dbt_build,
            target=target,
        )
    payload = out.as_dict()
    _emit(payload, as_json)
    if not as_json:
        for p in out.pulls:
            console.print(f"pull {p.audience_key}: {p.summary()}")
        if out.build_ok is not None:
            console.print(f"build: {'ok' if out.build_ok else '[red]FAILED[/]'}")
        if out.error:
            console.print(f"[red]{out.error}[/]")
        _print_audiences(payload["audiences"], "engage nightly")
    raise typer.Exit(exit_code(out.failure, out.status))
