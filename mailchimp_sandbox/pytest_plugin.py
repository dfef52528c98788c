"""pytest fixtures for the Mailchimp sandbox: a plugin a test suite opts into.

Not registered on install: a suite enables it with
`pytest_plugins = ["mailchimp_sandbox.pytest_plugin"]` in its top-level conftest.py (engage's
own tests/conftest.py does). Its tests then get, without imports:

- `sandbox`: a running `SandboxServer` with fresh state (one server per test session,
  reset before each test: no data, initial settings and faults, empty request log).
- `sandbox_sdk`: the official `mailchimp_marketing.Client` pointed at it (timeout 10 s).
- `sandbox_audience`: the id of a fresh audience ("Sandbox test audience", single opt-in).
- `sandbox_server`: the session-wide server itself (state NOT reset; prefer `sandbox`).
"""

from __future__ import annotations

from collections.abc import Iterator

import mailchimp_marketing
import pytest

from mailchimp_sandbox.sdk import sandbox_client
from mailchimp_sandbox.server import SandboxServer


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    """One running sandbox for the whole session (state not reset; prefer `sandbox`)."""
    srv = SandboxServer(port=0)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxServer]:
    """A running Mailchimp sandbox with fresh state (see docs/sandbox.md)."""
    sandbox_server.reset()
    yield sandbox_server
    sandbox_server.stall_generation += 1  # release anything a test left stalled


@pytest.fixture
def sandbox_sdk(sandbox: SandboxServer) -> mailchimp_marketing.Client:
    """The official mailchimp-marketing SDK client pointed at `sandbox` (timeout 10 s)."""
    return sandbox_client(sandbox, timeout=10)


@pytest.fixture
def sandbox_audience(sandbox: SandboxServer) -> str:
    """The id of a fresh single opt-in audience in `sandbox`."""
    return sandbox.create_list("Sandbox test audience")
