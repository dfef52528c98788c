"""Reports of sent campaigns: the summary, recipients, per-member activity, unsubscribes and
abuse reports (`/reports...`).

Everything is read from what a send snapshotted and what the activity control generated
(`mailchimp_sandbox.activity`); a campaign that was not sent has no report (404). Paging is
`count`/`offset` with `total_items` everywhere but abuse reports (one page, as documented).
`email-activity` lists every recipient (an empty `activity` for those who did nothing), in the
order they were sent to; with `since` only actions strictly after it, and only the members
who have some.
"""

from __future__ import annotations

from typing import Any

from mailchimp_sandbox import errors
from mailchimp_sandbox.activity import summarise
from mailchimp_sandbox.campaigns import CAMPAIGN_TYPES, get_campaign
from mailchimp_sandbox.routing import (
    Endpoint,
    Request,
    Result,
    in_window,
    links,
    page,
    query_choice,
    time_filter,
)
from mailchimp_sandbox.store import Audience, Campaign

RENDERED_ACTIVITY_KEYS = ("action", "type", "url", "timestamp", "ip")


def _sent(req: Request) -> Campaign:
    c = get_campaign(req)
    if c.status != "sent":
        raise errors.not_found()
    return c


def _addresses(c: Campaign) -> dict[str, str]:
    return {r["email_id"]: r["email_address"] for r in c.recipients}


def _member_part(req: Request, c: Campaign, email_id: str, email_address: str) -> dict[str, Any]:
    """What every per-member report row carries: ids, address, merge fields, vip, the list."""
    a: Audience | None = req.store.lists.get(c.list_id)
    m = a.members.get(email_id) if a is not None else None
    merge = {}
    if a is not None and m is not None:
        merge = {mf.tag: m.merge.get(mf.merge_id, "") for mf in a.merge_fields.values()}
    return {
        "email_id": email_id,
        "email_address": email_address,
        "merge_fields": merge,
        "vip": bool(m.vip) if m is not None else False,
        "campaign_id": c.id,
        "list_id": c.list_id,
        "list_is_active": a is not None,
    }


def report(req: Request, c: Campaign) -> dict[str, Any]:
    a = req.store.lists.get(c.list_id)
    s = summarise(c)
    return {
        "id": c.id,
        "campaign_title": str(c.settings.get("title", "")),
        "type": c.type,
        "list_id": c.list_id,
        "list_is_active": a is not None,
        "list_name": a.name if a is not None else "",
        "subject_line": str(c.settings.get("subject_line", "")),
        "preview_text": str(c.settings.get("preview_text", "")),
        "emails_sent": s.emails_sent,
        "abuse_reports": s.abuse_reports,
        "unsubscribed": s.unsubscribed,
        "send_time": c.send_time,
        "bounces": {
            "hard_bounces": s.hard_bounces,
            "soft_bounces": s.soft_bounces,
            "syntax_errors": 0,
        },
        "forwards": {"forwards_count": 0, "forwards_opens": 0},
        "opens": {
            "opens_total": s.opens_total,
            "unique_opens": s.unique_opens,
            "open_rate": s.rate(s.unique_opens),
            "last_open": s.last_open,
            "proxy_excluded_opens": s.proxy_excluded_opens,
            "proxy_excluded_unique_opens": s.proxy_excluded_unique_opens,
            "proxy_excluded_open_rate": s.rate(s.proxy_excluded_unique_opens),
        },
        "clicks": {
            "clicks_total": s.clicks_total,
            "unique_clicks": s.unique_clicks,
            "unique_subscriber_clicks": s.unique_subscriber_clicks,
            "click_rate": s.rate(s.unique_subscriber_clicks),
            "last_click": s.last_click,
        },
        "ecommerce": {
            "total_orders": 0,
            "total_spent": 0,
            "total_revenue": 0,
            "currency_code": "USD",
        },
        "timeseries": [],
        "delivery_status": {"enabled": False},
        "_links": links(req, f"/reports/{c.id}", "/reports"),
    }


def list_reports(req: Request) -> Result:
    with req.store.lock:
        kind = query_choice(req, "type", CAMPAIGN_TYPES)
        since, before = time_filter(req, "since_send_time"), time_filter(req, "before_send_time")
        found = [
            c
            for c in req.store.campaigns.values()
            if c.status == "sent"
            and (kind is None or c.type == kind)
            and in_window(c.send_time, since, before)
        ]
        shown, total = page(found, req)
        return Result(
            200,
            {
                "reports": [report(req, c) for c in shown],
                "total_items": total,
                "_links": links(req, "/reports"),
            },
        )


