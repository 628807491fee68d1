"""The command line: the only module that prints or exits."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from enum import IntEnum
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from pipeline import __version__, ffmpeg
from pipeline.build import command_for, run_plan
from pipeline.config import load
from pipeline.errors import PipelineError
from pipeline.plan import Job, Plan, plan_build

log = logging.getLogger("pipeline")


class ExitStatus(IntEnum):
    OK = 0
    FAILED = 1
    BAD_INPUT = 2
    INTERRUPTED = 130


DESCRIPTION = """\
Cut long interview footage into short, subtitled clips.

  build-clip CONFIG [options]   build every clip x rendition x language in CONFIG
"""


def build_parser() -> argparse.ArgumentParser:
    """Options of ``build-clip CONFIG``."""
    p = argparse.ArgumentParser(
        prog="build-clip",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("config", type=Path, help="the YAML cut list")
    p.add_argument(
        "--clip",
        action="append",
        default=[],
        metavar="NAME",
        help="build only this clip (repeatable)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan and the exact ffmpeg commands; write nothing",
    )
    _common(p)
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    p.add_argument("-v", "--verbose", action="store_true", help="print each step")
    p.add_argument(
        "--debug", action="store_true", help="print ffmpeg commands, and tracebacks on errors"
    )
    p.add_argument("--version", action="version", version=f"build-clip {__version__}")


def setup_logging(quiet: bool, verbose: bool, debug: bool, console: Console) -> None:
    level = (
        logging.DEBUG
        if debug
        else logging.INFO
        if verbose
        else logging.ERROR
        if quiet
        else logging.WARNING
    )
    handler = logging.StreamHandler(console.file)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def cmd_build(args: argparse.Namespace, out: Console, err: Console) -> int:
    config = load(args.config)
    unknown = [c for c in args.clip if c not in config.project.clips]
    if unknown:
        err.print(
            f"error: {args.config}: no clip named {unknown[0]!r} (expected one of: "
            f"{', '.join(config.project.clips)})",
            highlight=False,
            markup=False,
        )
        return ExitStatus.BAD_INPUT
    plan = plan_build(config, tuple(args.clip))
    if args.dry_run:
        _print_plan(plan, out)
        return ExitStatus.OK
    with _progress(err, args.quiet) as on_progress:
        run_plan(plan, on_progress)
    if not args.quiet:
        folders = sorted({str(j.output.parent) for j in plan.jobs})
        out.print(f"built {len(plan.jobs)} video(s) in {', '.join(folders)}", highlight=False)
    return ExitStatus.OK


def _print_plan(plan: Plan, out: Console) -> None:
    for path, cues in plan.sidecars:
        out.print(f"write {path} ({len(cues)} cues)", highlight=False, markup=False)
    for job in plan.jobs:
        out.print(
            f"render {job.output} ({float(job.timeline.duration):.3f} s, "
            f"{len(job.timeline.spans)} cuts, burn {job.lang})",
            highlight=False,
            markup=False,
        )
        ass = Path("$TMPDIR/build-clip-XXXX/burn.ass")
        out.print(
            "  " + ffmpeg.command_line(command_for(job, plan, ass, job.output)),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


class _progress:
    """A rich progress bar per output, fed from ffmpeg's -progress."""

    def __init__(self, console: Console, quiet: bool) -> None:
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(),
            console=console,
            disable=quiet,
        )
        self.tasks: dict[Path, TaskID] = {}

    def __enter__(self) -> Callable[[Job, float], None]:
        self.bar.start()
        return self.update

    def update(self, job: Job, fraction: float) -> None:
        if job.output not in self.tasks:
            self.tasks[job.output] = self.bar.add_task(job.output.name, total=1.0)
        self.bar.update(self.tasks[job.output], completed=fraction)

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


# Sub-commands, imported only when used so that `build-clip CONFIG` starts fast.
COMMANDS = {
    "transcribe": "pipeline.commands.transcribe",
    "models": "pipeline.commands.models",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    out = Console(highlight=False, emoji=False)
    err = Console(stderr=True, highlight=False, emoji=False)
    name = argv[0] if argv and argv[0] in COMMANDS else None
    make_parser, handler = build_parser, cmd_build
    if name:
        module = importlib.import_module(COMMANDS[name])
        make_parser, handler = module.make_parser, module.run
    try:
        args = make_parser().parse_args(argv[1:] if name else argv)
    except SystemExit as e:
        return int(e.code or 0)
    setup_logging(args.quiet, args.verbose, args.debug, err)
    try:
        return handler(args, out, err)
    except PipelineError as e:
        if args.debug:
            raise
        for line in str(e).splitlines():
            err.print(f"error: {line}", highlight=False, markup=False, soft_wrap=True)
        return e.exit_code
    except KeyboardInterrupt:
        err.print("interrupted: no partial output was kept", highlight=False)
        return ExitStatus.INTERRUPTED
