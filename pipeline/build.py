"""Run a plan: write sidecars, then render each MP4 with one ffmpeg process."""

from __future__ import annotations

import functools
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from pipeline import ffmpeg
from pipeline.errors import FfmpegError
from pipeline.files import atomic_path, write_text
from pipeline.plan import Job, Plan
from pipeline.privacy import clear_compressor_name
from pipeline.render import plan_render
from pipeline.subtitles.write import to_ass, to_srt, to_vtt

log = logging.getLogger(__name__)

Progress = Callable[[Job, float], None]


def command_for(job: Job, plan: Plan, subtitles: Path | None, output: Path) -> ffmpeg.FfmpegCommand:
    """The ffmpeg command of one job, writing to ``output``."""
    return plan_render(job.timeline, plan.media, job.spec, subtitles if job.cues else None, output)


def write_sidecars(plan: Plan) -> None:
    """SRT and WebVTT files of every language, in clip time."""
    for path, cues in plan.sidecars:
        write_text(path, to_srt(cues) if path.suffix == ".srt" else to_vtt(cues))
        log.info("wrote %s (%d cues)", path, len(cues))


def render_job(job: Job, plan: Plan, on_progress: Callable[[float], None]) -> None:
    """Render one MP4: subtitles into a temp ASS, ffmpeg into a temp file, then rename."""
    with (
        tempfile.TemporaryDirectory(prefix="build-clip-") as tmp,
        atomic_path(job.output) as partial,
    ):
        ass = Path(tmp) / "burn.ass"
        if job.cues:
            ass.write_text(to_ass(job.cues, job.style), encoding="utf-8")
        try:
            ffmpeg.run(command_for(job, plan, ass, partial), on_progress)
        except FfmpegError as e:  # name the output the user asked for, not the temp file
            raise FfmpegError(e.argv, e.returncode, e.stderr_tail, job.output) from None
        clear_compressor_name(partial)
    log.info("wrote %s (%.3f s)", job.output, float(job.timeline.duration))


def run_plan(plan: Plan, on_progress: Progress) -> None:
    """Write every sidecar and render every job, in order."""
    write_sidecars(plan)
    for job in plan.jobs:
        render_job(job, plan, functools.partial(on_progress, job))
