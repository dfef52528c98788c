"""The HTTP layer: the /3.0 gateway (ASGI) in front of a FastAPI app for `/_sandbox` controls.

`/3.0/...` requests go through `ApiGateway`, which does what sits in front of Mailchimp's API:
method override, Basic/Bearer auth (401 for unknown keys), the per-key limit on simultaneous
requests (429), the request body limit (413), fault and latency injection (including dropping
the connection, which needs the raw ASGI `send` of the server, hence a gateway outermost rather
than a route), the request log, and the `X-Request-Id` / problem+json conventions. The API
itself is `MailchimpApi.execute`, shared with `/batches`.

Everything else is a FastAPI app: `/_sandbox/...` control and inspection endpoints (no auth;
the server listens on loopback) and the signed batch-result downloads. Before either, every
request passes `mailchimp_sandbox.guard`: a foreign `Host` (DNS rebinding) gets 403, a
state-changing control request that is not JSON gets 415.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl

from fastapi import Body, FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from mailchimp_sandbox import errors
from mailchimp_sandbox.api import MailchimpApi
from mailchimp_sandbox.batch_runner import build_archive
from mailchimp_sandbox.faults import Faults
from mailchimp_sandbox.guard import control_refusal, host_allowed
from mailchimp_sandbox.requestlog import (
    LoggedRequest,
    RequestLog,
    RequestLogSnapshot,
    key_fingerprint,
    redact,
    redact_text,
)
from mailchimp_sandbox.routing import Result
from mailchimp_sandbox.settings import SandboxSettings

JSON_TYPE = b"application/json; charset=utf-8"
PROBLEM_TYPE = b"application/problem+json; charset=utf-8"
PROBLEM_LINK = (
    "<https://api.mailchimp.com/schema/3.0/Definitions/ProblemDetailDocument.json>; "
    'rel="describedBy"'
)


class SandboxHost(Protocol):
    """What the HTTP layer needs of the server that runs it (`SandboxServer` is one)."""

    api: MailchimpApi
    api_keys: list[str]
    log: RequestLog
    in_flight: dict[str, int]
    stall_generation: int
    host: str
    port: int
    allowed_hosts: tuple[str, ...]
    persist_path: Path | None

    @property
    def settings(self) -> SandboxSettings: ...
    @property
    def faults(self) -> Faults: ...
    def dump(self) -> dict[str, Any]: ...
    def save(self) -> None: ...
    def reset(self) -> None: ...
    def set_faults(self, faults: Faults | dict[str, Any] | None) -> None: ...
    def update_settings(self, **changes: Any) -> SandboxSettings: ...
    def request_log(self) -> RequestLogSnapshot: ...
    def clear_request_log(self) -> None: ...
    def create_list(
        self, name: str, *, list_id: str | None = None, double_optin: bool = False, **extra: Any
    ) -> str: ...
    def add_member(self, list_id: str, email_address: str, **spec: Any) -> dict[str, Any]: ...
    def campaign_activity(self, campaign_id: str, **spec: Any) -> dict[str, Any]: ...


class ApiGateway:
    """ASGI callable: /3.0 requests are answered here, everything else goes to `inner`."""

    def __init__(self, server: SandboxHost, inner: Any) -> None:
        self.server = server
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            refusal = self._refusal(scope)
            if refusal is not None:
                await refusal.send(send, str(uuid.uuid4()))
                return
        if scope["type"] != "http" or not (
            scope["path"] == "/3.0" or scope["path"].startswith("/3.0/")
        ):
            await self.inner(scope, receive, send)
            return
        await self._api(scope, receive, send)

    def _refusal(self, scope: dict[str, Any]) -> Reply | None:
        """A 403 for a foreign Host (DNS rebinding), a 415 for a non-JSON control change."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host")
        if not host_allowed(host, self.server.host, self.server.allowed_hosts):
            detail = (
                f"Host {host!r} is not served: the sandbox answers loopback names and IP "
                "addresses only (pass allowed_hosts to SandboxServer for another name)"
            )
            return Reply.detail(403, detail)
        reason = control_refusal(scope["method"], scope["path"], headers.get("content-type"))
        return Reply.detail(415, reason) if reason is not None else None

    async def _api(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        srv = self.server
        # Wall clock first, then the monotonic start: a pause between the two can only shorten
        # the logged span (at + duration), never push its end past the moment the answer left,
        # so spans in the log never overlap a request the client sent after this one's answer.
        at = time.time()
        started = time.monotonic()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope["path"][len("/3.0") :] or "/"
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        entry = LoggedRequest(
            seq=srv.log.next_seq(),
            at=at,
            request_id=str(uuid.uuid4()),
            method=scope["method"].upper(),
            endpoint="",
            path=redact_text(path),
            query={k: redact_text(v) for k, v in query.items()},
            status=None,
            duration_ms=0.0,
            fault=None,
            key="",
        )
        held: list[str] = []  # the key whose in-flight slot this request holds
        reply: Reply | None = None
        try:
            reply = await self._handle(entry, scope, receive, headers, path, query, held)
        finally:
            # Bookkeeping BEFORE the answer goes out: a client that reads the log or sends
            # its next request right after the response must see this one finished.
            for key in held:
                srv.in_flight[key] -= 1
            entry.status = reply.status if reply is not None else None
            entry.duration_ms = round((time.monotonic() - started) * 1000, 3)
            srv.log.record(entry)
        await reply.send(send, entry.request_id)

    async def _handle(
        self,
        entry: LoggedRequest,
        scope: dict[str, Any],
        receive: Any,
        headers: dict[str, str],
        path: str,
        query: dict[str, str],
        held: list[str],
    ) -> Reply:
        srv = self.server
        method = entry.method
        override = headers.get("x-http-method-override")
        if override:
            if method != "POST":
                return Reply.problem(errors.invalid_method_override(), entry.request_id)
            method = entry.method = override.upper()
        entry.endpoint = srv.api.router.template_for(path)
        key = _api_key(headers)
        if key is None:
            return Reply.problem(errors.api_key_missing(), entry.request_id)
        if key not in srv.api_keys:
            return Reply.problem(errors.api_key_invalid(), entry.request_id)
        entry.key = key_fingerprint(key)
        srv.in_flight[key] = srv.in_flight.get(key, 0) + 1
        held.append(key)
        if srv.in_flight[key] > srv.api.settings.max_in_flight_per_key:
            entry.fault = "concurrency"
            return Reply.problem(errors.too_many_requests(), entry.request_id)
        body = await self._read_body(receive, headers)  # the request has arrived in full
        if isinstance(body, errors.ApiError):
            return Reply.problem(body, entry.request_id)
        entry.body = _redacted_body(body)
        decision = srv.api.faults.decide(method, entry.endpoint)
        entry.fault = decision.kind
        if decision.latency:
            await asyncio.sleep(decision.latency)
        if decision.kind == "stall":
            await self._stall(srv.api.faults.faults.stall_seconds)
        elif decision.kind == "drop":
            return Reply(None)
        elif decision.kind in INJECTED:
            return INJECTED[decision.kind](entry.request_id)
        host = headers.get("host") or f"{srv.host}:{srv.port}"
        # In a worker thread: a handler waiting for the store's lock (held by the batch worker
        # or a long batch subscribe) must not stall the event loop, so requests that arrive
        # meanwhile are still counted in flight and refused beyond the per-key limit.
        result = await run_in_threadpool(
            srv.api.execute,
            method,
            path,
            query,
            body,
            f"{scope.get('scheme', 'http')}://{host}/3.0",
            request_id=entry.request_id,
            trigger_error=headers.get("x-trigger-error"),
        )
        if decision.kind == "drop_after":
            return Reply(None)
        return Reply(result.status, result=result)

    async def _read_body(self, receive: Any, headers: dict[str, str]) -> bytes | errors.ApiError:
        limit = self.server.api.settings.max_body_bytes
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            return errors.payload_too_large(limit)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return errors.payload_too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _stall(self, seconds: float) -> None:
        """Hang, but let the server end it (stop/reset), so no test waits for the full stall."""
        generation = self.server.stall_generation
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.server.stall_generation == generation:
            await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))


