"""Faces hidden in the one render (pure): each hidden track's boxes mapped onto a cut and
drawn over the cut's source frames, before the rendition fits them, so that the faces stay
hidden through every fit (crop, pad, blur: its background is made from the hidden picture)
and every transition (the segments are joined after).

A track is hidden on a cut by one box of a fixed size (the largest of its boxes there, plus
a little) whose position moves with the face: a piecewise-linear expression of the cut's
time, made from the track's keys, evaluated per frame by ``crop`` (the part hidden) and by
``overlay`` (where it goes back). Keys that a straight line already follows to within
``TOLERANCE`` pixels are dropped (the box grows by that much), so a still face costs a
short expression whatever the length of the cut.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from pipeline.analysis.faces.track import boxes_at
from pipeline.analysis.faces.values import Box, Track
from pipeline.core.model import TimelineSpan

TOLERANCE = 2  # pixels a simplified path may stray from the track's
BLOCKS = 8  # pixelate: the hidden box is this many blocks across (fewer on its short side)
BLUR = (
    "boxblur=luma_radius='min(w\\,h)/3':luma_power=3:chroma_radius='min(cw\\,ch)/3':chroma_power=3"
)


@dataclass(frozen=True)
class Moving:
    """A fixed-size box moving on a cut: ``keys`` are (cut time in ms, x, y) of its top-left
    corner, in the source frame's pixels, linear between keys and held outside them."""

    width: int
    height: int
    keys: tuple[tuple[int, float, float], ...]

    @property
    def start_ms(self) -> int:
        return self.keys[0][0]

    @property
    def end_ms(self) -> int:
        return self.keys[-1][0]


def on_cut(
    track: Track, span: TimelineSpan, fps: Fraction, frame: tuple[int, int]
) -> Moving | None:
    """The track on one cut: its boxes over the source frames the cut reads (its ``frames``,
    overlaps included), in the cut's time (0 at its first frame); None when it is not there.
    """
    start = span.src.start_ms
    end = start + math.ceil(Fraction(span.frames * 1000) / fps)
    inside = [k for k in track.boxes if start < k.t_ms < end]
    edges = [(t, boxes_at(track, t)) for t in (start, end)]
    boxes = sorted(
        [(k.t_ms, k.box) for k in inside] + [(t, b) for t, b in edges if b is not None],
        key=lambda tb: tb[0],
    )
    if not boxes:
        return None
    pad = 2 * TOLERANCE + 2  # the tolerance on both sides, and rounding to even pixels
    w = min(frame[0] // 2 * 2, _even(max(b.width for _, b in boxes) + pad))
    h = min(frame[1] // 2 * 2, _even(max(b.height for _, b in boxes) + pad))
    keys = [(t - start, *_corner(b, w, h, frame)) for t, b in boxes]
    return Moving(w, h, tuple(simplify(keys)))


def _even(n: int) -> int:
    return n + n % 2


def _corner(box: Box, w: int, h: int, frame: tuple[int, int]) -> tuple[float, float]:
    """The top-left corner of a ``w`` x ``h`` box centred on ``box``, kept in the frame."""
    x = (box.x0 + box.x1 - w) / 2
    y = (box.y0 + box.y1 - h) / 2
    return min(max(0.0, x), float(frame[0] - w)), min(max(0.0, y), float(frame[1] - h))


def simplify(keys: Sequence[tuple[int, float, float]]) -> list[tuple[int, float, float]]:
    """The keys a path needs: each dropped key lies within ``TOLERANCE`` pixels of the line
    between the kept keys around it."""
    if len(keys) <= 2:
        return list(keys)
    out = [keys[0]]
    anchor = 0
    for j in range(2, len(keys)):
        if not all(_near(keys[anchor], keys[j], keys[m]) for m in range(anchor + 1, j)):
            anchor = j - 1
            out.append(keys[anchor])
    out.append(keys[-1])
    return out


def _near(
    a: tuple[int, float, float], b: tuple[int, float, float], m: tuple[int, float, float]
) -> bool:
    f = (m[0] - a[0]) / (b[0] - a[0]) if b[0] != a[0] else 0.0
    return all(abs(a[k] + (b[k] - a[k]) * f - m[k]) <= TOLERANCE for k in (1, 2))


def _expr(path: Moving, k: int, room: str) -> str:
    """The corner's coordinate ``k`` (1: x, 2: y) at ``t`` (seconds of the cut): the first
    key's, plus one clipped ramp per segment; even (chroma is halved in yuv420p), in the
    frame (``room``: the frame less the box, in the filter's names)."""
    keys = path.keys
    terms = [f"{keys[0][k]:.1f}"]
    for (ta, *pa), (tb, *pb) in itertools.pairwise(keys):
        rise = pb[k - 1] - pa[k - 1]
        if tb > ta and abs(rise) >= 0.05:
            d = (tb - ta) / 1000
            terms.append(f"{rise / d:+.2f}*clip(t-{ta / 1000:.3f}\\,0\\,{d:.3f})")
    return f"2*floor(min(max(0\\,{''.join(terms)})\\,{room})/2)"


def _effect(mode: str, path: Moving) -> str:
    if mode == "box":
        return "drawbox=c=black:t=fill"
    if mode == "pixelate":
        side = min(path.width, path.height)
        bw = max(1, round(BLOCKS * path.width / side))
        bh = max(1, round(BLOCKS * path.height / side))
        return f"scale={bw}:{bh}:flags=area,scale={path.width}:{path.height}:flags=neighbor"
    return BLUR


def hide_faces(
    i: int,
    span: TimelineSpan,
    label_in: str,
    tracks: Sequence[Track],
    mode: str,
    fps: Fraction,
    frame: tuple[int, int],
) -> tuple[list[str], str]:
    """Hide each of ``tracks`` (of the cut's source) on cut ``i``; return the chains and the
    label of the picture they leave."""
    chains, label = [], label_in
    frame_s = 1 / fps
    for k, path in enumerate(p for t in tracks if (p := on_cut(t, span, fps, frame))):
        n = f"fc{i}_{k}"
        # one frame either side: a frame shows from its time to the next one's
        a = max(0.0, path.start_ms / 1000 - float(frame_s))
        b = path.end_ms / 1000 + float(frame_s)
        chains += [
            f"[{label}]split=2[{n}m][{n}r]",
            f"[{n}r]crop=w={path.width}:h={path.height}:"
            f"x='{_expr(path, 1, 'iw-ow')}':y='{_expr(path, 2, 'ih-oh')}':exact=1,"
            f"{_effect(mode, path)}[{n}b]",
            f"[{n}m][{n}b]overlay=x='{_expr(path, 1, 'W-w')}':y='{_expr(path, 2, 'H-h')}':"
            f"enable='between(t\\,{a:.3f}\\,{b:.3f})'[{n}o]",
        ]
        label = f"{n}o"
    return chains, label
