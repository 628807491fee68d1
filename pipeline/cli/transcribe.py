"""``build-clip transcribe MEDIA...``: a word-level transcript of each file, and subtitles."""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from pipeline.analysis.transcribe import TranscribeSettings, load_or_transcribe
from pipeline.analysis.transcribe.jsonio import to_json
from pipeline.analysis.transcribe.settings import ENGINES
from pipeline.cli.common import add_common_options
from pipeline.cli.display import audio_progress
from pipeline.core.errors import InputError, MediaError, problem
from pipeline.core.files import write_text
from pipeline.core.model import Transcript
from pipeline.subtitles.formats import SIDECARS
from pipeline.subtitles.segment import cues_from_words

FORMATS = ("json", "srt", "vtt", "txt")
DESCRIPTION = """\
Transcribe speech to words with times, offline, and write (next to each file, or in -o DIR):
  <stem>.transcript.json   segments and words (ms), language, engine, model and hashes
  <stem>.transcript.srt    subtitles built from the words (42 chars x 2 lines, 0.8-7 s)
  <stem>.transcript.vtt    the same as WebVTT
  <stem>.transcript.txt    the text, one segment a line

Transcripts are cached by content, engine, model and options: a second run is instant.
"""


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list of formats (expected some of: {','.join(FORMATS)})"
        )
    return chosen


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build-clip transcribe",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("media", nargs="+", type=Path, metavar="MEDIA", help="video or audio files")
    p.add_argument("--engine", choices=ENGINES, default="faster-whisper")
    p.add_argument(
        "--model",
        default="base",
        metavar="NAME|FOLDER",
        help="a model from `build-clip models`, a model folder, or a hub id (default: base)",
    )
    p.add_argument(
        "--language",
        default="auto",
        metavar="xx|auto",
        help="ISO 639-1 code of the speech, or auto to detect it (default: auto)",
    )
    p.add_argument(
        "--task",
        choices=("transcribe", "translate"),
        default="transcribe",
        help="translate: English text from speech in any language",
    )
    p.add_argument("-o", "--output", type=Path, metavar="DIR", help="where to write the files")
    p.add_argument(
        "--format",
        type=_formats,
        default=FORMATS,
        metavar="LIST",
        help="comma-separated: json,srt,vtt,txt (default: all)",
    )
    p.add_argument("--force", action="store_true", help="transcribe again, ignoring the cache")
    add_common_options(p)
    return p


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    settings = TranscribeSettings(
        engine=args.engine, model=args.model, language=args.language, task=args.task
    )
    missing = [
        problem("no such file (expected a video or audio file)", m)
        for m in args.media
        if not m.is_file()
    ]
    if missing:
        raise MediaError(missing)
    for media in args.media:
        began = time.monotonic()
        transcript = _transcribe(media, settings, args.force, err, args.quiet)
        written = write_outputs(media, transcript, args.output or media.parent, args.format)
        if not args.quiet:
            seconds = time.monotonic() - began
            out.print(
                f"{media}: {len(transcript.words)} words, language {transcript.language} "
                f"({transcript.language_probability:.2f}), {seconds:.1f} s -> "
                f"{', '.join(str(p) for p in written)}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
    return 0


def _transcribe(
    media: Path, settings: TranscribeSettings, force: bool, err: Console, quiet: bool
) -> Transcript:
    """Transcribe one file with a progress bar counted in seconds of audio."""
    with audio_progress(err, quiet, media.name) as report:
        return load_or_transcribe(media, settings, report, force)


def output_stem(media: Path, folder: Path) -> Path:
    return folder / f"{media.stem}.transcript"


def write_outputs(
    media: Path, transcript: Transcript, folder: Path, formats: tuple[str, ...]
) -> list[Path]:
    """Write the chosen files atomically; never over the media file itself."""
    stem = output_stem(media, folder)
    paths = [stem.with_name(f"{stem.name}.{fmt}") for fmt in formats]
    clash = [p for p in paths if p.exists() and p.resolve() == media.resolve()]
    if clash:
        raise InputError([problem("would be overwritten by its own transcript", media)])
    language = "en" if _options(transcript).get("task") == "translate" else transcript.language
    cues = cues_from_words(transcript.words, language, end_ms=transcript.duration_ms or None)
    texts: dict[str, Callable[[], str]] = {
        "json": lambda: to_json(transcript, media.name),
        **{f.name: functools.partial(f.text, cues) for f in SIDECARS},
        "txt": lambda: "".join(s.text + "\n" for s in transcript.segments),
    }
    for fmt, path in zip(formats, paths, strict=True):
        write_text(path, texts[fmt]())
    return paths


def _options(transcript: Transcript) -> dict[str, object]:
    return dict(transcript.provenance.options) if transcript.provenance else {}
