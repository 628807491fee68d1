"""The lint of a planned clip, and the one gate that stops a build on its errors (pure).

Each language is linted on the clip's timeline in its first rendition, as written (each cue
with its file and line); the warnings and errors are the findings of `build-clip check`, and
the gate shows the warnings and refuses the errors for `build-clip CONFIG` and batch alike.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from pipeline.config.schema import ClipSpec, Config
from pipeline.config.sources import FromFile, FromTranscript
from pipeline.config.yamlsource import Loc
from pipeline.core.errors import InputError, Problem
from pipeline.core.model import Cue, Timeline
from pipeline.core.redaction import terms
from pipeline.core.timecode import format_ms
from pipeline.edit.timeline import map_cues
from pipeline.prepare.cues import clip_cues
from pipeline.prepare.facts import Facts, from_problems, subtitle_files
from pipeline.prepare.jobs import ClipPlan
from pipeline.prepare.redaction_report import Tally, Unheard, tally_clip
from pipeline.subtitles.limits import SubtitleRules, rules_for
from pipeline.subtitles.lint import (
    Finding,
    LocatedCue,
    Track,
    lint_track,
)
from pipeline.subtitles.read import SubtitleFile


def lint_clip(config: Config, plan: ClipPlan, facts: Facts) -> tuple[list[Finding], list[Tally]]:
    """The findings of one planned clip's tracks, and where each redacted term matched."""
    name, clip, timeline = plan.name, plan.spec, plan.timeline
    tracks = {
        lang: track
        for lang in clip.subtitles.languages
        if (track := _track(config, clip, lang, plan, facts)) is not None
    }
    found: list[Finding] = []
    source = tracks.get(source_language(clip) or "")
    for lang, track in tracks.items():
        found += lint_track(track, _settings(config, clip, lang, timeline), source, name)
    cues: dict[str, list[Cue]] = {
        lang: [located.cue for located in track.cues] for lang, track in tracks.items()
    }
    tallies, unheard = tally_clip(config.project.redact, timeline, facts.transcripts, cues)
    found += [replace(f, clip=name) for f in _unheard(config, unheard)]
    return found, tallies


def source_language(clip: ClipSpec) -> str | None:
    """The language others are compared with: burned, else ``en``, else the first."""
    langs = list(clip.subtitles.languages)
    burned = langs if "all" in clip.subtitles.burn else []
    burned = [lang for lang in clip.subtitles.burn if lang in langs] or burned
    if burned:
        return burned[0]
    return "en" if "en" in langs else next(iter(langs), None)


def _track(config: Config, clip: ClipSpec, lang: str, plan: ClipPlan, facts: Facts) -> Track | None:
    """One language on the clip's timeline, each cue with its file and line (None: unread)."""
    mode = clip.subtitles.languages[lang]
    files = {p: sub for p, sub in facts.files.items() if sub.cues}
    if isinstance(mode, FromTranscript):
        if any((c.source, lang) not in facts.texts for c in plan.cuts):
            return None  # its transcript cannot give this language: a finding of the facts
        sources = config.project.sources
        cues = clip_cues(
            clip, lang, plan.timeline, sources, facts.cues, facts.texts, cuts=plan.cuts
        )
        return Track(lang, tuple(LocatedCue(c) for c in cues))
    if isinstance(mode, FromFile):
        sub = files.get(mode.path)
        return Track(lang, _located(sub), sub.path) if sub else None
    paths = {c.source: config.project.sources[c.source].subtitles[lang] for c in clip.cuts}
    if any(p not in files for p in paths.values()):
        return None
    located = [
        LocatedCue(part, path, at.line, part.span.duration_ms < at.cue.span.duration_ms)
        for sid, path in paths.items()
        for at in _located(files[path])
        for part in map_cues({sid: (at.cue,)}, plan.timeline)
    ]
    only = next(iter(paths.values())) if len(set(paths.values())) == 1 else None
    return Track(lang, tuple(sorted(located, key=lambda lc: lc.cue.span)), only)


def _located(sub: SubtitleFile) -> tuple[LocatedCue, ...]:
    return tuple(LocatedCue(c, sub.path, n) for c, n in zip(sub.cues, sub.lines, strict=True))


def _settings(config: Config, clip: ClipSpec, lang: str, timeline: Timeline) -> SubtitleRules:
    """The strictest frame the language is burned into; files on the clip's timeline
    must also fit inside the clip."""
    settings = SubtitleRules(fps=timeline.fps)
    if lang in clip.subtitles.burn or "all" in clip.subtitles.burn:
        frames = [rules_for(r.size, fps=timeline.fps) for r in config.project.renditions.values()]
        settings = min(frames, key=lambda s: s.max_chars, default=settings)
    if isinstance(clip.subtitles.languages[lang], FromFile):
        settings = replace(settings, clip_ms=timeline.duration_ms)
    return settings


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
        found += from_problems([problem], "redaction", u.lang, "warning")
    return found


def matched_nothing(config: Config, tally: Tally) -> Finding:
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
    return from_problems([problem], "redaction", "", "warning")[0]


def sorted_unique(found: Sequence[Finding]) -> list[Finding]:
    """Sorted by file and line; one finding per place when clips share a source file."""
    seen: dict[tuple[object, ...], Finding] = {}
    for f in found:
        seen.setdefault((f.rule, f.severity, f.lang, f.path, f.line, f.message), f)
    return sorted(
        seen.values(),
        key=lambda f: (str(f.path or ""), f.line or 0, f.severity != "error", f.lang, f.rule),
    )


def by_clip(
    config: Config, findings: Collection[Finding], clips: Collection[str] = ()
) -> dict[str, tuple[Finding, ...]]:
    """The findings about each named clip (all when empty): those of its own tracks, and
    those of the subtitle files it reads (a file that clips share counts for each)."""
    chosen = [n for n in config.project.clips if not clips or n in clips]
    found = {}
    for name in chosen:
        files = {p for p, _ in subtitle_files(config, {name: config.project.clips[name]})}
        found[name] = tuple(
            f for f in findings if f.clip == name or (not f.clip and f.path in files)
        )
    return found


Warn = Callable[[Finding], None]


def lint_gate(
    config: Config, findings: Sequence[Finding], clips: Collection[str], warn: Warn
) -> dict[str, tuple[Finding, ...]]:
    """The gate of `build-clip CONFIG` and batch alike: errors stop the config (a row of the
    batch's summary, like any bad input); each warning is shown through ``warn``. Returns
    the warnings of each clip, for its manifest (its review page shows them)."""
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise InputError([Problem(f.path, f.line, "", f"[{f.lang}] {f.message}") for f in errors])
    for f in findings:
        warn(f)
    return by_clip(config, findings, clips)
