"""Redactions mapped onto a clip, and redacted subtitle text (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipeline.config.schema import RedactSpec
from pipeline.core.languages import is_rtl
from pipeline.core.model import Cue, Span, Timeline, Transcript
from pipeline.core.redaction import Matcher, as_unit, replacement_for, terms
from pipeline.render.finish import Redaction

WORD_PAD_MS = 40  # a redacted word is hidden a little before and after its timestamps


def said(spec: RedactSpec, transcript: Transcript | None) -> list[tuple[Span, str]]:
    """Each run of the transcript's words that says one of ``spec``'s terms (found by the
    one matcher, pipeline/core/redaction.py, in the transcript's language), and the term: a
    word is hit whole, a possessive's "'s" included ("John Smith's" is two words)."""
    if transcript is None or not spec.words:
        return []
    words = transcript.words
    runs = Matcher(terms(spec.words)).words([w.text for w in words], transcript.language)
    return [(Span(words[a].span.start_ms, words[b].span.end_ms), t) for a, b, t in runs]


def source_spans(spec: RedactSpec, transcript: Transcript | None) -> list[Span]:
    """Where a redaction applies in its source: its span, or every time one of its words is said."""
    if spec.start is not None and spec.end is not None:
        return [Span(spec.start.ms, spec.end.ms)]
    return [
        Span(max(0, span.start_ms - WORD_PAD_MS), span.end_ms + WORD_PAD_MS)
        for span, _ in said(spec, transcript)
    ]


def clip_redactions(
    specs: Sequence[RedactSpec], timeline: Timeline, transcripts: Mapping[str, Transcript]
) -> tuple[tuple[RedactSpec, Redaction], ...]:
    """Each redaction, mapped through the cuts onto the clip (one piece per cut it touches)."""
    out = []
    for spec in specs:
        for src in source_spans(spec, transcripts.get(spec.source)):
            for ts in timeline.spans:
                part = src.intersect(ts.src) if ts.source == spec.source else None
                if part is None:
                    continue
                whole = ts.whole or ts.clip
                clip = Span(
                    part.start_ms + ts.shift_ms, min(part.end_ms + ts.shift_ms, whole.end_ms)
                )
                if clip.end_ms > clip.start_ms:
                    out.append((spec, Redaction(clip, spec.audio, spec.blur)))
    return tuple(out)


def replacement(spec: RedactSpec, lang: str) -> str:
    """What ``spec`` shows in ``lang`` in place of what it hides: one unit, never broken
    across lines, isolated in a right-to-left line."""
    return as_unit(replacement_for(spec.text, lang), rtl=is_rtl(lang))


Replacers = list[tuple[Matcher, str]]


def replacers(specs: Sequence[RedactSpec], lang: str) -> Replacers:
    """The matcher of each redaction with words, and its replacement in ``lang``: made once
    for all the texts of a language (each matcher compiles its pattern once)."""
    return [(Matcher(terms(s.words)), replacement(s, lang)) for s in specs if s.words]


def redact_text(
    text: str,
    specs: Sequence[RedactSpec],
    lang: str,
    forms: str | None,
    made: Replacers | None = None,
) -> str:
    """``text`` with every term of ``specs`` replaced by its replacement in ``lang``, the
    terms found in their forms of ``forms`` (every language's when None); ``made``: the
    ``replacers`` of ``specs`` in ``lang``, when the caller has them."""
    for matcher, shown in replacers(specs, lang) if made is None else made:
        text = matcher.replace(text, forms, shown)
    return text


def redact_cues(
    cues: Sequence[Cue],
    redactions: Sequence[tuple[RedactSpec, Redaction]],
    specs: Sequence[RedactSpec] = (),
    lang: str = "en",
) -> tuple[Cue, ...]:
    """The subtitle text of language ``lang`` with every redacted span and term replaced.

    A cue that overlaps a timed redaction shows only its replacement text; a redacted term
    of ``specs`` is replaced wherever it is written in the cue (across its line breaks, in
    ``lang``'s forms), so translations lose it too, even where the transcript never heard it
    (misheard, or said outside the cuts).
    """
    # A timed redaction replaces the words on screen when it says so, or when the sound is
    # redacted; a blur alone leaves them (they are still what was said).
    timed = [
        (replacement(spec, lang), r.span)
        for spec, r in redactions
        if not spec.words and (spec.text is not None or spec.audio is not None)
    ]
    made = replacers(specs, lang)
    out = []
    for cue in cues:
        hit = next((t for t, span in timed if span.intersect(cue.span)), None)
        text = redact_text(cue.text if hit is None else hit, specs, lang, lang, made)
        out.append(Cue(cue.span, text))
    return tuple(out)
