"""Hearing an output again (``verify: words``): the words Whisper hears in a rendered clip,
cached per sound, checked against the cuts the plan made, and recorded for the manifest."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import __version__
from pipeline.config.schema import TranscriptionSpec
from pipeline.core.errors import BuildError
from pipeline.core.model import Word
from pipeline.core.stamps import file_sha256
from pipeline.prepare.plan import ClipPlan, Job, Plan
from pipeline.run.pools import OnProgress
from pipeline.verify.words import CutCheck, check_cuts, record

if TYPE_CHECKING:
    from pipeline.analysis.transcribe import TranscribeSettings

log = logging.getLogger(__name__)


def hearing(spec: TranscriptionSpec | None) -> TranscribeSettings:
    """How an output is heard again: the config's engine, model and options, decoded greedily
    (a beam of 1). Verifying asks whether known words are there, not for the best transcript;
    greedy decoding costs about a third less on a CPU (README, Benchmarks)."""
    from pipeline.analysis.transcribe import settings_for

    return dataclasses.replace(settings_for(spec), beam_size=1)


def heard_key(job: Job, plan: Plan) -> str:
    """What the words heard in ``job``'s output depend on: its sources, its cuts on the clip,
    what is done to its sound, and the transcription. Outputs that differ only in picture
    (renditions of one frame rate, burned languages) share it, so one of them is heard."""
    assert job.verify is not None
    settings = hearing(job.verify.transcription)
    sources = sorted({ts.source for ts in job.timeline.spans})
    parts = json.dumps(
        [
            "heard",
            __version__,
            {sid: file_sha256(plan.media[sid].path) for sid in sources},
            dataclasses.asdict(job.timeline),
            [dataclasses.asdict(r) for r in job.finish.redactions],
            job.finish.transition,
            job.audio.model_dump(mode="json") if job.audio else None,
            [settings.engine, settings.model, settings.options()],
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(parts.encode()).hexdigest()


def heard_words(
    job: Job, plan: Plan, path: Path, on_progress: OnProgress | None = None
) -> tuple[Word, ...]:
    """The words heard in ``path`` (an output of ``job``, clip time), transcribed through the
    transcript cache: once for all the outputs that share ``heard_key``, and never again
    while it holds."""
    from pipeline.analysis.transcribe import cache, load_or_transcribe

    assert job.verify is not None
    key = heard_key(job, plan)
    with cache.locked(f"heard-{key}"):  # the other outputs with this sound wait, then reuse
        transcript = cache.load(key)
        if transcript is None:
            settings = hearing(job.verify.transcription)
            report = None if on_progress is None else _seconds(on_progress)
            transcript = load_or_transcribe(path, settings, report)
            cache.store(key, transcript)
    return transcript.words


def _seconds(on_progress: OnProgress) -> Callable[[float, float], None]:
    """A transcription's (seconds done, seconds in all) as a fraction."""
    return lambda done, total: on_progress(done / total if total else 1.0)


def check_words(job: Job, checks: Sequence[CutCheck], strict: bool) -> None:
    """Fail the build (``strict``) or warn for each cut whose words were not heard."""
    lines = [f"{job.output}: cut {c.number}: {'; '.join(c.reasons)}" for c in checks if not c.ok]
    if lines and strict:
        raise BuildError("\n".join(lines))
    for line in lines:
        log.warning("%s (the output is kept; --strict fails the build)", line)
    if not lines:
        log.info("%s: every cut is heard as planned", job.output)


def clip_verification(clip: ClipPlan, plan: Plan) -> list[dict[str, Any]] | None:
    """Each cut's verification for the manifest: from the words heard in an output on the
    clip's timeline (cached when it was rendered, else heard now), or None when the clip is
    not verified or none of those outputs exists."""
    from pipeline.analysis.transcribe import cache

    jobs = [j for j in clip.jobs if j.verify is not None and j.timeline == clip.timeline]
    if not jobs:
        return None
    job = jobs[0]
    assert job.verify is not None
    hit = cache.load(heard_key(job, plan))
    if hit is not None:
        heard = hit.words
    else:
        built = next((j for j in jobs if j.output.exists()), None)
        if built is None:
            return None
        heard = heard_words(built, plan, built.output)
    return [record(c) for c in check_cuts(job.verify.cuts, heard)]
