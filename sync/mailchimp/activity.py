"""`engage pull`, second half: sent campaigns and what their recipients did (the Reports API).

Owns the read-back of campaign activity into `engage_sync.pulled_campaigns` (one row per sent
campaign: title, subject, send time, the tag it went to) and `pulled_campaign_activity` (one
row per recipient action: `sent`, `open`, `click`, `bounce`, `unsubscribe` with its reason,
`abuse_report`), and the resume points in `activity_progress`.

Which campaigns: one listing of the audience's campaigns sent in the last
`activity.history_days` (a request per 1000 campaigns); of those, the ones sent since the last
complete activity pull minus `activity.lookback_days` (opens, clicks and unsubscribes keep
arriving for days after a send), every one not seen before (all of them on the first pull),
and any campaign whose read a killed pull left unfinished. Per campaign:

  sent-to         read once, when the campaign is first seen (a sent campaign's recipients
                  do not change)
  email-activity  opens, clicks and bounces, always with `since`: the send on the first read,
                  then the start of the previous complete read minus OVERLAP, so a second pull
                  with no new activity reads one empty page per campaign
  unsubscribed    read whole every time (no `since` exists; a campaign has few)
  abuse-reports   one request (Mailchimp does not page it)

Requests for one pull of an audience with H campaigns in the history and C to read (R_c
recipients of a campaign seen for the first time, A_c members with activity since the last
read, U_c unsubscribes; every page holds 1000):
  ceil(H/1000) (at least 1) + [1 lookup of tag names when a new campaign went to a segment]
  + sum over new campaigns of max(1, ceil(R_c/1000))
  + sum over all C of max(1, ceil(A_c/1000)) + max(1, ceil(U_c/1000)) + 1.
A pull with nothing new makes ceil(H/1000) + 3C requests (1 + 3C under 1000 campaigns).

Resumable: every page is stored together with the offset of the next page in one transaction,
so a pull killed at any point resumes each unfinished read at the page it had not stored, with
the same `since`. Rows are keyed (campaign, member, action, time, url), so a page stored twice,
or an action also read by an overlapping later read, is kept once. Campaigns are read in
parallel, up to the client's connection cap; the readers never touch the database: one writer
thread stores whatever pages have queued up in one transaction (`_Writer`).

Emails are stored as in `pulled_members` (the warehouse matches people by subscriber hash);
they are never logged.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sync.errors import MailchimpError
from sync.mailchimp import state
from sync.mailchimp.apply import ProgressSink
from sync.mailchimp.client import MailchimpClient
from sync.mailchimp.exposures import Audience
from sync.mailchimp.state import SCHEMA, utcnow
from sync.mailchimp.timestamps import mc_time, parse_mc_time
from sync.warehouse.storage import Store

OVERLAP = timedelta(hours=1)
REPORTS = ("sent-to", "email-activity", "unsubscribed", "abuse-reports")
ACTIVITY_ACTIONS = ("open", "click", "bounce")
_COLUMNS = "a:v c:v h:v e:v act:v at:t u:v d:v pa:t"


@dataclass
class ActivityResult:
    """What one audience's activity pull read."""

    campaigns: int = 0
    new_campaigns: int = 0
    rows_read: int = 0
    requests: int = 0
    since_send_time: str | None = None
    newest_activity_at: str | None = None
    warning: str | None = None
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Campaign:
    campaign_id: str
    send_time: datetime


@dataclass(frozen=True)
class _Progress:
    since: datetime | None
    next_offset: int
    started_at: datetime | None
    completed_at: datetime | None


def _campaign_row(
    audience_id: str, c: dict[str, Any], tags: dict[int, str], pulled_at: datetime
) -> tuple:
    recipients = c.get("recipients") or {}
    segment_id = (recipients.get("segment_opts") or {}).get("saved_segment_id")
    segment_id = int(segment_id) if segment_id not in (None, "") else None
    settings = c.get("settings") or {}
    return (
        audience_id,
        str(c["id"]),
        int(c.get("web_id") or 0) or None,
        str(settings.get("title") or ""),
        str(settings.get("subject_line") or ""),
        parse_mc_time(c.get("send_time")),
        int(c.get("emails_sent") or 0),
        segment_id,
        str(recipients.get("segment_text") or ""),
        tags.get(segment_id) if segment_id is not None else None,
        pulled_at,
    )


