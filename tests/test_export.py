"""`build-clip export`: every format read back with OpenTimelineIO matches the cut list, frame
for frame (source in/out, record position, source file, reel names, markers)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio
import pytest

from pipeline.config.load import load
from pipeline.core.errors import BuildError
from pipeline.core.model import MediaInfo, Span, Timeline
from pipeline.edit.timeline import build_timeline
from pipeline.prepare.plan import plan_build
from pipeline.publish.export import (
    FORMATS,
    Mark,
    build_otio,
    redaction_marks,
    reel_names,
    to_frame,
    to_string,
)
from tests.conftest import run_cli, write

ADAPTERS = {name: f.adapter for name, f in FORMATS.items()}


def read_back(text: str, fmt: str, fps: Fraction) -> Any:
    """The timeline an NLE-format file holds, read by OpenTimelineIO."""
    extra = {"rate": float(fps)} if fmt == "edl" else {}
    found = otio.adapters.read_from_string(text, ADAPTERS[fmt], **extra)
    if isinstance(found, otio.schema.SerializableCollection):
        found = next(iter(found))
    return found


def video_track(timeline: Any) -> Any:
    tracks = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    assert len(tracks) == 1
    return tracks[0]


def assert_same_edit(
    timeline: Any, expected: Timeline, media: dict[str, MediaInfo], fmt: str
) -> None:
    """Each cut: source file, source in and length, and place on the record side, in frames."""
    clips = [c for c in video_track(timeline) if isinstance(c, otio.schema.Clip)]
    assert len(clips) == len(expected.spans)
    track = video_track(timeline)
    for i, (clip, ts) in enumerate(zip(clips, expected.spans, strict=True)):
        assert clip.media_reference.target_url == media[ts.source].path.resolve().as_uri()
        assert clip.source_range.start_time.to_frames() == to_frame(ts.src.start_ms, expected.fps)
        assert clip.source_range.duration.to_frames() == ts.frames, (fmt, i)
        placed = track.range_of_child_at_index(track.index(clip)).start_time
        assert placed.to_frames() == ts.first_frame, (fmt, i)
        assert abs(clip.source_range.start_time.rate - float(expected.fps)) < 1e-3


def markers(timeline: Any) -> list[tuple[int, str]]:
    """(cut number, marker name in lower case) of every marker on the video track."""
    found = []
    clips = [c for c in video_track(timeline) if isinstance(c, otio.schema.Clip)]
    for i, clip in enumerate(clips):
        found += [(i, m.name.lower()) for m in clip.markers]
    return found


def fake_media(tmp_path: Path) -> dict[str, MediaInfo]:
    return {
        "interview": MediaInfo(
            tmp_path / "Interview 1.mp4", 120_000, 1280, 720, Fraction(25), True
        ),
        "b-roll": MediaInfo(tmp_path / "b roll.mov", 60_000, 1920, 1080, Fraction(30), False),
    }


CUTS = [
    ("interview", Span(17_000, 22_500)),
    ("b-roll", Span(1_000, 3_520)),
    ("interview", Span(73_700, 77_500)),
]


@pytest.mark.parametrize("fps", [Fraction(25), Fraction(30000, 1001), Fraction(24)])
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_round_trip_frame_for_frame(tmp_path: Path, fmt: str, fps: Fraction) -> None:
    media = fake_media(tmp_path)
    timeline = build_timeline(CUTS, fps)
    marks = [
        Mark("quote", "interview", Span(73_700, 77_500), "it was all lies"),
        Mark("redaction", "interview", Span(75_000, 75_600), "name"),
    ]
    if FORMATS[fmt].whole_rates and fps.denominator != 1:
        with pytest.raises(
            BuildError,
            match=r"cannot write fcpxml at 29\.970 fps: .* such as 25 or 30, or --format xml",
        ):
            to_string(build_otio("why-i-left", timeline, media, marks), fmt)
        return
    text = to_string(build_otio("why-i-left", timeline, media, marks), fmt)
    back = read_back(text, fmt, fps)
    assert_same_edit(back, timeline, media, fmt)
    if fmt == "edl" and fps.denominator == 1001:
        # OpenTimelineIO's EDL reader skips locators with drop-frame timecodes (HH:MM:SS;FF),
        # which it writes itself at 29.97 fps; NLEs read them, so check the text instead.
        rate = float(fps)
        quote, name = (
            otio.opentime.to_timecode(otio.opentime.RationalTime(to_frame(ms, fps), rate), rate)
            for ms in (73_700, 75_000)
        )
        assert (quote, name) == ("00:01:13;21", "00:01:15;00")
        assert f"* LOC: {quote} GREEN   QUOTE: IT WAS ALL LIES" in text
        assert f"* LOC: {name} RED     REDACTION: NAME" in text
        return
    assert markers(back) == [(2, "quote: it was all lies"), (2, "redaction: name")]


def test_marker_ranges_in_source_frames(tmp_path: Path) -> None:
    fps = Fraction(25)
    timeline = build_timeline(CUTS, fps)
    marks = [Mark("redaction", "interview", Span(75_000, 75_600), "name")]
    text = to_string(build_otio("x", timeline, fake_media(tmp_path), marks), "otio")
    (marker,) = video_track(read_back(text, "otio", fps))[2].markers
    assert marker.marked_range.start_time.to_frames() == 75 * 25
    assert marker.marked_range.duration.to_frames() == 15
    assert marker.color == otio.schema.MarkerColor.RED


def test_edl_reels_are_cmx_names(tmp_path: Path) -> None:
    timeline = build_timeline(CUTS, Fraction(25))
    edl = to_string(build_otio("x", timeline, fake_media(tmp_path)), "edl")
    events = [line.split() for line in edl.splitlines() if line[:3].isdigit()]
    assert [e[1] for e in events] == ["INTERVIE", "BROLL", "INTERVIE"]
    assert events[0][4:] == ["00:00:17:00", "00:00:22:13", "00:00:00:00", "00:00:05:13"]
    assert reel_names(["a-b", "ab", "AB"]) == {"a-b": "AB", "ab": "AB01", "AB": "AB02"}


def test_redactions_in_clip_time_map_to_the_source(tmp_path: Path) -> None:
    timeline = build_timeline(CUTS, Fraction(25))
    entries = [
        {"clip_span": {"start_ms": 5_000, "end_ms": 6_000}, "reason": "face"},
        {"source": "interview", "source_span": {"start_ms": 75_000, "end_ms": 75_600}},
        {"what": "unknown shape"},
    ]
    marks = redaction_marks(entries, timeline)
    # Cut 1 lasts 138 frames (5.52 s): clip 5.0-5.52 s is its end, 5.52-6.0 s starts cut 2.
    assert [(m.source, m.span, m.label) for m in marks] == [
        ("interview", Span(22_000, 22_520), "face"),
        ("b-roll", Span(1_000, 1_480), "face"),
        ("interview", Span(75_000, 75_600), ""),
    ]


# End to end through the command, on generated media.

CONFIG = """\
version: 1
output: out
sources:
  wide: {file: %s}
  small-camera: {file: %s}
