"""Lint the cues of one language against the rules in SUBTITLES.md (pure).

Everything is a warning (an error with ``--strict``) except a cue outside the clip, which
would never be shown. Characters are counted as a viewer sees them: markup removed, NFC,
combining marks and format characters not counted (a grapheme cluster counts once), so
Arabic harakat (U+064B-U+065F, U+0670) are not counted, as Subtitle Edit's Netflix check
does (standards.md A3).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Literal

from pipeline.core.languages import is_rtl
from pipeline.core.model import Cue
from pipeline.core.timecode import format_ms
from pipeline.subtitles.limits import SubtitleRules
from pipeline.subtitles.markup import strip_markup

Severity = Literal["error", "warning"]
_NOT_COUNTED = frozenset({"Mn", "Mc", "Me", "Cf", "Cc"})
ERROR_RULES = frozenset({"outside-clip"})  # every other rule is a warning
# (rule, the cue it is about or None, the cue's number, message)
Hit = tuple[str, "LocatedCue | None", int | None, str]


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a subtitle track, with where it is.

    Attributes:
        rule: short rule name (``reading-speed``, ``gap``, ``missing``, ...).
        severity: ``error`` stops a build; ``warning`` does only with ``--strict``.
        lang: the language of the track.
        path: the file to fix, when known.
        line: 1-based line in that file, when known.
        cue: 1-based number of the cue in the track, when the finding is about one cue.
        message: what is wrong and what was expected.
        clip: the clip the track belongs to ("" for a file checked on its own).
    """

    rule: str
    severity: Severity
    lang: str
    path: Path | None
    line: int | None
    cue: int | None
    message: str
    clip: str = ""

    @property
    def where(self) -> str:
        """``path:line``, ``path`` or ``clip``: where to look."""
        if self.path is None:
            return self.clip
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: [{self.lang}] {self.message} ({self.rule})"


@dataclass(frozen=True)
class LocatedCue:
    """A cue on the clip's timeline and where it was written (file and timing line).

    ``cut`` is True when only part of the written cue is on the clip (an edit cuts it).
    """

    cue: Cue
    path: Path | None = None
    line: int | None = None
    cut: bool = False


@dataclass(frozen=True)
class Track:
    """The cues of one language on one clip, in file order."""

    lang: str
    cues: tuple[LocatedCue, ...]
    path: Path | None = None  # named by findings about cues this track lacks


def visible_length(text: str) -> int:
    """Characters a viewer reads, line breaks and markup excluded.

    >>> visible_length("<i>Cafe\\u0301</i>\\nok")
    6
    >>> visible_length("\\u0645\\u064e\\u0631\\u0652\\u062d\\u064e\\u0628\\u064b\\u0627")
    5
    """
    text = unicodedata.normalize("NFC", strip_markup(text))
    return sum(1 for c in text if unicodedata.category(c) not in _NOT_COUNTED)


def lint_track(
    track: Track, rules: SubtitleRules, source: Track | None = None, clip: str = ""
) -> list[Finding]:
    """Every finding for one language of one clip.

    Args:
        track: the cues to check, on the clip's timeline.
        rules: the limits for the frame the track is shown in.
        source: the clip's source language, to find untranslated, missing and extra cues.
        clip: the clip's name, copied into the findings.
    """
    hits: list[Hit] = []
    for n, lc in enumerate(track.cues, 1):
        hits += [(rule, lc, n, message) for rule, message in _cue_rules(track, lc, rules)]
        hits += [("line-length", at, n, message) for at, message in _line_lengths(lc, rules)]
    hits += _sequence(track, rules)
    if source is not None and source.lang != track.lang:
        hits += _compare(track, source)
    out = []
    for rule, at, number, message in hits:
        path, line = (at.path, at.line) if at else (track.path, None)
        severity: Severity = "error" if rule in ERROR_RULES else "warning"
        if at and at.cut:
            message += "; only part of this cue is in the clip, an edit cuts it"
        out.append(Finding(rule, severity, track.lang, path, line, number, message, clip))
    return out


