"""The sandbox's knobs: Mailchimp's limits, behaviour switches and batch timing.

One frozen-by-convention dataclass, `SandboxSettings`, with Mailchimp's real numbers as
defaults. Tests and benchmarks change them through `SandboxServer.update_settings(...)` or
`PATCH /_sandbox/settings`; `reset()` puts back the values the server was started with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

COMPLIANCE_MODES = ("self", "all", "none")

# Domains and local parts Mailchimp's "looks fake or invalid" check is known to reject
# (example domains, throwaway inboxes, the textbook name). Configurable.
DEFAULT_FAKE_DOMAINS = (
    "example.com",
    "example.net",
    "example.org",
    "test.com",
    "mailinator.com",
    "guerrillamail.com",
    "10minutemail.com",
    "yopmail.com",
    "trashmail.com",
)
DEFAULT_FAKE_LOCAL_PARTS = ("john.doe", "jane.doe", "johndoe", "janedoe")
# Role-based local parts Mailchimp refuses on import (batch subscribe), not on single adds.
DEFAULT_ROLE_LOCAL_PARTS = (
    "abuse",
    "admin",
    "hostmaster",
    "noc",
    "noreply",
    "no-reply",
    "postmaster",
    "root",
    "security",
    "support",
    "webmaster",
)


@dataclass
class SandboxSettings:
    """Limits and behaviour switches. Defaults are Mailchimp's documented values."""

    # Limits
    max_in_flight_per_key: int = 10
    max_page_size: int = 1000
    default_page_size: int = 10
    page_size_over_limit: str = "error"  # "error" (400) or "clamp"
    max_batch_subscribe: int = 500
    max_segment_batch: int = 500
    max_merge_fields: int = 30
    max_pending_batches: int = 500
    max_body_bytes: int = 10 * 1024 * 1024
    max_tag_name_length: int = 100
    member_tags_shown: int = 50
    # Behaviour
    compliance_refusal: str = "self"  # refuse re-subscribe of: "self"-unsubscribed, "all", "none"
    # Unverified whether Mailchimp moves `last_changed` when only tags change; by default the
    # sandbox does not, so an incremental reader cannot rely on it to see tag changes.
    tag_changes_touch_last_changed: bool = False
    # A `fields` / `exclude_fields` path that Mailchimp's published response schema lacks:
    # "ignore" it as Mailchimp does, or answer "error" (400 Requested Fields Invalid), a strict
    # mode that catches a client's typos.
    fields_outside_schema: str = "ignore"
    fake_domains: tuple[str, ...] = DEFAULT_FAKE_DOMAINS
    fake_local_parts: tuple[str, ...] = DEFAULT_FAKE_LOCAL_PARTS
    role_local_parts: tuple[str, ...] = DEFAULT_ROLE_LOCAL_PARTS
    # /batches
    batch_start_delay: float = 0.05  # seconds a new batch stays "pending"
    batch_op_delay: float = 0.0  # seconds per operation while "started"
    batch_finalize_delay: float = 0.05  # seconds in "finalizing" before "finished"
    batch_out_of_order: bool = True  # run operations in a shuffled order, as Mailchimp may
    batch_results_per_file: int = 100
    batch_url_ttl: float = 600.0  # response_body_url validity (Mailchimp: 10 minutes)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.compliance_refusal not in COMPLIANCE_MODES:
            raise ValueError(
                f"compliance_refusal must be one of {COMPLIANCE_MODES}, "
                f"not {self.compliance_refusal!r}"
            )
        if self.page_size_over_limit not in ("error", "clamp"):
            raise ValueError("page_size_over_limit must be 'error' or 'clamp'")
        if self.fields_outside_schema not in ("ignore", "error"):
            raise ValueError("fields_outside_schema must be 'ignore' or 'error'")
        for name in ("fake_domains", "fake_local_parts", "role_local_parts"):
            setattr(self, name, tuple(str(v).lower() for v in getattr(self, name)))

    def updated(self, **changes: Any) -> SandboxSettings:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown sandbox setting(s): {', '.join(unknown)}")
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, tuple):
                d[k] = list(v)
        return d
