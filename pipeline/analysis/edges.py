"""Word edges measured on the audio, and the quiet points between words (pure).

Whisper's word times are rough: a word can start a second early (it swallows the pause
before it), end late (it runs over the pause after it), or have no length at all. Before
snapping uses them, the word boundaries at a cut's edges are put onto the sound, in an
``Envelope`` of the source's audio (its level in 10 ms frames): each is moved to the pause that
Whisper put it nearest to, so that the edge words neither start nor end inside the silence
around them, and no word is shorter than ``MIN_WORD_MS``. A cut edge then goes to the quietest
part of the gap between two words (see pipeline/edit/snap.py).

Between words said in one breath there is no pause to measure, and Whisper's boundary stays;
where Whisper shifted a whole word across a pause, the sound cannot tell (``--verify`` hears
what a cut really says).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.core.model import Span, Word

FRAME_MS = 10
MIN_WORD_MS = 60  # the shortest word kept: about one short syllable
PAUSE_MS = 150  # a stretch without sound this long is a pause between words
MAX_SHIFT_MS = 1500  # Whisper's boundary may be this far from the pause it stands for
SILENCE_DB = -100.0  # the level of a frame of digital silence
NEAR_QUIETEST_DB = 3.0  # frames this close to the quietest level count as equally quiet
VOICE_ABOVE_FLOOR_DB = 12.0  # a frame is sound when this far over the window's floor ...
VOICE_BELOW_PEAK_DB = 40.0  # ... and no further than this under its peak


@dataclass(frozen=True)
class Envelope:
    """The level (dBFS, RMS) of each ``frame_ms`` frame of a stretch of audio from ``start_ms``."""

    start_ms: int
    levels: tuple[float, ...]
    frame_ms: int = FRAME_MS

    @property
    def end_ms(self) -> int:
        return self.start_ms + len(self.levels) * self.frame_ms

    def index(self, ms: int) -> int:
        """The frame that holds ``ms``, clamped to the envelope."""
        return min(max((ms - self.start_ms) // self.frame_ms, 0), len(self.levels) - 1)

    def time(self, frame: int) -> int:
        return self.start_ms + frame * self.frame_ms

    def threshold(self) -> float:
        """The level above which a frame is sound: over the floor, not far under the peak."""
        ordered = sorted(self.levels)
        floor = ordered[len(ordered) // 10]
        return max(floor + VOICE_ABOVE_FLOOR_DB, ordered[-1] - VOICE_BELOW_PEAK_DB)

    def covers(self, span: Span) -> bool:
        return bool(self.levels) and self.start_ms <= span.start_ms and span.end_ms <= self.end_ms

    def quietest(self, span: Span, prefer: int | None = None) -> int:
        """A point in the quietest part of ``span``: among the frames within
        ``NEAR_QUIETEST_DB`` of its quietest one, the middle of the one nearest ``prefer``
        (default: the middle of the span)."""
        first, last = self.index(span.start_ms), self.index(max(span.start_ms, span.end_ms - 1))
        frames = range(first, last + 1)
        quiet = min(self.levels[k] for k in frames)
        want = (span.start_ms + span.end_ms) // 2 if prefer is None else prefer
        best = min(
            (k for k in frames if self.levels[k] <= quiet + NEAR_QUIETEST_DB),
            key=lambda k: abs(self.time(k) + self.frame_ms // 2 - want),
        )
        middle = self.time(best) + self.frame_ms // 2
        return min(max(middle, span.start_ms), span.end_ms)


def pauses(envelope: Envelope, min_ms: int = PAUSE_MS) -> list[Span]:
    """The stretches of ``envelope`` with no sound, ``min_ms`` or longer, in time order."""
    threshold = envelope.threshold()
    out, run = [], None
    for k, level in enumerate((*envelope.levels, float("inf"))):
        if level <= threshold:
            run = k if run is None else run
        elif run is not None:
            if (k - run) * envelope.frame_ms >= min_ms:
                out.append(Span(envelope.time(run), envelope.time(k)))
            run = None
    return out


def boundary(
    words: Sequence[Word], k: int, envelope: Envelope, gaps: Sequence[Span] | None = None
) -> tuple[int, int] | None:
    """Where the sound stops before and starts after the boundary between ``words[k]`` and
    ``words[k + 1]`` (``k = -1``: before the first word; ``k = len(words) - 1``: after the
    last): the pause Whisper put that boundary nearest to, within ``MAX_SHIFT_MS``, with
    sound of the word before it before it and of the word after it after it. None when no
    pause stands for the boundary (words said in one breath). ``gaps``: the envelope's
    ``pauses``, when the caller has them.
    """
    before = words[k] if k >= 0 else None
    after = words[k + 1] if k + 1 < len(words) else None
    if not envelope.levels or before is after is None:
        return None
    low = before.span.end_ms if before else None
    high = after.span.start_ms if after else None
    low, high = (low, high) if low is None or high is None else sorted((low, high))
    here = [t for t in (low, high) if t is not None]
    best: tuple[int, int, Span] | None = None
    for pause in pauses(envelope) if gaps is None else gaps:
        if before and pause.start_ms <= before.span.start_ms:
            continue
        if after and pause.end_ms >= after.span.end_ms:
            continue
        distance = max(
            0,
            pause.start_ms - high if high is not None else 0,
            low - pause.end_ms if low is not None else 0,
        )
        middle = abs(sum(here) // len(here) - (pause.start_ms + pause.end_ms) // 2)
        if distance <= MAX_SHIFT_MS and (best is None or (distance, middle) < best[:2]):
            best = (distance, middle, pause)
    if best is None:
        return None
    pause = best[2]
    end = max(pause.start_ms, before.span.start_ms + MIN_WORD_MS) if before else pause.start_ms
    start = min(pause.end_ms, after.span.end_ms - MIN_WORD_MS) if after else pause.end_ms
    return end, max(start, end)


def refine(words: Sequence[Word], envelope: Envelope, at: Sequence[int]) -> tuple[Word, ...]:
    """``words`` with the boundaries ``at`` (see :func:`boundary`) moved onto the sound, and
    no word shorter than ``MIN_WORD_MS``: a word does not start or end inside the silence
    around it. Each boundary is measured on Whisper's own times, on its own.
    """
    out = list(words)
    gaps = pauses(envelope) if at else []  # measured once for every boundary
    for k in sorted(set(at)):
        found = boundary(words, k, envelope, gaps)
        if found is None:
            continue
        if k >= 0:
            w = out[k]
            out[k] = Word(Span(w.span.start_ms, found[0]), w.text, w.probability, w.pieces)
        if k + 1 < len(words):
            w = out[k + 1]
            out[k + 1] = Word(Span(found[1], w.span.end_ms), w.text, w.probability, w.pieces)
    for i, w in enumerate(out):  # no word of no length
        if w.span.duration_ms < MIN_WORD_MS:
            end = w.span.start_ms + MIN_WORD_MS
            if i + 1 < len(out):
                end = min(end, max(out[i + 1].span.start_ms, w.span.end_ms))
            out[i] = Word(Span(w.span.start_ms, end), w.text, w.probability, w.pieces)
    return tuple(out)
