"""``build-clip batch CONFIG...``: many configs on a bounded pool (or a Dask cluster), one
progress display, and a summary table of what was built, what was up to date, what failed."""

from __future__ import annotations

import argparse
import glob
import io
import os
import threading
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from pipeline.prepare.plan import Job
from pipeline.run.batch import Hooks, Options, Row, Summary, default_jobs, run_batch
from pipeline.run.build import Planned
from pipeline.run.pools import ClusterPool, LocalPool, Pool

DESCRIPTION = """\
Build every output of every config, side by side, skipping outputs that are up to date.

  build-clip batch configs/*.yaml            one render per core
  build-clip batch 'configs/**/*.yaml' -j 4  globs are expanded here too
  build-clip batch configs/*.yaml --cluster tcp://scheduler:8786

Exit status: 0 when everything is built or up to date, 1 when anything failed (a failure never
stops the others), 2 for bad usage, 130 when interrupted (no partial file is left).
"""


def jobs_arg(text: str) -> int:
    """A worker count: a whole number from 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of jobs (expected 1 or more)")
    return int(text)


def add_build_options(p: argparse.ArgumentParser) -> None:
    """The options ``build-clip CONFIG`` and ``build-clip batch`` share."""
    p.add_argument(
        "-j",
        "--jobs",
        type=jobs_arg,
        default=default_jobs(),
        metavar="N",
        help="outputs rendered at once (default: one per core, %(default)s here)",
    )
    p.add_argument("--force", action="store_true", help="rebuild outputs that are up to date")
    p.add_argument(
        "--verify",
        action="store_true",
        help="transcribe each output again and check that every cut says its words "
        "(as verify: words in the config)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="treat verification warnings as errors: an output whose words are not heard "
        "fails (exit 1) and is not kept",
    )


def make_parser() -> argparse.ArgumentParser:
    from pipeline.cli.main import _common

    p = argparse.ArgumentParser(
        prog="build-clip batch",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("configs", nargs="+", metavar="CONFIG", help="YAML cut lists, or globs")
    add_build_options(p)
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="list the outputs that would be built and why (which input changed); write nothing",
    )
    p.add_argument(
        "--cluster",
        metavar="tcp://HOST:8786",
        help="send the jobs to this Dask scheduler instead of the local pool (workers must see "
        "the media and the output folders at the same paths)",
    )
    _common(p)
    return p


def expand(patterns: list[str]) -> tuple[list[Path], list[str]]:
    """Configs from the command line, globs expanded, each file once (as first spelled); and
    the patterns that matched nothing."""
    found: dict[Path, Path] = {}
    empty = []
    for pattern in patterns:
        matches = (
            sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        )
        empty += [] if matches else [pattern]
        for match in map(Path, matches):
            found.setdefault(match.resolve(), match)
    return list(found.values()), empty


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    configs, empty = expand(args.configs)
    for pattern in empty:
        err.print(f"error: no config matches {pattern!r}", markup=False, soft_wrap=True)
    if not configs:
        return 2
    options = Options(
        force=args.force, dry_run=args.dry_run, verify=args.verify, strict=args.strict
    )
    pool: Pool = ClusterPool(args.cluster) if args.cluster else LocalPool(args.jobs)
    try:
        with Display(err, args.quiet or args.dry_run) as display:
            summary = run_batch(configs, options, pool, display.hooks())
    finally:
        pool.close()
    where = f"cluster {args.cluster}" if args.cluster else f"-j {args.jobs}"
    if not args.quiet:
        print_summary(summary, out, where)
    print_errors(summary, err, args.debug)
    return 1 if summary.failed or empty else 0


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