clips:
  demo:
    cuts:
      - {source: wide, start: "00:00:00.500", end: "00:00:04.000"}
      - {source: small-camera, start: 1, end: "00:00:03.500"}
      - {source: wide, start: "00:00:05", end: "00:00:07:10"}
  other:
    cuts:
      - {source: small-camera, start: 0, end: 2}
renditions:
  land: {size: 640x360, preset: ultrafast}
"""


STALE = [  # a manifest left on disk that records a redaction the config does not have
    {"clip_span": {"start_ms": 500, "end_ms": 1000}, "audio": "bleep", "blur": None},
    {"source": "wide", "source_span": {"start_ms": 5200, "end_ms": 6000}, "reason": "face"},
]


@pytest.mark.ffmpeg
def test_export_command_every_format(tmp_path: Path, wide: Path, small: Path) -> None:
    """The edit in every format; the redactions are the plan's, so a stale manifest on disk
    marks nothing (it used to decide what an export marked as redacted)."""
    config = write(tmp_path / "clip.yaml", CONFIG % (wide, small))
    write(tmp_path / "out/demo/demo.manifest.json", json.dumps({"redactions": STALE}))
    plan = plan_build(load(config), ("demo",))
    (clip,) = plan.clips
    for fmt, spec in FORMATS.items():
        result = run_cli("export", config, "--format", fmt, "--clip", "demo")
        assert result.returncode == 0, result.stderr
        path = tmp_path / "out" / "demo" / f"demo{spec.suffix}"
        assert f"wrote {path}" in result.stdout
        back = read_back(path.read_text(encoding="utf-8"), fmt, clip.timeline.fps)
        assert_same_edit(back, clip.timeline, dict(plan.media), fmt)
        assert markers(back) == [], fmt


@pytest.mark.ffmpeg
def test_export_marks_the_redactions_the_plan_computed(
    tmp_path: Path, wide: Path, small: Path
) -> None:
    """A redaction of the config is marked in every format where the plan puts it (source
    5.2-6.0 s: the third cut), whatever the manifest on disk says of redactions."""
    redact = '\nredact:\n  - {source: wide, start: "00:00:05.200", end: "00:00:06", audio: bleep}\n'
    config = write(tmp_path / "clip.yaml", CONFIG % (wide, small) + redact)
    built = run_cli(config, "--clip", "demo")
    assert built.returncode == 0, built.stderr
    manifest = tmp_path / "out/demo/demo.manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    assert [r["clip_span"]["start_ms"] for r in data["redactions"]] == [6200]
    write(manifest, json.dumps({**data, "redactions": STALE[:1]}))  # its outputs' records stand
    for fmt, spec in FORMATS.items():
        result = run_cli("export", config, "--format", fmt, "--clip", "demo")
        assert result.returncode == 0, result.stderr
        assert "redacted" in result.stdout, result.stdout  # on the rendered MP4
        text = (tmp_path / "out" / "demo" / f"demo{spec.suffix}").read_text(encoding="utf-8")
        assert markers(read_back(text, fmt, Fraction(25))) == [(2, "redaction")], fmt


@pytest.mark.ffmpeg
def test_export_to_a_chosen_file_and_usage_errors(tmp_path: Path, wide: Path, small: Path) -> None:
    config = write(tmp_path / "clip.yaml", CONFIG % (wide, small))
    target = tmp_path / "cut.edl"
    result = run_cli("export", config, "--format", "edl", "--clip", "other", "-o", target)
    assert result.returncode == 0, result.stderr
    assert "SMALLCAM" in target.read_text(encoding="utf-8")
    both = run_cli("export", config, "--format", "edl", "-o", target)
    assert both.returncode == 2
    assert "-o names one file: choose one clip with --clip NAME" in both.stderr
    missing = run_cli("export", config, "--format", "otio", "--clip", "nope")
    assert missing.returncode == 2
    assert "no clip named 'nope' (expected one of: demo, other)" in missing.stderr
    bad = run_cli("export", config, "--format", "aaf")
    assert bad.returncode == 2
    assert "invalid choice: 'aaf'" in bad.stderr
    over = run_cli("export", config, "--format", "edl", "--clip", "other", "-o", wide)
    assert over.returncode == 2
    assert "would overwrite an input" in over.stderr
