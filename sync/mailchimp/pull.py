"""`engage pull`: read each audience back from Mailchimp into `engage_sync.pulled_*`.

Members here; then, per audience, its sent campaigns and their activity
(`sync.mailchimp.activity`).

Owns the read-back: status, `last_changed`, the merge fields we declare and the tags in our
namespaces (nothing else is stored: data minimisation), incrementally with
`since_last_changed` (minus an overlap, de-duplicated by upsert; archived members are read in
a second pass with `status=archived`, since Mailchimp leaves them out by default). A `--full`
pull also drops members Mailchimp no longer returns (permanently deleted).

Opt-outs are sticky: every unsubscribed or cleaned status a pull sees is appended to
`pulled_optouts` (observed at Mailchimp's `last_changed`, else at the pull) and never deleted,
so a later archive or permanent delete, which overwrites or drops the `pulled_members` row,
cannot make the warehouse forget it.

What it feeds: `pulled_members`, `pulled_optouts` and `sync_rejects` are the warehouse's
`mailchimp_sync` source, so unsubscribed and cleaned members become opt-outs/suppressions
there; the pushed state's statuses are refreshed so the next plan never tries to re-subscribe
them; a compliance reject is cleared when the person has since re-subscribed in Mailchimp
themselves.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sync.errors import MailchimpError
from sync.mailchimp import state
from sync.mailchimp.activity import ActivityResult, pull_activity
from sync.mailchimp.apply import ProgressSink
from sync.mailchimp.audiences import resolve_audience
from sync.mailchimp.client import MailchimpClient, subscriber_hash
from sync.mailchimp.exposures import Audience
from sync.mailchimp.merge_fields import canonical_from_mailchimp
from sync.mailchimp.runlog import finish_run, start_run
from sync.mailchimp.state import SCHEMA, utcnow
from sync.mailchimp.timestamps import mc_time, parse_mc_time
from sync.warehouse.storage import Store

OVERLAP = timedelta(minutes=5)
KNOWN_STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional")
OPTOUT_STATUSES = ("unsubscribed", "cleaned")

# Appends the opt-outs in `{rows}` (audience_id, email_address, subscriber_hash, status,
# last_changed, pulled_at) not recorded yet. Without a Mailchimp time, an opt-out already on
# record for that status is the same one (a full pull must not append it every night).
_RECORD_OPTOUTS = f"""
insert into {SCHEMA}.pulled_optouts
select distinct n.audience_id, n.email_address, n.subscriber_hash, n.status,
       coalesce(n.last_changed, n.pulled_at)
from ({{rows}}) n
where n.status in {OPTOUT_STATUSES!r}
  and not exists (
      select 1 from {SCHEMA}.pulled_optouts o
      where o.audience_id = n.audience_id and o.subscriber_hash = n.subscriber_hash
        and o.status = n.status
        and (n.last_changed is null or o.observed_at = n.last_changed))
