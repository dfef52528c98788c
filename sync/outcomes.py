"""The outcome of a command run: one word per kind of night, each meaning one thing.

Owns the vocabulary (`Outcome`), how bad each is (`SEVERITY`, `worst`) and how the status
words the jobs already use (an audience's `applied`, `partial`, `error`, ...; an error's
`kind`) fold into it. A leaf like `sync.errors`: it imports nothing of ours. Exit codes are
mapped from outcomes in one place, `sync.cli.exits`; the table is in the README.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"  # everything done
    WARNINGS = "warnings"  # done, but look: quarantined files, stale campaign activity
    LOCKED = "locked"  # another run held the writer lock; this one did nothing (harmless)
    REFUSED = "refused"  # a fail-safe refused a plan; nothing was written to that audience
    PARTIAL = "partial"  # some writes or reads failed; the next run retries them
    REJECTS = "rejects"  # Mailchimp rejected more members than `safety.max_reject_pct`
    UNREACHABLE = "unreachable"  # Mailchimp did not answer at all; nothing was read or written
    BUILD = "build"  # the dbt build or its tests failed
    CONFIG = "config"  # a declaration, setting, option or target is missing or invalid


# Worst first: the outcome of a run with several findings is the first of these it has.
SEVERITY: tuple[Outcome, ...] = (
    Outcome.CONFIG,
    Outcome.BUILD,
    Outcome.UNREACHABLE,
    Outcome.REFUSED,
    Outcome.REJECTS,
    Outcome.PARTIAL,
    Outcome.LOCKED,
    Outcome.WARNINGS,
    Outcome.OK,
)

# Status words of audiences, pulls and errors (`EngageError.kind`) that are not outcome names.
_STATUS_OUTCOMES: dict[str, Outcome] = {
    "applied": Outcome.OK,
    "planned": Outcome.OK,
    "empty": Outcome.OK,
    "skipped": Outcome.OK,
    "error": Outcome.PARTIAL,
    "config_error": Outcome.CONFIG,
}


def outcome_of(status: str) -> Outcome:
    """The outcome a status word stands for (an outcome name stands for itself)."""
    if status in _STATUS_OUTCOMES:
        return _STATUS_OUTCOMES[status]
    return Outcome(status)


def worst(statuses: Iterable[str | Outcome]) -> Outcome:
    """The worst outcome among `statuses` (ok when there are none)."""
    found = {outcome_of(str(s)) for s in statuses}
    for outcome in SEVERITY:
        if outcome in found:
            return outcome
    return Outcome.OK
