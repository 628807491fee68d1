"""Faces found in sampled frames of given source spans: ffmpeg decodes each span (seeking on
the input side, so cost grows with the spans, not the source), at the detector's size and one
frame every ``sample_ms``; CenterFace finds the faces in each frame.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from pipeline.analysis.faces import centerface
from pipeline.analysis.faces.model import INPUT_NAME, OUTPUT_NAMES, session
from pipeline.analysis.faces.values import Box, Detection, DetectorSettings
from pipeline.core.ffmpeg import capture, input_arg
from pipeline.core.model import Span

log = logging.getLogger(__name__)

CHUNK_MS = 10_000  # one ffmpeg run decodes at most this much (50 frames of 640x360: 35 MB)
BATCH = 4  # frames per inference (on 2 busy cores no faster than one at a time; fewer calls)

Frames = npt.NDArray[np.uint8]


def sample_times(span: Span, sample_ms: int) -> list[int]:
    """The times detected in ``span``: its start, then every ``sample_ms``."""
    return list(range(span.start_ms, span.end_ms, sample_ms))


def decode_frames(path: Path, span: Span, size: tuple[int, int], sample_ms: int) -> Frames:
    """The frames of ``span`` at ``size`` (width, height), RGB, one every ``sample_ms`` from
    the span's start: an array (N, height, width, 3), N at most the span's sample count.

    ffmpeg seeks on the input side (accurate seek: the first frame is the one at the start),
    the fps filter picks the frame nearest each sample time, and ``scale`` maps the display
    frame (autorotated) onto the detector's size.
    """
    width, height = size
    args = [
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-ss",
        f"{span.start_ms / 1000:.3f}",
        "-t",
        f"{span.duration_ms / 1000:.3f}",
        "-i",
        input_arg(path),
        "-map",
        "0:v:0",
        "-vf",
        f"fps=1000/{sample_ms},scale={width}:{height}:flags=area,format=rgb24",
        "-f",
        "rawvideo",
        "pipe:1",
    ]
    raw = capture("ffmpeg", args, path).stdout
    frame_bytes = width * height * 3
    count = min(len(raw) // frame_bytes, len(sample_times(span, sample_ms)))
    data = np.frombuffer(raw, dtype=np.uint8, count=count * frame_bytes)
    return data.reshape(count, height, width, 3)


def chunks(spans: tuple[Span, ...], sample_ms: int) -> Iterator[Span]:
    """Each span cut into decoding chunks that start on the span's sample grid."""
    step = max(sample_ms, CHUNK_MS // sample_ms * sample_ms)
    for span in spans:
        for start in range(span.start_ms, span.end_ms, step):
            yield Span(start, min(start + step, span.end_ms))


def detect_frames(sess: Any, frames: Frames, threshold: float) -> list[npt.NDArray[np.float32]]:
    """Each frame's faces (rows ``x0, y0, x1, y1, score`` in the frames' pixels)."""
    found = []
    height, width = frames.shape[1:3]
    for i in range(0, len(frames), BATCH):
        heatmap, scale, offset, _ = sess.run(
            list(OUTPUT_NAMES), {INPUT_NAME: centerface.blob(frames[i : i + BATCH])}
        )
        for k in range(len(heatmap)):
            found.append(
                centerface.decode(heatmap[k], scale[k], offset[k], (width, height), threshold)
            )
    return found


def detect(
    path: Path,
    source_size: tuple[int, int],
    spans: tuple[Span, ...],
    settings: DetectorSettings,
    threads: int,
    on_chunk: Callable[[Span], None] | None = None,
) -> list[Detection]:
    """Every face the detector finds in ``spans`` of ``path``, in time order, boxes in the
    source's display pixels (``source_size``: width, height)."""
    sess = session(threads)
    size = centerface.input_size(*source_size, settings.max_side)
    sx, sy = source_size[0] / size[0], source_size[1] / size[1]
    found: list[Detection] = []
    for chunk in chunks(spans, settings.sample_ms):
        frames = decode_frames(path, chunk, size, settings.sample_ms)
        times = sample_times(chunk, settings.sample_ms)
        for t_ms, rows in zip(times, detect_frames(sess, frames, settings.threshold), strict=False):
            for x0, y0, x1, y1, score in rows.tolist():
                box = Box(int(x0 * sx), int(y0 * sy), int(np.ceil(x1 * sx)), int(np.ceil(y1 * sy)))
                found.append(Detection(t_ms, box, round(float(score), 4)))
        if on_chunk is not None:
            on_chunk(chunk)
        log.debug("%s %s: %d frames", path.name, chunk, len(frames))
    return found
