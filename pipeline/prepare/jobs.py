"""One clip placed in every rendition: its timeline, its subtitles, the MP4s to render (pure).

Each rendition is placed once, and its bumpers and cards (``branding.extras``) are made once:
the timeline leaves room for them, and the jobs carry them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from pipeline.config.schema import (
    AudioSpec,
    ClipSpec,
    Config,
    RedactSpec,
    RenditionSpec,
    SourceSpec,
    TranscriptionSpec,
)
from pipeline.core.errors import InputError
from pipeline.core.model import Cue, MediaInfo, Span, Timeline
from pipeline.core.redaction import terms
from pipeline.edit.cuts import ResolvedCut
from pipeline.edit.timeline import build_timeline
from pipeline.prepare.cues import ass_style, clip_cues, layout_rules, rewrap
from pipeline.prepare.faces import faces_of
from pipeline.prepare.facts import Facts
from pipeline.render.branding import CardSettings, extras
from pipeline.render.finish import Extra, Finish
from pipeline.render.redact import clip_redactions, redact_cues
from pipeline.render.voice import Disguise
from pipeline.subtitles.write import AssStyle
from pipeline.verify.words import PlannedCut, planned_cuts

NOSUBS = "nosubs"
XFADE = {"dissolve": "fade", "fade-black": "fadeblack"}  # ffmpeg xfade transition names


@dataclass(frozen=True)
class Verify:
    """Words heard again after rendering (``verify: words``): what each cut should say on
    the clip, and the transcription that listens (the sources' engine and model)."""

    cuts: tuple[PlannedCut, ...]
    transcription: TranscriptionSpec | None = None


@dataclass(frozen=True)
class Job:
    """One MP4 to render: a clip, in one rendition, with one language burned (or none)."""

    clip: str
    rendition: str
    lang: str
    output: Path
    timeline: Timeline
    spec: RenditionSpec
    cues: tuple[Cue, ...]
    style: AssStyle
    soft: tuple[tuple[str, tuple[Cue, ...]], ...] = ()
    finish: Finish = field(default_factory=Finish)
    audio: AudioSpec | None = None  # the loudness target, or None to leave levels alone
    card_texts: tuple[str | None, ...] = ()  # ASS of each card in finish.lead + finish.tail
    verify: Verify | None = None  # transcribe the output and check its words (verify: words)


@dataclass(frozen=True)
class ClipPlan:
    """One clip: its cuts as written, placed on the timeline of its first rendition."""

    name: str
    folder: Path
    spec: ClipSpec
    timeline: Timeline
    tracks: Mapping[str, tuple[Cue, ...]]
    jobs: tuple[Job, ...]
    cuts: tuple[ResolvedCut, ...] = ()


def clip_fps(
    spec: RenditionSpec, cuts: Sequence[ResolvedCut], media: Mapping[str, MediaInfo]
) -> Fraction:
    """The output rate: the rendition's ``fps``, else the rate of the clip's first source."""
    return Fraction(spec.fps).limit_denominator(1001) if spec.fps else media[cuts[0].source].fps


def clip_timeline(
    config: Config,
    name: str,
    cuts: Sequence[ResolvedCut],
    fps: Fraction,
    lead: Sequence[Extra] = (),
    tail: Sequence[Extra] = (),
) -> Timeline:
    """The clip's cuts placed on its output frames after ``lead`` and before ``tail``,
    overlapping by the transition if any.

    Raises:
        InputError: a cut too short for the transition on both of its ends.
    """
    transition = config.project.clips[name].transition
    overlap = (
        round(Fraction(transition.duration).limit_denominator(1000) * fps)
        if transition and len(cuts) > 1
        else 0
    )
    timeline = build_timeline(
        [(c.source, c.span) for c in cuts],
        fps,
        overlap,
        sum(e.frames for e in lead),
        sum(e.frames for e in tail),
    )
    short = [i for i, ts in enumerate(timeline.spans) if ts.frames <= 2 * overlap]
    if short and transition:
        seconds_long = timeline.spans[short[0]].src.duration_ms / 1000
        raise InputError(
            [
                config.problem(
                    ("clips", name, "transition", "duration"),
                    f"cut {short[0] + 1} lasts {seconds_long:g} s, too short for "
                    f"{transition.duration:g} s transitions at both ends "
                    "(expected cuts longer than twice the transition)",
                )
            ]
        )
    return timeline


def plan_clip(
    config: Config, name: str, clip: ClipSpec, cuts: Sequence[ResolvedCut], facts: Facts
) -> ClipPlan:
    """Place one clip's cuts and subtitles for every rendition, each once.

    Raises:
        InputError: a cut too short for the transition in one of the renditions.
    """
    project = config.project
    transition = clip.transition.type if clip.transition else "dissolve"
    folder = project.output / name
    burn = clip.subtitles.burn
    if "all" in burn:  # every language, plus a clean copy if "nosubs" is listed too
        burn = (*clip.subtitles.languages, *(b for b in burn if b == NOSUBS))
    jobs: list[Job] = []
    first: tuple[Timeline, dict[str, tuple[Cue, ...]]] | None = None
    faces = faces_of(config, clip)
    hidden = tuple(
        (sid, track)
        for sid, found in sorted(facts.faces.items())
        if faces is not None and sid in {c.source for c in cuts}
        for track in found.tracks
        if f"{sid}/{track.id}" not in faces.keep
    )
    for rname, spec in project.renditions.items():
        fps = clip_fps(spec, cuts, facts.media)
        lead, tail, card_texts = extras(
            CardSettings(project.redact, project.style.font), clip, facts.media, fps, spec.size
        )
        timeline = clip_timeline(config, name, cuts, fps, lead, tail)
        rules = layout_rules(spec)
        redactions = clip_redactions(project.redact, timeline, facts.transcripts)
        used = {ts.source for ts in timeline.spans}
        named = [r for r in project.redact if r.words and r.source in used]
        # A replacement can be longer than what it hides: laid out again where it must be.
        tracks = {
            lang: rewrap(
                redact_cues(
                    clip_cues(
                        clip, lang, timeline, project.sources, facts.cues, facts.texts, rules, cuts
                    ),
                    redactions,
                    named,
                    lang,
                ),
                lang,
                rules,
            )
            for lang in clip.subtitles.languages
        }
        first = first or (timeline, tracks)
        silenced = [r.span for _, r in redactions if r.audio]
        verify = verify_plan(
            project.verify, project.transcription, project.redact, cuts, timeline, silenced
        )  # the same for every language burned on this timeline
        jobs += [
            Job(
                name,
                rname,
                lang,
                folder / f"{name}.{rname}.{lang}.mp4",
                timeline,
                spec,
                tracks.get(lang, ()),
                ass_style(spec, project.style, lang),
                tuple(tracks.items()),
                Finish(
                    tuple(r for _, r in redactions),
                    transition=XFADE[transition],
                    logo=project.branding.logo,
                    lead=lead,
                    tail=tail,
                    disguise=disguise(clip, project.sources, used),
                    faces=hidden,
                    face_mode=faces.mode if faces else "blur",
                ),
                project.audio if project.audio.loudness is not None else None,
                card_texts,
                verify,
            )
            for lang in burn or (NOSUBS,)
        ]
    assert first is not None
    return ClipPlan(name, folder, clip, first[0], first[1], tuple(jobs), tuple(cuts))


def disguise(clip: ClipSpec, sources: Mapping[str, SourceSpec], used: set[str]) -> Disguise:
    """The semitones each source of a clip is shifted by: the clip's ``voice``, else the
    source's; a source without either keeps its voice."""
    shifts = {
        sid: voice.disguise
        for sid in sorted(used)
        if (voice := clip.voice or sources[sid].voice) is not None
    }
    return tuple(shifts.items())


def verify_plan(
    mode: str,
    transcription: TranscriptionSpec | None,
    redact: Sequence[RedactSpec],
    cuts: Sequence[ResolvedCut],
    timeline: Timeline,
    silenced: Sequence[Span] = (),
) -> Verify | None:
    """What the output of ``timeline`` should be heard to say, when ``mode`` is ``words``.

    A word whose sound is bleeped or muted (``silenced``, clip time) is not to be heard,
    and neither may the words of a redaction be that bleeps or mutes them; a redaction of
    the text alone keeps the spoken word on purpose.
    """
    if mode != "words":
        return None
    redacted = [
        tuple(
            form
            for r in redact
            if r.source == cut.source and r.audio
            for t in terms(r.words)
            for form in t.written(None)  # a form of the name heard again is the name
        )
        for cut in cuts
    ]
    kept = [
        [
            w
            for w in cut.words
            if not any(
                Span(w.span.start_ms + ts.shift_ms, w.span.end_ms + ts.shift_ms).intersect(s)
                for s in silenced
            )
        ]
        for cut, ts in zip(cuts, timeline.spans, strict=True)
    ]
    return Verify(planned_cuts(kept, timeline, redacted), transcription)
