"""A local, Mailchimp-compatible Marketing API v3 server for tests, demos and benchmarks.

Public API: `SandboxServer` (run it), `sandbox_client` (the official SDK pointed at it),
`Faults` and `SandboxSettings` (what to inject, which limits). See docs/sandbox.md.
Names are imported lazily, so `import mailchimp_sandbox.<module>` stays cheap for the CLI.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "DEMO_API_KEY": "mailchimp_sandbox.server",
    "SandboxServer": "mailchimp_sandbox.server",
    "generate_api_key": "mailchimp_sandbox.server",
    "configure_client": "mailchimp_sandbox.sdk",
    "sandbox_client": "mailchimp_sandbox.sdk",
    "FAULT_KINDS": "mailchimp_sandbox.faults",
    "MEMBER_ERROR_KINDS": "mailchimp_sandbox.faults",
    "Faults": "mailchimp_sandbox.faults",
    "LoggedRequest": "mailchimp_sandbox.requestlog",
    "RequestLogSnapshot": "mailchimp_sandbox.requestlog",
    "SandboxSettings": "mailchimp_sandbox.settings",
    "subscriber_hash": "mailchimp_sandbox.rules",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'mailchimp_sandbox' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
