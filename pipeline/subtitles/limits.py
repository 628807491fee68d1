"""The numbers of SUBTITLES.md, in one place: the lint of translators' files and the cues
made from words keep to the same limits, one ``SubtitleRules`` made by ``rules_for``."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

MAX_LINE = 42  # characters per line, landscape and square frames
MAX_LINES = 2
PORTRAIT_LINE = 25  # about what fits the width of a vertical 9:16 frame
PORTRAIT_LINES = 3
MIN_MS = 833  # shortest cue
MAX_MS = 7000  # longest cue
CPS_TARGET = 17.0  # reading speed aimed at, characters per second
CPS_LIMIT = 20.0  # reading speed not to pass (Arabic's target)


def frame_lines(width: int, height: int) -> tuple[int, int]:
    """Characters per line and lines per cue for a frame: 42 and 2, or about 25 and 3 in a
    vertical one.

    >>> frame_lines(1920, 1080), frame_lines(1080, 1920)
    ((42, 2), (25, 3))
    """
    return (PORTRAIT_LINE, PORTRAIT_LINES) if height > width else (MAX_LINE, MAX_LINES)


@dataclass(frozen=True)
class SubtitleRules:
    """The limits for one track of subtitles (times in ms, speeds in characters per second):
    the lint checks translators' cues against them (pipeline/subtitles/lint.py), and cues
    made from words keep to them (pipeline/subtitles/segment.py).

    Attributes:
        max_chars: characters per line.
        max_lines: lines per cue.
        min_ms, max_ms: the shortest and longest cue.
        cps_target: the reading speed aimed at.
        cps_limit: the reading speed not to pass.
        fps: the frame rate the lint counts the gap between cues in (at least 2 frames).
        gap_ms: the gap left between cues made from words (two frames at 25 fps).
        hang_ms: how long a cue made from words may stay up after its last word.
        close_gap_ms: shorter gaps between cues made from words are closed (chained cues).
        pause_ms: a silence this long always ends a cue made from words.
        clip_ms: the clip's length, for files written on its timeline (lint: cues past it).
    """

    max_chars: int = MAX_LINE
    max_lines: int = MAX_LINES
    min_ms: int = MIN_MS
    max_ms: int = MAX_MS
    cps_target: float = CPS_TARGET
    cps_limit: float = CPS_LIMIT
    fps: Fraction = Fraction(25)
    gap_ms: int = 80
    hang_ms: int = 500
    close_gap_ms: int = 500
    pause_ms: int = 1500
    clip_ms: int | None = None


def rules_for(
    size: tuple[int, int] | None = None,
    language: str = "",
    fps: Fraction = Fraction(25),
    chars: int | None = None,
    lines: int | None = None,
) -> SubtitleRules:
    """The rules for subtitles in a frame of ``size`` (width, height; None: a landscape one):
    42 characters and 2 lines, about 25 and 3 in a vertical frame (``frame_lines``), unless
    ``chars`` and ``lines`` (a rendition's own) say otherwise. Cues made from words in
    ``language`` aim at its reading speed: Arabic at 20 cps (diacritics not counted).

    >>> r = rules_for((1080, 1920), "ar", Fraction(30))
    >>> r.max_chars, r.max_lines, r.cps_target, r.fps
    (25, 3, 20.0, Fraction(30, 1))
    >>> rules_for((1920, 1080), chars=30).max_chars, rules_for().max_lines
    (30, 2)
    """
    frame_chars, frame_lines_ = frame_lines(*size) if size else (MAX_LINE, MAX_LINES)
    return SubtitleRules(
        max_chars=chars or frame_chars,
        max_lines=lines or frame_lines_,
        cps_target=CPS_LIMIT if language == "ar" else CPS_TARGET,
        fps=fps,
    )
