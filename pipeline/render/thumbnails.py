"""Thumbnails of the first and last frame of every cut, from a rendered clip, in one ffmpeg run."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.core import ffmpeg
from pipeline.core.ffmpeg import FfmpegCommand, escape_filter_arg, input_arg
from pipeline.core.files import atomic_path, ensure_folder, temp_folder, write_text

WIDTH = 320  # pixels; the height follows the clip's aspect ratio
FOLDER = "thumbs"
TEMP_PREFIX = ".thumbs-"  # the pictures of one run, before they are put in place
_STAMP = ".made-from"  # which video and frames the thumbnails show, to skip a second run


def cut_frames(cuts: Sequence[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """The first and last frame of each cut on the clip, from each cut's frame count.

    >>> cut_frames([{"frames": 138}, {"frames": 94}, {"frames": 1}])
    [(0, 137), (138, 231), (232, 232)]
    """
    spans, first = [], 0
    for cut in cuts:
        frames = max(1, int(cut["frames"]))
        if "clip_frames" in cut:  # the frames where this cut is on screen (transitions overlap)
            spans.append((int(cut["clip_frames"][0]), int(cut["clip_frames"][1])))
        else:
            spans.append((first, first + frames - 1))
        first += frames
    return spans


def still_filter(frames: Sequence[int]) -> str:
    """The filter that keeps ``frames`` (sorted, unique frame numbers, counted by ``select``'s
    ``n``) and scales them to the thumbnail width."""
    expr = "+".join(f"eq(n,{n})" for n in frames)
    return f"select={escape_filter_arg(expr)},scale={WIDTH}:-2"


def still_output(frames: Sequence[int], folder: Path) -> tuple[str, ...]:
    """The output options and name that write the pictures ``still_filter`` keeps as
    ``folder/NNNN.jpg``, numbered from 0 in frame order; ``-fps_mode passthrough`` keeps
    ffmpeg from duplicating or dropping what was picked."""
    pattern = str(folder.absolute()).replace("%", "%%") + "/%04d.jpg"  # a literal % is %%
    # fmt: off
    return ("-fps_mode", "passthrough", "-frames:v", str(len(frames)), "-q:v", "3",
            "-fflags", "+bitexact", "-flags:v", "+bitexact",  # no encoder name in the JPEG
            "-start_number", "0", "-f", "image2", "file:" + pattern)
    # fmt: on


def plan_thumbnails(video: Path, frames: Sequence[int], folder: Path) -> FfmpegCommand:
    """One ffmpeg command that decodes ``video`` once and writes each of ``frames`` as
    ``folder/NNNN.jpg``: the way when the render did not make them (see ``install``)."""
    chosen = sorted(set(frames))
    args = ("-v", "error", "-i", input_arg(video), "-map", "0:v:0",
            "-vf", still_filter(chosen), "-y", *still_output(chosen, folder))  # fmt: skip
    return FfmpegCommand(args, folder, 0)


def wanted_frames(spans: Sequence[tuple[int, int]]) -> list[int]:
    """Every frame the thumbnails of ``spans`` show, sorted, each once."""
    return sorted({n for span in spans for n in span})


def thumbnail_names(count: int) -> list[tuple[str, str]]:
    """The file names (first, last) of each cut's thumbnails, under the ``thumbs`` folder.

    >>> thumbnail_names(12)[0]
    ('thumbs/cut01-first.jpg', 'thumbs/cut01-last.jpg')
    """
    width = max(2, len(str(count)))
    return [
        (f"{FOLDER}/cut{i:0{width}d}-first.jpg", f"{FOLDER}/cut{i:0{width}d}-last.jpg")
        for i in range(1, count + 1)
    ]


def write_thumbnails(
    clip_folder: Path, video: str, sha256: str, cuts: Sequence[Mapping[str, Any]]
) -> list[tuple[str, str]]:
    """Write the thumbnails of every cut from ``clip_folder/video``; return their relative names.

    Nothing is decoded when the thumbnails already show these frames of this very video
    (same file name and content hash): the render that made the video usually made them too.

    Raises:
        FfmpegError: ffmpeg failed; its last error line is in the message.
    """
    spans = cut_frames(cuts)
    names = thumbnail_names(len(spans))
    if _stamp(clip_folder / FOLDER) == _stamp_text(video, sha256, spans) and all(
        (clip_folder / n).exists() for pair in names for n in pair
    ):
        return names
    with temp_folder(TEMP_PREFIX, clip_folder) as tmp:
        ffmpeg.run(plan_thumbnails(clip_folder / video, wanted_frames(spans), tmp))
        return install(clip_folder, video, sha256, spans, tmp)


def install(
    clip_folder: Path, video: str, sha256: str, spans: Sequence[tuple[int, int]], made: Path
) -> list[tuple[str, str]]:
    """Put the pictures of ``spans`` that ffmpeg wrote in ``made`` (``NNNN.jpg``, in the order
    of ``wanted_frames``) in place as the cuts' thumbnails of ``video``; return their names."""
    names = thumbnail_names(len(spans))
    folder = clip_folder / FOLDER
    ensure_folder(folder)
    pictures = {n: made / f"{i:04d}.jpg" for i, n in enumerate(wanted_frames(spans))}
    for span, pair in zip(spans, names, strict=True):
        for frame, name in zip(span, pair, strict=True):
            with atomic_path(clip_folder / name) as partial:
                shutil.copyfile(pictures[frame], partial)  # one picture may serve two names
    _remove_stale(folder, {Path(n).name for pair in names for n in pair})
    write_text(folder / _STAMP, _stamp_text(video, sha256, spans))
    return names


def _stamp_text(video: str, sha256: str, spans: Sequence[tuple[int, int]]) -> str:
    return f"{video} {sha256} {[tuple(s) for s in spans]}\n"


def _stamp(folder: Path) -> str:
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return (folder / _STAMP).read_text(encoding="utf-8")
    return ""


def _remove_stale(folder: Path, keep: set[str]) -> None:
    """Delete the thumbnails of cuts that the clip no longer has."""
    for path in folder.glob("cut*.jpg"):
        if path.name not in keep:
            path.unlink(missing_ok=True)