def _rows(
    report: str, items: list[dict[str, Any]], c: _Campaign, audience_id: str, pulled_at: datetime
) -> list[tuple]:
    """A report page as pulled_campaign_activity rows."""
    out: list[tuple] = []

    def add(item: dict[str, Any], action: str, at: Any, url: str = "", detail: Any = None) -> None:
        h = str(item.get("email_id") or "")
        if not h:
            return
        when = parse_mc_time(at) or c.send_time
        email = str(item.get("email_address") or "") or None
        detail = str(detail) if detail not in (None, "") else None
        out.append((audience_id, c.campaign_id, h, email, action, when, url, detail, pulled_at))

    for item in items:
        if report == "sent-to":
            add(item, "sent", None, detail=item.get("status"))
        elif report == "email-activity":
            for a in item.get("activity") or []:
                action = str(a.get("action") or "")
                if action in ACTIVITY_ACTIONS:
                    url = str(a.get("url") or "") if action == "click" else ""
                    detail = a.get("type") if action == "bounce" else None
                    add(item, action, a.get("timestamp"), url, detail)
        elif report == "unsubscribed":
            add(item, "unsubscribe", item.get("timestamp"), detail=item.get("reason"))
        else:
            add(item, "abuse_report", item.get("date"))
    return out


@dataclass(frozen=True)
class _Step:
    """What a reader hands the writer: a read begins, a page arrives, or a read completes."""

    campaign_id: str
    report: str
    kind: str  # begin | page | complete
    since: datetime | None
    next_offset: int
    at: datetime | None
    rows: list[tuple] = field(default_factory=list)


class _Writer:
    """The one thread that writes: readers `put` steps, the writer stores whatever has queued
    up in one transaction (rows, then each read's progress as of its last step), so commits
    are shared between pages and a page's rows and its resume point land together.

    Used as a context manager around the readers: on exit it stores what is left and stops;
    a write error is raised there, and `failed` tells readers to stop early."""

    BATCH = 64

    def __init__(self, con: Store) -> None:
        self.con = con
        self.queue: queue.Queue[_Step | None] = queue.Queue(maxsize=self.BATCH * 2)
        self.failed = threading.Event()
        self.error: BaseException | None = None
        self.progress: dict[tuple[str, str], tuple] = {}
        self._thread = threading.Thread(target=self._loop, name="engage-activity-writer")

    def __enter__(self) -> _Writer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.queue.put(None)
        self._thread.join()
        if self.error is not None and exc[0] is None:
            raise self.error

    def put(self, step: _Step) -> None:
        self.queue.put(step)

    def _loop(self) -> None:
        while True:
            steps = [self.queue.get()]
            while len(steps) < self.BATCH:
                try:
                    steps.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            done = None in steps
            if not self.failed.is_set():
                try:
                    self._store([s for s in steps if s is not None])
                except BaseException as err:  # keep draining so readers never block
                    self.error = err
                    self.failed.set()
            if done:
                return

    def _store(self, steps: list[_Step]) -> None:
        touched: dict[tuple[str, str], tuple] = {}
        rows: list[tuple] = []
        for st in steps:
            key = (st.campaign_id, st.report)
            since, _, started, completed = self.progress.get(key, (st.since, 0, None, None))
            if st.kind == "begin":
                since, started, completed = st.since, st.at, None
            elif st.kind == "complete":
                completed = st.at
            self.progress[key] = touched[key] = (since, st.next_offset, started, completed)
            rows += st.rows
        with state.in_transaction(self.con):
            state.bulk(
                self.con,
                f"insert into {SCHEMA}.pulled_campaign_activity "
                "select distinct * from _bulk on conflict do nothing",
                _COLUMNS,
                rows,
            )
            state.upsert(
                self.con,
                "activity_progress",
                "c:v r:v s:t o:i st:t co:t",
                [(c, r, *v) for (c, r), v in touched.items()],
            )


