"""Odd media: each source renders with the expected duration, and picture and sound in sync.

Every source is black with a white flash and, at the same instant, a beep (tests/media.py).
All sources are rendered by one `build-clip` run (one clip, one render each); each test then
finds the flash and the beep in its output and checks they land where the cut puts them,
to within one frame.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest

from pipeline.core.model import Span
from pipeline.edit.timeline import build_timeline
from tests.conftest import need_ffmpeg, run_cli
from tests.media import Measured, Sync, measure, once, probe, sync_source

pytestmark = [pytest.mark.ffmpeg, pytest.mark.xdist_group("odd_media")]

SIZE = (320, 180)
GPS = "+48.8577+002.2950/"


@dataclass(frozen=True)
class Odd:
    """An odd source, the cut taken from it, and what its output must look like.

    Attributes:
        source: how the source is made.
        cut: (start, end) in seconds.
        fps: the output's frame rate.
        picture: share of the output frame's width and height the picture fills.
    """

    source: Sync
    cut: tuple[float, float] = (0.5, 1.9)
    fps: Fraction = Fraction(25)
    picture: tuple[float, float] = (0.75, 1.0)  # 4:3 in a 16:9 frame


# What a phone writes about where and on what a film was made.
PHONE_TAGS = (
    "-metadata", f"location={GPS}",
    "-metadata", f"location-eng={GPS}",
    "-metadata", "make=Apple",
    "-metadata", "model=iPhone 12 Pro",
    "-metadata", "creation_time=2024-05-01T10:00:00Z",
    "-metadata:s:v:0", "handler_name=Core Media Video",
)  # fmt: skip
# Phone-like variable frame rate: nominal 30 fps, one frame in 30 dropped, timestamps jittered
# by up to 4 ms; the average is 29 fps, counted as 29.97.
VFR = (
    "select='not(eq(mod(n\\,30)\\,17))'",
    "setpts='PTS+0.004*sin(N)/TB'",
)
ODD = {
    "vfr-phone": Odd(Sync(rate="30", video_filters=VFR), fps=Fraction(30000, 1001)),
    "rotated-90": Odd(
        Sync(output_args=("-metadata:s:v:0", "rotate=90")), picture=(135 / 320, 1.0)
    ),  # 240x320 shown upright: a portrait picture between bars
    "anamorphic": Odd(Sync(video_filters=("setsar=4/3",)), picture=(1.0, 1.0)),  # 427x240 shown
    "ntsc-2997": Odd(Sync(rate="30000/1001"), fps=Fraction(30000, 1001)),
    "fps-50": Odd(Sync(rate="50"), fps=Fraction(50)),
    "uhd-4k": Odd(Sync(size="3840x2160", seconds=2.0), picture=(1.0, 1.0)),
    "mono": Odd(Sync(channels="mono", sample_rate=44100)),
    "surround-51": Odd(Sync(channels="5.1")),
    "late-audio": Odd(Sync(audio_delay=0.5), cut=(0.0, 1.9)),  # sound starts 0.5 s in
    "phone-tags": Odd(Sync(output_args=PHONE_TAGS)),
}
FLASH_AT = 1.0  # every source flashes (and beeps) at 1 s

# 50 cuts from one 29.97 fps source, none a whole number of frames long; only the last holds
# the flash (3.5 s in the source, 0.2 s into that cut).
MANY_SOURCE = Sync(rate="30000/1001", seconds=4.0, flashes=(3.5,))
MANY_CUTS = [
    (round(0.05 * i, 3), round(0.05 * i + 0.037 + (i % 5) * 0.0011, 3)) for i in range(49)
] + [(3.3, 3.9)]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every odd source and the 50-cut clip, rendered by one `build-clip` run."""
    need_ffmpeg()
    return once(tmp_path_factory, "odd-media", render_all) / "out"


def render_all(folder: Path) -> None:
    sources, clips = {}, {}
    for name, odd in ODD.items():
        sync_source(folder / f"{name}.mp4", odd.source)
        sources[name] = f"{name}.mp4"
        clips[name] = {"cuts": [{"source": name, "start": odd.cut[0], "end": odd.cut[1]}]}
    sync_source(folder / "many.mp4", MANY_SOURCE)
    sources["many"] = "many.mp4"
    clips["fifty-cuts"] = {"cuts": [{"source": "many", "start": a, "end": b} for a, b in MANY_CUTS]}
    config = {
        "version": 1,
        "output": "out",
        "sources": sources,
        "clips": clips,
        "renditions": {"r": {"size": f"{SIZE[0]}x{SIZE[1]}", "preset": "ultrafast"}},
    }
    path = folder / "odd.yaml"
    path.write_text(json.dumps(config, indent=1), encoding="utf-8")  # JSON is YAML
    result = run_cli(path, "-j", "2")
    assert result.returncode == 0, result.stderr


def output(rendered: Path, clip: str) -> Path:
    return rendered / clip / f"{clip}.r.nosubs.mp4"


def assert_in_sync(m: Measured, at: float, length: float) -> None:
    """One flash and one beep, both at ``at`` and together, and the clip ``length`` long."""
    frame = m.frame
    assert abs(m.duration - length) <= frame, m
    assert abs(m.video - m.audio) <= frame, m
    assert len(m.flashes) == 1 and len(m.beeps) == 1, m
    (flash,), (beep,) = m.flashes, m.beeps
    assert abs(flash - at) <= frame, m
    assert abs(beep - at) <= frame, m
    assert abs(flash - beep) <= frame, m


@pytest.mark.parametrize("name", list(ODD))
def test_odd_source_renders_in_sync(rendered: Path, name: str) -> None:
    odd = ODD[name]
    m = measure(output(rendered, name))
    assert (m.width, m.height, m.sar) == (*SIZE, "1:1")
    assert m.fps == odd.fps, f"{m.fps} fps"
    start, end = odd.cut
    assert_in_sync(m, FLASH_AT - start, end - start)
    assert m.picture == pytest.approx(odd.picture, abs=0.07)


def test_audio_is_stereo_48k_whatever_the_source(rendered: Path) -> None:
    for name in ("mono", "surround-51"):
        audio = next(
            s for s in probe(output(rendered, name))["streams"] if s["codec_type"] == "audio"
        )
        assert (audio["channels"], audio["sample_rate"]) == (2, "48000")


def test_location_and_device_tags_do_not_leak(rendered: Path) -> None:
    path = output(rendered, "phone-tags")
    info = probe(path)
    tags = {k.lower(): v for k, v in info["format"].get("tags", {}).items()}
    for stream in info["streams"]:
        tags.update({f"stream.{k.lower()}": v for k, v in stream.get("tags", {}).items()})
    assert not [k for k in tags if any(w in k for w in ("location", "make", "model", "creation"))]
    data = path.read_bytes()
    for secret in (b"iPhone", b"Apple", b"+48.8577", b"Core Media", b"2024-05-01"):
        assert secret not in data


def test_fifty_cuts_do_not_drift(rendered: Path) -> None:
    fps = MANY_SOURCE_FPS = Fraction(30000, 1001)
    timeline = build_timeline(
        [("many", Span(round(a * 1000), round(b * 1000))) for a, b in MANY_CUTS], MANY_SOURCE_FPS
    )
    last = timeline.spans[-1]
    at = float(Fraction(last.first_frame) / fps) + 0.2
    m = measure(output(rendered, "fifty-cuts"))
    assert m.fps == fps
    length = sum(b - a for a, b in MANY_CUTS)
    assert_in_sync(m, at, length)
    assert abs(m.video - float(timeline.duration)) <= m.frame / 2
