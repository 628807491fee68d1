r"""Markup in cue text: one parser, one rendering per format (pure).

A translator's cue keeps only italics (``<i>``, ``{\i1}``) and the top position
(``{\an8}``); every other tag is dropped and named in a warning. Players disagree on the rest
(ffmpeg's htmlsubtitles.c keeps ``<font>``, YouTube ignores it, libass obeys any ``{...}``
block), so a translator's file keeps only the markups that every target renders the same way
(standards.md B4), and nothing of ASS reaches the burned subtitles from a translator's file.

:func:`parse` is a tokenizer, not a search and replace: a ``{`` is matched with its ``}``
counting nesting, so ``{{\fs120}\fs120}`` is one block, dropped whole, and dropping a block
can never join the braces around it into a new tag. ``{\p1}`` (an ASS drawing) drops the
drawing commands that follow it, up to ``{\p0}``, instead of showing them as text.

Inside build-clip a cue's text is in one canonical form (:func:`clean_markup`): ``{\an8}``
first when the cue goes on top, ``<i>...</i>`` around italics, everything else literal text.
The writers (pipeline/subtitles/write.py) parse that form again and render it per format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KEPT = r"<i> and {\an8}"
AN8 = r"{\an8}"
DRAWING = "drawing"  # the name a dropped {\p1} drawing is reported under
_HTML = re.compile(r"</?([A-Za-z][^<>\s./]*)[^<>]*>|<\d[^<>]*>")
_PEN = re.compile(r"p(\d+)")


@dataclass(frozen=True)
class Run:
    """A piece of cue text in one style; ``text`` is literal (may hold line breaks)."""

    text: str
    italic: bool = False


@dataclass(frozen=True)
class Markup:
    """A cue's text parsed: its runs, whether it goes on top, and what was dropped."""

    runs: tuple[Run, ...]
    top: bool = False
    dropped: tuple[str, ...] = ()

    @property
    def plain(self) -> str:
        return "".join(r.text for r in self.runs)


class _Parser:
    def __init__(self) -> None:
        self.runs: list[Run] = []
        self.buf: list[str] = []
        self.italic = self.top = self.drawing = False
        self.dropped: list[str] = []

    def emit(self, text: str) -> None:
        if self.drawing:
            return
        self.buf.append(text)

    def set_italic(self, italic: bool) -> None:
        if italic != self.italic:
            self.flush()
            self.italic = italic

    def flush(self) -> None:
        if self.buf:
            self.runs.append(Run("".join(self.buf), self.italic))
            self.buf = []

    def block(self, content: str) -> None:
        """An override block's content (between its outer braces): its tags."""
        comment, *tags = content.replace("{", "").replace("}", "").split("\\")
        if comment.strip():
            self.dropped.append(_short("{" + comment + "}"))
        for tag in (t.strip() for t in tags):
            if tag == "an8":
                self.top = True
            elif tag == "i1":
                self.set_italic(True)
            elif tag in ("i0", "i"):
                self.set_italic(False)
            elif pen := _PEN.fullmatch(tag):
                self.drawing = int(pen.group(1)) > 0
                if self.drawing:
                    self.dropped.append(DRAWING)
            elif tag:
                self.dropped.append(_short("{\\" + tag + "}"))


def parse(text: str, ass: bool = False) -> Markup:
    r"""Cue text as runs of literal text; ``ass``: the text of an ASS event (``\N`` is a line
    break, ``\h`` a space), else of an SRT or WebVTT cue (a backslash is a backslash).

    >>> m = parse(r"{\an8}<i>Hi</i> {{\fs120}\fs120}you")
    >>> [(r.text, r.italic) for r in m.runs], m.top, m.dropped
    ([('Hi', True), (' you', False)], True, ('{\\fs120}', '{\\fs120}'))
    >>> parse(r"{\p1}m 0 0 l 100 0{\p0}a { b").plain, parse(r"{\p1}m 0 0{\p0}").dropped
    ('a { b', ('drawing',))
    """
    closing = _closing_braces(text)
    p = _Parser()
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "{" and i in closing:
            p.block(text[i + 1 : closing[i]])
            i = closing[i] + 1
            continue
        if ch == "<" and (m := _HTML.match(text, i)):
            name = (m.group(1) or "").lower()
            if name == "i":
                p.set_italic(not m.group(0).startswith("</"))
            else:
                p.dropped.append(f"<{name}>" if name else "<timestamp>")
            i = m.end()
            continue
        if ch == "\\" and ass and text[i + 1 : i + 2] in ("N", "n", "h"):
            p.emit("\n" if text[i + 1] in "Nn" else " ")
            i += 2
            continue
        p.emit(ch)
        i += 1
    p.flush()
    runs = _merged(p.runs)
    return Markup(runs, p.top, tuple(p.dropped))


def _closing_braces(text: str) -> dict[int, int]:
    """For each ``{`` that is closed, the index of its ``}`` (nesting counted); one pass."""
    opened: list[int] = []
    closing: dict[int, int] = {}
    for k, ch in enumerate(text):
        if ch == "{":
            opened.append(k)
        elif ch == "}" and opened:
            closing[opened.pop()] = k
    return closing


def _merged(runs: list[Run]) -> tuple[Run, ...]:
    out: list[Run] = []
    for run in runs:
        if out and out[-1].italic == run.italic:
            out[-1] = Run(out[-1].text + run.text, run.italic)
        elif run.text:
            out.append(run)
    return tuple(out)


def canonical(markup: Markup) -> str:
    r"""The canonical cue text of parsed markup (``{\an8}`` first, ``<i>`` around italics)."""
    body = "".join(f"<i>{r.text}</i>" if r.italic else r.text for r in markup.runs)
    return (AN8 if markup.top else "") + body


def clean_markup(text: str, ass: bool = False) -> tuple[str, list[str]]:
    r"""Text in canonical form, and the names of the markup dropped.

    Parsed again until nothing changes, so that no text left between two dropped tags can
    read as a tag on the next reading (by a writer, or by a player).

    >>> clean_markup("{\\an8}<I>Hi</I> <font color=red>there</font>")
    ('{\\an8}<i>Hi</i> there', ['<font>', '<font>'])
    >>> clean_markup("a < b and c<3")
    ('a < b and c<3', [])
    >>> clean_markup("{{\\fs120}\\fs120}Hi")
    ('Hi', ['{\\fs120}', '{\\fs120}'])
    """
    dropped: list[str] = []
    for _ in range(len(text) + 2):
        parsed = parse(text, ass)
        dropped += parsed.dropped
        again = canonical(parsed)
        if again == text and not ass:
            break
        text, ass = again, False
    return text, dropped


def ass_to_text(text: str) -> tuple[str, list[str]]:
    r"""An ASS event's text as canonical cue text: ``\N`` -> line break, ``\i1`` -> ``<i>``.

    >>> ass_to_text(r"{\an8\i1}Hi{\i0}\N{\b1}you{\b0}")
    ('{\\an8}<i>Hi</i>\nyou', ['{\\b1}', '{\\b0}'])
    """
    return clean_markup(text, ass=True)


def strip_markup(text: str) -> str:
    """The text a viewer reads: kept markup removed too.

    >>> strip_markup("{\\an8}<i>Hi</i>")
    'Hi'
    """
    return parse(text).plain


def _short(token: str) -> str:
    return token if len(token) <= 24 else token[:20] + "...}"
