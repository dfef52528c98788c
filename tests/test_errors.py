"""One exception hierarchy, one mapping to exit codes."""

from __future__ import annotations

import pytest
from dbt.cli.main import dbtRunnerResult

from sync.cli.exits import (
    EXIT_CONFIG,
    EXIT_DBT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_REFUSED,
    EXIT_UNREACHABLE,
    OUTCOME_EXITS,
    exit_code,
    exit_code_for_error,
)
from sync.errors import (
    BuildError,
    ConfigError,
    EngageError,
    IngestError,
    LockHeld,
    MailchimpError,
    MailchimpUnreachable,
    MergeFieldError,
    PlanError,
    PlanRefused,
    TerminalMailchimpError,
    TransientMailchimpError,
    redact,
)
from sync.ingest.errors import IngestError as IngestErrorOfIngest
from sync.jobs.audience_sync import JobOutcome
from sync.mailchimp.client import classify
from sync.outcomes import Outcome
from sync.warehouse.dbt_runner import summarise


@pytest.mark.parametrize(
    ("error", "code", "kind"),
    [
        (ConfigError("x"), EXIT_CONFIG, "config"),
        (PlanError("x"), EXIT_CONFIG, "config"),
        (MergeFieldError("x"), EXIT_CONFIG, "config"),
        (IngestError("x"), EXIT_CONFIG, "config"),
        (BuildError("x"), EXIT_DBT_FAILED, "build"),
        (PlanRefused("x"), EXIT_REFUSED, "refused"),
        (LockHeld("x"), EXIT_LOCKED, "locked"),
        (MailchimpUnreachable("x"), EXIT_UNREACHABLE, "unreachable"),
        (TransientMailchimpError(503), EXIT_PARTIAL, "error"),
        (TerminalMailchimpError(400), EXIT_PARTIAL, "error"),
    ],
)
def test_every_error_is_an_engage_error_with_one_exit_code(error, code, kind) -> None:
    assert isinstance(error, EngageError)
    assert exit_code_for_error(error) == code
    assert error.kind == kind


def test_a_job_reports_its_failure_by_class_and_its_outcome_by_status() -> None:
    out = JobOutcome("sync", failure=LockHeld("another run holds the lock"))
    assert out.status == "locked" and out.error == "another run holds the lock"
    assert exit_code(out.failure, out.status) == EXIT_LOCKED
    assert exit_code(None, "ok") == EXIT_OK and exit_code(None, "partial") == EXIT_PARTIAL


def test_every_outcome_has_its_own_exit_code() -> None:
    """One outcome per code and one code per outcome: an operator can tell a harmless locked
    night from a refused one, and Mailchimp down from a partial run."""
    assert set(OUTCOME_EXITS) == set(Outcome)
    assert len(set(OUTCOME_EXITS.values())) == len(Outcome)


def test_mailchimp_errors_are_transient_or_terminal() -> None:
    for status, body in ((429, ""), (500, "{}"), (403, ""), (None, "")):
        err = classify(status, body)
        assert isinstance(err, TransientMailchimpError) and err.transient
    err = classify(400, {"title": "Invalid Resource", "detail": "ann@example.org looks fake"})
    assert isinstance(err, TerminalMailchimpError) and not err.transient
    assert isinstance(err, MailchimpError)
    assert "ann@example.org" not in str(err)


def test_the_ingest_names_the_same_class() -> None:
    assert IngestErrorOfIngest is IngestError
    assert "@" not in redact("write to ann@example.org")


def test_dbt_failures_never_quote_an_email():
    """A database error can quote the value it failed on (a filter casting an email): the
    outcome shown, stored and printed as JSON carries a short hash instead."""
    failed = dbtRunnerResult(
        success=False,
        exception=RuntimeError("Could not convert string 'Ana@Example.org' to INT32"),
    )
    outcome = summarise(failed)
    assert not outcome.success
    assert "@" not in outcome.error
    assert "Could not convert string <" in outcome.error
