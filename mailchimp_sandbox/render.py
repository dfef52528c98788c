"""JSON shapes of sandbox resources, as Mailchimp returns them (checked by the contract tests).

Every merge field of the audience is echoed on a member (`""` when empty), `tags` holds at most
`member_tags_shown` (50) entries with `tags_count` the total, empty timestamps are `""`.
"""

from __future__ import annotations

from typing import Any

from mailchimp_sandbox.routing import Request, links
from mailchimp_sandbox.store import Audience, Batch, Member, MergeField, Tag

UNSUBSCRIBE_REASONS = {
    "self": "N/A (Unsubscribed by the contact)",
    "admin": "N/A (Unsubscribed by an admin)",
    "api": "N/A (Unsubscribed via the API)",
}


def member_path(audience: Audience, member: Member) -> str:
    return f"/lists/{audience.id}/members/{member.hash}"


def member(req: Request, audience: Audience, m: Member) -> dict[str, Any]:
    merge = {}
    for mf in audience.merge_fields.values():
        merge[mf.tag] = m.merge.get(mf.merge_id, "")
    fname, lname = merge.get("FNAME", ""), merge.get("LNAME", "")
    tags = sorted(audience.member_tags(m.hash), key=lambda t: t.id)
    shown = req.settings.member_tags_shown
    doc: dict[str, Any] = {
        "id": m.hash,
        "email_address": m.email_address,
        "unique_email_id": m.unique_email_id,
        "contact_id": m.contact_id,
        "full_name": " ".join(str(p) for p in (fname, lname) if p),
        "web_id": m.web_id,
        "email_type": m.email_type,
        "status": m.status,
        "consents_to_one_to_one_messaging": True,
        "merge_fields": merge,
        "stats": {"avg_open_rate": 0, "avg_click_rate": 0},
        "ip_signup": m.ip_signup,
        "timestamp_signup": m.timestamp_signup,
        "ip_opt": m.ip_opt,
        "timestamp_opt": m.timestamp_opt,
        "member_rating": 2,
        "last_changed": m.last_changed,
        "language": m.language,
        "vip": m.vip,
        "email_client": "",
        "location": {
            "latitude": m.latitude,
            "longitude": m.longitude,
            "gmtoff": 0,
            "dstoff": 0,
            "country_code": "",
            "timezone": "",
        },
        "source": m.source,
        "tags_count": len(tags),
        "tags": [{"id": t.id, "name": t.name} for t in tags[:shown]],
        "list_id": audience.id,
    }
    if m.interests:
        doc["interests"] = dict(m.interests)
    if m.marketing_permissions:
        doc["marketing_permissions"] = list(m.marketing_permissions)
    if m.status == "unsubscribed":
        doc["unsubscribe_reason"] = m.unsubscribe_reason or UNSUBSCRIBE_REASONS.get(
            m.unsubscribe_source, "N/A"
        )
    path = member_path(audience, m)
    doc["_links"] = links(req, path, f"/lists/{audience.id}/members", ("PATCH", "PUT", "DELETE"))
    return doc


def audience(req: Request, a: Audience) -> dict[str, Any]:
    statuses = [m.status for m in a.members.values()]
    path = f"/lists/{a.id}"
    stats: dict[str, Any] = {
        "member_count": statuses.count("subscribed"),
        "unsubscribe_count": statuses.count("unsubscribed"),
        "cleaned_count": statuses.count("cleaned"),
        "member_count_since_send": statuses.count("subscribed"),
        "unsubscribe_count_since_send": statuses.count("unsubscribed"),
        "cleaned_count_since_send": statuses.count("cleaned"),
        "campaign_count": 0,
        "campaign_last_sent": "",
        "merge_field_count": len(a.merge_fields),
        "avg_sub_rate": 0,
        "avg_unsub_rate": 0,
        "target_sub_rate": 0,
        "open_rate": 0,
        "click_rate": 0,
        "last_sub_date": "",
        "last_unsub_date": "",
    }
    if req.query.get("include_total_contacts", "").lower() in ("true", "1"):
        stats["total_contacts"] = len(statuses)
    return {
        "id": a.id,
        "web_id": a.web_id,
        "name": a.name,
        "contact": dict(a.contact),
        "permission_reminder": a.permission_reminder,
        "use_archive_bar": a.use_archive_bar,
        "campaign_defaults": dict(a.campaign_defaults),
        "notify_on_subscribe": a.notify_on_subscribe,
        "notify_on_unsubscribe": a.notify_on_unsubscribe,
        "date_created": a.date_created,
        "list_rating": 0,
        "email_type_option": a.email_type_option,
        "subscribe_url_short": "",
        "subscribe_url_long": "",
        "beamer_address": "",
        "visibility": a.visibility,
        "double_optin": a.double_optin,
        "has_welcome": False,
        "marketing_permissions": a.marketing_permissions,
        "modules": [],
        "stats": stats,
        "_links": links(req, path, "/lists", ("PATCH", "DELETE")),
    }


def merge_field(req: Request, a: Audience, mf: MergeField) -> dict[str, Any]:
    path = f"/lists/{a.id}/merge-fields/{mf.merge_id}"
    return {
        "merge_id": mf.merge_id,
        "tag": mf.tag,
        "name": mf.name,
        "type": mf.type,
        "required": mf.required,
        "default_value": mf.default_value,
        "public": mf.public,
        "display_order": mf.display_order,
        "options": dict(mf.options),
        "help_text": mf.help_text,
        "list_id": a.id,
        "_links": links(req, path, f"/lists/{a.id}/merge-fields", ("PATCH", "DELETE")),
    }


def segment(req: Request, a: Audience, t: Tag) -> dict[str, Any]:
    subscribed = sum(
        1 for h in t.members if (m := a.members.get(h)) is not None and m.status == "subscribed"
    )
    path = f"/lists/{a.id}/segments/{t.id}"
    return {
        "id": t.id,
        "name": t.name,
        "member_count": subscribed,
        "type": t.type,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "options": dict(t.options) if t.options else {"match": "any", "conditions": []},
        "list_id": a.id,
        "_links": links(req, path, f"/lists/{a.id}/segments", ("PATCH", "DELETE")),
    }


def batch(req: Request, b: Batch, results_url: str) -> dict[str, Any]:
    return {
        "id": b.id,
        "status": b.status,
        "total_operations": len(b.operations),
        "finished_operations": b.finished_operations,
        "errored_operations": b.errored_operations,
        "submitted_at": b.submitted_at,
        "completed_at": b.completed_at,
        "response_body_url": results_url,
        "_links": links(req, f"/batches/{b.id}", "/batches", ("DELETE",)),
    }
