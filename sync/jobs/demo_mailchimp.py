"""The Mailchimp half of `engage demo`: two nights of the nightly job against a local sandbox.

Owns the demo story after the warehouse is built: start the Mailchimp sandbox in-process
(persisted next to the warehouse file, so the audience stays around to look at), run the
nightly job (its pull finds no audience yet, the build was just done, the sync creates the
audience with its merge fields and tags), let a day pass in Mailchimp (a few people click
"unsubscribe", one address bounces), then run the nightly again: the pull reads the opt-outs
back, dbt rebuilds the consent path, and the sync propagates nothing but what it should.
Renders what changed in the audience each night: counts and tags, never an email address.
Progress goes to the `ProgressSink` the caller passes (the CLI's bars, or nothing).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from mailchimp_sandbox import SandboxServer
from sync.jobs.demo_warehouse import sample_as_of
from sync.jobs.nightly import NightlyOutcome, dbt_build, nightly_job
from sync.mailchimp.apply import ProgressSink
from sync.mailchimp.client import MailchimpClient, RetryPolicy, Target
from sync.mailchimp.exposures import load_audiences
from sync.warehouse.dbt_runner import vars_args
from sync.warehouse.project import SAMPLE_RAW_DIR, Settings

# Night 2 rebuilds only what the read-back tables feed (consent, then everything downstream).
CONSENT_PATH = [
    "--select",
    "stg_mailchimp_sync__pulled_members+",
    "stg_mailchimp_sync__sync_rejects+",
]
DEMO_UNSUBSCRIBES = 3


@dataclass
class AudienceSnapshot:
    """An audience as Mailchimp reports it: members by status and members per tag."""

    statuses: Counter = field(default_factory=Counter)
    tags: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {"statuses": dict(self.statuses), "tags": dict(self.tags)}


@dataclass
class Night:
    title: str
    outcome: NightlyOutcome
    before: AudienceSnapshot
    after: AudienceSnapshot
    happened: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "happened_in_mailchimp": self.happened,
            "nightly": self.outcome.as_dict(),
            "audience_before": self.before.as_dict(),
            "audience_after": self.after.as_dict(),
        }


@dataclass
class DemoSyncResult:
    nights: list[Night]
    persist_path: Path
    sandbox_url: str
    continued: bool = False

    @property
    def ok(self) -> bool:
        return all(n.outcome.status in ("ok", "warnings") for n in self.nights)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sandbox_state": str(self.persist_path),
            "nights": [n.as_dict() for n in self.nights],
        }


def snapshot(client: MailchimpClient, audience_id: str | None) -> AudienceSnapshot:
    snap = AudienceSnapshot()
    if not audience_id:
        return snap
    for status in (None, "archived"):
        for members, _ in client.iter_members(audience_id, status=status):
            for m in members:
                snap.statuses[m.get("status", "?")] += 1
                for t in m.get("tags") or []:
                    snap.tags[t["name"]] += 1
    return snap


def _audience_id(outcome: NightlyOutcome) -> str | None:
    for a in outcome.audiences:
        if a.audience_id:
            return a.audience_id
    return None


def run_demo_sync(
    db_path: Path | None = None,
    manifest: Path | None = None,
    progress: ProgressSink | None = None,
) -> DemoSyncResult:
    """Two nightly runs against an in-process sandbox, after `engage demo` built the sample."""
    progress = progress or ProgressSink()
    settings = Settings.from_env(raw_dir=SAMPLE_RAW_DIR, duckdb_path=db_path)
    # The same as_of as the demo's build, so the rebuilt models agree with the first build.
    build_args = [*CONSENT_PATH, *vars_args(as_of=sample_as_of())]

    persist = settings.duckdb_path.parent / "sandbox-demo.json"
    continued = persist.exists()
    # The sample's addresses use the reserved example.* domains, which Mailchimp refuses as
    # fake: the demo sandbox accepts them (a real audience would reject them into sync_rejects).
    srv = SandboxServer(persist_path=persist, settings={"fake_domains": []})
    nights: list[Night] = []
    with srv:
        url = srv.url
        client = MailchimpClient(
            Target(srv.url, srv.api_key, overridden=True),
            retry=RetryPolicy(
                attempts=8, wait_initial=0.05, wait_max=1.0, after_timeout=0.5, request_timeout=30
            ),
        )
        try:
            known = _known_audience(manifest, client)
            before = snapshot(client, known)
            first = nightly_job(settings, manifest, client=client, build=None, progress=progress)
            aid = _audience_id(first) or known
            nights.append(
                Night(
                    "Night 1: the nightly job meets the audience",
                    first,
                    before,
                    snapshot(client, aid),
                )
            )
            if first.status not in ("ok", "warnings") or not aid:
                return DemoSyncResult(nights, persist, url, continued)
            happened = _a_day_in_mailchimp(client, aid)
            before = snapshot(client, aid)
            second = nightly_job(
                settings,
                manifest,
                client=client,
                build=dbt_build,
                build_args=build_args,
                progress=progress,
            )
            nights.append(
                Night(
                    "Night 2: after a day of unsubscribes and a bounce",
                    second,
                    before,
                    snapshot(client, aid),
                    happened,
                )
            )
        finally:
            client.close()
    return DemoSyncResult(nights, persist, url, continued)


def _known_audience(manifest: Path | None, client: MailchimpClient) -> str | None:
    """The demo audience left by an earlier demo run, if the sandbox still has it."""
    for aud in load_audiences(manifest):
        found = client.lists_named(aud.spec.audience.name)
        if found:
            return found[0]["id"]
    return None


def _a_day_in_mailchimp(client: MailchimpClient, audience_id: str) -> list[str]:
    """People unsubscribe through Mailchimp's link and an address bounces."""
    subscribed: list[dict[str, Any]] = []
    for members, _ in client.iter_members(audience_id, status="subscribed"):
        subscribed += members
    subscribed.sort(key=lambda m: m["id"])
    happened = []
    for m in subscribed[:DEMO_UNSUBSCRIBES]:
        client.call(
            "demo.unsubscribe",
            lambda c, h=m["id"]: c.lists.update_list_member(
                audience_id, h, {"status": "unsubscribed"}
            ),
        )
        happened.append(f"member {m['id'][:12]} unsubscribed")
    for m in subscribed[DEMO_UNSUBSCRIBES : DEMO_UNSUBSCRIBES + 1]:
        client.call(
            "demo.bounce",
            lambda c, h=m["id"]: c.lists.update_list_member(audience_id, h, {"status": "cleaned"}),
        )
        happened.append(f"member {m['id'][:12]} bounced (cleaned)")
    return happened


