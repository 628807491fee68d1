"""Shared fixtures: tiny media made by ffmpeg lavfi once per session, and CLI helpers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

BUILD_CLIP = str(Path(sys.executable).parent / "build-clip")

# Whisper's words and punctuation depend on the CPU's vector instructions: CTranslate2 and its
# oneDNN kernels pick AVX-512 where the CPU has it, and "somewhere," heard on one CI machine is
# "somewhere" on another. Every test run (and every build-clip it starts) computes as on an
# AVX2 machine, with oneDNN (not the MKL that CTranslate2 prefers on Intel CPUs), so the
# expected transcripts hold on any x86-64 CI machine.
os.environ.setdefault("CT2_FORCE_CPU_ISA", "AVX2")
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")
os.environ.setdefault("CT2_USE_MKL", "0")


def need_ffmpeg() -> None:
    if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
        pytest.skip("needs ffmpeg and ffprobe (apt-get install ffmpeg)")


def make_media(
    path: Path,
    *,
    size: str = "320x240",
    rate: int = 25,
    seconds: float = 6,
    sample_rate: int = 48000,
    channels: int = 2,
    extra: Sequence[str] = (),
) -> Path:
    """A small H.264/AAC file: testsrc2 video and a tone."""
    need_ffmpeg()
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
            f"testsrc2=size={size}:rate={rate}:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:sample_rate={sample_rate}:duration={seconds}",
            "-ac",
            str(channels),
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            *extra,
            str(path),
        ],
        check=True,
    )
    return path


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def wide(media_dir: Path) -> Path:
    """1280x720, 25 fps, 48 kHz stereo, with GPS, creation-time and handler tags to strip."""
    return make_media(
        media_dir / "wide.mp4",
        size="1280x720",
        seconds=12,
        extra=[
            "-metadata",
            "location=+48.8577+002.2950/",
            "-metadata",
            "creation_time=2024-01-01",
            "-metadata:s:v",
            "handler_name=SecretCam",
            "-metadata",
            "title=private",
        ],
    )


@pytest.fixture(scope="session")
def small(media_dir: Path) -> Path:
    """640x480, 30 fps, 44.1 kHz mono."""
    return make_media(
        media_dir / "small.mp4", size="640x480", rate=30, seconds=8, sample_rate=44100, channels=1
    )


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``build-clip`` command."""
    return subprocess.run(
        [BUILD_CLIP, *map(str, args)], capture_output=True, text=True, cwd=cwd, check=False
    )


def probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def frame_at(path: Path, seconds: float) -> bytes:
    """One decoded frame as raw gray pixels."""
    out = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-ss",
            f"{seconds:.3f}",
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
        ],
        capture_output=True,
        check=True,
    )
    return out.stdout


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture(scope="session")
def interview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2-minute sample interview (samples/make_sample.py), with its English SRT beside it."""
    need_ffmpeg()
    folder = tmp_path_factory.mktemp("sample")
    subprocess.run(
        [
            sys.executable,
            str(SAMPLES / "make_sample.py"),
            "--out",
            str(folder / "interview.mp4"),
            "--srt",
            str(folder / "interview.en.srt"),
        ],
        check=True,
        capture_output=True,
    )
    return folder / "interview.mp4"
