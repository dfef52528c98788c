"""What the `engage` commands show on the terminal: the stderr console, progress, dbt results.

Owns how progress looks: a bar over dbt nodes (`dbt_progress`, fed by node events) and one bar
per sync step (`RichProgress`, a `ProgressSink`); the jobs only report. Summaries go to stderr
so that `--json` output on stdout stays clean.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sync.mailchimp.apply import ProgressSink
from sync.warehouse.dbt_runner import DbtOutcome, NodeListener

console = Console(stderr=True)

FAILED_STATUSES = {"error", "fail", "runtime error"}


@contextmanager
def dbt_progress(console: Console, label: str = "dbt build") -> Iterator[NodeListener]:
    """A progress bar over dbt nodes; yields the listener to pass to `run_dbt`."""
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=console,
        transient=False,
    )
    task = progress.add_task(label, total=None, current="")
    failed = 0

    def listener(event: str, index: int, total: int, name: str) -> None:
        nonlocal failed
        if event == "start":
            progress.update(task, total=total, current=name)
            return
        if event in FAILED_STATUSES:
            failed += 1
            progress.update(task, description=f"{label} [red]({failed} failed)[/]")
        progress.advance(task)

    with progress:
        yield listener
        # dbt announces some nodes it never reports as finished (e.g. skipped unit tests)
        total = progress.tasks[0].total
        progress.update(task, completed=total, current="")


class RichProgress(ProgressSink):
    """Progress bars on stderr, one per step."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def start(self, step: str, total: int) -> None:
        if total <= 0:
            return
        if step in self.tasks:
            self.progress.update(self.tasks[step], total=total, completed=0)
        else:
            self.tasks[step] = self.progress.add_task(step, total=total)

    def advance(self, step: str, n: int) -> None:
        if step in self.tasks:
            self.progress.advance(self.tasks[step], n)


def progress_bars() -> Progress:
    return Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def print_dbt_outcome(
    outcome: DbtOutcome,
    as_json: bool,
    quarantined: list[tuple[str, str]] | None = None,
    unparsed: list[tuple[str, str]] | None = None,
    notes: list[tuple[str, str]] | None = None,
) -> None:
    """A dbt run's result: JSON on stdout, or counts, failures and quarantined files on stderr;
    then the files with values that could not be read (their rows give no event) and what the
    files' layouts implied (source_files.unparsed_values, layout_notes, read_note)."""
    quarantined = quarantined or []
    unparsed = unparsed or []
    notes = notes or []
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "command": "build",
                    "status": "build"
                    if not outcome.success
                    else ("warnings" if quarantined else "ok"),
                    "success": outcome.success,
                    "error": outcome.reason(),
                    "counts": outcome.counts(),
                    "failures": [
                        {"name": f.name, "status": f.status, "message": f.message}
                        for f in outcome.failures
                    ],
                    "quarantined_files": [
                        {"file": path, "reason": reason} for path, reason in quarantined
                    ],
                    "unparsed_values": [
                        {"file": path, "columns": columns} for path, columns in unparsed
                    ],
                    "file_notes": [{"file": path, "note": note} for path, note in notes],
                },
                separators=(",", ":"),
            )
        )
        return
    counts = ", ".join(f"{k}={v}" for k, v in sorted(outcome.counts().items()))
    style = "green" if outcome.success else "red"
    console.print(f"[{style}]dbt build: {'ok' if outcome.success else 'FAILED'}[/] {counts}")
    for f in outcome.failures:
        console.print(f"  [red]{f.status}[/] {f.name}: {f.message}")
    if outcome.error:
        console.print(f"  [red]{outcome.error}[/]")
    if quarantined:
        console.print(
            f"[yellow]{len(quarantined)} file(s) quarantined[/] (listed in source_files, not "
            "read; every other file was built):"
        )
        for path, reason in quarantined:
            console.print(f"  [yellow]{path}[/]: {reason}")
    if unparsed:
        console.print(
            f"[yellow]{len(unparsed)} file(s) with values that could not be read[/] (those rows "
            "give no event; see source_files.unparsed_values):"
        )
        for path, columns in unparsed:
            console.print(f"  [yellow]{path}[/]: {columns}")
    for path, note in notes:
        console.print(f"  note: {path}: {note}")