"""


@dataclass
class PullResult:
    audience_key: str
    audience_id: str = ""
    status: str = "ok"  # ok | skipped | error
    full: bool = False
    members_read: int = 0
    opted_out_seen: int = 0
    removed: int = 0
    rejects_cleared: int = 0
    error: str | None = None
    since: str | None = None
    activity: ActivityResult | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """One line for the console (no addresses)."""
        line = (
            f"{self.status}, {self.members_read} member(s) read{' (full)' if self.full else ''}, "
            f"{self.opted_out_seen} unsubscribed/cleaned"
        )
        if self.activity is not None:
            a = self.activity
            line += (
                f"; {a.campaigns} campaign(s) ({a.new_campaigns} new), "
                f"{a.rows_read} activity row(s) in {a.requests} request(s)"
            )
            if a.warning:
                line += f"; warning: {a.warning}"
        return line + (f" - {self.error}" if self.error else "")


def _owned_tags(
    aud: Audience, member: dict[str, Any], client: MailchimpClient, audience_id: str
) -> list[str]:
    tags = member.get("tags") or []
    names = [str(t.get("name", "")) for t in tags if isinstance(t, dict)]
    if int(member.get("tags_count") or 0) > len(names):
        names = client.member_tags(audience_id, str(member["id"]))
    return sorted({n for n in names if aud.owns_tag(n)})


def _write_page(
    con: Store,
    aud: Audience,
    audience_id: str,
    members: list[dict[str, Any]],
    tags: dict[str, list[str]],
    pulled_at: datetime,
) -> None:
    specs = aud.spec.merge_fields
    rows, fields, tag_rows = [], [], []
    for m in members:
        email = str(m.get("email_address") or "")
        h = str(m.get("id") or subscriber_hash(email))
        rows.append(
            (
                audience_id,
                email,
                h,
                str(m.get("status") or ""),
                parse_mc_time(m.get("last_changed")),
                pulled_at,
                int(m.get("tags_count") or 0),
            )
        )
        mf = m.get("merge_fields") or {}
        for s in specs:
            if s.tag in mf:
                fields.append((audience_id, h, s.tag, canonical_from_mailchimp(s, mf[s.tag])))
        tag_rows += [(audience_id, h, t) for t in tags.get(h, [])]
    hashes = [(audience_id, r[2]) for r in rows]
    with state.in_transaction(con):
        state.upsert(con, "pulled_members", "a:v e:v h:v st:v lc:t pa:t tc:i", rows)
        state.bulk(
            con,
            _RECORD_OPTOUTS.format(
                rows="select a as audience_id, e as email_address, h as subscriber_hash, "
                "st as status, lc as last_changed, pa as pulled_at from _bulk"
            ),
            "a:v e:v h:v st:v lc:t pa:t",
            [r[:6] for r in rows if r[3] in OPTOUT_STATUSES],
        )
        for tbl in ("pulled_merge_fields", "pulled_tags"):
            state.bulk(
                con,
                f"delete from {SCHEMA}.{tbl} p using _bulk b where p.audience_id = b.a "
                "and p.subscriber_hash = b.h",
                "a:v h:v",
                hashes,
            )
        state.upsert(con, "pulled_merge_fields", "a:v h:v t:v v:v", fields)
        state.upsert(con, "pulled_tags", "a:v h:v t:v", list(dict.fromkeys(tag_rows)))
        # Refresh the statuses we believe in (opt-outs above all). An archive by someone else
        # is not copied: the plan leaves such members alone unless reconciling.
        state.bulk(
            con,
            f"update {SCHEMA}.pushed_members p set status = b.st from _bulk b "
            "where p.audience_id = b.a and p.subscriber_hash = b.h "
            "and p.status is distinct from b.st",
            "a:v h:v st:v",
            [(audience_id, r[2], r[3]) for r in rows if r[3] in KNOWN_STATUSES],
        )


def pull_audience(
    con: Store,
    client: MailchimpClient,
    aud: Audience,
    audience_id: str,
    full: bool = False,
    progress: ProgressSink | None = None,
) -> PullResult:
    """Read one audience back into the pulled tables."""
    progress = progress or ProgressSink()
    res = PullResult(aud.key, audience_id, full=full)
    row = con.execute(
        f"select last_changed_max from {SCHEMA}.pull_watermarks where audience_id = ?",
        [audience_id],
    ).fetchone()
    watermark = row[0] if row else None
    if watermark is None:
        full = res.full = True
    since = None if full else mc_time(watermark - OVERLAP)
    res.since = since
    pulled_at = utcnow()
    # Opt-outs pulled before `pulled_optouts` existed are recorded before a page can overwrite them.
    with state.in_transaction(con):
        con.execute(
            _RECORD_OPTOUTS.format(
                rows="select audience_id, email_address, subscriber_hash, status, last_changed, "
                f"pulled_at from {SCHEMA}.pulled_members where audience_id = ?"
            ),
            [audience_id],
        )
    newest = watermark
    for status in (None, "archived"):
        step = f"pull {status or 'members'}"
        started = False
        for members, total in client.iter_members(audience_id, since, status):
            if not started:
                progress.start(step, total)
                started = True
            tags = {str(m["id"]): _owned_tags(aud, m, client, audience_id) for m in members}
            _write_page(con, aud, audience_id, members, tags, pulled_at)
            for m in members:
                t = parse_mc_time(m.get("last_changed"))
                if t and (newest is None or t > newest):
                    newest = t
                if m.get("status") in ("unsubscribed", "cleaned"):
                    res.opted_out_seen += 1
            res.members_read += len(members)
            progress.advance(step, len(members))
    with state.in_transaction(con):
        if full:
            gone = con.execute(
                f"select subscriber_hash from {SCHEMA}.pulled_members where audience_id = ? "
                "and pulled_at < ?",
                [audience_id, pulled_at],
            ).fetchall()
            res.removed = len(gone)
            for tbl in ("pulled_members", "pulled_merge_fields", "pulled_tags"):
                state.bulk(
                    con,
                    f"delete from {SCHEMA}.{tbl} p using _bulk b where p.audience_id = b.a "
                    "and p.subscriber_hash = b.h",
                    "a:v h:v",
                    [(audience_id, g[0]) for g in gone],
                )
        # A person who re-subscribed in Mailchimp after a compliance refusal may be written again.
        cleared = con.execute(
            f"""
            delete from {SCHEMA}.sync_rejects r
            where r.audience_id = ? and r.reason = 'compliance_state'
              and exists (select 1 from {SCHEMA}.pulled_members p
                          where p.audience_id = r.audience_id
                            and p.subscriber_hash = r.subscriber_hash
                            and p.status in ('subscribed', 'pending')
                            and p.last_changed > r.rejected_at)
            returning subscriber_hash
            """,
            [audience_id],
        ).fetchall()
        res.rejects_cleared = len(cleared)
        (full_at,) = con.row(
            f"select max(full_pulled_at) from {SCHEMA}.pull_watermarks where audience_id = ?",
            [audience_id],
        )
        state.upsert(
            con,
            "pull_watermarks",
            "a:v lc:t pa:t fa:t",
            [(audience_id, newest, pulled_at, pulled_at if full else full_at)],
        )
    return res


def pull_all(
    con: Store,
    client: MailchimpClient,
    audiences: list[Audience],
    full: bool = False,
    progress: ProgressSink | None = None,
) -> list[PullResult]:
    """Pull every audience that exists in Mailchimp (resolving ids by name, never creating)."""
    out = []
    for aud in audiences:
        run = start_run(con, "pull", aud.key)
        try:
            audience_id, _ = resolve_audience(con, client, aud, create=False)
            if not audience_id:
                res = PullResult(
                    aud.key,
                    status="skipped",
                    error="audience does not exist yet (the first sync creates it)",
                )
                finish_run(con, run, "skipped")
            else:
                res = pull_audience(con, client, aud, audience_id, full, progress)
                if aud.spec.activity.enabled:
                    res.activity = pull_activity(con, client, aud, audience_id, progress)
                    if res.activity.errors:
                        res.status = "error"
                        res.error = "campaign activity: " + "; ".join(res.activity.errors)
                finish_run(
                    con,
                    run,
                    res.status,
                    audience_id=audience_id,
                    counts=res.as_dict(),
                    errors=[res.error] if res.error else None,
                )
        except MailchimpError as err:
            res = PullResult(aud.key, status="error", error=err.summary())
            finish_run(con, run, "error", errors=[err.summary()])
        out.append(res)
    return out
