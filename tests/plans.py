"""Fixed planning cases shared by the golden-file test and scripts/regen_goldens.py."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from pipeline.config.schema import RenditionSpec
from pipeline.core.ffmpeg import FfmpegCommand
from pipeline.core.model import MediaInfo, Span
from pipeline.edit.timeline import build_timeline
from pipeline.render.command import plan_render

GOLDEN = Path(__file__).parent / "golden"


def cases() -> dict[str, FfmpegCommand]:
    """Plans for: two mixed sources with subtitles; one anamorphic source cropped, no subs."""
    media = {
        "nh": MediaInfo(Path("/m/nh.mp4"), 600_000, 1280, 720, Fraction(25), True),
        "lp": MediaInfo(
            Path("/m/it's: [lp].mp4"), 60_000, 640, 480, Fraction(30000, 1001), True, 44100, 1
        ),
        "an": MediaInfo(
            Path("/m/an.mp4"), 60_000, 960, 576, Fraction(25), True, sar=Fraction(4, 3)
        ),
    }
    mixed = build_timeline(
        [("nh", Span(4200, 9800)), ("lp", Span(1000, 3500)), ("nh", Span(9800, 12000))],
        Fraction(25),
    )
    crop = build_timeline([("an", Span(0, 2000))], Fraction(25))
    return {
        "mixed": plan_render(
            mixed,
            media,
            RenditionSpec(size=(1920, 1080)),
            Path("/out/why/why.land.en.mp4"),
            Path("/tmp/x/burn.ass"),
            [("en", Path("/tmp/x/soft.en.srt")), ("ar", Path("/tmp/x/soft.ar.srt"))],
        ),
        "crop": plan_render(
            crop,
            media,
            RenditionSpec(size=(1080, 1920), fit="crop", crf=23),
            Path("/out/a/a.vertical.nosubs.mp4"),
        ),
    }
