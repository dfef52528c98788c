"""Audiences (lists), batch subscribe (`POST /lists/{list_id}`), the API root and /ping.

Batch subscribe answers HTTP 200 even when members fail; each failure is an `errors[]` entry
with `ERROR_CONTACT_EXISTS` (existing address without `update_existing`) or `ERROR_GENERIC`.
"""

from __future__ import annotations

from typing import Any

from mailchimp_sandbox import errors, render
from mailchimp_sandbox.members import (
    apply_changes,
    check_email,
    check_forced_error,
    check_profile_schema,
    check_transition,
    create_from_body,
    ensure_tag,
    get_audience,
    note_tag_change,
    profile_changes,
    set_status,
    tag_date,
    validated_merge,
)
from mailchimp_sandbox.routing import (
    Endpoint,
    Request,
    Result,
    expect_enum,
    expect_type,
    links,
    page,
    require_fields,
    require_object,
)
from mailchimp_sandbox.rules import WRITE_STATUSES, now_iso, query_bool, subscriber_hash
from mailchimp_sandbox.store import Audience, Member

LIST_REQUIRED = ["name", "contact", "permission_reminder", "campaign_defaults", "email_type_option"]
CONTACT_REQUIRED = ["company", "address1", "city", "country"]
DEFAULTS_REQUIRED = ["from_name", "from_email", "subject", "language"]
LIST_SETTABLE = {
    "name": ((str,), "string"),
    "contact": ((dict,), "object"),
    "permission_reminder": ((str,), "string"),
    "campaign_defaults": ((dict,), "object"),
    "email_type_option": ((bool,), "boolean"),
    "double_optin": ((bool,), "boolean"),
    "use_archive_bar": ((bool,), "boolean"),
    "notify_on_subscribe": ((str,), "string"),
    "notify_on_unsubscribe": ((str,), "string"),
    "visibility": ((str,), "string"),
    "marketing_permissions": ((bool,), "boolean"),
}


def _check_list_body(body: dict[str, Any], *, creating: bool) -> None:
    if creating:
        missing = [n for n in LIST_REQUIRED if n not in body]
        if missing:
            require_fields(body, missing)
    for name, (kinds, label) in LIST_SETTABLE.items():
        expect_type(body, name, kinds, label)
    if creating or "contact" in body:
        require_fields(body["contact"], CONTACT_REQUIRED, "contact")
    if creating or "campaign_defaults" in body:
        require_fields(body["campaign_defaults"], DEFAULTS_REQUIRED, "campaign_defaults")
    expect_enum(body, "visibility", ("pub", "prv"))


def root(req: Request) -> Result:
    with req.store.lock:
        total = sum(
            1
            for a in req.store.lists.values()
            for m in a.members.values()
            if m.status == "subscribed"
        )
    return Result(
        200,
        {
            "account_id": "sandbox",
            "login_id": "sandbox",
            "account_name": "engage sandbox",
            "email": "",
            "first_name": "Sandbox",
            "last_name": "Account",
            "username": "sandbox",
            "avatar_url": "",
            "role": "owner",
            "member_since": "",
            "pricing_plan_type": "forever_free",
            "first_payment": "",
            "account_timezone": "UTC",
            "account_industry": "",
            "contact": {
                "company": "engage sandbox",
                "addr1": "",
                "addr2": "",
                "city": "",
                "state": "",
                "zip": "",
                "country": "",
            },
            "pro_enabled": False,
            "last_login": "",
            "total_subscribers": total,
            "_links": links(req, "/"),
        },
    )


def ping(req: Request) -> Result:
    return Result(200, {"health_status": "Everything's Chimpy!"})


def list_lists(req: Request) -> Result:
    with req.store.lock:
        audiences = list(req.store.lists.values())
        shown, total = page(audiences, req)
        return Result(
            200,
            {
                "lists": [render.audience(req, a) for a in shown],
                "total_items": total,
                "constraints": {
                    "may_create": True,
                    "max_instances": 1000,
                    "current_total_instances": total,
                },
                "_links": links(req, "/lists", "/", ("POST",)),
            },
        )


def create_list(req: Request) -> Result:
    body = require_object(req.body)
    _check_list_body(body, creating=True)
    fields = {k: body[k] for k in LIST_SETTABLE if k in body}
    name = fields.pop("name")
    with req.store.lock:
        a = req.store.create_audience(name, **fields)
        return Result(200, render.audience(req, a))


def get_list(req: Request) -> Result:
    with req.store.lock:
        return Result(200, render.audience(req, get_audience(req)))


def update_list(req: Request) -> Result:
    body = require_object(req.body)
    _check_list_body(body, creating=False)
    with req.store.lock:
        a = get_audience(req)
        for name in LIST_SETTABLE:
            if name in body:
                setattr(a, name, body[name])
        req.store.touch()
        return Result(200, render.audience(req, a))


