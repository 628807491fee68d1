"""ffmpeg and ffprobe: find them, probe media, run a planned command or capture what one
prints. Every ffmpeg and ffprobe that build-clip starts is started here (through
pipeline/core/children.py, like every program build-clip runs), and a failure raises
FfmpegError with ffmpeg's last stderr line: a caller that can do without the result catches it,
and says why."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import shlex
import shutil
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.core import children
from pipeline.core.errors import FfmpegError, MediaError, Problem, ToolMissingError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FfmpegCommand:
    """A planned ffmpeg run: arguments (without the program), its output, and its length."""

    args: tuple[str, ...]
    output: Path
    duration_ms: int


@functools.cache
def find_tool(name: str) -> str:
    """The path of ``ffmpeg`` or ``ffprobe``; ``$FFMPEG_PATH``/``$FFPROBE_PATH`` win."""
    path = os.environ.get(f"{name.upper()}_PATH") or shutil.which(name)
    if not path:
        raise ToolMissingError(f"{name} not found (install it: apt-get install ffmpeg)")
    return path


def input_arg(path: Path) -> str:
    """A path as an ffmpeg input/output argument that cannot be read as an option or URL."""
    return "file:" + str(path.absolute())


def escape_filter_arg(value: str) -> str:
    r"""Escape ``value`` for use as an option value inside a filtergraph.

    Level 1 escapes the option value, level 2 the filtergraph description
    (ffmpeg-filters, "Notes on filtergraph escaping").

    >>> escape_filter_arg("it's: [a],b;c.srt")
    "it\\\\\\'s\\\\: \\[a\\]\\,b\\;c.srt"
    """
    for ch in "\\':":
        value = value.replace(ch, "\\" + ch)
    for ch in "\\'[],;":
        value = value.replace(ch, "\\" + ch)
    return value


def argv(cmd: FfmpegCommand) -> list[str]:
    """The program and every argument ``run`` starts it with (progress on stdout)."""
    return [
        find_tool("ffmpeg"),
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-progress",
        "pipe:1",
        *cmd.args,
    ]


def command_line(cmd: FfmpegCommand) -> str:
    """The exact command ``run`` runs, quoted for a POSIX shell (for --dry-run and logs)."""
    return shlex.join(argv(cmd))


def run(cmd: FfmpegCommand, on_progress: Callable[[float], None] | None = None) -> list[str]:
    """Run a planned ffmpeg command, reporting progress from 0 to 1; return its last lines
    (filters such as loudnorm print their reports there). ``on_progress`` hears 0 before
    ffmpeg starts, so a caller that is stopping can refuse to start it (by raising).

    Raises:
        FfmpegError: ffmpeg exited non-zero (or was killed: ``kill_runs``); the message
            carries its last stderr line.
    """
    if on_progress:
        on_progress(0.0)
    args = argv(cmd)
    log.debug("ffmpeg: %s", shlex.join(args))
    started = time.monotonic()
    tail: deque[str] = deque(maxlen=60)  # the error comes before x264's closing report
    # One reader for stdout and stderr together: two pipes read in turn can deadlock.
    proc = children.popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    with _lock:
        _running[threading.get_ident()] = proc
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            key, _, value = line.strip().partition("=")
            if key == "out_time_us" and value.lstrip("-").isdigit() and on_progress:
                on_progress(min(1.0, max(0.0, int(value) / 1000 / max(cmd.duration_ms, 1))))
            elif key not in _PROGRESS_KEYS:
                tail.append(line.rstrip())
        code = proc.wait()
        log.debug("ffmpeg exited %d after %.2f s", code, time.monotonic() - started)
    finally:
        with _lock:
            _running.pop(threading.get_ident(), None)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if code != 0:
        raise FfmpegError(args, code, [t for t in tail if t], cmd.output)
    if on_progress:
        on_progress(1.0)
    return list(tail)


# The ffmpeg each thread is running (``run``), for ``kill_runs``.
_running: dict[int, subprocess.Popen[str]] = {}
_lock = threading.Lock()


def kill_runs(threads: Collection[int]) -> None:
    """Kill the ffmpeg that each of ``threads`` is running (a pool that is stopping: Ctrl-C).

    Their ``run`` then raises at once. Waiting for a run's next progress report instead can
    take long: an encoder with a deep lookahead (x264 veryslow) reports nothing while it fills
    it, and ffmpeg that got the terminal's Ctrl-C itself flushes its encoders first.
    """
    with _lock:
        procs = [_running[t] for t in threads if t in _running]
    for proc in procs:
        with contextlib.suppress(OSError):
            proc.kill()


_PROGRESS_KEYS = frozenset(
    [
        "frame",
        "fps",
        "stream_0_0_q",
        "stream_1_0_q",
        "bitrate",
        "total_size",
        "out_time_us",
        "out_time_ms",
        "out_time",
        "dup_frames",
        "drop_frames",
        "speed",
        "progress",
    ]
)


def ffprobe_argv(path: Path, *extra: str) -> list[str]:
    """The command of ``ffprobe_json``: ffprobe's JSON report of ``path``."""
    return [
        find_tool("ffprobe"),
        "-v",
        "error",
        "-of",
        "json",
        "-show_format",
        "-show_streams",
        *extra,
        input_arg(path),
    ]


@dataclass(frozen=True)
class Captured:
    """What a finished ffmpeg or ffprobe printed: its output (bytes) and its stderr (text)."""

    stdout: bytes
    stderr: str


def capture(tool: str, args: Sequence[str], path: Path | None = None) -> Captured:
    """Run ``tool`` (``ffmpeg`` or ``ffprobe``) with ``args`` to the end, no input, and keep
    what it prints; ``path`` is the file it reads, named by the error.

    Raises:
        FfmpegError: it exited non-zero; the message carries its last stderr line, and
            ``stderr_tail`` all its stderr lines (those of a filter's report included).
    """
    argv = [find_tool(tool), *args]
    started = time.monotonic()
    proc = children.run(argv, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    stderr = proc.stderr.decode("utf-8", "replace")
    log.debug("%s %s: %.2f s", tool, path.name if path else "", time.monotonic() - started)
    if proc.returncode != 0:
        raise FfmpegError(argv, proc.returncode, stderr.splitlines(), path)
    return Captured(proc.stdout, stderr)


def last_line(error: FfmpegError, default: str) -> str:
    """The last line a failed ffmpeg or ffprobe printed on stderr (``default`` when none)."""
    return ("\n".join(error.stderr_tail).strip().splitlines() or [default])[-1]


def ffprobe_json(path: Path, shown: Path | None = None, *extra: str) -> dict[str, Any]:
    """ffprobe's JSON report of a file (format and streams).

    Raises:
        MediaError: ffprobe cannot read it (its last stderr line says why).
    """
    try:
        out = capture("ffprobe", ffprobe_argv(path, *extra)[1:], path)
    except FfmpegError as e:
        last = last_line(e, "unreadable").removeprefix(f"{input_arg(path)}: ")  # named already
        raise MediaError(
            [
                Problem(
                    shown or path,
                    None,
                    "",
                    f"not a readable media file (ffprobe: {last}; expected a complete video "
                    "file such as MP4, MOV or MKV)",
                )
            ]
        ) from e
    data: dict[str, Any] = json.loads(out.stdout.decode("utf-8", "replace"))
    return data


def rate(text: str | None) -> Fraction:
    """ffprobe's ``num/den`` rate as a fraction (0 when unknown)."""
    try:
        value = Fraction(text or "0")
    except (ValueError, ZeroDivisionError):
        return Fraction(0)
    return value
