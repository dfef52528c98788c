"""Deterministic campaign activity: what recipients did with a sent campaign, from a seed.

Owns `ActivitySpec` (the rates of the `/_sandbox/campaigns/{id}/activity` control) and
`generate`, which fills a sent campaign's activity, unsubscribes and abuse reports. The same
seed, rates and send time always give the same activity: each recipient has a random stream
of its own (seeded by the seed and the subscriber hash), so a member's activity does not
depend on who else was sent to. Per recipient:

- a bounce (`bounce_rate`; hard with `hard_bounce_share`, else soft) within minutes of the send;
  a bounced recipient does nothing else, and a hard bounce cleans the member, as Mailchimp does;
- a machine open (`machine_open_rate`: Apple Mail Privacy Protection, scanners) 1-10 seconds
  after the send, from a proxy address;
- human opens (`open_rate`; 1-3 opens over `window_hours`, most early) and, for openers,
  clicks (`click_rate`; 1-2 clicks on `urls`);
- an unsubscribe (`unsubscribe_rate`) with a survey reason: the member becomes unsubscribed
  (by the contact) with that reason; else an abuse report (`abuse_rate`), which unsubscribes
  the member too but is listed under abuse reports only. Both are recorded whatever the
  member's status now (they may have left through another campaign); only a member still
  subscribed changes status.

Timestamps lie in `[send_time + offset_hours, + window_hours]`; they may be in the future when
the send is recent, so tests pass `send_time` to backdate the send. `replace` (default) drops
earlier generated activity first (member status changes already made stay); `replace: false`
adds a further wave (e.g. late activity with another seed and `offset_hours`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from mailchimp_sandbox.members import set_status
from mailchimp_sandbox.rules import now_iso, parse_timestamp
from mailchimp_sandbox.store import Audience, Campaign, Store

UNSUBSCRIBE_SURVEY = (
    "I no longer want to receive these emails",
    "I never signed up for this mailing list",
    "The emails are inappropriate",
    "The emails are spam and should be reported",
    "Other",
)
DEFAULT_URLS = ("https://engage.invalid/act", "https://engage.invalid/read-more")
RATE_NAMES = (
    "open_rate",
    "machine_open_rate",
    "click_rate",
    "bounce_rate",
    "hard_bounce_share",
    "unsubscribe_rate",
    "abuse_rate",
)


@dataclass(frozen=True)
class ActivitySpec:
    seed: int = 0
    open_rate: float = 0.4
    machine_open_rate: float = 0.15
    click_rate: float = 0.3  # of human openers
    bounce_rate: float = 0.02
    hard_bounce_share: float = 0.5  # of bounces
    unsubscribe_rate: float = 0.01
    abuse_rate: float = 0.002
    urls: tuple[str, ...] = DEFAULT_URLS
    window_hours: float = 48.0
    offset_hours: float = 0.0
    send_time: str | None = None  # backdate the send (ISO 8601)
    replace: bool = True

    def check(self) -> None:
        for name in RATE_NAMES:
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 1 (got {value!r})")
        if self.window_hours <= 0 or self.offset_hours < 0:
            raise ValueError("window_hours must be > 0 and offset_hours >= 0")
        if not self.urls or not all(isinstance(u, str) and u for u in self.urls):
            raise ValueError("urls must be a non-empty list of URLs")
        if self.send_time is not None and parse_timestamp(self.send_time) is None:
            raise ValueError(f"send_time {self.send_time!r} is not an ISO 8601 date-time")


def iso(moment: datetime) -> str:
    """UTC, whole seconds: stored timestamps compare correctly as strings."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def generate(store: Store, campaign_id: str, spec: ActivitySpec) -> dict[str, Any]:
    """Fill a sent campaign's report from `spec`; KeyError for an unknown campaign, ValueError
    for a campaign not sent or a bad spec. The caller holds `store.lock`."""
    campaign = store.campaigns.get(campaign_id)
    if campaign is None:
        raise KeyError(campaign_id)
    if campaign.status != "sent":
        raise ValueError(
            f"campaign {campaign_id} has not been sent: send it first "
            f"(POST /3.0/campaigns/{campaign_id}/actions/send)"
        )
    spec.check()
    if spec.send_time is not None:
        sent_at = parse_timestamp(spec.send_time)
        assert sent_at is not None  # checked above
        campaign.send_time = iso(sent_at)
    if spec.replace:
        campaign.activity, campaign.unsubscribes, campaign.abuse_reports = {}, [], []
        for rcp in campaign.recipients:
            rcp["status"] = "sent"
    before = (len(campaign.unsubscribes), len(campaign.abuse_reports))
    wave = _Wave(store, campaign, spec)
    wave.run()
    for events in campaign.activity.values():
        events.sort(key=lambda e: (e["timestamp"], e["action"]))
    store.touch()
    actions = [e["action"] for e in wave.produced]
    return {
        "campaign_id": campaign.id,
        "send_time": campaign.send_time,
        "recipients": len(campaign.recipients),
        "opens": actions.count("open"),
        "machine_opens": sum(1 for e in wave.produced if e["machine"]),
        "clicks": actions.count("click"),
        "bounces": actions.count("bounce"),
        "unsubscribes": len(campaign.unsubscribes) - before[0],
        "abuse_reports": len(campaign.abuse_reports) - before[1],
    }


