"""What a build needs to know of the world, gathered once before anything is planned.

Every effect of preparing a build happens here: probing the sources and bumpers, loading or
transcribing their transcripts, reading the subtitle files, measuring the sound at the cut
edges (resolving a cut reads the sound around its edges, and where it reads depends on
where its quote lands, so cuts are resolved here), finding the faces to hide over the cuts,
looking up the fonts, and asking whether the output folders can be written. The plan
(pipeline/prepare/plan.py) is then made from the config and these facts alone, once, for
the build and for `build-clip check` alike.

Problems met on the way are kept as findings, each with its rule and language, so that the
check reports them all; the build refuses them (plan_build) with the same messages.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.analysis.faces.values import FaceTracks
from pipeline.analysis.fonts import Glyphs, glyph_sets
from pipeline.analysis.media import probe
from pipeline.config.schema import ClipSpec, Config
from pipeline.config.sources import FromFile, FromSource, FromTranscript
from pipeline.core.errors import InputError, MediaError, Problem, SubtitleError
from pipeline.core.model import Cue, MediaInfo, Transcript
from pipeline.edit.cuts import ResolvedCut, resolve_cuts
from pipeline.prepare.cues import burn_font
from pipeline.prepare.faces import detect_faces
from pipeline.render.branding import card_font, probe_bumpers
from pipeline.subtitles.lint import Finding, Severity
from pipeline.subtitles.read import SubtitleFile, scan_subtitles

TranscribeProgress = Callable[[float, float], None]


@dataclass(frozen=True)
class ClipFacts:
    """One clip's part: its cuts on their sources (None when they cannot be resolved), and
    what was found on the way (cut warnings and errors, languages its transcripts cannot
    give), in the order the build reports them."""

    cuts: tuple[ResolvedCut, ...] | None
    found: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Facts:
    """Everything the plan reads of the world (see the module's docstring)."""

    clips: Mapping[str, ClipSpec]  # the clips asked for, in config order
    media: Mapping[str, MediaInfo]  # the usable sources, and the bumpers ("@intro", "@outro")
    transcripts: Mapping[str, Transcript] = field(default_factory=dict)
    texts: Mapping[tuple[str, str], Transcript] = field(default_factory=dict)  # (source, lang)
    files: Mapping[Path, SubtitleFile] = field(default_factory=dict)  # every one, as read
    each: Mapping[str, ClipFacts] = field(default_factory=dict)  # per usable clip
    fonts: Glyphs = field(default_factory=dict)
    unwritable: Mapping[Path, str] = field(default_factory=dict)  # folder -> why
    found: tuple[Finding, ...] = ()  # media, subtitle files, transcripts: for no one clip
    stopped: bool = False  # the transcripts could not be had: nothing after them was gathered
    faces: Mapping[str, FaceTracks] = field(default_factory=dict)  # per source, where hidden

    def cues(self, path: Path) -> tuple[Cue, ...]:
        """The readable cues of a subtitle file (its broken entries are findings)."""
        sub = self.files.get(path)
        return sub.cues if sub is not None else ()


def gather(
    config: Config,
    only_clips: Collection[str] = (),
    on_transcribe: TranscribeProgress | None = None,
    collect: bool = False,
) -> Facts:
    """The facts of the named clips (all when empty).

    Raises:
        InputError: (unless ``collect``) an unusable source or bumper, every one of them;
            a transcript that cannot be had. Other problems are kept as findings.
    """
    project = config.project
    clips = {n: c for n, c in project.clips.items() if not only_clips or n in only_clips}
    found: list[Finding] = []
    media: dict[str, MediaInfo] = {}
    for sids in _sources(clips, collect):
        try:
            media |= probe_sources(config, sids)
        except MediaError as e:
            if not collect:
                raise
            found += from_problems(e.problems, "media")
    try:
        media |= probe_bumpers(config.project.branding, config.at)
    except MediaError as e:
        if not collect:
            raise
        found += from_problems(e.problems, "media")
    files: dict[Path, SubtitleFile] = {}
    for path, lang in subtitle_files(config, clips):
        found += _read(path, lang, files)
    usable = {n: c for n, c in clips.items() if all(cut.source in media for cut in c.cuts)}
    try:
        transcripts = load_transcripts(config, usable, media, on_transcribe)
    except InputError as e:
        if not collect:
            raise
        found += from_problems(e.problems, "transcript")
        return Facts(clips, media, files=files, found=tuple(found), stopped=True)
    texts: dict[tuple[str, str], Transcript] = {}
    each = {
        name: _clip_facts(config, name, clip, media, transcripts, texts)
        for name, clip in usable.items()
    }
    faces, unknown = detect_faces(config, {n: f.cuts for n, f in each.items()}, media)
    found += from_problems(unknown, "faces")
    return Facts(
        clips,
        media,
        transcripts,
        texts,
        files,
        each,
        glyph_sets(_families(config, usable)),
        {} if collect else _unwritable_folders(config, usable),
        tuple(found),
        faces=faces,
    )


def _sources(clips: Mapping[str, ClipSpec], one_by_one: bool) -> Iterator[set[str]]:
    """The sources to probe: all at once (the build reports every unusable one together), or
    one by one (the check goes on with the others)."""
    used = {cut.source for clip in clips.values() for cut in clip.cuts}
    if one_by_one:
        yield from ({sid} for sid in sorted(used))
    else:
        yield used


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
            cut.quote is not None
            or any(isinstance(m, FromTranscript) for m in clip.subtitles.languages.values())
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


def _clip_facts(
    config: Config,
    name: str,
    clip: ClipSpec,
    media: Mapping[str, MediaInfo],
    transcripts: Mapping[str, Transcript],
    texts: dict[tuple[str, str], Transcript],
) -> ClipFacts:
    """Resolve one clip's cuts on the sound; get its languages' transcripts."""
    found: list[Finding] = []
    cuts: tuple[ResolvedCut, ...] | None = None
    try:
        cuts = tuple(resolve_cuts(config.at, name, clip, media, transcripts))
    except InputError as e:
        found += from_problems(e.problems, "cuts")
    for cut in cuts or ():  # the build shows them too, through the lint gate
        found += [replace(f, clip=name) for f in from_problems(cut.warnings, "cuts", "", "warning")]
    for lang, mode in clip.subtitles.languages.items():
        if isinstance(mode, FromTranscript) and cuts is not None:
            found += _texts(config, media, {c.source for c in cuts}, lang, texts)
    return ClipFacts(cuts, tuple(found))


def _read(path: Path, lang: str, files: dict[Path, SubtitleFile]) -> list[Finding]:
    """Read a subtitle file (once for all clips): every broken entry is an error at its line
    (its other cues are still used and linted, issue 14), what was dropped a warning."""
    if path in files:  # its findings are told once, in the language it was first read for
        return []
    try:
        sub = scan_subtitles(path)
    except SubtitleError as e:
        files[path] = SubtitleFile(path, (), (), errors=e.problems)
        return from_problems(e.problems, "read", lang)
    files[path] = sub
    return from_problems(sub.errors, "read", lang) + from_problems(
        sub.warnings, "markup", lang, "warning"
    )


def _texts(
    config: Config,
    media: Mapping[str, MediaInfo],
    used: set[str],
    lang: str,
    texts: dict[tuple[str, str], Transcript],
) -> list[Finding]:
    """The transcripts in ``lang`` of the sources a clip uses (a translation, when English)."""
    from pipeline.analysis.transcribe import transcript_for

    for sid in sorted(used):
        if (sid, lang) in texts:
            continue
        try:
            texts[(sid, lang)] = transcript_for(media[sid].path, config.project.transcription, lang)
        except InputError as e:
            return from_problems(e.problems, "transcript", lang)
    return []


def subtitle_files(config: Config, clips: Mapping[str, ClipSpec]) -> Iterator[tuple[Path, str]]:
    """Each subtitle file the clips read, with its language (a file may come more than once)."""
    sources = config.project.sources
    for clip in clips.values():
        for lang, mode in clip.subtitles.languages.items():
            if isinstance(mode, FromSource):
                yield from ((sources[c.source].subtitles[lang], lang) for c in clip.cuts)
            elif isinstance(mode, FromFile):
                yield mode.path, lang


def _families(config: Config, clips: Mapping[str, ClipSpec]) -> set[str]:
    """Every font a burned language or a card of the clips may be drawn in."""
    style = config.project.style
    families = {style.font}
    for clip in clips.values():
        families |= {burn_font(style, lang) for lang in clip.subtitles.languages}
        families |= {card_font(c, style.font) for c in (clip.title, clip.end) if c is not None}
    return families


def _unwritable_folders(config: Config, clips: Mapping[str, ClipSpec]) -> dict[Path, str]:
    """Each clip folder that cannot be created or written to, and why."""
    folders = {config.project.output / name for name in clips}
    return {f: why for f in sorted(folders) if (why := unwritable(f)) is not None}


def unwritable(folder: Path) -> str | None:
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


def from_problems(
    problems: Collection[Problem], rule: str, lang: str = "", severity: Severity = "error"
) -> list[Finding]:
    """Problems as findings of ``rule`` (the message keeps the problem's place in the file)."""
    return [
        Finding(rule, severity, lang, p.path, p.line, None, str(replace(p, path=None)))
        for p in problems
    ]
