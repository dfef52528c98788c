"""The sync's own tables in schema `engage_sync` of the warehouse (DuckDB file or PostgreSQL).

Owns their DDL and every write to them, so the rest of the sync reads and writes state through
named functions:

- `audiences`: exposure name -> resolved Mailchimp audience id (and its double opt-in flag);
- `pushed_members`, `pushed_merge_fields`, `pushed_tags`: what we last successfully pushed
  (acknowledged by Mailchimp), chunk by chunk; the plan diffs desired state against these;
- `pulled_members` (architecture contract), `pulled_merge_fields`, `pulled_tags`,
  `pull_watermarks`: what Mailchimp holds, read back by `engage pull`;
- `pulled_optouts` (architecture contract): append-only, every unsubscribed/cleaned status a
  pull has seen, kept after Mailchimp archives or deletes the member (opt-outs are sticky);
- `pulled_campaigns`, `pulled_campaign_activity` (architecture contract): sent campaigns and
  what their recipients did (sent, open, click, bounce, unsubscribe, abuse_report), read from
  the Reports API by `sync.mailchimp.activity`; `activity_progress` (per campaign and report:
  the `since` and next offset of an unfinished read, so a killed pull resumes) and
  `activity_watermarks` (per audience: when activity was last read completely);
- `sync_rejects` (architecture contract): terminal per-member errors, fed back into consent;
- plan tables (`plans`, `plan_members`, `plan_merge_fields`, `plan_tags`) and the run log
  (`sync_runs`, `sync_ops`) are created here too; `sync.mailchimp.plan` and
  `sync.mailchimp.runlog` fill them;
- `run_sql`: runs the sync's SQL files (`sync/mailchimp/sql/*.sql`) with named parameters.

Every read and write goes through `sync.warehouse.storage.Store`, so the same DDL and SQL run
on DuckDB and PostgreSQL: upserts are `insert ... on conflict (primary key) do update`
(`upsert`, keyed by the DDL below), list parameters are expanded into `in (...)`.
Timestamps are naive UTC. Tag names are stored as sent; comparisons use lower().
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from sync.warehouse.storage import StorageTarget, Store, open_store

SCHEMA = "engage_sync"

DDL = f"""
create schema if not exists {SCHEMA};

create table if not exists {SCHEMA}.audiences (
    audience_key varchar primary key,
    audience_id varchar not null,
    audience_name varchar,
    double_optin boolean,
    resolved_at timestamp
);

create table if not exists {SCHEMA}.pushed_members (
    audience_id varchar not null,
    subscriber_hash varchar not null,
    email_address varchar,
    supporter_id varchar,
    status varchar,
    updated_at timestamp,
    run_id varchar,
    primary key (audience_id, subscriber_hash)
);

create table if not exists {SCHEMA}.pushed_merge_fields (
    audience_id varchar not null,
    subscriber_hash varchar not null,
    tag varchar not null,
    value varchar,
    updated_at timestamp,
    primary key (audience_id, subscriber_hash, tag)
);

create table if not exists {SCHEMA}.pushed_tags (
    audience_id varchar not null,
    subscriber_hash varchar not null,
    tag varchar not null,
    updated_at timestamp,
    primary key (audience_id, subscriber_hash, tag)
);

create table if not exists {SCHEMA}.pulled_members (
    audience_id varchar not null,
    email_address varchar,
    subscriber_hash varchar not null,
    status varchar,
    last_changed timestamp,
    pulled_at timestamp,
    tags_count integer,
    primary key (audience_id, subscriber_hash)
);

create table if not exists {SCHEMA}.pulled_optouts (
    audience_id varchar not null,
    email_address varchar,
    subscriber_hash varchar not null,
    status varchar not null,
    observed_at timestamp not null,
    primary key (audience_id, subscriber_hash, status, observed_at)
);

create table if not exists {SCHEMA}.pulled_merge_fields (
    audience_id varchar not null,
    subscriber_hash varchar not null,
    tag varchar not null,
    value varchar,
    primary key (audience_id, subscriber_hash, tag)
);

create table if not exists {SCHEMA}.pulled_tags (
    audience_id varchar not null,
    subscriber_hash varchar not null,
    tag varchar not null,
    primary key (audience_id, subscriber_hash, tag)
);

create table if not exists {SCHEMA}.pull_watermarks (
    audience_id varchar primary key,
    last_changed_max timestamp,
    pulled_at timestamp,
    full_pulled_at timestamp
);

create table if not exists {SCHEMA}.pulled_campaigns (
    audience_id varchar not null,
    campaign_id varchar primary key,
    web_id bigint,
    title varchar,
    subject_line varchar,
    send_time timestamp,
    emails_sent integer,
    segment_id bigint,
    segment_text varchar,
    tag varchar,
    pulled_at timestamp
);

