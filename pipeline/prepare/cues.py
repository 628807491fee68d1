"""A clip's subtitles on its timeline, laid out for a frame, and how they are burned (pure).

The cues come from what pipeline/prepare/facts.py gathered: subtitle files already read,
transcripts already had; nothing here reads a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from pipeline.config.schema import ClipSpec, RenditionSpec, SourceSpec, StyleSpec
from pipeline.config.sources import FromSource, FromTranscript
from pipeline.core.languages import default_font, is_rtl, script_scale
from pipeline.core.model import Cue, Span, Timeline, Transcript
from pipeline.edit.cuts import ResolvedCut
from pipeline.edit.timeline import map_cues
from pipeline.subtitles.limits import SubtitleRules, rules_for
from pipeline.subtitles.segment import layout, timeline_cues
from pipeline.subtitles.write import AssStyle

FileCues = Callable[[Path], Sequence[Cue]]  # the readable cues of a subtitle file


def clip_cues(
    clip: ClipSpec,
    lang: str,
    timeline: Timeline,
    sources: Mapping[str, SourceSpec],
    files: FileCues,
    texts: Mapping[tuple[str, str], Transcript],
    rules: SubtitleRules | None = None,
    cuts: Sequence[ResolvedCut] = (),
) -> tuple[Cue, ...]:
    """The cues of one language on the clip's timeline, laid out in ``rules``' lines; cues
    from the transcript show each cut's own words (``cuts``), where it is in that language.

    ``files`` gives a subtitle file's cues, ``texts`` each (source, language)'s transcript; a
    source whose transcript cannot give ``lang`` gives no cues (a finding of the facts).
    """
    rules = rules or SubtitleRules()
    mode = clip.subtitles.languages[lang]
    if isinstance(mode, FromSource):
        paths = {c.source: sources[c.source].subtitles[lang] for c in clip.cuts}
        mapped = map_cues({sid: tuple(files(path)) for sid, path in paths.items()}, timeline)
        return rewrap(mapped, lang, rules)
    if isinstance(mode, FromTranscript):
        used = sorted({ts.source for ts in timeline.spans})
        if any((sid, lang) not in texts for sid in used):
            return ()
        words = {sid: texts[(sid, lang)] for sid in used}
        said = bool(cuts) and all(_spoken(words[c.source]) for c in cuts)
        return timeline_cues(
            words,
            timeline,
            lang,
            replace(rules_for(language=lang), max_chars=rules.max_chars, max_lines=rules.max_lines),
            [c.words for c in cuts] if said else None,
        )
    end = timeline.duration_ms
    return rewrap(
        [
            Cue(Span(c.span.start_ms, min(c.span.end_ms, end)), c.text)
            for c in files(mode.path)
            if c.span.start_ms < end
        ],
        lang,
        rules,
    )


def _spoken(transcript: Transcript) -> bool:
    """True for a transcript of what is said (the one cuts are resolved on), not a
    translation of it."""
    options = dict(transcript.provenance.options) if transcript.provenance else {}
    return options.get("task", "transcribe") == "transcribe"


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


def layout_rules(spec: RenditionSpec) -> SubtitleRules:
    """Line length and count for a rendition: about 25 characters and 3 lines in a portrait
    frame, 42 and 2 otherwise (SUBTITLES.md), unless the rendition says otherwise."""
    return rules_for(spec.size, chars=spec.subtitles.chars, lines=spec.subtitles.lines)


def burn_font(style: StyleSpec, lang: str) -> str:
    """The font a language's subtitles are burned in: the style's for that language, else
    the script's default."""
    return style.fonts.get(lang) or default_font(lang, style.font)


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
