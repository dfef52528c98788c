"""The sandbox's state: audiences, members, merge fields, tags/segments, batches, tombstones,
campaigns with their recipients snapshot and generated activity.

Plain dataclasses behind one re-entrant lock (`Store.lock`); every reader and writer, HTTP
handlers, the batch worker and the Python API, holds it. `to_dict`/`from_dict` give the JSON
form used by `dump()` and by optional persistence. Permanently deleted members leave only their
subscriber hash behind (the tombstone), never the address.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mailchimp_sandbox.rules import DEFAULT_OPTIONS, MergeFieldRule, now_iso

STATE_VERSION = 1


@dataclass
class MergeField:
    merge_id: int
    tag: str
    name: str
    type: str
    required: bool = False
    default_value: str = ""
    public: bool = False
    display_order: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    help_text: str = ""

    def rule(self) -> MergeFieldRule:
        return MergeFieldRule(
            merge_id=self.merge_id,
            tag=self.tag,
            type=self.type,
            required=self.required,
            default_value=self.default_value,
            choices=tuple(str(c) for c in self.options.get("choices") or ()),
            phone_format=str(self.options.get("phone_format") or "none"),
        )


@dataclass
class Member:
    hash: str
    email_address: str
    status: str
    unique_email_id: str
    contact_id: str
    web_id: int
    last_changed: str
    unsubscribe_source: str = ""  # self | admin | api, when status is unsubscribed
    unsubscribe_reason: str = ""  # the contact's own reason (campaign unsubscribes), if any
    status_before_archive: str = ""
    email_type: str = "html"
    merge: dict[int, Any] = field(default_factory=dict)  # merge_id -> value
    interests: dict[str, bool] = field(default_factory=dict)
    language: str = ""
    vip: bool = False
    latitude: float = 0
    longitude: float = 0
    ip_signup: str = ""
    timestamp_signup: str = ""
    ip_opt: str = ""
    timestamp_opt: str = ""
    marketing_permissions: list[dict[str, Any]] = field(default_factory=list)
    source: str = "API - Generic"


@dataclass
class Tag:
    """A tag is a static segment (one id space); saved/fuzzy segments live here too."""

    id: int
    name: str
    created_at: str
    updated_at: str
    type: str = "static"
    options: dict[str, Any] = field(default_factory=dict)
    members: dict[str, str] = field(default_factory=dict)  # hash -> date added


@dataclass
class Audience:
    id: str
    web_id: int
    name: str
    contact: dict[str, Any]
    permission_reminder: str
    campaign_defaults: dict[str, Any]
    email_type_option: bool
    double_optin: bool
    date_created: str
    use_archive_bar: bool = False
    notify_on_subscribe: str = ""
    notify_on_unsubscribe: str = ""
    visibility: str = "prv"
    marketing_permissions: bool = False
    merge_fields: dict[int, MergeField] = field(default_factory=dict)
    next_merge_id: int = 1
    members: dict[str, Member] = field(default_factory=dict)  # hash -> member, insertion order
    forgotten: set[str] = field(default_factory=set)  # tombstones: hashes of deleted addresses
    tags: dict[int, Tag] = field(default_factory=dict)
    contact_ids: dict[str, str] = field(default_factory=dict)  # contact_id -> hash (derived)

    def put_member(self, m: Member) -> None:
        self.members[m.hash] = m
        self.contact_ids[m.contact_id] = m.hash

    def drop_member(self, member_hash: str) -> Member:
        m = self.members.pop(member_hash)
        self.contact_ids.pop(m.contact_id, None)
        return m

    def by_contact_id(self, contact_id: str) -> Member | None:
        member_hash = self.contact_ids.get(contact_id)
        return self.members.get(member_hash) if member_hash else None

    def merge_rules(self) -> list[MergeFieldRule]:
        return [f.rule() for f in self.merge_fields.values()]

    def tag_by_name(self, name: str) -> Tag | None:
        folded = name.casefold()
        for tag in self.tags.values():
            if tag.name.casefold() == folded:
                return tag
        return None

    def member_tags(self, member_hash: str) -> list[Tag]:
        return [t for t in self.tags.values() if t.type == "static" and member_hash in t.members]


@dataclass
class Batch:
    id: str
    operations: list[dict[str, Any]]
    submitted_at: str
    status: str = "pending"
    completed_at: str = ""
    finished_operations: int = 0
    errored_operations: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)
    order: list[int] = field(default_factory=list)  # execution order of operations
    base_url: str = ""  # the /3.0 URL the batch was submitted to (for _links in results)


@dataclass
class Campaign:
    """A campaign; sending snapshots its recipients, the activity control fills its report.

    Recipients are `{email_id, email_address, status: sent|hard|soft}`; activity is per member
    (subscriber hash -> entries `{action: open|click|bounce, timestamp, ip, url?, type?,
    machine}` in time order; `machine` marks privacy-proxy opens, never rendered), so a report
    page reads only its members; unsubscribes `{email_id, timestamp, reason}`; abuse reports
    `{id, email_id, date}`. Timestamps are UTC ISO 8601 at whole seconds (they compare as
    strings). Plain dicts, so the whole campaign is JSON-ready.
    """

    id: str
    web_id: int
    type: str
    create_time: str
    status: str = "save"  # save | sent
    send_time: str = ""
    list_id: str = ""
    saved_segment_id: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    recipients: list[dict[str, Any]] = field(default_factory=list)
    activity: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    unsubscribes: list[dict[str, Any]] = field(default_factory=list)
    abuse_reports: list[dict[str, Any]] = field(default_factory=list)


def default_merge_fields() -> list[MergeField]:
    """Mailchimp's defaults for a new audience, with the recorded options."""
    specs = [
        ("FNAME", "First Name", "text"),
        ("LNAME", "Last Name", "text"),
        ("ADDRESS", "Address", "address"),
        ("PHONE", "Phone Number", "phone"),
    ]
    return [
        MergeField(
            merge_id=i,
            tag=tag,
            name=name,
            type=kind,
            display_order=i + 1,
            options=dict(DEFAULT_OPTIONS[kind]),
        )
        for i, (tag, name, kind) in enumerate(specs, start=1)
    ]


