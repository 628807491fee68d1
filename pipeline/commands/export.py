"""``build-clip export CONFIG --format otio|edl|fcpxml|xml``: a clip's edit for an editor's NLE.

The timeline references the original source files at the source timecodes (in frames of the
clip's output rate), with a marker for each quote and redaction; nothing is rendered.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from pipeline.cli import _common
from pipeline.config import load, require_clips
from pipeline.errors import ConfigError, Problem
from pipeline.export import FORMATS, Mark, build_otio, quote_marks, redaction_marks, to_string
from pipeline.files import write_text
from pipeline.manifest import read_manifest
from pipeline.plan import ClipPlan, check_outputs, plan_build

DESCRIPTION = """\
Write each clip's edit as a timeline an editor can open in an NLE, through OpenTimelineIO:
every cut references its original source file at the source timecodes, with markers for
quotes and redactions. Nothing is rendered.

formats:
""" + "".join(f"  {name:7} {f.description} (<clip>{f.suffix})\n" for name, f in FORMATS.items())


def make_parser() -> argparse.ArgumentParser:
    """Options of ``build-clip export``."""
    p = argparse.ArgumentParser(
        prog="build-clip export",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("config", type=Path, help="the YAML cut list")
    p.add_argument("--format", required=True, choices=list(FORMATS), help="the file format")
    p.add_argument(
        "--clip", action="append", default=[], metavar="NAME", help="export only this clip"
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PATH",
        help="write here (one clip only) instead of out/<clip>/<clip>.<suffix>",
    )
    _common(p)
    return p


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Export every chosen clip; return the exit status."""
    config = load(args.config)
    names = list(config.project.clips)
    require_clips(config, args.clip or ())
    if args.output and len(args.clip or names) != 1:
        message = "-o names one file: choose one clip with --clip NAME"
        raise ConfigError([Problem(args.config, None, "", message)])
    plan = plan_build(config, tuple(args.clip))
    fmt = FORMATS[args.format]
    paths = {c.name: args.output or c.folder / f"{c.name}{fmt.suffix}" for c in plan.clips}
    check_outputs(config, list(paths.values()))
    for clip in plan.clips:
        timeline = build_otio(clip.name, clip.timeline, plan.media, marks(clip))
        write_text(paths[clip.name], to_string(timeline, args.format))
        if not args.quiet:
            out.print(
                f"wrote {paths[clip.name]} ({len(clip.timeline.spans)} cuts, "
                f"{clip.timeline.frames} frames at {float(clip.timeline.fps):g} fps)",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
    return 0


def marks(clip: ClipPlan) -> list[Mark]:
    """The clip's quotes (from its cuts) and redactions (from its last manifest, if built)."""
    quotes = [cut.quote for cut in clip.spec.cuts]
    redactions = read_manifest(clip).get("redactions")
    return quote_marks(quotes, clip.timeline) + redaction_marks(redactions, clip.timeline)
