"""`SandboxServer`: the sandbox as a real HTTP server on loopback, run in-process.

    from mailchimp_sandbox import SandboxServer, sandbox_client
    with SandboxServer() as srv:            # uvicorn on 127.0.0.1, ephemeral port
        client = sandbox_client(srv)        # the official SDK, pointed at srv.url + "/3.0"
        list_id = srv.create_list("Supporters")
        ...
        srv.request_log().count("PUT", "/lists/{list_id}/members/{subscriber_hash}")

uvicorn runs in a daemon thread; state lives in memory behind the store's lock and can be
persisted to a JSON file (loaded at start, saved shortly after each change and at stop).
"""

from __future__ import annotations

import secrets
import socket
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import uvicorn

from mailchimp_sandbox.activity import ActivitySpec, generate
from mailchimp_sandbox.api import MailchimpApi
from mailchimp_sandbox.app import build_asgi
from mailchimp_sandbox.faults import Faults
from mailchimp_sandbox.guard import is_loopback
from mailchimp_sandbox.members import tag_date
from mailchimp_sandbox.requestlog import RequestLog, RequestLogSnapshot
from mailchimp_sandbox.rules import (
    READ_STATUSES,
    coerce_merge_value,
    is_subscriber_hash,
    now_iso,
    parse_timestamp,
    subscriber_hash,
)
from mailchimp_sandbox.settings import SandboxSettings
from mailchimp_sandbox.store import Member, Store, Tag, write_state

SANDBOX_DC = "sandbox"
# A fixed, obviously fake key for demos and docs. Real keys end in a data centre like "us6".
DEMO_API_KEY = "0" * 32 + "-" + SANDBOX_DC


def exposed_warning(host: str, port: int) -> str:
    """The loud notice printed when the sandbox listens beyond this machine."""
    return (
        f"WARNING: the Mailchimp sandbox listens on {host}:{port}, not on loopback. Anyone who "
        "can reach this address can read and change its audiences through /3.0 (with the key) "
        "and /_sandbox (no key). Use --host 127.0.0.1 unless you mean to share it.\n"
    )


def generate_api_key() -> str:
    """A fresh key in Mailchimp's `<32 hex>-<dc>` shape, with the fake data centre `sandbox`."""
    return f"{secrets.token_hex(16)}-{SANDBOX_DC}"


