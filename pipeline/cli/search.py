"""``build-clip search PATTERN MEDIA_OR_TRANSCRIPT...``: find what was said, and where."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from rich.console import Console

from pipeline.cli.common import add_common_options
from pipeline.core.errors import InputError, problem
from pipeline.core.model import Transcript
from pipeline.core.timecode import format_ms
from pipeline.edit.search import search

DESCRIPTION = """\
Search the word-level transcripts of media files (transcribed through the cache when needed)
or of *.transcript.json files. Each hit is printed with its source, its time range and the
words around it, followed by a cut you can paste into a config.
"""


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build-clip search",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("pattern", help="words to find (case and punctuation ignored), or a regex")
    p.add_argument("files", nargs="+", type=Path, metavar="MEDIA_OR_TRANSCRIPT")
    p.add_argument("--regex", action="store_true", help="PATTERN is a regular expression")
    p.add_argument(
        "--context",
        type=int,
        default=8,
        metavar="N",
        help="words of context shown on each side (default 8)",
    )
    add_common_options(p)
    return p


def _transcript(path: Path) -> Transcript:
    if not path.is_file():
        raise InputError(
            [problem("no such file (expected a media file or a *.transcript.json)", path)]
        )
    if path.name.endswith(".json"):
        from pipeline.analysis.transcribe.jsonio import from_json

        try:
            return from_json(path.read_text(encoding="utf-8"))
        except (ValueError, KeyError, TypeError) as e:
            raise InputError([problem(f"not a transcript ({e})", path)]) from None
    from pipeline.analysis.transcribe import load_or_transcribe, settings_for

    return load_or_transcribe(path, settings_for(None))


def _source_id(path: Path) -> str:
    stem = path.name.removesuffix(".transcript.json").rsplit(".", 1)[0]
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") or "source"


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    if args.regex:
        try:
            re.compile(args.pattern)
        except re.error as e:
            message = f"{args.pattern!r} is not a regular expression ({e})"
            raise InputError([problem(message)]) from None
    total = 0
    for path in args.files:
        transcript = _transcript(path)
        hits = search(args.pattern, transcript.words, transcript.language, args.regex, args.context)
        total += len(hits)
        for hit in hits:
            span = f"{format_ms(hit.span.start_ms)} --> {format_ms(hit.span.end_ms)}"
            out.print(f"{path}  {span}", markup=False, highlight=False)
            out.print(
                f"  ...{hit.before} [{hit.text}] {hit.after}...",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            cut = (
                f'  - {{source: {_source_id(path)}, start: "{format_ms(hit.span.start_ms)}", '
                f'end: "{format_ms(hit.span.end_ms)}"}}'
            )
            out.print(cut, markup=False, highlight=False, soft_wrap=True)
    if not args.quiet:
        err.print(f"{total} hit(s) in {len(args.files)} file(s)", highlight=False)
    return 0 if total else 1
