"""The one runner of ffmpeg and ffprobe (pipeline/core/ffmpeg.py): ``capture`` keeps what a
run printed and raises FfmpegError, with ffmpeg's last stderr line and the path, when it
fails; the callers that can do without a result catch it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.analysis.media import envelope
from pipeline.core.errors import FfmpegError, MediaError
from pipeline.core.ffmpeg import capture, ffprobe_json, input_arg, last_line
from pipeline.core.model import Span
from pipeline.render.loudness import measure
from pipeline.verify.leaks import _subtitle_text
from tests.conftest import make_media, need_ffmpeg

pytestmark = pytest.mark.ffmpeg


def test_capture_keeps_output_and_stderr(tmp_path: Path) -> None:
    need_ffmpeg()
    out = capture(
        "ffmpeg",
        ["-nostdin", "-v", "info", "-f", "lavfi", "-i", "sine=duration=0.1",
         "-f", "s16le", "-ac", "1", "-ar", "8000", "-"],
    )  # fmt: skip
    assert len(out.stdout) == 2 * 800
    assert "Output #0" in out.stderr


def test_capture_raises_with_the_last_stderr_line_and_the_path(tmp_path: Path) -> None:
    need_ffmpeg()
    missing = tmp_path / "missing.mp4"
    with pytest.raises(FfmpegError) as caught:
        capture(
            "ffmpeg",
            ["-nostdin", "-v", "error", "-i", input_arg(missing), "-f", "null", "-"],
            missing,
        )
    error = caught.value
    assert error.returncode != 0
    assert error.output == missing
    assert str(error).startswith(f"{missing}: ffmpeg failed (exit ")
    assert "No such file or directory" in str(error)
    assert last_line(error, "?").endswith("No such file or directory")


def test_ffprobe_failure_is_a_media_error(tmp_path: Path) -> None:
    need_ffmpeg()
    noise = tmp_path / "noise.mp4"
    noise.write_text("noise")
    with pytest.raises(MediaError, match=r"noise.mp4: not a readable media file \(ffprobe: "):
        ffprobe_json(noise)


def test_callers_that_do_without_sound_catch_the_failure(tmp_path: Path) -> None:
    silent = make_media(tmp_path / "silent.mp4", seconds=1, extra=["-an"])
    assert envelope(silent, Span(0, 500)).levels == ()
    assert measure(silent) == {}


def test_an_unreadable_subtitle_track_is_an_os_error(tmp_path: Path) -> None:
    media = make_media(tmp_path / "plain.mp4", seconds=1)
    with pytest.raises(OSError, match=r"^ffmpeg could not read subtitle track 0 \(.+\)$"):
        _subtitle_text(media, 0)