class SandboxServer:
    """A local Mailchimp Marketing API v3 server (see docs/sandbox.md)."""

    def __init__(
        self,
        port: int = 0,
        api_keys: Iterable[str] | None = None,
        persist_path: str | Path | None = None,
        faults: Faults | dict[str, Any] | None = None,
        *,
        host: str = "127.0.0.1",
        settings: SandboxSettings | dict[str, Any] | None = None,
        audiences: Iterable[str | dict[str, Any]] = (),
        save_interval: float = 0.5,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        self.host = host
        # Host names served besides loopback names and IP addresses (see guard.py).
        self.allowed_hosts = tuple(allowed_hosts)
        self.port = port
        self.api_keys: list[str] = list(api_keys) if api_keys else [generate_api_key()]
        for key in self.api_keys:
            if not key:
                raise ValueError("API keys must not be empty")
        self.persist_path = Path(persist_path) if persist_path else None
        self._initial_settings = _as_settings(settings)
        self._initial_faults = _as_faults(faults)
        self.api = MailchimpApi(self._initial_settings, self._initial_faults, Store())
        self.log = RequestLog()
        self.in_flight: dict[str, int] = {}
        self.stall_generation = 0
        self.save_interval = save_interval
        self._audience_specs = [_audience_spec(a) for a in audiences]
        self._uvicorn: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._saver: threading.Thread | None = None
        self._saver_stop = threading.Event()
        self._saved_revision = -1
        if self.persist_path is not None and self.persist_path.exists():
            self.api.store.load(self.persist_path)
            self._saved_revision = self.api.store.revision
        self._create_startup_audiences()

    # ------------------------------------------------------------------ lifecycle
    @property
    def api_key(self) -> str:
        return self.api_keys[0]

    @property
    def url(self) -> str:
        if self._uvicorn is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url + "/3.0"

    def start(self, timeout: float = 10.0) -> SandboxServer:
        """Listen on `host:port` (port 0 = any free port); returns once requests are served."""
        if self._uvicorn is not None:
            return self
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit this: without it, the body written after the headers waits
        # for the client's delayed ACK (~40 ms per request on a kept-alive connection).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise OSError(
                f"cannot listen on {self.host}:{self.port} ({exc.strerror}); "
                "pick another --port, or 0 for any free port"
            ) from None
        self.port = sock.getsockname()[1]
        if not is_loopback(self.host):
            sys.stderr.write(exposed_warning(self.host, self.port))
            sys.stderr.flush()
        config = uvicorn.Config(
            build_asgi(self),
            log_level="warning",
            log_config=None,
            access_log=False,
            http="h11",
            lifespan="off",
            proxy_headers=False,
            server_header=False,
            date_header=True,
            timeout_graceful_shutdown=2,
            timeout_keep_alive=5,
        )
        server = uvicorn.Server(config)
        self._uvicorn = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="sandbox-http", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._uvicorn = None
                sock.close()
                raise RuntimeError("the sandbox HTTP server did not start")
            time.sleep(0.005)
        self.api.batch_runner.start()
        if self.persist_path is not None:
            self._saver_stop.clear()
            self._saver = threading.Thread(target=self._save_loop, name="sandbox-save", daemon=True)
            self._saver.start()
        return self

    def stop(self) -> None:
        """Stop serving (stalled requests are released first), then save if persisting."""
        self.stall_generation += 1
        server, thread = self._uvicorn, self._thread
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(timeout=10)
        self._uvicorn = self._thread = None
        self.api.batch_runner.stop()
        if self._saver is not None:
            self._saver_stop.set()
            self._saver.join(timeout=5)
            self._saver = None
        if self.persist_path is not None:
            self.save()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ persistence
    def save(self) -> None:
        if self.persist_path is None:
            raise RuntimeError("this sandbox has no persist_path")
        with self.api.store.lock:  # a consistent snapshot; the file is written outside the lock
            revision = self.api.store.revision
            data = self.api.store.to_dict()
        write_state(self.persist_path, data)
        self._saved_revision = revision

    def _save_loop(self) -> None:
        while not self._saver_stop.wait(self.save_interval):
            if self.api.store.revision != self._saved_revision:
                self.save()

    # ------------------------------------------------------------------ inspection
    @property
    def settings(self) -> SandboxSettings:
        return self.api.settings

    @property
    def faults(self) -> Faults:
        return self.api.faults.faults

    @property
    def state(self) -> Store:
        """The live store (audiences, members, tags, batches); hold `state.lock` while reading."""
        return self.api.store

    def dump(self) -> dict[str, Any]:
        """All state as JSON-ready data (the same shape as the persistence file)."""
        return self.api.store.to_dict()

    def request_log(self) -> RequestLogSnapshot:
        return self.log.snapshot()

    def clear_request_log(self) -> None:
        self.log.clear()

    def member(self, list_id: str, email_or_hash: str) -> dict[str, Any] | None:
        """A plain view of one member (None if absent or permanently deleted)."""
        with self.api.store.lock:
            audience = self.api.store.lists[list_id]
            key = (
                email_or_hash
                if is_subscriber_hash(email_or_hash)
                else subscriber_hash(email_or_hash)
            )
            m = audience.members.get(key)
            if m is None:
                return None
            by_id = {f.merge_id: f.tag for f in audience.merge_fields.values()}
            return {
                "id": m.hash,
                "email_address": m.email_address,
                "status": m.status,
                "unsubscribe_source": m.unsubscribe_source,
                "status_before_archive": m.status_before_archive,
                "merge_fields": {by_id[k]: v for k, v in m.merge.items() if k in by_id},
                "tags": sorted(t.name for t in audience.member_tags(m.hash)),
                "last_changed": m.last_changed,
            }

    def is_forgotten(self, list_id: str, email: str) -> bool:
        with self.api.store.lock:
            return subscriber_hash(email) in self.api.store.lists[list_id].forgotten

    # ------------------------------------------------------------------ control
    def reset(self) -> None:
        """Back to the start-up state: no data but the start-up audiences, initial settings and
        faults, empty request log; stalled requests are released."""
        self.stall_generation += 1
        self.api.store.clear()
        self.api.settings = self._initial_settings
        self.api.faults.configure(self._initial_faults)
        self.api.batch_runner.reset()
        self.log.clear()
        self._create_startup_audiences()

    def set_faults(self, faults: Faults | dict[str, Any] | None) -> None:
        self.api.faults.configure(_as_faults(faults))

    def update_settings(self, **changes: Any) -> SandboxSettings:
        for key in ("fake_domains", "fake_local_parts", "role_local_parts"):
            if key in changes:
                changes[key] = tuple(changes[key])
        self.api.settings = self.api.settings.updated(**changes)
        return self.api.settings

    def create_list(
        self, name: str, *, list_id: str | None = None, double_optin: bool = False, **extra: Any
    ) -> str:
        """Create an audience directly (no validation of the usual required fields)."""
        audience = self.api.store.create_audience(
            name, list_id=list_id, double_optin=double_optin, **extra
        )
        return audience.id

    def campaign_activity(self, campaign_id: str, **spec: Any) -> dict[str, Any]:
        """Generate a sent campaign's activity from a seed and rates (`ActivitySpec`); returns
        the counts. KeyError: no such campaign; ValueError: not sent, or a bad spec."""
        if "urls" in spec:
            spec["urls"] = tuple(spec["urls"])
        with self.api.store.lock:
            return generate(self.api.store, campaign_id, ActivitySpec(**spec))

    def add_member(
        self,
        list_id: str,
        email_address: str,
        status: str = "subscribed",
        *,
        unsubscribe_source: str | None = None,
        merge_fields: dict[str, Any] | None = None,
        tags: Iterable[str] = (),
        last_changed: str | None = None,
        timestamp_opt: str | None = None,
        vip: bool = False,
        language: str = "",
    ) -> dict[str, Any]:
        """Put a member in place as a person or Mailchimp itself would, bypassing API rules
        (compliance, tombstones, fake-address checks): hand-set tags and merge fields,
        self-unsubscribed or cleaned members. Existing members are overwritten."""
        if status not in READ_STATUSES:
            raise ValueError(f"status must be one of {', '.join(READ_STATUSES)}, not {status!r}")
        if "@" not in email_address:
            raise ValueError("email_address must be an email address")
        source = unsubscribe_source or ("self" if status == "unsubscribed" else "")
        if source not in ("", "self", "admin", "api"):
            raise ValueError("unsubscribe_source must be self, admin or api")
        for name, value in (("last_changed", last_changed), ("timestamp_opt", timestamp_opt)):
            if value is not None and parse_timestamp(value) is None:
                raise ValueError(f"{name} must be an ISO 8601 date-time, not {value!r}")
        store = self.api.store
        with store.lock:
            audience = store.lists.get(list_id)
            if audience is None:
                raise KeyError(list_id)
            by_tag = {f.tag: f for f in audience.merge_fields.values()}
            values: dict[int, Any] = {}
            for tag, value in (merge_fields or {}).items():
                mf = by_tag.get(tag)
                if mf is None:
                    raise ValueError(
                        f"audience {list_id} has no merge field {tag!r}; create it first "
                        f"(known: {', '.join(sorted(by_tag))})"
                    )
                stored, message = coerce_merge_value(mf.rule(), value)
                if message:
                    raise ValueError(f"merge field {tag}: {message}")
                if stored != "":
                    values[mf.merge_id] = stored
            h = subscriber_hash(email_address)
            audience.forgotten.discard(h)
            now = now_iso()
            old = audience.members.get(h)
            m = Member(
                hash=h,
                email_address=email_address.strip(),
                status=status,
                unique_email_id=old.unique_email_id if old else secrets.token_hex(5),
                contact_id=old.contact_id if old else secrets.token_hex(16),
                web_id=old.web_id if old else store.new_web_id(),
                last_changed=last_changed or now,
                unsubscribe_source=source if status == "unsubscribed" else "",
                status_before_archive="subscribed" if status == "archived" else "",
                merge=values,
                vip=vip,
                language=language,
                timestamp_opt=timestamp_opt or (now if status == "subscribed" else ""),
                source="Admin Add",
            )
            if old is not None:
                audience.drop_member(h)
            audience.put_member(m)
            for tag in audience.member_tags(h):
                del tag.members[h]
            for name in tags:
                tag = audience.tag_by_name(name.strip())
                if tag is None:
                    tag = Tag(
                        id=store.new_tag_id(), name=name.strip(), created_at=now, updated_at=now
                    )
                    audience.tags[tag.id] = tag
                tag.members[h] = tag_date()
            store.touch()
        return self.member(list_id, h) or {}

    # ------------------------------------------------------------------ internals
    def _create_startup_audiences(self) -> None:
        store = self.api.store
        with store.lock:
            names = {a.name for a in store.lists.values()}
            for spec in self._audience_specs:
                if spec["name"] in names or (spec.get("list_id") in store.lists):
                    continue
                audience = store.create_audience(**spec)
                spec["list_id"] = audience.id  # same id after a reset

    def audience_id(self, name: str) -> str:
        """The id of the audience with this name (e.g. one created at start-up)."""
        with self.api.store.lock:
            for a in self.api.store.lists.values():
                if a.name == name:
                    return a.id
        raise KeyError(f"no audience named {name!r}")


def _as_settings(settings: SandboxSettings | dict[str, Any] | None) -> SandboxSettings:
    if isinstance(settings, SandboxSettings):
        return settings
    return SandboxSettings().updated(**(settings or {}))


def _as_faults(faults: Faults | dict[str, Any] | None) -> Faults:
    if isinstance(faults, Faults):
        return faults
    return Faults.from_dict(faults)


def _audience_spec(spec: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(spec, str):
        return {"name": spec}
    if "name" not in spec:
        raise ValueError(f"an audience needs a name: {spec!r}")
    allowed = {"name", "list_id", "double_optin"}
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise ValueError(f"unknown audience option(s) {', '.join(unknown)}; use {sorted(allowed)}")
    return dict(spec)
