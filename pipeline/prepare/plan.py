"""From a loaded config to the list of outputs to make: probe, check cuts, place, subtitle."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

from pipeline.analysis.fonts import check_card_glyphs, check_glyphs
from pipeline.analysis.media import probe
from pipeline.config.schema import (
    AudioSpec,
    ClipSpec,
    Config,
    RedactSpec,
    RenditionSpec,
    StyleSpec,
    TranscriptionSpec,
)
from pipeline.core.errors import InputError, MediaError, Problem, SubtitleError
from pipeline.core.languages import default_font, is_rtl, script_scale
from pipeline.core.model import Cue, MediaInfo, Span, Timeline, Transcript
from pipeline.core.redaction import terms
from pipeline.edit.cuts import ResolvedCut, resolve_cuts
from pipeline.edit.timeline import build_timeline, map_cues
from pipeline.render.branding import card_font, extras, probe_bumpers, shown
from pipeline.render.finish import Finish
from pipeline.render.redact import clip_redactions, redact_cues
from pipeline.subtitles.limits import SubtitleRules, rules_for
from pipeline.subtitles.read import read_srt
from pipeline.subtitles.segment import layout
from pipeline.subtitles.write import AssStyle
from pipeline.verify.words import PlannedCut, planned_cuts

log = logging.getLogger(__name__)

TranscribeProgress = Callable[[float, float], None]

NOSUBS = "nosubs"


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


@dataclass(frozen=True)
class Plan:
    """Everything a build will write: MP4 jobs, subtitle sidecars (path, cues), manifests."""

    jobs: tuple[Job, ...]
    sidecars: tuple[tuple[Path, tuple[Cue, ...]], ...]
    media: Mapping[str, MediaInfo]
    clips: tuple[ClipPlan, ...] = ()


def probe_sources(config: Config, names: set[str]) -> dict[str, MediaInfo]:
    """Probe every named source, reporting all unusable ones at once."""
    media, problems = {}, []
    for sid in sorted(names):
        spec = config.project.sources[sid]
        try:
            media[sid] = probe(spec.file)
        except MediaError as e:
            line = config.line(("sources", sid))
            problems += [
                Problem(config.path, line, f"sources.{sid}", f"{p.path}: {p.message}")
                for p in e.problems
            ]
    if problems:
        raise MediaError(problems)
    return media


def needs_transcripts(config: Config, clips: Mapping[str, ClipSpec]) -> bool:
    """Sources get a transcript when the config has a transcription section or needs one."""
    project = config.project
    return (
        project.transcription is not None
        or project.verify == "words"
        or any(r.words for r in project.redact)
        or any(
            cut.quote is not None or "transcript" in clip.subtitles.languages.values()
            for clip in clips.values()
            for cut in clip.cuts
        )
    )


def load_transcripts(
    config: Config,
    clips: Mapping[str, ClipSpec],
    media: Mapping[str, MediaInfo],
    on_progress: TranscribeProgress | None = None,
) -> dict[str, Transcript]:
    """The transcript of every source the clips use, through the cache, when one is needed."""
    if not needs_transcripts(config, clips):
        return {}
    from pipeline.analysis.transcribe import load_or_transcribe, settings_for

    settings = settings_for(config.project.transcription)
    used = sorted({cut.source for clip in clips.values() for cut in clip.cuts})
    return {sid: load_or_transcribe(media[sid].path, settings, on_progress) for sid in used}


def plan_build(
    config: Config,
    only_clips: tuple[str, ...] = (),
    on_transcribe: TranscribeProgress | None = None,
) -> Plan:
    """Probe, transcribe (cached), check and place every clip; list outputs and sidecars.

    Raises:
        InputError: every problem found, each with file and line.
    """
    project = config.project
    clips = {n: c for n, c in project.clips.items() if not only_clips or n in only_clips}
    media = probe_sources(config, {c.source for clip in clips.values() for c in clip.cuts})
    media |= probe_bumpers(config)
    transcripts = load_transcripts(config, clips, media, on_transcribe)
    plans: list[ClipPlan] = []
    problems: list[Problem] = []
    for name, clip in clips.items():
        try:
            plans.append(plan_clip(config, name, clip, media, transcripts))
        except InputError as e:
            problems += e.problems
    if problems:
        raise InputError(problems)
    jobs = tuple(job for c in plans for job in c.jobs)
    sidecars = tuple(
        (c.folder / f"{c.name}.{lang}.{ext}", cues)
        for c in plans
        for lang, cues in c.tracks.items()
        for ext in ("srt", "vtt")
    )
    check_outputs(config, [j.output for j in jobs] + [p for p, _ in sidecars])
    return Plan(jobs, sidecars, media, tuple(plans))


def clip_fps(
    config: Config,
    cuts: list[ResolvedCut],
    media: Mapping[str, MediaInfo],
    spec: RenditionSpec | None = None,
) -> Fraction:
    """The output rate: the rendition's ``fps``, else the rate of the clip's first source."""
    spec = spec or next(iter(config.project.renditions.values()))
    return Fraction(spec.fps).limit_denominator(1001) if spec.fps else media[cuts[0].source].fps


XFADE = {"dissolve": "fade", "fade-black": "fadeblack"}  # ffmpeg xfade transition names


def clip_timeline(
    config: Config,
    name: str,
    cuts: Sequence[ResolvedCut],
    media: Mapping[str, MediaInfo],
    spec: RenditionSpec | None = None,
) -> Timeline:
    """The clip's cuts placed on its output frames, overlapping by the transition if any.

    Raises:
        InputError: a cut too short for the transition on both of its ends.
    """
    fps = clip_fps(config, list(cuts), media, spec)
    size = (spec or next(iter(config.project.renditions.values()))).size
    lead, tail, _ = extras(config, config.project.clips[name], media, fps, size)
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
    config: Config,
    name: str,
    clip: ClipSpec,
    media: Mapping[str, MediaInfo],
    transcripts: Mapping[str, Transcript],
) -> ClipPlan:
    """Place one clip's cuts and subtitles for every rendition."""
    project = config.project
    cuts = resolve_cuts(config, name, clip, media, transcripts)
    for cut in cuts:  # `build-clip check` reports the same, as findings
        for warning in cut.warnings:
            log.warning("%s", warning)
    transition = clip.transition.type if clip.transition else "dissolve"
    folder = project.output / name
    burn = clip.subtitles.burn
    if "all" in burn:  # every language, plus a clean copy if "nosubs" is listed too
        burn = (*clip.subtitles.languages, *(b for b in burn if b == NOSUBS))
    jobs: list[Job] = []
    first: tuple[Timeline, dict[str, tuple[Cue, ...]]] | None = None
    for rname, spec in project.renditions.items():
        timeline = clip_timeline(config, name, cuts, media, spec)
        lead, tail, card_texts = extras(config, clip, media, timeline.fps, spec.size)
        rules = rules_for(spec.size, chars=spec.subtitles.chars, lines=spec.subtitles.lines)
        redactions = clip_redactions(project.redact, timeline, transcripts)
        used = {ts.source for ts in timeline.spans}
        named = [r for r in project.redact if r.words and r.source in used]
        # A replacement can be longer than what it hides: laid out again where it must be.
        tracks = {
            lang: rewrap(
                redact_cues(
                    clip_cues(config, clip, lang, timeline, media, rules, cuts),
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
                ),
                project.audio if project.audio.loudness is not None else None,
                card_texts,
                verify,
            )
            for lang in burn or (NOSUBS,)
        ]
    assert first is not None
    check_fonts(config, name, jobs)
    return ClipPlan(name, folder, clip, first[0], first[1], tuple(jobs), tuple(cuts))


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


