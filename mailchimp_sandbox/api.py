"""The Mailchimp API core: one `execute(method, path, query, body)` for HTTP and batch ops.

Owns the store, the settings, the fault engine and the batch worker; knows nothing about
HTTP (auth, concurrency, wire faults and the request log live in `mailchimp_sandbox.app`).
It matches the route (404/405 with `Allow`), parses the JSON body (`JSON Parse Exception`),
runs the handler, renders `ApiError`s as problem documents and applies `fields` /
`exclude_fields` to what it returns.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from mailchimp_sandbox import (
    batches,
    campaigns,
    errors,
    lists,
    members,
    merge_fields,
    reports,
    segments,
)
from mailchimp_sandbox.batch_runner import BatchRunner
from mailchimp_sandbox.faults import FaultEngine, Faults
from mailchimp_sandbox.routing import Endpoint, Request, Result, Router
from mailchimp_sandbox.settings import SandboxSettings
from mailchimp_sandbox.store import Store

BODY_METHODS = ("POST", "PUT", "PATCH")
# Every endpoint of the API, table by table (the order is the order paths are matched in).
ROUTES: list[Endpoint] = [
    *batches.ROUTES,
    *members.ROUTES,
    *lists.ROUTES,
    *merge_fields.ROUTES,
    *segments.ROUTES,
    *campaigns.ROUTES,
    *reports.ROUTES,
]
log = logging.getLogger("mailchimp_sandbox")


class MailchimpApi:
    def __init__(
        self,
        settings: SandboxSettings | None = None,
        faults: Faults | None = None,
        store: Store | None = None,
    ) -> None:
        self.store = store or Store()
        self.settings = settings or SandboxSettings()
        self.faults = FaultEngine(faults)
        self.router = Router(ROUTES)
        self.batch_runner = BatchRunner(self.execute, self.store, lambda: self.settings)

    def execute(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body_text: str | bytes | None,
        base_url: str,
        request_id: str | None = None,
        trigger_error: str | None = None,
    ) -> Result:
        """Run one API call; never raises for API-level errors (they become problem docs)."""
        request_id = request_id or str(uuid.uuid4())
        try:
            return self._execute(method, path, query, body_text, base_url, trigger_error)
        except errors.ApiError as exc:
            return Result(exc.status, exc.document(request_id), dict(exc.headers))
        except Exception:  # a sandbox bug: loud in the log, a plain 500 on the wire
            log.exception(
                "sandbox bug in %s %s (request %s)",
                method,
                self.router.template_for(path),
                request_id,
            )
            err = errors.internal_error()
            return Result(err.status, err.document(request_id))

    def _execute(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body_text: str | bytes | None,
        base_url: str,
        trigger_error: str | None,
    ) -> Result:
        if trigger_error:
            factory = errors.TRIGGERED.get(trigger_error)
            if factory is None:
                raise errors.bad_request(
                    f"Unknown X-Trigger-Error value {trigger_error!r}; known: "
                    f"{', '.join(sorted(errors.TRIGGERED))}."
                )
            raise factory()
        found = self.router.match(path if path.startswith("/") else "/" + path)
        if found is None:
            raise errors.not_found()
        route, params = found
        handler = route.handlers.get(method)
        if handler is None:
            raise errors.method_not_allowed(sorted(route.handlers))
        body: Any = None
        if method in BODY_METHODS and body_text:
            try:
                body = json.loads(body_text)
            except (ValueError, UnicodeDecodeError):
                raise errors.json_parse() from None
        fields = _csv(query.get("fields"))
        exclude = _csv(query.get("exclude_fields"))
        if fields and exclude:
            raise errors.bad_request("Use either fields or exclude_fields, not both.")
        req = Request(
            method,
            path,
            route.template,
            params,
            query,
            body,
            base_url,
            store=self.store,
            settings=self.settings,
            faults=self.faults,
            batches=self.batch_runner,
        )
        result = handler(req)
        if result.body is not None and (fields or exclude) and result.status < 300:
            result.body = filter_fields(result.body, fields, exclude)
        return result


def _csv(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def _tree(paths: list[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for part in path.split("."):
            node = node.setdefault(part, {})
    return tree


# Keys a resource only carries in some states; asking for them is never an error.
OPTIONAL_KEYS = {
    "interests",
    "marketing_permissions",
    "unsubscribe_reason",
    "total_contacts",
    "report_summary",  # sent campaigns only
    "segment_opts",  # campaigns sent to a segment only
    "url",  # click activity only
    "type",  # bounce activity only
}


def _check_paths(doc: Any, tree: dict[str, Any]) -> None:
    """A requested path must exist somewhere in the data it applies to (if there is data)."""
    items = doc if isinstance(doc, list) else [doc]
    dicts = [d for d in items if isinstance(d, dict)]
    if not dicts:
        return
    for key, sub in tree.items():
        having = [d[key] for d in dicts if key in d]
        if not having:
            if key in OPTIONAL_KEYS:
                continue
            raise errors.fields_invalid()
        if sub:
            flat: list[Any] = []
            for value in having:
                flat.extend(value if isinstance(value, list) else [value])
            _check_paths(flat, sub)


def _keep(doc: Any, tree: dict[str, Any]) -> Any:
    if isinstance(doc, list):
        return [_keep(item, tree) for item in doc]
    if not isinstance(doc, dict):
        return doc
    return {k: (_keep(doc[k], sub) if sub else doc[k]) for k, sub in tree.items() if k in doc}


def _drop(doc: Any, tree: dict[str, Any]) -> Any:
    if isinstance(doc, list):
        return [_drop(item, tree) for item in doc]
    if not isinstance(doc, dict):
        return doc
    out = {}
    for k, v in doc.items():
        if k not in tree:
            out[k] = v
        elif tree[k]:
            out[k] = _drop(v, tree[k])
    return out


def filter_fields(doc: Any, fields: list[str], exclude: list[str]) -> Any:
    """Mailchimp's partial responses: dot paths relative to the response (the envelope)."""
    tree = _tree(fields or exclude)
    _check_paths(doc, tree)
    return _keep(doc, tree) if fields else _drop(doc, tree)
