"""The writer lock: held by every command that writes, so two runs never write at once.

Held by `engage sync`, `pull`, `nightly` and `backfill` (from the pull to the last write), so
two overlapping runs - cron firing twice, a manual run during the scheduled one - cannot both
write to Mailchimp or the sync state. Two locks, both taken without waiting:

- a file lock next to the DuckDB file (`<ENGAGE_DUCKDB_PATH>.engage-sync.lock`): keeps apart the
  runs of one machine, on every target;
- on a PostgreSQL target, also a session-level advisory lock in the warehouse database, keyed by
  its database and schema: keeps apart runs on two machines that share one warehouse (each has
  its own lock file). It is held on a connection of its own for as long as the run holds the
  lock.

A lock left by a killed run is released by the OS (the file) and by PostgreSQL when the killed
run's connection ends (the advisory lock). Both are re-entrant within one process.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from filelock import FileLock, Timeout

from sync.errors import ConfigError, LockHeld
from sync.warehouse.storage import PostgresTarget, StorageTarget, Store, open_store, storage_target

_LOCKS: dict[str, FileLock] = {}
_ADVISORY: dict[tuple[str, int, str, str], _AdvisoryLock] = {}


def writer_lock(db_path: Path) -> FileLock:
    """The (re-entrant, per process) writer lock of a warehouse file."""
    key = str(Path(db_path).resolve())
    if key not in _LOCKS:
        _LOCKS[key] = FileLock(key + ".engage-sync.lock", timeout=0)
    return _LOCKS[key]


def advisory_key(target: PostgresTarget) -> int:
    """The advisory lock's key: a signed 64-bit number from the database and schema, the same
    on every machine."""
    digest = hashlib.sha256(f"engage-sync:{target.dbname}:{target.schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class _AdvisoryLock:
    """A PostgreSQL session-level advisory lock on a connection of its own; re-entrant."""

    def __init__(self, target: PostgresTarget) -> None:
        self.target = target
        self.key = advisory_key(target)
        self.store: Store | None = None
        self.depth = 0

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another session holds it."""
        if self.depth:
            self.depth += 1
            return True
        store = open_store(self.target)
        try:
            taken = bool(store.row("select pg_try_advisory_lock(?)", [self.key])[0])
        except BaseException:
            store.close()
            raise
        if not taken:
            store.close()
            return False
        self.store, self.depth = store, 1
        return True

    def release(self) -> None:
        self.depth -= 1
        if self.depth or self.store is None:
            return
        store, self.store = self.store, None
        try:
            store.execute("select pg_advisory_unlock(?)", [self.key])
        finally:
            store.close()  # ending the session releases it in any case


def advisory_lock(target: PostgresTarget) -> _AdvisoryLock:
    """The (re-entrant, per process) advisory writer lock of a PostgreSQL warehouse."""
    key = (target.host, target.port, target.dbname, target.schema)
    if key not in _ADVISORY:
        _ADVISORY[key] = _AdvisoryLock(target)
    return _ADVISORY[key]


def _warehouse(db_path: Path, target: str | None) -> StorageTarget | None:
    try:
        return storage_target(db_path, target)
    except ConfigError:
        return None


class locked:  # noqa: N801 - used as a context manager
    """`with locked(db):` hold the writer lock or raise LockHeld at once.

    The sync's tables are where the dbt target `target` says (default: the selected one,
    $ENGAGE_TARGET); on a PostgreSQL target the advisory lock is taken too. A target the sync
    cannot use takes the file lock only: the command itself reports it."""

    def __init__(self, db_path: Path, target: str | None = None) -> None:
        self.lock = writer_lock(db_path)
        self.db_path = Path(db_path)
        self.target = target
        self.advisory: _AdvisoryLock | None = None

    def __enter__(self) -> FileLock:
        try:
            self.lock.acquire()
        except Timeout:
            raise LockHeld(
                f"another engage run holds {self.lock.lock_file}; wait for it to finish "
                "(a lock left by a killed run is released by the OS when that process ends)"
            ) from None
        try:
            warehouse = _warehouse(self.db_path, self.target)
            if isinstance(warehouse, PostgresTarget):
                advisory = advisory_lock(warehouse)
                if not advisory.acquire():
                    raise LockHeld(
                        f"another engage run, on this machine or another, holds the writer lock "
                        f"of {warehouse.describe()} (schema {warehouse.schema}: PostgreSQL "
                        f"advisory lock {advisory.key}); wait for it to finish (a killed run's "
                        "lock ends with its connection)"
                    )
                self.advisory = advisory
        except BaseException:
            self.lock.release()
            raise
        return self.lock

    def __exit__(self, *exc: object) -> None:
        try:
            if self.advisory is not None:
                self.advisory.release()
                self.advisory = None
        finally:
            self.lock.release()
