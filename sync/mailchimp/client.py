"""The official `mailchimp-marketing` SDK, wrapped so that every call is safe to make at scale.

Owns: choosing the target (real Mailchimp from MAILCHIMP_API_KEY/MAILCHIMP_SERVER, or any
Mailchimp-compatible host such as the local sandbox from ENGAGE_MAILCHIMP_URL); one SDK client
with a keep-alive `requests.Session` per worker thread; a cap on simultaneous requests
(default 8, never more than 10, Mailchimp's per-account limit); turning every failure shape of
SDK 3.0.80 into `MailchimpError` (problem details parsed) or `TransientMailchimpError` (429,
5xx, empty-body 403, dropped connections, timeouts), the latter retried by tenacity with
exponential backoff and full jitter, and never immediately after a timeout. The API key is
never printed: it is not part of any repr, message or log line, and emails in Mailchimp's
error texts are replaced by their subscriber hash before they are logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import threading
import types
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import mailchimp_marketing
import requests
from mailchimp_marketing.api_client import ApiClientError
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from sync.errors import (
    ConfigError,
    MailchimpError,
    TerminalMailchimpError,
    TransientMailchimpError,
)
from sync.mailchimp.exposures import MAX_CONCURRENCY

log = logging.getLogger("engage.sync.client")

T = TypeVar("T")
PAGE_SIZE = 1000

HOW_TO_CONNECT = (
    "No Mailchimp target configured. Either\n"
    "  - use your account: export MAILCHIMP_API_KEY=<key> (its '-us6' suffix picks the data "
    "centre, or set MAILCHIMP_SERVER=us6), or\n"
    "  - try it locally: run `engage sandbox` in another terminal and export the "
    "MAILCHIMP_API_KEY and ENGAGE_MAILCHIMP_URL it prints."
)


def subscriber_hash(email: str) -> str:
    """Mailchimp's member id: md5 of the trimmed, lower-cased address."""
    return hashlib.md5(email.strip().lower().encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Target and policy


@dataclass(frozen=True)
class Target:
    """Where requests go. The key is kept out of repr() and str()."""

    base_url: str
    api_key: str = field(repr=False)
    overridden: bool = False

    @property
    def host(self) -> str:
        return self.base_url.rstrip("/") + "/3.0"

    def describe(self) -> str:
        kind = "Mailchimp-compatible host" if self.overridden else "Mailchimp"
        return f"{kind} at {self.base_url}"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Target:
        env = dict(os.environ if env is None else env)
        key = (env.get("MAILCHIMP_API_KEY") or "").strip()
        if not key:
            raise ConfigError(HOW_TO_CONNECT)
        url = (env.get("ENGAGE_MAILCHIMP_URL") or "").strip()
        if url:
            if not re.match(r"^https?://[^/\s]+", url):
                raise ConfigError(
                    f"ENGAGE_MAILCHIMP_URL={url!r} is not an http(s) URL "
                    "(e.g. http://127.0.0.1:8025)"
                )
            return cls(base_url=url.rstrip("/").removesuffix("/3.0"), api_key=key, overridden=True)
        server = (env.get("MAILCHIMP_SERVER") or "").strip()
        if not server and key.count("-") == 1:
            server = key.split("-")[1]
        if not re.match(r"^[a-z]{2,4}\d{1,3}$", server or ""):
            raise ConfigError(
                "Cannot tell the Mailchimp data centre: the API key has no '-us6'-style suffix; "
                "set MAILCHIMP_SERVER (e.g. us6)"
            )
        return cls(base_url=f"https://{server}.api.mailchimp.com", api_key=key)


@dataclass(frozen=True)
class RetryPolicy:
    """tenacity settings: exponential backoff with full jitter, capped attempts."""

    attempts: int = 6
    wait_initial: float = 1.0
    wait_max: float = 60.0
    after_timeout: float = 5.0  # a timed-out request may still hold a connection slot
    request_timeout: float = 60.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> RetryPolicy:
        """Defaults, overridden by ENGAGE_RETRY_ATTEMPTS, ENGAGE_RETRY_WAIT (first backoff, s),
        ENGAGE_RETRY_WAIT_MAX, ENGAGE_RETRY_AFTER_TIMEOUT and ENGAGE_REQUEST_TIMEOUT."""
        env = dict(os.environ if env is None else env)
        base = cls()
        names = {
            "attempts": "ENGAGE_RETRY_ATTEMPTS",
            "wait_initial": "ENGAGE_RETRY_WAIT",
            "wait_max": "ENGAGE_RETRY_WAIT_MAX",
            "after_timeout": "ENGAGE_RETRY_AFTER_TIMEOUT",
            "request_timeout": "ENGAGE_REQUEST_TIMEOUT",
        }
        values: dict[str, Any] = {}
        for attr, var in names.items():
            raw = env.get(var)
            if raw:
                try:
                    values[attr] = int(raw) if attr == "attempts" else float(raw)
                except ValueError:
                    raise ConfigError(f"{var}={raw!r} is not a number") from None
        return cls(**{**base.__dict__, **values})

    @classmethod
    def fast(cls) -> RetryPolicy:
        """Tiny waits for tests and local runs against the sandbox."""
        return cls(
            attempts=15, wait_initial=0.002, wait_max=0.02, after_timeout=0.02, request_timeout=5
        )


# ---------------------------------------------------------------------------------------------
# Errors


def classify(status: int | None, body: Any) -> MailchimpError:
    """The error for an HTTP status and body: transient (retried) or terminal."""
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        try:
            body = json.loads(body) if body.strip() else {}
        except ValueError:
            body = {"detail": body.strip()[:200]}
    if not isinstance(body, dict):
        body = {}
    transient = status is None or status == 429 or status >= 500 or (status == 403 and not body)
    cls = TransientMailchimpError if transient else TerminalMailchimpError
    return cls(
        status,
        str(body.get("title", "") or ""),
        str(body.get("detail", "") or ""),
        body.get("errors") if isinstance(body.get("errors"), list) else None,
        str(body.get("instance", "") or ""),
    )


def _network_error(exc: Any) -> TransientMailchimpError:
    is_timeout = isinstance(exc, requests.exceptions.Timeout)
    name = type(exc).__name__ if isinstance(exc, BaseException) else "NetworkError"
    return TransientMailchimpError(None, name, "connection failed or timed out", timeout=is_timeout)


def _wait(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        exp = min(policy.wait_max, policy.wait_initial * (2 ** (state.attempt_number - 1)))
        delay = random.uniform(0, exp)
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, MailchimpError) and exc.timeout:
            delay = max(delay, policy.after_timeout)
        return delay

    return wait


# ---------------------------------------------------------------------------------------------
# The client


@dataclass
class CallStats:
    """Requests made, by operation name, and retries/failures (thread-safe counters)."""

    requests: Counter = field(default_factory=Counter)
    retries: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def bump(self, which: str, op: str) -> None:
        with self.lock:
            getattr(self, which)[op] += 1

    def as_dict(self) -> dict[str, dict[str, int]]:
        with self.lock:
            return {
                "requests": dict(self.requests),
                "retries": dict(self.retries),
                "failures": dict(self.failures),
            }


def _attach_session(sdk: mailchimp_marketing.Client, session: requests.Session) -> None:
    """Route the SDK's requests through `session` (keep-alive) instead of module-level calls."""

    def request(self, method, url, query_params=None, headers=None, body=None):  # noqa: ANN001
        auth = ("user", self.api_key) if self.is_basic_auth else None
        headers = dict(headers or {})
        if self.is_oauth:
            headers["Authorization"] = "Bearer " + self.access_token
        data = json.dumps(body) if method in ("POST", "PUT", "PATCH") else None
        return session.request(
            method,
            url,
            params=query_params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=self.timeout,
        )

    sdk.api_client.request = types.MethodType(request, sdk.api_client)


class MailchimpClient:
    """Thread-safe: each worker thread gets its own SDK client and session."""

    def __init__(
        self, target: Target, concurrency: int = 8, retry: RetryPolicy | None = None
    ) -> None:
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise ConfigError(
                f"concurrency must be between 1 and {MAX_CONCURRENCY} (Mailchimp allows 10 "
                f"simultaneous connections per account), not {concurrency}"
            )
        self.target = target
        self.concurrency = concurrency
        self.retry = retry or RetryPolicy.from_env()
        self.stats = CallStats()
        self._slots = threading.BoundedSemaphore(concurrency)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MailchimpClient({self.target.describe()}, concurrency={self.concurrency})"

    # -- plumbing --------------------------------------------------------------------------

    def _sdk(self) -> mailchimp_marketing.Client:
        sdk = getattr(self._local, "sdk", None)
        if sdk is None:
            sdk = mailchimp_marketing.Client()
            sdk.set_config(
                {
                    "api_key": self.target.api_key,
                    "server": "server",  # makes the SDK's url.replace('server', ...) a no-op
                    "timeout": self.retry.request_timeout,
                }
            )
            sdk.api_client.host = self.target.host
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            _attach_session(sdk, session)
            with self._sessions_lock:
                self._sessions.append(session)
            self._local.sdk = sdk
            self._local.session = session
        return sdk

    def _drop_thread_session(self) -> None:
        """After a network error the pooled connection may be dead: start afresh next call."""
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            with self._sessions_lock:
                if session in self._sessions:
                    self._sessions.remove(session)
        self._local.sdk = None
        self._local.session = None

    def close(self) -> None:
        with self._sessions_lock:
            for s in self._sessions:
                s.close()
            self._sessions.clear()
        self._local = threading.local()

    def _once(self, op: str, fn: Callable[[mailchimp_marketing.Client], T]) -> T | None:
        self.stats.bump("requests", op)
        with self._slots:
            try:
                res = fn(self._sdk())
            except ApiClientError as e:
                if e.status_code is None:
                    self._drop_thread_session()
                    raise _network_error(e.text) from None
                raise classify(e.status_code, e.text) from None
            except requests.exceptions.RequestException as e:
                self._drop_thread_session()
                raise _network_error(e) from None
        if isinstance(res, requests.Response):  # a 204, or an error without a JSON body
            if not res.ok:
                raise classify(res.status_code, res.text)
            return None
        return res

    def call(self, op: str, fn: Callable[[mailchimp_marketing.Client], T]) -> T | None:
        """Run `fn(sdk)` under the concurrency cap, retrying transient failures."""

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            self.stats.bump("retries", op)
            log.debug("retrying %s after %s", op, exc)

        try:
            for attempt in Retrying(
                retry=retry_if_exception_type(TransientMailchimpError),
                stop=stop_after_attempt(self.retry.attempts),
                wait=_wait(self.retry),
                before_sleep=before_sleep,
                reraise=True,
            ):
                with attempt:
                    return self._once(op, fn)
        except MailchimpError as exc:
            self.stats.bump("failures", op)
            log.info("%s failed: %s", op, exc)
            raise
        return None  # pragma: no cover - Retrying always returns or raises

    def _paged(
        self, op: str, key: str, fetch: Callable[[mailchimp_marketing.Client, int], Any]
    ) -> Iterator[dict[str, Any]]:
        """Every item under `key` of an offset-paged collection: `fetch(sdk, offset)` reads
        one page of PAGE_SIZE; stops at an empty page or at `total_items`."""
        offset = 0
        while True:
            page = self.call(op, lambda c, o=offset: fetch(c, o)) or {}
            items = page.get(key) or []
            yield from items
            offset += len(items)
            if not items or offset >= int(page.get("total_items") or 0):
                return

    def ping(self) -> None:
        """`GET /ping`: raises when Mailchimp cannot be reached (retries spent) or refuses a key."""
        self.call("ping", lambda c: c.ping.get())

    # -- audiences -------------------------------------------------------------------------

    def lists_named(self, name: str) -> list[dict[str, Any]]:
        pages = self._paged(
            "lists.get",
            "lists",
            lambda c, o: c.lists.get_all_lists(
                count=PAGE_SIZE,
                offset=o,
                fields=["lists.id", "lists.name", "lists.double_optin", "total_items"],
            ),
        )
        return [x for x in pages if x.get("name") == name]

    def get_list(self, list_id: str) -> dict[str, Any]:
        return (
            self.call(
                "list.get",
                lambda c: c.lists.get_list(list_id, fields=["id", "name", "double_optin"]),
            )
            or {}
        )

    def create_list(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("list.create", lambda c: c.lists.create_list(body)) or {}

    # -- merge fields ----------------------------------------------------------------------

    def get_merge_fields(self, list_id: str) -> list[dict[str, Any]]:
        return list(
            self._paged(
                "merge_fields.get",
                "merge_fields",
                lambda c, o: c.lists.get_list_merge_fields(list_id, count=PAGE_SIZE, offset=o),
            )
        )

    def add_merge_field(self, list_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return (
            self.call("merge_fields.create", lambda c: c.lists.add_list_merge_field(list_id, body))
            or {}
        )

    # -- members ---------------------------------------------------------------------------

    def batch_subscribe(
        self, list_id: str, members: list[dict[str, Any]], update_existing: bool
    ) -> dict[str, Any]:
        """Batch subscribe (<=500). HTTP 200 is not success: read `errors` in the result."""
        if len(members) > 500:
            raise ValueError("batch subscribe takes at most 500 members per call")
        body = {"members": members, "update_existing": update_existing, "sync_tags": False}
        return self.call("members.batch", lambda c: c.lists.batch_list_members(list_id, body)) or {}

    def archive_member(self, list_id: str, sub_hash: str) -> None:
        self.call("member.archive", lambda c: c.lists.delete_list_member(list_id, sub_hash))

    def members_page(
        self,
        list_id: str,
        offset: int,
        count: int = PAGE_SIZE,
        since_last_changed: str | None = None,
        status: str | None = None,
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "count": count,
            "offset": offset,
            "fields": [
                "members.id",
                "members.email_address",
                "members.status",
                "members.last_changed",
                "members.merge_fields",
                "members.tags",
                "members.tags_count",
                "total_items",
            ],
        }
        if since_last_changed:
            kwargs["since_last_changed"] = since_last_changed
        if status:
            kwargs["status"] = status
        return (
            self.call("members.get", lambda c: c.lists.get_list_members_info(list_id, **kwargs))
            or {}
        )

    def iter_members(
        self, list_id: str, since_last_changed: str | None = None, status: str | None = None
    ) -> Iterator[tuple[list[dict[str, Any]], int]]:
        """Pages of members (and the total), offset-paged at 1000."""
        offset = 0
        while True:
            page = self.members_page(list_id, offset, PAGE_SIZE, since_last_changed, status)
            members = page.get("members") or []
            total = int(page.get("total_items") or 0)
            if members:
                yield members, total
            offset += len(members)
            if not members or offset >= total:
                return

    def member_tags(self, list_id: str, sub_hash: str) -> list[str]:
        tags = self._paged(
            "member.tags",
            "tags",
            lambda c, o: c.lists.get_list_member_tags(list_id, sub_hash, count=PAGE_SIZE, offset=o),
        )
        return [t["name"] for t in tags]

    # -- tags (static segments) ------------------------------------------------------------

    def static_segments(self, list_id: str) -> dict[str, tuple[int, str]]:
        """lower(tag name) -> (segment id, name) for every static segment (= tag)."""
        out: dict[str, tuple[int, str]] = {}
        segments = self._paged(
            "segments.get",
            "segments",
            lambda c, o: c.lists.list_segments(
                list_id,
                type="static",
                count=PAGE_SIZE,
                offset=o,
                fields=["segments.id", "segments.name", "total_items"],
            ),
        )
        for s in segments:
            out.setdefault(str(s["name"]).lower(), (int(s["id"]), str(s["name"])))
        return out

    def create_static_segment(self, list_id: str, name: str) -> int:
        res = (
            self.call(
                "segment.create",
                lambda c: c.lists.create_segment(list_id, {"name": name, "static_segment": []}),
            )
            or {}
        )
        return int(res["id"])

    def segment_batch(
        self, list_id: str, segment_id: int, add: list[str], remove: list[str]
    ) -> dict[str, Any]:
        if len(add) > 500 or len(remove) > 500:
            raise ValueError("static segment batches take at most 500 adds and 500 removes")
        body: dict[str, Any] = {"members_to_add": add, "members_to_remove": remove}
        return (
            self.call(
                "segment.batch",
                lambda c: c.lists.batch_segment_members(
                    body=body, list_id=list_id, segment_id=str(segment_id)
                ),
            )
            or {}
        )

    # -- campaigns and their reports -------------------------------------------------------

    def sent_campaigns(self, list_id: str, since_send_time: str | None) -> list[dict[str, Any]]:
        """The audience's sent campaigns (oldest send first), sent at or after `since_send_time`."""
        kwargs: dict[str, Any] = {
            "list_id": list_id,
            "status": "sent",
            "sort_field": "send_time",
            "sort_dir": "ASC",
            "fields": [
                "campaigns.id",
                "campaigns.web_id",
                "campaigns.send_time",
                "campaigns.emails_sent",
                "campaigns.recipients",
                "campaigns.settings.title",
                "campaigns.settings.subject_line",
                "total_items",
            ],
        }
        if since_send_time:
            kwargs["since_send_time"] = since_send_time
        return list(
            self._paged(
                "campaigns.get",
                "campaigns",
                lambda c, o: c.campaigns.list(count=PAGE_SIZE, offset=o, **kwargs),
            )
        )

    def report_page(
        self, report: str, campaign_id: str, offset: int, since: str | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """One page (up to PAGE_SIZE) of a campaign report and its `total_items`. `report` is
        `sent-to`, `email-activity` (with `since`: only actions after it), `unsubscribed` or
        `abuse-reports` (a single page: Mailchimp does not page it)."""
        op, method, key, fields = _REPORTS[report]
        kwargs: dict[str, Any] = {"fields": [*(f"{key}.{f}" for f in fields), "total_items"]}
        if report != "abuse-reports":
            kwargs.update(count=PAGE_SIZE, offset=offset)
        if since and report == "email-activity":
            kwargs["since"] = since
        page = self.call(op, lambda c: getattr(c.reports, method)(campaign_id, **kwargs)) or {}
        return list(page.get(key) or []), int(page.get("total_items") or 0)


# report -> (operation name in the stats, SDK ReportsApi method, the body's list key, fields read)
_REPORTS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "sent-to": (
        "reports.sent_to",
        "get_campaign_recipients",
        "sent_to",
        ("email_id", "email_address", "status"),
    ),
    "email-activity": (
        "reports.email_activity",
        "get_email_activity_for_campaign",
        "emails",
        ("email_id", "email_address", "activity"),
    ),
    "unsubscribed": (
        "reports.unsubscribed",
        "get_unsubscribed_list_for_campaign",
        "unsubscribes",
        ("email_id", "email_address", "timestamp", "reason"),
    ),
    "abuse-reports": (
        "reports.abuse",
        "get_campaign_abuse_reports",
        "abuse_reports",
        ("email_id", "email_address", "date"),
    ),
}
