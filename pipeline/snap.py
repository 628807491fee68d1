"""Move cut edges out of words: never start or end a cut in the middle of a word (pure).

Each edge gets a margin of silence (pre-roll before the first word, post-roll after the last)
without reaching into the neighbouring word; where two words touch, the edge goes to the
quietest point between them, which the caller measures on the audio.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.model import Span, Word
from pipeline.timecode import format_ms

PRE_ROLL_MS = 120
POST_ROLL_MS = 200
TOUCH_MS = 60  # how far into a touching word the quietest point may be looked for

Quietest = Callable[[Span], int]


@dataclass(frozen=True)
class Snapped:
    """A cut after snapping: its span, the words it keeps, and what moved and why."""

    span: Span
    words: tuple[Word, ...]
    notes: tuple[str, ...]


def _inside(t: int, w: Word) -> bool:
    return w.span.start_ms < t < w.span.end_ms


def _edge_between(before: Word | None, after: Word | None, want: int, quietest: Quietest) -> int:
    """An edge near ``want`` that lies in the gap between two words, or at its quietest point."""
    low = before.span.end_ms if before else 0
    high = after.span.start_ms if after else want
    if low <= want <= high:
        return want
    if high - low >= 20:
        return quietest(Span(low, high))
    # Touching or overlapping timestamps: look around the boundary the two words share.
    mid = (low + high) // 2
    window = Span(mid - TOUCH_MS, mid + TOUCH_MS)
    if before:
        window = Span(max(window.start_ms, before.span.start_ms + 1), window.end_ms)
    if after:
        window = Span(window.start_ms, min(window.end_ms, after.span.end_ms - 1))
    return quietest(window) if window.end_ms > window.start_ms else mid


def snap(
    span: Span,
    words: Sequence[Word],
    duration_ms: int,
    quietest: Quietest,
    pre_ms: int = PRE_ROLL_MS,
    post_ms: int = POST_ROLL_MS,
) -> Snapped:
    """Widen ``span`` so that it starts before its first word and ends after its last.

    Words that the span touches at all are kept whole; an edge inside a word is reported.
    """
    starts = [w.span.start_ms for w in words]
    lo = max(0, bisect_left(starts, span.start_ms) - 1)
    kept_idx = [
        i
        for i in range(lo, len(words))
        if words[i].span.end_ms > span.start_ms and words[i].span.start_ms < span.end_ms
    ]
    if not kept_idx:
        return Snapped(span, (), ())
    first, last = kept_idx[0], kept_idx[-1]
    prev = words[first - 1] if first > 0 else None
    nxt = words[last + 1] if last + 1 < len(words) else None
    notes = []
    if _inside(span.start_ms, words[first]):
        notes.append(f"starts inside the word {words[first].text.strip()!r}")
    if _inside(span.end_ms, words[last]):
        notes.append(f"ends inside the word {words[last].text.strip()!r}")
    want_start = min(span.start_ms, words[first].span.start_ms - pre_ms)
    start = _edge_between(prev, words[first], max(0, want_start), quietest)
    want_end = max(span.end_ms, words[last].span.end_ms + post_ms)
    end = _edge_between(words[last], nxt, min(duration_ms, want_end), quietest)
    end = min(max(end, words[last].span.end_ms), duration_ms)
    start = max(0, min(start, words[first].span.start_ms))
    if notes:
        notes.append(f"snapped to {format_ms(start)}-{format_ms(end)}")
    return Snapped(Span(start, end), tuple(words[first : last + 1]), tuple(notes))


def kept_words(span: Span, words: Sequence[Word]) -> tuple[Word, ...]:
    """The words whose middle lies inside ``span``."""
    return tuple(
        w for w in words if span.start_ms <= (w.span.start_ms + w.span.end_ms) // 2 < span.end_ms
    )
