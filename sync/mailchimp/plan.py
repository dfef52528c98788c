"""The plan: what to change in one Mailchimp audience, diffed in SQL and kept as tables.

The desired state is dbt's: `mailchimp_desired_members` (members, and opt-outs to propagate:
consent is decided there, once), `mailchimp_desired_merge_fields` and `mailchimp_desired_tags`,
built for every audience an exposure declares. This module owns only the diff against the
current state: by default what we last successfully pushed (`engage_sync.pushed_*`), with
`basis="reconcile"` what Mailchimp holds according to the last pull (`engage_sync.pulled_*`).
The diff is parameterised SQL in `sync/mailchimp/sql/plan_*.sql`, portable between the
warehouse engines (`sync.warehouse.storage.Store`: DuckDB and PostgreSQL). The result is written to
`engage_sync.plan_members` (create, update, unsubscribe, archive; with the changed fields),
`plan_merge_fields` (old -> new per changed field), `plan_tags` (add/remove) and a summary row
in `plans`. Each audience keeps its latest plan in the detail tables; `plans` keeps the history.

What the sync's own records add to the warehouse's consent, whatever the warehouse says:
- no one is created whose opt-out Mailchimp reported (pushed or pulled status) or who has a
  terminal reject (compliance state, forgotten, invalid email);
- existing members never get a status, except `unsubscribed` to propagate an opt-out;
- an invalid merge value is retried only once the values change;
- a radio/dropdown value outside the field's declared choices refuses the plan
  (`validate_merge_values`): Mailchimp would reject it, and it would never be written.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from sync.errors import PlanError, StorageError, redact
from sync.mailchimp.exposures import Audience, Relation
from sync.mailchimp.state import SCHEMA, run_sql, utcnow
from sync.warehouse.storage import Store

Basis = Literal["state", "reconcile"]

TAG_MAX_LEN = 100
# How many offending values an error names per field (each cut to VALUE_SHOWN_CHARS).
VALUES_SHOWN = 5
VALUE_SHOWN_CHARS = 40
TAG_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*(:[a-z0-9][a-z0-9._-]*)*$")
BLOCKING_REJECTS = ("compliance_state", "forgotten", "invalid_email")
LIVE_STATUSES = ("subscribed", "pending")
# The dbt models holding the desired state (models/mailchimp/), by placeholder name.
DESIRED_MODELS = {
    "desired_members": "mailchimp_desired_members",
    "desired_merge_fields": "mailchimp_desired_merge_fields",
    "desired_tags": "mailchimp_desired_tags",
}


@dataclass
class PlanCounts:
    creates: int = 0
    updates: int = 0
    unsubscribes: int = 0
    archives: int = 0
    tag_adds: int = 0
    tag_removes: int = 0

    @property
    def total(self) -> int:
        return sum(asdict(self).values())


@dataclass
class PlanSummary:
    plan_id: str
    audience_key: str
    audience_id: str
    basis: str
    desired_size: int
    previous_desired_size: int | None
    audience_size: int
    held_tags: int
    counts: PlanCounts = field(default_factory=PlanCounts)

    @property
    def is_empty(self) -> bool:
        return self.counts.total == 0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["counts"] = asdict(self.counts)
        return d


def desired_relations(aud: Audience) -> dict[str, str]:
    """Placeholder -> quoted relation of the desired-state models (next to the members model)."""
    schema = aud.members_relation.schema
    return {k: Relation(name, schema, name).sql for k, name in DESIRED_MODELS.items()}


def _check_desired(con: Store, aud: Audience) -> None:
    """The desired-state models must be built, and built for this audience's declaration."""
    for name, relation in desired_relations(aud).items():
        try:
            con.execute(f"select audience_key from {relation} limit 0")
        except StorageError as err:
            raise PlanError(
                f"exposure {aud.key!r}: cannot read the desired state {DESIRED_MODELS[name]} "
                f"({redact(str(err).splitlines()[0])}); run `engage build` first"
            ) from None


