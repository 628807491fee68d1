"""The last check of a build: nothing under the output folder says a redacted term.

Every file a build leaves there is read back -- text files (JSON, HTML, SRT, WebVTT, XML,
OTIO, EDL ...) as UTF-8, MP4s through ffprobe (container, stream and chapter tags) and ffmpeg
(every subtitle track as SRT) -- and searched with the one matcher (pipeline/core/redaction.py) in
the forms of every language, file names included. What cannot be read is a finding too: a
file that cannot be checked cannot be shared. Like pipeline/verify/privacy.py it reports, and the
build fails; the offending files are moved out of the output folder (``quarantine``).

The matching is pure (``find``); only ``texts_of`` and ``quarantine`` touch files.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import FfmpegError, PipelineError
from pipeline.core.ffmpeg import capture, ffprobe_json, input_arg, last_line
from pipeline.core.redaction import Matcher

MEDIA = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".m4a", ".webm"})
IMAGES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"})
_MARKUP_CHARS = re.compile(r"[<>{}\"\\]")  # tags and JSON punctuation, set apart as spaces


@dataclass(frozen=True)
class Leak:
    """A redacted term found in a file under the output folder: ``file``, ``where`` in it."""

    file: Path
    where: str
    term: str | None  # None: the file could not be read, so it was not checked

    def line(self) -> str:
        said = "" if self.term is None else f": says the redacted term {self.term!r}"
        return f"{self.file}: {self.where}{said}"


def _json_strings(text: str) -> str | None:
    """Every string (and key) of a JSON document, one a line: escapes (``\\u0048``) decoded."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    out: list[str] = []
    todo = [data]
    while todo:
        value = todo.pop()
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            out += [str(k) for k in value]
            todo += list(value.values())
        elif isinstance(value, list):
            todo += value
    return "\n".join(out)


def views(text: str) -> list[tuple[str, bool]]:
    """The ways a text can be read, each with whether its offsets are the text's own: as it
    is (markup inside a word set aside by the matcher), with tag and JSON punctuation as
    spaces (so that "<td>Ali</td><td>Haris</td>" is two words), with HTML entities decoded,
    and as the strings of a JSON document."""
    spaced = _MARKUP_CHARS.sub(" ", text)
    out = [(text, True), (spaced, True)]
    unescaped = html.unescape(spaced)
    if unescaped != spaced:
        out.append((unescaped, False))
    strings = _json_strings(text)
    if strings is not None:
        out.append((strings, False))
    return out


def find(matcher: Matcher, text: str) -> list[tuple[int | None, str]]:
    """(line number or None, term) of each term found in ``text``, once per line and term."""
    found: dict[tuple[int | None, str], None] = {}
    for view, own in views(text):
        for hit in matcher.find(view, None):
            line = text.count("\n", 0, hit.start) + 1 if own else None
            found.setdefault((line, hit.term), None)
    lines = {term for line, term in found if line is not None}
    # A term found with a line number needs no second report from a decoded view.
    return [(line, term) for line, term in found if line is not None or term not in lines]


def scan_text(matcher: Matcher, path: Path, where: str, text: str) -> list[Leak]:
    return [
        Leak(path, f"{where}{'' if line is None else f' line {line}'}".strip() or "text", term)
        for line, term in find(matcher, text)
    ]


def _media_texts(path: Path) -> Iterator[tuple[str, str]]:
    """Every tag (container, streams, chapters) and every subtitle track of a media file."""
    probe = ffprobe_json(path, None, "-show_chapters")
    for key, value in (probe.get("format", {}).get("tags") or {}).items():
        yield f"container tag {key}", f"{key}\n{value}"
    tracks = 0
    for s in probe.get("streams", []):
        kind, index = s.get("codec_type", "?"), s.get("index", "?")
        for key, value in (s.get("tags") or {}).items():
            yield f"{kind} stream {index} tag {key}", f"{key}\n{value}"
        if kind == "subtitle":
            yield f"subtitle track {tracks}", _subtitle_text(path, tracks)
            tracks += 1
    for k, chapter in enumerate(probe.get("chapters", [])):
        for key, value in (chapter.get("tags") or {}).items():
            yield f"chapter {k} tag {key}", f"{key}\n{value}"


def _subtitle_text(path: Path, track: int) -> str:
    args = ["-nostdin", "-v", "error", "-i", input_arg(path)]
    args += ["-map", f"0:s:{track}", "-f", "srt", "-"]
    try:
        out = capture("ffmpeg", args, path)
    except FfmpegError as e:  # an OSError: the track is reported as not checked
        raise OSError(f"ffmpeg could not read subtitle track {track} ({last_line(e, '?')})") from e
    return out.stdout.decode("utf-8", errors="replace")


def texts_of(path: Path) -> Iterator[tuple[str, str]]:
    """(where, text) of everything a file says: a media file's tags and subtitle tracks, a
    text file's text; nothing for an image. Raises OSError, PipelineError or
    UnicodeDecodeError for a file that cannot be read as what it is."""
    suffix = path.suffix.lower()
    if suffix in MEDIA:
        yield from _media_texts(path)
    elif suffix not in IMAGES:
        yield "", path.read_bytes().decode("utf-8-sig")


def scan_files(matcher: Matcher, root: Path, files: Iterable[Path]) -> list[Leak]:
    """Every leak in ``files`` (under ``root``): in their names below ``root``, in what they
    say; a file that cannot be read is reported as not checked (it is not shared either)."""
    leaks: list[Leak] = []
    for path in files:
        leaks += scan_text(matcher, path, "file name", str(path.relative_to(root)))
        try:
            for where, text in texts_of(path):
                leaks += scan_text(matcher, path, where, text)
        except (OSError, PipelineError, UnicodeDecodeError) as e:
            leaks.append(Leak(path, f"could not be checked ({_reason(e)})", None))
    return leaks


def _reason(e: Exception) -> str:
    if isinstance(e, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(e).splitlines()[0] if str(e) else type(e).__name__


def written(folder: Path, recursive: bool = True) -> list[Path]:
    """The files of a folder (temp files of renders still running left out)."""
    found = folder.rglob("*") if recursive else folder.glob("*")
    return sorted(p for p in found if p.is_file() and ".partial" not in p.name)


def quarantine(root: Path, leaks: Iterable[Leak], into: Path) -> list[Path]:
    """Move every file with a leak from under ``root`` to the same place under ``into``
    (outside the output folder, never shared); return where each went."""
    moved = []
    for path in sorted({leak.file for leak in leaks}):
        if not path.exists():
            continue
        target = into / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target)
        moved.append(target)
    return moved
