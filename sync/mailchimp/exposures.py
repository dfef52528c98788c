"""Sync declarations: one dbt exposure per Mailchimp audience, read from dbt's manifest.

Owns the shape of an exposure's `meta.engage_sync` block (validated with pydantic, with errors
that name the exposure, the YAML file and the key to fix) and the lookup of the dbt relations
the sync reads. Nothing here talks to Mailchimp or writes to the warehouse.

An exposure looks like this (see `models/mailchimp/_mailchimp__exposures.yml`):

    exposures:
      - name: mailchimp_supporters
        type: application
        depends_on: [ref('supporters'), ref('segment_memberships')]
        meta:
          engage_sync:
            audience: {name: "Supporters", id: null}
            members: {model: supporters, filter: "email is not null"}
            merge_fields:
              - {column: first_name, tag: FNAME, type: text}
            tags: {model: segment_memberships, owned_namespaces: ["seg:", "issue:"]}
            removal_policy: remove_tags
            safety: {max_unsubscribes: 100, max_unsubscribes_pct: 5, max_reject_pct: 10}
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sync.errors import ConfigError
from sync.warehouse.project import PROJECT_DIR

META_KEY = "engage_sync"

MERGE_TAG_RE = re.compile(r"^[A-Z0-9_]{1,10}$")
MERGE_TYPES = (
    "text",
    "number",
    "date",
    "birthday",
    "phone",
    "url",
    "imageurl",
    "radio",
    "dropdown",
    "zip",
)
# Mailchimp's hard ceiling on simultaneous connections per account is 10.
MAX_CONCURRENCY = 10
DEFAULT_CONCURRENCY = 8
NAMESPACE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*:$")
SQL_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _ident(value: str, what: str) -> str:
    if not SQL_IDENT_RE.match(value):
        raise ValueError(f"{what} {value!r} is not a plain column/model name")
    return value


class AudienceSpec(_Strict):
    """Which Mailchimp audience (list) this exposure syncs to."""

    name: str = Field(min_length=1, description="Audience name; used to find or create it.")
    id: str | None = Field(
        default=None, description="Audience id; when empty the audience is looked up by name."
    )
    create_if_missing: bool = Field(
        default=True, description="Create the audience by name when no audience has that name."
    )
    double_optin: bool = Field(default=False, description="double_optin when creating it.")
    # Only used when the sync creates the audience (the sandbox, or a brand-new account).
    company: str = "engage"
    address1: str = "1 Main Street"
    city: str = "Springfield"
    country: str = "US"
    permission_reminder: str = "You signed up to hear from us."
    from_name: str = "engage"
    from_email: str = "campaigns@example.org"
    language: str = "en"


class MembersSpec(_Strict):
    """Which rows of which model belong to the audience, and the consent columns to honour."""

    model: str
    filter: str | None = Field(
        default=None, description="SQL boolean expression over the model's columns."
    )
    key: str = "supporter_id"
    email: str = "email"
    email_status: str = "email_status"
    is_emailable: str = "is_emailable"

    @field_validator("model", "key", "email", "email_status", "is_emailable")
    @classmethod
    def _plain(cls, v: str) -> str:
        return _ident(v, "name")

    @field_validator("filter")
    @classmethod
    def _no_statement(cls, v: str | None) -> str | None:
        if v is not None and (";" in v or "--" in v):
            raise ValueError("filter must be one SQL expression (no ';' or comments)")
        return v


class MergeFieldSpec(_Strict):
    """One merge field we own: warehouse column -> Mailchimp merge tag, with its type."""

    column: str
    tag: str
    type: Literal[
        "text", "number", "date", "birthday", "phone", "url", "imageurl", "radio", "dropdown", "zip"
    ]
    name: str | None = Field(default=None, description="Display name (default: the tag).")
    date_format: str | None = Field(
        default=None, description="date fields: MM/DD/YYYY or DD/MM/YYYY (display only)."
    )
    choices: list[str] | None = Field(default=None, description="radio/dropdown choices.")
    required: bool = False

    @field_validator("column")
    @classmethod
    def _plain(cls, v: str) -> str:
        return _ident(v, "column")

    @field_validator("tag")
    @classmethod
    def _tag(cls, v: str) -> str:
        if not MERGE_TAG_RE.match(v):
            raise ValueError(
                f"merge tag {v!r} breaks Mailchimp's rules: 1-10 characters, A-Z, 0-9 or _ "
                "(e.g. TOPISSUE)"
            )
        if v == "EMAIL":
            raise ValueError("EMAIL is the member's address, not a merge field we can own")
        return v

    @field_validator("date_format")
    @classmethod
    def _date_format(cls, v: str | None) -> str | None:
        if v is not None and v not in ("MM/DD/YYYY", "DD/MM/YYYY"):
            raise ValueError("date_format must be MM/DD/YYYY or DD/MM/YYYY")
        return v

    @model_validator(mode="after")
    def _choices(self) -> MergeFieldSpec:
        if self.type in ("radio", "dropdown") and not self.choices:
            raise ValueError(f"{self.type} merge field {self.tag} needs `choices`")
        if self.date_format and self.type != "date":
            raise ValueError("date_format applies to date fields only")
        return self

    @property
    def display_name(self) -> str:
        return self.name or self.tag.title()

    def options(self) -> dict[str, Any]:
        if self.type == "date":
            return {"date_format": self.date_format or "MM/DD/YYYY"}
        if self.type == "birthday":
            return {"date_format": "MM/DD"}
        if self.type in ("radio", "dropdown"):
            return {"choices": list(self.choices or [])}
        return {}


class TagsSpec(_Strict):
    """Which segment memberships become Mailchimp tags, and the tag namespaces we own."""

    model: str = "segment_memberships"
    key: str = "supporter_id"
    segment_column: str = "segment_name"
    tag_column: str = "tag"
    segments: Literal["all"] | list[str] = "all"
    owned_namespaces: list[str] = Field(min_length=1)

    @field_validator("model", "key", "segment_column", "tag_column")
    @classmethod
    def _plain(cls, v: str) -> str:
        return _ident(v, "name")

    @field_validator("owned_namespaces")
    @classmethod
    def _namespaces(cls, v: list[str]) -> list[str]:
        for ns in v:
            if not NAMESPACE_RE.match(ns):
                raise ValueError(
                    f"owned namespace {ns!r} must be a lower-case prefix ending in ':' "
                    "(e.g. 'seg:')"
                )
        return v


class SafetySpec(_Strict):
    """Fail-safe thresholds checked before any write; a plan above one is refused."""

    max_tag_removals: int = Field(default=1000, ge=0)
    max_tag_removals_pct: float = Field(default=25.0, ge=0)
    max_unsubscribes: int = Field(default=200, ge=0)
    max_unsubscribes_pct: float = Field(default=5.0, ge=0)
    max_archives: int = Field(default=200, ge=0)
    max_archives_pct: float = Field(default=5.0, ge=0)
    max_size_drop_pct: float = Field(default=20.0, ge=0)
    max_new_members: int = Field(
        default=10000, ge=0, description="Creates allowed once the audience has been loaded."
    )
    max_new_members_pct: float = Field(
        default=100.0, ge=0, description="Creates allowed, as % of the last applied audience."
    )
    pct_floor: int = Field(
        default=10, ge=0, description="Percentage limits apply only above this many operations."
    )
    max_reject_pct: float = Field(
        default=10.0,
        ge=0,
        description="Members Mailchimp may reject for good (compliance state, invalid address, "
        "...), as % of the member writes planned, per operation and per run. Checked after "
        "applying: above it the run's outcome is `rejects` (exit 8), not ok.",
    )


class ActivityPullSpec(_Strict):
    """What `engage pull` reads back of the audience's sent campaigns (Reports API)."""

    enabled: bool = Field(
        default=True, description="Read campaigns, recipients and their activity back."
    )
    lookback_days: int = Field(
        default=14,
        ge=1,
        le=90,
        description="Campaigns sent this many days before the last complete pull are read "
        "again: opens, clicks and unsubscribes keep arriving for days after a send.",
    )
    history_days: int = Field(
        default=365,
        ge=1,
        description="The first pull reads campaigns sent in this many days before it.",
    )
    stale_after_days: int = Field(
        default=7,
        ge=1,
        description="Warn when the newest activity pulled (a send, open, click, ...) is older "
        "than this: scores, the contact cap and email segments would be going stale.",
    )


