"""Write cues as SRT and WebVTT sidecars, and as the ASS file that ffmpeg burns in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pysubs2

from pipeline.core.languages import rtl_embed
from pipeline.core.model import Cue


def _stamp(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def to_srt(cues: Sequence[Cue]) -> str:
    """SRT text: UTF-8, LF line ends, numbered from 1.

    >>> from pipeline.core.model import Span
    >>> print(to_srt([Cue(Span(0, 1500), "Hello")]), end="")
    1
    00:00:00,000 --> 00:00:01,500
    Hello
    <BLANKLINE>
    """
    return "".join(
        f"{n}\n{_stamp(c.span.start_ms, ',')} --> {_stamp(c.span.end_ms, ',')}\n{c.text}\n\n"
        for n, c in enumerate(cues, 1)
    )


def to_vtt(cues: Sequence[Cue]) -> str:
    """WebVTT text."""
    body = "".join(
        f"{_stamp(c.span.start_ms, '.')} --> {_stamp(c.span.end_ms, '.')}\n{c.text}\n\n"
        for c in cues
    )
    return "WEBVTT\n\n" + body


@dataclass(frozen=True)
class AssStyle:
    """How burned subtitles look, in pixels of the output frame."""

    width: int
    height: int
    font: str
    font_px: int
    margin_px: int
    outline_px: float
    rtl: bool = False


def to_ass(cues: Sequence[Cue], style: AssStyle) -> str:
    """An ASS script in the output frame's own pixel grid, one event per cue."""
    subs = pysubs2.SSAFile()
    subs.info.update(
        {
            "PlayResX": str(style.width),
            "PlayResY": str(style.height),
            "ScaledBorderAndShadow": "yes",
            "WrapStyle": "0",
        }
    )
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=style.font,
        fontsize=style.font_px,
        primarycolor=pysubs2.Color(255, 255, 255),
        outlinecolor=pysubs2.Color(0, 0, 0),
        backcolor=pysubs2.Color(0, 0, 0, 128),
        outline=style.outline_px,
        shadow=0,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        # Sides: 4 % of the width. The bottom margin (20 % in portrait frames) must not narrow
        # the line, or libass wraps the planned lines again.
        marginl=round(style.width * 0.04),
        marginr=round(style.width * 0.04),
        marginv=style.margin_px,
    )
    for cue in cues:
        event = pysubs2.SSAEvent(start=cue.span.start_ms, end=cue.span.end_ms)
        event.plaintext = rtl_embed(cue.text) if style.rtl else cue.text
        subs.events.append(event)
    return subs.to_string("ass")
