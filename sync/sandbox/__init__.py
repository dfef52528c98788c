"""A local, Mailchimp-compatible Marketing API v3 server for tests, demos and benchmarks.

Public API: `SandboxServer` (run it), `sandbox_client` (the official SDK pointed at it),
`Faults` and `SandboxSettings` (what to inject, which limits). See docs/sandbox.md.
"""

from sync.sandbox.client import configure_client, sandbox_client
from sync.sandbox.faults import FAULT_KINDS, MEMBER_ERROR_KINDS, Faults
from sync.sandbox.requestlog import LoggedRequest, RequestLogSnapshot
from sync.sandbox.rules import subscriber_hash
from sync.sandbox.server import DEMO_API_KEY, SandboxServer, generate_api_key
from sync.sandbox.settings import SandboxSettings

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
