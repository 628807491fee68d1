"""Move cut edges out of words: never start or end a cut in the middle of a word (pure).

Each edge gets a margin of silence (pre-roll before the first word, post-roll after the last)
without reaching into the neighbouring word, and lies in the quietest part of the gap between
the two words (measured on the audio by the caller): a breath or the tail of the word before
is not where a clip starts. Where two words touch, the edge goes to the quietest point around
the boundary they share.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.core.model import Span, Word
from pipeline.core.timecode import format_ms

PRE_ROLL_MS = 120
POST_ROLL_MS = 200
TOUCH_MS = 60  # how far into a touching word the quietest point may be looked for
GUARD_MS = 20  # an edge keeps this far from a word where the gap allows

# The quietest point of a span, nearest a preferred point among equally quiet ones.
Quietest = Callable[[Span, int], int]


@dataclass(frozen=True)
class Snapped:
    """A cut after snapping: its span, the words it keeps, and what moved and why."""

    span: Span
    words: tuple[Word, ...]
    notes: tuple[str, ...]


def _inside(t: int, w: Word) -> bool:
    return w.span.start_ms < t < w.span.end_ms


def _touching(low: int, high: int, before: Word | None, after: Word | None, quiet: Quietest) -> int:
    """An edge between two words whose timestamps touch or overlap: the quietest point near
    the boundary they share, no further into either word than ``TOUCH_MS``."""
    mid = (low + high) // 2
    window = Span(mid - TOUCH_MS, mid + TOUCH_MS)
    if before:
        window = Span(max(window.start_ms, before.span.start_ms + 1), window.end_ms)
    if after:
        window = Span(window.start_ms, min(window.end_ms, after.span.end_ms - 1))
    return quiet(window, mid) if window.end_ms > window.start_ms else mid


def start_edge(prev: Word | None, first: Word, want: int, quiet: Quietest) -> int:
    """Where a cut that keeps ``first`` (and not ``prev``) starts: in the gap before
    ``first``, at most as early as ``want``, in its quietest part (nearest ``want``)."""
    low = prev.span.end_ms if prev else 0
    high = first.span.start_ms
    if high - low < 2 * GUARD_MS:
        return _touching(low, high, prev, first, quiet) if prev else max(0, low)
    region = Span(max(low + GUARD_MS, min(want, high - GUARD_MS)), high - GUARD_MS)
    region = Span(min(region.start_ms, region.end_ms - 1), region.end_ms)
    return quiet(region, min(max(want, region.start_ms), region.end_ms))


def end_edge(last: Word, nxt: Word | None, want: int, duration_ms: int, quiet: Quietest) -> int:
    """Where a cut that keeps ``last`` (and not ``nxt``) ends: mirrored :func:`start_edge`."""
    low = last.span.end_ms
    high = nxt.span.start_ms if nxt else duration_ms
    if high - low < 2 * GUARD_MS:
        return _touching(low, high, last, nxt, quiet) if nxt else min(duration_ms, high)
    region = Span(low + GUARD_MS, min(high - GUARD_MS, max(want, low + GUARD_MS)))
    region = Span(region.start_ms, max(region.end_ms, region.start_ms + 1))
    return quiet(region, min(max(want, region.start_ms), region.end_ms))


def touched(span: Span, words: Sequence[Word]) -> tuple[int, int] | None:
    """The first and last of the words that ``span`` touches at all (None: no word)."""
    starts = [w.span.start_ms for w in words]
    lo = max(0, bisect_left(starts, span.start_ms) - 1)
    kept = [
        i
        for i in range(lo, len(words))
        if words[i].span.end_ms > span.start_ms and words[i].span.start_ms < span.end_ms
    ]
    return (kept[0], kept[-1]) if kept else None


def snap(
    span: Span,
    words: Sequence[Word],
    duration_ms: int,
    quietest: Quietest,
    pre_ms: int = PRE_ROLL_MS,
    post_ms: int = POST_ROLL_MS,
    keep: tuple[int, int] | None = None,
) -> Snapped:
    """Widen ``span`` so that it starts before its first word and ends after its last.

    Words that the span touches at all are kept whole (or words ``keep[0]`` to ``keep[1]``,
    for a quote); an edge inside a word is reported.
    """
    keep = keep or touched(span, words)
    if keep is None:
        return Snapped(span, (), ())
    first, last = keep
    prev = words[first - 1] if first > 0 else None
    nxt = words[last + 1] if last + 1 < len(words) else None
    notes = []
    if _inside(span.start_ms, words[first]):
        notes.append(f"starts inside the word {words[first].text.strip()!r}")
    if _inside(span.end_ms, words[last]):
        notes.append(f"ends inside the word {words[last].text.strip()!r}")
    want_start = max(0, min(span.start_ms, words[first].span.start_ms - pre_ms))
    start = start_edge(prev, words[first], want_start, quietest)
    want_end = min(duration_ms, max(span.end_ms, words[last].span.end_ms + post_ms))
    end = end_edge(words[last], nxt, want_end, duration_ms, quietest)
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
