"""Safe by default: which requests the sandbox serves at all, whoever can reach its port.

The control endpoints (`/_sandbox/...`) have no authentication: they are meant for the
machine the sandbox runs on. Two browser attacks could still reach them from a web page the
developer visits:

- DNS rebinding: a page's own host name is made to resolve to 127.0.0.1, so its scripts talk
  to the sandbox as "same origin". Their requests carry that foreign name in `Host`, so a
  request is served only when `Host` names a loopback name (`localhost`, `*.localhost`), an IP
  address (which cannot be rebound), the address the server is bound to, or a name the server
  was told to allow.
- Cross-site POST: a form or `fetch(..., {mode: "no-cors"})` may send `POST /_sandbox/reset`
  with `text/plain` (or no body) without a CORS preflight. State-changing control requests
  (POST, PUT, PATCH, DELETE) must therefore say `Content-Type: application/json`, which a
  page can only send after a preflight the sandbox never grants.

`SandboxServer.start` also warns on stderr when it listens on a non-loopback address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CONTROL_PREFIX = "/_sandbox/"


def host_name(host_header: str) -> str:
    """The name in a `Host` header, without port or IPv6 brackets, lower-cased."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def is_loopback(host: str) -> bool:
    """True for loopback names and addresses (127.0.0.0/8, ::1)."""
    name = host.strip().lower().strip("[]").rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_allowed(host_header: str | None, bound_host: str, extra: Iterable[str] = ()) -> bool:
    """May a request with this `Host` header be served (see the module docstring)?"""
    if not host_header:  # HTTP/1.0 without Host: no browser sends that
        return True
    name = host_name(host_header)
    if name in LOOPBACK_NAMES or name.endswith(".localhost") or _is_ip(name):
        return True
    allowed = {host_name(bound_host), *(host_name(h) for h in extra)}
    return name in allowed


def json_content_type(content_type: str | None) -> bool:
    """`application/json` or any `+json` type, parameters (charset) ignored."""
    media = (content_type or "").partition(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def control_refusal(method: str, path: str, content_type: str | None) -> str | None:
    """Why a control request is refused (None: serve it)."""
    if not (path.startswith(CONTROL_PREFIX) and method.upper() in STATE_CHANGING):
        return None
    if json_content_type(content_type):
        return None
    return (
        f"{method.upper()} {path} changes the sandbox's state: send it with "
        "Content-Type: application/json (refused otherwise, so that no web page can send it)"
    )


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
