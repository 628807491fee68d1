"""Resolve a clip's cuts to source spans: timecodes or quotes, snapped to word edges, verified."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from pipeline.config import ClipSpec, Config, CutSpec
from pipeline.errors import InputError, Problem
from pipeline.media import quietest_ms
from pipeline.model import MediaInfo, Span, Transcript, Word
from pipeline.quotes import Match, contains, find, nearest, passage, tokens
from pipeline.snap import kept_words, snap
from pipeline.timecode import format_ms
from pipeline.yamlsource import Loc

log = logging.getLogger(__name__)

CONTEXT_MS = 5000  # transcript kept around each cut in the manifest, for fact-checking


@dataclass(frozen=True)
class ResolvedCut:
    """A cut on its source: as asked for, as cut (after snapping), and the words it keeps."""

    source: str
    requested: Span
    span: Span
    quote: str | None = None
    words: tuple[Word, ...] = ()
    before: str = ""
    after: str = ""


def resolve_cuts(
    config: Config,
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
            requested = _requested(config, loc, cut, info, transcript)
            cuts.append(_snapped(config, loc, cut, requested, info, transcript))
        except InputError as e:
            problems += e.problems
    if problems:
        raise InputError(problems)
    return cuts


def _requested(
    config: Config, loc: Loc, cut: CutSpec, info: MediaInfo, transcript: Transcript | None
) -> Span:
    if cut.quote is not None:
        assert transcript is not None, "quote cuts always get a transcript"
        return _find_quote(config, loc, cut, cut.quote, transcript)
    assert cut.start is not None and cut.end is not None
    problems = [
        config.problem(
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
            config.problem(
                (*loc, "end"),
                f"end {cut.end} is not after start {cut.start} (expected end > start)",
            )
        )
    elif end > info.duration_ms:
        problems.append(
            config.problem(
                (*loc, "end"),
                f"{cut.end} is past the end of source {cut.source!r} (expected at "
                f"most {format_ms(info.duration_ms)})",
            )
        )
    if problems:
        raise InputError(problems)
    return Span(start, end)


def _describe(words: tuple[Word, ...], m: Match) -> str:
    return f'{format_ms(words[m.first].span.start_ms)} "{passage(words, m)}"'


def _find_quote(config: Config, loc: Loc, cut: CutSpec, quote: str, transcript: Transcript) -> Span:
    words, lang = transcript.words, transcript.language
    matches = find(quote, words, lang)
    if not matches:
        near = "; ".join(_describe(words, m) for m in nearest(quote, words, lang))
        raise InputError(
            [
                config.problem(
                    (*loc, "quote"),
                    f"{quote!r} is not said in source {cut.source!r} (expected words "
                    f"from its transcript; nearest: {near or 'none'})",
                )
            ]
        )
    if cut.occurrence is not None:
        if cut.occurrence > len(matches):
            raise InputError(
                [
                    config.problem(
                        (*loc, "occurrence"),
                        f"occurrence {cut.occurrence} of {quote!r}, but it is "
                        f"said {len(matches)} time(s) (expected 1 to {len(matches)})",
                    )
                ]
            )
        chosen = matches[cut.occurrence - 1]
    elif cut.near is not None:
        at = cut.near.ms
        chosen = min(matches, key=lambda m: abs(words[m.first].span.start_ms - at))
    elif len(matches) > 1:
        listed = "; ".join(f"{n}: {_describe(words, m)}" for n, m in enumerate(matches, 1))
        raise InputError(
            [
                config.problem(
                    (*loc, "quote"),
                    f"{quote!r} is said {len(matches)} times in source {cut.source!r} "
                    f"({listed}) (expected one: add near: TIMECODE or occurrence: N)",
                )
            ]
        )
    else:
        chosen = matches[0]
    return Span(words[chosen.first].span.start_ms, words[chosen.last].span.end_ms)


def _snapped(
    config: Config,
    loc: Loc,
    cut: CutSpec,
    requested: Span,
    info: MediaInfo,
    transcript: Transcript | None,
) -> ResolvedCut:
    if transcript is None:
        return ResolvedCut(cut.source, requested, requested, cut.quote)
    words = transcript.words
    if cut.snap == "none":
        span, kept = requested, kept_words(requested, words)
    else:
        snapped = snap(requested, words, info.duration_ms, partial(quietest_ms, info.path))
        span, kept = snapped.span, snapped.words
        if snapped.notes:
            problem = config.problem(loc, ", ".join(snapped.notes))
            log.warning("%s (use snap: none to keep the timecode)", problem)
    if cut.quote is not None and not contains(kept, cut.quote, transcript.language):
        diff = " ".join(difflib.ndiff(tokens(cut.quote), tokens(" ".join(w.text for w in kept))))
        raise InputError(
            [
                config.problem(
                    (*loc, "quote"),
                    f"the cut keeps different words than the quote (- quote, + kept): {diff}",
                )
            ]
        )
    before = [
        w.text.strip()
        for w in words
        if span.start_ms - CONTEXT_MS <= w.span.start_ms and w.span.end_ms <= span.start_ms
    ]
    after = [
        w.text.strip() for w in words if span.end_ms <= w.span.start_ms < span.end_ms + CONTEXT_MS
    ]
    return ResolvedCut(
        cut.source, requested, span, cut.quote, kept, " ".join(before), " ".join(after)
    )
