"""Every error engage raises on purpose, in one hierarchy (a leaf: it imports nothing of ours).

    EngageError
    ├── ConfigError              a declaration, setting or target is missing or invalid
    │   ├── PlanError            the warehouse's data cannot be planned (bad tags, missing columns)
    │   └── MergeFieldError      the declared merge fields cannot be reconciled with the audience
    ├── IngestError              a raw file or the raw folder cannot be read
    ├── StorageError             the warehouse (DuckDB file or PostgreSQL) refused a statement
    ├── BuildError               the dbt build failed: nothing downstream may run
    ├── PlanRefused              a fail-safe threshold refused the plan (nothing was written)
    ├── LockHeld                 another engage run holds the writer lock of this warehouse
    ├── MailchimpUnreachable     Mailchimp did not answer at all (network, 5xx), retries spent
    └── MailchimpError           a Mailchimp call failed (status and problem details)
        ├── TransientMailchimpError   worth retrying: 429, 5xx, dropped connection, time-out
        └── TerminalMailchimpError    retrying will not help: 4xx (bad request, not found, ...)

Each class names its `kind`: the word the jobs' JSON summaries print as their `status`
("config", "locked", "build", ...). The command line maps classes to exit codes in one place,
`sync.cli.exits`. Messages never carry an API key or an email address (`redact`).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, ClassVar

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'!#$&*/=?^`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def redact(text: str) -> str:
    """Replace email addresses in `text` by a short hash (for logs and stored details).

    The hash is the start of Mailchimp's subscriber hash (md5 of the trimmed, lower-cased
    address), so a redacted message still points at the member."""
    return _EMAIL_RE.sub(lambda m: f"<{_short_hash(m.group(0))}>", text)


def _short_hash(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode("utf-8")).hexdigest()[:12]


class EngageError(Exception):
    """Base class of every error engage raises on purpose."""

    kind: ClassVar[str] = "error"


class ConfigError(EngageError):
    """A sync declaration is missing or invalid; the message says where and how to fix it."""

    kind = "config"


class PlanError(ConfigError):
    """The warehouse data cannot be planned (bad tags, missing columns); nothing was written."""


class MergeFieldError(ConfigError):
    """The declared merge fields cannot be reconciled with the audience's schema."""


class IngestError(EngageError):
    """A raw file or the raw folder cannot be read. The message names the path and the fix."""

    kind = "config"


class StorageError(EngageError):
    """The warehouse refused a statement or a connection (`sync.warehouse.storage`): the
    message is the database's first line, redacted; the driver's error is its cause."""


class BuildError(EngageError):
    """The dbt build failed; nothing that reads the warehouse may run."""

    kind = "build"


class PlanRefused(EngageError):
    """A fail-safe threshold refused the plan: nothing was written (re-run with --force REASON).

    The plan and sync jobs do not raise it: a refusal is one audience's outcome (status
    "refused", this class's `kind`, recorded in `plans` and `sync_runs`), and the job goes on to
    the next audience; the command exits 3 for either (`sync.cli.exits`)."""

    kind = "refused"


class LockHeld(EngageError):
    """Another engage run holds the writer lock for this warehouse."""

    kind = "locked"


class MailchimpUnreachable(EngageError):
    """Mailchimp (or the configured host) could not be reached at all: nothing was read or
    written. Raised by the nightly's first call, once its retries are spent."""

    kind = "unreachable"


class MailchimpError(EngageError):
    """A failed call: HTTP status (None for network errors) and Mailchimp's problem details."""

    kind = "error"

    def __init__(
        self,
        status: int | None,
        title: str = "",
        detail: str = "",
        errors: list[dict[str, Any]] | None = None,
        instance: str = "",
        timeout: bool = False,
    ) -> None:
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors or []
        self.instance = instance
        self.timeout = timeout
        super().__init__(self.summary())

    @property
    def transient(self) -> bool:
        """Worth retrying (a `TransientMailchimpError`); test this, never the exact class."""
        return isinstance(self, TransientMailchimpError)

    def summary(self) -> str:
        parts = [str(self.status or "network"), self.title]
        if self.detail:
            parts.append(redact(self.detail))
        text = " ".join(p for p in parts if p)
        if self.errors:
            text += (
                " ["
                + "; ".join(
                    f"{e.get('field', '')}: {redact(str(e.get('message', '')))}"
                    for e in self.errors[:5]
                )
                + "]"
            )
        if self.instance:
            text += f" (request {self.instance})"
        return text


class TransientMailchimpError(MailchimpError):
    """Worth retrying: rate limited, server error, dropped connection or timeout."""


class TerminalMailchimpError(MailchimpError):
    """Not worth retrying: Mailchimp refused the request itself (4xx)."""
