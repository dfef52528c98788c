"""Merge fields as code: the audience's merge-field schema and the values we write.

Owns three things for the merge fields an exposure declares:
- the schema check against the audience (missing fields are created with the declared type; a
  type conflict or going over the field cap is a `MergeFieldError` raised before any write);
- the canonical text form of what Mailchimp returns, matching the one dbt computes for the
  warehouse side (macros/mailchimp/desired_state.sql), so the two compare equal when they mean
  the same thing;
- the JSON value sent to Mailchimp for a canonical text (numbers as numbers, `""` to clear).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sync.errors import MergeFieldError
from sync.mailchimp.exposures import MergeFieldSpec

TEXT_MAX_BYTES = 255


class MergeFieldApi(Protocol):
    def get_merge_fields(self, list_id: str) -> list[dict[str, Any]]: ...

    def add_merge_field(self, list_id: str, body: dict[str, Any]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SchemaChange:
    tag: str
    type: str
    action: str  # "create" | "exists"


def check_schema(
    declared: list[MergeFieldSpec], existing: list[dict[str, Any]], cap: int
) -> list[MergeFieldSpec]:
    """The declared fields to create; MergeFieldError for conflicts, before anything is written.

    `existing` is the audience's merge fields as Mailchimp lists them (EMAIL is not among them).
    """
    by_tag = {str(f.get("tag", "")).upper(): f for f in existing}
    problems: list[str] = []
    missing: list[MergeFieldSpec] = []
    for spec in declared:
        have = by_tag.get(spec.tag)
        if have is None:
            missing.append(spec)
            continue
        if have.get("type") != spec.type:
            problems.append(
                f"merge field {spec.tag} exists as type {have.get('type')!r} but is declared "
                f"{spec.type!r}; Mailchimp cannot change a field's type: declare "
                f"{have.get('type')!r}, or use a new tag"
            )
        if spec.type in ("radio", "dropdown"):
            have_choices = set((have.get("options") or {}).get("choices") or [])
            extra = [c for c in spec.choices or [] if c not in have_choices]
            if extra:
                problems.append(
                    f"merge field {spec.tag} lacks choices {extra}; add them in Mailchimp first"
                )
    if len(existing) + len(missing) > cap:
        problems.append(
            f"creating {len(missing)} merge field(s) ({', '.join(m.tag for m in missing)}) would "
            f"exceed the audience's cap of {cap} (it has {len(existing)}); remove unused fields "
            "in Mailchimp or declare fewer"
        )
    if problems:
        raise MergeFieldError("; ".join(problems))
    return missing


def create_body(spec: MergeFieldSpec) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": spec.display_name,
        "tag": spec.tag,
        "type": spec.type,
        "required": spec.required,
        "public": False,
    }
    opts = spec.options()
    if opts:
        body["options"] = opts
    return body


def ensure_schema(
    api: MergeFieldApi, list_id: str, declared: list[MergeFieldSpec], cap: int
) -> list[SchemaChange]:
    """Check the audience's merge fields and create the missing ones (after checking all)."""
    existing = api.get_merge_fields(list_id)
    missing = check_schema(declared, existing, cap)
    changes = [SchemaChange(s.tag, s.type, "exists") for s in declared if s not in missing]
    for spec in missing:
        api.add_merge_field(list_id, create_body(spec))
        changes.append(SchemaChange(spec.tag, spec.type, "create"))
    return changes


# ---------------------------------------------------------------------------------------------
# Canonical values. The warehouse side is computed by dbt (the macro `mailchimp_canonical_value`
# in macros/mailchimp/desired_state.sql); what Mailchimp returns goes through
# `canonical_from_mailchimp`. Both yield text; '' means empty.


def truncate_bytes(value: str | None, limit: int = TEXT_MAX_BYTES) -> str | None:
    """Cut `value` to at most `limit` UTF-8 bytes without splitting a character."""
    if value is None:
        return None
    raw = value.encode("utf-8")
    if len(raw) <= limit:
        return value
    return raw[:limit].decode("utf-8", errors="ignore")


_DATE_FORMATS = {
    "MM/DD/YYYY": ("%m/%d/%Y",),
    "DD/MM/YYYY": ("%d/%m/%Y",),
}


def _parse_date(value: str, date_format: str | None) -> date | None:
    fmts = ["%Y-%m-%d", "%Y/%m/%d", *_DATE_FORMATS.get(date_format or "MM/DD/YYYY", ())]
    if date_format != "DD/MM/YYYY":
        fmts.append("%d-%m-%Y")
    for fmt in fmts:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def canonical_number(value: Any) -> str:
    if value is None or value == "" or isinstance(value, bool):
        return ""
    try:
        d = float(value)
    except (TypeError, ValueError):
        return ""
    if d != d or d in (float("inf"), float("-inf")):
        return ""
    if d == int(d) and abs(d) < 1e15:
        return str(int(d))
    return repr(d)


def canonical_from_mailchimp(spec: MergeFieldSpec, value: Any) -> str:
    """The canonical text of a merge-field value as Mailchimp returns it."""
    if value is None:
        return ""
    if spec.type == "number":
        return canonical_number(value)
    text = str(value).strip()
    if not text:
        return ""
    if spec.type == "date":
        parsed = _parse_date(text, spec.date_format)
        return parsed.isoformat() if parsed else text
    if spec.type == "birthday":
        m = re.match(r"^(\d{1,2})/(\d{1,2})$", text)
        return f"{int(m.group(1)):02d}/{int(m.group(2)):02d}" if m else text
    return truncate_bytes(text) or ""


def to_mailchimp(spec: MergeFieldSpec, canonical: str | None) -> Any:
    """The JSON value to send for a canonical text: '' clears; numbers go as numbers."""
    if canonical is None or canonical == "":
        return ""
    if spec.type == "number":
        d = float(canonical)
        return int(d) if d == int(d) and abs(d) < 1e15 else d
    return canonical
