"""Redactions mapped through cuts, subtitle text redaction, loudnorm passes, privacy scan."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pipeline.config import AudioSpec, RedactSpec
from pipeline.finish import (
    clip_redactions,
    fits_linear,
    parse_loudnorm,
    parse_measurement,
    redact_cues,
    second_pass,
)
from pipeline.model import Cue, Segment, Span, Transcript, Word
from pipeline.privacy import scan
from pipeline.timecode import parse_timecode
from pipeline.timeline import build_timeline

WORDS = (
    Word(Span(1000, 1400), "My"),
    Word(Span(1400, 1800), "friend"),
    Word(Span(1800, 2300), "Haris,"),
    Word(Span(5000, 5500), "haris"),
)
TRANSCRIPT = Transcript("en", (Segment(Span(1000, 5500), "", WORDS),))


def test_word_redaction_finds_every_use_in_the_kept_material() -> None:
    timeline = build_timeline([("s", Span(0, 3000)), ("s", Span(4500, 6000))], Fraction(25))
    spec = RedactSpec(source="s", words=("Haris",), audio="bleep")
    spans = [r.span for _, r in clip_redactions([spec], timeline, {"s": TRANSCRIPT})]
    # Haris at 1.8-2.3 s (padded 40 ms) in cut 1; haris at 5.0-5.5 s is 0.5 s into cut 2.
    assert spans == [Span(1760, 2340), Span(3460, 4040)]


def test_timed_redaction_is_clipped_to_the_cuts() -> None:
    timeline = build_timeline([("s", Span(10_000, 12_000))], Fraction(25))
    spec = RedactSpec(
        source="s", start=parse_timecode(9), end=parse_timecode("00:00:10.500"), audio="mute"
    )
    [(_, red)] = clip_redactions([spec], timeline, {})
    assert red.span == Span(0, 500) and red.audio == "mute"


def test_text_is_replaced_in_every_language() -> None:
    spec = RedactSpec(source="s", words=("Haris",), text="[name removed]")
    timed = RedactSpec(source="s", start=parse_timecode(6), end=parse_timecode(7), text="[...]")
    timeline = build_timeline([("s", Span(0, 10_000))], Fraction(25))
    reds = clip_redactions([spec, timed], timeline, {"s": TRANSCRIPT})
    cues = [
        Cue(Span(0, 2000), "My friend Haris, HARIS"),
        Cue(Span(2000, 4000), "Harisović ok"),
        Cue(Span(6500, 8000), "something said here"),
        Cue(Span(3000, 3500), "قال هاريس Haris"),
    ]
    assert [c.text for c in redact_cues(cues, reds, [spec])] == [
        "My friend [name removed], [name removed]",
        "Harisović ok",
        "[...]",
        "قال هاريس [name removed]",
    ]
    # The name goes from the text even where the transcript never heard it.
    assert redact_cues(cues[:1], (), [spec])[0].text == "My friend [name removed], [name removed]"


def test_second_pass_is_one_gain_when_it_fits_else_loudnorm_with_ebur128s_figures() -> None:
    lines = [
        "[Parsed_ebur128_0 @ 0x1] Summary:",
        "",
        "  Integrated loudness:",
        "    I:         -27.6 LUFS",
        "    Threshold: -38.2 LUFS",
        "",
        "  Loudness range:",
        "    LRA:        14.4 LU",
        "    Threshold:  -48.0 LUFS",
        "    LRA low:    -36.1 LUFS",
        "    LRA high:   -21.7 LUFS",
        "",
        "  True peak:",
        "    Peak:       -9.9 dBFS",
    ]
    measured = parse_measurement(lines)
    assert measured == {
        "input_i": -27.6,
        "input_thresh": -38.2,
        "input_lra": 14.4,
        "input_tp": -9.9,
    }
    # -16 LUFS is 11.6 dB up: the peaks must stay 1.5 dB under full scale after that gain.
    assert not fits_linear(AudioSpec(), measured)  # -9.9 dBTP + 11.6 dB = +1.7 dBTP
    assert second_pass(AudioSpec(), measured) == (
        "loudnorm=I=-16.0:TP=-1.5:LRA=15.4:measured_I=-27.6:measured_TP=-9.9"
        ":measured_LRA=14.4:measured_thresh=-38.2:linear=true:print_format=json"
        ",aresample=48000"
    )
    assert fits_linear(AudioSpec(), {**measured, "input_tp": -13.2})  # -1.6 dBTP
    assert second_pass(AudioSpec(), {**measured, "input_tp": -13.2}) == "volume=11.60dB"
    assert not fits_linear(AudioSpec(), {**measured, "input_tp": -13.0})
    # A wide range is no reason to compress: one gain leaves it as it is.
    assert fits_linear(AudioSpec(), {**measured, "input_tp": -20, "input_lra": 19.5})
    assert second_pass(AudioSpec(loudness=-23), {**measured, "input_i": -20.6}) == (
        "volume=-2.40dB"
    )
    assert not fits_linear(AudioSpec(), {**measured, "input_thresh": -70})  # silence
    steady = {**measured, "input_lra": 0.0}  # loudnorm reads 0 as "not given"
    assert ":measured_LRA=0.1:" in second_pass(AudioSpec(), steady)
    with pytest.raises(ValueError, match="no ebur128 summary"):
        parse_measurement(["Conversion failed"])
    with pytest.raises(ValueError, match="no loudnorm report"):
        parse_loudnorm(["Conversion failed"])


def test_privacy_scan_allows_only_the_allow_list() -> None:
    clean = {
        "format": {"tags": {"major_brand": "isom", "minor_version": "512"}},
        "streams": [
            {"codec_type": "video", "tags": {"handler_name": "VideoHandler"}},
            {"codec_type": "audio", "tags": {"language": "und"}},
        ],
    }
    assert scan(clean, 0) == []
    dirty = {
        "format": {"tags": {"location": "+48.85+002.29/", "com.apple.quicktime.make": "x"}},
        "streams": [
            {"codec_type": "video", "tags": {"handler_name": "Core Media Video"}},
            {"codec_type": "audio"},
            {"codec_type": "data"},
        ],
    }
    assert scan(dirty, 0) == [
        "container tag location='+48.85+002.29/'",
        "container tag com.apple.quicktime.make='x'",
        "streams ['video', 'audio', 'data'] (expected ['video', 'audio'])",
        "video stream tag handler_name='Core Media Video'",
    ]
