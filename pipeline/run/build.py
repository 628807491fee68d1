"""Build one config: check which outputs are up to date, render the rest, record the inputs.

The steps are module-level functions of plain, picklable values, so that the local pool and
a Dask cluster (pipeline/run/pools.py) run the very same code.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config.load import load, verifying
from pipeline.config.schema import Config, RedactSpec
from pipeline.core import ffmpeg
from pipeline.core.errors import BuildError, FfmpegError, PipelineError
from pipeline.core.files import atomic_path, temp_folder
from pipeline.core.stamps import file_sha256
from pipeline.prepare.lint import lint_gate
from pipeline.prepare.plan import ClipPlan, Job, Plan, plan_build
from pipeline.publish.manifest import (
    Inputs,
    changed,
    fingerprint,
    output_inputs,
    read_manifest,
    source_hashes,
)
from pipeline.publish.output_record import Loudness, Measured, OutputRecord, Privacy
from pipeline.publish.review import shown_index
from pipeline.render import loudness, thumbnails
from pipeline.render.command import plan_render
from pipeline.render.finish import Finish
from pipeline.render.loudness import measure_output
from pipeline.render.thumbnails import wanted_frames
from pipeline.run.hearing import check_words, heard_words, hearing
from pipeline.run.pools import OnProgress
from pipeline.subtitles.lint import Finding
from pipeline.subtitles.write import to_ass, to_srt
from pipeline.verify import privacy
from pipeline.verify.words import check_cuts

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    """One output, the inputs it would be built from, and why it must be built (None: it is
    up to date)."""

    job: Job
    inputs: Inputs
    why: str | None


@dataclass(frozen=True)
class Planned:
    """A planned config: its plan, a check of every output, and the lint warnings of each
    clip (None when this run did not lint: every output was up to date)."""

    config: Path
    plan: Plan
    checks: tuple[Check, ...]
    lint: Mapping[str, tuple[Finding, ...]] | None = None
    redact: tuple[RedactSpec, ...] = ()  # the config's, for the shareable output folder

    def clip_checks(self, clip: ClipPlan) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.job.clip == clip.name)


def command_for(
    job: Job, plan: Plan, tmp: Path, output: Path, finish: Finish | None = None
) -> ffmpeg.FfmpegCommand:
    """The ffmpeg command of one job, writing to ``output``; its subtitle files are in ``tmp``
    (see ``subtitle_files``), and so are the review page's thumbnails when this job's output
    is the one the page plays (see ``review_stills``). ``finish`` defaults to the job's
    (without loudness figures)."""
    burn, soft = subtitle_files(job, tmp)
    cards = [tmp / f"card{k}.ass" if text else None for k, text in enumerate(job.card_texts)]
    spans = review_stills(job, plan)
    stills = (wanted_frames(spans), tmp / "stills") if spans else None
    return plan_render(
        job.timeline,
        plan.media,
        job.spec,
        output,
        burn,
        soft,
        finish or job.finish,
        cards,
        stills,
    )


def review_stills(job: Job, plan: Plan) -> list[tuple[int, int]]:
    """The first and last frame of each cut, when ``job`` makes the video that the clip's
    review page plays and shows thumbnails of (pipeline/publish/review.py ``shown_index``); else
    nothing.

    The frames are the manifest's (its clip's timeline); a job on another timeline (another
    frame rate) leaves the thumbnails to the review page's own pass.
    """
    clip = next((c for c in plan.clips if c.name == job.clip), None)
    if clip is None or job.timeline != clip.timeline:
        return []
    k = shown_index([j.lang for j in clip.jobs])
    if k is None or clip.jobs[k].output != job.output:
        return []
    return [ts.screen_frames(clip.timeline.fps) for ts in clip.timeline.spans]


def loudness_finish(job: Job, plan: Plan, on_progress: OnProgress | None = None) -> Finish:
    """The job's finish with pass 2 of loudness normalisation, from a measuring pass 1."""
    return loudness.normalised(
        job.finish, job.audio, job.timeline, plan.media, job.output, on_progress
    )


def check_privacy(job: Job, path: Path) -> Measured:
    """Fail the build when the output carries anything beyond the allow-list; else return
    what the manifest records of the file: its hash, its loudness and the scan."""
    probed, loudness = measure_output(path)
    findings = privacy.scan(probed, len(job.soft))
    if findings:
        raise BuildError(f"{job.output}: privacy scan failed: {'; '.join(findings)}")
    target = job.audio.loudness if job.audio else None
    return Measured(file_sha256(path), Loudness(loudness, target), Privacy.of(findings))


def subtitle_files(job: Job, tmp: Path) -> tuple[Path | None, list[tuple[str, Path]]]:
    """Where a job's burned ASS and its soft SRT tracks go in a temp folder (safe names)."""
    burn = tmp / "burn.ass" if job.cues else None
    return burn, [(lang, tmp / f"soft{k}.srt") for k, (lang, _) in enumerate(job.soft)]


def plan_config(
    path: Path,
    clips: tuple[str, ...] = (),
    force: bool = False,
    verify: bool = False,
    strict: bool = False,
) -> Planned:
    """Load, plan and check one config (a task of a batch); ``verify`` and ``strict``: as
    ``--verify`` and ``--strict``. The lint is the plan's, through the gate of
    `build-clip CONFIG`: its warnings are logged, its errors stop this config (a row of the
    batch's summary, like any bad input).

    Raises:
        InputError: every problem of the config, its media or its subtitles.
    """
    config = verifying(load(path)) if verify else load(path)
    plan = plan_build(config, clips)
    lint = lint_gate(config, plan.findings, clips, log_warning)
    return replace(check_plan(config, plan, force, strict), lint=lint)


