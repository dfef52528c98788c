"""Exit codes of the `engage` command, and the one mapping from outcomes (and errors) to them.

A leaf of the command line: it knows the outcome vocabulary (`sync.outcomes`) and the error
classes (`sync.errors`, whose `kind` names an outcome), nothing else. The same table is in the
README and docs/sync.md ("Exit codes"); keep the three in step.

    code  outcome       meaning
    0     ok            everything done
    1     build         the dbt build or its tests failed (nightly: opt-outs only, or nothing)
    2     config        a declaration, setting, option or Mailchimp target is missing or invalid
    3     refused       a fail-safe refused a plan: nothing was written to that audience
    4     partial       some writes or reads failed; the next run retries them
    5     warnings      done, with warnings: quarantined files, stale campaign activity
    6     locked        another run holds the writer lock; this one did nothing (harmless)
    7     unreachable   Mailchimp did not answer at all; nothing was read or written
    8     rejects       Mailchimp rejected more members than `safety.max_reject_pct` allows
"""

from __future__ import annotations

from sync.errors import EngageError
from sync.outcomes import Outcome, outcome_of, worst

EXIT_OK = 0
EXIT_DBT_FAILED = 1
EXIT_CONFIG = 2
EXIT_REFUSED = 3
EXIT_PARTIAL = 4
EXIT_WARNINGS = 5
EXIT_LOCKED = 6
EXIT_UNREACHABLE = 7
EXIT_REJECTS = 8
# `engage build`: built and tested, but some files were quarantined (a warning).
EXIT_QUARANTINED = EXIT_WARNINGS

OUTCOME_EXITS: dict[Outcome, int] = {
    Outcome.OK: EXIT_OK,
    Outcome.BUILD: EXIT_DBT_FAILED,
    Outcome.CONFIG: EXIT_CONFIG,
    Outcome.REFUSED: EXIT_REFUSED,
    Outcome.PARTIAL: EXIT_PARTIAL,
    Outcome.WARNINGS: EXIT_WARNINGS,
    Outcome.LOCKED: EXIT_LOCKED,
    Outcome.UNREACHABLE: EXIT_UNREACHABLE,
    Outcome.REJECTS: EXIT_REJECTS,
}


def exit_code_for_outcome(outcome: Outcome | str) -> int:
    """The exit code of a run whose outcome (or status word) is `outcome`."""
    return OUTCOME_EXITS[outcome_of(str(outcome))]


def exit_code_for_error(error: EngageError) -> int:
    """The exit code of a command stopped by `error` (its class's `kind` names the outcome)."""
    return exit_code_for_outcome(error.kind)


def exit_code(failure: EngageError | None, status: str = "ok") -> int:
    """The exit code of a job: its failure if one stopped it, else its outcome status."""
    if failure is not None:
        return exit_code_for_error(failure)
    return exit_code_for_outcome(worst([status]))
