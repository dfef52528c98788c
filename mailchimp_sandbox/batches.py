"""`/batches`: asynchronous batch operations and their tar.gz result archive.

A batch moves pending -> started -> finalizing -> finished on a background worker, with the
delays in `SandboxSettings` (`batch_start_delay`, `batch_op_delay`, `batch_finalize_delay`).
Operations run through the same routes as HTTP requests, in a shuffled order when
`batch_out_of_order` is set (Mailchimp does not promise order), and do not hold one of the
key's 10 connections. When finished, `response_body_url` points at an unauthenticated,
signed, expiring URL (`/_sandbox/batch-results/...`) serving a gzipped tar of JSON files,
each an array of `{"status_code", "operation_id", "response": "<JSON string>"}`.

This module holds the endpoints; the worker and the signed result URLs are in
`mailchimp_sandbox.batch_runner`.
"""

from __future__ import annotations

import secrets
from typing import Any

from mailchimp_sandbox import errors, render
from mailchimp_sandbox.routing import (
    Endpoint,
    Request,
    Result,
    expect_enum,
    expect_type,
    links,
    page,
    require_fields,
    require_object,
)
from mailchimp_sandbox.rules import now_iso
from mailchimp_sandbox.store import Batch, Store

OP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


# ---------------------------------------------------------------------- endpoints


def _pending(store: Store) -> int:
    return sum(1 for b in store.batches.values() if b.status != "finished")


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
        if _pending(req.store) >= req.settings.max_pending_batches:
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
    req.batches.notify()
    return Result(200, doc)


def _render(req: Request, batch: Batch) -> dict[str, Any]:
    url = req.batches.results_url(req.base_url, batch.id) if batch.status == "finished" else ""
    return render.batch(req, batch, url)


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


def get_batch(req: Request) -> Result:
    with req.store.lock:
        batch = req.store.batches.get(req.params["batch_id"])
        if batch is None:
            raise errors.not_found()
        return Result(200, _render(req, batch))


def delete_batch(req: Request) -> Result:
    with req.store.lock:
        if req.store.batches.pop(req.params["batch_id"], None) is None:
            raise errors.not_found()
        req.store.touch()
        return Result(204)


ROUTES: list[Endpoint] = [
    Endpoint("POST", "/batches", start_batch),
    Endpoint("GET", "/batches", list_batches),
    Endpoint("GET", "/batches/{batch_id}", get_batch),
    Endpoint("DELETE", "/batches/{batch_id}", delete_batch),
]
