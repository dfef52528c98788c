"""The Mailchimp half of `engage demo`: two nights of the nightly job against a local sandbox.

Owns the demo story after the warehouse is built: start the Mailchimp sandbox in-process
(persisted next to the warehouse file, so the audience stays around to look at), run the
nightly job (its pull finds no audience yet, the build was just done, the sync creates the
audience with its merge fields and tags), then let the marketers work in Mailchimp: a campaign
goes to the biggest segment's tag, and its recipients open, click, bounce, unsubscribe and
complain (deterministic activity from a seed, dated before the sample's as-of day). The nightly
runs again: the pull reads the opt-outs and the campaign's activity back, dbt rebuilds
everything the read-back feeds (consent, events, scores, segments, campaign performance), and
the sync moves tags accordingly and propagates nothing it should not. Renders what changed in
the audience each night (counts and tags), the campaign's performance and how engagement tiers
moved in the warehouse; never an email address.
Progress goes to the `ProgressSink` the caller passes (the CLI's bars, or nothing).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Group
from rich.table import Table
from rich.text import Text

from mailchimp_sandbox import SandboxServer
from sync.jobs.demo_warehouse import sample_as_of
from sync.jobs.nightly import NightlyOutcome, dbt_build, nightly_job
from sync.mailchimp import state
from sync.mailchimp.apply import ProgressSink
from sync.mailchimp.client import MailchimpClient, RetryPolicy, Target
from sync.mailchimp.exposures import load_audiences
from sync.warehouse.dbt_runner import vars_args
from sync.warehouse.project import SAMPLE_RAW_DIR, Settings

# Night 2 rebuilds only what the read-back tables feed (consent, email events, and everything
# downstream: scores, segments, campaign performance).
READ_BACK_PATH = [
    "--select",
    "stg_mailchimp_sync__pulled_members+",
    "stg_mailchimp_sync__sync_rejects+",
    "stg_mailchimp_sync__campaigns+",
    "stg_mailchimp_sync__campaign_activity+",
]
# The campaign the marketers send between the nights (campaign_issues maps it to housing).
DEMO_CAMPAIGN = {
    "title": "Rent freeze vote alert",
    "subject_line": "The council votes on the rent freeze on Thursday",
    "from_name": "Engage demo",
    "reply_to": "demo@engage-sandbox.org",
}
DEMO_ACTIVITY = {
    "seed": 20261110,
    "open_rate": 0.45,
    "click_rate": 0.35,
    "unsubscribe_rate": 0.04,
    "abuse_rate": 0.01,
    "window_hours": 48.0,
}


@dataclass
class AudienceSnapshot:
    """An audience as Mailchimp reports it: members by status and members per tag."""

    statuses: Counter = field(default_factory=Counter)
    tags: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {"statuses": dict(self.statuses), "tags": dict(self.tags)}


@dataclass
class WarehouseSnapshot:
    """What the warehouse says about the demo campaign and the audience's engagement."""

    tiers: Counter = field(default_factory=Counter)  # engagement stars -> supporters
    campaign: dict[str, Any] | None = None  # the demo campaign's row of campaign_performance

    def as_dict(self) -> dict[str, Any]:
        return {"engagement_stars": dict(self.tiers), "campaign": self.campaign}


@dataclass
class Night:
    title: str
    outcome: NightlyOutcome
    before: AudienceSnapshot
    after: AudienceSnapshot
    happened: list[str] = field(default_factory=list)
    warehouse_before: WarehouseSnapshot | None = None
    warehouse_after: WarehouseSnapshot | None = None
    campaign_counts: dict[str, Any] | None = None  # what the sandbox generated for the campaign

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "happened_in_mailchimp": self.happened,
            "campaign_activity_generated": self.campaign_counts,
            "nightly": self.outcome.as_dict(),
            "audience_before": self.before.as_dict(),
            "audience_after": self.after.as_dict(),
            "warehouse_before": self.warehouse_before.as_dict() if self.warehouse_before else None,
            "warehouse_after": self.warehouse_after.as_dict() if self.warehouse_after else None,
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


def warehouse_snapshot(db_path: Path, campaign_id: str) -> WarehouseSnapshot:
    """Engagement stars per supporter and the campaign's performance, read from the warehouse."""
    snap = WarehouseSnapshot()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        for stars, n in con.execute(
            "select engagement_stars, count(*) from supporter_engagement group by 1"
        ).fetchall():
            snap.tiers[int(stars or 0)] = int(n)
        cur = con.execute(
            "select recipients, unique_human_opens, unique_clicks, unsubscribes, "
            "abuse_complaints, bounces, primary_issue from campaign_performance "
            "where campaign_id = ?",
            [campaign_id],
        )
        row = cur.fetchone()
        if row is not None:
            snap.campaign = dict(zip([d[0] for d in cur.description], row, strict=True))
    except duckdb.CatalogException:
        pass  # a warehouse built before these marts existed
    finally:
        con.close()
    return snap


def _audience_id(outcome: NightlyOutcome) -> str | None:
    for a in outcome.audiences:
        if a.audience_id:
            return a.audience_id
    return None


def sandbox_file(db_path: Path | None = None) -> Path:
    """Where the demo's sandbox is saved: next to the warehouse file."""
    return Settings.from_env(duckdb_path=db_path).duckdb_path.parent / "sandbox-demo.json"


def forget_a_lost_sandbox(db_path: Path | None = None) -> bool:
    """Before a demo starts from scratch (no saved sandbox), drop the sync's state a previous
    demo left in the warehouse: it describes an audience that no longer exists, and its
    pulled opt-outs and activity would otherwise feed the new build. True when dropped."""
    db = Settings.from_env(duckdb_path=db_path).duckdb_path
    if sandbox_file(db_path).exists() or not db.exists():
        return False
    con = duckdb.connect(str(db))
    try:
        con.execute(f"drop schema if exists {state.SCHEMA} cascade")
    finally:
        con.close()
    return True


