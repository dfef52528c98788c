"""Campaigns: create (regular/plaintext to an audience or one of its tags/static segments),
list, get, and send.

A campaign is a draft (`save`) until `POST /campaigns/{id}/actions/send`, which snapshots the
recipients: the subscribed members of the audience, or of the saved segment
(`recipients.segment_opts.saved_segment_id`, a tag or static segment) at that moment. Sending
is instant (`sent`, no `sending` phase) and produces no activity by itself: the control
`POST /_sandbox/campaigns/{id}/activity` generates it (`mailchimp_sandbox.activity`). Content,
scheduling, tests and A/B or RSS campaigns are not emulated.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mailchimp_sandbox import errors
from mailchimp_sandbox.activity import summarise
from mailchimp_sandbox.routing import (
    Endpoint,
    Request,
    Result,
    expect_enum,
    expect_type,
    in_window,
    links,
    page,
    query_choice,
    require_fields,
    require_object,
    time_filter,
)
from mailchimp_sandbox.rules import now_iso, parse_timestamp
from mailchimp_sandbox.store import Audience, Campaign, Store

CAMPAIGN_TYPES = ("regular", "plaintext", "absplit", "rss", "variate")
SENDABLE_TYPES = ("regular", "plaintext")
STATUSES = ("save", "paused", "schedule", "sending", "sent", "canceled", "canceling", "archived")
SETTING_KEYS = ("subject_line", "preview_text", "title", "from_name", "reply_to", "to_name")
NOT_READY = "Your Campaign is not ready to send."


def get_campaign(req: Request) -> Campaign:
    campaign = req.store.campaigns.get(req.params["campaign_id"])
    if campaign is None:
        raise errors.not_found()
    return campaign


def _segment_members(a: Audience, segment_id: int | None) -> list[str]:
    """Hashes of the subscribed members a send would reach, in audience order."""
    chosen = a.tags[segment_id].members if segment_id is not None else None
    return [
        h
        for h, m in a.members.items()
        if m.status == "subscribed" and (chosen is None or h in chosen)
    ]


def _segment_text(a: Audience | None, segment_id: int | None) -> str:
    if a is None or segment_id is None:
        return ""
    tag = a.tags.get(segment_id)
    return f'Tag "{tag.name}"' if tag is not None else ""


def render(req: Request, c: Campaign) -> dict[str, Any]:
    store: Store = req.store
    a = store.lists.get(c.list_id)
    if c.status == "sent":
        count = len(c.recipients)
    elif a is not None and (c.saved_segment_id is None or c.saved_segment_id in a.tags):
        count = len(_segment_members(a, c.saved_segment_id))
    else:
        count = 0
    recipients: dict[str, Any] = {
        "list_id": c.list_id,
        "list_is_active": a is not None,
        "list_name": a.name if a is not None else "",
        "segment_text": _segment_text(a, c.saved_segment_id),
        "recipient_count": count,
    }
    if c.saved_segment_id is not None:
        recipients["segment_opts"] = {"saved_segment_id": c.saved_segment_id, "match": "all"}
    settings = {key: str(c.settings.get(key, "")) for key in SETTING_KEYS}
    settings.update(
        {
            "use_conversation": False,
            "folder_id": "",
            "authenticate": True,
            "auto_footer": False,
            "inline_css": False,
            "auto_tweet": False,
            "fb_comments": True,
            "timewarp": False,
            "template_id": 0,
            "drag_and_drop": False,
        }
    )
    archive = f"http://eepurl.engage.invalid/{c.id}"
    doc: dict[str, Any] = {
        "id": c.id,
        "web_id": c.web_id,
        "type": c.type,
        "create_time": c.create_time,
        "archive_url": archive,
        "long_archive_url": archive,
        "status": c.status,
        "emails_sent": len(c.recipients),
        "send_time": c.send_time,
        "content_type": "template",
        "needs_block_refresh": False,
        "resendable": False,
        "recipients": recipients,
        "settings": settings,
        "tracking": {
            "opens": True,
            "html_clicks": True,
            "text_clicks": False,
            "goal_tracking": False,
            "ecomm360": False,
            "google_analytics": "",
            "clicktale": "",
        },
        "delivery_status": {"enabled": False},
    }
    if c.status == "sent":
        s = summarise(c)
        doc["report_summary"] = {
            "opens": s.opens_total,
            "unique_opens": s.unique_opens,
            "open_rate": s.rate(s.unique_opens),
            "clicks": s.clicks_total,
            "subscriber_clicks": s.unique_subscriber_clicks,
            "click_rate": s.rate(s.unique_subscriber_clicks),
            "ecommerce": {"total_orders": 0, "total_spent": 0, "total_revenue": 0},
        }
    doc["_links"] = links(req, f"/campaigns/{c.id}", "/campaigns")
    return doc


def _recipients(req: Request, body: dict[str, Any]) -> tuple[str, int | None]:
    """The audience and segment of a create body, checked against the store."""
    spec = body.get("recipients")
    if spec is None:
        return "", None
    spec = require_object(spec, "recipients")
    require_fields(spec, ["list_id"], "recipients")
    expect_type(spec, "list_id", (str,), "string", "recipients")
    expect_type(spec, "segment_opts", (dict,), "object", "recipients")
    a = req.store.lists.get(spec["list_id"])
    if a is None:
        raise errors.invalid_resource(
            "The resource submitted could not be validated. For field-specific details, see "
            "the 'errors' array.",
            [{"field": "recipients.list_id", "message": "Invalid list ID."}],
        )
    opts = spec.get("segment_opts") or {}
    expect_type(opts, "saved_segment_id", (int,), "integer", "recipients.segment_opts")
    if opts.get("conditions"):
        raise errors.bad_request(
            "The sandbox does not evaluate segment conditions: use saved_segment_id (a tag or "
            "static segment)."
        )
    segment_id = opts.get("saved_segment_id")
    if segment_id is not None and segment_id not in a.tags:
        raise errors.invalid_resource(
            "The resource submitted could not be validated. For field-specific details, see "
            "the 'errors' array.",
            [
                {
                    "field": "recipients.segment_opts.saved_segment_id",
                    "message": "Invalid segment ID.",
                }
            ],
        )
    return a.id, segment_id


def create_campaign(req: Request) -> Result:
    body = require_object(req.body)
    require_fields(body, ["type"])
    expect_enum(body, "type", CAMPAIGN_TYPES)
    expect_type(body, "settings", (dict,), "object")
    settings = body.get("settings") or {}
    for key in SETTING_KEYS:
        expect_type(settings, key, (str,), "string", "settings")
    with req.store.lock:
        list_id, segment_id = _recipients(req, body)
        c = Campaign(
            id=req.store.new_campaign_id(),
            web_id=req.store.new_web_id(),
            type=body["type"],
            create_time=now_iso(),
            list_id=list_id,
            saved_segment_id=segment_id,
            settings={k: settings[k] for k in SETTING_KEYS if k in settings},
        )
        req.store.campaigns[c.id] = c
        req.store.touch()
        return Result(200, render(req, c))


def _sort_key(field: str) -> Any:
    floor = datetime.min.replace(tzinfo=UTC)
    return lambda c: (parse_timestamp(getattr(c, field)) if getattr(c, field) else None) or floor


def select_campaigns(req: Request) -> list[Campaign]:
    for unsupported in ("folder_id", "member_id"):
        if req.query.get(unsupported):
            raise errors.bad_request(f"The sandbox does not support the {unsupported} filter.")
    kind = query_choice(req, "type", CAMPAIGN_TYPES)
    status = query_choice(req, "status", STATUSES)
    found = list(req.store.campaigns.values())
    if kind:
        found = [c for c in found if c.type == kind]
    if status:
        found = [c for c in found if c.status == status]
    if req.query.get("list_id"):
        found = [c for c in found if c.list_id == req.query["list_id"]]
    for attr in ("send_time", "create_time"):
        since, before = time_filter(req, f"since_{attr}"), time_filter(req, f"before_{attr}")
        found = [c for c in found if in_window(getattr(c, attr), since, before)]
    sort_field = query_choice(req, "sort_field", ("create_time", "send_time"))
    sort_dir = query_choice(req, "sort_dir", ("ASC", "DESC"))
    if sort_field or sort_dir:
        found.sort(key=_sort_key(sort_field or "create_time"), reverse=sort_dir == "DESC")
    return found


def list_campaigns(req: Request) -> Result:
    with req.store.lock:
        shown, total = page(select_campaigns(req), req)
        return Result(
            200,
            {
                "campaigns": [render(req, c) for c in shown],
                "total_items": total,
                "_links": links(req, "/campaigns", None, ("POST",)),
            },
        )


def get_one(req: Request) -> Result:
    with req.store.lock:
        return Result(200, render(req, get_campaign(req)))


def send_campaign(req: Request) -> Result:
    with req.store.lock:
        c = get_campaign(req)
        if c.status != "save":
            raise errors.bad_request("This campaign has already been sent.")
        if c.type not in SENDABLE_TYPES:
            raise errors.bad_request("The sandbox sends regular and plaintext campaigns only.")
        a = req.store.lists.get(c.list_id)
        missing = [k for k in ("subject_line", "from_name", "reply_to") if not c.settings.get(k)]
        if a is None:
            missing.insert(0, "recipients.list_id")
        elif c.saved_segment_id is not None and c.saved_segment_id not in a.tags:
            missing.insert(0, "recipients.segment_opts.saved_segment_id")
        if missing:
            raise errors.invalid_resource(
                NOT_READY, [{"field": f, "message": "This value is required."} for f in missing]
            )
        assert a is not None
        hashes = _segment_members(a, c.saved_segment_id)
        if not hashes:
            raise errors.invalid_resource(
                NOT_READY, [{"field": "recipients", "message": "No subscribed recipients."}]
            )
        c.recipients = [
            {"email_id": h, "email_address": a.members[h].email_address, "status": "sent"}
            for h in hashes
        ]
        c.status = "sent"
        c.send_time = now_iso()
        req.store.touch()
        return Result(204)


ROUTES: list[Endpoint] = [
    Endpoint("GET", "/campaigns", list_campaigns),
    Endpoint("POST", "/campaigns", create_campaign),
    Endpoint("GET", "/campaigns/{campaign_id}", get_one),
    Endpoint("POST", "/campaigns/{campaign_id}/actions/send", send_campaign),
]
