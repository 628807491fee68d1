"""Thumbnails of the first and last frame of every cut, from a rendered clip, in one ffmpeg run."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline import ffmpeg
from pipeline.ffmpeg import FfmpegCommand, escape_filter_arg, input_arg
from pipeline.files import atomic_path, ensure_folder, write_text

WIDTH = 320  # pixels; the height follows the clip's aspect ratio
FOLDER = "thumbs"
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


def plan_thumbnails(video: Path, frames: Sequence[int], folder: Path) -> FfmpegCommand:
    """One ffmpeg command that writes each of ``frames`` (sorted, unique) as ``folder/NNNN.jpg``,
    numbered from 0 in frame order.

    The ``select`` filter picks frames by number (``n``), so one decode of the clip serves all
    cuts; ``-fps_mode passthrough`` keeps ffmpeg from duplicating or dropping what it picked.
    """
    chosen = sorted(set(frames))
    expr = "+".join(f"eq(n,{n})" for n in chosen)
    pattern = str(folder.absolute()).replace("%", "%%") + "/%04d.jpg"  # a literal % is %%
    args = (
        "-v",
        "error",
        "-i",
        input_arg(video),
        "-map",
        "0:v:0",
        "-vf",
        f"select={escape_filter_arg(expr)},scale={WIDTH}:-2",
        "-fps_mode",
        "passthrough",
        "-frames:v",
        str(len(chosen)),
        "-q:v",
        "3",
        "-start_number",
        "0",
        "-f",
        "image2",
        "-y",
        "file:" + pattern,
    )
    return FfmpegCommand(args, folder, 0)


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

    Nothing is rendered when the thumbnails already show these frames of this very video
    (same file name and content hash).

    Raises:
        FfmpegError: ffmpeg failed; its last error line is in the message.
    """
    spans = cut_frames(cuts)
    names = thumbnail_names(len(spans))
    stamp = f"{video} {sha256} {spans}\n"
    folder = clip_folder / FOLDER
    if _stamp(folder) == stamp and all((clip_folder / n).exists() for pair in names for n in pair):
        return names
    ensure_folder(folder)
    chosen = sorted({n for span in spans for n in span})
    with tempfile.TemporaryDirectory(prefix=".thumbs-", dir=clip_folder) as tmp:
        ffmpeg.run(plan_thumbnails(clip_folder / video, chosen, Path(tmp)))
        made = {n: Path(tmp) / f"{i:04d}.jpg" for i, n in enumerate(chosen)}
        for span, pair in zip(spans, names, strict=True):
            for frame, name in zip(span, pair, strict=True):
                with atomic_path(clip_folder / name) as partial:
                    shutil.copyfile(made[frame], partial)  # one picture may serve two names
    _remove_stale(folder, {Path(n).name for pair in names for n in pair})
    write_text(folder / _STAMP, stamp)
    return names


def _stamp(folder: Path) -> str:
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return (folder / _STAMP).read_text(encoding="utf-8")
    return ""


def _remove_stale(folder: Path, keep: set[str]) -> None:
    """Delete the thumbnails of cuts that the clip no longer has."""
    for path in folder.glob("cut*.jpg"):
        if path.name not in keep:
            path.unlink(missing_ok=True)
