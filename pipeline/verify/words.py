"""Words heard again: does the rendered clip say what its cuts planned? (pure)

The output is transcribed like any source; for each cut, its first and last kept words must be
heard in full at their planned clip times (none of the word's time lost beyond a tolerance;
Whisper may stretch it over the pause beside it), most of its words must be heard in order, and no
word whose sound was redacted may be heard at all (issue 14, item 4). The I/O -- transcribing
the output -- is in pipeline/run/build.py.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.core.model import Span, Timeline, Word
from pipeline.core.redaction import Matcher, Term
from pipeline.core.timecode import format_ms
from pipeline.edit.quotes import tokens

TOLERANCE_MS = 300  # how far a heard edge word may be from its planned time (Whisper's slack)
MIN_SHARE = 0.75  # the share of a cut's words that must be heard, in order
SWALLOW_MS = 1500  # how far past a word Whisper's time for it may reach (a pause it swallowed)
MAX_PIECES = 3  # a planned word may be heard as up to this many pieces ("ill" "-disposed")


@dataclass(frozen=True)
class PlannedCut:
    """What a cut should say on the clip.

    Attributes:
        number: the cut's number in the clip, from 1.
        clip: where the cut is on the clip (its heard words are looked for there).
        words: the transcript words the cut keeps, in clip time.
        redacted: words whose sound is redacted in this cut's source (bleeped or muted).
    """

    number: int
    clip: Span
    words: tuple[Word, ...]
    redacted: tuple[str, ...] = ()


@dataclass(frozen=True)
class EdgeWord:
    """A cut's first or last word: where it should be heard, and where it was (None: not)."""

    text: str
    planned: Span
    heard: Span | None


@dataclass(frozen=True)
class CutCheck:
    """The verdict on one cut: its edge words, the share of its words heard, and why it
    failed (no reasons: it passed)."""

    number: int
    first: EdgeWord | None
    last: EdgeWord | None
    share: float
    redacted: tuple[Word, ...]
    reasons: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.reasons


def planned_cuts(
    cut_words: Sequence[Sequence[Word]],
    timeline: Timeline,
    redacted: Sequence[Sequence[str]] = (),
) -> tuple[PlannedCut, ...]:
    """Each cut's kept words (source time) moved to clip time through the timeline.

    ``redacted`` holds the redacted words of each cut's source, cut by cut (default: none).
    A redacted word is not among the words to hear (it is bleeped or muted), and neither is
    a word with nothing to say (punctuation).
    """
    out = []
    for i, (words, ts) in enumerate(zip(cut_words, timeline.spans, strict=True)):
        terms = tuple(redacted[i]) if i < len(redacted) else ()
        hits = Matcher([Term(t) for t in terms]).words([w.text for w in words]) if terms else []
        hidden = {k for first, last, _ in hits for k in range(first, last + 1)}  # as bleeped
        shifted = tuple(
            Word(Span(w.span.start_ms + ts.shift_ms, w.span.end_ms + ts.shift_ms), w.text)
            for k, w in enumerate(words)
            if tokens(w.text) and k not in hidden
        )
        out.append(PlannedCut(i + 1, ts.whole or ts.clip, shifted, terms))
    return tuple(out)


def _pieces(heard: Sequence[Word], i: int, want: list[str], forward: bool) -> Span | None:
    """The span of the heard words from ``i`` (forward) or up to ``i`` (backward) whose
    tokens are exactly ``want``, or None."""
    got: list[str] = []
    for n in range(MAX_PIECES):
        k = i + n if forward else i - n
        if not 0 <= k < len(heard):
            return None
        got = got + tokens(heard[k].text) if forward else tokens(heard[k].text) + got
        if got == want:
            a, b = (heard[i], heard[k]) if forward else (heard[k], heard[i])
            return Span(a.span.start_ms, b.span.end_ms)
        if len(got) >= len(want):
            return None
    return None


def _edge(word: Word, heard: Sequence[Word], first: bool) -> EdgeWord:
    """Where ``word`` was heard in full at its planned time (see :func:`_miss`)."""
    want = tokens(word.text)
    best: Span | None = None
    for i in range(len(heard)):
        span = _pieces(heard, i, want, forward=first)
        if span is None:
            continue
        miss = _miss(span, word.span)
        if miss <= TOLERANCE_MS and (best is None or miss < _miss(best, word.span)):
            best = span
    return EdgeWord(word.text.strip(), word.span, best)


