"""``face_tracks``: the face tracks of a source over the spans a config's clips use, made
once and cached (detections by content hash and detector settings; tracks made from them).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from pipeline.analysis.faces import cache
from pipeline.analysis.faces.detect import detect
from pipeline.analysis.faces.spans import inside, merged, missing, wanted
from pipeline.analysis.faces.track import tracks
from pipeline.analysis.faces.values import DetectorSettings, FaceTracks, TrackSettings
from pipeline.analysis.media import probe
from pipeline.core.model import Span
from pipeline.core.stamps import file_sha256

log = logging.getLogger(__name__)

MARGIN_MS = 1000  # scanned around each span: a blur's hold and smoothing look past its edges


def default_threads() -> int:
    """Intra-op threads for the detector: the cores this process may use, at most 4 (more
    gains little on a 640-pixel frame and starves the other builds)."""
    return max(1, min(4, len(os.sched_getaffinity(0))))


def face_tracks(
    source: Path,
    spans: Iterable[Span],
    detector: DetectorSettings = DetectorSettings(),  # noqa: B008 (frozen)
    tracking: TrackSettings = TrackSettings(),  # noqa: B008 (frozen)
    margin_ms: int = MARGIN_MS,
    threads: int | None = None,
) -> FaceTracks:
    """The face tracks of ``source`` over ``spans`` (source time) widened by ``margin_ms``.

    Only what no earlier run scanned with the same detector is decoded; the result depends on
    the request only, not on what the cache held.

    Raises:
        MediaError: the source cannot be probed.
        FfmpegError: ffmpeg could not decode a span.
        ModelError: the face model is missing, changed or cannot be loaded.
    """
    info = probe(source)
    want = wanted(spans, margin_ms, detector.sample_ms, info.duration_ms)
    key = cache.faces_key(file_sha256(source), detector)
    with cache.locked(key):
        entry = cache.load(key) or cache.Entry((), ())
        todo = missing(want, entry.scanned)
        if todo:
            log.info(
                "%s: scanning %.1f s for faces",
                source.name,
                sum(s.duration_ms for s in todo) / 1000,
            )
            found = detect(
                source, (info.width, info.height), todo, detector, threads or default_threads()
            )
            everything = sorted(
                (*entry.detections, *found), key=lambda d: (d.t_ms, d.box.x0, d.box.y0)
            )
            entry = cache.Entry(merged((*entry.scanned, *todo)), tuple(everything))
            cache.store(key, entry)
    kept = [d for d in entry.detections if inside(d.t_ms, want)]
    return tracks(kept, want, (info.width, info.height), tracking)
