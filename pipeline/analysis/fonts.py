"""Fonts for burned subtitles: find them as libass will (fontconfig), and check their glyphs."""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pipeline.core import children
from pipeline.core.errors import Problem, SubtitleError
from pipeline.core.model import Cue
from pipeline.core.stamps import remembered
from pipeline.core.timecode import format_ms


@functools.cache
def font_file(family: str) -> Path | None:
    """The file fontconfig picks for ``family``, or None when no font of that family exists."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    out = children.run(
        [fc_match, "-f", "%{family}\n%{file}", family],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    ).stdout.split("\n")
    if len(out) < 2 or family.lower() not in [f.strip().lower() for f in out[0].split(",")]:
        return None
    return Path(out[1])


@functools.cache
def codepoints(path: Path) -> frozenset[int]:
    """Every character the font at ``path`` has a glyph for (its cmap is read once per change
    of the file: pipeline/core/stamps.py)."""

    def read() -> list[int]:
        from fontTools.ttLib import TTFont  # only when a font is new or changed

        with TTFont(path, lazy=True, fontNumber=0) as font:
            return sorted(font.getBestCmap() or {})

    return frozenset(remembered(path, "cmap-1", read))


def _needs_glyph(ch: str) -> bool:
    # Spaces, line breaks, and format characters (bidi marks, joiners) draw nothing.
    return not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc")


Glyphs = Mapping[str, frozenset[int] | None]  # font family -> what it draws (None: missing)


def glyph_sets(families: Iterable[str]) -> dict[str, frozenset[int] | None]:
    """What each font family draws, read once (None for a family that is not installed): the
    fonts' part of a build's facts, so that checking cues against them reads nothing."""
    found: dict[str, frozenset[int] | None] = {}
    for family in dict.fromkeys(families):
        path = font_file(family)
        found[family] = None if path is None else codepoints(path)
    return found


def check_glyphs(
    cues: Sequence[Cue], families: Sequence[str], lang: str, fonts: Glyphs | None = None
) -> list[Problem]:
    """A problem for each cue with a character none of ``families`` can draw.

    ``families`` is the font, then its fallbacks (for Arabic, the Latin font that draws the
    names and words in Latin letters inside a line). ``fonts``: the families' glyphs as
    gathered (``glyph_sets``); read from the font files when not given.
    """
    have = _drawable(families, fonts)
    if isinstance(have, Problem):
        return [have]
    problems = []
    for n, cue in enumerate(cues, 1):
        chars = _missing(cue.text, have)
        if chars:
            problems.append(
                Problem(
                    None,
                    None,
                    "",
                    f"cue {n} at {format_ms(cue.span.start_ms)}: no glyph for {chars} in "
                    f"{' or '.join(map(repr, dict.fromkeys(families)))} (expected fonts that draw "
                    f"every character; set style.fonts.{lang})",
                )
            )
    return problems


def check_card_glyphs(
    text: str, families: Sequence[str], field: str, fonts: Glyphs | None = None
) -> str | None:
    """What a title or end card's fonts cannot draw of its ``text``, as a message; None when
    they draw it all. ``field`` is the config key that sets the card's font."""
    have = _drawable(families, fonts)
    if isinstance(have, Problem):
        return have.message
    chars = _missing(text, have)
    if not chars:
        return None
    return (
        f"no glyph for {chars} in {' or '.join(map(repr, dict.fromkeys(families)))} "
        f"(expected a font that draws every character; set {field})"
    )


def _drawable(families: Sequence[str], fonts: Glyphs | None = None) -> set[int] | Problem:
    """Every character the families draw together, or the problem of one not installed."""
    have: set[int] = set()
    known = fonts if fonts is not None else glyph_sets(families)
    for family in dict.fromkeys(families):
        glyphs = known[family] if family in known else glyph_sets([family])[family]
        if glyphs is None:
            return Problem(
                None,
                None,
                "",
                f"font {family!r} is not installed (expected an "
                "installed font family; see fc-list)",
            )
        have |= glyphs
    return have


def _missing(text: str, have: set[int]) -> str:
    """The characters of ``text`` outside ``have``, listed with their code points."""
    missing = sorted({ch for ch in text if _needs_glyph(ch) and ord(ch) not in have})
    return ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing)


def require_glyphs(cues: Sequence[Cue], families: Sequence[str], lang: str) -> None:
    """Raise SubtitleError when any cue has a character the fonts cannot draw."""
    problems = check_glyphs(cues, families, lang)
    if problems:
        raise SubtitleError(problems)
