"""``build-clip export CONFIG --format otio|edl|fcpxml|xml``: a clip's edit for an editor's NLE.

The timeline references the original source files at the source timecodes (in frames of the
clip's output rate), with a marker for each quote and redaction; nothing is rendered. A clip
with redactions references its rendered, redacted MP4 instead (README, Export): a timeline is
shared like the rest of the output folder, and the unredacted source must not travel with it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from pipeline.analysis.media import probe
from pipeline.cli.common import add_common_options
from pipeline.config.load import load, require_clips
from pipeline.config.schema import RedactSpec
from pipeline.core.errors import BuildError, ConfigError, Problem
from pipeline.core.files import write_text
from pipeline.core.model import MediaInfo
from pipeline.core.stamps import file_sha256
from pipeline.prepare.plan import ClipPlan, check_outputs, plan_build
from pipeline.publish.export import (
    FORMATS,
    Mark,
    build_otio,
    clip_redaction_marks,
    quote_marks,
    to_string,
)
from pipeline.publish.manifest import read_manifest
from pipeline.publish.review import shown_index
from pipeline.publish.shareable import Redactor, redactor
from pipeline.verify.leaks import find

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
    add_common_options(p)
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
    hiding = redactor(config.project.redact)
    for clip in plan.clips:
        rendered = redacted_output(clip, config.project.redact)
        name = hiding.text(clip.name)
        timeline = build_otio(name, clip.timeline, plan.media, marks(clip, hiding), rendered)
        text = to_string(timeline, args.format)
        said = find(hiding.matcher, text)
        if said:  # a source's file name, say: the file would not be shareable
            where = ", ".join(f"line {line}" if line else "a string" for line, _ in said)
            raise BuildError(
                f"{paths[clip.name]}: not written: the timeline would say a redacted term "
                f"({where}; expected no redacted name in the sources' file names or clip names)"
            )
        write_text(paths[clip.name], text)
        if not args.quiet:
            media = f", media: {rendered.path.name}, redacted" if rendered else ""
            out.print(
                f"wrote {paths[clip.name]} ({len(clip.timeline.spans)} cuts, "
                f"{clip.timeline.frames} frames at {float(clip.timeline.fps):g} fps{media})",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
    return 0


def redacted_output(clip: ClipPlan, redact: tuple[RedactSpec, ...]) -> MediaInfo | None:
    """The rendered MP4 that a clip with redactions is exported on (None: the clip has none,
    its cuts reference their sources): the one its review page plays, as its manifest
    records it.

    Raises:
        BuildError: the clip has redactions but that output is not built, or was changed.
    """
    sources = {c.source for c in clip.spec.cuts}
    if not any(r.source in sources for r in redact) or not clip.jobs:
        return None
    job = clip.jobs[shown_index([j.lang for j in clip.jobs]) or 0]
    last = read_manifest(clip)
    record = None if last is None else last.outputs.get(job.output.name)
    if record is None or not job.output.is_file() or record.sha256 != file_sha256(job.output):
        raise BuildError(
            f"{job.output}: clip {clip.name!r} has redactions, so its timeline references its "
            "rendered, redacted video, which is not built or not as built (expected: "
            "build-clip CONFIG first)"
        )
    return probe(job.output)


def marks(clip: ClipPlan, hiding: Redactor | None = None) -> list[Mark]:
    """The clip's quotes (from its cuts) and redactions (as the plan places them on the clip:
    never a manifest on disk, which can be stale), their labels with every redacted term
    replaced."""
    hiding = hiding or Redactor()
    quotes = [hiding.text(cut.quote) if cut.quote else None for cut in clip.spec.cuts]
    found = quote_marks(quotes, clip.timeline)
    if clip.jobs:  # the redactions are the same in every output (their first job's timeline)
        first = clip.jobs[0]
        spans = [r.span for r in first.finish.redactions]
        found += clip_redaction_marks(spans, first.timeline)
    return [Mark(m.kind, m.source, m.span, hiding.text(m.label)) for m in found]
