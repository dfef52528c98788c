"""Mailchimp's timestamps and ours: ISO 8601 with an offset on the wire, naive UTC in the
sync's tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_mc_time(value: Any) -> datetime | None:
    """Mailchimp timestamp ('2021-11-23T22:51:56+00:00', or '') -> naive UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def mc_time(value: datetime) -> str:
    """Naive UTC -> the form Mailchimp's time filters take ('2021-11-23T22:51:56+00:00')."""
    return value.strftime("%Y-%m-%dT%H:%M:%S+00:00")