def validate_tags(con: Store, aud: Audience) -> None:
    """Every tag we would send must be well formed and inside a namespace we own."""
    tags = run_sql(con, "plan_tag_names", {"audience_key": aud.key}, desired_relations(aud))
    problems: list[str] = []
    seen: dict[str, str] = {}
    for tag, seg in sorted(tags, key=lambda x: (str(x[0]), str(x[1]))):
        if tag is None or not tag.strip():
            problems.append(f"segment {seg!r} has an empty tag")
            continue
        if not aud.owns_tag(tag):
            problems.append(
                f"tag {tag!r} (segment {seg!r}) is outside the owned namespaces "
                f"{list(aud.owned_namespaces)}"
            )
        elif len(tag) > TAG_MAX_LEN or not TAG_SLUG_RE.match(tag):
            problems.append(
                f"tag {tag!r} (segment {seg!r}) is not a valid tag name: use lower-case "
                f"<namespace>:<slug> with a-z, 0-9, '-', '.', '_' (at most {TAG_MAX_LEN} chars)"
            )
        other = seen.setdefault(tag.lower(), tag)
        if other != tag:
            problems.append(
                f"tags {other!r} and {tag!r} differ only in case; Mailchimp treats them as one"
            )
    if problems:
        raise PlanError(
            f"exposure {aud.key!r}: invalid tags in {DESIRED_MODELS['desired_tags']} "
            f"(from {aud.tags_relation.name}):\n  "
            + "\n  ".join(problems[:20])
            + (f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else "")
        )


def _shown_value(value: str) -> str:
    """A merge value as an error may show it: cut short, and never an e-mail address (a
    column mapped by mistake could hold them; errors reach logs and alerts)."""
    if "@" in value:
        return "<a value containing '@', not shown>"
    return repr(value[:VALUE_SHOWN_CHARS])


def validate_merge_values(con: Store, aud: Audience) -> None:
    """Every radio/dropdown value we would send must be one of the field's declared choices.

    Mailchimp rejects any other value (and the member write with it), so a value outside the
    choices stops the plan before any write, naming the field, the value and the fix."""
    choices = {f.tag: f for f in aud.spec.merge_fields if f.type in ("radio", "dropdown")}
    if not choices:
        return
    rows = run_sql(
        con,
        "plan_choice_values",
        {"audience_key": aud.key, "choice_tags": sorted(choices)},
        desired_relations(aud),
    )
    bad: dict[str, list[tuple[str, int]]] = {}
    for tag, value, members in rows:
        if value not in (choices[tag].choices or []):
            bad.setdefault(tag, []).append((str(value), int(members)))
    if not bad:
        return
    problems = []
    for tag, values in sorted(bad.items()):
        spec = choices[tag]
        shown = ", ".join(
            f"{_shown_value(v)} ({n} member{'s' if n != 1 else ''})"
            for v, n in values[:VALUES_SHOWN]
        )
        more = f" and {len(values) - VALUES_SHOWN} more" if len(values) > VALUES_SHOWN else ""
        problems.append(
            f"merge field {tag} ({spec.type}, column {spec.column!r}) holds {shown}{more}, "
            f"not among its declared choices {list(spec.choices or [])}: add the value to the "
            f"choices of {tag} in {aud.source_file or 'the exposure'} (and to the field's "
            "choices in Mailchimp if it already exists), or change the warehouse's values; "
            "then run `engage build`"
        )
    raise PlanError(
        f"exposure {aud.key!r}: values outside the declared choices in "
        f"{DESIRED_MODELS['desired_merge_fields']} (from {aud.members_relation.name}); "
        "nothing was written:\n  " + "\n  ".join(problems)
    )


def new_plan_id() -> str:
    return utcnow().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def _previous_desired_size(con: Store, key: str) -> int | None:
    row = con.row(
        f"select desired_size from {SCHEMA}.plans where audience_key = ? "
        "and status in ('applied', 'partial') order by created_at desc limit 1",
        [key],
    )
    return None if row is None else int(row[0])


def new_member_status(aud: Audience, double_optin: bool) -> str:
    setting = aud.spec.new_member_status
    if setting == "auto":
        return "pending" if double_optin else "subscribed"
    return setting


