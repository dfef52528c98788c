"""`engage nightly`: pull -> build -> plan -> fail-safes -> apply -> report, under one lock.

Owns the order of the nightly job, its single writer lock (held from the pull to the last
write, so two overlapping runs - cron firing twice, a manual run during the scheduled one -
cannot both write) and the night's outcome (`sync.outcomes`): what it did, how long each step
took, its warnings and the error that stopped it. The pull comes first so that opt-outs made in
Mailchimp since the last run reach the warehouse's consent model before anything is planned;
a failed build stops the job before any write (a broken warehouse must not drive the audience),
except for opt-outs: when the failure is elsewhere and the desired members (consent, identity
and staging beneath them) built and passed their tests, the night pushes the unsubscribes, and
only them, before it reports the failure.
Every night is recorded (`sync.jobs.history`, locked nights included) and, when its outcome is
one that alerts, told to a person (`sync.jobs.alerts`).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sync.errors import (
    BuildError,
    ConfigError,
    EngageError,
    IngestError,
    LockHeld,
    MailchimpUnreachable,
    StorageError,
    redact,
)
from sync.ingest.scan import check_raw_dir
from sync.jobs import history
from sync.jobs.alerts import AlertResult, AlertSettings, send
from sync.jobs.audience_sync import AudienceOutcome, client_for, sync_audience
from sync.jobs.catalogue import write_catalogue
from sync.jobs.guards import refuse_sample_data
from sync.jobs.lock import locked
from sync.mailchimp import state
from sync.mailchimp.apply import ProgressSink
from sync.mailchimp.audiences import check_reachable
from sync.mailchimp.client import MailchimpClient, RetryPolicy, Target
from sync.mailchimp.exposures import Audience, load_audiences
from sync.mailchimp.pull import PullResult, pull_all
from sync.mailchimp.runlog import RunRecord, new_run_id
from sync.mailchimp.state import utcnow
from sync.outcomes import Outcome, outcome_of, worst
from sync.warehouse.dbt_runner import SKIP_UNIT_TESTS, run_dbt
from sync.warehouse.project import Settings
from sync.warehouse.report import quarantined_files
from sync.warehouse.storage import StorageTarget, storage_target

log = logging.getLogger(__name__)

# The model whose successful build means the opt-outs are known (sync/mailchimp/sql/plan).
OPTOUT_MODEL = "mailchimp_desired_members"


@dataclass
class NightlyOutcome:
    run_id: str = field(default_factory=new_run_id)
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None
    pulls: list[PullResult] = field(default_factory=list)
    build_ok: bool | None = None
    build_summary: dict[str, Any] | None = None
    quarantined: int = 0  # files the build listed but could not read
    audiences: list[AudienceOutcome] = field(default_factory=list)
    failure: EngageError | None = None  # what stopped the job: config, lock, build, unreachable
    durations: dict[str, float] = field(default_factory=dict)  # seconds per step, and total
    alert: AlertResult | None = None
    notes: list[str] = field(default_factory=list)  # warnings about the run's own bookkeeping
    catalogue: str | None = None  # the segment catalogue's index.html, when written

    @property
    def error(self) -> str | None:
        return str(self.failure) if self.failure is not None else None

    @property
    def warnings(self) -> list[str]:
        """What an operator should look at although the night did its work."""
        out = [
            f"{p.audience_key}: {p.activity.warning}"
            for p in self.pulls
            if p.activity and p.activity.warning
        ]
        if self.quarantined:
            out.append(
                f"{self.quarantined} raw file(s) quarantined: listed with their reason in "
                "source_files, not read; every other file was built"
            )
        return out + self.notes

    @property
    def outcome(self) -> Outcome:
        if self.failure is not None:
            return outcome_of(self.failure.kind)
        found = worst(
            [a.status for a in self.audiences]
            + ["error" for p in self.pulls if p.status == "error"]
        )
        if found is Outcome.OK and self.warnings:
            return Outcome.WARNINGS
        return found

    @property
    def status(self) -> str:
        return str(self.outcome)

    def counts(self) -> dict[str, int]:
        """Totals over the night: members read and opt-outs seen, writes done, failed, rejected."""
        c: Counter[str] = Counter()
        for p in self.pulls:
            c["members_read"] += p.members_read
            c["optouts_seen"] += p.opted_out_seen
        for a in self.audiences:
            if a.applied is not None:
                c.update(a.applied.done)
                c["failed"] += sum(a.applied.failed.values())
                c["rejected"] += sum(a.applied.rejected.values())
        return {k: int(v) for k, v in sorted(c.items()) if v}

    def history_row(self) -> dict[str, Any]:
        """The night in `sync.jobs.history`: outcome, counts, durations, warnings, error."""
        return {
            "run_id": self.run_id,
            "command": "nightly",
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": self.finished_at.isoformat(timespec="seconds")
            if self.finished_at
            else None,
            "outcome": str(self.outcome) if self.finished_at else history.RUNNING,
            "error": self.error,
            "warnings": self.warnings,
            "durations": self.durations,
            "counts": self.counts(),
            "build": self.build_ok,
            "audiences": {a.audience_key: a.status for a in self.audiences},
            "alert": self.alert.as_dict() if self.alert else None,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "command": "nightly",
            "run_id": self.run_id,
            "status": self.status,
            "error": self.error,
            "warnings": self.warnings,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "durations": self.durations,
            "counts": self.counts(),
            "pull": [p.as_dict() for p in self.pulls],
            "build": {"success": self.build_ok, **(self.build_summary or {})},
            "audiences": [a.as_dict() for a in self.audiences],
            "catalogue": self.catalogue,
            "alert": self.alert.as_dict() if self.alert else None,
        }


BuildFn = Callable[[Settings, Sequence[str], ProgressSink], tuple[bool, dict[str, Any]]]


def dbt_build(
    settings: Settings, extra: Sequence[str], progress: ProgressSink | None = None
) -> tuple[bool, dict[str, Any]]:
    """`dbt build` (data tests, not unit tests: see SKIP_UNIT_TESTS) with dbt's log silenced
    (errors still print, on stderr) and node progress reported."""
    sink = progress or ProgressSink()
    started = False

    def on_node(event: str, index: int, total: int, name: str) -> None:
        nonlocal started
        if event == "start":
            if not started:
                sink.start("dbt build", total)
                started = True
            return
        sink.advance("dbt build", 1)

    outcome = run_dbt("build", settings, [*SKIP_UNIT_TESTS, *extra], on_node=on_node)
    return outcome.success, {
        "counts": outcome.counts(),
        "failures": [f"{f.name}: {f.message}" for f in outcome.failures][:20],
        "error": outcome.error,
        # Models built (and, dbt build being what it is, whose upstream built and passed its
        # tests): whether the opt-outs can still be pushed after a failure elsewhere.
        "built": sorted(
            n.name for n in outcome.nodes if n.resource_type == "model" and n.status == "success"
        ),
    }


def build_failure(summary: dict[str, Any], optouts_pushed: bool = False) -> BuildError:
    """The error of a failed build, naming what failed, what was still done and what to do."""
    failures = [str(f) for f in summary.get("failures") or []]
    what = "; ".join(failures[:3]) or summary.get("error") or "see the log on stderr"
    more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
    done = (
        "Only opt-outs were pushed (the consent path built and passed its tests)"
        if optouts_pushed
        else "Nothing was synced"
    )
    return BuildError(
        f"dbt build failed: {what}{more}. {done}; fix the model or data named "
        "(`engage build` shows every failure) and the next night catches up"
    )


@contextmanager
def _timed(out: NightlyOutcome, step: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        out.durations[step] = round(out.durations.get(step, 0.0) + time.monotonic() - started, 3)


def nightly_job(
    settings: Settings,
    manifest: Path | None = None,
    only: list[str] | None = None,
    force_reason: str | None = None,
    reconcile: bool = False,
    client: MailchimpClient | None = None,
    retry: RetryPolicy | None = None,
    progress: ProgressSink | None = None,
    build: BuildFn | None = dbt_build,
    build_args: Sequence[str] = (),
    target: Target | None = None,
    alerts: AlertSettings | None = None,
) -> NightlyOutcome:
    """Run the whole nightly job, record it and alert on it. `build=None` skips the dbt build
    (tests, demo); `alerts=None` sends none.

    Talks to Mailchimp through `client`, else through clients on `target` (default: the
    environment's, checked first) built for the audiences declared at each step: the pull's
    before the build, the apply's after it (`audience_client`)."""
    out = NightlyOutcome()
    db = settings.duckdb_path
    started = time.monotonic()
    rec: RunRecord | None = None
    warehouse: StorageTarget | None = None
    try:
        with locked(db, settings.target):
            try:
                history.append(db, out.history_row())
                warehouse = storage_target(db, settings.target)
                rec = history.begin_in_warehouse(warehouse, out.run_id)
                _run(
                    out,
                    settings,
                    manifest,
                    only,
                    force_reason,
                    reconcile,
                    client,
                    retry,
                    progress,
                    build,
                    build_args,
                    target,
                )
            except (ConfigError, IngestError, MailchimpUnreachable) as err:  # also PlanError, ...
                out.failure = err
            except Exception as err:  # a bug or a broken file: still an honest, recorded night
                log.exception("engage nightly stopped unexpectedly")
                out.failure = EngageError(
                    f"stopped unexpectedly: {type(err).__name__}: {redact(str(err))} (traceback "
                    "on stderr); the next run resumes where this one stopped"
                )
            finally:
                _finish(out, db, warehouse, rec, started, alerts, client, target)
    except LockHeld as err:  # this night may not touch the warehouse file: the JSONL only
        out.failure = err
        _finish(out, db, None, None, started, alerts, client, target)
    return out


def _run(
    out: NightlyOutcome,
    settings: Settings,
    manifest: Path | None,
    only: list[str] | None,
    force_reason: str | None,
    reconcile: bool,
    client: MailchimpClient | None,
    retry: RetryPolicy | None,
    progress: ProgressSink | None,
    build: BuildFn | None,
    build_args: Sequence[str],
    target: Target | None,
) -> None:
    """The steps, in order; raises ConfigError or MailchimpUnreachable to stop the night."""
    db = settings.duckdb_path
    warehouse = storage_target(db, settings.target)
    if client is None:
        target = target or Target.from_env()  # no target: stop before any work
        retry = retry or RetryPolicy.from_env()
    refuse_sample_data(client.target if client is not None else target, settings, "nightly")
    if build is not None:
        check_raw_dir(settings.raw_dir)  # a missing raw folder is configuration, not a build
    # 1. pull: Mailchimp's opt-outs into the warehouse before it is rebuilt.
    try:
        audiences = load_audiences(manifest, only)
    except ConfigError:
        audiences = []  # no manifest yet: the build below writes it
    with _timed(out, "pull"), audience_client(client, audiences, target, retry) as puller:
        check_reachable(puller)
        if audiences:
            con = state.connect(warehouse)
            try:
                out.pulls = pull_all(con, puller, audiences, progress=progress)
            finally:
                con.close()
    # 2. build (dbt opens the file itself: we hold no connection meanwhile).
    if build is not None:
        with _timed(out, "build"):
            out.build_ok, out.build_summary = build(
                settings, build_args, progress or ProgressSink()
            )
        summary = out.build_summary or {}
        # Opt-outs never wait for a segment: when the failure left the desired members (and so
        # consent, identity and staging under them) built and tested, push the unsubscribes.
        optouts_only = not out.build_ok and OPTOUT_MODEL in (summary.get("built") or [])
        if not out.build_ok and not optouts_only:
            out.failure = build_failure(summary)
            return
        out.quarantined = len(quarantined_files(warehouse))
    else:
        optouts_only = False
    # 3-5. plan, fail-safes, apply, per audience.
    audiences = load_audiences(manifest, only)
    with _timed(out, "apply"):
        con = state.connect(warehouse)
        try:
            with audience_client(client, audiences, target, retry) as writer:
                for aud in audiences:
                    out.audiences.append(
                        sync_audience(
                            con,
                            writer,
                            aud,
                            reconcile and not optouts_only,
                            force_reason,
                            progress,
                            optouts_only=optouts_only,
                        )
                    )
        finally:
            con.close()
    if optouts_only:
        out.failure = build_failure(summary, optouts_pushed=True)
        return
    # 6. the catalogue marketers read, from the night's build (not writing it is a warning).
    if out.build_ok:
        with _timed(out, "catalogue"):
            try:
                written = write_catalogue(db, manifest=manifest)
                out.catalogue = str(written.site.index)
                out.notes += [f"catalogue: {w}" for w in written.warnings]
            except (ConfigError, OSError, StorageError) as err:
                out.notes.append(f"the segment catalogue was not written ({redact(str(err))})")


def _finish(
    out: NightlyOutcome,
    db: Path,
    warehouse: StorageTarget | None,
    rec: RunRecord | None,
    started: float,
    alerts: AlertSettings | None,
    client: MailchimpClient | None,
    target: Target | None,
) -> None:
    """Close the night: durations, the alert (if its outcome calls for one), the history."""
    out.finished_at = utcnow()
    out.durations["total"] = round(time.monotonic() - started, 3)
    if alerts is not None:
        key = (client.target if client is not None else target or _env_target()).api_key
        out.alert = send(alerts, out.history_row(), secrets=(key,) if key else ())
    if rec is not None and warehouse is not None:
        try:
            history.finish_in_warehouse(warehouse, rec, out.history_row())
        except StorageError as err:  # the JSONL line below still records the night
            out.notes.append(f"the night's sync_runs row could not be written ({err})")
    history.append(db, out.history_row())


def _env_target() -> Target:
    """The environment's target, for scrubbing its key from alerts; empty when there is none."""
    try:
        return Target.from_env()
    except ConfigError:
        return Target(base_url="", api_key="")


@contextmanager
def audience_client(
    client: MailchimpClient | None,
    audiences: Sequence[Audience],
    target: Target | None,
    retry: RetryPolicy | None,
) -> Iterator[MailchimpClient]:
    """`client` (its owner closes it), or one built for `audiences` and closed afterwards."""
    if client is not None:
        yield client
        return
    own = client_for(audiences, target, retry)
    try:
        yield own
    finally:
        own.close()
