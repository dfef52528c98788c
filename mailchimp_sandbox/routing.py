"""Routes of the Mailchimp API under /3.0: templates, matching, request/result types, paging.

Each handler module lists its endpoints in a module-level `ROUTES` table of
`Endpoint("GET", "/lists/{list_id}/members", handler)` (templates are written the way
Mailchimp's docs and the SDK write them); `mailchimp_sandbox.api` assembles the tables into one
`Router`. Nothing registers itself on import. The same router serves HTTP requests and the
operations inside a `/batches` job, and names the endpoint in the request log.

A handler gets a `Request`: the call (method, path, parameters, body) and the few things it
may use - the store, the current settings, the fault engine (per-member errors) and the batch
worker - never the API object itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mailchimp_sandbox import errors
from mailchimp_sandbox.batch_runner import BatchRunner
from mailchimp_sandbox.faults import FaultEngine
from mailchimp_sandbox.rules import parse_timestamp
from mailchimp_sandbox.settings import SandboxSettings
from mailchimp_sandbox.store import Store


@dataclass
class Request:
    method: str
    path: str  # relative to /3.0
    template: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any  # parsed JSON; None when absent or `null`
    base_url: str  # e.g. http://127.0.0.1:8765/3.0
    store: Store
    settings: SandboxSettings
    faults: FaultEngine
    batches: BatchRunner

    def link(self, path: str) -> str:
        return self.base_url + path


@dataclass
class Result:
    status: int = 200
    body: Any = None  # None -> empty body (204)
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Result]


@dataclass(frozen=True)
class Endpoint:
    """One row of a handler module's `ROUTES` table."""

    method: str
    template: str
    handler: Handler


@dataclass
class Route:
    """The handlers of one template, by method."""

    template: str
    pattern: re.Pattern[str]
    handlers: dict[str, Handler] = field(default_factory=dict)


class Router:
    """Matches a path to its template and handlers; built from explicit `Endpoint` tables."""

    def __init__(self, endpoints: list[Endpoint]) -> None:
        self.routes: dict[str, Route] = {}
        for e in endpoints:
            self.add(e.method, e.template, e.handler)

    def add(self, method: str, template: str, handler: Handler) -> None:
        route = self.routes.get(template)
        if route is None:
            regex = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "/?$"
            route = self.routes[template] = Route(template, re.compile(regex))
        if method in route.handlers:
            raise ValueError(f"duplicate route {method} {template}")
        route.handlers[method] = handler

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes.values():
            m = route.pattern.match(path)
            if m:
                return route, m.groupdict()
        return None

    def template_for(self, path: str) -> str:
        found = self.match(path)
        return found[0].template if found else "(unknown)"

    def endpoints(self) -> list[tuple[str, str]]:
        return sorted((m, r.template) for r in self.routes.values() for m in r.handlers)


# ---------------------------------------------------------------------- shared helpers


def page(items: list[Any], req: Request) -> tuple[list[Any], int]:
    """Apply `count`/`offset` (default 10, max 1000) to an already filtered list."""
    settings = req.settings
    count = _int_param(req.query, "count", settings.default_page_size)
    offset = _int_param(req.query, "offset", 0)
    if count > settings.max_page_size:
        if settings.page_size_over_limit == "error":
            raise errors.invalid_resource(
                f"The count parameter may be at most {settings.max_page_size}.",
                [{"field": "count", "message": f"Must be at most {settings.max_page_size}."}],
            )
        count = settings.max_page_size
    return items[offset : offset + count], len(items)


def _int_param(query: dict[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise errors.invalid_resource(
            f"The {name} parameter must be an integer.",
            [{"field": name, "message": "Must be an integer."}],
        ) from None
    if value < 0:
        raise errors.invalid_resource(
            f"The {name} parameter must not be negative.",
            [{"field": name, "message": "Must be 0 or more."}],
        )
    return value


def require_object(body: Any, path: str = "") -> dict[str, Any]:
    if not isinstance(body, dict):
        raise errors.schema_invalid([errors.wrong_type(path, "object", body)])
    return body


def require_fields(obj: dict[str, Any], names: list[str], path: str = "") -> None:
    missing = [n for n in names if obj.get(n) is None]
    if missing:
        raise errors.schema_invalid(
            [{"field": path, "message": f"Required fields were not provided: {', '.join(missing)}"}]
        )


def expect_type(
    obj: dict[str, Any], name: str, kinds: tuple[type, ...], label: str, path: str = ""
) -> None:
    """Schema check for one optional property (`label` is the JSON type name)."""
    if name not in obj:
        return
    value = obj[name]
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        field_name = f"{path}.{name}" if path else name
        raise errors.schema_invalid([errors.wrong_type(field_name, label, value)])


def expect_enum(obj: dict[str, Any], name: str, allowed: tuple[str, ...], path: str = "") -> None:
    if name in obj and obj[name] not in allowed:
        field_name = f"{path}.{name}" if path else name
        raise errors.schema_invalid(
            [
                {
                    "field": field_name,
                    "message": f"Value must be one of: {', '.join(allowed)} (got {obj[name]!r}).",
                }
            ]
        )


def query_choice(req: Request, name: str, allowed: tuple[str, ...]) -> str | None:
    """A query parameter that must be one of `allowed` (None when absent or empty)."""
    value = req.query.get(name)
    if value and value not in allowed:
        raise errors.invalid_resource(
            f"The {name} parameter is not valid.",
            [{"field": name, "message": f"Must be one of: {', '.join(allowed)}."}],
        )
    return value or None


def time_filter(req: Request, name: str) -> datetime | None:
    """An ISO 8601 date-time query parameter (`since_last_changed`, `since_send_time`, ...),
    None when absent; Mailchimp's 400 when it is not a date-time."""
    raw = req.query.get(name)
    if not raw:
        return None
    parsed = parse_timestamp(raw)
    if parsed is None:
        raise errors.invalid_resource(
            f"The {name} parameter must be an ISO 8601 date-time.",
            [{"field": name, "message": "Please provide an ISO 8601 date-time."}],
        )
    return parsed


def in_window(value: str | None, since: datetime | None, before: datetime | None) -> bool:
    """Does a stored time fall in the window of a `since_*` / `before_*` pair?

    `since_*` is inclusive (>=), as Mailchimp's is: an incremental reader that asks again from
    the newest `last_changed` it saw gets every change of that second, including one made after
    its previous read. The comparison is at the resolution the sandbox stores times in (whole
    seconds), so a bound of 12:00:00.250 still keeps a change stored as 12:00:00. `before_*`
    stays exclusive, so a window and the next one starting where it ends share no record.
    An item without that time never matches a bound.
    """
    if since is None and before is None:
        return True
    moment = parse_timestamp(value) if value else None
    if moment is None:
        return False
    if since is not None and moment < since.replace(microsecond=0):
        return False
    return before is None or moment < before


def links(
    req: Request, self_path: str, parent_path: str | None = None, methods: tuple[str, ...] = ()
) -> list[dict[str, str]]:
    """A minimal `_links` array (clients ignore it; the schema wants the shape)."""
    out = [{"rel": "self", "href": req.link(self_path), "method": "GET"}]
    if parent_path is not None:
        out.append({"rel": "parent", "href": req.link(parent_path), "method": "GET"})
    rel_for = {"PATCH": "update", "PUT": "upsert", "DELETE": "delete", "POST": "create"}
    for method in methods:
        out.append({"rel": rel_for[method], "href": req.link(self_path), "method": method})
    return out