def delete_list(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        del req.store.lists[a.id]
        req.store.touch()
        return Result(204)


# ---------------------------------------------------------------------- batch subscribe


class ContactExists(Exception):
    pass


def _subscribe_one(
    req: Request, a: Audience, item: Any, i: int, update_existing: bool, sync_tags: bool
) -> tuple[Member, bool]:
    path = f"members.{i}"
    item = require_object(item, path)
    check_profile_schema(item, path)
    expect_enum(item, "status", WRITE_STATUSES, path)
    expect_enum(item, "status_if_new", WRITE_STATUSES, path)
    email = item.get("email_address")
    if not isinstance(email, str) or not email.strip():
        raise errors.invalid_email()
    check_forced_error(req, email)
    h = subscriber_hash(email)
    if h in a.forgotten:
        raise errors.forgotten(email)
    existing = a.members.get(h)
    now = now_iso()
    if existing is None:
        check_email(req, email, importing=True)
        status = item.get("status") or item.get("status_if_new")
        if not status:
            require_fields(item, ["status"], path)
        return create_from_body(req, a, item, email, status, path), True
    if existing.status != "archived" and not update_existing:
        raise ContactExists()
    merge_values = validated_merge(req, a, item, creating=False, path=path)
    changes = profile_changes(item)
    status = item.get("status")
    if existing.status == "archived":
        status = status or item.get("status_if_new") or existing.status_before_archive
    if status:
        check_transition(req, existing, status)
    changed = set_status(existing, status, now) if status else False
    changed |= apply_changes(existing, changes, merge_values)
    names = [n.strip() for n in item.get("tags") or []]
    before = {t.id for t in a.member_tags(existing.hash)}
    if sync_tags and update_existing:
        wanted = {n.casefold() for n in names}
        for tag in a.member_tags(existing.hash):
            if tag.name.casefold() not in wanted:
                tag.members.pop(existing.hash, None)
    for name in names:
        ensure_tag(req, a, name).members.setdefault(existing.hash, tag_date())
    if {t.id for t in a.member_tags(existing.hash)} != before:
        note_tag_change(req, a, [existing.hash])
    if changed:
        existing.last_changed = now
    return existing, False


def _error_entry(email: str, exc: errors.ApiError) -> dict[str, str]:
    entry = {
        "email_address": email,
        "error": exc.detail,
        "error_code": "ERROR_GENERIC",
        "field": "",
        "field_message": "",
    }
    if exc.errors:
        entry["field"] = exc.errors[0].get("field", "")
        entry["field_message"] = exc.errors[0].get("message", "")
    return entry


def batch_subscribe(req: Request) -> Result:
    body = require_object(req.body)
    require_fields(body, ["members"])
    expect_type(body, "members", (list,), "array")
    expect_type(body, "update_existing", (bool,), "boolean")
    expect_type(body, "sync_tags", (bool,), "boolean")
    limit = req.settings.max_batch_subscribe
    if len(body["members"]) > limit:
        raise errors.invalid_resource(
            f"You can only add or update up to {limit} members per request.",
            [{"field": "members", "message": f"Must contain at most {limit} items."}],
        )
    update_existing = bool(body.get("update_existing"))
    sync_tags = bool(body.get("sync_tags"))
    skip_duplicates = query_bool(req.query.get("skip_duplicate_check"))
    new, updated, errs = [], [], []
    with req.store.lock:
        a = get_audience(req)
        seen: set[str] = set()
        for i, item in enumerate(body["members"]):
            email = item.get("email_address", "") if isinstance(item, dict) else ""
            email = email if isinstance(email, str) else ""
            key = subscriber_hash(email) if email else ""
            if key and key in seen:
                if not skip_duplicates:
                    errs.append(
                        _error_entry(
                            email,
                            errors.invalid_resource(
                                f"{email} appears more than once in this request."
                            ),
                        )
                    )
                continue
            seen.add(key)
            try:
                m, created = _subscribe_one(req, a, item, i, update_existing, sync_tags)
            except ContactExists:
                errs.append(
                    {
                        "email_address": email,
                        "error": f"{email} is already a list member, do you want to update? "
                        "please provide update_existing:true in the request body",
                        "error_code": "ERROR_CONTACT_EXISTS",
                        "field": "",
                        "field_message": "",
                    }
                )
                continue
            except errors.ApiError as exc:
                errs.append(_error_entry(email, exc))
                continue
            (new if created else updated).append(m)
        if new or updated:
            req.store.touch()
        return Result(
            200,
            {
                "new_members": [render.member(req, a, m) for m in new],
                "updated_members": [render.member(req, a, m) for m in updated],
                "errors": errs,
                "total_created": len(new),
                "total_updated": len(updated),
                "error_count": len(errs),
                "_links": links(req, f"/lists/{a.id}", "/lists"),
            },
        )


ROUTES: list[Endpoint] = [
    Endpoint("GET", "/", root),
    Endpoint("GET", "/ping", ping),
    Endpoint("GET", "/lists", list_lists),
    Endpoint("POST", "/lists", create_list),
    Endpoint("GET", "/lists/{list_id}", get_list),
    Endpoint("PATCH", "/lists/{list_id}", update_list),
    Endpoint("DELETE", "/lists/{list_id}", delete_list),
    Endpoint("POST", "/lists/{list_id}", batch_subscribe),
]