class SyncSpec(_Strict):
    """The whole `meta.engage_sync` block of one exposure."""

    audience: AudienceSpec
    members: MembersSpec
    merge_fields: list[MergeFieldSpec] = Field(default_factory=list)
    tags: TagsSpec
    removal_policy: Literal["remove_tags", "archive", "nothing"] = "remove_tags"
    new_member_status: Literal["auto", "pending", "subscribed"] = Field(
        default="auto",
        description="auto: pending on double opt-in audiences, else subscribed.",
    )
    optout_statuses: list[str] = Field(
        default_factory=lambda: ["unsubscribed", "cleaned", "suppressed"]
    )
    safety: SafetySpec = Field(default_factory=SafetySpec)
    activity: ActivityPullSpec = Field(default_factory=ActivityPullSpec)
    merge_field_cap: Annotated[int, Field(ge=1, le=80)] = 30
    concurrency: Annotated[int, Field(ge=1, le=MAX_CONCURRENCY)] = DEFAULT_CONCURRENCY

    @field_validator("optout_statuses")
    @classmethod
    def _optouts(cls, v: list[str]) -> list[str]:
        v = [s.strip().lower() for s in v]
        if "unsubscribed" not in v:
            raise ValueError(
                "must include 'unsubscribed': opt-outs are always propagated (add statuses "
                "such as 'suppressed', never drop 'unsubscribed')"
            )
        return v

    @model_validator(mode="after")
    def _unique(self) -> SyncSpec:
        tags = [m.tag for m in self.merge_fields]
        dupes = sorted({t for t in tags if tags.count(t) > 1})
        if dupes:
            raise ValueError(f"merge tags declared twice: {', '.join(dupes)}")
        if len(self.merge_fields) > self.merge_field_cap:
            raise ValueError(
                f"{len(self.merge_fields)} merge fields declared, over the audience cap of "
                f"{self.merge_field_cap}; send fewer fields (data minimisation) or raise "
                "merge_field_cap on a plan that allows more"
            )
        return self


