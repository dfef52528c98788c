"""Finding each declared audience in Mailchimp: by id, by name, or creating it when allowed.

The first call of every command that talks to Mailchimp; remembers the id in the sync state
so that `engage plan` works without an API key, and turns a rejected key or an unknown id
into a `ConfigError` (exit 2).
"""

from __future__ import annotations

from sync.errors import ConfigError, MailchimpError, MailchimpUnreachable
from sync.mailchimp import state
from sync.mailchimp.client import HOW_TO_CONNECT, MailchimpClient
from sync.mailchimp.exposures import Audience
from sync.warehouse.storage import Store


def check_reachable(client: MailchimpClient) -> None:
    """One `GET /ping` before a night's work: `MailchimpUnreachable` when no answer came
    (network, time-outs, 5xx: retries spent), `ConfigError` when the key is refused."""
    try:
        client.ping()
    except MailchimpError as exc:
        if exc.status == 401:
            raise ConfigError(
                f"{client.target.describe()} refused the API key ({exc.summary()}); check "
                "MAILCHIMP_API_KEY (and MAILCHIMP_SERVER or ENGAGE_MAILCHIMP_URL)"
            ) from None
        if exc.transient:
            raise MailchimpUnreachable(
                f"{client.target.describe()} could not be reached ({exc.summary()}, "
                f"{client.retry.attempts} attempts); nothing was read or written. Check the "
                "network and https://status.mailchimp.com (or ENGAGE_MAILCHIMP_URL); the next "
                "run catches up"
            ) from None
        raise


def resolve_audience(
    con: Store,
    client: MailchimpClient | None,
    aud: Audience,
    create: bool,
) -> tuple[str, bool]:
    """(audience id, double_optin). '' when it does not exist yet and `create` is False.

    The first call of every command: a rejected API key is a configuration error (exit 2)."""
    try:
        return _resolve_audience(con, client, aud, create)
    except MailchimpError as exc:
        if exc.status == 401 and client is not None:
            raise ConfigError(
                f"{client.target.describe()} refused the API key ({exc.summary()}); check "
                "MAILCHIMP_API_KEY (and MAILCHIMP_SERVER or ENGAGE_MAILCHIMP_URL)"
            ) from None
        raise


def _resolve_audience(
    con: Store,
    client: MailchimpClient | None,
    aud: Audience,
    create: bool,
) -> tuple[str, bool]:
    a = aud.spec.audience
    if client is None:
        known = state.known_audience(con, aud.key)
        if known:
            return known
        raise ConfigError(HOW_TO_CONNECT)
    if a.id:
        try:
            info = client.get_list(a.id)
        except MailchimpError as exc:
            if exc.status == 404:
                raise ConfigError(
                    f"exposure {aud.key!r}: audience id {a.id!r} does not exist in "
                    f"{client.target.describe()}"
                ) from None
            raise
        state.remember_audience(
            con, aud.key, a.id, info.get("name", a.name), bool(info.get("double_optin"))
        )
        return a.id, bool(info.get("double_optin"))
    known = state.known_audience(con, aud.key)
    if known:
        try:
            info = client.get_list(known[0])
            if info.get("name") == a.name:
                return known[0], bool(info.get("double_optin"))
        except MailchimpError as exc:
            if exc.status != 404:
                raise
    matches = client.lists_named(a.name)
    if len(matches) > 1:
        raise ConfigError(
            f"exposure {aud.key!r}: {len(matches)} audiences are named {a.name!r} "
            f"({', '.join(m['id'] for m in matches)}); set audience.id"
        )
    if matches:
        found = matches[0]
        state.remember_audience(con, aud.key, found["id"], a.name, bool(found.get("double_optin")))
        return found["id"], bool(found.get("double_optin"))
    if not create:
        return "", a.double_optin
    if not a.create_if_missing:
        raise ConfigError(
            f"exposure {aud.key!r}: no audience named {a.name!r} in {client.target.describe()}; "
            "create it in Mailchimp and set audience.id, or set create_if_missing: true"
        )
    body = {
        "name": a.name,
        "contact": {
            "company": a.company,
            "address1": a.address1,
            "city": a.city,
            "state": "",
            "zip": "",
            "country": a.country,
        },
        "permission_reminder": a.permission_reminder,
        "campaign_defaults": {
            "from_name": a.from_name,
            "from_email": a.from_email,
            "subject": a.name,
            "language": a.language,
        },
        "email_type_option": False,
        "double_optin": a.double_optin,
    }
    created = client.create_list(body)
    state.remember_audience(con, aud.key, created["id"], a.name, a.double_optin)
    return created["id"], a.double_optin
