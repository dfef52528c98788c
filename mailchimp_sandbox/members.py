"""Members: the status machine, upserts, archive/delete-permanent, member tags, paged reads.

The rules, in Mailchimp's words where known (docs/sandbox.md lists each with its source):
- POST creates (`email_address`, `status` required); an existing address is `Member Exists`,
  except an archived one, which is revived.
- PUT upserts: `email_address` always, `status_if_new` when it creates, `status` overwrites an
  existing member; tags in PUT/PATCH are ignored for existing members.
- Re-subscribing an unsubscribed (by themselves, or any if so configured) or cleaned member
  is `Member In Compliance State`; `pending` is allowed as a re-opt-in except for cleaned.
- DELETE archives (405 for pending/cleaned/archived); delete-permanent leaves a tombstone and
  any later write of that address is `Forgotten Email Not Subscribed`.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from mailchimp_sandbox import errors, render
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
from mailchimp_sandbox.rules import (
    PATCH_STATUSES,
    READ_STATUSES,
    WRITE_STATUSES,
    check_merge_fields,
    email_problem,
    is_subscriber_hash,
    now_iso,
    parse_timestamp,
    query_bool,
    subscriber_hash,
)
from mailchimp_sandbox.store import Audience, Member, Tag

OPT_IN_STATUSES = ("subscribed", "pending")


# ---------------------------------------------------------------------- lookups


def get_audience(req: Request) -> Audience:
    audience = req.store.lists.get(req.params["list_id"])
    if audience is None:
        raise errors.not_found()
    return audience


def find_member(a: Audience, ref: str, *, by_email: bool = True) -> Member | None:
    """Resolve a path reference: a subscriber hash, or (where documented) an email/contact_id."""
    ref = ref.strip()
    if is_subscriber_hash(ref) and (ref in a.members or not by_email):
        return a.members.get(ref)
    if not by_email:
        return None
    if "@" in ref:
        return a.members.get(subscriber_hash(ref))
    return a.by_contact_id(ref)  # contact ids are 32 hex too


def path_member(req: Request, a: Audience, *, by_email: bool = True) -> Member:
    """The member the path's `{subscriber_hash}` names (see find_member), else 404."""
    m = find_member(a, req.params["subscriber_hash"], by_email=by_email)
    if m is None:
        raise errors.not_found()
    return m


def check_forced_error(req: Request, email: str) -> None:
    forced = req.faults.member_error(email)
    if forced is not None:
        raise forced


def check_email(req: Request, email: Any, *, importing: bool = False) -> None:
    problem = email_problem(email, req.settings, importing=importing)
    if problem is None:
        return
    if problem.kind == "fake":
        raise errors.fake_email(email)
    if problem.kind == "role":
        raise errors.invalid_resource(f"{email} is a role-based address and cannot be imported.")
    raise errors.invalid_email()


# ---------------------------------------------------------------------- status machine


def check_transition(req: Request, m: Member, new_status: str) -> None:
    """Raise `Member In Compliance State` where Mailchimp refuses a re-subscribe."""
    current = m.status_before_archive if m.status == "archived" else m.status
    mode = req.settings.compliance_refusal
    if new_status not in OPT_IN_STATUSES or mode == "none":
        return
    if current == "cleaned":
        raise errors.compliance_state(m.email_address)
    refused_source = mode == "all" or m.unsubscribe_source == "self"
    if current == "unsubscribed" and new_status == "subscribed" and refused_source:
        raise errors.compliance_state(m.email_address)


def set_status(m: Member, new_status: str, now: str, *, source: str = "api") -> bool:
    if new_status == m.status:
        return False
    if new_status != "unsubscribed":
        m.unsubscribe_source = ""
        m.unsubscribe_reason = ""
    elif not (m.status == "archived" and m.status_before_archive == "unsubscribed"):
        m.unsubscribe_source = source  # reviving an unsubscribed contact keeps who did it
    if new_status == "subscribed":
        m.timestamp_opt = now
    m.status_before_archive = ""
    m.status = new_status
    return True


