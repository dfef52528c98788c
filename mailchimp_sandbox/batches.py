"""`/batches`: asynchronous batch operations and their tar.gz result archive.

A batch moves pending -> started -> finalizing -> finished on a background worker, with the
delays in `SandboxSettings` (`batch_start_delay`, `batch_op_delay`, `batch_finalize_delay`).
Operations run through the same routes as HTTP requests, in a shuffled order when
`batch_out_of_order` is set (Mailchimp does not promise order), and do not hold one of the
key's 10 connections. When finished, `response_body_url` points at an unauthenticated,
signed, expiring URL (`/_sandbox/batch-results/...`) serving a gzipped tar of JSON files,
each an array of `{"status_code", "operation_id", "response": "<JSON string>"}`.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import math
import random
import secrets
import tarfile
import threading
import time
from typing import TYPE_CHECKING, Any

from mailchimp_sandbox import errors, render
from mailchimp_sandbox.routing import (
    Request,
    Result,
    expect_enum,
    expect_type,
    links,
    page,
    require_fields,
    require_object,
    route,
)
from mailchimp_sandbox.rules import now_iso
from mailchimp_sandbox.store import Batch

if TYPE_CHECKING:
    from mailchimp_sandbox.api import MailchimpApi

OP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


# ---------------------------------------------------------------------- result URLs


def results_url(api: MailchimpApi, base_url: str, batch_id: str) -> str:
    expires = math.ceil(time.time() + api.settings.batch_url_ttl)
    origin = base_url.removesuffix("/3.0")
    return (
        f"{origin}/_sandbox/batch-results/{batch_id}.tar.gz"
        f"?expires={expires}&signature={sign(api, batch_id, expires)}"
    )


def sign(api: MailchimpApi, batch_id: str, expires: int) -> str:
    return hmac.new(api.secret, f"{batch_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def check_signature(api: MailchimpApi, batch_id: str, expires: str, signature: str) -> str | None:
    """None if the URL is valid, else the reason (S3 style) it is refused."""
    try:
        expires_at = int(expires)
    except ValueError:
        return "Invalid expires parameter"
    if not hmac.compare_digest(sign(api, batch_id, expires_at), signature):
        return "The request signature we calculated does not match the signature you provided."
    if time.time() > expires_at:
        return "Request has expired"
    return None


def build_archive(batch: Batch, per_file: int) -> bytes:
    """The result archive: JSON files at the root, each an array of operation results."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        chunks = [batch.results[i : i + per_file] for i in range(0, len(batch.results), per_file)]
        for n, chunk in enumerate(chunks or [[]]):
            data = json.dumps(chunk).encode("utf-8")
            info = tarfile.TarInfo(f"{batch.id}-{n:04d}.json")
            info.size = len(data)
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# ---------------------------------------------------------------------- endpoints


def _pending(api: MailchimpApi) -> int:
    return sum(1 for b in api.store.batches.values() if b.status != "finished")


@route("POST", "/batches")
def start_batch(req: Request) -> Result:
    body = require_object(req.body)
    require_fields(body, ["operations"])
    expect_type(body, "operations", (list,), "array")
    for i, op in enumerate(body["operations"]):
        path = f"operations.{i}"
        op = require_object(op, path)
        require_fields(op, ["method", "path"], path)
        expect_enum(op, "method", OP_METHODS, path)
        expect_type(op, "path", (str,), "string", path)
        expect_type(op, "params", (dict,), "object", path)
        expect_type(op, "body", (str,), "string", path)
        expect_type(op, "operation_id", (str,), "string", path)
    with req.store.lock:
        if _pending(req.api) >= req.settings.max_pending_batches:
            raise errors.too_many_requests(errors.TOO_MANY_BATCHES)
        batch = Batch(
            id=secrets.token_hex(5),
            operations=[dict(op) for op in body["operations"]],
            submitted_at=now_iso(),
            base_url=req.base_url,
        )
        req.store.batches[batch.id] = batch
        req.store.touch()
        doc = render.batch(req, batch, "")
    req.api.batch_runner.notify()
    return Result(200, doc)


def _render(req: Request, batch: Batch) -> dict[str, Any]:
    url = results_url(req.api, req.base_url, batch.id) if batch.status == "finished" else ""
    return render.batch(req, batch, url)


