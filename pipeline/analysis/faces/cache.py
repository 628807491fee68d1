"""The face cache: the detections of one source under one detector, with the spans scanned.

An entry is keyed by the source's content hash, the model's sha256 and the detector settings
(follows pipeline/analysis/transcribe/cache.py). It keeps raw detections, not tracks: tracks
are cheap to make again, and detections of spans scanned by earlier runs are reused, so a
later clip of the same interview only scans what no run has scanned yet. Written atomically,
under a lock per entry, so two processes never scan the same source at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from pipeline.analysis.faces.model import MODEL_SHA256
from pipeline.analysis.faces.values import Box, Detection, DetectorSettings
from pipeline.core.errors import BuildError
from pipeline.core.files import write_text
from pipeline.core.model import Span
from pipeline.core.stamps import cache_lock, cache_root

log = logging.getLogger(__name__)

VERSION = 1  # of how detections are made and stored: a change makes new keys


@dataclass(frozen=True)
class Entry:
    """What is cached for one key: spans scanned (sorted, disjoint) and what was found."""

    scanned: tuple[Span, ...]
    detections: tuple[Detection, ...]


def faces_key(media_sha256: str, settings: DetectorSettings) -> str:
    """The cache key of one source under one detector: a hex digest of what shapes it."""
    blob = json.dumps(
        [VERSION, media_sha256, MODEL_SHA256, dataclasses.asdict(settings)], sort_keys=True
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def entry_path(key: str) -> Path:
    return cache_root() / "faces" / key[:2] / f"{key}.json"


def to_json(entry: Entry) -> str:
    return json.dumps(
        {
            "version": VERSION,
            "scanned": [[s.start_ms, s.end_ms] for s in entry.scanned],
            "detections": [
                [d.t_ms, d.box.x0, d.box.y0, d.box.x1, d.box.y1, d.score] for d in entry.detections
            ],
        },
        separators=(",", ":"),
    )


def from_json(text: str) -> Entry:
    data = json.loads(text)
    if data.get("version") != VERSION:
        raise ValueError(f"version {data.get('version')!r}, expected {VERSION}")
    scanned = tuple(Span(int(s), int(e)) for s, e in data["scanned"])
    detections = tuple(
        Detection(int(t), Box(int(x0), int(y0), int(x1), int(y1)), float(score))
        for t, x0, y0, x1, y1, score in data["detections"]
    )
    return Entry(scanned, detections)


def load(key: str) -> Entry | None:
    """The cached entry, or None when there is none or it cannot be read."""
    path = entry_path(key)
    try:
        return from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as e:
        log.warning("%s: ignoring a broken cache entry (%s)", path, e)
        return None


def store(key: str, entry: Entry) -> None:
    """Write an entry atomically; a cache that cannot be written only costs time."""
    try:
        write_text(entry_path(key), to_json(entry))
    except BuildError as e:
        log.warning("faces not cached: %s", e)


def locked(key: str) -> contextlib.AbstractContextManager[None]:
    """Hold the entry's lock, shared by every process on this machine."""
    return cache_lock(f"faces-{key}")