def run_demo_sync(
    db_path: Path | None = None,
    manifest: Path | None = None,
    progress: ProgressSink | None = None,
) -> DemoSyncResult:
    """Two nightly runs against an in-process sandbox, after `engage demo` built the sample."""
    progress = progress or ProgressSink()
    settings = Settings.from_env(raw_dir=SAMPLE_RAW_DIR, duckdb_path=db_path)
    # The same as_of as the demo's build, so the rebuilt models agree with the first build.
    as_of = sample_as_of()
    build_args = [*READ_BACK_PATH, *vars_args(as_of=as_of)]

    persist = sandbox_file(db_path)
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
            happened, counts = _a_campaign_goes_out(srv, client, aid, nights[0].after, as_of)
            before = snapshot(client, aid)
            warehouse_before = warehouse_snapshot(settings.duckdb_path, counts["campaign_id"])
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
                    "Night 2: a campaign went out; its opens, clicks and opt-outs come back",
                    second,
                    before,
                    snapshot(client, aid),
                    happened,
                    warehouse_before,
                    warehouse_snapshot(settings.duckdb_path, counts["campaign_id"]),
                    counts,
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


def _a_campaign_goes_out(
    srv: SandboxServer,
    client: MailchimpClient,
    audience_id: str,
    audience: AudienceSnapshot,
    as_of: str | None,
) -> tuple[list[str], dict[str, Any]]:
    """Marketers send a campaign to the biggest segment's tag (through the SDK, as they would
    from Mailchimp's editor); its recipients react (the sandbox's deterministic activity)."""
    segments = {name: n for name, n in audience.tags.items() if name.startswith("seg:")}
    recipients: dict[str, Any] = {"list_id": audience_id}
    where = "the whole audience"
    if segments:
        tag = max(sorted(segments), key=lambda name: segments[name])
        segment_id, _ = client.static_segments(audience_id)[tag.lower()]
        recipients["segment_opts"] = {"saved_segment_id": segment_id}
        where = f"tag {tag} ({segments[tag]} members)"
    body = {"type": "regular", "recipients": recipients, "settings": DEMO_CAMPAIGN}
    created = client.call("demo.campaign", lambda c: c.campaigns.create(body)) or {}
    campaign_id = str(created["id"])
    client.call("demo.send", lambda c: c.campaigns.send(campaign_id))
    # Sent ten days before the sample's as-of day: every action falls before it, and the send
    # is outside the 7-day contact-cap window (recipients are not held out for it).
    day = date.fromisoformat(as_of) if as_of else datetime.now(UTC).date()
    sent = datetime.combine(day - timedelta(days=10), datetime.min.time(), UTC) + timedelta(hours=9)
    # A demo continued on a saved sandbox sends again: a new seed each time, else the same
    # recipients would repeat exactly what they did (activity is a function of seed and person).
    spec = dict(DEMO_ACTIVITY)
    spec["seed"] = int(spec["seed"]) + len(client.sent_campaigns(audience_id, None))
    counts = srv.campaign_activity(campaign_id, send_time=sent.isoformat(), **spec)
    happened = [
        f'campaign "{DEMO_CAMPAIGN["title"]}" sent to {where} on {sent:%Y-%m-%d}',
        f"{counts['opens']} opens ({counts['machine_opens']} by machines), "
        f"{counts['clicks']} clicks, {counts['bounces']} bounces, "
        f"{counts['unsubscribes']} unsubscribes, {counts['abuse_reports']} spam complaint(s)",
    ]
    return happened, counts


def _delta(before: Counter, after: Counter) -> list[tuple[str, int, int]]:
    keys = sorted(set(before) | set(after))
    return [(k, before.get(k, 0), after.get(k, 0)) for k in keys]


def _render_warehouse(before: WarehouseSnapshot | None, after: WarehouseSnapshot) -> list[Any]:
    parts: list[Any] = []
    c = after.campaign
    if c is not None:
        parts.append(
            Text(
                f"  campaign_performance: {c['recipients']} recipients, "
                f"{c['unique_human_opens']} opened (machines excluded), {c['unique_clicks']} "
                f"clicked, {c['unsubscribes']} unsubscribed, {c['abuse_complaints']} complained, "
                f"{c['bounces']} bounced; issue: {c['primary_issue'] or 'none'}"
            )
        )
    t = Table(title="Engagement stars in the warehouse", title_justify="left")
    t.add_column("stars")
    t.add_column("before", justify="right")
    t.add_column("after", justify="right")
    t.add_column("change", justify="right")
    old = before.tiers if before is not None else Counter()
    for stars in sorted(set(old) | set(after.tiers)):
        b, a = old.get(stars, 0), after.tiers.get(stars, 0)
        t.add_row(f"{stars}", str(b), str(a), f"{a - b:+d}" if a != b else "")
    parts.append(t)
    return parts


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
            parts.append(Text(f"  pull: {p.summary()}"))
        if o.build_ok is not None:
            parts.append(
                Text(f"  build (what the read-back feeds): {'ok' if o.build_ok else 'FAILED'}")
            )
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
        if night.warehouse_after is not None:
            parts.extend(_render_warehouse(night.warehouse_before, night.warehouse_after))
    parts.append(
        Text(
            f"\nThe sandbox audience is saved in {result.persist_path}; look at it with "
            f"`engage sandbox --persist {result.persist_path}`. The plan and run log are in the "
            "warehouse: engage_sync.plans, plan_members, plan_tags, sync_runs."
        )
    )
    return Group(*parts)
