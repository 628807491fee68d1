"""Place cuts on the clip and map source-time cues through them (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from pipeline.core.model import Cue, Span, Timeline, TimelineSpan


def frame_to_ms(frame: int, fps: Fraction) -> int:
    """The millisecond at which ``frame`` starts, rounded."""
    return round(frame * 1000 / fps)


def build_timeline(
    cuts: Sequence[tuple[str, Span]],
    fps: Fraction,
    overlap: int = 0,
    lead: int = 0,
    tail: int = 0,
) -> Timeline:
    """Lay cuts end to end, each starting on a whole frame of the output.

    Each segment's length is rounded from the running total of source durations, so the
    clip lasts round(sum of cuts x fps) frames whatever the number of cuts -- less one
    ``overlap`` (in frames) for each transition between two segments.
    """
    spans = []
    total_ms = 0
    placed = lead  # where the next segment starts on the clip, in frames
    half = overlap // 2
    for i, (source, src) in enumerate(cuts):
        first = round(Fraction(total_ms) * fps / 1000)
        total_ms += src.duration_ms
        frames = max(1, round(Fraction(total_ms) * fps / 1000) - first)
        shown_from = placed + (half if i else 0)
        shown_to = placed + frames - ((overlap - half) if i < len(cuts) - 1 else 0)
        whole = Span(frame_to_ms(placed, fps), frame_to_ms(placed + frames, fps))
        clip = Span(frame_to_ms(shown_from, fps), frame_to_ms(shown_to, fps))
        spans.append(TimelineSpan(source, src, placed, frames, clip, whole if overlap else None))
        placed += frames - overlap
    return Timeline(tuple(spans), fps, overlap, lead, tail)


FRAGMENT_MS = 500  # a piece of a cue cut shorter than this is not shown on its own


def map_cues(cues: Mapping[str, Sequence[Cue]], timeline: Timeline) -> tuple[Cue, ...]:
    """Map each source's cues (in that source's time) onto the clip.

    Each cue is clipped to every cut it overlaps and shifted to clip time, so a cue that
    spans a cut is split there and no cue shows outside the material it belongs to.

    A piece that a cut leaves shorter than 0.5 s would flash (SUBTITLES.md): it goes to its
    neighbour. The cue before it in the same cut stays up over it when that adds at most
    0.5 s (a hang, as after a last word); otherwise, or with no cue before it (its cue
    began before the cut, and a cue never shows before its words), it is dropped.
    """
    out: list[Cue] = []
    for ts in timeline.spans:
        pieces: list[Cue] = []
        for cue in sorted(cues.get(ts.source, ()), key=lambda c: (c.span.start_ms, c.span.end_ms)):
            part = cue.span.intersect(ts.src)
            if part is None:
                continue
            start = max(ts.clip.start_ms, part.start_ms + ts.shift_ms)
            end = min(ts.clip.end_ms, part.end_ms + ts.shift_ms)
            if end <= start:
                continue
            if part != cue.span and end - start < FRAGMENT_MS:
                last = pieces[-1] if pieces else None
                if last is not None and start >= last.span.end_ms >= end - FRAGMENT_MS:
                    pieces[-1] = Cue(Span(last.span.start_ms, end), last.text)
                continue
            pieces.append(Cue(Span(start, end), cue.text))
        out += pieces
    return tuple(sorted(out, key=lambda c: c.span))