@dataclass(frozen=True)
class Relation:
    """A dbt model resolved to the relation the sync reads."""

    name: str
    schema: str
    identifier: str

    @property
    def sql(self) -> str:
        return f'"{self.schema}"."{self.identifier}"'


@dataclass(frozen=True)
class Audience:
    """One exposure: its name (the audience key), its spec and the relations it reads."""

    key: str
    spec: SyncSpec
    members_relation: Relation
    tags_relation: Relation
    source_file: str = ""

    @property
    def owned_namespaces(self) -> tuple[str, ...]:
        return tuple(self.spec.tags.owned_namespaces)

    def owns_tag(self, tag: str) -> bool:
        return tag.lower().startswith(self.owned_namespaces)


def _format_validation(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(root)"
        msg = e["msg"].removeprefix("Value error, ")
        lines.append(f"  meta.{META_KEY}.{loc}: {msg}")
    return "\n".join(lines)


def parse_spec(meta: dict[str, Any], where: str) -> SyncSpec:
    """Validate one exposure's `meta.engage_sync` block; ConfigError names `where` and the key."""
    block = meta.get(META_KEY)
    if not isinstance(block, dict):
        raise ConfigError(f"{where}: meta.{META_KEY} is missing or not a mapping")
    try:
        return SyncSpec.model_validate(block)
    except ValidationError as err:
        raise ConfigError(f"{where}: invalid sync declaration\n{_format_validation(err)}") from None


def _exposure_meta(exp: dict[str, Any]) -> dict[str, Any]:
    meta = dict(exp.get("meta") or {})
    cfg_meta = (exp.get("config") or {}).get("meta") or {}
    for k, v in cfg_meta.items():
        meta.setdefault(k, v)
    return meta


def audiences_from_manifest(manifest: dict[str, Any]) -> list[Audience]:
    """Every exposure carrying `meta.engage_sync`, validated and with its relations resolved."""
    nodes: dict[str, dict[str, Any]] = manifest.get("nodes", {})
    by_name: dict[str, dict[str, Any]] = {}
    for node in nodes.values():
        if node.get("resource_type") in ("model", "seed", "snapshot"):
            by_name.setdefault(node["name"], node)
    out: list[Audience] = []
    for exp in sorted(manifest.get("exposures", {}).values(), key=lambda e: e["name"]):
        meta = _exposure_meta(exp)
        if META_KEY not in meta:
            continue
        where = f"exposure {exp['name']!r} ({exp.get('original_file_path', '?')})"
        spec = parse_spec(meta, where)
        deps = set((exp.get("depends_on") or {}).get("nodes") or [])
        relations = []
        for model in (spec.members.model, spec.tags.model):
            node = by_name.get(model)
            if node is None:
                raise ConfigError(f"{where}: model {model!r} is not in the dbt project")
            if node["unique_id"] not in deps:
                raise ConfigError(
                    f"{where}: add ref('{model}') to depends_on so dbt docs show the audience "
                    "downstream of the models it syncs"
                )
            relations.append(
                Relation(
                    name=model,
                    schema=node.get("schema") or "main",
                    identifier=node.get("alias") or node["name"],
                )
            )
        out.append(
            Audience(
                key=exp["name"],
                spec=spec,
                members_relation=relations[0],
                tags_relation=relations[1],
                source_file=exp.get("original_file_path", ""),
            )
        )
    return out


def manifest_path_default() -> Path:
    target = os.environ.get("DBT_TARGET_PATH")
    base = Path(target) if target else PROJECT_DIR / "target"
    if not base.is_absolute():
        base = PROJECT_DIR / base
    return base / "manifest.json"


def load_audiences(
    manifest_path: Path | None = None, only: list[str] | None = None
) -> list[Audience]:
    """Read the declarations from a manifest file (run `dbt parse` first to refresh it)."""
    path = manifest_path or manifest_path_default()
    if not path.exists():
        raise ConfigError(
            f"no dbt manifest at {path}: run `engage build` (or `dbt parse`) first, or pass "
            "--manifest"
        )
    try:
        manifest = json.loads(path.read_text())
    except ValueError as err:
        raise ConfigError(f"{path}: not a readable dbt manifest ({err})") from None
    audiences = audiences_from_manifest(manifest)
    if not audiences:
        raise ConfigError(
            f"{path}: no exposure declares meta.{META_KEY}; declare one per audience in "
            "models/mailchimp/_mailchimp__exposures.yml"
        )
    if only:
        known = {a.key for a in audiences}
        missing = [o for o in only if o not in known]
        if missing:
            raise ConfigError(
                f"unknown audience(s) {', '.join(missing)}; declared: {', '.join(sorted(known))}"
            )
        audiences = [a for a in audiences if a.key in only]
    return audiences
