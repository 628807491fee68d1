r"""Markup in cue text: keep ``<i>``, ``</i>`` and ``{\an8}``, drop the rest and say what (pure).

Players disagree on everything else (ffmpeg's htmlsubtitles.c keeps ``<font>``, YouTube
ignores it, libass hides ``{...}`` blocks), so a translator's file keeps only the two
markups that every target renders the same way (standards.md B4).
"""

from __future__ import annotations

import re

KEPT = r"<i> and {\an8}"
AN8 = r"{\an8}"
_TAG = re.compile(r"</?([A-Za-z][^<>\s./]*)[^<>]*>|<\d[^<>]*>|\{[^{}]*\}")
_ASS_BREAK = re.compile(r"\\[Nn]")


def clean_markup(text: str) -> tuple[str, list[str]]:
    r"""Text with only the kept markup, and the names of the markup dropped.

    >>> clean_markup("{\\an8}<I>Hi</I> <font color=red>there</font>")
    ('{\\an8}<i>Hi</i> there', ['<font>', '<font>'])
    >>> clean_markup("a < b and c<3")
    ('a < b and c<3', [])
    """
    dropped: list[str] = []

    def keep_or_drop(m: re.Match[str]) -> str:
        token = m.group(0)
        lowered = token.lower()
        if lowered in ("<i>", "</i>") or token == AN8:
            return lowered
        if m.group(1):
            dropped.append(f"<{m.group(1).lower()}>")
        else:
            dropped.append("<timestamp>" if token.startswith("<") else _short(token))
        return ""

    return _TAG.sub(keep_or_drop, text), dropped


def ass_to_text(text: str) -> tuple[str, list[str]]:
    r"""An ASS event's text as cue text: ``\N`` -> line break, ``\i1``/``\i0`` -> ``<i>``.

    >>> ass_to_text(r"{\an8\i1}Hi{\i0}\N{\b1}you{\b0}")
    ('{\\an8}<i>Hi</i>\nyou', ['{\\b1}', '{\\b0}'])
    """
    dropped: list[str] = []

    def convert(m: re.Match[str]) -> str:
        block = m.group(0)[1:-1]
        comment, *tags = block.split("\\")
        if comment.strip():
            dropped.append(_short("{" + comment + "}"))
        out = []
        for tag in (t.strip() for t in tags):
            if tag == "an8":
                out.append(AN8)
            elif tag == "i1":
                out.append("<i>")
            elif tag in ("i0", "i"):
                out.append("</i>")
            elif tag:
                dropped.append(_short("{\\" + tag + "}"))
        return "".join(out)

    text = _ASS_BREAK.sub("\n", text).replace("\\h", " ")
    return re.sub(r"\{[^{}]*\}", convert, text), dropped


def strip_markup(text: str) -> str:
    """The text a viewer reads: kept markup removed too.

    >>> strip_markup("{\\an8}<i>Hi</i>")
    'Hi'
    """
    return _TAG.sub("", text)


def _short(token: str) -> str:
    return token if len(token) <= 24 else token[:20] + "...}"
