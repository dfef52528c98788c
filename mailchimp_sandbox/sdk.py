"""Point the official `mailchimp-marketing` SDK (3.0.x) at a sandbox.

SDK 3.0.80 hard-codes `ApiClient.host = "https://server.api.mailchimp.com/3.0"` and never
changes it in `set_config`; `call_api` then replaces the substring `server` anywhere in the
URL with the configured server. So: `set_config` with `"server": "server"` (the replace is a
no-op) and a `timeout` (every `set_config` without one resets it to 120 s), then set
`client.api_client.host` to the sandbox's `/3.0` URL. There is no `configuration.host`
attribute on the 3.0.x client.
"""

from __future__ import annotations

import mailchimp_marketing

from mailchimp_sandbox.server import SandboxServer


def configure_client(
    client: mailchimp_marketing.Client, base_url: str, api_key: str, timeout: float = 30.0
) -> mailchimp_marketing.Client:
    """Configure any SDK client for a Mailchimp-compatible server at `base_url` (no /3.0)."""
    client.set_config({"api_key": api_key, "server": "server", "timeout": timeout})
    client.api_client.host = base_url.rstrip("/").removesuffix("/3.0") + "/3.0"
    return client


def sandbox_client(
    srv: SandboxServer, *, timeout: float = 30.0, api_key: str | None = None
) -> mailchimp_marketing.Client:
    """A `mailchimp_marketing.Client` talking to the running sandbox `srv`."""
    return configure_client(mailchimp_marketing.Client(), srv.url, api_key or srv.api_key, timeout)
