"""Face tracks from detections (pure): linking, gap bridging, holding, growing, smoothing, and
the box of a track at any time between its keys.

A detection joins the track whose motion predicts it best (constant velocity from its last two
detections; centre distance relative to the face's size), greedily, best pair first; a track
with no detection for ``max_gap_ms`` ends. Tracks never link across the edge of a scanned span
(the face could be anywhere in the source between two spans). Every box is kept at least as
large as its detection grown by the margin, so smoothing can move a box but never uncover the
face it was made from.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pipeline.analysis.faces.values import (
    Box,
    Detection,
    FaceTracks,
    TimedBox,
    Track,
    TrackSettings,
)
from pipeline.core.model import Span


@dataclass
class _Open:
    """A track being linked: its detections so far, and the scanned span it lives in."""

    segment: int
    found: list[Detection] = field(default_factory=list)

    def predict(self, t_ms: int) -> tuple[float, float, float]:
        """The centre (x, y) its motion predicts at ``t_ms``, and its size."""
        last = self.found[-1]
        cx, cy = _centre(last.box)
        size = float(max(last.box.width, last.box.height, 1))
        if len(self.found) < 2:
            return cx, cy, size
        before = self.found[-2]
        px, py = _centre(before.box)
        dt = last.t_ms - before.t_ms
        gone = t_ms - last.t_ms
        return cx + (cx - px) * gone / dt, cy + (cy - py) * gone / dt, size


def _centre(box: Box) -> tuple[float, float]:
    return (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2


def _segment(scanned: Sequence[Span], t_ms: int) -> int:
    """The index of the scanned span holding ``t_ms`` (-1 when none does)."""
    i = bisect.bisect_right([s.start_ms for s in scanned], t_ms) - 1
    return i if i >= 0 and t_ms < scanned[i].end_ms else -1


def link(
    detections: Iterable[Detection], scanned: Sequence[Span], settings: TrackSettings
) -> list[list[Detection]]:
    """Detections grouped into tracks, each in time order, tracks by first appearance."""
    by_time: dict[int, list[Detection]] = {}
    for d in detections:
        by_time.setdefault(d.t_ms, []).append(d)
    done: list[_Open] = []
    live: list[_Open] = []
    for t_ms in sorted(by_time):
        segment = _segment(scanned, t_ms)
        still = [
            o
            for o in live
            if o.segment == segment and t_ms - o.found[-1].t_ms <= settings.max_gap_ms
        ]
        done.extend(o for o in live if o not in still)
        live = still
        pairs = []
        for ti, track in enumerate(live):
            px, py, size = track.predict(t_ms)
            lx, ly = _centre(track.found[-1].box)
            for di, d in enumerate(by_time[t_ms]):
                dx, dy = _centre(d.box)
                # from where its motion predicts it, or where it was (a face that stops, or
                # the detector's jitter, which a prediction doubles)
                cost = min(math.hypot(dx - px, dy - py), math.hypot(dx - lx, dy - ly)) / size
                if cost <= settings.link_distance:
                    pairs.append((cost, ti, di))
        used_t: set[int] = set()
        used_d: set[int] = set()
        for _, ti, di in sorted(pairs):
            if ti not in used_t and di not in used_d:
                used_t.add(ti)
                used_d.add(di)
                live[ti].found.append(by_time[t_ms][di])
        for di, d in enumerate(by_time[t_ms]):
            if di not in used_d:
                live.append(_Open(segment, [d]))
    everything = done + live
    everything.sort(key=lambda o: (o.found[0].t_ms, o.found[0].box.x0, o.found[0].box.y0))
    return [o.found for o in everything]


def grow(box: Box, margin: float, width: int, height: int) -> Box:
    """``box`` grown by ``margin`` of its size on every side, clipped to the frame."""
    mx, my = math.ceil(box.width * margin), math.ceil(box.height * margin)
    return Box(
        max(0, box.x0 - mx), max(0, box.y0 - my), min(width, box.x1 + mx), min(height, box.y1 + my)
    )


def smooth(boxes: Sequence[Box], k: int) -> list[Box]:
    """Each box's centre averaged over ``k`` neighbours each side and its size the largest
    among them, united with the box itself (it still covers its own face)."""
    out = []
    for i, box in enumerate(boxes):
        window = boxes[max(0, i - k) : i + k + 1]
        cx = sum(_centre(b)[0] for b in window) / len(window)
        cy = sum(_centre(b)[1] for b in window) / len(window)
        w = max(b.width for b in window) / 2
        h = max(b.height for b in window) / 2
        mean = Box(math.floor(cx - w), math.floor(cy - h), math.ceil(cx + w), math.ceil(cy + h))
        out.append(mean.union(box))
    return out


def finish(
    track_id: int, found: Sequence[Detection], settings: TrackSettings, size: tuple[int, int]
) -> Track:
    """A linked track as it is blurred: grown, smoothed, held before and after, clipped."""
    width, height = size
    grown = [grow(d.box, settings.margin, width, height) for d in found]
    boxes = [grow(b, 0.0, width, height) for b in smooth(grown, settings.smooth)]
    keys = [TimedBox(d.t_ms, b) for d, b in zip(found, boxes, strict=True)]
    first, last = keys[0], keys[-1]
    held = [
        TimedBox(first.t_ms - settings.hold_ms, first.box),
        *keys,
        TimedBox(last.t_ms + settings.hold_ms, last.box),
    ]
    return Track(track_id, tuple(held))


def tracks(
    detections: Iterable[Detection],
    scanned: Sequence[Span],
    size: tuple[int, int],
    settings: TrackSettings,
) -> FaceTracks:
    """Every face track of the detections found in ``scanned`` (sorted, disjoint spans) of a
    ``size`` (width, height) source."""
    linked = link(detections, scanned, settings)
    made = tuple(finish(i, found, settings, size) for i, found in enumerate(linked, start=1))
    return FaceTracks(size[0], size[1], tuple(scanned), made)


def boxes_at(track: Track, t_ms: int) -> Box | None:
    """The track's box at ``t_ms``, interpolated between its keys (rounded outward); None
    outside the track."""
    keys = track.boxes
    if not keys or t_ms < keys[0].t_ms or t_ms > keys[-1].t_ms:
        return None
    i = bisect.bisect_left([k.t_ms for k in keys], t_ms)
    if keys[i].t_ms == t_ms:
        return keys[i].box
    a, b = keys[i - 1], keys[i]
    f = (t_ms - a.t_ms) / (b.t_ms - a.t_ms)

    def mix(p: int, q: int) -> float:
        return p + (q - p) * f

    return Box(
        math.floor(mix(a.box.x0, b.box.x0)),
        math.floor(mix(a.box.y0, b.box.y0)),
        math.ceil(mix(a.box.x1, b.box.x1)),
        math.ceil(mix(a.box.y1, b.box.y1)),
    )


def faces_at(faces: FaceTracks, t_ms: int) -> list[tuple[int, Box]]:
    """Every track's box at ``t_ms``, with the track's id."""
    found = []
    for track in faces.tracks:
        box = boxes_at(track, t_ms)
        if box is not None:
            found.append((track.id, box))
    return found