@dataclass
class Reply:
    """What goes back on the wire: a result, a bare (body-less or HTML) answer, or nothing
    at all (`status` None: the connection is dropped)."""

    status: int | None
    result: Result | None = None
    content_type: bytes | None = None
    raw: bytes = b""

    @classmethod
    def detail(cls, status: int, detail: str) -> Reply:
        """A refusal before any routing, as FastAPI words its own errors."""
        body = json.dumps({"detail": detail}).encode("utf-8")
        return cls(status, content_type=JSON_TYPE, raw=body)

    @classmethod
    def problem(cls, err: errors.ApiError, request_id: str) -> Reply:
        return cls(err.status, Result(err.status, err.document(request_id), dict(err.headers)))

    async def send(self, send: Any, request_id: str) -> None:
        if self.status is None:
            await _drop_connection(send)
        elif self.result is not None:
            await _send_result(send, self.result, request_id)
        else:
            headers = [(b"x-request-id", request_id.encode())]
            if self.content_type:
                headers.append((b"content-type", self.content_type))
            headers.append((b"content-length", str(len(self.raw)).encode()))
            await send({"type": "http.response.start", "status": self.status, "headers": headers})
            await send({"type": "http.response.body", "body": self.raw})


INJECTED: dict[str, Callable[[str], Reply]] = {
    "429": lambda rid: Reply.problem(errors.too_many_requests(), rid),
    "429_empty": lambda rid: Reply(429),
    "403_empty": lambda rid: Reply(403),
    "500": lambda rid: Reply.problem(errors.internal_error(), rid),
    "500_bare": lambda rid: Reply(500),
    "502_html": lambda rid: Reply(502, content_type=b"text/html", raw=errors.HTML_502.encode()),
}


