"""The subtitle formats build-clip knows, in one table (as pysubs2 keeps one): each with its
suffixes, its reader and its writer. A file's format comes from its first line when that
says it (``WEBVTT``, ``[Script Info]``), else from its suffix (``by_path``); nothing else in
build-clip decides a format from a file name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.model import Cue
from pipeline.subtitles.blocks import Collector, scan_blocks
from pipeline.subtitles.markup import ass_to_text
from pipeline.subtitles.ssa import read_ass
from pipeline.subtitles.write import to_srt, to_vtt


@dataclass(frozen=True)
class SubtitleFormat:
    """One format: its name (``srt``), its suffixes (the first is the one written), how its
    decoded text (LF line ends) is read into a ``Collector``, how cues are written as it
    (None: ASS, written only to be burned in, with a style: pipeline/subtitles/write.py
    ``to_ass``), and how its first line begins, when that marks it."""

    name: str
    suffixes: tuple[str, ...]
    read: Callable[[str, Collector], None]
    write: Callable[[Sequence[Cue]], str] | None = None
    marker: re.Pattern[str] | None = None

    @property
    def suffix(self) -> str:
        return self.suffixes[0]

    def text(self, cues: Sequence[Cue]) -> str:
        """``cues`` written as this format (ValueError for ASS: it needs a style)."""
        if self.write is None:
            raise ValueError(f"{self.name} is written with a style (write.to_ass)")
        return self.write(cues)


def _read_blocks(text: str, out: Collector) -> None:
    scan_blocks(text.split("\n"), out)


def _read_ass(text: str, out: Collector) -> None:
    events, problems = read_ass(text, out.path)
    out.problems += problems
    for ev in events:
        body, dropped = ass_to_text(ev.text)
        out.cue(ev.line, (ev.start_ms, ev.end_ms), body.split("\n"), dropped)


SRT = SubtitleFormat("srt", (".srt",), _read_blocks, to_srt)
VTT = SubtitleFormat("vtt", (".vtt",), _read_blocks, to_vtt, marker=re.compile("WEBVTT"))
ASS = SubtitleFormat("ass", (".ass", ".ssa"), _read_ass, marker=re.compile(r"(?i)\[script info\]"))

FORMATS: dict[str, SubtitleFormat] = {f.name: f for f in (SRT, VTT, ASS)}
BY_SUFFIX: dict[str, SubtitleFormat] = {s: f for f in FORMATS.values() for s in f.suffixes}
SIDECARS = (SRT, VTT)  # written beside each clip


def by_name(name: str) -> SubtitleFormat:
    """The format called ``name`` (``srt``, ``vtt``, ``ass``); KeyError for another."""
    return FORMATS[name]


def by_path(path: Path) -> SubtitleFormat:
    """The format a file name says by its suffix (any case); SRT for any other suffix.

    >>> by_path(Path("a.fr.VTT")).name, by_path(Path("b.ssa")).name, by_path(Path("c.txt")).name
    ('vtt', 'ass', 'srt')
    """
    return BY_SUFFIX.get(path.suffix.lower(), SRT)


def sniff(text: str, path: Path) -> SubtitleFormat:
    """The format of a file's decoded ``text``: from its first line, else from its name.

    >>> sniff("WEBVTT\\n\\n", Path("named.srt")).name, sniff("1\\n", Path("x.ass")).name
    ('vtt', 'ass')
    """
    head = text.lstrip()
    for fmt in FORMATS.values():
        if fmt.marker is not None and fmt.marker.match(head):
            return fmt
    return by_path(path)
