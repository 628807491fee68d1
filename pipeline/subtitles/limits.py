"""The numbers of SUBTITLES.md, in one place: the lint of translators' files and the cues
made from words keep to the same limits."""

from __future__ import annotations

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
