"""Exit codes of the `engage` command, and the one mapping from errors and outcomes to them.

A leaf of the command line: it knows the error classes (`sync.errors`) and nothing else.
The table is documented in the README ("Exit codes"); keep the two in step.

    code  meaning                                          raised by / outcome status
    0     ok                                               "ok"
    1     the dbt build or its tests failed                BuildError
    2     configuration or usage error                     ConfigError (PlanError,
                                                           MergeFieldError), IngestError
    3     refused by a fail-safe, or another run holds     PlanRefused, LockHeld; "refused"
          the writer lock
    4     partial failure: some writes failed, retried     MailchimpError; "partial", "error"
          on the next run
    5     `engage build` only: built, with quarantined     (no error: a finished build)
          files
"""

from __future__ import annotations

from sync.errors import (
    BuildError,
    ConfigError,
    EngageError,
    IngestError,
    LockHeld,
    MailchimpError,
    PlanRefused,
)

EXIT_OK = 0
EXIT_DBT_FAILED = 1
EXIT_CONFIG = 2
EXIT_REFUSED = 3
EXIT_PARTIAL = 4
# `engage build` only: built and tested, but some files were quarantined (listed, not read).
EXIT_QUARANTINED = 5

# Most specific first: the first class an error is an instance of decides its code.
ERROR_EXITS: tuple[tuple[type[EngageError], int], ...] = (
    (BuildError, EXIT_DBT_FAILED),
    (ConfigError, EXIT_CONFIG),
    (IngestError, EXIT_CONFIG),
    (PlanRefused, EXIT_REFUSED),
    (LockHeld, EXIT_REFUSED),
    (MailchimpError, EXIT_PARTIAL),
    (EngageError, EXIT_PARTIAL),
)

# The status of a finished job (the worst of its audiences), when no error stopped it.
STATUS_EXITS: dict[str, int] = {
    "ok": EXIT_OK,
    "refused": EXIT_REFUSED,
    "partial": EXIT_PARTIAL,
    "error": EXIT_PARTIAL,
}


def exit_code_for_error(error: EngageError) -> int:
    """The exit code of a command stopped by `error`."""
    for cls, code in ERROR_EXITS:
        if isinstance(error, cls):
            return code
    return EXIT_PARTIAL  # pragma: no cover - EngageError closes the table


def exit_code(failure: EngageError | None, status: str = "ok") -> int:
    """The exit code of a job: its failure if one stopped it, else its outcome status."""
    if failure is not None:
        return exit_code_for_error(failure)
    return STATUS_EXITS[status]
