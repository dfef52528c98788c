"""The plan: what to change in one Mailchimp audience, computed in DuckDB SQL and kept as tables.

Owns the diff between the desired state (the exposure's member model and filter, its merge
fields and segment tags) and the current state: by default what we last successfully pushed
(`engage_sync.pushed_*`), with `basis="reconcile"` what Mailchimp holds according to the last
pull (`engage_sync.pulled_*`). The result is written to `engage_sync.plan_members` (create,
update, unsubscribe, archive; with the changed fields), `plan_merge_fields` (old -> new per
changed field), `plan_tags` (add/remove) and a summary row in `plans`. Each audience keeps its
latest plan in the detail tables; `plans` keeps the history.

Consent rules enforced here, whatever the warehouse says:
- a member is created only if the warehouse says it is emailable and no opt-out is known
  anywhere (warehouse status, pushed or pulled Mailchimp status, a terminal reject);
- existing members never get a status, except `unsubscribed` to propagate an opt-out;
- members with a terminal reject (compliance state, forgotten, invalid email) get no writes; an
  invalid merge value is retried only once the values change.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import duckdb

from sync.errors import ConfigError, PlanError, redact
from sync.mailchimp.exposures import Audience
from sync.mailchimp.merge_fields import sql_canonical
from sync.mailchimp.state import SCHEMA, utcnow

Basis = Literal["state", "reconcile"]

TAG_MAX_LEN = 100
TAG_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*(:[a-z0-9][a-z0-9._-]*)*$")
BLOCKING_REJECTS = ("compliance_state", "forgotten", "invalid_email")
LIVE_STATUSES = ("subscribed", "pending")


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


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _in_list(values: list[str] | tuple[str, ...]) -> str:
    return "(" + ", ".join(_q(v) for v in values) + ")" if values else "(null)"


def _columns(con: duckdb.DuckDBPyConnection, relation_sql: str) -> set[str]:
    try:
        return {r[0] for r in con.execute(f"describe {relation_sql}").fetchall()}
    except duckdb.Error as err:
        raise PlanError(
            f"cannot read {relation_sql}: {redact(str(err).splitlines()[0])}; "
            "run `engage build` first"
        ) from None


def _check_columns(aud: Audience, con: duckdb.DuckDBPyConnection) -> None:
    m = aud.spec.members
    have = _columns(con, aud.members_relation.sql)
    need = [m.key, m.email, m.email_status, m.is_emailable] + [
        f.column for f in aud.spec.merge_fields
    ]
    missing = [c for c in need if c not in have]
    if missing:
        raise ConfigError(
            f"exposure {aud.key!r} ({aud.source_file}): model {m.model!r} has no column(s) "
            f"{', '.join(missing)}; available: {', '.join(sorted(have))}"
        )
    t = aud.spec.tags
    have_t = _columns(con, aud.tags_relation.sql)
    missing_t = [c for c in (t.key, t.segment_column, t.tag_column) if c not in have_t]
    if missing_t:
        raise ConfigError(
            f"exposure {aud.key!r} ({aud.source_file}): model {t.model!r} has no column(s) "
            f"{', '.join(missing_t)}; available: {', '.join(sorted(have_t))}"
        )


def validate_tags(con: duckdb.DuckDBPyConnection, aud: Audience) -> None:
    """Every tag we would send must be well formed and inside a namespace we own."""
    t = aud.spec.tags
    seg_filter = ""
    if t.segments != "all":
        seg_filter = f'where "{t.segment_column}" in {_in_list(list(t.segments))}'
    tags = [
        (r[0], r[1])
        for r in con.execute(
            f'select distinct cast("{t.tag_column}" as varchar), cast("{t.segment_column}" '
            f"as varchar) from {aud.tags_relation.sql} {seg_filter}"
        ).fetchall()
    ]
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
            f"exposure {aud.key!r}: invalid tags in {aud.tags_relation.name}:\n  "
            + "\n  ".join(problems[:20])
            + (f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else "")
        )


def new_plan_id() -> str:
    return utcnow().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def _build_desired(con: duckdb.DuckDBPyConnection, aud: Audience, audience_id: str) -> None:
    """Temp tables _src, _optout, _rejected, _desired, _dfields, _dtags."""
    spec = aud.spec
    m = spec.members
    fields = spec.merge_fields
    email = f'trim(cast(m."{m.email}" as varchar))'
    field_cols = "".join(f", {sql_canonical(f, f.column)} as f_{i}" for i, f in enumerate(fields))
    scope = f"coalesce(({m.filter}), false)" if m.filter else "true"
    try:
        con.execute(
            f"""
            create or replace temp table _src as
            select cast(m."{m.key}" as varchar) as supporter_id,
                   {email} as email_address,
                   md5(lower({email})) as subscriber_hash,
                   lower(coalesce(cast(m."{m.email_status}" as varchar), 'unknown'))
                       as email_status,
                   coalesce(try_cast(m."{m.is_emailable}" as boolean), false) as is_emailable,
                   {scope} as in_scope
                   {field_cols}
            from {aud.members_relation.sql} m
            where m."{m.email}" is not null and {email} <> ''
            """
        )
    except duckdb.Error as err:
        raise ConfigError(
            f"exposure {aud.key!r} ({aud.source_file}): cannot evaluate the members model/filter "
            f"({redact(str(err).splitlines()[0])}); check members.filter"
        ) from None
    optouts = _in_list([s.lower() for s in spec.optout_statuses])
    con.execute(
        f"create or replace temp table _optout as select distinct subscriber_hash from _src "
        f"where email_status in {optouts}"
    )
    payload = (
        "md5(concat_ws('|', " + ", ".join(f"f_{i}" for i in range(len(fields))) + "))"
        if fields
        else "md5('')"
    )
    con.execute(
        f"""
        create or replace temp table _rejected as
        select subscriber_hash, reason, payload_hash from {SCHEMA}.sync_rejects
        where audience_id = {_q(audience_id)}
        """
    )
    con.execute(
        f"""
        create or replace temp table _desired as
        select * exclude (rn) from (
            select s.*, {payload} as payload_hash,
                   row_number() over (partition by subscriber_hash order by supporter_id) as rn
            from _src s
            where in_scope and is_emailable
              and subscriber_hash not in (select subscriber_hash from _optout)
              and subscriber_hash not in (
                  select subscriber_hash from {SCHEMA}.pushed_members
                  where audience_id = {_q(audience_id)} and status in ('unsubscribed', 'cleaned')
                  union all
                  select subscriber_hash from {SCHEMA}.pulled_members
                  where audience_id = {_q(audience_id)} and status in ('unsubscribed', 'cleaned')
                  union all
                  select subscriber_hash from _rejected
                  where reason in {_in_list(list(BLOCKING_REJECTS))}
              )
        ) where rn = 1
        """
    )
    # An invalid merge value is not retried until the values change.
    con.execute(
        """
        delete from _desired where exists (
            select 1 from _rejected r where r.subscriber_hash = _desired.subscriber_hash
              and r.reason = 'invalid_merge_value' and r.payload_hash = _desired.payload_hash)
        """
    )
    if fields:
        union = " union all ".join(
            f"select subscriber_hash, {_q(f.tag)} as tag, f_{i} as value from _desired"
            for i, f in enumerate(fields)
        )
    else:
        union = (
            "select null::varchar as subscriber_hash, null::varchar as tag, "
            "null::varchar as value where false"
        )
    con.execute(f"create or replace temp table _dfields as {union}")
    t = spec.tags
    seg_filter = ""
    if t.segments != "all":
        seg_filter = f'and sm."{t.segment_column}" in {_in_list(list(t.segments))}'
    con.execute(
        f"""
        create or replace temp table _dtags as
        select s.subscriber_hash, min(cast(sm."{t.tag_column}" as varchar)) as tag
        from {aud.tags_relation.sql} sm
        join _src s on s.supporter_id = cast(sm."{t.key}" as varchar)
        where s.subscriber_hash in (select subscriber_hash from _desired) {seg_filter}
          and sm."{t.tag_column}" is not null
        group by s.subscriber_hash, lower(cast(sm."{t.tag_column}" as varchar))
        """
    )


def _build_current(
    con: duckdb.DuckDBPyConnection, aud: Audience, audience_id: str, basis: Basis
) -> None:
    """Temp tables _cur_members, _cur_fields, _cur_tags, _hold (members to leave alone)."""
    a = _q(audience_id)
    src = "pushed" if basis == "state" else "pulled"
    ns = " or ".join(f"starts_with(lower(tag), {_q(n)})" for n in aud.owned_namespaces)
    declared = _in_list([f.tag for f in aud.spec.merge_fields])
    con.execute(
        f"""
        create or replace temp table _cur_members as
        select subscriber_hash, email_address, status from {SCHEMA}.{src}_members
        where audience_id = {a}
        """
    )
    con.execute(
        f"""
        create or replace temp table _cur_fields as
        select subscriber_hash, tag, value from {SCHEMA}.{src}_merge_fields
        where audience_id = {a} and tag in {declared}
        """
    )
    con.execute(
        f"""
        create or replace temp table _cur_tags as
        select subscriber_hash, tag from {SCHEMA}.{src}_tags
        where audience_id = {a} and ({ns})
        """
    )
    # Leave alone: members with a blocking reject; on the pushed basis also members staff
    # archived in Mailchimp since we last wrote them, or that we never wrote at all (only
    # --reconcile revives those: re-adding an archived contact un-archives it as subscribed,
    # and an opt-out it had before the archive is no longer visible to the warehouse).
    blocking = _in_list(list(BLOCKING_REJECTS))
    hold = f"select subscriber_hash from _rejected where reason in {blocking}"
    if basis == "state":
        hold += f"""
        union all
        select p.subscriber_hash from {SCHEMA}.pulled_members p
        left join {SCHEMA}.pushed_members s
          on s.audience_id = p.audience_id and s.subscriber_hash = p.subscriber_hash
        where p.audience_id = {a} and p.status = 'archived'
          and (s.subscriber_hash is null
               or (s.status <> 'archived'
                   and p.last_changed >= date_trunc('second', s.updated_at)))
        """
    con.execute(f"create or replace temp table _hold as select distinct * from ({hold})")
    # Who Mailchimp has as live members: ours plus (state basis) those seen by the last pull.
    known = "select subscriber_hash, email_address, status from _cur_members"
    if basis == "state":
        known += f"""
        union all
        select subscriber_hash, email_address, status from {SCHEMA}.pulled_members
        where audience_id = {a}
          and subscriber_hash not in (select subscriber_hash from _cur_members)
        """
    con.execute(f"create or replace temp table _known as {known}")


def _plan_rows(
    con: duckdb.DuckDBPyConnection,
    aud: Audience,
    plan_id: str,
    audience_id: str,
    new_status: str,
) -> None:
    p = _q(plan_id)
    k = _q(aud.key)
    a = _q(audience_id)
    policy = aud.spec.removal_policy
    for tbl in ("plan_members", "plan_merge_fields", "plan_tags"):
        con.execute(f"delete from {SCHEMA}.{tbl} where audience_key = {k}")
    live = _in_list(list(LIVE_STATUSES))
    # Creates: desired, and absent (or archived) in the current state.
    con.execute(
        f"""
        insert into {SCHEMA}.plan_members
        select {p}, {k}, {a}, 'create', d.subscriber_hash, d.email_address, d.supporter_id,
               {_q(new_status)}, c.status,
               (select string_agg(tag, ',' order by tag) from _dfields f
                where f.subscriber_hash = d.subscriber_hash),
               coalesce((select json_group_object(tag, value) from _dfields f
                where f.subscriber_hash = d.subscriber_hash), '{{}}')
        from _desired d left join _cur_members c using (subscriber_hash)
        where (c.subscriber_hash is null or c.status = 'archived')
          and d.subscriber_hash not in (select subscriber_hash from _hold)
        """
    )
    # Changed fields of existing members.
    con.execute(
        """
        create or replace temp table _changed as
        select f.subscriber_hash, f.tag, cf.value as old_value, f.value as new_value
        from _dfields f
        join _cur_members c on c.subscriber_hash = f.subscriber_hash and c.status <> 'archived'
        left join _cur_fields cf on cf.subscriber_hash = f.subscriber_hash and cf.tag = f.tag
        where f.value <> coalesce(cf.value, '')
          and f.subscriber_hash not in (select subscriber_hash from _hold)
        """
    )
    con.execute(
        f"""
        insert into {SCHEMA}.plan_members
        select {p}, {k}, {a}, 'update', d.subscriber_hash, d.email_address, d.supporter_id,
               null, c.status, string_agg(ch.tag, ',' order by ch.tag),
               json_group_object(ch.tag, ch.new_value)
        from _changed ch
        join _desired d using (subscriber_hash)
        join _cur_members c using (subscriber_hash)
        group by d.subscriber_hash, d.email_address, d.supporter_id, c.status
        """
    )
    con.execute(
        f"""
        insert into {SCHEMA}.plan_merge_fields
        select {p}, {k}, {a}, subscriber_hash, tag, old_value, new_value from _changed
        """
    )
    # Opt-outs known to the warehouse, for members Mailchimp has as live.
    con.execute(
        f"""
        insert into {SCHEMA}.plan_members
        select distinct on (kn.subscriber_hash) {p}, {k}, {a}, 'unsubscribe', kn.subscriber_hash,
               kn.email_address, s.supporter_id, 'unsubscribed', kn.status, null, null
        from _known kn
        join _src s using (subscriber_hash)
        where kn.status in {live}
          and kn.subscriber_hash in (select subscriber_hash from _optout)
          and kn.subscriber_hash not in (select subscriber_hash from _hold)
        order by kn.subscriber_hash, s.supporter_id
        """
    )
    leaving = """
        select c.subscriber_hash, c.email_address, c.status from _cur_members c
        where c.subscriber_hash not in (select subscriber_hash from _desired)
          and c.subscriber_hash not in (select subscriber_hash from _hold)
    """
    if policy == "archive":
        con.execute(
            f"""
            insert into {SCHEMA}.plan_members
            select {p}, {k}, {a}, 'archive', l.subscriber_hash, l.email_address, null,
                   null, l.status, null, null
            from ({leaving}) l
            where l.status in {live}
              and l.subscriber_hash not in (select subscriber_hash from _optout)
            """
        )
    # Tags: adds for desired members; removes of owned tags no longer desired. Tags of an
    # archived member count only when it is being revived (it keeps them in Mailchimp).
    con.execute(
        """
        create or replace temp table _live_tags as
        select t.subscriber_hash, t.tag from _cur_tags t
        join _cur_members c using (subscriber_hash)
        where c.status <> 'archived'
           or t.subscriber_hash in (select subscriber_hash from _desired)
        """
    )
    con.execute(
        f"""
        insert into {SCHEMA}.plan_tags
        select {p}, {k}, {a}, t.subscriber_hash, d.email_address, t.tag, 'add', 'segment'
        from _dtags t join _desired d using (subscriber_hash)
        where t.subscriber_hash not in (select subscriber_hash from _hold)
          and not exists (select 1 from _live_tags c where c.subscriber_hash = t.subscriber_hash
                          and lower(c.tag) = lower(t.tag))
        """
    )
    remove_leavers = "true" if policy != "nothing" else "false"
    con.execute(
        f"""
        insert into {SCHEMA}.plan_tags
        select {p}, {k}, {a}, ct.subscriber_hash, cm.email_address, ct.tag, 'remove',
               case when ct.subscriber_hash in (select subscriber_hash from _desired)
                    then 'segment'
                    when ct.subscriber_hash in (select subscriber_hash from _optout) then 'optout'
                    else 'leaving' end
        from _live_tags ct
        join _cur_members cm using (subscriber_hash)
        where ct.subscriber_hash not in (select subscriber_hash from _hold)
          and not exists (select 1 from _dtags t where t.subscriber_hash = ct.subscriber_hash
                          and lower(t.tag) = lower(ct.tag))
          and (ct.subscriber_hash in (select subscriber_hash from _desired) or {remove_leavers})
        """
    )


def _previous_desired_size(con: duckdb.DuckDBPyConnection, key: str) -> int | None:
    row = con.execute(
        f"select desired_size from {SCHEMA}.plans where audience_key = ? "
        "and status in ('applied', 'partial') order by created_at desc limit 1",
        [key],
    ).fetchone()
    return None if row is None else int(row[0])


def new_member_status(aud: Audience, double_optin: bool) -> str:
    setting = aud.spec.new_member_status
    if setting == "auto":
        return "pending" if double_optin else "subscribed"
    return setting


def compute_plan(
    con: duckdb.DuckDBPyConnection,
    aud: Audience,
    audience_id: str,
    double_optin: bool,
    basis: Basis = "state",
    plan_id: str | None = None,
) -> PlanSummary:
    """Compute and store the plan for one audience; return its summary."""
    plan_id = plan_id or new_plan_id()
    _check_columns(aud, con)
    validate_tags(con, aud)
    con.execute("begin transaction")
    try:
        _build_desired(con, aud, audience_id)
        _build_current(con, aud, audience_id, basis)
        _plan_rows(con, aud, plan_id, audience_id, new_member_status(aud, double_optin))
        counts = _counts(con, aud.key)
        desired_size = con.execute("select count(*) from _desired").fetchone()[0]
        audience_size = con.execute(
            f"select count(*) from _cur_members where status in {_in_list(list(LIVE_STATUSES))}"
        ).fetchone()[0]
        held_tags = con.execute("select count(*) from _live_tags").fetchone()[0]
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
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return summary


def _counts(con: duckdb.DuckDBPyConnection, key: str) -> PlanCounts:
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
    con: duckdb.DuckDBPyConnection, plan_id: str, status: str, thresholds: list[dict] | None = None
) -> None:
    con.execute(
        f"update {SCHEMA}.plans set status = ?, thresholds_hit = coalesce(?, thresholds_hit) "
        "where plan_id = ?",
        [status, json.dumps(thresholds) if thresholds is not None else None, plan_id],
    )


def sample_rows(
    con: duckdb.DuckDBPyConnection, audience_key: str, limit: int = 5
) -> dict[str, list[dict[str, Any]]]:
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
