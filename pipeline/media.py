"""Probe sources with ffprobe and check they can be cut: video, audio, duration."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.errors import MediaError, Problem
from pipeline.ffmpeg import ffprobe_json, rate
from pipeline.model import MediaInfo


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
    return media_info(path, ffprobe_json(path, shown), shown)


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
    width, height = round(int(video["width"]) * sar), int(video["height"])
    if rotation in (90, 270):
        width, height = height, width
    avg, nominal = rate(video.get("avg_frame_rate")), rate(video.get("r_frame_rate"))
    fps = avg or nominal or Fraction(25)
    return MediaInfo(
        path=path,
        duration_ms=duration,
        width=width,
        height=height,
        fps=fps.limit_denominator(1001),
        has_audio=True,
        sample_rate=int(audio.get("sample_rate") or 48000),
        channels=int(audio.get("channels") or 2),
        sar=sar,
        rotation=rotation,
        vfr=bool(avg and nominal and abs(avg - nominal) / nominal > 0.01),
    )


def _duration(data: dict[str, Any], video: dict[str, Any]) -> int:
    for value in (data.get("format", {}).get("duration"), video.get("duration")):
        try:
            return round(float(str(value)) * 1000)
        except (TypeError, ValueError):
            continue
    return 0


def _rotation(video: dict[str, Any]) -> int:
    for side in video.get("side_data_list", []):
        if "rotation" in side:
            return round(-float(side["rotation"])) % 360
    return int(video.get("tags", {}).get("rotate", 0)) % 360
