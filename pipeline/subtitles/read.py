"""Read translators' subtitle files (SRT, WebVTT, ASS/SSA) into cues.

Our own SRT/WebVTT reader, because the libraries disagree and none checks timing
(standards.md B2): ``srt`` reads ``0:00:01,5`` as 1.005 s, webvtt-py drops a cue when a
blank line is missing, and all of them merge stray text into the previous cue. Here every
broken entry is an error with file and line, all collected before raising; nothing is
dropped or merged silently; markup other than ``<i>`` and ``{\\an8}`` is dropped with a
warning. The build refuses a file with any error (:func:`load_subtitles`); the check reads
past them (:func:`scan_subtitles`), so that it lints the readable cues and reports all.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import Problem, SubtitleError
from pipeline.core.model import Cue
from pipeline.subtitles.blocks import Collector
from pipeline.subtitles.decode import decode_bytes
from pipeline.subtitles.formats import VTT, sniff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubtitleFile:
    """A subtitle file as read: cues in file order, each with the line of its timing.

    Attributes:
        cues: the cues, text NFC-normalised, markup other than <i> and {\\an8} removed.
        lines: for each cue, the 1-based line of its timing line (None if unknown).
        warnings: what was dropped (markup, cue settings), one problem per kind.
        encoding: how the file was decoded (utf-8, utf-8-sig, utf-16-le, cp1256, ...).
        format: srt, vtt or ass (the name of its entry in pipeline/subtitles/formats.py).
        errors: every unreadable entry, by line; its cue is not in ``cues``. Only
            :func:`scan_subtitles` returns a file with errors.
    """

    path: Path
    cues: tuple[Cue, ...]
    lines: tuple[int | None, ...]
    warnings: tuple[Problem, ...] = ()
    encoding: str = "utf-8"
    format: str = "srt"
    errors: tuple[Problem, ...] = ()


def read_subtitles(path: Path) -> tuple[Cue, ...]:
    """The cues of an SRT, WebVTT or ASS/SSA file; what was dropped is logged as a warning.

    Raises:
        SubtitleError: every broken entry, each with file and line.
    """
    sub = load_subtitles(path)
    for warning in sub.warnings:
        log.warning("%s", warning)
    return sub.cues


def read_srt(path: Path) -> tuple[Cue, ...]:
    """Kept for callers written before WebVTT and ASS: same as :func:`read_subtitles`."""
    return read_subtitles(path)


def load_subtitles(path: Path) -> SubtitleFile:
    """Read and check a subtitle file, keeping lines and warnings (the format is sniffed).

    Raises:
        SubtitleError: unreadable, unaccepted encoding, binary, or broken entries (all of
            them, each with its line).
    """
    sub = scan_subtitles(path)
    if sub.errors:
        raise SubtitleError(sub.errors)
    return sub


def scan_subtitles(path: Path) -> SubtitleFile:
    """Read a subtitle file as far as it can be read: every broken entry is in ``errors``,
    with its line, and every readable cue in ``cues``. A file read again in the same run (by
    the plan, then by the lint) is parsed again only if its bytes changed.

    Raises:
        SubtitleError: the file cannot be read or decoded at all (missing, binary, an
            encoding that is not accepted).
    """
    try:
        data = path.read_bytes()
    except OSError as e:
        what = "no such file" if isinstance(e, FileNotFoundError) else f"cannot read ({e.strerror})"
        raise SubtitleError(
            [Problem(path, None, "", f"{what} (expected a readable SRT, WebVTT or ASS file)")]
        ) from None
    key = (path, hashlib.sha256(data).digest())
    if key not in _parsed:
        text, encoding = decode_bytes(path, data)
        _parsed[key] = scan_text(text, path, encoding)
    return _parsed[key]


_parsed: dict[tuple[Path, bytes], SubtitleFile] = {}


def parse_subtitles(text: str, path: Path, encoding: str = "utf-8") -> SubtitleFile:
    """Parse decoded text; ``path`` names the file in problems and picks the format.

    Raises:
        SubtitleError: every broken entry, each with its line.
    """
    sub = scan_text(text, path, encoding)
    if sub.errors:
        raise SubtitleError(sub.errors)
    return sub


def scan_text(text: str, path: Path, encoding: str = "utf-8") -> SubtitleFile:
    """Parse decoded text, keeping every readable cue and every broken entry (``errors``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    fmt = sniff(text, path)
    out = Collector(path, vtt=fmt is VTT)
    fmt.read(text, out)
    if not out.problems and not out.cues:
        out.error(None, f"has no cues (expected {fmt.name.upper()} subtitles)")
    errors = tuple(sorted(out.problems, key=lambda p: p.line or 0))
    return SubtitleFile(
        path, tuple(out.cues), tuple(out.lines), out.warnings(), encoding, fmt.name, errors
    )
