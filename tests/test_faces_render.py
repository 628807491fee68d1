"""Faces hidden in the render: a track's boxes mapped through a two-cut timeline and a crop
rendition (pure), and end to end through `build-clip CONFIG` on the astronaut video of
tests/test_faces.py: the hidden face is blurred in the output, the kept one untouched."""

from __future__ import annotations

import re
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pipeline.analysis.faces import run
from pipeline.analysis.faces.values import Box, TimedBox, Track
from pipeline.config.schema import RenditionSpec
from pipeline.core.model import MediaInfo, Span
from pipeline.edit.timeline import build_timeline
from pipeline.render.chains import video_chain
from pipeline.render.faces import on_cut
from pipeline.render.finish import Finish
from tests.conftest import run_cli, write
from tests.test_faces import two_faces  # noqa: F401 (the fixture)

FPS = Fraction(25)
TRACK = Track(7, tuple(TimedBox(t, Box(100 + t // 100, 50, 140 + t // 100, 100)) for t in
                      range(0, 10_001, 200)))  # fmt: skip


def test_a_track_mapped_through_two_cuts() -> None:
    timeline = build_timeline([("nh", Span(1000, 3000)), ("nh", Span(6000, 7000))], FPS)
    first, second = (on_cut(TRACK, ts, FPS, (640, 360)) for ts in timeline.spans)
    assert first is not None and second is not None
    # the box is the face's size grown by the tolerance and rounding, in cut time from 0
    assert (first.width, first.height) == (46, 56)
    assert first.keys[0] == (0, 107.0, 47.0) and first.keys[-1] == (2000, 127.0, 47.0)
    assert len(first.keys) == 2  # a steady motion needs no key between the ends
    assert second.keys[0] == (0, 157.0, 47.0) and second.keys[-1][0] == 1000
    late = build_timeline([("nh", Span(20_000, 21_000))], FPS).spans[0]
    assert on_cut(TRACK, late, FPS, (640, 360)) is None


def test_faces_are_hidden_before_the_rendition_fits_the_picture() -> None:
    timeline = build_timeline([("nh", Span(1000, 3000)), ("nh", Span(6000, 7000))], FPS)
    info = MediaInfo(Path("nh.mp4"), 10_000, 640, 360, FPS, True)
    crop = RenditionSpec(size=(360, 640), fit="crop")
    finish = Finish(faces=(("nh", TRACK),), face_mode="pixelate")
    chains = video_chain(1, timeline.spans[1], info, crop, FPS, finish)
    assert chains[1] == "[src1]split=2[fc1_0m][fc1_0r]"
    start = "[fc1_0r]crop=w=46:h=56:x='2*floor(min(max(0\\,157.0+10.00*clip(t-0.000"
    assert chains[2].startswith(start)
    assert ",scale=8:10:flags=area,scale=46:56:flags=neighbor[fc1_0b]" in chains[2]
    assert "enable='between(t\\,0.000\\,1.040)'[fc1_0o]" in chains[3]
    assert chains[4].startswith("[fc1_0o]scale=360:640:force_original_aspect_ratio=increase")
    other = Finish(faces=(("lp", TRACK),))
    assert video_chain(1, timeline.spans[1], info, crop, FPS, other)[1].startswith("[src1]scale")


CUTS = ((0.2, 1.6), (2.0, 3.6))  # seconds of the source: face A throughout, B from 1 s


def gray(path: Path, times: list[float]) -> list[np.ndarray[Any, Any]]:
    """The luma of the frames of ``path`` at ``times`` (seconds), 640x360."""
    out = []
    for t in times:
        raw = subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-ss", f"{t:.3f}", "-i", str(path),
             "-frames:v", "1", "-vf", "scale=640:360,format=gray", "-f", "rawvideo", "-"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        out.append(np.frombuffer(raw, np.uint8).reshape(360, 640).astype(np.float64))
    return out


def edges(img: np.ndarray[Any, Any], box: Box) -> float:
    part = img[box.y0 : box.y1, box.x0 : box.x1]
    return float(np.abs(np.diff(part, axis=0)).mean() + np.abs(np.diff(part, axis=1)).mean())


def psnr(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any], box: Box) -> float:
    d = a[box.y0 : box.y1, box.x0 : box.x1] - b[box.y0 : box.y1, box.x0 : box.x1]
    return float(10 * np.log10(255**2 / max(1e-9, (d**2).mean())))


@pytest.mark.slow
@pytest.mark.ffmpeg
def test_the_hidden_face_is_blurred_and_the_kept_one_untouched(
    tmp_path: Path,
    two_faces: Path,  # noqa: F811 (the fixture)
) -> None:
    spans = [Span(round(a * 1000), round(b * 1000)) for a, b in CUTS]
    faces = run.face_tracks(two_faces, spans)
    from tests.test_faces import truth

    # face A (the first truth box) at 0.5 s: its track is the one kept
    a_box = truth(0.5)[0]
    kept = next(t for t in faces.tracks if any(k.box.covers(a_box) for k in t.boxes[:6]))
    cuts = "".join(f"      - {{source: nh, start: {a}, end: {b}, snap: none}}\n" for a, b in CUTS)
    path = write(
        tmp_path / "faces.yaml",
        f"""\
version: 1
output: out
sources:
  nh: {two_faces}
faces: {{keep: [nh/{kept.id}]}}
clips:
  hidden:
    cuts:
{cuts}renditions:
  same: {{size: 640x360, preset: ultrafast, crf: 16}}
audio: {{loudness: null}}
""",
    )
    result = run_cli(path)
    assert result.returncode == 0, result.stderr
    output = tmp_path / "out" / "hidden" / "hidden.same.nosubs.mp4"
    # clip times inside each cut, and the source times they show
    shown = [(0.3, 0.5), (1.0, 1.2), (1.7, 2.3), (2.4, 3.0), (2.8, 3.4)]
    outs = gray(output, [c for c, _ in shown])
    srcs = gray(two_faces, [s for _, s in shown])
    for (c, s), out, src in zip(shown, outs, srcs, strict=True):
        boxes = truth(s)
        assert psnr(out, src, boxes[0]) > 30, f"kept face changed at {c} s"
        if len(boxes) > 1:  # face B: blurred to a fraction of its detail
            assert edges(out, boxes[1]) < 0.35 * edges(src, boxes[1]), f"face B seen at {c} s"


@pytest.mark.slow
@pytest.mark.ffmpeg
def test_an_unknown_kept_track_is_refused_at_its_line(
    tmp_path: Path,
    two_faces: Path,  # noqa: F811 (the fixture)
) -> None:
    path = write(
        tmp_path / "faces.yaml",
        f"""\
version: 1
output: out
sources:
  nh: {two_faces}
clips:
  hidden:
    cuts:
      - {{source: nh, start: 0.2, end: 1.6, snap: none}}
    faces:
      keep: [nh/99]
""",
    )
    result = run_cli(path)
    assert result.returncode == 2
    assert re.fullmatch(
        rf"error: {path}:10: clips.hidden.faces.keep\[0\]: no face track 'nh/99' "
        r"\(expected one of: nh/\d+(, nh/\d+)*\)",
        result.stderr.strip(),
    ), result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faces.yaml"]
