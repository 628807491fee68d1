"""The command line: the only module that prints or exits."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import shlex
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from pipeline.cli.common import ExitStatus, add_build_options, add_common_options, setup_logging
from pipeline.cli.display import Display, audio_progress, print_errors
from pipeline.config.load import load, require_clips, verifying
from pipeline.core import signals
from pipeline.core.errors import PipelineError
from pipeline.prepare.lint import lint_gate
from pipeline.prepare.plan import plan_build
from pipeline.run.batch import Options, run_batch
from pipeline.run.build import Planned, check_plan
from pipeline.run.commands import NOTE, render_commands
from pipeline.run.pools import LocalPool
from pipeline.run.publishing import sidecar_changes
from pipeline.subtitles.lint import Finding

DESCRIPTION = """\
Cut long interview footage into short, subtitled clips.

  build-clip CONFIG [options]   build every clip x rendition x language in CONFIG

Commands (build-clip COMMAND --help for each):
  batch CONFIG...               many configs on a bounded pool, or a Dask cluster
  check CONFIG                  validate the config, media and subtitle files; lint report
  transcribe MEDIA...           word-level transcripts, and subtitles from them
  search PATTERN MEDIA...       find what was said, and where, as cuts to paste
  subs CONFIG                   the clip-time subtitle files translators work from
  export CONFIG                 a clip's edit for an NLE (OTIO, EDL, FCP XML)
  models                        the Whisper models, where they live, their hashes
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
        help="list what would be built and why, with the exact ffmpeg commands; write nothing",
    )
    add_build_options(p)
    add_common_options(p)
    return p


def cmd_build(args: argparse.Namespace, out: Console, err: Console) -> int:
    config = verifying(load(args.config)) if args.verify else load(args.config)
    require_clips(config, args.clip)

    with audio_progress(err, args.quiet, "transcribing") as on_transcribe:
        plan = plan_build(config, tuple(args.clip), on_transcribe)

    def warn(f: Finding) -> None:
        if not args.quiet:
            err.print(
                f"warning: {f.where}: [{f.lang}] {f.message} ({f.rule})",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )

    # The lint of `build-clip check`, from the same plan: its warnings are shown, its errors
    # stop here; each clip's manifest records its warnings (its review page shows them).
    lint = lint_gate(config, plan.findings, args.clip, warn)
    planned = replace(check_plan(config, plan, args.force, args.strict), lint=lint)
    if args.dry_run:
        _print_plan(planned, out)
        return ExitStatus.OK
    return _build(planned, args, out, err)


def _build(planned: Planned, args: argparse.Namespace, out: Console, err: Console) -> int:
    """Render what is not up to date through the pool (`-j`), then say what was done."""
    pool = LocalPool(args.jobs)
    try:
        with Display(err, args.quiet) as display:
            options = Options(force=args.force, strict=args.strict)
            summary = run_batch([planned], options, pool, display.hooks())
    finally:
        pool.close()
    print_errors(summary, err, args.debug)
    if summary.failed:
        return ExitStatus.FAILED
    if not args.quiet:
        folders = sorted({str(j.output.parent) for j in planned.plan.jobs})
        out.print(
            f"built {summary.count('built')} video(s), {summary.count('up to date')} up to date, "
            f"in {', '.join(folders)}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    return ExitStatus.OK


def _print_plan(planned: Planned, out: Console) -> None:
    """What a build would write, and why each output would be rendered (or is up to date)."""
    cues = dict(planned.plan.sidecars)
    for path, _ in sidecar_changes(planned.plan):
        out.print(
            f"write {path} ({len(cues[path])} cues)", highlight=False, markup=False, soft_wrap=True
        )
    for check in planned.checks:
        job = check.job
        if check.why is None:
            out.print(f"up to date {job.output}", highlight=False, markup=False, soft_wrap=True)
            continue
        out.print(
            f"render {job.output} ({float(job.timeline.duration):.3f} s, "
            f"{len(job.timeline.spans)} cuts, burn {job.lang}): {check.why}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        # Every command its render runs, in order (pipeline/run/commands.py: what is marked).
        commands = render_commands(job, planned.plan)
        notes = [NOTE] if job.audio is not None else []
        for line in [shlex.join(argv) for argv in commands] + notes:
            out.print("  " + line, highlight=False, markup=False, soft_wrap=True)


# Sub-commands, imported only when used so that `build-clip CONFIG` starts fast.
COMMANDS = {
    "batch": "pipeline.cli.batch",
    "transcribe": "pipeline.cli.transcribe",
    "models": "pipeline.cli.models",
    "check": "pipeline.cli.check",
    "search": "pipeline.cli.search",
    "subs": "pipeline.cli.subs",
    "export": "pipeline.cli.export",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # soft_wrap: a line is never broken by rich (a long path would split a search hit or a
    # one-line error in two when the output is a pipe); the terminal wraps what it shows.
    out = Console(highlight=False, emoji=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)
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
        with signals.ending_signals():
            return handler(args, out, err)
    except PipelineError as e:
        if args.debug:
            raise
        for line in str(e).splitlines():
            err.print(f"error: {line}", highlight=False, markup=False, soft_wrap=True)
        return e.exit_code
    except signals.Ended as e:  # docker stop, a closed terminal: cleaned up as for Ctrl-C
        with contextlib.suppress(OSError):  # the terminal may be gone
            err.print(f"stopped by {e.name}: no partial output was kept", highlight=False)
        return 128 + e.signum  # as a shell reports a program that a signal ended
    except KeyboardInterrupt:
        err.print("interrupted: no partial output was kept", highlight=False)
        return ExitStatus.INTERRUPTED
