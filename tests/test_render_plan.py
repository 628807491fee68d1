"""The planned ffmpeg command, compared with golden files (no ffmpeg needed)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from pipeline.config.schema import RenditionSpec
from pipeline.core.ffmpeg import escape_filter_arg
from pipeline.core.model import MediaInfo, Span
from pipeline.edit.timeline import build_timeline
from pipeline.render.command import plan_render
from tests.plans import GOLDEN, cases


@pytest.mark.parametrize("name", sorted(cases()))
def test_plan_matches_golden(name: str) -> None:
    cmd = cases()[name]
    golden = json.loads((GOLDEN / f"{name}.argv.json").read_text(encoding="utf-8"))
    assert {"args": list(cmd.args), "duration_ms": cmd.duration_ms} == golden


def test_mixed_plan_shape() -> None:
    args = cases()["mixed"].args
    graph = args[args.index("-filter_complex") + 1]
    # One input per cut, each seeked on the input side and read just past the cut.
    assert [args[i + 1] for i, a in enumerate(args) if a == "-ss"] == ["4.200", "1", "9.800"]
    assert "file:/m/it's: [lp].mp4" in args
    # Every segment normalised to the output frame before the join; subtitles burned last.
    assert graph.count("setsar=1") == 3
    assert graph.count("aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo") == 3
    assert graph.index("concat=n=3") < graph.index("ass=filename=")
    # Cut 3 continues cut 1 in the source, but cut 2 lies between them: all three fade in.
    assert graph.count("afade=t=in") == 3
    for flag in ("-map_metadata", "-map_chapters", "+faststart", "+bitexact"):
        assert flag in args


def test_contiguous_cuts_are_not_faded() -> None:
    media = {"a": MediaInfo(Path("/a.mp4"), 60_000, 1280, 720, Fraction(25), True)}
    timeline = build_timeline([("a", Span(0, 1000)), ("a", Span(1000, 2000))], Fraction(25))
    graph = plan_render(timeline, media, RenditionSpec(size=(1280, 720)), Path("/o.mp4")).args
    text = graph[graph.index("-filter_complex") + 1]
    assert text.count("afade=t=in") == 1 and text.count("afade=t=out") == 1


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain.ass", "plain.ass"),
        ("it's: [a],b;c.srt", "it\\\\\\'s\\\\: \\[a\\]\\,b\\;c.srt"),
        ("C:\\dir\\x.srt", "C\\\\:\\\\\\\\dir\\\\\\\\x.srt"),
    ],
)
def test_escape_filter_arg(raw: str, escaped: str) -> None:
    assert escape_filter_arg(raw) == escaped
