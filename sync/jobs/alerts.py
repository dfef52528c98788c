"""Alerts: tell a person when a night was not ok, through Apprise.

Owns which outcomes alert, the one-paragraph summary and sending it. Apprise turns one list of
URLs into e-mail (`mailtos://`), Slack, Teams, Matrix, Discord, a webhook (`json://`) and many
more (https://github.com/caronc/apprise/wiki). Settings, from the environment (the env file):

    ENGAGE_ALERT_URLS   Apprise URLs, separated by spaces or commas (none: no alerts)
    ENGAGE_ALERT_ON     outcomes that alert, comma-separated (default: every outcome but ok;
                        e.g. `config,build,unreachable,refused,rejects,partial` to stay quiet
                        on warnings and locked nights)

The summary holds the run id, outcome, counts, durations, warnings and error (redacted): never
an e-mail address or an API key. The URLs themselves hold secrets (webhook tokens, SMTP
passwords): they are never printed or stored; a bad one is named by its position.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import apprise

from sync.errors import ConfigError, redact
from sync.outcomes import Outcome

DEFAULT_ALERT_ON = frozenset(o for o in Outcome if o is not Outcome.OK)
_QUIET = (Outcome.WARNINGS, Outcome.LOCKED)  # told as a warning, the rest as a failure


@dataclass(frozen=True)
class AlertSettings:
    urls: tuple[str, ...] = ()
    on: frozenset[Outcome] = DEFAULT_ALERT_ON

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AlertSettings:
        env = os.environ if env is None else env
        urls = tuple(u for u in re.split(r"[\s,]+", env.get("ENGAGE_ALERT_URLS") or "") if u)
        raw_on = (env.get("ENGAGE_ALERT_ON") or "").strip()
        on = DEFAULT_ALERT_ON
        if raw_on:
            words = [w.strip().lower() for w in raw_on.split(",") if w.strip()]
            known = {o.value for o in Outcome}
            bad = [w for w in words if w not in known]
            if bad:
                raise ConfigError(
                    f"ENGAGE_ALERT_ON: unknown outcome(s) {', '.join(bad)}; use a comma-separated "
                    f"list of {', '.join(o.value for o in Outcome)}"
                )
            on = frozenset(Outcome(w) for w in words)
        for i, url in enumerate(urls, 1):
            if not apprise.Apprise().add(url):
                raise ConfigError(
                    f"ENGAGE_ALERT_URLS: URL #{i} is not one Apprise understands (see "
                    "https://github.com/caronc/apprise/wiki, e.g. json://host/path or "
                    "mailtos://user:password@example.org)"
                )
        return cls(urls, on)

    def wants(self, outcome: Outcome) -> bool:
        return bool(self.urls) and outcome in self.on


@dataclass
class AlertResult:
    sent: bool
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _counts_text(counts: Mapping[str, Any]) -> str:
    parts = [f"{v} {k.replace('_', ' ')}" for k, v in sorted(counts.items()) if v]
    return ", ".join(parts) or "nothing changed"


def summary(row: Mapping[str, Any], secrets: tuple[str, ...] = ()) -> tuple[str, str]:
    """(title, one paragraph) for a night's history row; addresses hashed, `secrets` removed."""
    outcome = str(row.get("outcome"))
    host = socket.gethostname()
    title = f"engage nightly on {host}: {outcome.upper()}"
    durations = row.get("durations") or {}
    parts = [
        f"The nightly run {row.get('run_id')} (started {row.get('started_at')} UTC, "
        f"{durations.get('total', 0):.0f} s) ended {outcome}."
    ]
    audiences = row.get("audiences") or {}
    if audiences:
        parts.append(
            "Audiences: " + ", ".join(f"{k} {v}" for k, v in sorted(audiences.items())) + "."
        )
    parts.append(f"Counts: {_counts_text(row.get('counts') or {})}.")
    if row.get("warnings"):
        parts.append("Warnings: " + " ".join(str(w) for w in row["warnings"]))
    if row.get("error"):
        parts.append(f"Error: {row['error']}")
    parts.append("Details: `engage runs` and engage_sync.sync_runs on the warehouse.")
    body = redact(" ".join(parts))
    for secret in secrets:
        if secret:
            body = body.replace(secret, "<redacted>")
            title = title.replace(secret, "<redacted>")
    return title, body


def send(
    settings: AlertSettings, row: Mapping[str, Any], secrets: tuple[str, ...] = ()
) -> AlertResult | None:
    """Send the night's summary when its outcome alerts; None when it does not."""
    outcome = Outcome(str(row.get("outcome")))
    if not settings.wants(outcome):
        return None
    title, body = summary(row, secrets)
    notifier = apprise.Apprise()
    for url in settings.urls:
        notifier.add(url)
    kind = apprise.NotifyType.WARNING if outcome in _QUIET else apprise.NotifyType.FAILURE
    if notifier.notify(body=body, title=title, notify_type=kind):
        return AlertResult(sent=True)
    return AlertResult(
        sent=False,
        error="at least one alert URL failed (Apprise logs why); the outcome is unchanged",
    )
