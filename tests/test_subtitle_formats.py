"""The one table of subtitle formats (pipeline/subtitles/formats.py): lookups by name, by
path and by content, and each entry's reader and writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.model import Cue, Span
from pipeline.subtitles.formats import (
    ASS,
    FORMATS,
    SIDECARS,
    SRT,
    VTT,
    SubtitleFormat,
    by_name,
    by_path,
    sniff,
)
from pipeline.subtitles.read import parse_subtitles

CUES = (Cue(Span(0, 1500), "Hello"), Cue(Span(2000, 3000), "there"))


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.srt", SRT),
        ("a.fr.vtt", VTT),
        ("A.VTT", VTT),
        ("a.ass", ASS),
        ("a.SSA", ASS),
        ("a.txt", SRT),
        ("no_suffix", SRT),
    ],
)
def test_by_path_reads_the_suffix_in_any_case(name: str, fmt: SubtitleFormat) -> None:
    assert by_path(Path(name)) is fmt


def test_every_suffix_names_one_format() -> None:
    suffixes = [s for f in FORMATS.values() for s in f.suffixes]
    assert len(suffixes) == len(set(suffixes))
    assert [f.suffix for f in SIDECARS] == [".srt", ".vtt"]
    assert by_name("vtt") is VTT
    with pytest.raises(KeyError):
        by_name("sub")


@pytest.mark.parametrize(
    ("text", "name", "fmt"),
    [
        ("WEBVTT\n\n", "named.srt", VTT),
        ("\n  WEBVTT - a title\n", "x.ass", VTT),
        ("webvtt\n", "x.srt", SRT),  # the marker is upper case (as before the table)
        ("[Script Info]\n", "x.srt", ASS),
        ("[SCRIPT INFO]\n", "x.vtt", ASS),
        ("1\n00:00:00,000 --> 00:00:01,000\nHi\n", "x.vtt", VTT),  # no marker: the name
        ("1\n", "x.txt", SRT),
    ],
)
def test_sniff_trusts_the_first_line_then_the_name(
    text: str, name: str, fmt: SubtitleFormat
) -> None:
    assert sniff(text, Path(name)) is fmt


@pytest.mark.parametrize("fmt", SIDECARS)
def test_each_sidecar_format_reads_back_what_it_writes(fmt: SubtitleFormat, tmp_path: Path) -> None:
    assert fmt in (SRT, VTT)
    text = fmt.text(CUES)
    path = tmp_path / f"x{fmt.suffix}"
    sub = parse_subtitles(text, path)
    assert sub.cues == CUES
    assert sub.format == fmt.name


def test_ass_is_written_only_with_a_style() -> None:
    with pytest.raises(ValueError, match="with a style"):
        ASS.text(CUES)
