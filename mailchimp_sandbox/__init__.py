"""A local, Mailchimp-compatible Marketing API v3 server for tests, demos and benchmarks.

Public API: `SandboxServer` (run it), `sandbox_client` (the official SDK pointed at it),
`Faults` and `SandboxSettings` (what to inject, which limits). See docs/sandbox.md.
Names are imported lazily, so `import sync.sandbox.<module>` stays cheap for the CLI.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "DEMO_API_KEY": "sync.sandbox.server",
    "SandboxServer": "sync.sandbox.server",
    "generate_api_key": "sync.sandbox.server",
    "configure_client": "sync.sandbox.client",
    "sandbox_client": "sync.sandbox.client",
    "FAULT_KINDS": "sync.sandbox.faults",
    "MEMBER_ERROR_KINDS": "sync.sandbox.faults",
    "Faults": "sync.sandbox.faults",
    "LoggedRequest": "sync.sandbox.requestlog",
    "RequestLogSnapshot": "sync.sandbox.requestlog",
    "SandboxSettings": "sync.sandbox.settings",
    "subscriber_hash": "sync.sandbox.rules",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sync.sandbox' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