def create_member(req: Request, a: Audience, email: str, status: str) -> Member:
    now = now_iso()
    m = Member(
        hash=subscriber_hash(email),
        email_address=email.strip(),
        status=status,
        unique_email_id=secrets.token_hex(5),
        contact_id=secrets.token_hex(16),
        web_id=req.store.new_web_id(),
        last_changed=now,
        timestamp_opt=now if status == "subscribed" else "",
        unsubscribe_source="api" if status == "unsubscribed" else "",
    )
    a.put_member(m)
    return m


def rekey(a: Audience, m: Member, new_email: str) -> None:
    """Move a member to the hash of a new address (email change), tags included."""
    new_hash = subscriber_hash(new_email)
    a.drop_member(m.hash)
    for tag in a.tags.values():
        if m.hash in tag.members:
            tag.members[new_hash] = tag.members.pop(m.hash)
    m.hash = new_hash
    m.email_address = new_email.strip()
    a.put_member(m)


def change_email(req: Request, a: Audience, m: Member, new_email: str) -> bool:
    if subscriber_hash(new_email) == m.hash:
        if new_email.strip() != m.email_address:
            m.email_address = new_email.strip()
            return True
        return False
    check_email(req, new_email)
    new_hash = subscriber_hash(new_email)
    if new_hash in a.members:
        raise errors.member_exists(new_email)
    if new_hash in a.forgotten:
        raise errors.forgotten(new_email)
    if m.status != "subscribed":
        raise errors.email_change_refused(m.status)
    rekey(a, m, new_email)
    return True


# ---------------------------------------------------------------------- profile fields


PROFILE_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "email_address": ((str,), "string"),
    "email_type": ((str,), "string"),
    "language": ((str,), "string"),
    "vip": ((bool,), "boolean"),
    "location": ((dict,), "object"),
    "interests": ((dict,), "object"),
    "ip_signup": ((str,), "string"),
    "ip_opt": ((str,), "string"),
    "timestamp_signup": ((str,), "string"),
    "timestamp_opt": ((str,), "string"),
    "marketing_permissions": ((list,), "array"),
    "tags": ((list,), "array"),
    "status": ((str,), "string"),
    "status_if_new": ((str,), "string"),
}


def check_profile_schema(body: dict[str, Any], path: str = "") -> None:
    for name, (kinds, label) in PROFILE_TYPES.items():
        expect_type(body, name, kinds, label, path)
    expect_enum(body, "email_type", ("html", "text"), path)
    if "tags" in body and not all(isinstance(t, str) for t in body["tags"]):
        raise errors.schema_invalid(
            [
                {
                    "field": f"{path}.tags" if path else "tags",
                    "message": "Schema describes string, non-string found instead",
                }
            ]
        )


def profile_changes(body: dict[str, Any]) -> dict[str, Any]:
    """Validate the writable profile properties of a body; returns attribute -> new value.

    Nothing is changed here, so a refused request leaves the member untouched.
    """
    changes: dict[str, Any] = {}
    for name in ("email_type", "language", "vip"):
        if name in body:
            changes[name] = body[name]
    for name in ("ip_signup", "ip_opt"):
        if name in body and body[name] != "":
            try:
                ipaddress.ip_address(body[name])
            except ValueError:
                raise errors.invalid_resource(
                    f"{name} must be a valid IPv4 or IPv6 address.",
                    [{"field": name, "message": "Please provide a valid IP address."}],
                ) from None
            changes[name] = body[name]
    for name in ("timestamp_signup", "timestamp_opt"):
        if name in body and body[name] != "":
            parsed = parse_timestamp(body[name])
            if parsed is None:
                raise errors.schema_invalid(
                    [{"field": name, "message": "Please provide an ISO 8601 date-time."}]
                )
            changes[name] = parsed.astimezone(UTC).replace(microsecond=0).isoformat()
    for axis, value in (body.get("location") or {}).items():
        if axis not in ("latitude", "longitude"):
            continue
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise errors.schema_invalid([errors.wrong_type(f"location.{axis}", "number", value)])
        changes[axis] = value
    if body.get("interests"):
        unknown = next(iter(body["interests"]))
        raise errors.invalid_resource(f"Invalid interest ID: '{unknown}'")
    if "marketing_permissions" in body:
        changes["marketing_permissions"] = list(body["marketing_permissions"])
    return changes


