"""Probe sources with ffprobe and check they can be cut: video, audio, duration."""

from __future__ import annotations

import logging
import struct
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.analysis.edges import FRAME_MS, SILENCE_DB, Envelope
from pipeline.core.errors import FfmpegError, MediaError, Problem
from pipeline.core.ffmpeg import capture, ffprobe_json, input_arg, rate
from pipeline.core.model import MediaInfo, Span
from pipeline.core.stamps import remembered
from pipeline.core.timecode import seconds

log = logging.getLogger(__name__)


def probe(path: Path, shown: Path | None = None) -> MediaInfo:
    """Read what planning needs about a source.

    Args:
        path: the file.
        shown: how to name the file in errors (the path as the user wrote it).

    Raises:
        MediaError: missing, a folder, not media, or lacking video or audio.
    """
    shown = shown or path
    if not path.exists():
        raise MediaError([Problem(shown, None, "", "no such file (expected a video file)")])
    if not path.is_file():
        raise MediaError([Problem(shown, None, "", "is not a file (expected a video file)")])
    if path.stat().st_size == 0:
        raise MediaError([Problem(shown, None, "", "is empty (expected a video file)")])

    def report() -> dict[str, Any]:
        _check_complete(path, shown)
        return ffprobe_json(path, shown)

    # A source is probed once per change of the file (pipeline/core/stamps.py): by the checks and
    # the plan of one run, by the many configs of a batch, and by the next build.
    data: dict[str, Any] = remembered(path, PROBE, report)
    return media_info(path, data, shown)


PROBE = "ffprobe-1"  # the remembered report: bump when ffprobe_json asks for more


