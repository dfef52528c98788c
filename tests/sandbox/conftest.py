"""Fixtures for the sandbox tests; `sandbox`, `sandbox_sdk`, ... come from the plugin."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sandboxtest_helpers import http

from mailchimp_sandbox import SandboxServer


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """Plain HTTP on the sandbox's /3.0 with Basic auth (for what the SDK cannot send)."""
    with http(sandbox) as client:
        yield client
