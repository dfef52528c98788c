"""The plan and sync jobs, end to end for each declared audience.

Owns the sequence behind `engage plan` and `engage sync`: read the exposures, open the
warehouse's `engage_sync` state, resolve each audience in Mailchimp (by id, or by name,
creating it when allowed; `engage plan` never writes to Mailchimp), compute the plan, check the
fail-safes (refusing before any write unless forced with a reason), apply, and log the run.
Also owns the writer lock: one file lock per warehouse file, held by every command that writes
to Mailchimp or the sync state, so two overlapping runs cannot both write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from filelock import FileLock, Timeout

from sync import state
from sync.apply import Applier, ApplyResult, ProgressSink
from sync.client import HOW_TO_CONNECT, MailchimpClient, MailchimpError, RetryPolicy, Target
from sync.exposures import Audience, ConfigError, load_audiences
from sync.failsafe import ThresholdHit, evaluate
from sync.merge_fields import MergeFieldError
from sync.plan import PlanError, PlanSummary, compute_plan, sample_rows, set_plan_status
from sync.runlog import finish_run, start_run

_LOCKS: dict[str, FileLock] = {}


class LockBusy(Exception):
    """Another engage run holds the writer lock for this warehouse."""


def writer_lock(db_path: Path) -> FileLock:
    """The (re-entrant, per process) writer lock of a warehouse file."""
    key = str(Path(db_path).resolve())
    if key not in _LOCKS:
        _LOCKS[key] = FileLock(key + ".engage-sync.lock", timeout=0)
    return _LOCKS[key]


class locked:  # noqa: N801 - used as a context manager
    """`with locked(db):` hold the writer lock or raise LockBusy at once."""

    def __init__(self, db_path: Path) -> None:
        self.lock = writer_lock(db_path)

    def __enter__(self) -> FileLock:
        try:
            self.lock.acquire()
        except Timeout:
            raise LockBusy(
                f"another engage run holds {self.lock.lock_file}; wait for it to finish "
                "(a lock left by a killed run is released by the OS when that process ends)"
            ) from None
        return self.lock

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


@dataclass
class AudienceOutcome:
    audience_key: str
    audience_id: str = ""
    status: str = "ok"  # planned | empty | applied | partial | refused | error
    plan: PlanSummary | None = None
    thresholds: list[ThresholdHit] = field(default_factory=list)
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
    error: str | None = None
    error_kind: str | None = None  # config | locked

    @property
    def status(self) -> str:
        """Worst outcome: config > refused > error/partial > ok."""
        if self.error_kind in ("config", "locked"):
            return self.error_kind
        statuses = {a.status for a in self.audiences}
        for s in ("refused", "error", "partial"):
            if s in statuses:
                return s
        return "ok"

    def as_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "status": self.status,
            "error": self.error,
            "audiences": [a.as_dict() for a in self.audiences],
        }


def make_client(
    concurrency: int = 8, retry: RetryPolicy | None = None, env: dict[str, str] | None = None
) -> MailchimpClient:
    return MailchimpClient(Target.from_env(env), concurrency=concurrency, retry=retry)


def resolve_audience(
    con: duckdb.DuckDBPyConnection,
    client: MailchimpClient | None,
    aud: Audience,
    create: bool,
) -> tuple[str, bool]:
    """(audience id, double_optin). '' when it does not exist yet and `create` is False.

    The first call of every command: a rejected API key is a configuration error (exit 2)."""
    try:
        return _resolve_audience(con, client, aud, create)
    except MailchimpError as exc:
        if exc.status == 401 and client is not None:
            raise ConfigError(
                f"{client.target.describe()} refused the API key ({exc.summary()}); check "
                "MAILCHIMP_API_KEY (and MAILCHIMP_SERVER or ENGAGE_MAILCHIMP_URL)"
            ) from None
        raise


def _resolve_audience(
    con: duckdb.DuckDBPyConnection,
    client: MailchimpClient | None,
    aud: Audience,
    create: bool,
) -> tuple[str, bool]:
    a = aud.spec.audience
    if client is None:
        known = state.known_audience(con, aud.key)
        if known:
            return known
        raise ConfigError(HOW_TO_CONNECT)
    if a.id:
        try:
            info = client.get_list(a.id)
        except MailchimpError as exc:
            if exc.status == 404:
                raise ConfigError(
                    f"exposure {aud.key!r}: audience id {a.id!r} does not exist in "
                    f"{client.target.describe()}"
                ) from None
            raise
        state.remember_audience(
            con, aud.key, a.id, info.get("name", a.name), bool(info.get("double_optin"))
        )
        return a.id, bool(info.get("double_optin"))
    known = state.known_audience(con, aud.key)
    if known:
        try:
            info = client.get_list(known[0])
            if info.get("name") == a.name:
                return known[0], bool(info.get("double_optin"))
        except MailchimpError as exc:
            if exc.status != 404:
                raise
    matches = client.lists_named(a.name)
    if len(matches) > 1:
        raise ConfigError(
            f"exposure {aud.key!r}: {len(matches)} audiences are named {a.name!r} "
            f"({', '.join(m['id'] for m in matches)}); set audience.id"
        )
    if matches:
        found = matches[0]
        state.remember_audience(con, aud.key, found["id"], a.name, bool(found.get("double_optin")))
        return found["id"], bool(found.get("double_optin"))
    if not create:
        return "", a.double_optin
    if not a.create_if_missing:
        raise ConfigError(
            f"exposure {aud.key!r}: no audience named {a.name!r} in {client.target.describe()}; "
            "create it in Mailchimp and set audience.id, or set create_if_missing: true"
        )
    body = {
        "name": a.name,
        "contact": {
            "company": a.company,
            "address1": a.address1,
            "city": a.city,
            "state": "",
            "zip": "",
            "country": a.country,
        },
        "permission_reminder": a.permission_reminder,
        "campaign_defaults": {
            "from_name": a.from_name,
            "from_email": a.from_email,
            "subject": a.name,
            "language": a.language,
        },
        "email_type_option": False,
        "double_optin": a.double_optin,
    }
    created = client.create_list(body)
    state.remember_audience(con, aud.key, created["id"], a.name, a.double_optin)
    return created["id"], a.double_optin


def plan_job(
    db_path: Path,
    manifest: Path | None = None,
    only: list[str] | None = None,
    reconcile: bool = False,
    client: MailchimpClient | None = None,
    samples: int = 0,
) -> JobOutcome:
    """Compute and store the plan of each audience; never writes to Mailchimp."""
    out = JobOutcome("plan")
    try:
        audiences = load_audiences(manifest, only)
    except ConfigError as err:
        out.error, out.error_kind = str(err), "config"
        return out
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
                    except (ConfigError, PlanError) as err:
                        out.error, out.error_kind = str(err), "config"
                        res.status, res.error = "error", str(err)
                    except MailchimpError as err:
                        res.status, res.error = "error", err.summary()
            finally:
                con.close()
    except LockBusy as err:
        out.error, out.error_kind = str(err), "locked"
    return out


def sync_audience(
    con: duckdb.DuckDBPyConnection,
    client: MailchimpClient,
    aud: Audience,
    reconcile: bool = False,
    force_reason: str | None = None,
    progress: ProgressSink | None = None,
    after_chunk: Any = None,
) -> AudienceOutcome:
    """Plan, check the fail-safes and apply one audience. Caller holds the writer lock."""
    res = AudienceOutcome(aud.key, forced=bool(force_reason))
    run = start_run(con, "sync", aud.key, forced=bool(force_reason), force_reason=force_reason)
    res.run_id = run.run_id
    before = client.stats.as_dict()
    try:
        res.audience_id, double_optin = resolve_audience(con, client, aud, True)
        res.plan = compute_plan(
            con, aud, res.audience_id, double_optin, "reconcile" if reconcile else "state"
        )
        res.thresholds = evaluate(res.plan, aud.spec.safety)
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
        res.applied = applier.run()
        res.status = "partial" if res.applied.partial else "applied"
        set_plan_status(con, res.plan.plan_id, res.status, hits)
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
    except (ConfigError, PlanError, MergeFieldError) as err:
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
) -> JobOutcome:
    """`engage sync`: plan, fail-safes and apply for each audience, under the writer lock."""
    out = JobOutcome("sync")
    try:
        audiences = load_audiences(manifest, only)
        own_client = client is None
        if client is None:
            conc = min(a.spec.concurrency for a in audiences)
            client = make_client(conc, retry)
    except ConfigError as err:
        out.error, out.error_kind = str(err), "config"
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
                    except (ConfigError, PlanError, MergeFieldError) as err:
                        out.audiences.append(
                            AudienceOutcome(aud.key, status="error", error=str(err))
                        )
                        out.error, out.error_kind = str(err), "config"
            finally:
                con.close()
    except LockBusy as err:
        out.error, out.error_kind = str(err), "locked"
    finally:
        if own_client:
            client.close()
    return out