def apply_changes(m: Member, changes: dict[str, Any], merge_values: dict[int, Any]) -> bool:
    changed = False
    for attr, value in changes.items():
        if getattr(m, attr) != value:
            setattr(m, attr, value)
            changed = True
    for merge_id, value in merge_values.items():
        if m.merge.get(merge_id, "") != value:
            if value == "":
                m.merge.pop(merge_id, None)
            else:
                m.merge[merge_id] = value
            changed = True
    return changed


def validated_merge(
    req: Request, a: Audience, body: dict[str, Any], *, creating: bool, path: str = ""
) -> dict[int, Any]:
    check = check_merge_fields(
        a.merge_rules(),
        body.get("merge_fields"),
        creating=creating,
        skip_required=query_bool(req.query.get("skip_merge_validation")),
        path=f"{path}.merge_fields" if path else "merge_fields",
    )
    if check.schema_errors:
        raise errors.schema_invalid(check.schema_errors)
    if check.field_errors:
        raise errors.merge_fields_invalid(check.field_errors)
    return check.values


def create_from_body(
    req: Request, a: Audience, body: dict[str, Any], email: str, status: str, path: str = ""
) -> Member:
    """A new member from a validated write body: merge fields, profile fields and tags.

    Everything is validated before the member is stored, so a refused body stores nothing.
    """
    merge_values = validated_merge(req, a, body, creating=True, path=path)
    changes = profile_changes(body)
    m = create_member(req, a, email, status)
    apply_changes(m, changes, merge_values)
    add_tags(req, a, m, body.get("tags") or [])
    return m


def add_tags(req: Request, a: Audience, m: Member, names: list[str]) -> None:
    for name in names:
        tag = ensure_tag(req, a, name)
        tag.members.setdefault(m.hash, tag_date())


def ensure_tag(req: Request, a: Audience, name: str) -> Tag:
    name = name.strip()
    if not name or len(name) > req.settings.max_tag_name_length:
        raise errors.invalid_resource(
            f"Tag names must be 1 to {req.settings.max_tag_name_length} characters long.",
            [{"field": "name", "message": "Invalid tag name."}],
        )
    tag = a.tag_by_name(name)
    if tag is None:
        now = now_iso()
        tag = Tag(id=req.store.new_tag_id(), name=name, created_at=now, updated_at=now)
        a.tags[tag.id] = tag
    return tag


def note_tag_change(req: Request, a: Audience, hashes: Iterable[str]) -> None:
    """Tag membership changed for these members: move `last_changed` if so configured."""
    if not req.settings.tag_changes_touch_last_changed:
        return
    now = now_iso()
    for member_hash in hashes:
        m = a.members.get(member_hash)
        if m is not None:
            m.last_changed = now


def tag_date() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


# ---------------------------------------------------------------------- writes