def _api_key(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "").strip()
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        _, sep, password = decoded.partition(":")
        return password if sep and password else ""
    return None


def _redacted_body(body: bytes) -> Any:
    if not body:
        return None
    try:
        return redact(json.loads(body))
    except (ValueError, UnicodeDecodeError):
        return "<unparseable body>"


async def _send_result(send: Any, result: Result, request_id: str) -> None:
    is_error = result.status >= 400
    headers = [
        (b"content-type", PROBLEM_TYPE if is_error else JSON_TYPE),
        (b"x-request-id", request_id.encode()),
        (b"server", b"engage-sandbox"),
    ]
    if is_error:
        headers.append((b"link", PROBLEM_LINK.encode()))
    for name, value in result.headers.items():
        headers.append((name.lower().encode(), value.encode()))
    payload = b"" if result.body is None else json.dumps(result.body).encode("utf-8")
    headers.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": result.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _drop_connection(send: Any) -> None:
    """Close the TCP connection without an HTTP answer (uvicorn's h11 transport, aborted)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:  # not uvicorn's raw send: break the response mid-way instead
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]}
        )
        raise ConnectionAbortedError("sandbox fault: connection dropped")
    transport.abort()
    for _ in range(20):  # let uvicorn notice, so it does not try to answer
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0.005)


# ---------------------------------------------------------------------- control endpoints


class ListSpec(BaseModel):
    name: str
    id: str | None = Field(default=None, description="Fixed list id (10 hex) or generated.")
    double_optin: bool = False


class MemberSpec(BaseModel):
    email_address: str
    status: str = "subscribed"
    unsubscribe_source: str | None = Field(
        default=None, description="self | admin | api, for unsubscribed members (default self)."
    )
    merge_fields: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    last_changed: str | None = None
    timestamp_opt: str | None = None
    vip: bool = False
    language: str = ""


class ActivityRequest(BaseModel):
    """Rates of generated campaign activity (see `mailchimp_sandbox.activity`)."""

    seed: int = 0
    open_rate: float = 0.4
    machine_open_rate: float = Field(default=0.15, description="opens 1-10 s after the send")
    click_rate: float = Field(default=0.3, description="share of human openers who click")
    bounce_rate: float = 0.02
    hard_bounce_share: float = 0.5
    unsubscribe_rate: float = 0.01
    abuse_rate: float = 0.002
    urls: list[str] = Field(
        default_factory=lambda: ["https://engage.invalid/act", "https://engage.invalid/read-more"]
    )
    window_hours: float = 48.0
    offset_hours: float = 0.0
    send_time: str | None = Field(default=None, description="backdate the send (ISO 8601)")
    replace: bool = True


def build_control_app(srv: SandboxHost) -> FastAPI:
    app = FastAPI(
        title="engage Mailchimp sandbox: controls",
        description="Inspection and set-up endpoints of the local Mailchimp sandbox. The "
        "Mailchimp API itself is served under /3.0.",
        docs_url="/_sandbox/docs",
        openapi_url="/_sandbox/openapi.json",
        redoc_url=None,
    )

    def bad(exc: ValueError) -> HTTPException:
        return HTTPException(status_code=400, detail=str(exc))

    @app.get("/_sandbox/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "lists": len(srv.api.store.lists)}

    @app.get("/_sandbox/state")
    def state() -> dict[str, Any]:
        return srv.dump()

    @app.post("/_sandbox/reset")
    def reset() -> dict[str, Any]:
        srv.reset()
        return {"reset": True}

    @app.post("/_sandbox/save")
    def save() -> dict[str, Any]:
        if srv.persist_path is None:
            raise HTTPException(status_code=400, detail="the sandbox was started without a file")
        srv.save()
        return {"saved": True}

    @app.get("/_sandbox/faults")
    def get_faults() -> dict[str, Any]:
        return srv.faults.to_dict()

    @app.put("/_sandbox/faults")
    def put_faults(faults: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        try:
            srv.set_faults(faults)
        except (TypeError, ValueError) as exc:
            raise bad(ValueError(str(exc))) from None
        return srv.faults.to_dict()

    @app.delete("/_sandbox/faults")
    def clear_faults() -> dict[str, Any]:
        srv.set_faults(None)
        return srv.faults.to_dict()

    @app.get("/_sandbox/settings")
    def get_settings() -> dict[str, Any]:
        return srv.settings.to_dict()

    @app.patch("/_sandbox/settings")
    def patch_settings(changes: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        try:
            srv.update_settings(**changes)
        except (TypeError, ValueError) as exc:
            raise bad(ValueError(str(exc))) from None
        return srv.settings.to_dict()

    @app.get("/_sandbox/requests")
    def requests_log(endpoint: str | None = None, method: str | None = None) -> dict[str, Any]:
        snap = srv.request_log()
        if endpoint or method:
            snap.entries = [
                e
                for e in snap.entries
                if (endpoint is None or e.endpoint == endpoint)
                and (method is None or e.method == method.upper())
            ]
        return snap.to_dict()

    @app.delete("/_sandbox/requests")
    def clear_requests() -> dict[str, Any]:
        srv.clear_request_log()
        return {"cleared": True}

    @app.post("/_sandbox/lists")
    def create_list(spec: ListSpec) -> dict[str, Any]:
        try:
            list_id = srv.create_list(spec.name, list_id=spec.id, double_optin=spec.double_optin)
        except ValueError as exc:
            raise bad(exc) from None
        return {"id": list_id, "name": spec.name, "double_optin": spec.double_optin}

    @app.post("/_sandbox/lists/{list_id}/members")
    def add_member(list_id: str, spec: MemberSpec) -> dict[str, Any]:
        try:
            return srv.add_member(list_id, **spec.model_dump())
        except KeyError:
            raise HTTPException(status_code=404, detail=f"no list {list_id!r}") from None
        except ValueError as exc:
            raise bad(exc) from None

    @app.post("/_sandbox/campaigns/{campaign_id}/activity")
    def campaign_activity(campaign_id: str, spec: ActivityRequest | None = None) -> dict[str, Any]:
        try:
            return srv.campaign_activity(campaign_id, **(spec or ActivityRequest()).model_dump())
        except KeyError:
            raise HTTPException(status_code=404, detail=f"no campaign {campaign_id!r}") from None
        except ValueError as exc:
            raise bad(exc) from None

    @app.get("/_sandbox/batch-results/{batch_id}.tar.gz")
    def batch_results(
        batch_id: str,
        expires: str = Query(""),
        signature: str = Query(""),  # noqa: B008
    ) -> Response:
        refusal = srv.api.batch_runner.check_signature(batch_id, expires, signature)
        with srv.api.store.lock:
            batch = srv.api.store.batches.get(batch_id)
            if refusal is None and (batch is None or batch.status != "finished"):
                refusal = "The specified key does not exist."
            if refusal is not None:
                xml = f"<Error><Code>AccessDenied</Code><Message>{refusal}</Message></Error>"
                return Response(xml, status_code=403, media_type="application/xml")
            data = build_archive(batch, srv.settings.batch_results_per_file)
        return Response(data, media_type="application/x-gzip")

    @app.exception_handler(ValueError)
    async def value_error(_request: Any, exc: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    return app


def build_asgi(srv: SandboxHost) -> ApiGateway:
    return ApiGateway(srv, build_control_app(srv))
