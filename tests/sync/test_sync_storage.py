"""The storage interface (`sync.warehouse.storage`) and the sync's state and plan on both engines.

The plan's SQL, the state's DDL and upserts and the pull's writes run unchanged on DuckDB and
PostgreSQL: the same desired state (built by the model files in DuckDB, copied to a loopback
PostgreSQL) planned on both gives the same plan rows, step after step (first load, changes,
an opt-out, drift repaired by --reconcile). The PostgreSQL half is skipped where the server
binaries are missing, and required under ENGAGE_REQUIRE_POSTGRES=1 (`postgres` fixture).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from synctest_helpers import (
    DESIRED_MODELS,
    audience,
    build_desired,
    make_warehouse,
    meta_of,
    pretend_applied,
    sub_hash,
    supporter,
)

from sync.errors import StorageError
from sync.mailchimp import plan, state
from sync.warehouse.storage import (
    DuckDBTarget,
    PostgresTarget,
    Store,
    _copy_value,
    open_store,
    storage_target,
    to_pyformat,
)

AID = "aud0000001"
_PG_TYPES = {
    "BOOLEAN": "boolean",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
}


def test_placeholders_become_pyformat_outside_quotes_and_comments():
    sql = "select '?', 'a%' , ? -- what? 100%\nfrom t where x like '%y' and z = ? and w % 2 = 0"
    assert to_pyformat(sql) == (
        "select '?', 'a%%' , %s -- what? 100%%\nfrom t where x like '%%y' and z = %s and w %% 2 = 0"
    )
    assert to_pyformat("select 'it''s ?' , \"q?\" , ?") == "select 'it''s ?' , \"q?\" , %s"


def test_copy_text_escapes_every_special_character_and_null():
    assert _copy_value(None) == "\\N"
    assert _copy_value("\\N") == "\\\\N"  # a value that looks like null stays a value
    assert _copy_value("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e"
    assert _copy_value(True) == "t" and _copy_value(3) == "3"
    assert _copy_value(dt.datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02 03:04:05"


def test_the_selected_target_decides_the_engine(tmp_path, monkeypatch):
    monkeypatch.delenv("ENGAGE_TARGET", raising=False)
    assert storage_target(tmp_path / "w.duckdb") == DuckDBTarget(tmp_path / "w.duckdb")
    monkeypatch.setenv("ENGAGE_PG_PORT", "6543")
    monkeypatch.setenv("ENGAGE_PG_PASSWORD", "s3cret")
    pg = storage_target(tmp_path / "w.duckdb", "postgres")
    assert isinstance(pg, PostgresTarget) and pg.port == 6543 and pg.schema == "main"
    assert "s3cret" not in repr(pg) and "s3cret" not in pg.describe()
    monkeypatch.setenv("ENGAGE_TARGET", "postgres")
    assert isinstance(storage_target(tmp_path / "w.duckdb"), PostgresTarget)
    with pytest.raises(Exception, match="not in"):
        storage_target(tmp_path / "w.duckdb", "nosuch")


def test_duckdb_store_speaks_the_interface(tmp_path):
    with open_store(DuckDBTarget(tmp_path / "w.duckdb")) as store:
        _exercise(store)


def test_postgres_store_speaks_the_interface(pg_target):
    with open_store(pg_target) as store:
        _exercise(store)


def _exercise(store: Store) -> None:
    store.execute("create schema if not exists s")
    store.execute("create table s.t (k varchar primary key, v varchar, n bigint, ts timestamp)")
    assert store.table_exists("s", "t") and not store.table_exists("s", "nope")
    assert "s" in store.schema_names()
    odd = "tab\there\nnew line \\N 100% 'quoted' ?"
    store.bulk(
        "insert into s.t select * from _bulk",
        "k:v v:v n:i ts:t",
        [("a", odd, 1, dt.datetime(2026, 1, 2, 3, 4, 5)), ("b", None, None, None)],
    )
    assert store.copy_in("s.t", ["k", "v"], iter([("c", "%s"), ("d", "")])) == 2
    assert store.rows("select k, v, n, ts from s.t where k = ?", ["a"]) == [
        ("a", odd, 1, dt.datetime(2026, 1, 2, 3, 4, 5))
    ]
    assert store.row("select v from s.t where k = ?", ["b"]) == (None,)
    assert store.rows("select k, v from s.t where k in (?, ?) order by k", ["c", "d"]) == [
        ("c", "%s"),
        ("d", ""),
    ]
    assert store.dicts("select k, n from s.t where k = 'a'") == [{"k": "a", "n": 1}]
    with pytest.raises(StorageError), store.transaction():
        store.execute("insert into s.t (k) values (?)", ["e"])
        store.execute("insert into s.t (k) values (?)", ["a"])  # duplicate key: rolled back
    assert store.row("select count(*) from s.t")[0] == 4
    store.executemany("insert into s.t (k) values (?)", [["f"], ["g"]])
    assert store.row("select count(*) from s.t")[0] == 6


# ---------------------------------------------------------------------------------------------
# The same plan on both engines


@pytest.fixture
def pg_target(postgres) -> PostgresTarget:
    """A fresh database on the loopback server, as a storage target."""
    return postgres.fresh_target("t_")


def _copy_desired(duck: Store, pg: Store) -> None:
    """The desired-state tables dbt built in DuckDB, copied as they are into PostgreSQL."""
    pg.execute("create schema if not exists main")
    for name in DESIRED_MODELS:
        columns = duck.rows(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'main' and table_name = ? order by ordinal_position",
            [name],
        )
        pg.execute(f"drop table if exists main.{name}")
        pg.execute(
            f"create table main.{name} ("
            + ", ".join(f"{c} {_PG_TYPES.get(t, 'text')}" for c, t in columns)
            + ")"
        )
        pg.copy_in(f"main.{name}", [c for c, _ in columns], duck.rows(f"select * from main.{name}"))


def _plan_rows(store: Store) -> dict[str, list[tuple]]:
    members = [
        (*r[:-1], json.loads(r[-1]) if r[-1] else None)
        for r in store.rows(
            "select action, subscriber_hash, email_address, supporter_id, status, prior_status, "
            "changed_fields, merge_fields from engage_sync.plan_members"
        )
    ]
    return {
        "members": sorted(members, key=str),
        "fields": sorted(
            store.rows(
                "select subscriber_hash, tag, old_value, new_value "
                "from engage_sync.plan_merge_fields"
            )
        ),
        "tags": sorted(
            store.rows(
                "select subscriber_hash, email_address, tag, op, reason from engage_sync.plan_tags"
            )
        ),
    }


def _both(duck: Store, pg: Store, aud, basis: str = "state") -> dict[str, list[tuple]]:
    build_desired(duck, {aud.key: meta_of(aud)})
    _copy_desired(duck, pg)
    summaries = [plan.compute_plan(store, aud, AID, False, basis).counts for store in (duck, pg)]
    assert summaries[0] == summaries[1]
    rows = [_plan_rows(store) for store in (duck, pg)]
    assert rows[0] == rows[1]
    return rows[0]


def test_the_same_plan_on_duckdb_and_postgres_step_after_step(tmp_path, pg_target):
    duck = state.connect(DuckDBTarget(tmp_path / "w.duckdb"))
    pg = state.connect(pg_target)
    try:
        aud = audience()
        people = [supporter(i, last_action="2024-03-05") for i in range(1, 7)]
        people[5]["first_name"] = "Ana <b>\t*|UNSUB|*"
        make_warehouse(duck, people, [("s0001", "a", "seg:a"), ("s0002", "a", "seg:a")])
        first = _both(duck, pg, aud)
        assert len([m for m in first["members"] if m[0] == "create"]) == 6
        for store in (duck, pg):
            pretend_applied(store, aud.key)
        # Changes: person 2 opts out, person 3 moves district, person 1 leaves seg:a.
        people[1].update(email_status="unsubscribed", is_emailable=False)
        people[2]["district"] = "Elsewhere"
        make_warehouse(duck, people, [("s0002", "a", "seg:a"), ("s0004", "b", "seg:b")])
        second = _both(duck, pg, aud)
        actions = {(m[0], m[1]) for m in second["members"]}
        assert ("unsubscribe", sub_hash("person2@campaign-mail.net")) in actions
        assert ("update", sub_hash("person3@campaign-mail.net")) in actions
        for store in (duck, pg):
            pretend_applied(store, aud.key)
        assert _both(duck, pg, aud)["members"] == []  # converged on both
        # Drift seen by a pull: a hand-removed owned tag, a human tag (never ours to touch).
        h = sub_hash("person4@campaign-mail.net")
        for store in (duck, pg):
            state.upsert(
                store,
                "pulled_members",
                "a:v e:v h:v st:v lc:t pa:t tc:i",
                [
                    (
                        AID,
                        f"person{i}@campaign-mail.net",
                        sub_hash(f"person{i}@campaign-mail.net"),
                        "subscribed",
                        dt.datetime(2026, 1, 1),
                        dt.datetime(2026, 1, 1),
                        0,
                    )
                    for i in (1, 3, 4, 5, 6)
                ],
            )
            state.upsert(store, "pulled_tags", "a:v h:v t:v", [(AID, h, "VIP")])
        reconciled = _both(duck, pg, aud, "reconcile")
        assert ("add" in {t[3] for t in reconciled["tags"]}) and not any(
            t[2] == "VIP" for t in reconciled["tags"]
        )
        for store in (duck, pg):
            state.rebase_on_pulled(
                store, AID, [f.tag for f in aud.spec.merge_fields], ["seg:"], "r"
            )
        pushed = [
            sorted(s.rows("select subscriber_hash, status from engage_sync.pushed_members"))
            for s in (duck, pg)
        ]
        assert pushed[0] == pushed[1] and len(pushed[0]) == 5
    finally:
        duck.close()
        pg.close()