def upsert(req: Request, a: Audience, body: dict[str, Any], mode: str, ref: str | None) -> Member:
    """POST (mode "post") and PUT (mode "put") for one member; returns the stored member."""
    check_profile_schema(body)
    if mode == "post":
        require_fields(body, ["email_address", "status"])
    else:
        require_fields(body, ["email_address"])
    expect_enum(body, "status", WRITE_STATUSES)
    expect_enum(body, "status_if_new", WRITE_STATUSES)
    email = body["email_address"]
    target = find_member(a, ref) if ref is not None else None
    if ref is not None and target is None:
        ref_ok = is_subscriber_hash(ref.strip()) or "@" in ref
        if not ref_ok:
            raise errors.not_found()
    if target is None:
        target = a.members.get(subscriber_hash(email))
        if target is not None and target.status != "archived" and mode == "put":
            # PUT to a hash that is not this address's: Mailchimp tries to create a duplicate.
            raise errors.member_exists(email)
    check_forced_error(req, email)
    now = now_iso()
    if target is None:
        check_email(req, email)
        if subscriber_hash(email) in a.forgotten:
            raise errors.forgotten(email)
        if mode == "put":
            require_fields(body, ["status_if_new"])
        status = body.get("status") or body.get("status_if_new")
        m = create_from_body(req, a, body, email, status)
        req.store.touch()
        return m
    if target.status != "archived" and mode == "post":
        raise errors.member_exists(email)
    changed = False
    changes = profile_changes(body)
    if target.status == "archived":
        status = body.get("status") or body.get("status_if_new") or target.status_before_archive
        check_transition(req, target, status)
        merge_values = validated_merge(req, a, body, creating=False)
        changed |= change_email(req, a, target, email)
        changed |= set_status(target, status, now)
        if mode == "post":
            add_tags(req, a, target, body.get("tags") or [])
    else:
        merge_values = validated_merge(req, a, body, creating=False)
        if "status" in body:
            check_transition(req, target, body["status"])
        changed |= change_email(req, a, target, email)
        if "status" in body:
            changed |= set_status(target, body["status"], now)
    changed |= apply_changes(target, changes, merge_values)
    if changed:
        target.last_changed = now
        req.store.touch()
    return target


