"""`engage nightly`: pull -> build -> plan -> fail-safes -> apply -> report, under one lock.

Owns the order of the nightly job and its single writer lock (held from the pull to the last
write, so two overlapping runs - cron firing twice, a manual run during the scheduled one -
cannot both write). The pull comes first so that opt-outs made in Mailchimp since the last run
reach the warehouse's consent model before anything is planned; a failed build stops the job
before any write (a broken warehouse must not drive the audience).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.errors import BuildError, ConfigError, EngageError, LockHeld
from sync.jobs.audience_sync import AudienceOutcome, client_for, sync_audience
from sync.jobs.lock import locked
from sync.mailchimp import state
from sync.mailchimp.apply import ProgressSink
from sync.mailchimp.client import MailchimpClient, RetryPolicy, Target
from sync.mailchimp.exposures import Audience, load_audiences
from sync.mailchimp.pull import PullResult, pull_all
from sync.warehouse.dbt_runner import SKIP_UNIT_TESTS, run_dbt
from sync.warehouse.project import Settings


@dataclass
class NightlyOutcome:
    pulls: list[PullResult] = field(default_factory=list)
    build_ok: bool | None = None
    build_summary: dict[str, Any] | None = None
    audiences: list[AudienceOutcome] = field(default_factory=list)
    failure: EngageError | None = None  # what stopped the job: config, lock or build

    @property
    def error(self) -> str | None:
        return str(self.failure) if self.failure is not None else None

    @property
    def status(self) -> str:
        if self.failure is not None:
            return self.failure.kind
        statuses = {a.status for a in self.audiences} | {
            "error" for p in self.pulls if p.status == "error"
        }
        for s in ("refused", "error", "partial"):
            if s in statuses:
                return s
        return "ok"

    def as_dict(self) -> dict[str, Any]:
        return {
            "command": "nightly",
            "status": self.status,
            "error": self.error,
            "pull": [p.as_dict() for p in self.pulls],
            "build": {"success": self.build_ok, **(self.build_summary or {})},
            "audiences": [a.as_dict() for a in self.audiences],
        }


BuildFn = Callable[[Settings, Sequence[str], ProgressSink], tuple[bool, dict[str, Any]]]


def dbt_build(
    settings: Settings, extra: Sequence[str], progress: ProgressSink | None = None
) -> tuple[bool, dict[str, Any]]:
    """`dbt build` (data tests, not unit tests: see SKIP_UNIT_TESTS) with dbt's log silenced
    (errors still print) and node progress reported."""
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
    }


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
) -> NightlyOutcome:
    """Run the whole nightly job. `build=None` skips the dbt build (tests, demo).

    Talks to Mailchimp through `client`, else through clients on `target` (default: the
    environment's, checked first) built for the audiences declared at each step: the pull's
    before the build, the apply's after it (`audience_client`)."""
    out = NightlyOutcome()
    db = settings.duckdb_path
    try:
        with locked(db):
            try:
                if client is None:
                    target = target or Target.from_env()  # no target: stop before any work
                # 1. pull: Mailchimp's opt-outs into the warehouse before it is rebuilt.
                try:
                    audiences = load_audiences(manifest, only)
                except ConfigError:
                    audiences = []  # no manifest yet: the build below writes it
                if audiences:
                    con = state.connect(db)
                    try:
                        with audience_client(client, audiences, target, retry) as puller:
                            out.pulls = pull_all(con, puller, audiences, progress=progress)
                    finally:
                        con.close()
                # 2. build (dbt opens the file itself: we hold no connection meanwhile).
                if build is not None:
                    out.build_ok, out.build_summary = build(
                        settings, build_args, progress or ProgressSink()
                    )
                    if not out.build_ok:
                        out.failure = BuildError("dbt build failed: nothing was synced")
                        return out
                # 3-5. plan, fail-safes, apply, per audience.
                audiences = load_audiences(manifest, only)
                con = state.connect(db)
                try:
                    with audience_client(client, audiences, target, retry) as writer:
                        for aud in audiences:
                            out.audiences.append(
                                sync_audience(con, writer, aud, reconcile, force_reason, progress)
                            )
                finally:
                    con.close()
            except ConfigError as err:  # also PlanError, MergeFieldError
                out.failure = err
    except LockHeld as err:
        out.failure = err
    return out


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
