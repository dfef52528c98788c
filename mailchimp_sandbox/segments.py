"""Segments and tags: static segments ARE tags (one id space), plus tag search.

Static segments hold members; `member_count` counts subscribed members only; batch add/remove
takes at most `max_segment_batch` (500) addresses each way; PATCH with `static_segment: []`
empties a segment. Saved (condition) segments are stored and listed but not evaluated: the
sandbox reports them with no members.
"""

from __future__ import annotations

from typing import Any

from mailchimp_sandbox import errors, render
from mailchimp_sandbox.members import get_audience, note_tag_change, path_member, tag_date
from mailchimp_sandbox.routing import (
    Endpoint,
    Request,
    Result,
    expect_type,
    links,
    page,
    query_choice,
    require_fields,
    require_object,
)
from mailchimp_sandbox.rules import now_iso, query_bool, subscriber_hash
from mailchimp_sandbox.store import Audience, Member, Tag

SEGMENT_TYPES = ("saved", "static", "fuzzy")


def _get_segment(req: Request, a: Audience) -> Tag:
    try:
        tag = a.tags.get(int(req.params["segment_id"]))
    except ValueError:
        tag = None
    if tag is None:
        raise errors.not_found()
    return tag


def _check_body(body: dict[str, Any]) -> None:
    expect_type(body, "name", (str,), "string")
    expect_type(body, "static_segment", (list,), "array")
    expect_type(body, "options", (dict,), "object")
    if "name" in body and not body["name"].strip():
        raise errors.schema_invalid(
            [{"field": "name", "message": "This value should not be blank."}]
        )
    if "static_segment" in body and "options" in body:
        raise errors.invalid_resource(
            "A segment is either static (static_segment) or saved (options), not both."
        )
    for i, email in enumerate(body.get("static_segment") or []):
        if not isinstance(email, str):
            raise errors.schema_invalid([errors.wrong_type(f"static_segment.{i}", "string", email)])


def _check_name(a: Audience, raw: str, own_id: int | None) -> str:
    """The stripped segment name; refused when another segment or tag already has it."""
    name = raw.strip()
    other = a.tag_by_name(name)
    if other is not None and other.id != own_id:
        raise errors.invalid_resource(
            f'A segment or tag named "{name}" already exists in this audience.',
            [{"field": "name", "message": "Name already in use."}],
        )
    return name


def _members_for(a: Audience, emails: list[str]) -> list[Member]:
    """Existing (non-archived) members among the addresses; others are ignored."""
    found = []
    for email in emails:
        m = a.members.get(subscriber_hash(email))
        if m is not None and m.status != "archived":
            found.append(m)
    return found


