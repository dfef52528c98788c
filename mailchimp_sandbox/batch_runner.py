"""The `/batches` worker and its signed result downloads.

`BatchRunner` moves each batch pending -> started -> finalizing -> finished on a daemon
thread, with the delays in `SandboxSettings`, running every operation through the API's one
`execute` (the same routes as HTTP requests, so it knows nothing about them). Finished
batches are served as a gzipped tar of JSON files (`build_archive`) at an unauthenticated,
HMAC-signed, expiring URL (`results_url`, `check_signature`).
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
from collections.abc import Callable
from typing import Any, Protocol

from mailchimp_sandbox.rules import now_iso
from mailchimp_sandbox.settings import SandboxSettings
from mailchimp_sandbox.store import Batch, Store


class Outcome(Protocol):
    """What one API call returns (`routing.Result`): a status and a JSON body."""

    status: int
    body: Any


# method, path (under /3.0), query, body text, base URL -> the call's outcome
Execute = Callable[[str, str, dict[str, str], str | bytes | None, str], Outcome]


# ---------------------------------------------------------------------- result URLs


def results_url(secret: bytes, ttl: float, base_url: str, batch_id: str) -> str:
    expires = math.ceil(time.time() + ttl)
    origin = base_url.removesuffix("/3.0")
    return (
        f"{origin}/_sandbox/batch-results/{batch_id}.tar.gz"
        f"?expires={expires}&signature={sign(secret, batch_id, expires)}"
    )


def sign(secret: bytes, batch_id: str, expires: int) -> str:
    return hmac.new(secret, f"{batch_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def check_signature(secret: bytes, batch_id: str, expires: str, signature: str) -> str | None:
    """None if the URL is valid, else the reason (S3 style) it is refused."""
    try:
        expires_at = int(expires)
    except ValueError:
        return "Invalid expires parameter"
    if not hmac.compare_digest(sign(secret, batch_id, expires_at), signature):
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


# ---------------------------------------------------------------------- worker


class BatchRunner:
    """Moves batches through their states on a daemon thread."""

    def __init__(
        self, execute: Execute, store: Store, settings: Callable[[], SandboxSettings]
    ) -> None:
        self.execute = execute
        self.store = store
        self.settings = settings  # read at each step: the settings can change while running
        self.secret = secrets.token_bytes(32)  # signs the result URLs
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._since: dict[str, float] = {}  # batch id -> monotonic time of its last state change
        self._thread: threading.Thread | None = None
        self._rng = random.Random(settings().seed)

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

    def results_url(self, base_url: str, batch_id: str) -> str:
        """The signed, expiring download URL of a finished batch's results."""
        return results_url(self.secret, self.settings().batch_url_ttl, base_url, batch_id)

    def check_signature(self, batch_id: str, expires: str, signature: str) -> str | None:
        """None if a result URL is valid, else the reason (S3 style) it is refused."""
        return check_signature(self.secret, batch_id, expires, signature)

    def notify(self) -> None:
        self._wake.set()

    def reset(self) -> None:
        self._since.clear()
        self._rng = random.Random(self.settings().seed)

    def _loop(self) -> None:
        while not self._stop.is_set():
            busy = self.tick()
            self._wake.wait(timeout=0.01 if busy else 0.5)
            self._wake.clear()

    def tick(self) -> bool:
        """Advance every unfinished batch as far as its timing allows; True if any is left."""
        store = self.store
        with store.lock:
            active = [b.id for b in store.batches.values() if b.status != "finished"]
        for batch_id in active:
            self._advance(batch_id)
        with store.lock:
            return any(b.status != "finished" for b in store.batches.values())

    def _advance(self, batch_id: str) -> None:
        settings = self.settings()
        store = self.store
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
        settings = self.settings()
        store = self.store
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
                result = self.execute(
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