def post_member(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        m = upsert(req, a, require_object(req.body), "post", None)
        return Result(200, render.member(req, a, m))


def put_member(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        ref = req.params["subscriber_hash"]
        m = upsert(req, a, require_object(req.body), "put", ref)
        return Result(200, render.member(req, a, m))


def patch_member(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        body = require_object(req.body)
        m = path_member(req, a)
        check_profile_schema(body)
        expect_enum(body, "status", PATCH_STATUSES)
        check_forced_error(req, m.email_address)
        merge_values = validated_merge(req, a, body, creating=False)
        changes = profile_changes(body)
        now = now_iso()
        if "status" in body:
            check_transition(req, m, body["status"])
        changed = False
        if "email_address" in body:
            changed |= change_email(req, a, m, body["email_address"])
        if "status" in body:
            changed |= set_status(m, body["status"], now)
        changed |= apply_changes(m, changes, merge_values)
        if changed:
            m.last_changed = now
            req.store.touch()
        return Result(200, render.member(req, a, m))


def get_member(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        m = path_member(req, a)
        return Result(200, render.member(req, a, m))


def archive_member(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        m = path_member(req, a)
        if m.status in ("pending", "cleaned", "archived"):
            raise errors.archive_refused()
        m.status_before_archive = m.status
        m.status = "archived"
        m.last_changed = now_iso()
        req.store.touch()
        return Result(204)


def delete_permanent(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        m = path_member(req, a, by_email=False)
        a.drop_member(m.hash)
        for tag in a.tags.values():
            tag.members.pop(m.hash, None)
        a.forgotten.add(m.hash)
        req.store.touch()
        return Result(204)


# ---------------------------------------------------------------------- member tags


def get_member_tags(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        m = path_member(req, a, by_email=False)
        tags = sorted(a.member_tags(m.hash), key=lambda t: t.id)
        items = [{"id": t.id, "name": t.name, "date_added": t.members[m.hash]} for t in tags]
        shown, total = page(items, req)
        path = f"/lists/{a.id}/members/{m.hash}/tags"
        body = {"tags": shown, "total_items": total, "_links": links(req, path)}
        return Result(200, body)


def post_member_tags(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        m = path_member(req, a, by_email=False)
        body = req.body
        if not isinstance(body, dict) or "tags" not in body:
            return Result(204)  # Mailchimp: no `tags` wrapper -> nothing happens
        expect_type(body, "tags", (list,), "array")
        expect_type(body, "is_syncing", (bool,), "boolean")
        for i, item in enumerate(body["tags"]):
            item = require_object(item, f"tags.{i}")
            require_fields(item, ["name", "status"], f"tags.{i}")
            expect_type(item, "name", (str,), "string", f"tags.{i}")
            expect_enum(item, "status", ("active", "inactive"), f"tags.{i}")
        check_forced_error(req, m.email_address)
        changed = False
        for item in body["tags"]:
            if item["status"] == "active":
                tag = ensure_tag(req, a, item["name"])
                if m.hash not in tag.members:
                    tag.members[m.hash] = tag_date()
                    changed = True
            else:
                tag = a.tag_by_name(item["name"].strip())
                if tag is not None and tag.members.pop(m.hash, None) is not None:
                    changed = True
        if changed:
            note_tag_change(req, a, [m.hash])
            req.store.touch()
        return Result(204)


# ---------------------------------------------------------------------- reads


SORT_FIELDS = ("timestamp_opt", "timestamp_signup", "last_changed")


def _ts(value: str) -> datetime | None:
    return parse_timestamp(value) if value else None


def select_members(req: Request, a: Audience) -> list[Member]:
    q = req.query
    for unsupported in ("interest_category_id", "interest_ids", "interest_match"):
        if q.get(unsupported):
            raise errors.bad_request(
                "The sandbox serves no interest categories, so interest filters are not supported."
            )
    status = query_choice(req, "status", READ_STATUSES)
    members = list(a.members.values())
    if status:
        members = [m for m in members if m.status == status]
    else:
        members = [m for m in members if m.status != "archived"]
    if q.get("email_type"):
        members = [m for m in members if m.email_type == q["email_type"]]
    if q.get("unique_email_id"):
        members = [m for m in members if m.unique_email_id == q["unique_email_id"]]
    if query_bool(q.get("vip_only")):
        members = [m for m in members if m.vip]
    for attr in ("last_changed", "timestamp_opt"):  # since_* inclusive, before_* exclusive
        since, before = time_filter(req, f"since_{attr}"), time_filter(req, f"before_{attr}")
        members = [m for m in members if in_window(getattr(m, attr), since, before)]
    unsub_since = time_filter(req, "unsubscribed_since")
    if unsub_since is not None:
        if status != "unsubscribed":
            raise errors.invalid_resource(
                "unsubscribed_since can only be used with status=unsubscribed."
            )
        members = [m for m in members if in_window(m.last_changed, unsub_since, None)]
    sort_field = query_choice(req, "sort_field", SORT_FIELDS)
    if sort_field:
        floor = datetime.min.replace(tzinfo=UTC)
        members.sort(
            key=lambda m: _ts(getattr(m, sort_field)) or floor,
            reverse=q.get("sort_dir", "ASC").upper() == "DESC",
        )
    return members


def list_members(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        shown, total = page(select_members(req, a), req)
        body = {
            "members": [render.member(req, a, m) for m in shown],
            "list_id": a.id,
            "total_items": total,
            "_links": links(req, f"/lists/{a.id}/members", f"/lists/{a.id}", ("POST",)),
        }
        return Result(200, body)


ROUTES: list[Endpoint] = [
    Endpoint("POST", "/lists/{list_id}/members", post_member),
    Endpoint("PUT", "/lists/{list_id}/members/{subscriber_hash}", put_member),
    Endpoint("PATCH", "/lists/{list_id}/members/{subscriber_hash}", patch_member),
    Endpoint("GET", "/lists/{list_id}/members/{subscriber_hash}", get_member),
    Endpoint("DELETE", "/lists/{list_id}/members/{subscriber_hash}", archive_member),
    Endpoint(
        "POST",
        "/lists/{list_id}/members/{subscriber_hash}/actions/delete-permanent",
        delete_permanent,
    ),
    Endpoint("GET", "/lists/{list_id}/members/{subscriber_hash}/tags", get_member_tags),
    Endpoint("POST", "/lists/{list_id}/members/{subscriber_hash}/tags", post_member_tags),
    Endpoint("GET", "/lists/{list_id}/members", list_members),
]