def _cue_rules(track: Track, lc: LocatedCue, s: SubtitleRules) -> Iterator[tuple[str, str]]:
    span, text = lc.cue.span, lc.cue.text
    clip_end = f"the clip ends at {format_ms(s.clip_ms or 0)}"
    if s.clip_ms is not None and span.start_ms >= s.clip_ms:
        start = format_ms(span.start_ms)
        yield "outside-clip", f"starts at {start}, after {clip_end} (expected cues within the clip)"
    elif s.clip_ms is not None and span.end_ms > s.clip_ms:
        yield "past-end", f"ends at {format_ms(span.end_ms)}, after {clip_end} (cut there)"
    lines = text.split("\n")
    if len(lines) > s.max_lines:
        yield "lines", f"{len(lines)} lines (expected at most {s.max_lines})"
    seconds = span.duration_ms / 1000
    if span.duration_ms < s.min_ms:
        yield "duration", f"lasts {seconds:.3f} s (expected at least {s.min_ms} ms)"
    elif span.duration_ms > s.max_ms:
        yield "duration", f"lasts {seconds:.3f} s (expected at most {s.max_ms} ms)"
    cps = visible_length(text) / seconds
    if cps > s.cps_limit:
        yield (
            "reading-speed",
            (
                f"{cps:.1f} characters per second (expected at most {s.cps_limit:g}, "
                f"ideally {s.cps_target:g}: shorten the text or lengthen the cue)"
            ),
        )
    if is_rtl(track.lang) and "<i>" in text:
        yield "italics", "italics (expected none in right-to-left scripts)"


def _line_lengths(lc: LocatedCue, s: SubtitleRules) -> Iterator[tuple[LocatedCue, str]]:
    """Each text line over the limit, located on its own line of the file."""
    for k, text_line in enumerate(lc.cue.text.split("\n"), 1):
        length = visible_length(text_line)
        if length > s.max_chars:
            at = replace(lc, line=lc.line + k) if lc.line else lc
            yield at, f"{length} characters on one line (expected at most {s.max_chars})"


def _sequence(track: Track, s: SubtitleRules) -> list[Hit]:
    """Order, overlaps and gaps between consecutive cues."""
    out: list[Hit] = []
    cues = list(enumerate(track.cues, 1))
    for (_, a), (n, b) in pairwise(cues):
        if b.cue.span.start_ms < a.cue.span.start_ms:
            start = format_ms(b.cue.span.start_ms)
            message = f"starts at {start}, before the cue above it (expected cues in time order)"
            out.append(("order", b, n, message))
    two_frames = Fraction(2000) / s.fps
    expected = f"at least 2 frames, {float(two_frames):.0f} ms at {float(s.fps):g} fps"
    ordered = sorted(cues, key=lambda nc: nc[1].cue.span)
    shown_until = ordered[0][1].cue.span.end_ms if ordered else 0
    for n, b in ordered[1:]:
        gap = b.cue.span.start_ms - shown_until
        shown_until = max(shown_until, b.cue.span.end_ms)
        if gap < 0:
            message = f"overlaps the cue before it by {-gap} ms (expected one cue at a time)"
            out.append(("overlap", b, n, message))
        elif gap + 1 < two_frames:  # 1 ms of slack: frame times are rounded to milliseconds
            message = f"starts {gap} ms after the cue before it (expected a gap of {expected})"
            out.append(("gap", b, n, message))
    return out


def _compare(track: Track, source: Track) -> list[Hit]:
    """Untranslated, extra and missing cues against the source language, by time overlap."""
    out: list[Hit] = []
    src = source.lang
    for n, lc in enumerate(track.cues, 1):
        over = [sc for sc in source.cues if sc.cue.span.intersect(lc.cue.span)]
        if not over:
            message = f"no {src} cue at {_when(lc.cue)} (expected the timing of the {src} cues)"
            out.append(("extra", lc, n, message))
            continue
        best = max(over, key=lambda sc: _overlap_ms(sc.cue, lc.cue))
        if _untranslated(lc.cue.text, best.cue.text):
            message = f"same text as the {src} cue {_quote(best.cue.text)} (expected a translation)"
            out.append(("untranslated", lc, n, message))
    for n, sc in enumerate(source.cues, 1):
        if not any(lc.cue.span.intersect(sc.cue.span) for lc in track.cues):
            said = f"{src} cue {n} says {_quote(sc.cue.text)}"
            message = f"no cue at {_when(sc.cue)}, where {said} (expected its translation)"
            out.append(("missing", None, None, message))
    return out


def _overlap_ms(a: Cue, b: Cue) -> int:
    both = a.span.intersect(b.span)
    return both.duration_ms if both else 0


def _normal(text: str) -> str:
    return " ".join(strip_markup(unicodedata.normalize("NFC", text)).casefold().split())


def _untranslated(text: str, source_text: str) -> bool:
    """Same words as the source, and more than one word (a name or "OK" may stay as is)."""
    words = [w for w in _normal(text).split() if any(c.isalpha() for c in w)]
    return len(words) > 1 and _normal(text) == _normal(source_text)


def _when(cue: Cue) -> str:
    return f"{format_ms(cue.span.start_ms)}-{format_ms(cue.span.end_ms)}"


def _quote(text: str) -> str:
    flat = " ".join(strip_markup(text).split())
    return repr(flat if len(flat) <= 40 else flat[:37] + "...")
