"""Helpers shared by the sandbox tests (fixtures come from mailchimp_sandbox.pytest_plugin)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import httpx
import requests
from mailchimp_marketing.api_client import ApiClientError

from mailchimp_sandbox import SandboxServer, subscriber_hash

_counter = itertools.count(1)


def new_email(prefix: str = "person") -> str:
    """A unique address on a domain the fake-address check accepts."""
    return f"{prefix}.{next(_counter)}@engage-sandbox.org"


def h(email: str) -> str:
    return subscriber_hash(email)


def sdk_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[int | None, dict]:
    """Run an SDK call that must fail; return (status, parsed problem document).

    Handles the SDK 3.0.80 shapes: ApiClientError with a JSON string text, or a returned
    non-ok `requests.Response` (empty bodies).
    """
    try:
        result = call(*args, **kwargs)
    except ApiClientError as exc:
        text = exc.text
        if isinstance(text, str):
            text = json.loads(text) if text.strip().startswith("{") else {"raw": text}
        elif not isinstance(text, dict):
            text = {"exception": text}
        return exc.status_code, text
    if isinstance(result, requests.Response) and not result.ok:
        return result.status_code, {}
    raise AssertionError(f"expected an error, got {result!r}")


def http(srv: SandboxServer, key: str | None = None, **kwargs: Any) -> httpx.Client:
    """A plain HTTP client on the sandbox's /3.0, Basic auth with the key as password."""
    return httpx.Client(
        base_url=srv.api_url, auth=("anystring", key or srv.api_key), timeout=10, **kwargs
    )