@route("GET", "/batches")
def list_batches(req: Request) -> Result:
    with req.store.lock:
        batches = sorted(req.store.batches.values(), key=lambda b: b.submitted_at)
        shown, total = page(batches, req)
        return Result(
            200,
            {
                "batches": [_render(req, b) for b in shown],
                "total_items": total,
                "_links": links(req, "/batches", "/", ("POST",)),
            },
        )


@route("GET", "/batches/{batch_id}")
def get_batch(req: Request) -> Result:
    with req.store.lock:
        batch = req.store.batches.get(req.params["batch_id"])
        if batch is None:
            raise errors.not_found()
        return Result(200, _render(req, batch))


@route("DELETE", "/batches/{batch_id}")
def delete_batch(req: Request) -> Result:
    with req.store.lock:
        if req.store.batches.pop(req.params["batch_id"], None) is None:
            raise errors.not_found()
        req.store.touch()
        return Result(204)


# ---------------------------------------------------------------------- worker


class BatchRunner:
    """Moves batches through their states on a daemon thread."""

    def __init__(self, api: MailchimpApi) -> None:
        self.api = api
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._since: dict[str, float] = {}  # batch id -> monotonic time of its last state change
        self._thread: threading.Thread | None = None
        self._rng = random.Random(api.settings.seed)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="sandbox-batches", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def notify(self) -> None:
        self._wake.set()

    def reset(self) -> None:
        self._since.clear()
        self._rng = random.Random(self.api.settings.seed)

    def _loop(self) -> None:
        while not self._stop.is_set():
            busy = self.tick()
            self._wake.wait(timeout=0.01 if busy else 0.5)
            self._wake.clear()

    def tick(self) -> bool:
        """Advance every unfinished batch as far as its timing allows; True if any is left."""
        store = self.api.store
        with store.lock:
            active = [b.id for b in store.batches.values() if b.status != "finished"]
        for batch_id in active:
            self._advance(batch_id)
        with store.lock:
            return any(b.status != "finished" for b in store.batches.values())

    def _advance(self, batch_id: str) -> None:
        settings = self.api.settings
        store = self.api.store
        now = time.monotonic()
        with store.lock:
            batch = store.batches.get(batch_id)
            if batch is None:
                return
            since = self._since.setdefault(batch_id, now)
            if batch.status == "pending":
                if now - since < settings.batch_start_delay:
                    return
                batch.order = list(range(len(batch.operations)))
                if settings.batch_out_of_order:
                    self._rng.shuffle(batch.order)
                batch.status = "started"
                self._since[batch_id] = since = now
                store.touch()
        if batch.status == "started":
            self._run_due_operations(batch_id, since, now)
        with store.lock:
            batch = store.batches.get(batch_id)
            if batch is None:
                return
            if batch.status == "started" and batch.finished_operations >= len(batch.operations):
                batch.status = "finalizing"
                self._since[batch_id] = now
                store.touch()
            elif batch.status == "finalizing" and now - self._since[batch_id] >= (
                settings.batch_finalize_delay
            ):
                batch.status = "finished"
                batch.completed_at = now_iso()
                store.touch()

    def _run_due_operations(self, batch_id: str, since: float, now: float) -> None:
        settings = self.api.settings
        store = self.api.store
        with store.lock:
            batch = store.batches.get(batch_id)
            if batch is None:
                return
            total = len(batch.operations)
        due = (
            total if settings.batch_op_delay <= 0 else int((now - since) / settings.batch_op_delay)
        )
        while True:
            with store.lock:  # one operation per lock hold, so HTTP requests interleave
                batch = store.batches.get(batch_id)
                if batch is None or batch.finished_operations >= min(due, total):
                    return
                op = batch.operations[batch.order[batch.finished_operations]]
                result = self.api.execute(
                    op["method"],
                    op["path"],
                    {k: str(v) for k, v in (op.get("params") or {}).items()},
                    op.get("body"),
                    batch.base_url,
                )
                batch.results.append(
                    {
                        "status_code": result.status,
                        "operation_id": op.get("operation_id"),
                        "response": json.dumps(result.body) if result.body is not None else "",
                    }
                )
                batch.finished_operations += 1
                if result.status >= 400:
                    batch.errored_operations += 1
                store.touch()
