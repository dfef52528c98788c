"""`engage nightly` on a PostgreSQL warehouse, end to end, against the sandbox.

The DuckDB reference: the sample warehouse built by dbt (`built_warehouse`), synced by the
nightly job (pull, plan, fail-safes, apply) to a fresh sandbox audience. Then, on a fresh
sandbox and a throwaway loopback PostgreSQL database, the whole night: the raw files ingested
and loaded into schema `raw` with COPY, the project built by dbt-postgres with the same vars,
planned and applied with the state in `engage_sync` on PostgreSQL. The audience must end
identical (members, statuses, merge fields, tags), and a second night must converge (no
change planned, nothing written). Skipped where PostgreSQL is missing unless
ENGAGE_REQUIRE_POSTGRES=1 (`postgres` fixture).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from sync.jobs.nightly import dbt_build, nightly_job
from sync.mailchimp.client import MailchimpClient, RetryPolicy, Target
from sync.warehouse.catalogue import Catalogue, read_catalogue
from sync.warehouse.dbt_runner import vars_args
from sync.warehouse.project import SAMPLE_RAW_DIR, Settings
from sync.warehouse.storage import DuckDBTarget, PostgresTarget, open_store

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _client(sandbox) -> MailchimpClient:
    target = Target(base_url=sandbox.url, api_key=sandbox.api_key, overridden=True)
    return MailchimpClient(target, concurrency=8, retry=RetryPolicy.fast())


def _audience(sandbox) -> dict[str, tuple[Any, ...]]:
    """email -> (status, merge fields, tags) of every member of every audience."""
    out = {}
    for lst in sandbox.dump()["lists"]:
        for raw in lst["members"]:
            m = sandbox.member(lst["id"], raw["hash"])
            fields = {k: v for k, v in (m.get("merge_fields") or {}).items() if v not in ("", None)}
            out[(lst["name"], m["email_address"])] = (
                m["status"],
                json.dumps(fields, sort_keys=True),
                tuple(sorted(m.get("tags") or [])),
            )
    return out


def _night(settings: Settings, manifest, sandbox, build=None, build_args=()):
    client = _client(sandbox)
    try:
        return nightly_job(settings, manifest, client=client, build=build, build_args=build_args)
    finally:
        client.close()


def _segments_shown(catalogue: Catalogue) -> list[tuple[Any, ...]]:
    """What the catalogue shows of each segment, build time aside."""
    return [
        (s.tag, s.size, s.candidates, s.held_out, s.priority, s.overlaps, s.issue)
        for s in catalogue.segments
    ]


def _ok(out) -> bool:
    """Done, with at most the campaign-activity staleness warning (the sandbox sent none)."""
    others = [w for w in out.warnings if "campaign activity" not in w]
    return out.failure is None and not others and out.status in ("ok", "warnings")


@pytest.fixture
def pg_database(postgres, monkeypatch) -> PostgresTarget:
    """A fresh database on the loopback server, selected through the profile's env vars."""
    name = "night_" + uuid.uuid4().hex[:10]
    admin = postgres.connect()
    admin.autocommit = True
    try:
        admin.cursor().execute(f"create database {name}")
    finally:
        admin.close()
    for key, value in {**postgres.env(), "ENGAGE_PG_DBNAME": name}.items():
        monkeypatch.setenv(key, value)
    return PostgresTarget(
        host="127.0.0.1", port=postgres.port, user=postgres.user, dbname=name, schema="main"
    )


def test_nightly_on_postgres_ends_with_the_duckdb_audience_and_converges(
    built_warehouse, sandbox, pg_database, tmp_path, monkeypatch
):
    broken = built_warehouse.failures("supporters", "segment_memberships", "mailchimp_members")
    assert not broken, broken
    sandbox.update_settings(fake_domains=[])  # the sample's example.* domains are accepted
    monkeypatch.delenv("ENGAGE_TARGET", raising=False)
    monkeypatch.delenv("ENGAGE_INGEST_DIR", raising=False)

    # DuckDB: the built sample warehouse, synced by the nightly job.
    duck_db = tmp_path / "duck" / "engage.duckdb"
    duck_db.parent.mkdir()
    duck_db.write_bytes(built_warehouse.db_path.read_bytes())
    duck = Settings.from_env(raw_dir=SAMPLE_RAW_DIR, duckdb_path=duck_db, target="dev")
    manifest = built_warehouse.target_path / "manifest.json"
    out = _night(duck, manifest, sandbox)
    assert _ok(out), out.as_dict()
    want = _audience(sandbox)
    assert len(want) > 100
    want_catalogue = _segments_shown(read_catalogue(DuckDBTarget(duck_db)))

    # PostgreSQL: the whole night, from the raw files, on a fresh sandbox.
    sandbox.reset()
    sandbox.update_settings(fake_domains=[])
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "pg" / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "pg" / "logs"))
    pg = Settings.from_env(
        raw_dir=SAMPLE_RAW_DIR, duckdb_path=tmp_path / "pg" / "engage.duckdb", target="postgres"
    )
    pg_manifest = tmp_path / "pg" / "target" / "manifest.json"
    build_args = vars_args(json.dumps(built_warehouse.dbt_vars, default=str))
    out = _night(pg, pg_manifest, sandbox, build=dbt_build, build_args=build_args)
    assert _ok(out), out.as_dict()
    assert out.build_ok and out.audiences and all(a.status == "applied" for a in out.audiences)
    got = _audience(sandbox)
    assert set(got) == set(want)
    differing = {k: (want[k], got[k]) for k in want if want[k] != got[k]}
    assert not differing, list(differing.items())[:3]
    # The night's last step, the segment catalogue, read the PostgreSQL warehouse.
    assert out.catalogue and out.catalogue.startswith(str(tmp_path / "pg")), out.notes
    assert _segments_shown(read_catalogue(pg_database)) == want_catalogue
    assert len(want_catalogue) >= 9
    # Nothing of the sync's lives in the DuckDB file on this target: it is all in PostgreSQL.
    assert not pg.duckdb_path.exists()
    with open_store(pg_database) as store:
        assert store.row("select count(*) from engage_sync.pushed_members")[0] == len(got)
        assert store.row("select count(*) from raw.raw_rows")[0] > 1000
        commands = [r[0] for r in store.rows("select command from engage_sync.sync_runs")]
    assert sorted(commands) == ["nightly", "sync"]  # no manifest before the first build: no pull

    # The second night: pull, build, plan: nothing to change, nothing written.
    sandbox.clear_request_log()
    again = _night(pg, pg_manifest, sandbox, build=dbt_build, build_args=build_args)
    assert _ok(again), again.as_dict()
    assert all(a.plan is not None and a.plan.is_empty for a in again.audiences), [
        a.as_dict() for a in again.audiences
    ]
    assert [e for e in sandbox.request_log().entries if e.method in WRITES] == []
    assert _audience(sandbox) == got
    with open_store(pg_database) as store:
        runs = store.rows(
            "select command, status from engage_sync.sync_runs order by started_at, command"
        )
    assert [c for c, _ in runs] == ["nightly", "sync", "nightly", "pull", "sync"]
    assert runs[2][1] == str(again.outcome) and runs[0][1] == str(out.outcome)
