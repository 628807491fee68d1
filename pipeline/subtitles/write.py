"""Write cues as SRT and WebVTT sidecars, and as the ASS file that ffmpeg burns in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pysubs2

from pipeline.core.languages import rtl_embed
from pipeline.core.model import Cue
from pipeline.subtitles.markup import AN8, Markup, parse

# A word joiner (U+2060, invisible, no glyph needed) after every literal backslash, so that
# libass never reads a translator's "\\N", "\\h" or a backslash before our own "{" as markup.
_JOINER = "\u2060"


def _stamp(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def srt_text(markup: Markup) -> str:
    """Parsed cue text as SRT: ``{\\an8}`` first, italics as ``<i>...</i>``."""
    body = "".join(f"<i>{r.text}</i>" if r.italic else r.text for r in markup.runs)
    return (AN8 if markup.top else "") + body


def vtt_text(markup: Markup) -> str:
    """Parsed cue text as WebVTT: ``&``, ``<`` and ``>`` escaped, italics as ``<i>``; the
    top position is a cue setting (:func:`to_vtt`), not text.

    >>> vtt_text(parse("a < b & <i>c</i> -->"))
    'a &lt; b &amp; <i>c</i> --&gt;'
    """

    def escaped(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    return "".join(
        f"<i>{escaped(r.text)}</i>" if r.italic else escaped(r.text) for r in markup.runs
    )


def ass_text(markup: Markup) -> str:
    r"""Parsed cue text as an ASS event's text: italics as ``{\i1}...{\i0}``, and every literal
    ``{``, ``}`` and ``\`` escaped, so that no text of a translator reads as an override tag.

    libass reads ``\{`` and ``\}`` as literal braces (ass_render.c, get_next_char); a literal
    backslash is followed by a word joiner, which keeps it from starting ``\N``, ``\h``, or a
    ``\{`` with the brace after it.

    >>> ass_text(parse(r"{\an8}<i>Hi</i> a } b { c \N"))
    '{\\an8}{\\i1}Hi{\\i0} a \\} b \\{ c \\\u2060N'
    """

    def escaped(text: str) -> str:
        text = text.replace("\\", "\\" + _JOINER).replace("{", "\\{").replace("}", "\\}")
        return text.replace("\n", "\\N")

    body = "".join(
        f"{{\\i1}}{escaped(r.text)}{{\\i0}}" if r.italic else escaped(r.text) for r in markup.runs
    )
    return (AN8 if markup.top else "") + body


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
        f"{n}\n{_stamp(c.span.start_ms, ',')} --> {_stamp(c.span.end_ms, ',')}\n"
        f"{srt_text(parse(c.text))}\n\n"
        for n, c in enumerate(cues, 1)
    )


def to_vtt(cues: Sequence[Cue]) -> str:
    """WebVTT text; a cue on top (``{\\an8}``) has the cue setting ``line:0``."""
    parsed = [parse(c.text) for c in cues]
    body = "".join(
        f"{_stamp(c.span.start_ms, '.')} --> {_stamp(c.span.end_ms, '.')}"
        f"{' line:0' if m.top else ''}\n{vtt_text(m)}\n\n"
        for c, m in zip(cues, parsed, strict=True)
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
        # Embedding marks go around each line before parsing, so inside the line's runs.
        event.text = ass_text(parse(rtl_embed(cue.text) if style.rtl else cue.text))
        subs.events.append(event)
    return subs.to_string("ass")
