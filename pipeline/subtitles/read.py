"""Read subtitle files into cues, reporting every broken entry with file and line."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import Problem, SubtitleError
from pipeline.model import Cue, Span

_TIME = r"(-?)(\d{1,3}):(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_ARROW = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s.*)?$")


def decode(path: Path, data: bytes) -> str:
    """Text of a subtitle file: UTF-8 (BOM or not) or UTF-16 with a BOM.

    Raises:
        SubtitleError: any other encoding, naming the file.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise SubtitleError(
            [Problem(path, line, "", "not UTF-8 or UTF-16 text (expected a UTF-8 subtitle file)")]
        ) from None


def read_srt(path: Path) -> tuple[Cue, ...]:
    """Parse an SRT file; CRLF, ``.`` or ``,`` before milliseconds and no final blank line are fine.

    Raises:
        SubtitleError: listing every broken entry with its line.
    """
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SubtitleError([Problem(path, None, "", f"cannot read: {e.strerror}")]) from None
    lines = decode(path, data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cues: list[Cue] = []
    problems: list[Problem] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start_line = i
        if lines[i].strip().isdigit() and i + 1 < len(lines):
            i += 1
        m = _ARROW.match(lines[i])
        if not m:
            problems.append(
                Problem(
                    path,
                    i + 1,
                    "",
                    f"{lines[i].strip()[:40]!r} is not a cue "
                    "(expected a number, then 00:00:01,000 --> 00:00:02,000)",
                )
            )
            while i < len(lines) and lines[i].strip():
                i += 1
            continue
        start, end = _ms(m.groups()[:5]), _ms(m.groups()[5:])
        text_lines = []
        i += 1
        while i < len(lines) and lines[i].strip():
            text_lines.append(lines[i].strip())
            i += 1
        problem = _timing_problem(start, end)
        if problem:
            problems.append(Problem(path, start_line + 2 if start_line != i else i, "", problem))
        elif text_lines:
            cues.append(Cue(Span(start, end), "\n".join(text_lines)))
    if problems:
        raise SubtitleError(problems)
    return tuple(cues)


def _ms(groups: tuple[str | None, ...]) -> int:
    sign, h, m, s, frac = (g or "" for g in groups)
    value = ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(frac.ljust(3, "0"))
    return -value if sign else value


def _timing_problem(start: int, end: int) -> str | None:
    if start < 0 or end < 0:
        return "negative time (expected times from 00:00:00,000)"
    if end <= start:
        return "cue ends before it starts (expected end > start)"
    return None
