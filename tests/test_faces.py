"""Faces end to end on real photographs: a short video of two faces moving (one entering
late, one partly occluded) is scanned, and every frame's faces must lie inside a track box;
a second request is answered from the cache; the model is checked by sha256."""

from __future__ import annotations

import math
import subprocess
from importlib import resources
from pathlib import Path

import pytest

from pipeline.analysis.faces import detect as detect_module
from pipeline.analysis.faces import model, run
from pipeline.analysis.faces.track import faces_at
from pipeline.analysis.faces.values import Box
from pipeline.core.model import Span
from tests.conftest import need_ffmpeg

FPS = 25
SECONDS = 4
# The astronaut's face in skimage's astronaut.png (512x512), as CenterFace boxes it there.
FACE = (181, 58, 270, 178)
CROP = (130, 20, 200, 240)  # x, y, w, h of the part overlaid, scaled by a half
HALF = 0.5


def photo() -> Path:
    return Path(str(resources.files("skimage") / "data" / "astronaut.png"))


def truth(t: float) -> list[Box]:
    """The faces visible at ``t`` seconds, as the video below places them (source pixels)."""
    cx, cy, cw, _ = CROP
    fx0, fy0, fx1, fy1 = ((v - o) * HALF for v, o in zip(FACE, (cx, cy, cx, cy), strict=True))
    boxes = []
    ax = math.floor(20 + 100 * t)
    boxes.append((ax + fx0, 100 + fy0, ax + fx1, 100 + fy1))
    if t >= 1:
        bx = math.floor(500 - 100 * t)
        flip0, flip1 = cw * HALF - fx1, cw * HALF - fx0  # the second copy is mirrored
        boxes.append((bx + flip0, 200 + fy0, bx + flip1, 200 + fy1))
    # one pixel of slack for overlay's rounding of the position
    return [
        Box(math.floor(a) + 1, math.floor(b) + 1, math.ceil(c) - 1, math.ceil(d) - 1)
        for a, b, c, d in boxes
    ]


@pytest.fixture(scope="module")
def two_faces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_ffmpeg()
    out = tmp_path_factory.mktemp("faces") / "two-faces.mp4"
    x, y, w, h = CROP
    graph = (
        f"[1:v]crop={w}:{h}:{x}:{y},scale={int(w * HALF)}:{int(h * HALF)},split[a][b0];"
        "[b0]hflip[b];"
        "[0:v][a]overlay=x='20+100*t':y=100[v1];"
        "[v1][b]overlay=x='500-100*t':y=200:enable='gte(t,1)'[v2];"
        # the lower half of the first face is hidden for a few frames
        "[v2]drawbox=x=0:y=150:w=640:h=40:color=black:t=fill:enable='between(t,1.6,1.9)',"
        "format=yuv420p[v]"
    )
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"color=c=0x405060:s=640x360:r={FPS}:d={SECONDS}",
         "-loop", "1", "-framerate", str(FPS), "-i", str(photo()),
         "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo",  # sources have sound
         "-filter_complex", graph, "-map", "[v]", "-map", "2:a", "-t", str(SECONDS),
         "-c:a", "aac", "-c:v", "libx264", "-crf", "18", "-preset", "veryfast", str(out)],
        check=True,
    )  # fmt: skip
    return out


def test_the_model_is_the_pinned_file() -> None:
    assert model.model_path().name == "centerface.onnx"
    assert len(model.verified_model()) == 7_304_518


def test_a_changed_model_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "centerface.onnx"
    bad.write_bytes(b"not a model")
    monkeypatch.setattr(model, "model_path", lambda: bad)
    model.verified_model.cache_clear()
    try:
        with pytest.raises(model.ModelError, match="corrupt or not the pinned one"):
            model.verified_model()
    finally:
        model.verified_model.cache_clear()


@pytest.mark.slow
def test_every_face_in_every_frame_is_covered_and_the_second_call_is_cached(
    two_faces: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUILD_CLIP_CACHE", str(tmp_path / "cache"))
    asked = Span(500, 3500)
    faces = run.face_tracks(two_faces, [asked], threads=2)
    assert faces.scanned == (Span(0, 4000),)  # the span and its margin, inside the source
    assert len(faces.tracks) == 2

    missed = []
    frames = 0
    for n in range(SECONDS * FPS):
        t_ms = n * 1000 // FPS
        boxes = [box for _, box in faces_at(faces, t_ms)]
        for face in truth(t_ms / 1000):
            frames += 1
            if not any(box.covers(face) for box in boxes):
                missed.append((t_ms, face, boxes))
    assert frames == 175 and missed == []  # 100 % recall, every frame, every face

    def no_decoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("decoded again")

    monkeypatch.setattr(detect_module, "decode_frames", no_decoding)
    again = run.face_tracks(two_faces, [asked], threads=2)
    assert again == faces
    inside = run.face_tracks(two_faces, [Span(1000, 2000)], threads=2)  # covered already
    assert inside.scanned == (Span(0, 3000),)
