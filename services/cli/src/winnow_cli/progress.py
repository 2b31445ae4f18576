"""Console output of a run: one progress bar per pipeline state, library warnings above them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Column

from winnow_common.enums import RunState


def _done_total(message: str) -> tuple[int, int] | None:
    for word in message.split():
        left, sep, right = word.strip(",.;:()").partition("/")
        if sep and left.isdigit() and right.isdigit() and int(right) > 0:
            return int(left), int(right)
    return None


class ConsoleProgress:
    """One progress bar per pipeline state, updated from the state callback's messages.

    Messages with a ``done/total`` count move the bar; every other message is printed above the
    bars.
    """

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}
        self.current: TaskID | None = None

    def _task(self, name: str) -> TaskID:
        task = self.tasks.get(name)
        if task is None:
            self.finish()
            task = self.progress.add_task(name, total=None, message="")
            self.tasks[name] = task
        self.current = task
        return task

    def finish(self) -> None:
        """Fill the current state's bar: the pipeline moved on."""
        if self.current is None:
            return
        total = self.progress.tasks[self._index(self.current)].total or 1
        self.progress.update(self.current, total=total, completed=total)

    def _index(self, task: TaskID) -> int:
        return next(i for i, t in enumerate(self.progress.tasks) if t.id == task)

    def __call__(self, state: RunState | str, message: str) -> None:
        name = state.value if isinstance(state, RunState) else str(state)
        task = self._task(name)
        counts = _done_total(message)
        if counts is not None:
            done, total = counts
            self.progress.update(task, completed=done, total=total, message=message)
        else:
            self.progress.update(task, message=message)
            self.progress.console.print(
                f"[bold]{name}[/bold]: {escape(message)}", highlight=False, soft_wrap=True
            )


def progress_bars(console: Console) -> Progress:
    """The bars' layout: state, bar, done/total, elapsed time, the latest message."""
    return Progress(
        TextColumn("[bold]{task.description}", table_column=Column(min_width=20)),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn(
            "{task.fields[message]}",
            markup=False,
            table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis"),
        ),
        console=console,
        expand=True,
    )


@contextmanager
def log_to(console: Console) -> Iterator[None]:
    """Route warnings of the libraries through the console, above the progress bars."""
    handler = RichHandler(console=console, show_path=False, show_time=False, markup=False)
    handler.setLevel(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    logging.captureWarnings(True)
    try:
        yield
    finally:
        logging.captureWarnings(False)
        root.removeHandler(handler)
