"""Loudness in its one module (pipeline/render/loudness.py): pass 1's figures, pass 2's filter,
and a finish left alone without a target."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from pipeline.config.schema import AudioSpec
from pipeline.core.model import Timeline
from pipeline.render.finish import Finish
from pipeline.render.loudness import (
    ebur128_summary,
    fits_linear,
    normalised,
    parse_loudnorm,
    parse_measurement,
    second_pass,
)


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


def test_the_last_summary_wins_and_repeated_labels_keep_their_first_value() -> None:
    text = "Summary:\n I: -30.0 LUFS\nSummary:\n I: -21.8 LUFS\n Threshold: -31.8 LUFS\n"
    text += " LRA: 3.0 LU\n Threshold: -41.0 LUFS\n Peak: -inf dBFS\n"
    assert ebur128_summary(text) == {
        "I": -21.8,
        "Threshold": -31.8,
        "LRA": 3.0,
        "Peak": float("-inf"),
    }
    assert ebur128_summary("no summary") == {}


def test_without_a_target_the_finish_is_left_alone_and_nothing_runs() -> None:
    timeline = Timeline((), Fraction(25))
    finish = Finish(transition="wipeleft")
    assert normalised(finish, None, timeline, {}, Path("out.mp4")) is finish
