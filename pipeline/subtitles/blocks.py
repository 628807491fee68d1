"""SRT and WebVTT blocks, read line by line so that every problem has its line."""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

from pipeline.core.errors import Problem
from pipeline.core.model import Cue, Span
from pipeline.core.timecode import format_ms
from pipeline.subtitles.markup import DRAWING, KEPT, clean_markup, strip_markup

_SRT_TIME = re.compile(r"(?P<sign>-?)(?P<h>\d{1,3}):(?P<m>\d{2}):(?P<s>\d{2})[,.](?P<ms>\d{3})")
_VTT_TIME = re.compile(
    r"(?P<sign>-?)(?:(?P<h>\d{1,3}):)?(?P<m>\d{2}):(?P<s>\d{2})[,.](?P<ms>\d{3})"
)
_VTT_BLOCK = re.compile(r"(NOTE|STYLE|REGION)(\s|$)")
SETTINGS = "cue settings"


class Collector:
    """Cues, problems and dropped markup gathered while reading one file."""

    def __init__(self, path: Path, vtt: bool) -> None:
        self.path, self.vtt = path, vtt
        self.cues: list[Cue] = []
        self.lines: list[int | None] = []
        self.problems: list[Problem] = []
        self.dropped: dict[str, tuple[int | None, int]] = {}

    def error(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, "", message))

    def cue(
        self, line: int | None, times: tuple[int, int] | None, body: list[str], dropped: list[str]
    ) -> None:
        """Check and keep one cue; ``times`` is None when its timing was already reported."""
        text = unicodedata.normalize("NFC", "\n".join(s.strip() for s in body).strip())
        for name in dict.fromkeys(dropped):
            self.note(line, name)
        if times is None:
            return
        start, end = times
        if start < 0 or end < 0:
            self.error(
                line, f"negative time {format_ms(min(start, end))} (expected 00:00:00.000 or later)"
            )
        elif end <= start:
            self.error(
                line,
                f"the cue ends at {format_ms(end)}, not after its start {format_ms(start)} "
                "(expected end > start)",
            )
        elif not strip_markup(text).strip():
            self.error(line, "the cue has no text (expected its text below the timing line)")
        else:
            self.cues.append(Cue(Span(start, end), text))
            self.lines.append(line)

    def note(self, line: int | None, name: str) -> None:
        """Count one cue from which ``name`` (markup, cue settings) was dropped."""
        first, count = self.dropped.get(name, (line, 0))
        self.dropped[name] = (first, count + 1)

    def warnings(self) -> tuple[Problem, ...]:
        return tuple(
            Problem(self.path, first, "", _dropped_message(name, count))
            for name, (first, count) in self.dropped.items()
        )


def _dropped_message(name: str, count: int) -> str:
    cues = f"{count} cue{'s' if count > 1 else ''}"
    if name == SETTINGS:
        return f"ignored {SETTINGS} in {cues}, first here (position and style come from the build)"
    if name == DRAWING:
        return (
            f"dropped an ASS drawing ({{\\p1}}) and its drawing commands from {cues}, first "
            f"here (only {KEPT} are kept)"
        )
    return f"dropped {name} markup from {cues}, first here (only {KEPT} are kept)"


def scan_blocks(lines: list[str], out: Collector) -> None:
    """Read SRT or WebVTT blocks; a missing blank line between cues is tolerated."""
    i = _skip_vtt_header(lines, out) if out.vtt else 0
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            i += 1
        elif _is_timing(lines, i):
            i = _read_cue(lines, i, out)
        elif _is_timing(lines, i + 1) and (out.vtt or line.isdigit()):
            i = _read_cue(lines, i + 1, out)
        elif out.vtt and _VTT_BLOCK.match(line):
            while i < len(lines) and lines[i].strip():
                i += 1
        else:
            i = _stray(lines, i, out)


def _is_timing(lines: list[str], i: int) -> bool:
    return i < len(lines) and "-->" in lines[i]


def _starts_cue(lines: list[str], i: int) -> bool:
    return _is_timing(lines, i) or (lines[i].strip().isdigit() and _is_timing(lines, i + 1))


def _read_cue(lines: list[str], i: int, out: Collector) -> int:
    """Read the cue whose timing line is ``lines[i]``; return the index after it."""
    times = _timing(lines[i], i + 1, out)
    j = i + 1
    while j < len(lines) and lines[j].strip() and not _starts_cue(lines, j):
        j += 1
    body, dropped = clean_markup("\n".join(lines[i + 1 : j]))
    if out.vtt:
        body = html.unescape(body)
    out.cue(i + 1, times, body.split("\n"), dropped)
    return j


def _timing(line: str, number: int, out: Collector) -> tuple[int, int] | None:
    left, _, right = line.partition("-->")
    end_text, *settings = right.split(None, 1) or [""]
    values = [_time(t, out.vtt) for t in (left.strip(), end_text)]
    bad = [v for v in values if isinstance(v, str)]
    for message in bad:
        out.error(number, message)
    if settings:
        out.note(number, SETTINGS)
    if bad:
        return None
    start, end = values
    assert isinstance(start, int) and isinstance(end, int)
    return start, end


def _time(text: str, vtt: bool) -> int | str:
    """Milliseconds, or what is wrong with the timestamp."""
    m = (_VTT_TIME if vtt else _SRT_TIME).fullmatch(text)
    if not m:
        expected = "[HH:]MM:SS.mmm, e.g. 00:01:02.500" if vtt else "HH:MM:SS,mmm, e.g. 00:01:02,500"
        return f"{text[:30]!r} is not a time (expected {expected})"
    if int(m["m"]) > 59 or int(m["s"]) > 59:
        return f"{text!r} is not a time (expected minutes and seconds under 60)"
    value = ((int(m["h"] or 0) * 60 + int(m["m"])) * 60 + int(m["s"])) * 1000 + int(m["ms"])
    return -value if m["sign"] else value


def _stray(lines: list[str], i: int, out: Collector) -> int:
    """Report text that is not part of a cue; return the index of the next block."""
    line = lines[i].strip()
    if line.isdigit() and i + 1 < len(lines) and lines[i + 1].strip():
        out.error(
            i + 2,
            f"{lines[i + 1].strip()[:40]!r} is not a timing line (expected "
            f"00:00:01,000 --> 00:00:02,000 after cue number {line})",
        )
        i += 1
    else:
        out.error(
            i + 1,
            f"{line[:40]!r} is not part of a cue (expected a cue number or a timing line "
            "such as 00:00:01,000 --> 00:00:02,000; a blank line ends a cue)",
        )
    i += 1
    while i < len(lines) and lines[i].strip() and not _starts_cue(lines, i):
        i += 1
    return i


def _skip_vtt_header(lines: list[str], out: Collector) -> int:
    first = lines[0].strip() if lines else ""
    if first != "WEBVTT" and not first.startswith(("WEBVTT ", "WEBVTT\t")):
        out.error(1, "missing the WEBVTT header (expected 'WEBVTT' on the first line)")
        return 0
    i = 1
    while i < len(lines) and lines[i].strip() and not _is_timing(lines, i):
        i += 1
    return i
