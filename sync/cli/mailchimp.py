"""The `engage plan | sync | pull | nightly | runs` commands: arguments, progress and output.

Owns only the command-line surface; the work is in `sync.jobs.audience_sync`,
`sync.mailchimp.pull`, `sync.jobs.nightly` and `sync.jobs.history`. Registered on the `engage`
app by `sync.cli.app`. Every command prints a human summary on stderr (hashed emails only,
never the API key), or with `--json` one JSON object on one line on stdout (progress and logs
stay on stderr), and exits with the codes of `sync.cli.exits` (one per outcome: 0 ok,
1 build failed, 2 configuration, 3 refused, 4 partial, 5 warnings, 6 locked, 7 Mailchimp
unreachable, 8 too many rejects).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.table import Table

from sync.cli.exits import EXIT_CONFIG, exit_code, exit_code_for_error, exit_code_for_outcome
from sync.cli.options import (
    AudienceOpt,
    DbPathOpt,
    ForceOpt,
    JsonOpt,
    ManifestOpt,
    RawDirOpt,
    ReconcileOpt,
    TargetOpt,
)
from sync.cli.output import RichProgress, console, progress_bars
from sync.errors import ConfigError, EngageError, LockHeld
from sync.jobs import history
from sync.jobs.alerts import AlertSettings
from sync.jobs.audience_sync import client_for, plan_job, sync_job
from sync.jobs.guards import refuse_sample_data
from sync.jobs.history import RUNNING
from sync.jobs.lock import locked
from sync.jobs.nightly import dbt_build, nightly_job
from sync.mailchimp import state
from sync.mailchimp.client import RetryPolicy, Target
from sync.mailchimp.exposures import load_audiences
from sync.mailchimp.pull import pull_all
from sync.warehouse.dbt_runner import parse_vars, vars_args
from sync.warehouse.project import Settings


def _db(db: Path | None, target: str | None = None) -> Path:
    """The DuckDB file path (the warehouse on a duckdb target; next to it, on any target, the
    writer lock and the nights' history), with `--target` selected for this command: the
    sync's tables are where the profile's target says (`sync.warehouse.storage`)."""
    if target:
        os.environ["ENGAGE_TARGET"] = target
    return Settings.from_env(duckdb_path=db).duckdb_path


def _emit(payload: dict[str, Any], as_json: bool) -> None:
    """With --json: the summary as one JSON object on one line of stdout (JSON Lines when
    appended night after night)."""
    if as_json:
        typer.echo(json.dumps(payload, default=str, separators=(",", ":")))


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
        for hit in r.get("reject_rate_hit") or []:
            console.print(f"  [red]rejects[/] {r['audience']}: {hit['message']}")
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
    target_name: TargetOpt = None,
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
    out = plan_job(
        _db(db, target_name),
        manifest,
        audience,
        reconcile,
        samples=show,
        target=target,
        retry=retry,
    )
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
    target_name: TargetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan, check the fail-safes, and apply the plan to each Mailchimp audience.

    Writes through batch subscribe (members and merge fields) and
    static segments (tags); only declared merge fields and tags in
    the owned namespaces are touched, existing members never get a
    status except `unsubscribed` for an opt-out. Progress is saved
    after every acknowledged chunk: a run killed at any point
    converges on the next one. Target: MAILCHIMP_API_KEY (+
    MAILCHIMP_SERVER) or the sandbox (ENGAGE_MAILCHIMP_URL); with a
    real key the raw folder must be named (ENGAGE_RAW_DIR), so the
    bundled sample people never reach a real audience. Exit codes:
    0 ok, 2 configuration, 3 refused by a fail-safe, 4 partial,
    6 locked, 8 more rejects than safety.max_reject_pct.
    """
    _check_force(force)
    dbp = _db(db, target_name)
    target, retry = _required_target("sync", as_json)
    try:
        refuse_sample_data(target, Settings.from_env(duckdb_path=db), "sync")
    except ConfigError as err:
        _stop("sync", err, as_json)
    with progress_bars() as bars:
        out = sync_job(
            dbp,
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
    target_name: TargetOpt = None,
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
    where it stopped. Activity older than activity.stale_after_days is a warning (exit 5).
    """
    try:
        audiences = load_audiences(manifest, audience)
    except ConfigError as err:
        _stop("pull", err, as_json)
    target, retry = _required_target("pull", as_json)
    client = client_for(audiences, target, retry)
    dbp = _db(db, target_name)
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
    warnings = [
        f"{r.audience_key}: {r.activity.warning}"
        for r in results
        if r.activity is not None and r.activity.warning
    ]
    if status == "ok" and warnings:
        status = "warnings"
    _emit(
        {
            "command": "pull",
            "status": status,
            "error": None,
            "warnings": warnings,
            "audiences": [r.as_dict() for r in results],
        },
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
    raw_dir: RawDirOpt = None,
    skip_build: Annotated[
        bool, typer.Option("--skip-build", help="Do not run dbt build (warehouse is fresh).")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Date (YYYY-MM-DD) the build's time-relative figures use, as `engage build "
            "--as-of`: replays or pins a night.",
        ),
    ] = None,
    dbt_vars: Annotated[
        str | None,
        typer.Option("--vars", help="dbt vars for the build, a YAML/JSON mapping (as build)."),
    ] = None,
    manifest: ManifestOpt = None,
    db: DbPathOpt = None,
    target_name: TargetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The scheduled job: pull -> build -> plan -> fail-safes -> apply -> report.

    Holds a lock for the whole run, so overlapping runs cannot both
    write. Every night is recorded (`engage runs`), and a night that
    is not ok is told to the Apprise URLs in ENGAGE_ALERT_URLS
    (e-mail, Slack, a webhook, ...; ENGAGE_ALERT_ON picks the
    outcomes). With a real MAILCHIMP_API_KEY the raw folder must be
    named (--raw-dir or ENGAGE_RAW_DIR).

    Exit codes, one per outcome: 0 ok, 1 build failed (nothing
    synced), 2 configuration, 3 refused by a fail-safe, 4 partial,
    5 ok with warnings (quarantined files, stale activity), 6 locked
    (another run is going), 7 Mailchimp unreachable, 8 more rejects
    than safety.max_reject_pct. Schedule it with cron or a systemd
    timer (deploy/, docs/sync.md).
    """
    _check_force(force)
    try:
        build_args = vars_args(dbt_vars, as_of=as_of)
        var_raw = parse_vars(dbt_vars).get("raw_dir")
        alerts = AlertSettings.from_env()
    except (ValueError, ConfigError) as err:
        _stop("nightly", err if isinstance(err, ConfigError) else ConfigError(str(err)), as_json)
    settings = Settings.from_env(
        raw_dir=raw_dir or (Path(var_raw) if var_raw else None),
        duckdb_path=db,
        target=target_name,
    )
    with progress_bars() as bars:
        out = nightly_job(
            settings,
            manifest,
            audience,
            force,
            reconcile,
            progress=RichProgress(bars),
            build=None if skip_build else dbt_build,
            build_args=build_args,
            alerts=alerts,
        )
    code = exit_code_for_outcome(out.outcome)
    payload = {**out.as_dict(), "exit_code": code}
    _emit(payload, as_json)
    if not as_json:
        for p in out.pulls:
            console.print(f"pull {p.audience_key}: {p.summary()}")
        if out.build_ok is not None:
            console.print(f"build: {'ok' if out.build_ok else '[red]FAILED[/]'}")
        _print_audiences(payload["audiences"], "engage nightly")
        for w in out.warnings:
            console.print(f"[yellow]warning[/] {w}")
        if out.error:
            console.print(f"[red]{out.error}[/]")
        if out.alert is not None:
            console.print(
                "alert sent" if out.alert.sent else f"[red]alert not sent[/]: {out.alert.error}"
            )
        console.print(f"night {out.run_id}: {out.outcome} (exit {code})")
    raise typer.Exit(code)


def _runs_table(rows: list[dict[str, Any]]) -> Table:
    t = Table(title="engage nightly: the last nights", title_justify="left")
    for col in ("run id (UTC start)", "outcome", "exit", "s", "counts", "error / warnings"):
        t.add_column(
            col,
            justify="right" if col in ("exit", "s") else "left",
            no_wrap=col not in ("counts", "error / warnings"),
        )
    for r in rows:
        outcome = str(r.get("outcome"))
        code = "" if outcome == RUNNING else str(exit_code_for_outcome(outcome))
        counts = ", ".join(f"{k}={v}" for k, v in sorted((r.get("counts") or {}).items()))
        error = str(r.get("error") or "; ".join(r.get("warnings") or []))
        t.add_row(
            str(r.get("run_id")),
            outcome,
            code,
            f"{(r.get('durations') or {}).get('total', 0):.0f}",
            counts,
            error[:120] + ("..." if len(error) > 120 else ""),
        )
    return t


def runs_cmd(
    last: Annotated[
        int, typer.Option("--last", "-n", min=1, help="How many nights to show, newest first.")
    ] = 10,
    db: DbPathOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the last nights of `engage nightly`: outcome, exit code, seconds, counts, error.

    Every night is listed, including those that found another run
    holding the lock, failed their build or could not reach
    Mailchimp; a night still going (or killed) shows as `running`.
    Read from <warehouse>.nightly.jsonl, so it works while a night
    runs; the same nights, except locked ones, are in
    engage_sync.sync_runs (command = 'nightly').
    """
    dbp = _db(db)
    rows = history.read(dbp, last)
    for r in rows:
        if r.get("outcome") != RUNNING:
            r["exit_code"] = exit_code_for_outcome(str(r["outcome"]))
    _emit({"command": "runs", "history": str(history.history_path(dbp)), "runs": rows}, as_json)
    if not as_json:
        if not rows:
            console.print(f"no nights recorded yet in {history.history_path(dbp)}")
        else:
            console.print(_runs_table(rows))
    raise typer.Exit(0)
