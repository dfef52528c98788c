"""Progress display for long jobs: a rich progress bar fed by dbt node events.

Owns how progress looks on the terminal; the jobs only report (event, index, total, name).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sync.dbt_runner import NodeListener

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
