"""The request log: what clients sent, without API keys or email addresses.

Each API request becomes a `LoggedRequest` (method, endpoint template, path, status, timing,
injected fault, key fingerprint, redacted body). Email addresses anywhere in paths, query
strings and bodies are replaced by their subscriber hash (`md5:<hash>`), merge field values by
`<redacted>`; keys appear only as a short fingerprint. Counts per (method, endpoint) let tests
and benchmarks assert exactly which calls were made.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import Any

from mailchimp_sandbox.rules import subscriber_hash

_EMAILISH = re.compile(r"[^@\s/?&=,]+@[^@\s/?&=,]+")


def key_fingerprint(api_key: str) -> str:
    return "key-" + hashlib.sha256(api_key.encode()).hexdigest()[:8]


def redact_text(text: str) -> str:
    return _EMAILISH.sub(lambda m: "md5:" + subscriber_hash(m.group(0)), text)


def redact(value: Any, key: str = "") -> Any:
    if key == "merge_fields" and isinstance(value, dict):
        return {k: "<redacted>" for k in value}
    if isinstance(value, dict):
        return {k: redact(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


@dataclass
class LoggedRequest:
    seq: int
    at: float  # epoch seconds
    request_id: str
    method: str
    endpoint: str  # route template, e.g. /lists/{list_id}/members/{subscriber_hash}
    path: str  # redacted
    query: dict[str, str]
    status: int | None  # None when the connection was dropped before an answer
    duration_ms: float
    fault: str | None
    key: str  # fingerprint, never the key
    body: Any = None  # redacted JSON body, when there was one

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RequestLogSnapshot:
    entries: list[LoggedRequest] = field(default_factory=list)

    @property
    def counts(self) -> dict[tuple[str, str], int]:
        return dict(Counter((e.method, e.endpoint) for e in self.entries))

    def count(self, method: str | None = None, endpoint: str | None = None) -> int:
        return sum(
            1
            for e in self.entries
            if (method is None or e.method == method)
            and (endpoint is None or e.endpoint == endpoint)
        )

    def statuses(self) -> dict[int | None, int]:
        return dict(Counter(e.status for e in self.entries))

    def to_dict(self) -> dict[str, Any]:
        return {
            "entries": [e.to_dict() for e in self.entries],
            "counts": [
                {"method": m, "endpoint": ep, "count": n}
                for (m, ep), n in sorted(self.counts.items())
            ],
            "total": len(self.entries),
        }


class RequestLog:
    def __init__(self, maxlen: int = 200_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LoggedRequest] = deque(maxlen=maxlen)
        self._seq = 0

    def next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def snapshot(self) -> RequestLogSnapshot:
        with self._lock:
            return RequestLogSnapshot(sorted(self._entries, key=lambda e: e.seq))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
