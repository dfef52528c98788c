"""The writer lock on a PostgreSQL warehouse keeps apart runs on two machines.

Each machine has its own lock file (next to its own ENGAGE_DUCKDB_PATH), so on a shared
PostgreSQL warehouse the lock that counts is the advisory lock in the database
(sync/jobs/lock.py). Two "machines" here are two lock-file paths in two processes, on one
loopback server.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync.errors import LockHeld
from sync.jobs.lock import advisory_key, locked, writer_lock
from sync.warehouse.storage import PostgresTarget, open_store

HOLD = (
    "import sys, time; from pathlib import Path; from sync.jobs.lock import locked\n"
    "with locked(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)\n"
)


@pytest.fixture
def shared(postgres, monkeypatch) -> PostgresTarget:
    """A fresh database on the loopback server, selected as the warehouse of every process."""
    target = postgres.fresh_target("lock_")
    for key, value in {**postgres.env(), "ENGAGE_PG_DBNAME": target.dbname}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("ENGAGE_TARGET", "postgres")
    return target


def _advisory_locks_held(target: PostgresTarget) -> int:
    with open_store(target) as store:
        return store.row(
            "select count(*) from pg_locks where locktype = 'advisory' and granted "
            "and database = (select oid from pg_database where datname = current_database())"
        )[0]


def test_a_second_machine_is_refused_until_the_first_run_dies(shared, tmp_path):
    machine_a, machine_b = tmp_path / "a" / "engage.duckdb", tmp_path / "b" / "engage.duckdb"
    for path in (machine_a, machine_b):
        path.parent.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(machine_a)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld) as refused, locked(machine_b):
            pytest.fail("two machines held the writer lock of one warehouse")
        message = str(refused.value)
        assert "on this machine or another" in message and shared.dbname in message
        assert "unused" not in message  # the profile's password is never shown
        # The refused run let go of its own machine's lock file, and is refused again.
        assert not writer_lock(machine_b).is_locked
        with pytest.raises(LockHeld), locked(machine_b):
            pass
    finally:
        holder.kill()
        holder.wait()
    # The killed run's connection is gone, and its lock with it.
    deadline = time.monotonic() + 10
    while True:
        try:
            with locked(machine_b):
                assert _advisory_locks_held(shared) == 1
            break
        except LockHeld:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert _advisory_locks_held(shared) == 0


def test_the_lock_is_reentrant_and_released(shared, tmp_path):
    db = tmp_path / "engage.duckdb"
    with locked(db), locked(db):  # a job inside a job (the nightly's sync) holds it again
        assert _advisory_locks_held(shared) == 1
    assert _advisory_locks_held(shared) == 0
    with locked(db):
        assert _advisory_locks_held(shared) == 1


def test_the_key_is_the_same_on_every_machine_and_differs_per_schema(shared):
    other_schema = PostgresTarget(
        host="10.0.0.9", port=5433, user="x", dbname=shared.dbname, schema="analytics"
    )
    same_elsewhere = PostgresTarget(
        host="10.0.0.9", port=5433, user="x", dbname=shared.dbname, schema=shared.schema
    )
    assert advisory_key(same_elsewhere) == advisory_key(shared)
    assert advisory_key(other_schema) != advisory_key(shared)


def test_a_duckdb_target_takes_the_file_lock_only(shared, tmp_path, monkeypatch):
    monkeypatch.setenv("ENGAGE_TARGET", "dev")
    with locked(Path(tmp_path / "engage.duckdb")):
        assert _advisory_locks_held(shared) == 0
