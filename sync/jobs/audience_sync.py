"""The plan and sync jobs, end to end for each declared audience.

Owns the sequence behind `engage plan` and `engage sync`: read the exposures, open the
warehouse's `engage_sync` state, resolve each audience in Mailchimp (by id, or by name,
creating it when allowed; `engage plan` never writes to Mailchimp), compute the plan, check the
fail-safes (refusing before any write unless forced with a reason), apply, and log the run.
Everything runs under the writer lock (`sync.jobs.lock`). A job that cannot go on records
the error itself (an `EngageError`: its class says what went wrong and, at the command line,
the exit code).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.errors import ConfigError, EngageError, LockHeld, MailchimpError
from sync.jobs.lock import locked
from sync.mailchimp import state
from sync.mailchimp.apply import Applier, ApplyResult, ProgressSink
from sync.mailchimp.audiences import resolve_audience
from sync.mailchimp.client import MailchimpClient, RetryPolicy, Target
from sync.mailchimp.exposures import DEFAULT_CONCURRENCY, Audience, load_audiences
from sync.mailchimp.failsafe import ThresholdHit, evaluate, reject_hits
from sync.mailchimp.plan import PlanSummary, compute_plan, sample_rows, set_plan_status
from sync.mailchimp.runlog import finish_run, start_run
from sync.outcomes import worst
from sync.warehouse.storage import Store


@dataclass
class AudienceOutcome:
    audience_key: str
    audience_id: str = ""
    status: str = "ok"  # planned | empty | applied | partial | rejects | refused | error
    plan: PlanSummary | None = None
    thresholds: list[ThresholdHit] = field(default_factory=list)
    reject_hits: list[ThresholdHit] = field(default_factory=list)  # checked after applying
    forced: bool = False
    applied: ApplyResult | None = None
    error: str | None = None
    run_id: str | None = None
    samples: dict[str, list[dict[str, Any]]] | None = None
    requests: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "audience": self.audience_key,
            "audience_id": self.audience_id,
            "status": self.status,
            "run_id": self.run_id,
            "plan": self.plan.as_dict() if self.plan else None,
            "thresholds_hit": [t.as_dict() for t in self.thresholds],
            "reject_rate_hit": [t.as_dict() for t in self.reject_hits],
            "forced": self.forced,
            "applied": self.applied.as_dict() if self.applied else None,
            "error": self.error,
            "samples": self.samples,
            "requests": self.requests,
        }


@dataclass
class JobOutcome:
    command: str
    audiences: list[AudienceOutcome] = field(default_factory=list)
    failure: EngageError | None = None  # what stopped the job (or one audience's planning)

    @property
    def error(self) -> str | None:
        return str(self.failure) if self.failure is not None else None

    @property
    def status(self) -> str:
        """The worst outcome (`sync.outcomes`): what stopped the job, else its audiences'."""
        if self.failure is not None:
            return self.failure.kind
        return str(worst(a.status for a in self.audiences))

    def as_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "status": self.status,
            "error": self.error,
            "audiences": [a.as_dict() for a in self.audiences],
        }


def client_for(
    audiences: Sequence[Audience], target: Target | None = None, retry: RetryPolicy | None = None
) -> MailchimpClient:
    """A client on `target` (default: the environment's) whose connection cap is the largest
    `concurrency` the audiences declare. Audiences are applied one after another and each
    keeps to its own cap within the client's (`Applier`), so each gets what it declares."""
    concurrency = max((a.spec.concurrency for a in audiences), default=DEFAULT_CONCURRENCY)
    return MailchimpClient(target or Target.from_env(), concurrency=concurrency, retry=retry)


def plan_job(
    db_path: Path,
    manifest: Path | None = None,
    only: list[str] | None = None,
    reconcile: bool = False,
    client: MailchimpClient | None = None,
    samples: int = 0,
    target: Target | None = None,
    retry: RetryPolicy | None = None,
) -> JobOutcome:
    """Compute and store the plan of each audience; never writes to Mailchimp.

    Mailchimp is read (to find each audience) through `client`, else through a client on
    `target` built for the audiences; with neither, from the audience ids already known."""
    out = JobOutcome("plan")
    try:
        audiences = load_audiences(manifest, only)
    except ConfigError as err:
        out.failure = err
        return out
    own_client = client is None and target is not None
    if own_client:
        client = client_for(audiences, target, retry)
    try:
        with locked(db_path):
            con = state.connect(db_path)
            try:
                for aud in audiences:
                    res = AudienceOutcome(aud.key)
                    out.audiences.append(res)
                    try:
                        res.audience_id, double_optin = resolve_audience(con, client, aud, False)
                        res.plan = compute_plan(
                            con,
                            aud,
                            res.audience_id,
                            double_optin,
                            "reconcile" if reconcile else "state",
                        )
                        res.thresholds = evaluate(res.plan, aud.spec.safety)
                        res.status = "empty" if res.plan.is_empty else "planned"
                        if samples:
                            res.samples = sample_rows(con, aud.key, samples)
                    except ConfigError as err:  # also PlanError, MergeFieldError
                        out.failure = err
                        res.status, res.error = "error", str(err)
                    except MailchimpError as err:
                        res.status, res.error = "error", err.summary()
            finally:
                con.close()
    except LockHeld as err:
        out.failure = err
    finally:
        if own_client and client is not None:
            client.close()
    return out


