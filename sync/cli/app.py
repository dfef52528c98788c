"""The `engage` command line: the Typer app and its commands, one module per command group.

Every command is registered here, explicitly (nothing registers itself on import):
`build` and `backfill` (sync.cli.warehouse), `demo` (sync.cli.demo), `catalogue`
(sync.cli.catalogue),
`plan | sync | pull | nightly | runs` (sync.cli.mailchimp) and `sandbox`
(mailchimp_sandbox.command). Each has --help and a --json
summary; exit codes are in `sync.cli.exits` (and the README).
"""

from __future__ import annotations

import typer

from mailchimp_sandbox.command import sandbox_command
from sync.cli import catalogue, demo, mailchimp, warehouse

app = typer.Typer(
    help="engage: spreadsheets -> one supporter table -> segments -> Mailchimp.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """engage: spreadsheets -> one supporter table -> segments -> Mailchimp."""


app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
    warehouse.build
)
app.command("backfill")(warehouse.backfill)
app.command()(demo.demo)
app.command("catalogue")(catalogue.catalogue)
app.command("sandbox")(sandbox_command)
app.command("plan")(mailchimp.plan_cmd)
app.command("sync")(mailchimp.sync_cmd)
app.command("pull")(mailchimp.pull_cmd)
app.command("nightly")(mailchimp.nightly_cmd)
app.command("runs")(mailchimp.runs_cmd)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