def check_fonts(config: Config, clip: str, jobs: list[Job]) -> None:
    """Fail before rendering when a burned cue or a card uses a character its font cannot
    draw (it would show as an empty box)."""
    burned = {j.lang: j.cues for j in jobs if j.cues}
    problems = [p for _, p in font_problems(config, clip, burned)]
    if problems:
        raise SubtitleError(problems)


def font_problems(
    config: Config, clip: str, burned: Mapping[str, Sequence[Cue]]
) -> list[tuple[str, Problem]]:
    """Every character that its font cannot draw, as (language, problem): in the cues of each
    burned language (their font, then the Latin one for the names and words in Latin
    letters), and on the clip's title and end cards (language ""). The build refuses them;
    ``build-clip check`` reports them."""
    style = config.project.style
    latin = style.font
    problems = [
        (lang, config.problem(("clips", clip, "subtitles", "languages", lang), p.message))
        for lang, cues in burned.items()
        for p in check_glyphs(cues, (burn_font(style, lang), latin), lang)
    ]
    spec = config.project.clips[clip]
    for key, card in (("title", spec.title), ("end", spec.end)):
        if card is None:
            continue
        field = f"clips.{clip}.{key}.font"
        text = shown(config, spec, card).text
        message = check_card_glyphs(text, (card_font(card, latin), latin), field)
        if message:
            problems.append(("", config.problem(("clips", clip, key, "text"), message)))
    return problems


def burn_font(style: StyleSpec, lang: str) -> str:
    """The font a language's subtitles are burned in: the style's for that language, else
    the script's default."""
    return style.fonts.get(lang) or default_font(lang, style.font)


def _spoken(transcript: Transcript) -> bool:
    """True for a transcript of what is said (the one cuts are resolved on), not a
    translation of it."""
    options = dict(transcript.provenance.options) if transcript.provenance else {}
    return options.get("task", "transcribe") == "transcribe"


