"""From a loaded config to the list of outputs to make: probe, check cuts, place, subtitle."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from pipeline.config import ClipSpec, Config, RenditionSpec, StyleSpec
from pipeline.errors import InputError, MediaError, Problem
from pipeline.media import probe
from pipeline.model import Cue, MediaInfo, Span, Timeline
from pipeline.subtitles.read import read_srt
from pipeline.subtitles.write import AssStyle
from pipeline.timecode import format_ms
from pipeline.timeline import build_timeline, map_cues

NOSUBS = "nosubs"


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


@dataclass(frozen=True)
class Plan:
    """Everything a build will write: MP4 jobs and subtitle sidecars (path, text)."""

    jobs: tuple[Job, ...]
    sidecars: tuple[tuple[Path, tuple[Cue, ...]], ...]
    media: Mapping[str, MediaInfo]


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


def resolve_cuts(
    config: Config, name: str, clip: ClipSpec, media: Mapping[str, MediaInfo]
) -> list[tuple[str, Span]]:
    """Cuts in milliseconds, checked against their sources; raises InputError."""
    spans, problems = [], []
    for i, cut in enumerate(clip.cuts):
        info, loc = media[cut.source], ("clips", name, "cuts", i)
        for key, tc in (("start", cut.start), ("end", cut.end)):
            if tc.frames >= info.fps:
                problems.append(
                    config.problem(
                        (*loc, key),
                        f"frame {tc.frames} does not exist "
                        f"at {float(info.fps):g} fps (expected FF < "
                        f"{int(-(-info.fps // 1))})",
                    )
                )
        start, end = cut.start.to_ms(info.fps), cut.end.to_ms(info.fps)
        if end <= start:
            problems.append(
                config.problem(
                    (*loc, "end"),
                    f"end {cut.end} is not after start {cut.start} (expected end > start)",
                )
            )
        elif end > info.duration_ms:
            problems.append(
                config.problem(
                    (*loc, "end"),
                    f"{cut.end} is past the end of source {cut.source!r} (expected "
                    f"at most {format_ms(info.duration_ms)})",
                )
            )
        spans.append((cut.source, Span(start, end)))
    if problems:
        raise InputError(problems)
    return spans


def plan_build(config: Config, only_clips: tuple[str, ...] = ()) -> Plan:
    """Probe, check and place every clip; read subtitles; list outputs and sidecars.

    Raises:
        InputError: every problem found, each with file and line.
    """
    project = config.project
    clips = {n: c for n, c in project.clips.items() if not only_clips or n in only_clips}
    media = probe_sources(config, {c.source for clip in clips.values() for c in clip.cuts})
    jobs: list[Job] = []
    sidecars: list[tuple[Path, tuple[Cue, ...]]] = []
    problems: list[Problem] = []
    for name, clip in clips.items():
        try:
            cuts = resolve_cuts(config, name, clip, media)
        except InputError as e:
            problems += e.problems
            continue
        folder = project.output / name
        for r_index, (rname, spec) in enumerate(project.renditions.items()):
            fps = Fraction(spec.fps).limit_denominator(1001) if spec.fps else media[cuts[0][0]].fps
            timeline = build_timeline(cuts, fps)
            tracks = {
                lang: clip_cues(config, clip, lang, timeline) for lang in clip.subtitles.languages
            }
            if r_index == 0:
                sidecars += [
                    (folder / f"{name}.{lang}.{ext}", cues)
                    for lang, cues in tracks.items()
                    for ext in ("srt", "vtt")
                ]
            burn = (
                tuple(clip.subtitles.languages)
                if "all" in clip.subtitles.burn
                else clip.subtitles.burn
            )
            style = ass_style(spec, project.style)
            jobs += [
                Job(
                    name,
                    rname,
                    lang,
                    folder / f"{name}.{rname}.{lang}.mp4",
                    timeline,
                    spec,
                    tracks.get(lang, ()),
                    style,
                )
                for lang in burn or (NOSUBS,)
            ]
    if problems:
        raise InputError(problems)
    check_outputs(config, [j.output for j in jobs] + [p for p, _ in sidecars])
    return Plan(tuple(jobs), tuple(sidecars), media)


def clip_cues(config: Config, clip: ClipSpec, lang: str, timeline: Timeline) -> tuple[Cue, ...]:
    """The cues of one language on the clip's timeline."""
    mode = clip.subtitles.languages[lang]
    if mode == "source":
        files = {c.source: config.project.sources[c.source].subtitles[lang] for c in clip.cuts}
        return map_cues({sid: read_srt(path) for sid, path in files.items()}, timeline)
    if mode == "transcript":
        raise InputError(
            [
                Problem(
                    config.path,
                    None,
                    "",
                    "transcript subtitles are not available yet (expected source or a file)",
                )
            ]
        )
    cues = read_srt(Path(mode))
    end = timeline.duration_ms
    return tuple(
        Cue(Span(c.span.start_ms, min(c.span.end_ms, end)), c.text)
        for c in cues
        if c.span.start_ms < end
    )


def ass_style(spec: RenditionSpec, style: StyleSpec) -> AssStyle:
    """Pixel sizes of the burned subtitles for one rendition."""
    w, h = spec.size
    font_px = max(8, round(style.size * h))
    return AssStyle(
        width=w,
        height=h,
        font=style.font,
        font_px=font_px,
        margin_px=round(style.margin * h),
        outline_px=round(style.outline * font_px, 1),
    )


def check_outputs(config: Config, outputs: list[Path]) -> None:
    """Refuse to write over any source or subtitle input."""
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