class _Wave:
    """One generation pass over the recipients."""

    def __init__(self, store: Store, campaign: Campaign, spec: ActivitySpec) -> None:
        self.store = store
        self.campaign = campaign
        self.spec = spec
        sent_at = parse_timestamp(campaign.send_time)
        assert sent_at is not None
        self.sent_at = sent_at
        self.start = sent_at + timedelta(hours=spec.offset_hours)
        self.span = spec.window_hours * 3600
        self.audience: Audience | None = store.lists.get(campaign.list_id)
        self.left = {e["email_id"] for e in campaign.unsubscribes} | {
            e["email_id"] for e in campaign.abuse_reports
        }
        self.produced: list[dict[str, Any]] = []
        self.next_abuse_id = max((e["id"] for e in campaign.abuse_reports), default=0) + 1

    def at(self, seconds: float) -> str:
        return iso(self.start + timedelta(seconds=int(seconds)))

    def event(self, rcp: dict[str, Any], action: str, seconds: float, **extra: Any) -> None:
        entry = {"action": action, "timestamp": self.at(seconds), **extra}
        entry.setdefault("machine", False)
        self.campaign.activity.setdefault(rcp["email_id"], []).append(entry)
        self.produced.append(entry)

    @staticmethod
    def human_ip(rng: random.Random) -> str:
        return f"198.51.100.{rng.randint(1, 254)}"

    def run(self) -> None:
        for rcp in self.campaign.recipients:
            if rcp["status"] != "sent":
                continue  # bounced in an earlier wave
            self.recipient(rcp)

    def recipient(self, rcp: dict[str, Any]) -> None:
        rng = random.Random(f"{self.spec.seed}:{rcp['email_id']}")
        spec = self.spec
        draws = [rng.random() for _ in range(7)]
        bounce, hard, machine, opened, clicked, unsub, abuse = draws
        if bounce < spec.bounce_rate:
            kind = "hard" if hard < spec.hard_bounce_share else "soft"
            self.event(rcp, "bounce", rng.uniform(5, 600), type=kind, ip="")
            rcp["status"] = kind
            if kind == "hard":
                self.member_leaves(rcp["email_id"], "cleaned", "")
            return
        if machine < spec.machine_open_rate and spec.offset_hours == 0:
            ip = f"17.58.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            self.event(rcp, "open", rng.uniform(1, 10), ip=ip, machine=True)
        first_open: float | None = None
        if opened < spec.open_rate:
            times = sorted(
                60 + (self.span - 60) * rng.random() ** 2 for _ in range(rng.randint(1, 3))
            )
            first_open = times[0]
            for t in times:
                self.event(rcp, "open", t, ip=self.human_ip(rng))
            if clicked < spec.click_rate:
                for _ in range(rng.randint(1, 2)):
                    url = rng.choice(spec.urls)
                    t = min(first_open + rng.uniform(5, 900), self.span)
                    self.event(rcp, "click", t, url=url, ip=self.human_ip(rng))
        if rcp["email_id"] in self.left:
            return
        when = (first_open or rng.uniform(60, self.span)) + rng.uniform(10, 600)
        when = min(when, self.span)
        if unsub < spec.unsubscribe_rate:
            reason = rng.choice(UNSUBSCRIBE_SURVEY)
            self.campaign.unsubscribes.append(
                {"email_id": rcp["email_id"], "timestamp": self.at(when), "reason": reason}
            )
            self.member_leaves(rcp["email_id"], "unsubscribed", reason)
        elif abuse < spec.abuse_rate:
            self.campaign.abuse_reports.append(
                {"id": self.next_abuse_id, "email_id": rcp["email_id"], "date": self.at(when)}
            )
            self.next_abuse_id += 1
            self.member_leaves(rcp["email_id"], "unsubscribed", "")

    def member_leaves(self, member_hash: str, status: str, reason: str) -> None:
        """Unsubscribe (by the contact) or clean a member still subscribed in the audience."""
        if self.audience is None:
            return
        m = self.audience.members.get(member_hash)
        if m is None or m.status != "subscribed":
            return
        now = now_iso()
        set_status(m, status, now, source="self")
        m.unsubscribe_reason = reason
        m.last_changed = now


@dataclass(frozen=True)
class Summary:
    """A campaign's report figures, as Mailchimp counts them (rates over delivered emails)."""

    emails_sent: int
    hard_bounces: int
    soft_bounces: int
    opens_total: int
    unique_opens: int
    proxy_excluded_opens: int
    proxy_excluded_unique_opens: int
    last_open: str
    clicks_total: int
    unique_clicks: int  # distinct (member, url)
    unique_subscriber_clicks: int  # distinct members
    last_click: str
    unsubscribed: int
    abuse_reports: int

    @property
    def delivered(self) -> int:
        return self.emails_sent - self.hard_bounces - self.soft_bounces

    def rate(self, count: int) -> float:
        return round(count / self.delivered, 4) if self.delivered else 0.0


def summarise(campaign: Campaign) -> Summary:
    events = [{**e, "email_id": h} for h, es in campaign.activity.items() for e in es]
    opens = [e for e in events if e["action"] == "open"]
    human = [e for e in opens if not e["machine"]]
    clicks = [e for e in events if e["action"] == "click"]
    bounces = [e.get("type") for e in events if e["action"] == "bounce"]
    return Summary(
        emails_sent=len(campaign.recipients),
        hard_bounces=bounces.count("hard"),
        soft_bounces=bounces.count("soft"),
        opens_total=len(opens),
        unique_opens=len({e["email_id"] for e in opens}),
        proxy_excluded_opens=len(human),
        proxy_excluded_unique_opens=len({e["email_id"] for e in human}),
        last_open=max((e["timestamp"] for e in opens), default=""),
        clicks_total=len(clicks),
        unique_clicks=len({(e["email_id"], e.get("url")) for e in clicks}),
        unique_subscriber_clicks=len({e["email_id"] for e in clicks}),
        last_click=max((e["timestamp"] for e in clicks), default=""),
        unsubscribed=len(campaign.unsubscribes),
        abuse_reports=len(campaign.abuse_reports),
    )
