"""The Mailchimp API core: one `execute(method, path, query, body)` for HTTP and batch ops.

Owns the store, the settings, the fault engine and the batch worker; knows nothing about
HTTP (auth, concurrency, wire faults and the request log live in `mailchimp_sandbox.app`).
It matches the route (404/405 with `Allow`), parses the JSON body (`JSON Parse Exception`),
runs the handler, renders `ApiError`s as problem documents and applies `fields` /
`exclude_fields` to what it returns (the filtering itself is `mailchimp_sandbox.partial`).
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
    partial,
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
        fields = partial.csv_paths(query.get("fields"))
        exclude = partial.csv_paths(query.get("exclude_fields"))
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
            result.body = partial.apply(
                result.body,
                f"{method} {route.template}",
                fields,
                exclude,
                self.settings.fields_outside_schema,
            )
        return result