create table if not exists {SCHEMA}.pulled_campaign_activity (
    audience_id varchar not null,
    campaign_id varchar not null,
    subscriber_hash varchar not null,
    email_address varchar,
    action varchar not null,
    occurred_at timestamp not null,
    url varchar not null,
    detail varchar,
    pulled_at timestamp,
    primary key (campaign_id, subscriber_hash, action, occurred_at, url)
);

create table if not exists {SCHEMA}.activity_progress (
    campaign_id varchar not null,
    report varchar not null,
    since timestamp,
    next_offset integer not null,
    started_at timestamp,
    completed_at timestamp,
    primary key (campaign_id, report)
);

create table if not exists {SCHEMA}.activity_watermarks (
    audience_id varchar primary key,
    pulled_at timestamp
);

create table if not exists {SCHEMA}.sync_rejects (
    audience_id varchar not null,
    email_address varchar,
    subscriber_hash varchar not null,
    reason varchar not null,
    detail varchar,
    rejected_at timestamp,
    field varchar,
    payload_hash varchar,
    run_id varchar,
    primary key (audience_id, subscriber_hash)
);

create table if not exists {SCHEMA}.plans (
    plan_id varchar primary key,
    audience_key varchar,
    audience_id varchar,
    created_at timestamp,
    basis varchar,
    desired_size integer,
    previous_desired_size integer,
    audience_size integer,
    held_tags integer,
    creates integer,
    updates integer,
    unsubscribes integer,
    archives integer,
    tag_adds integer,
    tag_removes integer,
    thresholds_hit varchar,
    status varchar
);

create table if not exists {SCHEMA}.plan_members (
    plan_id varchar,
    audience_key varchar,
    audience_id varchar,
    action varchar,
    subscriber_hash varchar,
    email_address varchar,
    supporter_id varchar,
    status varchar,
    prior_status varchar,
    changed_fields varchar,
    merge_fields varchar
);

create table if not exists {SCHEMA}.plan_merge_fields (
    plan_id varchar,
    audience_key varchar,
    audience_id varchar,
    subscriber_hash varchar,
    tag varchar,
    old_value varchar,
    new_value varchar
);

create table if not exists {SCHEMA}.plan_tags (
    plan_id varchar,
    audience_key varchar,
    audience_id varchar,
    subscriber_hash varchar,
    email_address varchar,
    tag varchar,
    op varchar,
    reason varchar
);

create table if not exists {SCHEMA}.sync_runs (
    run_id varchar primary key,
    command varchar,
    audience_key varchar,
    audience_id varchar,
    plan_id varchar,
    started_at timestamp,
    finished_at timestamp,
    status varchar,
    counts varchar,
    errors integer,
    error_summary varchar,
    thresholds_hit varchar,
    forced boolean,
    force_reason varchar
);

