"""Shared helpers for the sync tests: a tiny warehouse and exposure declarations.

The desired state the sync diffs is built by dbt (models/mailchimp/mailchimp_desired_*).
Running dbt for every tiny warehouse would take seconds each, so `build_desired` renders those
very model files (and the macros they call) with Jinja and the same exposure declarations,
and runs them in the test's DuckDB file: the consent rules under test are the models' own.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pyarrow as pa

from sync.errors import ConfigError
from sync.mailchimp import plan as _plan
from sync.mailchimp.exposures import Audience, audiences_from_manifest
from sync.warehouse.project import PROJECT_DIR

DESIRED_MODELS = (
    "mailchimp_desired_members",
    "mailchimp_desired_merge_fields",
    "mailchimp_desired_tags",
)
_MODEL_DIR = PROJECT_DIR / "models" / "mailchimp"
_MACROS = PROJECT_DIR / "macros" / "mailchimp" / "desired_state.sql"

SUPPORTER_COLS = (
    "supporter_id varchar, email varchar, first_name varchar, last_name varchar, "
    "email_status varchar, is_emailable boolean, district varchar, postcode varchar, "
    "score double, last_action date"
)


def sub_hash(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode()).hexdigest()


def default_meta(**overrides: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "audience": {"name": "Supporters"},
        "members": {"model": "supporters", "filter": "district is not null or true"},
        "merge_fields": [
            {"column": "first_name", "tag": "FNAME", "type": "text"},
            {"column": "last_name", "tag": "LNAME", "type": "text"},
            {"column": "district", "tag": "DISTRICT", "type": "text"},
            {"column": "score", "tag": "SCORE", "type": "number"},
            {"column": "last_action", "tag": "LASTACT", "type": "date"},
        ],
        "tags": {"model": "segment_memberships", "owned_namespaces": ["seg:", "issue:"]},
        "removal_policy": "remove_tags",
    }
    for k, v in overrides.items():
        meta[k] = v
    return meta


def manifest_for(meta_by_exposure: dict[str, dict[str, Any]], schema: str = "main") -> dict:
    """A minimal dbt manifest holding the two models and one exposure per meta block."""
    nodes = {}
    for name in ("supporters", "segment_memberships", *DESIRED_MODELS):
        nodes[f"model.engage.{name}"] = {
            "unique_id": f"model.engage.{name}",
            "resource_type": "model",
            "name": name,
            "schema": schema,
            "alias": name,
        }
    exposures = {}
    for key, meta in meta_by_exposure.items():
        exposures[f"exposure.engage.{key}"] = {
            "name": key,
            "type": "application",
            "original_file_path": "models/mailchimp/_mailchimp__exposures.yml",
            "meta": {"engage_sync": meta},
            "depends_on": {"nodes": list(nodes)},
        }
    return {"nodes": nodes, "exposures": exposures}


def audience(meta: dict[str, Any] | None = None, key: str = "mailchimp_supporters") -> Audience:
    return audiences_from_manifest(manifest_for({key: meta or default_meta()}))[0]


def write_manifest(path: Path, meta_by_exposure: dict[str, dict[str, Any]]) -> Path:
    path.write_text(json.dumps(manifest_for(meta_by_exposure)))
    return path


def make_warehouse(
    con: duckdb.DuckDBPyConnection,
    supporters: list[dict[str, Any]],
    memberships: list[tuple[str, str, str]],
) -> None:
    """(Re)create main.supporters and main.segment_memberships from plain rows (DuckDB: a
    state connection's own `connection`)."""
    con = getattr(con, "connection", con)
    con.execute(f"create or replace table main.supporters ({SUPPORTER_COLS})")
    cols = [c.split()[0] for c in SUPPORTER_COLS.split(", ")]
    if supporters:
        rows = pa.Table.from_pylist([{c: s.get(c) for c in cols} for s in supporters])
        con.register("_supporters", rows)
        con.execute(f"insert into main.supporters select {', '.join(cols)} from _supporters")
        con.unregister("_supporters")
    con.execute(
        "create or replace table main.segment_memberships "
        "(supporter_id varchar, segment_name varchar, tag varchar)"
    )
    if memberships:
        con.register(
            "_memberships",
            pa.Table.from_pylist([{"s": a, "n": b, "t": c} for a, b, c in memberships]),
        )
        con.execute("insert into main.segment_memberships select s, n, t from _memberships")
        con.unregister("_memberships")


def supporter(i: int, **kw: Any) -> dict[str, Any]:
    row = {
        "supporter_id": f"s{i:04d}",
        "email": f"person{i}@campaign-mail.net",
        "first_name": f"First{i}",
        "last_name": f"Last{i}",
        "email_status": "subscribed",
        "is_emailable": True,
        "district": f"D{i % 3}",
        "postcode": None,
        "score": float(i),
        "last_action": None,
    }
    row.update(kw)
    return row


def pretend_applied(con: duckdb.DuckDBPyConnection, audience_key: str) -> None:
    """Record the audience's current plan as acknowledged (what apply does chunk by chunk)."""
    from sync.mailchimp import state

    rows = con.execute(
        "select audience_id, action, subscriber_hash, email_address, supporter_id, status, "
        "merge_fields from engage_sync.plan_members where audience_key = ?",
        [audience_key],
    ).fetchall()
    for aid, action, h, e, sid, st, mf in rows:
        if action == "create":
            state.record_members(con, aid, [(h, e, sid, st)], "test")
        if action in ("create", "update"):
            state.record_fields(con, aid, [(h, t, v) for t, v in json.loads(mf).items()])
        if action == "unsubscribe":
            state.record_member_status(con, aid, [h], "unsubscribed")
        if action == "archive":
            state.record_member_status(con, aid, [h], "archived")
    for aid, h, t, op in con.execute(
        "select audience_id, subscriber_hash, tag, op from engage_sync.plan_tags "
        "where audience_key = ?",
        [audience_key],
    ).fetchall():
        (state.record_tags_added if op == "add" else state.record_tags_removed)(con, aid, [(h, t)])
    con.execute(
        "update engage_sync.plans set status = 'applied' where plan_id = (select plan_id "
        "from engage_sync.plans where audience_key = ? order by created_at desc limit 1)",
        [audience_key],
    )


class _Relation(str):
    """What `ref()` returns in the rendered models: the quoted relation name."""


class _Columns:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def get_columns_in_relation(self, relation: str) -> list[Any]:
        try:
            rows = self.con.execute(f"describe {relation}").fetchall()
        except duckdb.Error:
            return []
        return [type("Column", (), {"name": r[0]})() for r in rows]


class _Exceptions:
    @staticmethod
    def raise_compiler_error(msg: str) -> None:
        raise ConfigError(msg)


def build_desired(
    con: duckdb.DuckDBPyConnection, meta_by_exposure: dict[str, dict[str, Any]]
) -> None:
    """What `engage build` does for the sync: (re)build the desired-state models in `main`."""
    con = getattr(con, "connection", con)  # a state connection: its DuckDB connection
    manifest = manifest_for(meta_by_exposure)
    env = jinja2.Environment(extensions=["jinja2.ext.do"], undefined=jinja2.Undefined)
    context = {
        "execute": True,
        "graph": {"exposures": manifest["exposures"]},
        "ref": lambda name: _Relation(f'"main"."{name}"'),
        "config": lambda **_: "",
        "adapter": _Columns(con),
        "exceptions": _Exceptions(),
    }
    macros = _MACROS.read_text()
    for name in DESIRED_MODELS:
        sql = env.from_string(macros + (_MODEL_DIR / f"{name}.sql").read_text()).render(context)
        con.execute(f'create or replace table main."{name}" as {sql}')


def canonical_value_sql(merge_field: dict[str, Any], column_sql: str) -> str:
    """The SQL the desired-state models compute a merge-field value with: the dbt macro
    `mailchimp_canonical_value` rendered for one declared field."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"], undefined=jinja2.Undefined)
    call = "{{ mailchimp_canonical_value(merge_field, column_sql) }}"
    return env.from_string(_MACROS.read_text() + call).render(
        execute=True, merge_field=merge_field, column_sql=column_sql
    )


def meta_of(aud: Audience) -> dict[str, Any]:
    """The exposure block an Audience was parsed from (with the defaults filled in)."""
    return aud.spec.model_dump()


def compute_plan(con: duckdb.DuckDBPyConnection, aud: Audience, *args: Any, **kw: Any) -> Any:
    """Build the desired state for `aud` (dbt's part), then plan it (the sync's part)."""
    build_desired(con, {aud.key: meta_of(aud)})
    return _plan.compute_plan(con, aud, *args, **kw)
