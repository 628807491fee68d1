"""Redactions mapped onto a clip, redacted subtitle text, and two-pass loudness (pure)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.analysis.media import ebur128_summary
from pipeline.config.schema import AudioSpec, RedactSpec
from pipeline.core.languages import is_rtl
from pipeline.core.model import Cue, Span, Timeline, Transcript
from pipeline.core.redaction import Matcher, as_unit, replacement_for, terms
from pipeline.render.command import SAMPLE_RATE, Redaction

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


def loudnorm_target(audio: AudioSpec, lra: float = 11.0) -> str:
    """The ``loudnorm`` options of the target: integrated loudness, true peak, loudness range."""
    return f"I={audio.loudness}:TP={audio.true_peak}:LRA={lra:g}"


def parse_loudnorm(lines: Sequence[str]) -> dict[str, Any]:
    """The JSON that ``loudnorm`` prints at the end of a run (from ffmpeg's last lines)."""
    text = "\n".join(lines)
    start, end = text.rfind("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no loudnorm report in ffmpeg's output")
    data: dict[str, Any] = json.loads(text[start : end + 1])
    return data


def parse_measurement(lines: Sequence[str]) -> dict[str, float]:
    """Pass 1's figures, in loudnorm's names, from the summary ``ebur128=peak=true`` prints.

    ``ebur128`` measures what loudnorm's own first pass does (integrated loudness and its
    relative gate, loudness range, true peak) for a fifth of the CPU: loudnorm upsamples the
    whole clip to 192 kHz to limit peaks even when it only measures.
    """
    summary = ebur128_summary("\n".join(lines))
    try:
        return {
            "input_i": summary["I"],
            "input_thresh": summary["Threshold"],
            "input_lra": summary["LRA"],
            "input_tp": summary["Peak"],
        }
    except KeyError:
        raise ValueError("no ebur128 summary in ffmpeg's output") from None


def fits_linear(audio: AudioSpec, measured: Mapping[str, Any]) -> bool:
    """Whether one gain reaches the target loudness and keeps the true peak under the limit
    (the peak rule of loudnorm's linear mode, af_loudnorm.c ``init``; a wide loudness range
    is no reason to compress here). When not, loudnorm must compress (its dynamic mode),
    whose second pass needs the figures of a first pass of its own (its ``target_offset``)."""
    return (
        float(measured["input_tp"]) + linear_gain(audio, measured) <= float(audio.true_peak)
        and float(measured["input_thresh"]) != -70
    )


def linear_gain(audio: AudioSpec, measured: Mapping[str, Any]) -> float:
    """The gain (dB) from the measured integrated loudness to the target."""
    return float(audio.loudness or 0) - float(measured["input_i"])


def is_audible(measured: Mapping[str, Any]) -> bool:
    """False for silence (loudness at or below the -70 LUFS gate): no gain fits."""
    try:
        return float(measured["input_i"]) > -70
    except (KeyError, ValueError):
        return False


def second_pass(audio: AudioSpec, measured: Mapping[str, Any]) -> str:
    """The pass-2 filter from the pass-1 figures.

    When one gain fits (``fits_linear``), it is ``volume``: the very sum loudnorm's linear
    mode does (each sample times the gain, af_loudnorm.c ``LINEAR_MODE``), without loudnorm's
    round trip through 192 kHz, which costs the render a quarter of a CPU-second per 30 s and
    changes nothing a linear gain needs. Else loudnorm's dynamic mode, with the
    ``target_offset`` of its own first pass.

    For loudnorm, the target loudness range is raised to the measured one (up to its limit
    of 20): below it, loudnorm would compress the range too. A measured range or loudness of
    exactly 0 it reads as "not measured": ebur128 prints tenths, so a range under 0.05 LU
    (a steady tone) goes in as 0.1 and 0.0 LUFS as -0.1, within the precision of the
    measurement.
    """
    if fits_linear(audio, measured):
        return f"volume={linear_gain(audio, measured):.2f}dB"
    lra = float(measured["input_lra"]) or 0.1
    loudness = float(measured["input_i"]) or -0.1
    target_lra = min(20.0, max(11.0, lra + 1))
    offset = f":offset={measured['target_offset']}" if "target_offset" in measured else ""
    # fmt: off
    return (
        f"loudnorm={loudnorm_target(audio, target_lra)}"
        f":measured_I={loudness:g}:measured_TP={measured['input_tp']}"
        f":measured_LRA={lra:g}:measured_thresh={measured['input_thresh']}"
        f"{offset}:linear=true:print_format=json,aresample={SAMPLE_RATE}"
    )
    # fmt: on