def _miss(heard: Span, planned: Span) -> int:
    """How much of the planned word the heard one leaves out (its start heard late, its end
    early), or how far it is from it. A heard word may reach further out than planned, up to
    ``SWALLOW_MS``: Whisper hears the pause before a clip's first word as part of the word,
    and the pause after its last."""
    lost = max(0, heard.start_ms - planned.start_ms) + max(0, planned.end_ms - heard.end_ms)
    beyond = max(planned.start_ms - heard.start_ms, heard.end_ms - planned.end_ms)
    return lost if beyond <= SWALLOW_MS else lost + beyond - SWALLOW_MS


def _near(heard: Sequence[Word], at: int) -> str:
    """What was heard around ``at`` (for a failure's message)."""
    close = [w for w in heard if abs((w.span.start_ms + w.span.end_ms) // 2 - at) <= 1000]
    return " ".join(w.text.strip() for w in close) or "nothing"


def _terms_heard(heard: Sequence[Word], terms: Sequence[str]) -> tuple[Word, ...]:
    """The heard words that say a redacted term, found by the one matcher
    (pipeline/core/redaction.py) as the bleeps were: several words, a possessive, any form."""
    if not terms:
        return ()
    runs = Matcher([Term(t) for t in terms]).words([w.text for w in heard])
    found = [
        Word(Span(heard[first].span.start_ms, heard[last].span.end_ms), term)
        for first, last, term in runs
    ]
    return tuple(sorted(found, key=lambda w: w.span))


def check_cut(cut: PlannedCut, heard: Sequence[Word]) -> CutCheck:
    """Compare one planned cut with the words heard in the output (clip time)."""
    window = Span(cut.clip.start_ms - TOLERANCE_MS, cut.clip.end_ms + TOLERANCE_MS)
    inside = [w for w in heard if w.span.intersect(window)]
    redacted = _terms_heard(inside, cut.redacted)
    reasons = [
        f"the redacted word {w.text!r} is heard at {format_ms(w.span.start_ms)}" for w in redacted
    ]
    if not cut.words:
        return CutCheck(cut.number, None, None, 1.0, redacted, tuple(reasons))
    first = _edge(cut.words[0], inside, first=True)
    last = _edge(cut.words[-1], inside, first=False)
    for edge, name, at in ((first, "first", "start"), (last, "last", "end")):
        if edge.heard is None:
            when = edge.planned.start_ms if at == "start" else edge.planned.end_ms
            reasons.append(
                f"its {name} word {edge.text!r} is not heard in full with its {at} at "
                f"{format_ms(when)} (±{TOLERANCE_MS / 1000:g} s; heard there: "
                f"{_near(inside, when)!r})"
            )
    planned = [t for w in cut.words for t in tokens(w.text)]
    said = [t for w in inside for t in tokens(w.text)]
    matcher = difflib.SequenceMatcher(None, planned, said, autojunk=False)
    share = sum(b.size for b in matcher.get_matching_blocks()) / len(planned)
    if share < MIN_SHARE:
        reasons.append(
            f"only {share:.0%} of its words are heard (expected at least {MIN_SHARE:.0%})"
        )
    return CutCheck(cut.number, first, last, round(share, 3), redacted, tuple(reasons))


def check_cuts(cuts: Sequence[PlannedCut], heard: Sequence[Word]) -> tuple[CutCheck, ...]:
    """Every cut compared with the words heard in the output."""
    return tuple(check_cut(cut, heard) for cut in cuts)


def _edge_record(edge: EdgeWord | None) -> dict[str, Any] | None:
    if edge is None:
        return None
    return {
        "word": edge.text,
        "planned": {"start_ms": edge.planned.start_ms, "end_ms": edge.planned.end_ms},
        "heard": (
            {"start_ms": edge.heard.start_ms, "end_ms": edge.heard.end_ms}
            if edge.heard is not None
            else None
        ),
    }


def record(check: CutCheck) -> dict[str, Any]:
    """A cut's verdict as the manifest keeps it (clip time, milliseconds)."""
    return {
        "status": "ok" if check.ok else "failed",
        "first": _edge_record(check.first),
        "last": _edge_record(check.last),
        "share_heard": check.share,
        "redacted_heard": [
            {"word": w.text, "start_ms": w.span.start_ms, "end_ms": w.span.end_ms}
            for w in check.redacted
        ],
        "problems": list(check.reasons),
    }
