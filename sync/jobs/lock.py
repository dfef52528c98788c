"""The writer lock: one file lock per warehouse file, held by every command that writes.

Held by `engage sync`, `pull` and `nightly` (from the pull to the last write), so two
overlapping runs - cron firing twice, a manual run during the scheduled one - cannot both
write to Mailchimp or the sync state. A lock left by a killed run is released by the OS.
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from sync.errors import LockHeld

_LOCKS: dict[str, FileLock] = {}


def writer_lock(db_path: Path) -> FileLock:
    """The (re-entrant, per process) writer lock of a warehouse file."""
    key = str(Path(db_path).resolve())
    if key not in _LOCKS:
        _LOCKS[key] = FileLock(key + ".engage-sync.lock", timeout=0)
    return _LOCKS[key]


class locked:  # noqa: N801 - used as a context manager
    """`with locked(db):` hold the writer lock or raise LockHeld at once."""

    def __init__(self, db_path: Path) -> None:
        self.lock = writer_lock(db_path)

    def __enter__(self) -> FileLock:
        try:
            self.lock.acquire()
        except Timeout:
            raise LockHeld(
                f"another engage run holds {self.lock.lock_file}; wait for it to finish "
                "(a lock left by a killed run is released by the OS when that process ends)"
            ) from None
        return self.lock

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
