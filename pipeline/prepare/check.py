"""Check a project before building: read every subtitle file, place every clip, lint every language.

Problems in subtitle files, media and cuts become findings (not exceptions), so that one run
reports everything; only a config that cannot be loaded stops the check.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.config.schema import SUBTITLE_MODES, ClipSpec, Config
from pipeline.config.yamlsource import Loc
from pipeline.core.errors import InputError, MediaError, Problem, SubtitleError
from pipeline.core.model import Cue, MediaInfo, Timeline, Transcript
from pipeline.core.redaction import terms
from pipeline.core.timecode import format_ms
from pipeline.edit.cuts import ResolvedCut, resolve_cuts
from pipeline.edit.timeline import map_cues
from pipeline.prepare.plan import (
    TranscribeProgress,
    clip_cues,
    clip_timeline,
    font_problems,
    load_transcripts,
    probe_sources,
)
from pipeline.prepare.redaction_report import Tally, Unheard, add_up, tally_clip
from pipeline.subtitles.limits import SubtitleRules, rules_for
from pipeline.subtitles.lint import Finding, LocatedCue, Severity, Track, lint_track
from pipeline.subtitles.read import SubtitleFile, scan_subtitles

Files = Mapping[Path, SubtitleFile]


@dataclass(frozen=True)
class Report:
    """What a check found: its findings, and where each redacted term matched."""

    findings: list[Finding]
    redactions: list[Tally] = field(default_factory=list)


def check_project(
    config: Config, clips: Collection[str] = (), on_transcribe: TranscribeProgress | None = None
) -> list[Finding]:
    """Every finding for the named clips (all when empty), sorted by file and line."""
    return check_report(config, clips, on_transcribe).findings


def check_report(
    config: Config, clips: Collection[str] = (), on_transcribe: TranscribeProgress | None = None
) -> Report:
    """Every finding for the named clips (all when empty), sorted by file and line, and the
    places each redacted term matched in them."""
    project = config.project
    chosen = {n: c for n, c in project.clips.items() if not clips or n in clips}
    files, found = read_files(config, chosen)
    media: dict[str, MediaInfo] = {}
    for sid in sorted({cut.source for clip in chosen.values() for cut in clip.cuts}):
        try:
            media |= probe_sources(config, {sid})
        except MediaError as e:
            found += _from_problems(e.problems, "media")
    usable = {n: c for n, c in chosen.items() if all(cut.source in media for cut in c.cuts)}
    try:
        transcripts = load_transcripts(config, usable, media, on_transcribe)
    except InputError as e:
        return Report(_sorted_unique(found + _from_problems(e.problems, "transcript")))
    tallies: list[Tally] = []
    for name, clip in usable.items():
        clip_found, clip_tallies = _check_clip(config, name, clip, media, transcripts, files)
        found += clip_found
        tallies += clip_tallies
    used = {cut.source for clip in usable.values() for cut in clip.cuts}
    tallies = add_up(tallies)
    found += [_matched_nothing(config, t) for t in tallies if t.source in used and not t.total]
    return Report(_sorted_unique(found), tallies)


def by_clip(
    config: Config, findings: Collection[Finding], clips: Collection[str] = ()
) -> dict[str, tuple[Finding, ...]]:
    """The findings about each named clip (all when empty): those of its own tracks, and
    those of the subtitle files it reads (a file that clips share counts for each)."""
    chosen = [n for n in config.project.clips if not clips or n in clips]
    found = {}
    for name in chosen:
        files = {p for p, _ in _subtitle_files(config, {name: config.project.clips[name]})}
        found[name] = tuple(
            f for f in findings if f.clip == name or (not f.clip and f.path in files)
        )
    return found


def read_files(
    config: Config, clips: Mapping[str, ClipSpec]
) -> tuple[dict[Path, SubtitleFile], list[Finding]]:
    """Read each subtitle file the clips use once: its readable cues, and its findings (every
    broken entry, each at its line, and what was dropped)."""
    files: dict[Path, SubtitleFile] = {}
    found: list[Finding] = []
    langs: dict[Path, str] = {}
    for path, lang in _subtitle_files(config, clips):
        langs.setdefault(path, lang)
    for path, lang in langs.items():
        try:
            sub = scan_subtitles(path)
        except SubtitleError as e:
            found += _from_problems(e.problems, "read", lang)
            continue
        # A broken cue is an error at its line; the others are still linted (issue 14).
        found += _from_problems(sub.errors, "read", lang)
        found += _from_problems(sub.warnings, "markup", lang, "warning")
        if sub.cues:
            files[path] = sub
    return files, found


def _subtitle_files(config: Config, clips: Mapping[str, ClipSpec]) -> Iterator[tuple[Path, str]]:
    sources = config.project.sources
    for clip in clips.values():
        for lang, mode in clip.subtitles.languages.items():
            if mode == "source":
                yield from ((sources[c.source].subtitles[lang], lang) for c in clip.cuts)
            elif mode not in SUBTITLE_MODES:
                yield Path(mode), lang


def source_language(clip: ClipSpec) -> str | None:
    """The language others are compared with: burned, else ``en``, else the first."""
    langs = list(clip.subtitles.languages)
    burned = langs if "all" in clip.subtitles.burn else []
    burned = [lang for lang in clip.subtitles.burn if lang in langs] or burned
    if burned:
        return burned[0]
    return "en" if "en" in langs else next(iter(langs), None)


def _check_clip(
    config: Config,
    name: str,
    clip: ClipSpec,
    media: Mapping[str, MediaInfo],
    transcripts: Mapping[str, Transcript],
    files: Files,
) -> tuple[list[Finding], list[Tally]]:
    try:
        cuts = resolve_cuts(config, name, clip, media, transcripts)
    except InputError as e:
        return _from_problems(e.problems, "cuts"), []
    found: list[Finding] = []
    for cut in cuts:  # what the build logs about its cuts (pipeline/prepare/plan.py plan_clip)
        found += [
            replace(f, clip=name) for f in _from_problems(cut.warnings, "cuts", "", "warning")
        ]
    # As plan_build places the clip for its first rendition.
    try:
        timeline = clip_timeline(config, name, cuts, media)
    except InputError as e:
        return found + _from_problems(e.problems, "cuts"), []
    tracks: dict[str, Track] = {}
    for lang in clip.subtitles.languages:
        try:
            track = _track(config, clip, lang, timeline, media, files, cuts)
        except InputError as e:
            found += _from_problems(e.problems, "transcript", lang)
            continue
        if track is not None:
            tracks[lang] = track
    source = tracks.get(source_language(clip) or "")
    for lang, track in tracks.items():
        found += lint_track(track, _settings(config, clip, lang, timeline), source, name)
    burned = {
        lang: [located.cue for located in track.cues]
        for lang, track in tracks.items()
        if lang in clip.subtitles.burn or "all" in clip.subtitles.burn
    }
    for lang, problem in font_problems(config, name, burned):
        found += _from_problems([problem], "glyphs", lang)
    cues: dict[str, list[Cue]] = {
        lang: [located.cue for located in track.cues] for lang, track in tracks.items()
    }
    tallies, unheard = tally_clip(config.project.redact, timeline, transcripts, cues)
    found += [replace(f, clip=name) for f in _unheard(config, unheard)]
    return found, tallies


def _unheard(config: Config, unheard: Sequence[Unheard]) -> list[Finding]:
    """A warning for each place a redacted term is written but not heard (the build shows
    it too): its subtitles lose it, its sound is redacted only by time."""
    found = []
    for u in unheard:
        at = format_ms(u.clip_ms)
        if u.source is not None and u.source_ms is not None:
            at += f" (source {u.source} at {format_ms(u.source_ms)})"
        message = (
            f"{u.term!r} is written in the {u.lang} subtitles at {at} but not heard there: "
            "listen, and redact the sound by time if it is said"
        )
        problem = config.problem(("redact", u.index), message)
        found += _from_problems([problem], "redaction", u.lang, "warning")
    return found


def _matched_nothing(config: Config, tally: Tally) -> Finding:
    """A warning for a term that nothing in the checked clips says or writes."""
    message = (
        f"{tally.term!r} matches nothing: not heard in the cuts of source {tally.source!r}, "
        "not written in their subtitles (expected the term as it is said or written there; "
        "a misspelt name redacts nothing)"
    )
    words = config.project.redact[tally.index].words
    k = next(k for k, t in enumerate(terms(words)) if t.term == tally.term)
    loc: Loc = ("redact", tally.index, "words", k)
    problem = config.problem(loc if isinstance(words[k], str) else (*loc, "term"), message)
    return _from_problems([problem], "redaction", "", "warning")[0]


def _track(
    config: Config,
    clip: ClipSpec,
    lang: str,
    timeline: Timeline,
    media: Mapping[str, MediaInfo],
    files: Files,
    cuts: Sequence[ResolvedCut] = (),
) -> Track | None:
    """One language on the clip's timeline, each cue with its file and line (None: unread)."""
    mode = clip.subtitles.languages[lang]
    if mode == "transcript":
        return Track(
            lang,
            tuple(LocatedCue(c) for c in clip_cues(config, clip, lang, timeline, media, cuts=cuts)),
        )
    if mode != "source":
        sub = files.get(Path(mode))
        return Track(lang, _located(sub), sub.path) if sub else None
    paths = {c.source: config.project.sources[c.source].subtitles[lang] for c in clip.cuts}
    if any(p not in files for p in paths.values()):
        return None
    cues = [
        LocatedCue(part, path, located.line, part.span.duration_ms < located.cue.span.duration_ms)
        for sid, path in paths.items()
        for located in _located(files[path])
        for part in map_cues({sid: (located.cue,)}, timeline)
    ]
    only = next(iter(paths.values())) if len(set(paths.values())) == 1 else None
    return Track(lang, tuple(sorted(cues, key=lambda lc: lc.cue.span)), only)