def list_segments(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        segments = sorted(a.tags.values(), key=lambda t: t.id)
        kind = query_choice(req, "type", SEGMENT_TYPES)
        if kind:
            segments = [t for t in segments if t.type == kind]
        shown, total = page(segments, req)
        return Result(
            200,
            {
                "segments": [render.segment(req, a, t) for t in shown],
                "list_id": a.id,
                "total_items": total,
                "_links": links(req, f"/lists/{a.id}/segments", f"/lists/{a.id}", ("POST",)),
            },
        )


def create_segment(req: Request) -> Result:
    body = require_object(req.body)
    require_fields(body, ["name"])
    _check_body(body)
    with req.store.lock:
        a = get_audience(req)
        name = _check_name(a, body["name"], None)
        now = now_iso()
        tag = Tag(id=req.store.new_tag_id(), name=name, created_at=now, updated_at=now)
        if "options" in body:
            tag.type, tag.options = "saved", dict(body["options"])
        for m in _members_for(a, body.get("static_segment") or []):
            tag.members.setdefault(m.hash, tag_date())
        note_tag_change(req, a, tag.members)
        a.tags[tag.id] = tag
        req.store.touch()
        return Result(200, render.segment(req, a, tag))


def get_segment(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        return Result(200, render.segment(req, a, _get_segment(req, a)))


def update_segment(req: Request) -> Result:
    body = require_object(req.body)
    require_fields(body, ["name"])
    _check_body(body)
    with req.store.lock:
        a = get_audience(req)
        tag = _get_segment(req, a)
        tag.name = _check_name(a, body["name"], tag.id)
        if "static_segment" in body:
            wanted = {m.hash for m in _members_for(a, body["static_segment"])}
            note_tag_change(req, a, set(tag.members) ^ wanted)
            tag.members = {h: d for h, d in tag.members.items() if h in wanted}
            for h in wanted:
                tag.members.setdefault(h, tag_date())
        if "options" in body and tag.type != "static":
            tag.options = dict(body["options"])
        tag.updated_at = now_iso()
        req.store.touch()
        return Result(200, render.segment(req, a, tag))


def delete_segment(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        tag = _get_segment(req, a)
        del a.tags[tag.id]
        note_tag_change(req, a, tag.members)
        req.store.touch()
        return Result(204)


def batch_segment(req: Request) -> Result:
    body = require_object(req.body)
    expect_type(body, "members_to_add", (list,), "array")
    expect_type(body, "members_to_remove", (list,), "array")
    limit = req.settings.max_segment_batch
    for key in ("members_to_add", "members_to_remove"):
        if len(body.get(key) or []) > limit:
            raise errors.invalid_resource(
                f"{key} may contain at most {limit} email addresses.",
                [{"field": key, "message": f"Must contain at most {limit} items."}],
            )
    with req.store.lock:
        a = get_audience(req)
        tag = _get_segment(req, a)
        if tag.type != "static":
            raise errors.invalid_resource(
                "Members can only be added to or removed from static segments."
            )
        added, removed, not_members = [], [], []
        for email in body.get("members_to_add") or []:
            m = a.members.get(subscriber_hash(email)) if isinstance(email, str) else None
            if m is None or m.status == "archived":
                not_members.append(email)
            elif m.hash not in tag.members:
                tag.members[m.hash] = tag_date()
                added.append(m)
        for email in body.get("members_to_remove") or []:
            m = a.members.get(subscriber_hash(email)) if isinstance(email, str) else None
            if m is None or m.status == "archived":  # archived contacts keep their tags
                not_members.append(email)
            elif tag.members.pop(m.hash, None) is not None:
                removed.append(m)
        errs = []
        if not_members:
            errs.append(
                {"email_addresses": not_members, "error": "Email addresses are not list members."}
            )
        if added or removed:
            note_tag_change(req, a, [m.hash for m in added + removed])
            tag.updated_at = now_iso()
            req.store.touch()
        return Result(
            200,
            {
                "members_added": [render.member(req, a, m) for m in added],
                "members_removed": [render.member(req, a, m) for m in removed],
                "errors": errs,
                "total_added": len(added),
                "total_removed": len(removed),
                "error_count": len(not_members),
                "_links": links(req, f"/lists/{a.id}/segments/{tag.id}"),
            },
        )


def segment_members(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        tag = _get_segment(req, a)
        hidden = {"archived"}
        for status in ("cleaned", "transactional", "unsubscribed"):
            if not query_bool(req.query.get(f"include_{status}")):
                hidden.add(status)
        members = [
            m for h in tag.members if (m := a.members.get(h)) is not None and m.status not in hidden
        ]
        shown, total = page(members, req)
        return Result(
            200,
            {
                "members": [render.member(req, a, m) for m in shown],
                "total_items": total,
                "_links": links(req, f"/lists/{a.id}/segments/{tag.id}/members"),
            },
        )


def add_segment_member(req: Request) -> Result:
    body = require_object(req.body)
    require_fields(body, ["email_address"])
    expect_type(body, "email_address", (str,), "string")
    with req.store.lock:
        a = get_audience(req)
        tag = _get_segment(req, a)
        if tag.type != "static":
            raise errors.invalid_resource("Members can only be added to static segments.")
        m = a.members.get(subscriber_hash(body["email_address"]))
        if m is None or m.status == "archived":
            raise errors.not_found()
        if m.hash not in tag.members:
            tag.members[m.hash] = tag_date()
            tag.updated_at = now_iso()
            note_tag_change(req, a, [m.hash])
            req.store.touch()
        return Result(200, render.member(req, a, m))


def remove_segment_member(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        tag = _get_segment(req, a)
        m = path_member(req, a, by_email=False)
        if m.hash not in tag.members:
            raise errors.not_found()
        del tag.members[m.hash]
        tag.updated_at = now_iso()
        note_tag_change(req, a, [m.hash])
        req.store.touch()
        return Result(204)


def tag_search(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        prefix = (req.query.get("name") or "").casefold()
        found = [
            {"id": t.id, "name": t.name}
            for t in sorted(a.tags.values(), key=lambda t: t.id)
            if t.type == "static" and t.name.casefold().startswith(prefix)
        ]
        return Result(200, {"tags": found, "total_items": len(found)})


ROUTES: list[Endpoint] = [
    Endpoint("GET", "/lists/{list_id}/segments", list_segments),
    Endpoint("POST", "/lists/{list_id}/segments", create_segment),
    Endpoint("GET", "/lists/{list_id}/segments/{segment_id}", get_segment),
    Endpoint("PATCH", "/lists/{list_id}/segments/{segment_id}", update_segment),
    Endpoint("DELETE", "/lists/{list_id}/segments/{segment_id}", delete_segment),
    Endpoint("POST", "/lists/{list_id}/segments/{segment_id}", batch_segment),
    Endpoint("GET", "/lists/{list_id}/segments/{segment_id}/members", segment_members),
    Endpoint("POST", "/lists/{list_id}/segments/{segment_id}/members", add_segment_member),
    Endpoint(
        "DELETE",
        "/lists/{list_id}/segments/{segment_id}/members/{subscriber_hash}",
        remove_segment_member,
    ),
    Endpoint("GET", "/lists/{list_id}/tag-search", tag_search),
]