class ActivityPuller:
    """Reads one audience's campaigns and their reports; `run` does the whole pull."""

    def __init__(
        self,
        con: Store,
        client: MailchimpClient,
        aud: Audience,
        audience_id: str,
        progress: ProgressSink | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.con = con
        self.client = client
        self.aud = aud
        self.audience_id = audience_id
        self.progress = progress or ProgressSink()
        self.now = now
        self.result = ActivityResult()
        self._count = threading.Lock()
        self._resume: dict[tuple[str, str], _Progress] = {}
        self._writer = _Writer(con)

    # -- reading (worker threads: no database access, everything goes to the writer) --------

    def _read(self, c: _Campaign, report: str, last: _Progress | None) -> None:
        """One report of one campaign, from its resume point or afresh."""
        if last is not None and last.completed_at is None:
            since, offset = last.since, last.next_offset  # a killed read: carry on
        else:
            if report == "sent-to" and last is not None:
                return  # recipients are read once
            since = None
            if report == "email-activity":
                since = (
                    last.started_at - OVERLAP
                    if last is not None and last.started_at is not None
                    else c.send_time - timedelta(seconds=1)
                )
            offset = 0
            self._writer.put(_Step(c.campaign_id, report, "begin", since, 0, self.now()))
        while not self._writer.failed.is_set():
            items, total = self.client.report_page(
                report, c.campaign_id, offset, mc_time(since) if since else None
            )
            rows = _rows(report, items, c, self.audience_id, self.now())
            offset += len(items)
            self._writer.put(_Step(c.campaign_id, report, "page", since, offset, None, rows))
            with self._count:
                self.result.requests += 1
                self.result.rows_read += len(rows)
            if not items or offset >= total or report == "abuse-reports":
                self._writer.put(
                    _Step(c.campaign_id, report, "complete", since, offset, self.now())
                )
                return

    def _read_campaign(self, c: _Campaign) -> str | None:
        try:
            for report in REPORTS:
                self._read(c, report, self._resume.get((c.campaign_id, report)))
        except MailchimpError as err:
            return f"campaign {c.campaign_id}: {err.summary()}"
        finally:
            self.progress.advance("pull campaign activity", 1)
        return None

    def _campaigns(self, history_from: datetime, since_send: datetime) -> list[_Campaign]:
        """List the audience's campaigns sent since `history_from` and store them; read those
        sent since `since_send`, those never seen before and those with unfinished reads."""
        listed = self.client.sent_campaigns(self.audience_id, mc_time(history_from))
        self.result.requests += max(1, -(-len(listed) // 1000))
        known = {
            cid
            for (cid,) in self.con.execute(
                f"select campaign_id from {SCHEMA}.pulled_campaigns where audience_id = ?",
                [self.audience_id],
            ).fetchall()
        }
        new = [c for c in listed if str(c["id"]) not in known]
        self.result.new_campaigns = len(new)
        tags: dict[int, str] = {}
        if any((c.get("recipients") or {}).get("segment_opts") for c in new):
            segments = self.client.static_segments(self.audience_id)
            self.result.requests += max(1, -(-len(segments) // 1000))
            tags = {seg_id: name for seg_id, name in segments.values()}
        pulled_at = self.now()
        rows = [_campaign_row(self.audience_id, c, tags, pulled_at) for c in listed]
        with state.in_transaction(self.con):
            # A campaign seen again keeps the tag resolved when it was new.
            state.bulk(
                self.con,
                f"""
                insert into {SCHEMA}.pulled_campaigns
                select * from _bulk
                on conflict (campaign_id) do update set
                    title = excluded.title, subject_line = excluded.subject_line,
                    send_time = excluded.send_time, emails_sent = excluded.emails_sent,
                    segment_text = excluded.segment_text,
                    tag = coalesce(excluded.tag, pulled_campaigns.tag),
                    pulled_at = excluded.pulled_at
                """,
                "a:v c:v w:i ti:v su:v st:t n:i s:i sx:v tg:v pa:t",
                rows,
            )
            unfinished = self.con.execute(
                f"""
                select distinct c.campaign_id, c.send_time
                from {SCHEMA}.pulled_campaigns c
                inner join {SCHEMA}.activity_progress p on p.campaign_id = c.campaign_id
                where c.audience_id = ? and p.completed_at is null
                """,
                [self.audience_id],
            ).fetchall()
        # New ones whatever their send time: a campaign may be reported sent before the last
        # pull began (a scheduled or time-zone send finishing later, a clock that differs).
        new_ids = {str(c["id"]) for c in new}
        out = {
            str(c[1]): _Campaign(str(c[1]), c[5])
            for c in rows
            if c[5] is not None and (c[5] >= since_send or str(c[1]) in new_ids)
        }
        for cid, sent in unfinished:
            out.setdefault(cid, _Campaign(cid, sent))
        return sorted(out.values(), key=lambda c: (c.send_time, c.campaign_id))

    def _check_freshness(self, now: datetime) -> None:
        """Warn when the newest activity on record is older than `activity.stale_after_days`."""
        limit = self.aud.spec.activity.stale_after_days
        (newest,) = self.con.execute(
            f"select max(occurred_at) from {SCHEMA}.pulled_campaign_activity where audience_id = ?",
            [self.audience_id],
        ).fetchone()
        self.result.newest_activity_at = mc_time(newest) if newest is not None else None
        if newest is None or now - newest > timedelta(days=limit):
            seen = f"since {newest:%Y-%m-%d}" if newest is not None else "ever"
            self.result.warning = (
                f"no campaign activity {seen} (over {limit} days): email scores, the contact "
                "cap and email segments go stale. Check that campaigns are being sent to this "
                "audience and that the API key can read reports (or raise "
                "activity.stale_after_days in the exposure)"
            )

    def run(self) -> ActivityResult:
        started = self.now()
        spec = self.aud.spec.activity
        row = self.con.execute(
            f"select pulled_at from {SCHEMA}.activity_watermarks where audience_id = ?",
            [self.audience_id],
        ).fetchone()
        last = row[0] if row else None
        since_send = (
            last - timedelta(days=spec.lookback_days)
            if last is not None
            else started - timedelta(days=spec.history_days)
        )
        self.result.since_send_time = mc_time(since_send)
        campaigns = self._campaigns(started - timedelta(days=spec.history_days), since_send)
        self.result.campaigns = len(campaigns)
        self.progress.start("pull campaign activity", len(campaigns))
        self._resume = {
            (cid, report): _Progress(since, offset, began, done)
            for cid, report, since, offset, began, done in self.con.execute(
                f"select campaign_id, report, since, next_offset, started_at, completed_at "
                f"from {SCHEMA}.activity_progress where campaign_id in "
                f"(select campaign_id from {SCHEMA}.pulled_campaigns where audience_id = ?)",
                [self.audience_id],
            ).fetchall()
        }
        self._writer.progress = {
            key: (p.since, p.next_offset, p.started_at, p.completed_at)
            for key, p in self._resume.items()
        }
        workers = max(1, min(self.client.concurrency, len(campaigns)))
        with self._writer, ThreadPoolExecutor(workers, "engage-activity") as pool:
            errors = [e for e in pool.map(self._read_campaign, campaigns) if e]
        self.result.errors = errors
        self._check_freshness(started)
        if not errors:
            state.upsert(self.con, "activity_watermarks", "a:v at:t", [(self.audience_id, started)])
        return self.result


def pull_activity(
    con: Store,
    client: MailchimpClient,
    aud: Audience,
    audience_id: str,
    progress: ProgressSink | None = None,
) -> ActivityResult:
    """Read one audience's campaign activity back (see the module docstring)."""
    return ActivityPuller(con, client, aud, audience_id, progress).run()
