"""Resolve a clip's cuts to source spans: timecodes or quotes, snapped to word edges, verified.

Word times near each cut edge are first measured on the audio (pipeline/analysis/edges.py), so
that a cut neither starts in the tail of the word before nor loses the start of its own; two cuts of
one source that end up meeting or overlapping are joined at one point, so that no audio plays
twice and none is lost.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.analysis.edges import Envelope, refine
from pipeline.analysis.media import envelope
from pipeline.config.schema import ClipSpec, CutSpec
from pipeline.config.yamlsource import Loc, Locator
from pipeline.core.errors import InputError, Problem
from pipeline.core.model import MediaInfo, Span, Transcript, Word
from pipeline.core.timecode import format_ms
from pipeline.edit.quotes import Match, differences, find, nearest, passage, says_exactly
from pipeline.edit.snap import kept_words, snap, touched

log = logging.getLogger(__name__)

CONTEXT_MS = 5000  # transcript kept around each cut in the manifest, for fact-checking
EDGE_WINDOW_MS = 3000  # audio read around each cut edge to measure the words there


@dataclass(frozen=True)
class ResolvedCut:
    """A cut on its source: as asked for, as cut (after snapping), and the words it keeps.

    ``warnings`` are what the build and `build-clip check` both report about the cut: an
    edge that was inside a word, a quote heard with a word that differs inside it.
    """

    source: str
    requested: Span
    span: Span
    quote: str | None = None
    words: tuple[Word, ...] = ()
    before: str = ""
    after: str = ""
    warnings: tuple[Problem, ...] = ()


def resolve_cuts(
    at: Locator,
    name: str,
    clip: ClipSpec,
    media: Mapping[str, MediaInfo],
    transcripts: Mapping[str, Transcript],
) -> list[ResolvedCut]:
    """Every cut of a clip on its source; raises InputError listing every problem."""
    cuts: list[ResolvedCut] = []
    problems: list[Problem] = []
    for i, cut in enumerate(clip.cuts):
        loc: Loc = ("clips", name, "cuts", i)
        info, transcript = media[cut.source], transcripts.get(cut.source)
        try:
            requested, keep, notes = _requested(at, loc, cut, info, transcript)
            snapped = _snapped(at, loc, cut, requested, keep, info, transcript)
            cuts.append(replace(snapped, warnings=(*notes, *snapped.warnings)))
        except InputError as e:
            problems += e.problems
    if problems:
        raise InputError(problems)
    return join_overlaps(at, name, cuts, media)


Requested = tuple[Span, tuple[int, int] | None, tuple[Problem, ...]]


def _requested(
    at: Locator, loc: Loc, cut: CutSpec, info: MediaInfo, transcript: Transcript | None
) -> Requested:
    """The span asked for; for a quote also its first and last word and how it differs."""
    if cut.quote is not None:
        assert transcript is not None, "quote cuts always get a transcript"
        return _find_quote(at, loc, cut, cut.quote, transcript)
    assert cut.start is not None and cut.end is not None
    problems = [
        at.problem(
            (*loc, key),
            f"frame {tc.frames} does not exist at {float(info.fps):g} "
            f"fps (expected FF < {-(-info.fps.numerator // info.fps.denominator)})",
        )
        for key, tc in (("start", cut.start), ("end", cut.end))
        if tc.frames >= info.fps
    ]
    start, end = cut.start.to_ms(info.fps), cut.end.to_ms(info.fps)
    if end <= start:
        problems.append(
            at.problem(
                (*loc, "end"),
                f"end {cut.end} is not after start {cut.start} (expected end > start)",
            )
        )
    elif end > info.duration_ms:
        problems.append(
            at.problem(
                (*loc, "end"),
                f"{cut.end} is past the end of source {cut.source!r} (expected at "
                f"most {format_ms(info.duration_ms)})",
            )
        )
    if problems:
        raise InputError(problems)
    return Span(start, end), None, ()


def _describe(words: tuple[Word, ...], m: Match) -> str:
    return f'{format_ms(words[m.first].span.start_ms)} "{passage(words, m)}"'


def _find_quote(
    at: Locator, loc: Loc, cut: CutSpec, quote: str, transcript: Transcript
) -> Requested:
    words, lang = transcript.words, transcript.language
    matches = find(quote, words, lang)
    if not matches:
        near = "; ".join(_describe(words, m) for m in nearest(quote, words, lang))
        raise InputError(
            [
                at.problem(
                    (*loc, "quote"),
                    f"{quote!r} is not said in source {cut.source!r} (expected words "
                    f"from its transcript, the first and last exactly as heard; nearest: "
                    f"{near or 'none'})",
                )
            ]
        )
    if cut.occurrence is not None:
        if cut.occurrence > len(matches):
            raise InputError(
                [
                    at.problem(
                        (*loc, "occurrence"),
                        f"occurrence {cut.occurrence} of {quote!r}, but it is "
                        f"said {len(matches)} time(s) (expected 1 to {len(matches)})",
                    )
                ]
            )
        chosen = matches[cut.occurrence - 1]
    elif cut.near is not None:
        near_ms = cut.near.ms
        chosen = min(matches, key=lambda m: abs(words[m.first].span.start_ms - near_ms))
    elif len(matches) > 1:
        listed = "; ".join(f"{n}: {_describe(words, m)}" for n, m in enumerate(matches, 1))
        raise InputError(
            [
                at.problem(
                    (*loc, "quote"),
                    f"{quote!r} is said {len(matches)} times in source {cut.source!r} "
                    f"({listed}) (expected one: add near: TIMECODE or occurrence: N)",
                )
            ]
        )
    else:
        chosen = matches[0]
    notes: tuple[Problem, ...] = ()
    if chosen.distance:
        notes = (
            at.problem(
                (*loc, "quote"),
                f"the quote differs inside from what was heard: written {quote!r}, heard "
                f"{passage(words, chosen)!r} ({differences(quote, words, chosen, lang)})",
            ),
        )
    span = Span(words[chosen.first].span.start_ms, words[chosen.last].span.end_ms)
    return span, (chosen.first, chosen.last), notes


def _snapped(
    at: Locator,
    loc: Loc,
    cut: CutSpec,
    requested: Span,
    keep: tuple[int, int] | None,
    info: MediaInfo,
    transcript: Transcript | None,
) -> ResolvedCut:
    if transcript is None:
        return ResolvedCut(cut.source, requested, requested, cut.quote)
    words, warnings = transcript.words, []
    if cut.snap == "none":
        span, kept = requested, kept_words(requested, words)
    else:
        audio = _Audio(info)
        keep = keep or touched(requested, words)
        asked = requested
        if keep is not None:
            words = audio.refine(words, keep)
            if cut.quote is not None:  # a quote asks for its words, as they sound
                asked = Span(words[keep[0]].span.start_ms, words[keep[1]].span.end_ms)
        snapped = snap(asked, words, info.duration_ms, audio.quietest, keep=keep)
        span, kept = snapped.span, snapped.words
        if snapped.notes:
            warnings.append(
                at.problem(loc, ", ".join(snapped.notes) + " (use snap: none to keep the timecode)")
            )
    if cut.quote is not None and not says_exactly(kept, cut.quote, transcript.language):
        heard = " ".join(w.text for w in kept)
        raise InputError(
            [
                at.problem(
                    (*loc, "quote"),
                    f"the cut keeps different words than the quote: written {cut.quote!r}, "
                    f"kept {heard!r} (expected the quote's first and last words at its edges)",
                )
            ]
        )
    return ResolvedCut(
        cut.source,
        requested,
        span,
        cut.quote,
        kept,
        _context(words, span.start_ms - CONTEXT_MS, span.start_ms),
        _context(words, span.end_ms, span.end_ms + CONTEXT_MS),
        tuple(warnings),
    )


def _context(words: Sequence[Word], start_ms: int, end_ms: int) -> str:
    """The words said wholly between two times (the transcript around a cut)."""
    return " ".join(
        w.text.strip() for w in words if start_ms <= w.span.start_ms and w.span.end_ms <= end_ms
    )


@functools.lru_cache(maxsize=256)
def _envelope(path: Path, stamp: tuple[int, int], start_ms: int, end_ms: int) -> Envelope:
    del stamp  # part of the key: a changed file is read again
    return envelope(path, Span(start_ms, end_ms))


class _Audio:
    """The sound around one cut's edges: read once, for refining words and quiet points."""

    def __init__(self, info: MediaInfo) -> None:
        self.info = info
        self.read: list[Envelope] = []

    def _around(self, span: Span) -> Envelope | None:
        if not self.info.has_audio:
            return None
        for env in self.read:
            if env.covers(span):
                return env
        stat = self.info.path.stat()
        start = max(0, span.start_ms - EDGE_WINDOW_MS)
        end = min(self.info.duration_ms, span.end_ms + EDGE_WINDOW_MS)
        env = _envelope(self.info.path, (stat.st_mtime_ns, stat.st_size), start, end)
        if not env.levels:
            return None
        self.read.append(env)
        return env

    def refine(self, words: tuple[Word, ...], keep: tuple[int, int]) -> tuple[Word, ...]:
        """The words with the boundaries at the cut's two edges (before its first kept word,
        after its last) measured on the sound."""
        first, last = keep
        for k in (first - 1, last):
            around = [w.span for w in words[max(0, k) : k + 2]]
            env = self._around(Span(around[0].start_ms, around[-1].end_ms))
            if env is not None:
                words = refine(words, env, [k])
        return words

    def quietest(self, span: Span, prefer: int) -> int:
        """The quietest point of ``span`` nearest ``prefer`` (``prefer`` itself without sound)."""
        env = self._around(span)
        if env is None or not env.covers(span):
            return min(max(prefer, span.start_ms), span.end_ms)
        return env.quietest(span, prefer)


