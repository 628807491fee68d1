"""What the command line shows while it works: progress bars (of a batch, of a
transcription), and after a batch its summary table and every error in full."""

from __future__ import annotations

import contextlib
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from pipeline.prepare.plan import Job
from pipeline.run.batch import Hooks, Row, Summary
from pipeline.run.build import Planned

if TYPE_CHECKING:
    from pipeline.analysis.transcribe.protocol import Progress as AudioProgress


class Display:
    """One progress display: a bar for the whole batch, and one per render in flight."""

    def __init__(self, console: Console, quiet: bool) -> None:
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
            disable=quiet or not console.is_terminal,  # no bars in logs
            transient=True,
        )
        self.total = self.bar.add_task("outputs 0/0", total=0)
        self.count = [0, 0]  # finished, known
        self.running: dict[Path, TaskID] = {}
        self.lock = threading.Lock()

    def __enter__(self) -> Display:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def hooks(self) -> Hooks:
        return Hooks(planned=self.planned, progress=self.progress, row=self.row)

    def planned(self, planned: Planned) -> None:
        self.count[1] += len(planned.checks)
        self._overall()

    def progress(self, job: Job, fraction: float) -> None:
        with self.lock:
            if job.output not in self.running:
                self.running[job.output] = self.bar.add_task(f"  {job.output.name}", total=1.0)
            self.bar.update(self.running[job.output], completed=fraction)

    def row(self, row: Row) -> None:
        with self.lock:
            task = self.running.pop(row.output, None) if row.output else None
            if task is not None:
                self.bar.remove_task(task)
        self.count[0] += 1
        self.count[1] += 0 if row.output else 1  # a config that failed before its outputs
        self._overall()

    def _overall(self) -> None:
        done, known = self.count
        self.bar.update(self.total, description=f"outputs {done}/{known}", completed=done)
        self.bar.update(self.total, total=max(known, 1))


def shown(path: Path | None) -> str:
    """A path as short as it can be: relative to the working folder when it is under it."""
    if path is None:
        return "-"
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return os.path.normpath(path)


def print_summary(summary: Summary, out: Console, where: str) -> None:
    """The table of every output, then a line of totals."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in ("config", "output", "status", "time", "note"):
        table.add_column(
            name, no_wrap=name != "note", justify="right" if name == "time" else "left"
        )
    for row in summary.rows:
        time_s = f"{row.seconds:.1f} s" if row.status == "built" else ""
        output = row.output.name if row.output else "-"
        cells = (shown(row.config), output, row.status, time_s, row.detail)
        table.add_row(*(Text(c) for c in cells))
    if out.is_terminal:
        out.print(table)
    else:  # piped or logged: one line per output, however long (rich would wrap at 80)
        buffer = Console(file=io.StringIO(), width=1000, color_system=None)
        buffer.print(table)
        text = buffer.file.getvalue()  # type: ignore[attr-defined]
        lines = (line.rstrip() for line in text.splitlines())
        out.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)
    counts = [
        f"{summary.count(s)} {s}"
        for s in ("built", "up to date", "would build", "failed")
        if summary.count(s) or s in ("built", "failed")
    ]
    out.print(f"{', '.join(counts)} in {summary.seconds:.1f} s ({where})", soft_wrap=True)


def print_errors(summary: Summary, err: Console, debug: bool) -> None:
    """Every error line in full (the table shows the first of each), and with --debug the
    traceback of each bug."""
    for line in summary.errors:
        err.print(f"error: {line}", highlight=False, markup=False, soft_wrap=True)
    for trace in summary.traces if debug else []:
        err.print(trace, highlight=False, markup=False, soft_wrap=True)


@contextlib.contextmanager
def audio_progress(console: Console, quiet: bool, label: str) -> Iterator[AudioProgress]:
    """A transient progress bar in seconds of audio; yields the callback to feed it.

    Each new source (its progress starts again from 0) restarts the bar, so one callback
    serves a whole build.
    """
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed:>6.0f} s of audio"),
        TimeRemainingColumn(),
        console=console,
        disable=quiet or not console.is_terminal,  # no bars in logs
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=None)

        def report(done: float, total: float) -> None:
            if done < bar.tasks[0].completed:
                bar.reset(task, total=total)
            bar.update(task, completed=done, total=total)

        yield report