def compute_plan(
    con: Store,
    aud: Audience,
    audience_id: str,
    double_optin: bool,
    basis: Basis = "state",
    plan_id: str | None = None,
    check_values: bool = True,
) -> PlanSummary:
    """Compute and store the plan for one audience; return its summary.

    `check_values=False` skips the choice check (`validate_merge_values`): only for a plan of
    which nothing but the unsubscribes is applied (opt-outs carry no merge values)."""
    plan_id = plan_id or new_plan_id()
    _check_desired(con, aud)
    validate_tags(con, aud)
    if check_values:
        validate_merge_values(con, aud)
    relations = desired_relations(aud)
    params: dict[str, Any] = {
        "plan_id": plan_id,
        "audience_key": aud.key,
        "audience_id": audience_id,
        "basis": basis,
        "declared_tags": [f.tag for f in aud.spec.merge_fields],
        "owned_namespaces": [n.lower() for n in aud.owned_namespaces],
        "new_status": new_member_status(aud, double_optin),
        "removal_policy": aud.spec.removal_policy,
    }
    with con.transaction():
        run_sql(con, "plan_desired", params, relations)
        _owned_namespaces(con, params.pop("owned_namespaces"))
        run_sql(con, "plan_current", params)
        run_sql(con, "plan_rows", params)
        counts = _counts(con, aud.key)
        [(desired_size, audience_size, held_tags)] = run_sql(con, "plan_sizes")
        summary = PlanSummary(
            plan_id=plan_id,
            audience_key=aud.key,
            audience_id=audience_id,
            basis=basis,
            desired_size=int(desired_size),
            previous_desired_size=_previous_desired_size(con, aud.key),
            audience_size=int(audience_size),
            held_tags=int(held_tags),
            counts=counts,
        )
        c = counts
        con.execute(
            f"insert into {SCHEMA}.plans values ({', '.join(['?'] * 17)})",
            [
                plan_id,
                aud.key,
                audience_id,
                utcnow(),
                basis,
                summary.desired_size,
                summary.previous_desired_size,
                summary.audience_size,
                summary.held_tags,
                c.creates,
                c.updates,
                c.unsubscribes,
                c.archives,
                c.tag_adds,
                c.tag_removes,
                None,
                "planned",
            ],
        )
    return summary


def _owned_namespaces(con: Store, namespaces: list[str]) -> None:
    """The temporary table `_owned_namespaces` that plan_current.sql matches tags against."""
    con.execute("drop table if exists _owned_namespaces")
    con.execute("create temporary table _owned_namespaces (namespace varchar)")
    con.bulk(
        "insert into _owned_namespaces select namespace from _bulk",
        "namespace:v",
        [(n,) for n in namespaces],
    )


def _counts(con: Store, key: str) -> PlanCounts:
    c = PlanCounts()
    for action, n in con.execute(
        f"select action, count(*) from {SCHEMA}.plan_members where audience_key = ? group by 1",
        [key],
    ).fetchall():
        setattr(
            c,
            {
                "create": "creates",
                "update": "updates",
                "unsubscribe": "unsubscribes",
                "archive": "archives",
            }[action],
            int(n),
        )
    for op, n in con.execute(
        f"select op, count(*) from {SCHEMA}.plan_tags where audience_key = ? group by 1", [key]
    ).fetchall():
        setattr(c, "tag_adds" if op == "add" else "tag_removes", int(n))
    return c


def set_plan_status(
    con: Store, plan_id: str, status: str, thresholds: list[dict] | None = None
) -> None:
    con.execute(
        f"update {SCHEMA}.plans set status = ?, thresholds_hit = coalesce(?, thresholds_hit) "
        "where plan_id = ?",
        [status, json.dumps(thresholds) if thresholds is not None else None, plan_id],
    )


def sample_rows(con: Store, audience_key: str, limit: int = 5) -> dict[str, list[dict[str, Any]]]:
    """A few plan rows per action, with hashed emails only (for display)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for action in ("create", "update", "unsubscribe", "archive"):
        rows = con.execute(
            f"select subscriber_hash, supporter_id, status, prior_status, changed_fields "
            f"from {SCHEMA}.plan_members where audience_key = ? and action = ? "
            "order by subscriber_hash limit ?",
            [audience_key, action, limit],
        ).fetchall()
        if rows:
            out[action] = [
                dict(
                    zip(
                        (
                            "subscriber_hash",
                            "supporter_id",
                            "status",
                            "prior_status",
                            "changed_fields",
                        ),
                        r,
                        strict=True,
                    )
                )
                for r in rows
            ]
    for op in ("add", "remove"):
        rows = con.execute(
            f"select subscriber_hash, tag, reason from {SCHEMA}.plan_tags "
            "where audience_key = ? and op = ? order by tag, subscriber_hash limit ?",
            [audience_key, op, limit],
        ).fetchall()
        if rows:
            out[f"tag_{op}"] = [
                dict(zip(("subscriber_hash", "tag", "reason"), r, strict=True)) for r in rows
            ]
    return out
