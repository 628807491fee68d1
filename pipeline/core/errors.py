"""The error hierarchy: everything a user can cause is a PipelineError, shown as one line each."""

from __future__ import annotations

import re
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class PipelineError(Exception):
    """Base class for errors shown to the user without a traceback."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, with where it is.

    Attributes:
        path: the file the problem is in.
        line: 1-based line in that file, when known.
        where: the dotted location inside the document (``clips.a.cuts[2].end``), or "".
        message: what is wrong and what was expected.
    """

    path: Path | None
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        head = ""
        if self.path is not None:
            head = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        loc = f"{self.where}: " if self.where else ""
        return f"{head}{loc}{self.message}"


class InputError(PipelineError):
    """Bad input (config, media, subtitles): a list of problems, exit code 2."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(InputError):
    """The config file is not valid."""


class MediaError(InputError):
    """A media file is missing, unreadable or unsuitable."""


class SubtitleError(InputError):
    """A subtitle file cannot be read or is broken."""


class BuildError(PipelineError):
    """A build step failed at run time (exit code 1)."""

    exit_code = 1


class FfmpegError(BuildError):
    """ffmpeg or ffprobe failed; the message is ffmpeg's last stderr line."""

    def __init__(
        self,
        argv: Sequence[str],
        returncode: int,
        stderr_tail: Sequence[str],
        output: Path | None = None,
    ) -> None:
        self.argv = tuple(argv)
        self.returncode = returncode
        self.stderr_tail = tuple(stderr_tail)
        self.output = output
        target = f"{output}: " if output else ""
        if returncode < 0:  # killed by a signal: its stderr ends mid-report and says nothing
            super().__init__(f"{target}ffmpeg was stopped by {_signal_text(-returncode)}")
        else:
            why = _error_line(self.stderr_tail)
            super().__init__(f"{target}ffmpeg failed (exit {returncode}): {why}")


# ffmpeg's closing lines that only repeat that something failed earlier.
_GENERIC = re.compile(r"^(Conversion failed!|Exiting normally.*|)$")
_ERRORISH = re.compile(
    r"error|fail|invalid|no space|denied|read-only|not found|no such|cannot|could not|unable"
    r"|too large|quota",
    re.IGNORECASE,
)
_SIGNALS = {
    "SIGKILL": "killed from outside, or by the system when memory ran out",
    "SIGXFSZ": "the file size limit was reached (ulimit -f)",
    "SIGSEGV": "ffmpeg crashed",
    "SIGTERM": "stopped from outside",
}


def _error_line(tail: Sequence[str]) -> str:
    """The most telling of ffmpeg's last stderr lines: the last one that reads like an
    error (``No space left on device``), else the last line."""
    lines = [ln.strip() for ln in tail if ln.strip()]
    for line in reversed(lines):
        if _ERRORISH.search(line) and not _GENERIC.match(line):
            return line
    return lines[-1] if lines else "no error message"


def _signal_text(number: int) -> str:
    try:
        name = signal.Signals(number).name
    except ValueError:
        return f"signal {number} (expected it to finish)"
    why = _SIGNALS.get(name)
    return f"{name}: {why}" if why else f"{name} (expected it to finish)"


class ToolMissingError(BuildError):
    """An external program (ffmpeg, ffprobe) is not installed."""

    exit_code = 2


def problem(
    message: str, path: Path | None = None, line: int | None = None, where: str = ""
) -> Problem:
    """Shorthand for building a Problem."""
    return Problem(path=path, line=line, where=where, message=message)