def _located(sub: SubtitleFile) -> tuple[LocatedCue, ...]:
    return tuple(LocatedCue(c, sub.path, n) for c, n in zip(sub.cues, sub.lines, strict=True))


def _settings(config: Config, clip: ClipSpec, lang: str, timeline: Timeline) -> SubtitleRules:
    """The strictest frame the language is burned into; files on the clip's timeline
    must also fit inside the clip."""
    settings = SubtitleRules(fps=timeline.fps)
    if lang in clip.subtitles.burn or "all" in clip.subtitles.burn:
        frames = [rules_for(r.size, fps=timeline.fps) for r in config.project.renditions.values()]
        settings = min(frames, key=lambda s: s.max_chars, default=settings)
    if clip.subtitles.languages[lang] not in SUBTITLE_MODES:
        settings = replace(settings, clip_ms=timeline.duration_ms)
    return settings


def _from_problems(
    problems: Collection[Problem], rule: str, lang: str = "", severity: Severity = "error"
) -> list[Finding]:
    return [
        Finding(rule, severity, lang, p.path, p.line, None, str(replace(p, path=None)))
        for p in problems
    ]


def _sorted_unique(found: list[Finding]) -> list[Finding]:
    """Sorted by file and line; one finding per place when clips share a source file."""
    seen: dict[tuple[object, ...], Finding] = {}
    for f in found:
        seen.setdefault((f.rule, f.severity, f.lang, f.path, f.line, f.message), f)
    return sorted(
        seen.values(),
        key=lambda f: (str(f.path or ""), f.line or 0, f.severity != "error", f.lang, f.rule),
    )