def sync_audience(
    con: Store,
    client: MailchimpClient,
    aud: Audience,
    reconcile: bool = False,
    force_reason: str | None = None,
    progress: ProgressSink | None = None,
    after_chunk: Any = None,
    optouts_only: bool = False,
) -> AudienceOutcome:
    """Plan, check the fail-safes and apply one audience. Caller holds the writer lock.

    `optouts_only`: apply the plan's unsubscribes and nothing else, checked against the
    unsubscribe fail-safes only (the nightly after a failed build); the rest of the plan waits
    for the next night, which plans it again."""
    res = AudienceOutcome(aud.key, forced=bool(force_reason))
    run = start_run(con, "sync", aud.key, forced=bool(force_reason), force_reason=force_reason)
    res.run_id = run.run_id
    before = client.stats.as_dict()
    try:
        res.audience_id, double_optin = resolve_audience(con, client, aud, True)
        res.plan = compute_plan(
            con,
            aud,
            res.audience_id,
            double_optin,
            "reconcile" if reconcile else "state",
            check_values=not optouts_only,
        )
        res.thresholds = evaluate(res.plan, aud.spec.safety)
        if optouts_only:
            res.thresholds = [t for t in res.thresholds if t.name.startswith("max_unsubscribes")]
        hits = [t.as_dict() for t in res.thresholds]
        if res.thresholds and not force_reason:
            set_plan_status(con, res.plan.plan_id, "refused", hits)
            res.status = "refused"
            finish_run(
                con,
                run,
                "refused",
                audience_id=res.audience_id,
                plan_id=res.plan.plan_id,
                counts=res.plan.as_dict()["counts"],
                thresholds=hits,
            )
            return res
        if reconcile:
            state.rebase_on_pulled(
                con,
                res.audience_id,
                [f.tag for f in aud.spec.merge_fields],
                aud.owned_namespaces,
                run.run_id,
            )
        applier = Applier(con, client, aud, res.audience_id, run.run_id, progress, after_chunk)
        res.applied = applier.run(optouts_only)
        res.reject_hits = reject_hits(res.plan, res.applied.rejected_by_step, aud.spec.safety)
        res.status = "partial" if res.applied.partial or optouts_only else "applied"
        set_plan_status(con, res.plan.plan_id, res.status, hits)
        if res.reject_hits:  # applied, but Mailchimp refused too many members for good
            res.status = "rejects"
            hits += [t.as_dict() for t in res.reject_hits]
        finish_run(
            con,
            run,
            res.status,
            audience_id=res.audience_id,
            plan_id=res.plan.plan_id,
            counts={"planned": res.plan.as_dict()["counts"], **res.applied.as_dict()},
            errors=res.applied.errors,
            thresholds=hits,
        )
    except ConfigError as err:  # also PlanError, MergeFieldError
        res.status, res.error = "error", str(err)
        finish_run(con, run, "config_error", audience_id=res.audience_id or None, errors=[str(err)])
        raise
    except MailchimpError as err:
        res.status, res.error = "error", err.summary()
        finish_run(
            con,
            run,
            "error",
            audience_id=res.audience_id or None,
            plan_id=res.plan.plan_id if res.plan else None,
            errors=[err.summary()],
        )
    finally:
        after = client.stats.as_dict()
        res.requests = {
            op: n - before["requests"].get(op, 0)
            for op, n in after["requests"].items()
            if n - before["requests"].get(op, 0)
        }
    return res


def sync_job(
    db_path: Path,
    manifest: Path | None = None,
    only: list[str] | None = None,
    reconcile: bool = False,
    force_reason: str | None = None,
    client: MailchimpClient | None = None,
    progress: ProgressSink | None = None,
    retry: RetryPolicy | None = None,
    after_chunk: Any = None,
    target: Target | None = None,
) -> JobOutcome:
    """`engage sync`: plan, fail-safes and apply for each audience, under the writer lock.

    Writes through `client`, else through a client built for the audiences (`client_for`) on
    `target` (default: the environment's), closed at the end."""
    out = JobOutcome("sync")
    try:
        audiences = load_audiences(manifest, only)
        own_client = client is None
        if client is None:
            client = client_for(audiences, target, retry)
    except ConfigError as err:
        out.failure = err
        return out
    try:
        with locked(db_path):
            con = state.connect(db_path)
            try:
                for aud in audiences:
                    try:
                        out.audiences.append(
                            sync_audience(
                                con, client, aud, reconcile, force_reason, progress, after_chunk
                            )
                        )
                    except ConfigError as err:  # also PlanError, MergeFieldError
                        out.audiences.append(
                            AudienceOutcome(aud.key, status="error", error=str(err))
                        )
                        out.failure = err
            finally:
                con.close()
    except LockHeld as err:
        out.failure = err
    finally:
        if own_client:
            client.close()
    return out
