"""Mailchimp's validation rules as pure functions: emails, merge fields, tags, query values.

Nothing here touches sandbox state; handlers call these and turn the results into responses.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlparse

from mailchimp_sandbox.errors import wrong_type
from mailchimp_sandbox.settings import SandboxSettings

MERGE_TYPES = (
    "text",
    "number",
    "address",
    "phone",
    "date",
    "url",
    "imageurl",
    "radio",
    "dropdown",
    "birthday",
    "zip",
)
DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "text": {"size": 25},
    "number": {},
    "address": {"default_country": 164},
    "phone": {"phone_format": "none"},
    "date": {"date_format": "MM/DD/YYYY"},
    "birthday": {"date_format": "MM/DD"},
    "url": {},
    "imageurl": {},
    "radio": {"choices": []},
    "dropdown": {"choices": []},
    "zip": {},
}
WRITE_STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional")
PATCH_STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending")
READ_STATUSES = (*WRITE_STATUSES, "archived")
MERGE_TAG_RE = re.compile(r"^[A-Z0-9_]{1,10}$")
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_HEX32 = re.compile(r"^[0-9a-f]{32}$")


def subscriber_hash(email: str) -> str:
    """Mailchimp's member id: md5 of the lower-cased address (trimmed)."""
    return hashlib.md5(email.strip().lower().encode("utf-8")).hexdigest()


def is_subscriber_hash(value: str) -> bool:
    return bool(_HEX32.match(value))


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def parse_timestamp(value: str) -> datetime | None:
    """ISO 8601 with or without offset (naive = UTC); None when unparseable."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def query_bool(value: str | None) -> bool:
    """Mailchimp's boolean query values: true/1 (any case) are true, anything else false."""
    return value is not None and value.strip().lower() in ("true", "1")


# ---------------------------------------------------------------------- emails


@dataclass(frozen=True)
class EmailProblem:
    kind: str  # "invalid" | "fake" | "role"


def email_problem(
    email: Any, settings: SandboxSettings, *, importing: bool = False
) -> EmailProblem | None:
    """Why Mailchimp would refuse this address, or None. Role addresses only on import."""
    if not isinstance(email, str) or len(email) > 254 or not _EMAIL_RE.match(email.strip()):
        return EmailProblem("invalid")
    local, _, domain = email.strip().lower().rpartition("@")
    if len(local) > 64:
        return EmailProblem("invalid")
    if domain in settings.fake_domains or local in settings.fake_local_parts:
        return EmailProblem("fake")
    if importing and local in settings.role_local_parts:
        return EmailProblem("role")
    return None


# ---------------------------------------------------------------------- merge fields


def normalise_merge_tag(tag: Any) -> str | None:
    """The stored form of a merge tag (upper case), or None if it breaks Mailchimp's rules."""
    if not isinstance(tag, str):
        return None
    tag = tag.strip().upper()
    return tag if MERGE_TAG_RE.match(tag) else None


@dataclass
class MergeFieldRule:
    """What value validation needs to know about one merge field."""

    merge_id: int
    tag: str
    type: str
    required: bool
    default_value: str
    choices: tuple[str, ...] = ()
    phone_format: str = "none"


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d-%m-%Y", "%m/%d/%Y")