class Store:
    """All sandbox state for one account."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.lists: dict[str, Audience] = {}
        self.batches: dict[str, Batch] = {}
        self.campaigns: dict[str, Campaign] = {}  # creation order
        self.next_tag_id = 10001
        self.next_web_id = 400000001
        self.revision = 0  # bumped on every change (drives persistence)

    # ------------------------------------------------------------------ ids
    def new_list_id(self) -> str:
        while True:
            candidate = secrets.token_hex(5)
            if candidate not in self.lists:
                return candidate

    def new_campaign_id(self) -> str:
        while True:
            candidate = secrets.token_hex(5)
            if candidate not in self.campaigns:
                return candidate

    def new_web_id(self) -> int:
        self.next_web_id += 1
        return self.next_web_id

    def new_tag_id(self) -> int:
        self.next_tag_id += 1
        return self.next_tag_id

    def touch(self) -> None:
        self.revision += 1

    # ------------------------------------------------------------------ creation
    def create_audience(
        self,
        name: str,
        *,
        list_id: str | None = None,
        double_optin: bool = False,
        contact: dict[str, Any] | None = None,
        permission_reminder: str = "You signed up on our website.",
        campaign_defaults: dict[str, Any] | None = None,
        email_type_option: bool = False,
        **extra: Any,
    ) -> Audience:
        with self.lock:
            list_id = list_id or self.new_list_id()
            if list_id in self.lists:
                raise ValueError(f"audience {list_id!r} already exists")
            audience = Audience(
                id=list_id,
                web_id=self.new_web_id(),
                name=name,
                contact=contact
                or {
                    "company": "engage sandbox",
                    "address1": "1 Loopback Lane",
                    "city": "Localhost",
                    "state": "",
                    "zip": "",
                    "country": "US",
                },
                permission_reminder=permission_reminder,
                campaign_defaults=campaign_defaults
                or {
                    "from_name": "engage sandbox",
                    "from_email": "sandbox@engage.invalid",
                    "subject": "",
                    "language": "en",
                },
                email_type_option=email_type_option,
                double_optin=double_optin,
                date_created=now_iso(),
                **extra,
            )
            for mf in default_merge_fields():
                audience.merge_fields[mf.merge_id] = mf
            audience.next_merge_id = len(audience.merge_fields) + 1
            self.lists[list_id] = audience
            self.touch()
            return audience

    # ------------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        with self.lock:
            return {
                "version": STATE_VERSION,
                "next_tag_id": self.next_tag_id,
                "next_web_id": self.next_web_id,
                "lists": [_audience_to_dict(a) for a in self.lists.values()],
                "batches": [asdict(b) for b in self.batches.values()],
                "campaigns": [asdict(c) for c in self.campaigns.values()],
            }

    def load_dict(self, data: dict[str, Any]) -> None:
        if data.get("version") != STATE_VERSION:
            raise ValueError(
                f"sandbox state version {data.get('version')!r} is not {STATE_VERSION}; "
                "delete the file or start without --persist"
            )
        with self.lock:
            self.next_tag_id = int(data["next_tag_id"])
            self.next_web_id = int(data["next_web_id"])
            self.lists = {a["id"]: _audience_from_dict(a) for a in data["lists"]}
            self.batches = {b["id"]: Batch(**b) for b in data["batches"]}
            self.campaigns = {c["id"]: Campaign(**c) for c in data.get("campaigns", [])}
            self.touch()

    def clear(self) -> None:
        with self.lock:
            self.lists.clear()
            self.batches.clear()
            self.campaigns.clear()
            self.touch()

    def load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not a sandbox state file ({exc})") from exc
        self.load_dict(data)


def write_state(path: Path, data: dict[str, Any]) -> None:
    """Atomic write of a state dict: a crash mid-save leaves the previous file intact."""
    text = json.dumps(data, indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _audience_to_dict(a: Audience) -> dict[str, Any]:
    d = asdict(a)
    d["merge_fields"] = [asdict(m) for m in a.merge_fields.values()]
    d["members"] = [
        {**asdict(m), "merge": {str(k): v for k, v in m.merge.items()}} for m in a.members.values()
    ]
    d["forgotten"] = sorted(a.forgotten)
    del d["contact_ids"]
    d["tags"] = [asdict(t) for t in a.tags.values()]
    return d


def _audience_from_dict(d: dict[str, Any]) -> Audience:
    d = dict(d)
    merge_fields = {m["merge_id"]: MergeField(**m) for m in d.pop("merge_fields")}
    members = {}
    for m in d.pop("members"):
        m = dict(m)
        m["merge"] = {int(k): v for k, v in m["merge"].items()}
        members[m["hash"]] = Member(**m)
    tags = {t["id"]: Tag(**t) for t in d.pop("tags")}
    forgotten = set(d.pop("forgotten"))
    audience = Audience(**d, merge_fields=merge_fields, tags=tags, forgotten=forgotten)
    for m in members.values():
        audience.put_member(m)
    return audience