def log_warning(f: Finding) -> None:
    """A lint warning, as a batch shows it (in its log)."""
    log.warning("%s: [%s] %s (%s)", f.where, f.lang, f.message, f.rule)


def check_plan(config: Config, plan: Plan, force: bool = False, strict: bool = False) -> Planned:
    """Compare every output with its clip's manifest: what must be built, and why.

    With ``strict``, a verified output kept by an earlier build although its words were not
    all heard is built again, so that it fails (``--strict`` keeps no such output).
    """
    checks = []
    for clip in plan.clips:
        hashes = source_hashes(clip, plan.media)
        last = read_manifest(clip)
        old = last.outputs if last else {}
        unheard = strict and any(
            c.verification is not None and c.verification.get("status") == "failed"
            for c in (last.cuts if last else ())
        )
        for job in clip.jobs:
            inputs = output_inputs(
                clip, job, hashes, config.project.sources, config.project.transcription
            )
            why = "--force" if force else stale(job, inputs, old.get(job.output.name))
            if why is None and unheard and job.verify is not None:
                why = "its words were not all heard when it was built (--strict)"
            checks.append(Check(job, inputs, why))
    return Planned(config.path, plan, tuple(checks), redact=config.project.redact)


def stale(job: Job, inputs: Inputs, record: OutputRecord | None) -> str | None:
    """Why an output must be built, or None when its manifest records the same inputs."""
    if not job.output.exists():
        return "not built yet"
    if record is None or not record.fingerprint:
        return "no record of its inputs in the manifest"
    if record.sha256 != file_sha256(job.output):
        return "the output was changed since it was built"
    if record.fingerprint == fingerprint(inputs):
        return None
    return "inputs changed" if record.inputs is None else changed(record.inputs, inputs)


def render_job(
    job: Job, plan: Plan, on_progress: OnProgress | None, strict: bool = False
) -> Measured:
    """Render one MP4: subtitles into temp files, ffmpeg into a temp file, then rename; then
    put the thumbnails the render made for the review page in place. Returns what was
    measured of the MP4, for its manifest (see ``pipeline.run.publishing.publish_clip``).

    With ``job.verify``, the output is heard again before the rename; with ``strict``, a cut
    whose words are not heard fails the render and keeps no output (else: a warning).
    """
    with temp_folder() as tmp:
        measured = _render(job, plan, tmp, on_progress, strict)
        spans = review_stills(job, plan)
        if spans:
            try:
                thumbnails.install(
                    job.output.parent, job.output.name, measured.sha256, spans,
                    tmp / "stills",
                )  # fmt: skip
            except (OSError, PipelineError) as e:  # the review page makes its own
                log.warning("%s: thumbnails not kept (%s)", job.output, e)
    log.info("wrote %s (%.3f s)", job.output, float(job.timeline.duration))
    return measured


def _render(
    job: Job, plan: Plan, tmp: Path, on_progress: OnProgress | None, strict: bool = False
) -> Measured:
    # The bar: the measuring pass first (30%), the encode, then the listening pass (20%).
    scan = 0.3 if job.audio is not None else 0.0
    listen = 0.2 if job.verify is not None else 0.0
    with atomic_path(job.output) as partial:
        (tmp / "stills").mkdir()
        burn, soft = subtitle_files(job, tmp)
        if burn is not None:
            burn.write_text(to_ass(job.cues, job.style), encoding="utf-8")
        for (_, path), (_, cues) in zip(soft, job.soft, strict=True):
            path.write_text(to_srt(cues), encoding="utf-8")
        for k, text in enumerate(job.card_texts):
            if text:
                (tmp / f"card{k}.ass").write_text(text, encoding="utf-8")
        if job.verify is not None:  # the model loads while the encode runs
            from pipeline.analysis.transcribe.run import preload

            preload(hearing(job.verify.transcription))
        try:  # every pass reports progress, so a stopping pool can stop each one
            finish = loudness_finish(job, plan, _share(on_progress, 0.0, scan))
            command = command_for(job, plan, tmp, partial, finish)
            ffmpeg.run(command, _share(on_progress, scan, 1.0 - scan - listen))
        except FfmpegError as e:  # name the output the user asked for, not the temp file
            raise FfmpegError(e.argv, e.returncode, e.stderr_tail, job.output) from None
        privacy.clear_compressor_name(partial)
        if job.verify is None:
            measured = check_privacy(job, partial)
        else:  # the scan (ffprobe, ebur128) beside the hearing: both only read the file
            with ThreadPoolExecutor(1, thread_name_prefix="build-clip-scan") as scanner:
                scanned = scanner.submit(check_privacy, job, partial)
                try:
                    heard = heard_words(
                        job, plan, partial, _share(on_progress, 1.0 - listen, listen)
                    )
                except BaseException:
                    scanned.exception()  # waited for; the first error is the one told
                    raise
                measured = scanned.result()  # a leak fails the build before any word is judged
            check_words(job, check_cuts(job.verify.cuts, heard), strict)
        if on_progress is not None:  # the last word of a stopping pool (Ctrl-C) before the
            on_progress(1.0)  # rename: a build that was stopped keeps no output of it
    return measured


def _share(on_progress: OnProgress | None, start: float, size: float) -> OnProgress | None:
    """``on_progress`` for one pass of several: its 0..1 shown as ``start..start+size``."""
    if on_progress is None:
        return None
    report = on_progress
    return lambda fraction: report(start + size * fraction)
