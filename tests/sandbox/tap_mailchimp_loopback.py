"""Run the Singer `tap-mailchimp` (singer-io) against a Mailchimp sandbox instead of Mailchimp.

Not a test module: tests/sandbox/test_tap_mailchimp.py runs this file with the Python of the
tap's own virtual environment, with the tap's usual arguments (`--config`, `--discover`,
`--catalog`, `--state`) and the sandbox's root URL in ENGAGE_TAP_MAILCHIMP_BASE_URL
(e.g. http://127.0.0.1:8765, without /3.0).

Why a wrapper: the tap has no setting for the API's address. With an API key its
`MailchimpClient.__init__` builds `https://{dc}.api.mailchimp.com` from the `dc` setting
(and with an OAuth token it asks login.mailchimp.com for the address), and every call is
`base_url + "/3.0" + path`. So this wrapper lets the client be built as usual and then
replaces that one attribute; authentication (the API key as Basic password), paging, the
`fields` it asks for, bookmarks and state are all the tap's own code, unchanged. Nothing is
patched on disk and nothing else in the process changes.
"""

from __future__ import annotations

import os
from typing import Any

import tap_mailchimp
from tap_mailchimp.client import MailchimpClient

BASE_URL_VARIABLE = "ENGAGE_TAP_MAILCHIMP_BASE_URL"
_original_init = MailchimpClient.__init__


def _init_pointing_at_sandbox(self: MailchimpClient, config: dict[str, Any]) -> None:
    _original_init(self, config)
    # The attribute the tap prefixes to "/3.0" + path (name-mangled `__base_url`).
    self._MailchimpClient__base_url = os.environ[BASE_URL_VARIABLE].rstrip("/")


if __name__ == "__main__":
    if not os.environ.get(BASE_URL_VARIABLE):
        raise SystemExit(f"{BASE_URL_VARIABLE} must name the sandbox, e.g. http://127.0.0.1:8765")
    MailchimpClient.__init__ = _init_pointing_at_sandbox  # type: ignore[method-assign]
    tap_mailchimp.main()