def join_overlaps(
    at: Locator, name: str, cuts: list[ResolvedCut], media: Mapping[str, MediaInfo]
) -> list[ResolvedCut]:
    """Cuts of one source whose snapped spans meet or overlap, joined at one point (the
    quietest between their words), so that no audio plays twice and none is lost. Cuts that
    were asked to overlap are left as they are, with a warning."""
    out = list(cuts)
    for i in range(len(out)):
        for j in range(len(out)):
            a, b = out[i], out[j]
            if i == j or a.source != b.source or not a.span.start_ms <= b.span.start_ms:
                continue
            if a.span.end_ms <= b.span.start_ms or (a.span == b.span and i > j):
                continue
            if a.requested.end_ms > b.requested.start_ms:
                seconds = (min(a.span.end_ms, b.span.end_ms) - b.span.start_ms) / 1000
                loc: Loc = ("clips", name, "cuts", j)
                warning = at.problem(
                    loc,
                    f"cuts {i + 1} and {j + 1} overlap in source {a.source!r} by {seconds:g} s "
                    "(as asked): that sound plays twice",
                )
                out[j] = replace(b, warnings=(*b.warnings, warning))
                continue
            out[i], out[j] = _joined(a, b, _Audio(media[a.source]))
    return out


def _joined(a: ResolvedCut, b: ResolvedCut, audio: _Audio) -> tuple[ResolvedCut, ResolvedCut]:
    """``a`` and ``b`` (``b`` starting inside or at the end of ``a``) meeting at one point."""
    low = max([b.span.start_ms, *(w.span.end_ms for w in a.words)])
    high = min([a.span.end_ms, *(w.span.start_ms for w in b.words if w.span.start_ms >= low)])
    point = audio.quietest(Span(low, high), (low + high) // 2) if high > low else low
    point = min(max(point, a.span.start_ms + 1), b.span.end_ms - 1)
    words = tuple(w for w in b.words if w.span.start_ms >= point)
    return (
        replace(a, span=Span(a.span.start_ms, point)),
        replace(b, span=Span(point, b.span.end_ms), words=words),
    )
