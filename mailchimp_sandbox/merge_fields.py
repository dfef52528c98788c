"""Merge fields: CRUD with Mailchimp's rules.

Tag at most 10 characters of A-Z 0-9 _ (upper-cased, generated as MERGE<n> when omitted,
unique per audience), one of the 11 types, type immutable after creation, at most
`max_merge_fields` (30) per audience, choices for radio/dropdown. Listed sorted by tag.
Member values are keyed by merge_id, so renaming a tag keeps them.
"""

from __future__ import annotations

from typing import Any

from mailchimp_sandbox import errors, render
from mailchimp_sandbox.members import get_audience
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
from mailchimp_sandbox.rules import DEFAULT_OPTIONS, MERGE_TYPES, normalise_merge_tag
from mailchimp_sandbox.store import Audience, MergeField

FIELD_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "name": ((str,), "string"),
    "tag": ((str,), "string"),
    "type": ((str,), "string"),
    "required": ((bool,), "boolean"),
    "default_value": ((str,), "string"),
    "public": ((bool,), "boolean"),
    "display_order": ((int,), "integer"),
    "options": ((dict,), "object"),
    "help_text": ((str,), "string"),
}


def _get_field(req: Request, a: Audience) -> MergeField:
    try:
        merge_id = int(req.params["merge_id"])
    except ValueError:
        raise errors.not_found() from None
    mf = a.merge_fields.get(merge_id)
    if mf is None:
        raise errors.not_found()
    return mf


def _check_tag(a: Audience, raw: Any, own_id: int | None) -> str:
    tag = normalise_merge_tag(raw)
    if tag is None or tag == "EMAIL":
        raise errors.invalid_resource(
            "Merge field tags must be 1 to 10 characters of A-Z, 0-9 or _ (and not EMAIL).",
            [{"field": "tag", "message": f"Invalid merge tag: {raw!r}"}],
        )
    for other in a.merge_fields.values():
        if other.tag == tag and other.merge_id != own_id:
            raise errors.invalid_resource(
                f'A merge field with the tag "{tag}" already exists for this list.',
                [{"field": "tag", "message": "Tag already in use."}],
            )
    return tag


def _check_options(kind: str, options: dict[str, Any]) -> dict[str, Any]:
    merged = {**DEFAULT_OPTIONS[kind], **options}
    if kind in ("radio", "dropdown"):
        choices = merged.get("choices")
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, str) for c in choices)
        ):
            raise errors.invalid_resource(
                f"A {kind} merge field needs options.choices: a non-empty list of strings.",
                [{"field": "options.choices", "message": "Please provide the choices."}],
            )
    return merged


def list_fields(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        fields = sorted(a.merge_fields.values(), key=lambda f: f.tag)
        if req.query.get("type"):
            fields = [f for f in fields if f.type == req.query["type"]]
        if req.query.get("required"):
            wanted = req.query["required"].lower() in ("true", "1")
            fields = [f for f in fields if f.required == wanted]
        shown, total = page(fields, req)
        return Result(
            200,
            {
                "merge_fields": [render.merge_field(req, a, f) for f in shown],
                "list_id": a.id,
                "total_items": total,
                "_links": links(req, f"/lists/{a.id}/merge-fields", f"/lists/{a.id}", ("POST",)),
            },
        )


def create_field(req: Request) -> Result:
    body = require_object(req.body)
    require_fields(body, ["name", "type"])
    for name, (kinds, label) in FIELD_TYPES.items():
        expect_type(body, name, kinds, label)
    expect_enum(body, "type", MERGE_TYPES)
    with req.store.lock:
        a = get_audience(req)
        limit = req.settings.max_merge_fields
        if len(a.merge_fields) >= limit:
            raise errors.invalid_resource(
                f"This audience already has the maximum of {limit} merge fields.",
                [{"field": "", "message": f"At most {limit} merge fields per audience."}],
            )
        merge_id = a.next_merge_id
        tag = _check_tag(a, body["tag"], None) if body.get("tag") else f"MERGE{merge_id}"
        mf = MergeField(
            merge_id=merge_id,
            tag=tag,
            name=body["name"],
            type=body["type"],
            required=body.get("required", False),
            default_value=body.get("default_value", ""),
            public=body.get("public", False),
            display_order=body.get("display_order", merge_id + 1),
            options=_check_options(body["type"], body.get("options") or {}),
            help_text=body.get("help_text", ""),
        )
        a.merge_fields[merge_id] = mf
        a.next_merge_id += 1
        req.store.touch()
        return Result(200, render.merge_field(req, a, mf))


def get_field(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        return Result(200, render.merge_field(req, a, _get_field(req, a)))


def update_field(req: Request) -> Result:
    body = require_object(req.body)
    require_fields(body, ["name"])
    for name, (kinds, label) in FIELD_TYPES.items():
        expect_type(body, name, kinds, label)
    with req.store.lock:
        a = get_audience(req)
        mf = _get_field(req, a)
        if "type" in body and body["type"] != mf.type:
            raise errors.invalid_resource(
                "The type of a merge field cannot be changed after it is created.",
                [{"field": "type", "message": "type is read-only."}],
            )
        tag = _check_tag(a, body["tag"], mf.merge_id) if body.get("tag") else mf.tag
        options = (
            _check_options(mf.type, {**mf.options, **body["options"]})
            if "options" in body
            else mf.options
        )
        mf.tag, mf.options, mf.name = tag, options, body["name"]
        for name in ("required", "default_value", "public", "display_order", "help_text"):
            if name in body:
                setattr(mf, name, body[name])
        req.store.touch()
        return Result(200, render.merge_field(req, a, mf))


def delete_field(req: Request) -> Result:
    with req.store.lock:
        a = get_audience(req)
        mf = _get_field(req, a)
        del a.merge_fields[mf.merge_id]
        for m in a.members.values():
            m.merge.pop(mf.merge_id, None)
        req.store.touch()
        return Result(204)


ROUTES: list[Endpoint] = [
    Endpoint("GET", "/lists/{list_id}/merge-fields", list_fields),
    Endpoint("POST", "/lists/{list_id}/merge-fields", create_field),
    Endpoint("GET", "/lists/{list_id}/merge-fields/{merge_id}", get_field),
    Endpoint("PATCH", "/lists/{list_id}/merge-fields/{merge_id}", update_field),
    Endpoint("DELETE", "/lists/{list_id}/merge-fields/{merge_id}", delete_field),
]