def clip_cues(
    config: Config,
    clip: ClipSpec,
    lang: str,
    timeline: Timeline,
    media: Mapping[str, MediaInfo],
    rules: SubtitleRules | None = None,
    cuts: Sequence[ResolvedCut] = (),
) -> tuple[Cue, ...]:
    """The cues of one language on the clip's timeline, laid out in ``rules``' lines; cues
    from the transcript show each cut's own words (``cuts``), where it is in that language."""
    rules = rules or SubtitleRules()
    mode = clip.subtitles.languages[lang]
    if mode == "source":
        files = {c.source: config.project.sources[c.source].subtitles[lang] for c in clip.cuts}
        mapped = map_cues({sid: read_srt(path) for sid, path in files.items()}, timeline)
        return rewrap(mapped, lang, rules)
    if mode == "transcript":
        from pipeline.analysis.transcribe import transcript_for
        from pipeline.subtitles.segment import timeline_cues

        spec = config.project.transcription
        used = {ts.source for ts in timeline.spans}
        words = {sid: transcript_for(media[sid].path, spec, lang) for sid in sorted(used)}
        said = bool(cuts) and all(_spoken(words[c.source]) for c in cuts)
        return timeline_cues(
            words,
            timeline,
            lang,
            replace(rules_for(language=lang), max_chars=rules.max_chars, max_lines=rules.max_lines),
            [c.words for c in cuts] if said else None,
        )
    cues = read_srt(Path(mode))
    end = timeline.duration_ms
    return rewrap(
        [
            Cue(Span(c.span.start_ms, min(c.span.end_ms, end)), c.text)
            for c in cues
            if c.span.start_ms < end
        ],
        lang,
        rules,
    )


def rewrap(cues: Sequence[Cue], lang: str, rules: SubtitleRules) -> tuple[Cue, ...]:
    """Cues whose lines are too long for the frame, broken again into lines that fit.

    Translators' line breaks are kept wherever they fit: the text is only re-laid out when a
    line is longer than ``rules.max_chars``.
    """
    out = []
    for cue in cues:
        if all(len(line) <= rules.max_chars for line in cue.text.split("\n")):
            out.append(cue)
            continue
        # A replacement is one unit (no-break spaces, pipeline/core/redaction.py as_unit): words
        # are split at the other spaces only.
        words = re.split(r"[^\S\u00a0]+", cue.text.strip())
        # The fewest lines that fit: the rendition's count, or more only when the text needs it.
        lines = layout(words, lang, rules) or layout(words, lang, replace(rules, max_lines=4))
        out.append(Cue(cue.span, "\n".join(lines) if lines else cue.text))
    return tuple(out)


def ass_style(spec: RenditionSpec, style: StyleSpec, lang: str) -> AssStyle:
    """Font, direction and pixel sizes of one language's burned subtitles in one rendition."""
    w, h = spec.size
    portrait = h > w
    # A portrait frame is tall: the same share of its height would give huge letters, and
    # platforms draw their buttons over the bottom fifth (SUBTITLES.md, BBC vertical video).
    size = spec.subtitles.size or (style.size * 0.65 if portrait else style.size)
    margin = (
        spec.subtitles.margin
        if spec.subtitles.margin is not None
        else (max(style.margin, 0.2) if portrait else style.margin)
    )
    font_px = max(8, round(size * h * script_scale(lang)))
    return AssStyle(
        width=w,
        height=h,
        font=burn_font(style, lang),
        font_px=font_px,
        margin_px=round(margin * h),
        outline_px=round(style.outline * font_px, 1),
        rtl=is_rtl(lang),
    )


def _unwritable(folder: Path) -> str | None:
    """Why ``folder`` cannot be created or written to, or None when it can."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return "Not a directory"
    if os.statvfs(existing).f_flag & os.ST_RDONLY:
        return "Read-only file system"
    if not os.access(existing, os.W_OK | os.X_OK):
        return "Permission denied"
    return None


def check_outputs(config: Config, outputs: list[Path]) -> None:
    """Refuse to write over any source or subtitle input, or where nothing can be written."""
    for folder in sorted({p.parent for p in outputs}):
        reason = _unwritable(folder)
        if reason:
            raise InputError(
                [
                    config.problem(
                        ("output",),
                        f"{folder}: cannot create the output "
                        f"folder ({reason}; expected a folder that can "
                        "be written to)",
                    )
                ]
            )
    inputs = {
        p.resolve()
        for s in config.project.sources.values()
        for p in (s.file, *s.subtitles.values())
    }
    inputs |= {
        Path(m).resolve()
        for c in config.project.clips.values()
        for m in c.subtitles.languages.values()
        if m not in ("source", "transcript")
    }
    clash = [p for p in outputs if p.resolve() in inputs]
    if clash:
        raise InputError(
            [
                config.problem(
                    ("output",),
                    f"output {p} would overwrite an input "
                    "(expected an output folder apart from the sources)",
                )
                for p in clash
            ]
        )
