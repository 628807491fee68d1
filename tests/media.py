"""Odd media for the hardening tests, made by ffmpeg lavfi, and ways to measure A/V sync.

A *sync source* is black with a white flash and, at the same instant, a 1 kHz beep in
otherwise silent audio. After a render, the flash and the beep must still coincide (to
within one frame): ``onsets`` finds both in an output.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

BEEP_HZ = 1000
MEASURE_RATE = 8000  # audio is measured at 8 kHz mono: plenty for a 1 kHz beep's onset


def ffmpeg(*args: str | Path) -> None:
    """Run ffmpeg quietly; raise with its stderr on failure."""
    argv = ["ffmpeg", "-nostdin", "-v", "error", "-y", *map(str, args)]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}\n{proc.stderr}")


@dataclass(frozen=True)
class Sync:
    """What a sync source looks like: its frame, rate, length and sound; when it flashes.

    Attributes:
        size: coded WIDTHxHEIGHT.
        rate: frame rate as ffmpeg reads it (``25``, ``30000/1001``).
        seconds: length of the video.
        flashes: start times of each 0.2 s flash (and beep), in seconds.
        channels: ``mono``, ``stereo`` or ``5.1``.
        sample_rate: audio sample rate.
        audio_delay: seconds of no audio stream at all before the audio starts (its
            timestamps start late; the beeps stay at the same media time).
        video_filters: extra filters after the flash (``setsar=4/3``, ...).
        output_args: extra output options (metadata, rotation, ...).
    """

    size: str = "320x240"
    rate: str = "25"
    seconds: float = 3.0
    flashes: tuple[float, ...] = (1.0,)
    channels: str = "stereo"
    sample_rate: int = 48000
    audio_delay: float = 0.0
    video_filters: tuple[str, ...] = ()
    output_args: tuple[str, ...] = ()


def _enable(flashes: Sequence[float], shift: float = 0.0) -> str:
    """An expression true during each 0.2 s flash (``0``: never)."""
    parts = [f"between(t\\,{t - shift:.3f}\\,{t - shift + 0.2 - 0.001:.3f})" for t in flashes]
    return "+".join(parts) or "0"


def sync_source(path: Path, spec: Sync = Sync()) -> Path:
    """Write a sync source: video and audio made apart, then muxed without re-encoding (so
    that a display matrix and a late audio start survive as written)."""
    video_only, audio_only = path.with_suffix(".v.mp4"), path.with_suffix(".a.m4a")
    video = ",".join(
        [
            f"color=c=black:s={spec.size}:r={spec.rate}:d={spec.seconds}",
            f"drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='{_enable(spec.flashes)}'",
            *spec.video_filters,
        ]
    )
    # aevalsrc, not sine + volume: a timeline ``enable`` acts per frame of 1024 samples.
    beep = f"0.5*sin(2*PI*{BEEP_HZ}*t)*gt({_enable(spec.flashes, spec.audio_delay)}\\,0)"
    audio = (
        f"aevalsrc='{beep}':s={spec.sample_rate}:d={spec.seconds - spec.audio_delay},"
        f"aformat=channel_layouts={spec.channels}"
    )
    vfr = ("-fps_mode", "passthrough") if "select" in video else ()
    ffmpeg("-f", "lavfi", "-i", video, "-c:v", "libx264", "-preset", "ultrafast",
           "-pix_fmt", "yuv420p", *vfr, video_only)  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", audio, "-c:a", "aac", "-b:a", "96k", audio_only)
    ffmpeg(
        "-i", video_only, "-itsoffset", str(spec.audio_delay), "-i", audio_only,
        "-map", "0:v", "-map", "1:a", "-c", "copy", *spec.output_args, path,
    )  # fmt: skip
    video_only.unlink()
    audio_only.unlink()
    return path


def probe(path: Path, *extra: str) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams", *extra, path],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def stream(info: dict[str, Any], kind: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in info["streams"] if s["codec_type"] == kind)
    return found


@dataclass(frozen=True)
class Measured:
    """An output's lengths, rate, frame and the times of every flash and beep onset."""

    duration: float
    video: float
    audio: float
    fps: Fraction
    width: int
    height: int
    sar: str
    flashes: tuple[float, ...]
    beeps: tuple[float, ...]
    picture: tuple[float, float]  # the flashed area's share of the frame width and height

    @property
    def frame(self) -> float:
        return float(1 / self.fps)


def measure(path: Path) -> Measured:
    """Probe ``path`` and find where each flash and each beep begins."""
    info = probe(path)
    v, a = stream(info, "video"), stream(info, "audio")
    fps = Fraction(v["avg_frame_rate"])
    return Measured(
        duration=float(info["format"]["duration"]),
        video=float(v["duration"]),
        audio=float(a["duration"]),
        fps=fps,
        width=int(v["width"]),
        height=int(v["height"]),
        sar=str(v.get("sample_aspect_ratio", "1:1")),
        beeps=_beeps(path),
        **_flashes(path, fps),
    )


def _flashes(path: Path, fps: Fraction) -> dict[str, Any]:
    """Times of the frames where the picture turns from dark to bright (CFR output), and the
    share of the frame's width and height that the first flash lights up."""
    w, h = 32, 18
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0",
         "-vf", f"scale={w}:{h}:flags=area,format=gray", "-f", "rawvideo", "-"],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    frames = [raw[i : i + w * h] for i in range(0, len(raw) - w * h + 1, w * h)]
    lit = [sum(1 for px in f if px > 128) > 0 for f in frames]
    starts = [n for n, on in enumerate(lit) if on and (n == 0 or not lit[n - 1])]
    picture = (0.0, 0.0)
    if starts:
        first = frames[starts[0]]
        cols = sum(1 for x in range(w) if max(first[x::w]) > 128)
        rows = sum(1 for y in range(h) if max(first[y * w : (y + 1) * w]) > 128)
        picture = (cols / w, rows / h)
    return {"flashes": tuple(float(n / fps) for n in starts), "picture": picture}


def _beeps(path: Path) -> tuple[float, ...]:
    """Times where the sound turns from silence to the beep (sample-exact, 8 kHz)."""
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:a:0",
         "-ac", "1", "-ar", str(MEASURE_RATE), "-f", "s16le", "-"],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    samples = array("h", raw[: len(raw) // 2 * 2])
    loud = [abs(s) > 2000 for s in samples]
    out, quiet_run = [], MEASURE_RATE  # a beep starts after at least 50 ms of quiet
    for n, is_loud in enumerate(loud):
        if is_loud and quiet_run >= MEASURE_RATE // 20:
            out.append(n / MEASURE_RATE)
        quiet_run = 0 if is_loud else quiet_run + 1
    return tuple(out)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_hashes(folder: Path) -> dict[str, str]:
    """The sha256 of every file under ``folder``, by relative path."""
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder filled by ``make`` once per test session, even across xdist workers.

    xdist_group does not keep a module on one worker here (pytest 9 with xdist 3.8 ignore
    the group suffix), so costly fixtures are shared through the session's temp root
    under a lock (the pytest-xdist how-to for session fixtures).
    """
    root = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the same for every worker of this session
    folder = root / f"once-{name}"
    with FileLock(str(root / f"once-{name}.lock")):
        if not (folder / ".done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (folder / ".done").touch()
    return folder
