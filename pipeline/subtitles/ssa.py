"""ASS/SSA files: events read by pysubs2, each paired with its line and its times checked."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pysubs2
from pysubs2.formats.substation import SubstationFormat

from pipeline.core.errors import Problem

_EVENT_LINE = re.compile(r"^\s*(Dialogue|Comment):(.*)$")
_TIME = re.compile(r"-?\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?")
EXPECTED_TIME = "expected H:MM:SS.cc, e.g. 0:01:02.50"


@dataclass(frozen=True)
class AssEvent:
    """A Dialogue line of an ASS/SSA file, text still in ASS markup."""

    line: int | None
    start_ms: int
    end_ms: int
    text: str


def read_ass(text: str, path: Path) -> tuple[list[AssEvent], list[Problem]]:
    """The Dialogue events of an ASS/SSA script (Comment events are not cues).

    pysubs2 stops at the first timestamp it cannot read and knows no line numbers, so the
    event lines are checked here first, every one of them, each with its line.
    """
    lines = text.split("\n")
    event_lines: list[int] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, 1):
        if m := _EVENT_LINE.match(line):
            bad = _time_problems(m.group(2))
            problems += [Problem(path, number, "", message) for message in bad]
            if bad:
                lines[number - 1] = ""  # reported here; pysubs2 would stop at it
            else:
                event_lines.append(number)
    text = "\n".join(lines)
    fmt = SubstationFormat.guess_format(text) or "ass"
    try:
        with warnings.catch_warnings():  # unreadable style fields: styles are not used
            warnings.simplefilter("ignore")
            subs = pysubs2.SSAFile.from_string(text, format_=fmt)
    except (pysubs2.Pysubs2Error, ValueError, TypeError, LookupError, RuntimeError) as e:
        return [], [*problems, Problem(path, None, "", f"not a valid ASS/SSA script ({e})")]
    same = len(subs.events) == len(event_lines)
    events = [
        AssEvent(event_lines[i] if same else None, ev.start, ev.end, ev.text)
        for i, ev in enumerate(subs.events)
        if ev.type == "Dialogue"
    ]
    return events, problems


def _time_problems(rest: str) -> list[str]:
    """Problems with the Start and End fields (the 2nd and 3rd) of an event line."""
    fields = rest.split(",", 3)
    if len(fields) < 4:
        return ["event line has too few fields (expected Layer, Start, End, Style, ..., Text)"]
    return [
        f"{value.strip()!r} is not a time ({EXPECTED_TIME})"
        for value in fields[1:3]
        if not _TIME.fullmatch(value.strip())
    ]