def _delta(before: Counter, after: Counter) -> list[tuple[str, int, int]]:
    keys = sorted(set(before) | set(after))
    return [(k, before.get(k, 0), after.get(k, 0)) for k in keys]


def render(result: DemoSyncResult) -> Group:
    parts: list[Any] = []
    if result.continued:
        parts.append(
            Text(
                f"\nContinuing the demo audience saved in {result.persist_path} by an earlier run "
                "(delete that file to start over)."
            )
        )
    for night in result.nights:
        parts.append(Text(f"\n{night.title}", style="bold"))
        for line in night.happened:
            parts.append(Text(f"  in Mailchimp: {line}"))
        o = night.outcome
        for p in o.pulls:
            parts.append(
                Text(
                    f"  pull: {p.status}, {p.members_read} member(s) read, "
                    f"{p.opted_out_seen} unsubscribed/cleaned"
                )
            )
        if o.build_ok is not None:
            parts.append(Text(f"  build (consent path): {'ok' if o.build_ok else 'FAILED'}"))
        for a in o.audiences:
            if a.plan:
                c = a.plan.counts
                parts.append(
                    Text(
                        f"  plan: {c.creates} create, {c.updates} update, {c.unsubscribes} "
                        f"unsubscribe, {c.archives} archive, {c.tag_adds} tag add, "
                        f"{c.tag_removes} tag remove"
                    )
                )
            if a.applied:
                done = ", ".join(f"{k} {v}" for k, v in sorted(a.applied.as_dict()["done"].items()))
                parts.append(Text(f"  applied: {done or 'nothing to do'}"))
                if a.applied.merge_fields_created:
                    parts.append(
                        Text("  merge fields created: " + ", ".join(a.applied.merge_fields_created))
                    )
            if a.requests:
                writes = sum(
                    n for op, n in a.requests.items() if op.endswith(("create", "batch", "archive"))
                )
                parts.append(Text(f"  requests: {sum(a.requests.values())} ({writes} writes)"))
            if a.error:
                parts.append(Text(f"  error: {a.error}", style="red"))
        if o.error:
            parts.append(Text(f"  {o.error}", style="red"))
        t = Table(title='Audience "Supporters" in the sandbox', title_justify="left")
        t.add_column("members / tag")
        t.add_column("before", justify="right")
        t.add_column("after", justify="right")
        t.add_column("change", justify="right")
        for k, b, a in _delta(night.before.statuses, night.after.statuses):
            t.add_row(f"status {k}", str(b), str(a), f"{a - b:+d}" if a != b else "")
        for k, b, a in _delta(night.before.tags, night.after.tags):
            t.add_row(f"tag {k}", str(b), str(a), f"{a - b:+d}" if a != b else "")
        parts.append(t)
    parts.append(
        Text(
            f"\nThe sandbox audience is saved in {result.persist_path}; look at it with "
            f"`engage sandbox --persist {result.persist_path}`. The plan and run log are in the "
            "warehouse: engage_sync.plans, plan_members, plan_tags, sync_runs."
        )
    )
    return Group(*parts)
