"""Fault and latency injection: what can go wrong on the wire, on demand.

`Faults` is the configuration (set at start-up, with `SandboxServer.set_faults`, or through
`PUT /_sandbox/faults`); `FaultEngine` turns it into a decision per API request. Kinds:

  429          429 with Mailchimp's "simultaneous connections" problem document
  429_empty    429 with no body (Mailchimp does this under load)
  403_empty    403 with no body (likewise)
  500          500 problem+json "Internal Server Error"
  500_bare     500 with no body and no Content-Type
  502_html     502 with the CDN's HTML page
  drop         connection closed before anything is processed or answered
  drop_after   the request IS processed, then the connection is closed without an answer
  stall        the request hangs for `stall_seconds` (default 125 s, past the 120 s client
               timeout) and is then processed; stalls end early when the server stops/resets

Per-member errors force one error for writes to chosen addresses (keyed by subscriber hash,
so no email is kept): compliance, forgotten, fake_email, invalid_email, member_exists,
merge_invalid, server_error.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from mailchimp_sandbox import errors
from mailchimp_sandbox.rules import subscriber_hash

FAULT_KINDS = (
    "429",
    "429_empty",
    "403_empty",
    "500",
    "500_bare",
    "502_html",
    "drop",
    "drop_after",
    "stall",
)
MEMBER_ERROR_KINDS = (
    "compliance",
    "forgotten",
    "fake_email",
    "invalid_email",
    "member_exists",
    "merge_invalid",
    "server_error",
)


@dataclass
class Faults:
    """What to inject. Everything off by default."""

    latency: float = 0.0  # seconds added to every matching request
    latency_jitter: float = 0.0  # plus uniform random 0..jitter seconds
    rates: dict[str, float] = field(default_factory=dict)  # kind -> fraction of requests
    script: list[str | None] = field(default_factory=list)  # kinds for the next requests
    stall_seconds: float = 125.0
    endpoints: list[str] | None = None  # "PUT /lists/{list_id}/members/*"; None = all
    member_errors: dict[str, str] = field(default_factory=dict)  # email/hash -> kind
    seed: int | None = 0

    def __post_init__(self) -> None:
        for kind, rate in self.rates.items():
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(FAULT_KINDS)}")
            if not 0.0 <= float(rate) <= 1.0:
                raise ValueError(f"fault rate for {kind!r} must be between 0 and 1, not {rate}")
        if sum(self.rates.values()) > 1.0 + 1e-9:
            raise ValueError("fault rates add up to more than 1")
        for kind in self.script:
            if kind is not None and kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {kind!r} in script")
        if self.latency < 0 or self.latency_jitter < 0 or self.stall_seconds < 0:
            raise ValueError("latency, latency_jitter and stall_seconds must be >= 0")
        normalised: dict[str, str] = {}
        for who, kind in self.member_errors.items():
            if kind not in MEMBER_ERROR_KINDS:
                raise ValueError(
                    f"unknown member error {kind!r}; known: {', '.join(MEMBER_ERROR_KINDS)}"
                )
            normalised[_member_key(who)] = kind
        self.member_errors = normalised

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Faults:
        data = dict(data or {})
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(unknown)}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "latency": self.latency,
            "latency_jitter": self.latency_jitter,
            "rates": dict(self.rates),
            "script": list(self.script),
            "stall_seconds": self.stall_seconds,
            "endpoints": list(self.endpoints) if self.endpoints is not None else None,
            "member_errors": dict(self.member_errors),
            "seed": self.seed,
        }


def _member_key(who: str) -> str:
    who = who.strip()
    if "@" in who:
        return subscriber_hash(who)
    if len(who) == 32 and all(c in "0123456789abcdef" for c in who.lower()):
        return who.lower()
    raise ValueError(f"member_errors keys must be an email address or a subscriber hash: {who!r}")


@dataclass(frozen=True)
class Decision:
    latency: float = 0.0
    kind: str | None = None


class FaultEngine:
    """Thread-safe: the HTTP layer asks it once per API request."""

    def __init__(self, faults: Faults | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(faults or Faults())

    def configure(self, faults: Faults) -> None:
        with self._lock:
            self.faults = faults
            self._rng = random.Random(faults.seed)
            self._script: deque[str | None] = deque(faults.script)

    def matches(self, method: str, template: str) -> bool:
        patterns = self.faults.endpoints
        if patterns is None:
            return True
        call = f"{method} {template}"
        return any(fnmatch.fnmatchcase(call, p) for p in patterns)

    def decide(self, method: str, template: str) -> Decision:
        with self._lock:
            f = self.faults
            if not self.matches(method, template):
                return Decision()
            latency = f.latency + (
                self._rng.uniform(0, f.latency_jitter) if f.latency_jitter else 0
            )
            if self._script:
                return Decision(latency, self._script.popleft())
            roll = self._rng.random()
            for kind in FAULT_KINDS:
                rate = f.rates.get(kind, 0.0)
                if roll < rate:
                    return Decision(latency, kind)
                roll -= rate
            return Decision(latency, None)

    def member_error(self, email_or_hash: str) -> errors.ApiError | None:
        kind = self.faults.member_errors.get(
            subscriber_hash(email_or_hash) if "@" in email_or_hash else email_or_hash
        )
        if kind is None:
            return None
        return member_error(kind, email_or_hash)


def member_error(kind: str, email: str) -> errors.ApiError:
    if kind == "compliance":
        return errors.compliance_state(email)
    if kind == "forgotten":
        return errors.forgotten(email)
    if kind == "fake_email":
        return errors.fake_email(email)
    if kind == "invalid_email":
        return errors.invalid_email()
    if kind == "member_exists":
        return errors.member_exists(email)
    if kind == "merge_invalid":
        return errors.merge_fields_invalid([{"field": "FNAME", "message": "Please enter a value"}])
    return errors.internal_error()
