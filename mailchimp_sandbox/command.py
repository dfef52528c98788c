"""`engage sandbox`: run the local Mailchimp sandbox in the foreground until Ctrl-C.

The command body lives here; `engage`'s sync/cli/app.py only registers it. Exits 2 on a
configuration error, like every engage command.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from mailchimp_sandbox.faults import FAULT_KINDS, Faults
from mailchimp_sandbox.server import SandboxServer

EXIT_CONFIG = 2
console = Console(stderr=True, soft_wrap=True)


def _parse_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _key_values(items: list[str], what: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{what} must look like NAME=VALUE, got {item!r}")
        out[key.strip()] = _parse_value(value.strip())
    return out


def _faults_file(path: Path | None) -> dict[str, Any]:
    """The fault plan in a JSON file, or {} without one; ValueError says what is wrong."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read --faults file {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ValueError(f"--faults file {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"--faults file {path} must hold a JSON object, like /_sandbox/faults")
    return data


def sandbox_command(
    host: Annotated[
        str,
        typer.Option(
            help="Interface to listen on. Keep the default (loopback) unless you "
            "know why: the control endpoints have no auth."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on; 0 picks a free one.")] = 8765,
    api_key: Annotated[
        list[str] | None,
        typer.Option(
            "--api-key",
            help="Accept this API key (repeatable). Default: $ENGAGE_SANDBOX_API_KEY, else a "
            "fresh random key in Mailchimp's <32 hex>-<dc> shape.",
        ),
    ] = None,
    persist: Annotated[
        Path | None,
        typer.Option(
            help="Keep state in this JSON file: loaded at start, saved as it changes, so the "
            "audience is still there next time."
        ),
    ] = None,
    audience: Annotated[
        list[str] | None,
        typer.Option(
            help="Create an audience with this name at start-up unless it exists (repeatable)."
        ),
    ] = None,
    double_optin: Annotated[
        bool, typer.Option(help="Audiences created by --audience use double opt-in.")
    ] = False,
    latency: Annotated[float, typer.Option(help="Seconds of latency added to every call.")] = 0.0,
    latency_jitter: Annotated[
        float, typer.Option(help="Plus a uniform random 0..JITTER seconds.")
    ] = 0.0,
    faults_file: Annotated[
        Path | None,
        typer.Option(
            "--faults",
            help="JSON file with a whole fault plan, the document /_sandbox/faults takes "
            "(latency, rates, script, endpoints, member_errors, seed, ...). --latency, "
            "--latency-jitter and --fault given as well override its entries.",
        ),
    ] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            help=f"KIND=RATE: fraction of calls answered with a fault (repeatable). Kinds: "
            f"{', '.join(FAULT_KINDS)}."
        ),
    ] = None,
    setting: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="NAME=VALUE: change a limit or behaviour switch, e.g. --set "
            "batch_op_delay=0.1 or --set compliance_refusal=all (see docs/sandbox.md).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print url, api_key and audiences as JSON on stdout.")
    ] = False,
) -> None:
    """Run a local Mailchimp Marketing API (v3) sandbox until Ctrl-C.

    Point the SDK or any HTTP client at the printed URL + /3.0 with the printed key.

    Auth: Basic with the key as password, or Bearer. Controls: /_sandbox (docs/sandbox.md).
    """
    keys = list(api_key or [])
    if not keys and os.environ.get("ENGAGE_SANDBOX_API_KEY"):
        keys = [os.environ["ENGAGE_SANDBOX_API_KEY"]]
    try:
        plan: dict[str, Any] = {"seed": None, **_faults_file(faults_file)}
        if latency:
            plan["latency"] = latency
        if latency_jitter:
            plan["latency_jitter"] = latency_jitter
        rates = {k: float(v) for k, v in _key_values(fault or [], "--fault").items()}
        if rates:
            plan["rates"] = {**plan.get("rates", {}), **rates}
        faults = Faults.from_dict(plan)
        srv = SandboxServer(
            port=port,
            api_keys=keys or None,
            persist_path=persist,
            faults=faults,
            host=host,
            settings=_key_values(setting or [], "--set"),
            audiences=[{"name": n, "double_optin": double_optin} for n in audience or []],
        )
        srv.start()
    except (ValueError, TypeError, OSError) as exc:
        console.print(f"[red]engage sandbox: {exc}[/]")
        raise typer.Exit(EXIT_CONFIG) from None

    audiences = [{"id": a.id, "name": a.name} for a in srv.api.store.lists.values()]
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "url": srv.url,
                    "api_url": srv.api_url,
                    "api_key": srv.api_key,
                    "audiences": audiences,
                    "persist": str(persist) if persist else None,
                }
            ),
        )
    else:
        console.print(f"[green]Mailchimp sandbox listening on {srv.url}[/]")
        console.print(f"  API base URL : {srv.api_url}")
        console.print(f"  API key      : {srv.api_key}   (a sandbox key, useless elsewhere)")
        for a in audiences:
            console.print(f"  audience     : {a['id']}  {a['name']}")
        if persist:
            console.print(f"  state file   : {persist}")
        console.print(
            "  SDK          : client.set_config({'api_key': KEY, 'server': 'server', "
            "'timeout': 30}); client.api_client.host = URL + '/3.0'"
        )
        console.print(f"  controls     : {srv.url}/_sandbox/docs   (Ctrl-C to stop)")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
        console.print("sandbox stopped" + (f"; state saved to {persist}" if persist else ""))