def coerce_merge_value(rule: MergeFieldRule, value: Any) -> tuple[Any, str | None]:
    """(stored value, None) or (None, Mailchimp's per-field message). `""` always clears."""
    if value == "":
        return "", None
    kind = rule.type
    if kind == "text":
        text = value if isinstance(value, str) else _number_text(value)
        encoded = text.encode("utf-8")[:255]
        return encoded.decode("utf-8", errors="ignore"), None
    if kind == "number":
        if isinstance(value, int | float):
            return value, None
        try:
            number = float(str(value).strip())
        except ValueError:
            return None, "Please enter a number"
        return (int(number) if number.is_integer() else number), None
    if kind == "address":
        if not isinstance(value, dict):
            return None, "Please enter a complete address"
        parts = {k: str(value.get(k) or "").strip() for k in ("addr1", "addr2", "city", "state")}
        parts["zip"] = str(value.get("zip") or "").strip()
        parts["country"] = str(value.get("country") or "US").strip()
        if not all(parts[k] for k in ("addr1", "city", "state", "zip")):
            return None, "Please enter a complete address"
        return parts, None
    if kind == "phone":
        text = value if isinstance(value, str) else _number_text(value)
        if rule.phone_format.upper() == "US" and len(re.sub(r"\D", "", text)) != 10:
            return None, "Please enter a valid US phone number"
        return text, None
    if kind == "date":
        text = str(value).strip()
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date().isoformat(), None
            except ValueError:
                continue
        return None, "Please enter a valid date"
    if kind == "birthday":
        match = re.match(r"^(\d{1,2})/(\d{1,2})$", str(value).strip())
        if match:
            month, day = int(match.group(1)), int(match.group(2))
            try:
                date(2000, month, day)  # a leap year, so 02/29 is a birthday
            except ValueError:
                pass
            else:
                return f"{month:02d}/{day:02d}", None
        return None, "Please enter a valid birthday (MM/DD)"
    if kind == "zip":
        text = value if isinstance(value, str) else _number_text(value)
        if not re.match(r"^\d{5}$", text.strip()):
            return None, "Please enter a valid zip code"
        return text.strip(), None
    if kind in ("url", "imageurl"):
        parsed = urlparse(str(value).strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            return None, "Please enter a valid URL"
        return str(value).strip(), None
    if kind in ("radio", "dropdown"):
        text = value if isinstance(value, str) else _number_text(value)
        if text not in rule.choices:
            return None, "Please choose one of the field's options"
        return text, None
    return value, None


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class MergeCheck:
    values: dict[int, Any]  # merge_id -> stored value, only for fields present in the request
    schema_errors: list[dict[str, str]]
    field_errors: list[dict[str, str]]


def check_merge_fields(
    rules: list[MergeFieldRule],
    incoming: Any,
    *,
    creating: bool,
    skip_required: bool,
    path: str = "merge_fields",
) -> MergeCheck:
    """Validate a `merge_fields` object against a list's fields, as Mailchimp does.

    Unknown keys are ignored; `null`/booleans fail the schema ("anyOf"); per-type problems are
    field errors; required fields must have a value on create (or when cleared) unless
    `skip_merge_validation`.
    """
    result = MergeCheck({}, [], [])
    if incoming is None and not creating:
        return result
    if incoming is None:
        incoming = {}
    if not isinstance(incoming, dict):
        result.schema_errors.append(wrong_type(path, "object", incoming))
        return result
    by_tag = {r.tag: r for r in rules}
    for key, value in incoming.items():
        rule = by_tag.get(key)
        if rule is None:
            continue
        if value is None or isinstance(value, bool | list):
            result.schema_errors.append(
                {
                    "field": f"{path}.{key}",
                    "message": "Data did not match any of the schemas described in anyOf.",
                }
            )
            continue
        stored, message = coerce_merge_value(rule, value)
        if message:
            result.field_errors.append({"field": key, "message": message})
        else:
            result.values[rule.merge_id] = stored
    flagged = {e["field"] for e in result.field_errors}
    flagged |= {e["field"].removeprefix(f"{path}.") for e in result.schema_errors}
    for rule in rules:
        given = rule.tag in incoming
        if creating and not given and rule.default_value:
            stored, message = coerce_merge_value(rule, rule.default_value)
            if message is None:
                result.values[rule.merge_id] = stored
        if not rule.required or skip_required or rule.tag in flagged:
            continue
        empty = result.values.get(rule.merge_id, "") == ""
        if empty and (creating or given):
            result.field_errors.append({"field": rule.tag, "message": "Please enter a value"})
    return result