_ISO_FIRST_BOXES = frozenset([b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide"])


def _check_complete(path: Path, shown: Path) -> None:
    """Refuse an MP4/MOV whose boxes run past the end of the file (a copy that stopped, a
    recording that crashed): with its index first, ffprobe reads it without a word, and the
    clip would freeze where the data ends."""
    size = path.stat().st_size
    with path.open("rb") as f:
        if f.read(8)[4:8] not in _ISO_FIRST_BOXES:
            return  # not ISO BMFF: ffprobe judges it
        pos = 0
        while pos + 8 <= size:
            f.seek(pos)
            header = f.read(16)
            box, kind = struct.unpack_from(">I4s", header)
            if box == 1 and len(header) == 16:
                box = struct.unpack_from(">Q", header, 8)[0]
            if box < 8:
                return  # 0 runs to the end of the file; less is not ours to judge
            if pos + box > size:
                name = kind.decode("ascii", "replace")
                raise MediaError(
                    [
                        Problem(
                            shown,
                            None,
                            "",
                            f"is truncated: its {name!r} box needs {pos + box} bytes, the file "
                            f"has {size} (expected a complete file; copy or export it again)",
                        )
                    ]
                )
            pos += box


def media_info(path: Path, data: dict[str, Any], shown: Path) -> MediaInfo:
    """Reduce ffprobe's JSON to a MediaInfo; raise MediaError when it cannot be cut."""
    streams = data.get("streams", [])
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
        ),
        None,
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    missing = [k for k, s in (("video", video), ("audio", audio)) if s is None]
    if missing:
        raise MediaError(
            [
                Problem(
                    shown,
                    None,
                    "",
                    f"has no {' or '.join(missing)} stream (expected a video file with sound)",
                )
            ]
        )
    assert video is not None and audio is not None
    duration = _duration(data, video)
    if duration <= 0:
        raise MediaError(
            [Problem(shown, None, "", "has no duration (expected a finished, playable video file)")]
        )
    rotation = _rotation(video)
    sar = rate((video.get("sample_aspect_ratio") or "1:1").replace(":", "/")) or Fraction(1)
    width, height = round(_int(video.get("width"), 0) * sar), _int(video.get("height"), 0)
    if width <= 0 or height <= 0:
        raise MediaError(
            [
                Problem(
                    shown,
                    None,
                    "",
                    "has no picture size (expected a video stream ffmpeg can decode)",
                )
            ]
        )
    if rotation in (90, 270):
        width, height = height, width
    avg, nominal = rate(video.get("avg_frame_rate")), rate(video.get("r_frame_rate"))
    vfr = bool(avg > 0 and nominal > 0 and abs(avg - nominal) / nominal > 0.01)
    fps = next((r for r in (avg, nominal) if r > 0), Fraction(25))
    return MediaInfo(
        path=path,
        duration_ms=duration,
        width=width,
        height=height,
        fps=_standard_rate(fps) if vfr else fps.limit_denominator(1001),
        has_audio=True,
        sample_rate=_int(audio.get("sample_rate"), 48000),
        channels=_int(audio.get("channels"), 2),
        sar=sar,
        rotation=rotation,
        vfr=vfr,
    )


STANDARD_RATES = tuple(
    Fraction(r) for r in ("24000/1001", "24", "25", "30000/1001", "30", "50", "60000/1001", "60")
)


def _standard_rate(avg: Fraction) -> Fraction:
    """The rate to count variable-rate footage in: the standard rate nearest its average
    (a phone's 29.87 is 29.97), so that clips come out at a rate editors and platforms
    accept; an average far from any standard rate is kept.

    >>> _standard_rate(Fraction(77, 3))
    Fraction(25, 1)
    """
    near = min(STANDARD_RATES, key=lambda r: abs(r - avg))
    return near if abs(near - avg) <= avg / 20 else avg.limit_denominator(1001)


def _duration(data: dict[str, Any], video: dict[str, Any]) -> int:
    for value in (data.get("format", {}).get("duration"), video.get("duration")):
        try:
            return round(float(str(value)) * 1000)
        except (TypeError, ValueError, OverflowError):
            continue
    return 0


def _int(value: object, default: int) -> int:
    """A positive whole number from ffprobe's report, or ``default`` for anything else."""
    try:
        number = int(float(str(value)))
    except (TypeError, ValueError, OverflowError):
        return default
    return number if number > 0 else default


def _rotation(video: dict[str, Any]) -> int:
    for side in video.get("side_data_list", []):
        if "rotation" in side:
            try:
                return round(-float(side["rotation"])) % 360
            except (TypeError, ValueError, OverflowError):
                return 0
    try:  # the old rotate tag: text anyone can write, not a display matrix
        return int(float(str(video.get("tags", {}).get("rotate", 0)))) % 360
    except (ValueError, OverflowError):
        return 0


def envelope(path: Path, span: Span, frame_ms: int = FRAME_MS) -> Envelope:
    """The level of each ``frame_ms`` frame of ``path``'s sound inside ``span`` (its first
    audio stream, mixed to mono at 16 kHz); reads only that stretch. Empty without sound."""
    import numpy as np  # only when a cut is snapped: numpy costs start-up time

    rate = 16000
    start = max(0, span.start_ms)
    args = [
        "-nostdin", "-v", "error",
        "-ss", seconds(start), "-t", seconds(span.end_ms - start), "-i", input_arg(path),
        "-map", "0:a:0", "-ac", "1", "-ar", str(rate), "-f", "s16le", "-",
    ]  # fmt: skip
    try:
        raw = capture("ffmpeg", args, path).stdout
    except FfmpegError:  # no sound to read (no audio stream): nothing to snap to, as documented
        raw = b""
    step = rate * frame_ms // 1000
    samples = np.frombuffer(raw[: len(raw) // (2 * step) * 2 * step], dtype="<i2")
    frames = samples.astype(np.float64).reshape(-1, step) / 32768.0
    power = (frames * frames).mean(axis=1)
    levels = 10 * np.log10(np.maximum(power, 10 ** (SILENCE_DB / 10)))
    return Envelope(start, tuple(float(x) for x in levels), frame_ms)
