"""Redactions mapped onto a clip, redacted subtitle text, and two-pass loudness (pure)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.config import AudioSpec, RedactSpec
from pipeline.media import ebur128_summary
from pipeline.model import Cue, Span, Timeline, Transcript
from pipeline.quotes import tokens
from pipeline.redaction import terms
from pipeline.render import SAMPLE_RATE, Redaction

REMOVED = "[removed]"
WORD_PAD_MS = 40  # a redacted word is hidden a little before and after its timestamps


def source_spans(spec: RedactSpec, transcript: Transcript | None) -> list[Span]:
    """Where a redaction applies in its source: its span, or every time one of its words is said."""
    if spec.start is not None and spec.end is not None:
        return [Span(spec.start.ms, spec.end.ms)]
    wanted = {tuple(tokens(t.term)) for t in terms(spec.words)}
    spans = []
    for word in transcript.words if transcript else ():
        if tuple(tokens(word.text)) in wanted:
            spans.append(
                Span(max(0, word.span.start_ms - WORD_PAD_MS), word.span.end_ms + WORD_PAD_MS)
            )
    return spans


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


def redact_cues(
    cues: Sequence[Cue],
    redactions: Sequence[tuple[RedactSpec, Redaction]],
    specs: Sequence[RedactSpec] = (),
) -> tuple[Cue, ...]:
    """Subtitle text with every redacted span and word replaced, in any language.

    A cue that overlaps a timed redaction shows only its replacement text; a redacted word
    (a name) of ``specs`` is replaced wherever it is written, so translations lose it too,
    even where the transcript never heard it (misheard, or said outside the cuts).
    """
    words = {t.term: _text(spec) for spec in specs for t in terms(spec.words)}
    # A timed redaction replaces the words on screen when it says so, or when the sound is
    # redacted; a blur alone leaves them (they are still what was said).
    timed = [
        (_text(spec), r.span)
        for spec, r in redactions
        if not spec.words and (spec.text is not None or spec.audio is not None)
    ]
    out = []
    for cue in cues:
        text = cue.text
        hit = next((t for t, span in timed if span.intersect(cue.span)), None)
        if hit is not None:
            text = hit
        for word, replacement in words.items():
            text = re.sub(
                rf"(?<!\w){re.escape(word)}(?!\w)", replacement, text, flags=re.IGNORECASE
            )
        out.append(Cue(cue.span, text))
    return tuple(out)


def _text(spec: RedactSpec) -> str:
    return spec.text if isinstance(spec.text, str) else REMOVED


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
