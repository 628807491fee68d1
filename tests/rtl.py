"""The right-to-left reference case, shared by tests/test_rtl.py and scripts/regen_goldens.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GOLDEN_PNG = Path(__file__).parent / "golden" / "arabic-mixed.png"
# Arabic with a Latin name, digits and final punctuation: the case that renders in the wrong
# order without bidi embedding.
LINE = "قال لي Haris إن العالم ضدنا منذ 2015."
SIZE = (640, 360)
BAND = (230, 350)  # rows of the frame where the bottom subtitle sits


def make_source(path: Path) -> Path:
    w, h = SIZE
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"color=c=0x203040:size={w}x{h}:rate=25:duration=3",
            "-f",
            "lavfi",
            "-i",
            "anullsrc=r=48000:cl=stereo",
            "-t",
            "3",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            str(path),
        ],
        check=True,
    )
    return path


def render_with_build_clip(folder: Path) -> Path:
    """Render the Arabic line burned in, through the build-clip command; return the MP4."""
    source = make_source(folder / "plain.mp4")
    (folder / "ar.srt").write_text(f"1\n00:00:00,500 --> 00:00:02,500\n{LINE}\n", "utf-8")
    (folder / "rtl.yaml").write_text(
        f"version: 1\noutput: out\nsources:\n  s: {source.name}\nclips:\n  rtl:\n"
        "    cuts: [{source: s, start: 0, end: 3}]\n"
        "    subtitles: {burn: ar, languages: {ar: ar.srt}}\n"
        f"renditions:\n  r: {{size: {SIZE[0]}x{SIZE[1]}, preset: ultrafast}}\n",
        "utf-8",
    )
    build_clip = Path(sys.executable).parent / "build-clip"
    subprocess.run([str(build_clip), "-q", str(folder / "rtl.yaml")], check=True)
    return folder / "out" / "rtl" / "rtl.r.ar.mp4"


def band(image_or_video: Path, at: float | None = 1.5) -> bytes:
    """The subtitle band of one frame, as 8-bit gray pixels."""
    w, _ = SIZE
    top, bottom = BAND
    seek = ["-ss", str(at)] if at is not None else []
    return subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            *seek,
            "-i",
            str(image_or_video),
            "-frames:v",
            "1",
            "-vf",
            f"crop={w}:{bottom - top}:0:{top},format=gray",
            "-f",
            "rawvideo",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout


def write_golden(video: Path) -> None:
    w, _ = SIZE
    top, bottom = BAND
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-ss",
            "1.5",
            "-i",
            str(video),
            "-frames:v",
            "1",
            "-vf",
            f"crop={w}:{bottom - top}:0:{top},format=gray",
            str(GOLDEN_PNG),
        ],
        check=True,
    )


def changed_share(frame: bytes, golden: bytes) -> float:
    """Pixels that differ strongly (> 64 of 255), as a share of the golden frame's text pixels.

    A mean over the whole band would drown the text, which covers well under 1 % of it.
    """
    assert len(frame) == len(golden) and golden, "frames of different sizes"
    text = sum(1 for g in golden if g > 128)
    changed = sum(1 for a, g in zip(frame, golden, strict=True) if abs(a - g) > 64)
    return changed / max(text, 1)


# --- a redaction's replacement inside an Arabic line (issue 15): one unit, in order ---------
REDACTED_PNG = Path(__file__).parent / "golden" / "arabic-redacted.png"
REDACTED = ("قال لي صديقي القديم إن ", "[name removed]", " كان يكذب علينا كل يوم في المدرسة.")
REDACTED_BAND = 140  # the bottom rows of the frame: two lines of subtitles


def render_band(text: str, out: Path, rtl: bool = True, px: int = 38) -> Path:
    """``text`` burned by libass (the ASS that build-clip writes) on a plain frame; the bottom
    band of that frame as a gray PNG."""
    from pipeline.core.model import Cue, Span
    from pipeline.subtitles.write import AssStyle, to_ass

    w, h = SIZE
    ass = out.with_suffix(".ass")
    style = AssStyle(w, h, "Noto Naskh Arabic", px, 20, 2.0, rtl=rtl)
    ass.write_text(to_ass([Cue(Span(0, 3000), text)], style), encoding="utf-8")
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
         "-i", f"color=c=0x203040:size={w}x{h}:rate=25:duration=1",
         "-vf", f"ass=filename={ass}:shaping=complex,"
         f"crop={w}:{REDACTED_BAND}:0:{h - REDACTED_BAND},format=gray",
         "-frames:v", "1", str(out)],
        check=True,
    )  # fmt: skip
    return out
