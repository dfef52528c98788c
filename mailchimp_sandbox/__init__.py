"""A local, Mailchimp-compatible Marketing API v3 server for tests, demos and benchmarks.

Its own package, beside the `sync` runtime: engage's demo and tests use it, nothing in the
sync depends on it. Public API: `SandboxServer` (run it), `sandbox_client` (the official SDK
pointed at it), `Faults` and `SandboxSettings` (what to inject, which limits). The pytest
fixtures are in `mailchimp_sandbox.pytest_plugin`, opted into by a suite's conftest.py.
See docs/sandbox.md.
"""

from __future__ import annotations

from mailchimp_sandbox.faults import FAULT_KINDS, MEMBER_ERROR_KINDS, Faults
from mailchimp_sandbox.requestlog import LoggedRequest, RequestLogSnapshot
from mailchimp_sandbox.rules import subscriber_hash
from mailchimp_sandbox.sdk import configure_client, sandbox_client
from mailchimp_sandbox.server import DEMO_API_KEY, SandboxServer, generate_api_key
from mailchimp_sandbox.settings import SandboxSettings

__all__ = [
    "DEMO_API_KEY",
    "FAULT_KINDS",
    "MEMBER_ERROR_KINDS",
    "Faults",
    "LoggedRequest",
    "RequestLogSnapshot",
    "SandboxServer",
    "SandboxSettings",
    "configure_client",
    "generate_api_key",
    "sandbox_client",
    "subscriber_hash",
]