def get_report(req: Request) -> Result:
    with req.store.lock:
        return Result(200, report(req, _sent(req)))


def sent_to(req: Request) -> Result:
    with req.store.lock:
        c = _sent(req)
        shown, total = page(c.recipients, req)
        rows = []
        for r in shown:
            events = c.activity.get(r["email_id"], [])
            times = [e["timestamp"] for e in events if e["action"] == "open"]
            row = _member_part(req, c, r["email_id"], r["email_address"])
            row.update(
                {
                    "status": r["status"],
                    "open_count": len(times),
                    "last_open": max(times, default=""),
                    "gmt_offset": 0,
                    "_links": links(req, f"/reports/{c.id}/sent-to/{r['email_id']}"),
                }
            )
            rows.append(row)
        return Result(
            200,
            {
                "sent_to": rows,
                "campaign_id": c.id,
                "total_items": total,
                "_links": links(req, f"/reports/{c.id}/sent-to", f"/reports/{c.id}"),
            },
        )


def email_activity(req: Request) -> Result:
    with req.store.lock:
        c = _sent(req)
        since = time_filter(req, "since")
        recipients = c.recipients
        if since is not None:
            recipients = [
                r
                for r in recipients
                if (events := c.activity.get(r["email_id"]))
                and in_window(events[-1]["timestamp"], since, None)
            ]
        shown, total = page(recipients, req)
        rows = []
        for r in shown:
            row = _member_part(req, c, r["email_id"], r["email_address"])
            del row["merge_fields"], row["vip"]
            row["activity"] = [
                {k: e[k] for k in RENDERED_ACTIVITY_KEYS if k in e}
                for e in c.activity.get(r["email_id"], [])
                if in_window(e["timestamp"], since, None)
            ]
            row["_links"] = links(req, f"/reports/{c.id}/email-activity/{r['email_id']}")
            rows.append(row)
        return Result(
            200,
            {
                "emails": rows,
                "campaign_id": c.id,
                "total_items": total,
                "_links": links(req, f"/reports/{c.id}/email-activity", f"/reports/{c.id}"),
            },
        )


def unsubscribed(req: Request) -> Result:
    with req.store.lock:
        c = _sent(req)
        shown, total = page(c.unsubscribes, req)
        addresses = _addresses(c)
        rows = []
        for u in shown:
            row = _member_part(req, c, u["email_id"], addresses.get(u["email_id"], ""))
            row.update({"timestamp": u["timestamp"], "reason": u["reason"]})
            row["_links"] = links(req, f"/reports/{c.id}/unsubscribed/{u['email_id']}")
            rows.append(row)
        return Result(
            200,
            {
                "unsubscribes": rows,
                "campaign_id": c.id,
                "total_items": total,
                "_links": links(req, f"/reports/{c.id}/unsubscribed", f"/reports/{c.id}"),
            },
        )


def abuse_reports(req: Request) -> Result:
    with req.store.lock:
        c = _sent(req)
        addresses = _addresses(c)
        rows = []
        for r in c.abuse_reports:
            row = _member_part(req, c, r["email_id"], addresses.get(r["email_id"], ""))
            row.update({"id": r["id"], "date": r["date"]})
            row["_links"] = links(req, f"/reports/{c.id}/abuse-reports/{r['id']}")
            rows.append(row)
        return Result(
            200,
            {
                "abuse_reports": rows,
                "campaign_id": c.id,
                "total_items": len(rows),
                "_links": links(req, f"/reports/{c.id}/abuse-reports", f"/reports/{c.id}"),
            },
        )


ROUTES: list[Endpoint] = [
    Endpoint("GET", "/reports", list_reports),
    Endpoint("GET", "/reports/{campaign_id}", get_report),
    Endpoint("GET", "/reports/{campaign_id}/sent-to", sent_to),
    Endpoint("GET", "/reports/{campaign_id}/email-activity", email_activity),
    Endpoint("GET", "/reports/{campaign_id}/unsubscribed", unsubscribed),
    Endpoint("GET", "/reports/{campaign_id}/abuse-reports", abuse_reports),
]