create table if not exists {SCHEMA}.sync_ops (
    run_id varchar,
    audience_id varchar,
    op varchar,
    detail varchar,
    items integer,
    ok integer,
    failed integer,
    logged_at timestamp
);
"""

TERMINAL_REASONS = ("compliance_state", "forgotten", "invalid_email", "invalid_merge_value")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_PARAM_RE = re.compile(r"\$([a-z_][a-z0-9_]*)")
_RELATION_RE = re.compile(r"\{([a-z_]+)\}")
_COMMENT_RE = re.compile(r"--[^\n]*")


def sql_statements(name: str, relations: Mapping[str, str] | None = None) -> list[str]:
    """The statements of `sync/mailchimp/sql/<name>.sql`, with `{relation}` placeholders filled in.

    Values are never spliced in: they are `$name` parameters bound by `run_sql`. Only
    relation names (already quoted identifiers resolved from dbt's manifest) are substituted.
    """
    text = _COMMENT_RE.sub("", (files("sync.mailchimp") / "sql" / f"{name}.sql").read_text())
    rel = dict(relations or {})

    def relation(m: re.Match[str]) -> str:
        if m.group(1) not in rel:
            raise KeyError(f"sync/mailchimp/sql/{name}.sql needs relation {m.group(1)!r}")
        return rel[m.group(1)]

    return [s.strip() for s in _RELATION_RE.sub(relation, text).split(";") if s.strip()]


def _bind(stmt: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """`$name` -> `?` with its value; a list or tuple value -> `?, ?, ...` (`null` when empty),
    so the SQL writes `x in ($names)` and runs on every engine."""
    values: list[Any] = []

    def bind(m: re.Match[str]) -> str:
        value = params[m.group(1)]
        if isinstance(value, list | tuple):
            values.extend(value)
            return ", ".join("?" for _ in value) or "null"
        values.append(value)
        return "?"

    return _PARAM_RE.sub(bind, stmt), values


def run_sql(
    con: Store,
    name: str,
    params: Mapping[str, Any] | None = None,
    relations: Mapping[str, str] | None = None,
) -> list[tuple]:
    """Run every statement of `sync/mailchimp/sql/<name>.sql`, binding the `$name` parameters
    each one uses; return the rows of the last statement (empty when it returns none).
    `{json_object_agg}` and the like are the store's dialect fragments."""
    params = dict(params or {})
    rel = {"json_object_agg": con.fragment("json_object_agg"), **(relations or {})}
    rows: list[tuple] = []
    for stmt in sql_statements(name, rel):
        sql, values = _bind(stmt, params)
        rows = con.execute(sql, values).fetchall()
    return rows


def connect(db: Path | str | StorageTarget, read_only: bool = False) -> Store:
    """Open the warehouse with the sync schema in place: `db` is a storage target, or the
    DuckDB file path meaning the selected dbt target (`storage.storage_target`)."""
    con = open_store(Path(db) if isinstance(db, str) else db, read_only=read_only)
    if not read_only:
        try:
            ensure_schema(con)
        except BaseException:
            con.close()
            raise
    return con


def ensure_schema(con: Store) -> None:
    con.execute(DDL)


@dataclass(frozen=True)
class Table:
    """One state table as its DDL declares it: columns in order and primary key."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]


def _tables(ddl: str) -> dict[str, Table]:
    out = {}
    for m in re.finditer(rf"create table if not exists {SCHEMA}\.(\w+) \((.*?)\n\);", ddl, re.S):
        columns, key = [], []
        for line in m.group(2).splitlines():
            line = line.strip().rstrip(",")
            if not line:
                continue
            if line.startswith("primary key"):
                key = [k.strip() for k in line[line.index("(") + 1 : line.index(")")].split(",")]
                continue
            columns.append(line.split()[0])
            if "primary key" in line:
                key = [line.split()[0]]
        out[m.group(1)] = Table(m.group(1), tuple(columns), tuple(key))
    return out


TABLES = _tables(DDL)


def upsert(con: Store, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (every column of `table`, in order; a `Store.bulk` spec) into a state
    table, replacing the rows with the same primary key (or keeping them, for a table whose
    columns are all key)."""
    t = TABLES[table]
    rest = [c for c in t.columns if c not in t.key]
    action = (
        "do update set " + ", ".join(f"{c} = excluded.{c}" for c in rest) if rest else "do nothing"
    )
    con.bulk(
        f"insert into {SCHEMA}.{table} ({', '.join(t.columns)}) select * from _bulk "
        f"on conflict ({', '.join(t.key)}) {action}",
        columns,
        rows,
    )


# ---------------------------------------------------------------------------------------------
# Audiences


def remember_audience(
    con: Store, key: str, audience_id: str, name: str, double_optin: bool
) -> None:
    upsert(
        con,
        "audiences",
        "k:v a:v n:v d:b at:t",
        [(key, audience_id, name, double_optin, utcnow())],
    )


def known_audience(con: Store, key: str) -> tuple[str, bool] | None:
    row = con.row(
        f"select audience_id, double_optin from {SCHEMA}.audiences where audience_key = ?", [key]
    )
    return (row[0], bool(row[1])) if row else None


# ---------------------------------------------------------------------------------------------
# Pushed state: written after each acknowledged chunk, in one transaction per chunk.


def bulk(con: Store, sql: str, columns: str, rows: Sequence[Sequence]) -> None:
    """Run `sql` once over `rows`, read as the relation `_bulk` (`Store.bulk`)."""
    con.bulk(sql, columns, rows)


def record_members(
    con: Store,
    audience_id: str,
    members: Iterable[tuple[str, str, str | None, str]],
    run_id: str,
) -> None:
    """Upsert (subscriber_hash, email_address, supporter_id, status) rows."""
    now = utcnow()
    upsert(
        con,
        "pushed_members",
        "a:v h:v e:v s:v st:v at:t r:v",
        [(audience_id, h, e, s, st, now, run_id) for h, e, s, st in members],
    )


def record_member_status(con: Store, audience_id: str, hashes: Iterable[str], status: str) -> None:
    con.bulk(
        f"update {SCHEMA}.pushed_members set status = b.st, updated_at = b.at from _bulk b "
        f"where {SCHEMA}.pushed_members.audience_id = b.a "
        f"and {SCHEMA}.pushed_members.subscriber_hash = b.h",
        "a:v h:v st:v at:t",
        [(audience_id, h, status, utcnow()) for h in hashes],
    )


def record_fields(
    con: Store,
    audience_id: str,
    fields: Iterable[tuple[str, str, str]],
) -> None:
    """Upsert (subscriber_hash, tag, canonical value) rows."""
    now = utcnow()
    upsert(
        con,
        "pushed_merge_fields",
        "a:v h:v t:v v:v at:t",
        [(audience_id, h, t, v, now) for h, t, v in fields],
    )


def _delete_tags(con: Store, audience_id: str, rows: list) -> None:
    con.bulk(
        f"delete from {SCHEMA}.pushed_tags p using _bulk b where p.audience_id = b.a "
        "and p.subscriber_hash = b.h and lower(p.tag) = lower(b.t)",
        "a:v h:v t:v",
        [(audience_id, h, t) for h, t in rows],
    )


def record_tags_added(con: Store, audience_id: str, hash_tags: Iterable[tuple[str, str]]) -> None:
    now = utcnow()
    rows = list(dict.fromkeys((h, t) for h, t in hash_tags))
    _delete_tags(con, audience_id, rows)
    con.bulk(
        f"insert into {SCHEMA}.pushed_tags select * from _bulk",
        "a:v h:v t:v at:t",
        [(audience_id, h, t, now) for h, t in rows],
    )


def record_tags_removed(con: Store, audience_id: str, hash_tags: Iterable[tuple[str, str]]) -> None:
    _delete_tags(con, audience_id, list(hash_tags))


# ---------------------------------------------------------------------------------------------
# Rejects


def record_rejects(
    con: Store,
    audience_id: str,
    rejects: Iterable[tuple[str, str, str, str, str | None, str | None]],
    run_id: str,
) -> None:
    """Upsert (subscriber_hash, email_address, reason, detail, field, payload_hash) rows."""
    now = utcnow()
    upsert(
        con,
        "sync_rejects",
        "a:v e:v h:v r:v d:v at:t f:v p:v run:v",
        [(audience_id, e, h, r, d, now, f, p, run_id) for h, e, r, d, f, p in rejects],
    )


def clear_rejects(con: Store, audience_id: str, hashes: Iterable[str]) -> None:
    con.bulk(
        f"delete from {SCHEMA}.sync_rejects r using _bulk b where r.audience_id = b.a "
        "and r.subscriber_hash = b.h",
        "a:v h:v",
        [(audience_id, h) for h in hashes],
    )


def in_transaction(con: Store):
    """Context manager: one transaction (commit on success, rollback on error)."""
    return con.transaction()


def rebase_on_pulled(
    con: Store,
    audience_id: str,
    declared_fields: Sequence[str],
    owned_namespaces: Sequence[str],
    run_id: str,
) -> None:
    """Make the pushed state what the last pull saw (a reconcile run trusts Mailchimp's state).

    Without this, a later plan against the pushed state would undo the repairs the reconcile
    plan made, or miss drift it accepted. Only declared fields and owned tags are copied.
    """
    a = [audience_id]
    now = utcnow()
    ns = " or ".join("starts_with(lower(tag), ?)" for _ in owned_namespaces) or "false"
    fields = ", ".join("?" for _ in declared_fields) or "null"
    with con.transaction():
        con.execute("drop table if exists _old_ids")
        con.execute(
            f"create temporary table _old_ids as select subscriber_hash, supporter_id, "
            f"status from {SCHEMA}.pushed_members where audience_id = ?",
            a,
        )
        con.execute(f"delete from {SCHEMA}.pushed_members where audience_id = ?", a)
        # An archive hides the status it had: an opt-out we knew of stays (it blocks creates).
        con.execute(
            f"insert into {SCHEMA}.pushed_members select p.audience_id, p.subscriber_hash, "
            "p.email_address, o.supporter_id, case when p.status = 'archived' and o.status in "
            "('unsubscribed', 'cleaned') then o.status else p.status end, ?, ? "
            f"from {SCHEMA}.pulled_members p "
            "left join _old_ids o using (subscriber_hash) where p.audience_id = ?",
            [now, run_id, audience_id],
        )
        con.execute(f"delete from {SCHEMA}.pushed_merge_fields where audience_id = ?", a)
        con.execute(
            f"insert into {SCHEMA}.pushed_merge_fields select audience_id, subscriber_hash, tag, "
            f"value, ? from {SCHEMA}.pulled_merge_fields where audience_id = ? "
            f"and tag in ({fields})",
            [now, audience_id, *declared_fields],
        )
        con.execute(f"delete from {SCHEMA}.pushed_tags where audience_id = ?", a)
        con.execute(
            f"insert into {SCHEMA}.pushed_tags select audience_id, subscriber_hash, tag, ? "
            f"from {SCHEMA}.pulled_tags where audience_id = ? and ({ns})",
            [now, audience_id, *[n.lower() for n in owned_namespaces]],
        )
        con.execute("drop table if exists _old_ids")
