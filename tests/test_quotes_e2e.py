"""Editing by the words, end to end: quote cuts on the real transcript of the sample.

The clip built from quotes is transcribed again with the same model: each quote must be
heard in full, so no word was clipped at a cut.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.edit.quotes import tokens, tolerance
from tests.conftest import run_cli, write

pytestmark = [pytest.mark.slow, pytest.mark.ffmpeg, pytest.mark.xdist_group("sample")]

QUOTES = [
    "I wanted to belong somewhere",
    "but it was all lies",
    "please ask questions and talk to someone you trust",
]


def config(folder: Path, interview: Path, cuts: str) -> Path:
    return write(
        folder / "quotes.yaml",
        f"""\
version: 1
output: out
sources:
  interview: {interview}
transcription: {{language: en}}
clips:
  quotes:
    cuts:
{cuts}
    subtitles: {{burn: en, languages: {{en: transcript}}}}
renditions:
  small: {{size: 640x360, preset: ultrafast}}
""",
    )


def quote_cuts(*quotes: str, extra: str = "") -> str:
    return "".join(f'      - {{source: interview, quote: "{q}"{extra}}}\n' for q in quotes)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, interview: Path) -> Path:
    folder = tmp_path_factory.mktemp("quotes")
    result = run_cli(config(folder, interview, quote_cuts(*QUOTES)))
    assert result.returncode == 0, result.stderr
    return folder / "out" / "quotes"


def test_every_quote_is_heard_in_full_in_the_clip(built: Path, tmp_path: Path) -> None:
    clip = built / "quotes.small.en.mp4"
    result = run_cli("transcribe", clip, "-o", tmp_path, "--format", "json", "--language", "en")
    assert result.returncode == 0, result.stderr
    doc = json.loads((tmp_path / "quotes.small.en.transcript.json").read_text(encoding="utf-8"))
    heard = tokens(" ".join(s["text"] for s in doc["segments"]))
    for quote in QUOTES:
        q = tokens(quote)
        # Whisper may mishear a word inside a long quote out of context (the same tolerance
        # as quote matching), but the words at the cut edges must be there, in full.
        starts = [i for i in range(len(heard)) if heard[i : i + 2] == q[:2]]
        assert starts, (quote, heard)
        window = heard[starts[0] : starts[0] + len(q)]
        assert window[-2:] == q[-2:], (quote, heard)
        assert sum(a != b for a, b in zip(window, q, strict=True)) <= tolerance(len(q)), heard


def test_manifest_records_quote_words_and_context(built: Path) -> None:
    manifest = json.loads((built / "quotes.manifest.json").read_text(encoding="utf-8"))
    cut = manifest["cuts"][1]
    assert cut["quote"] == "but it was all lies"
    assert tokens(cut["text"]) == tokens("but it was all lies")
    assert "dignity and purpose" in cut["context_before"]
    assert "leaders" in cut["context_after"]
    # Snapped outwards from the words, never inwards.
    assert cut["source_span"]["start_ms"] < cut["requested"]["start_ms"]
    assert cut["source_span"]["end_ms"] > cut["requested"]["end_ms"]
    assert manifest["sources"]["interview"]["sha256"]


def test_subtitles_follow_the_cuts(built: Path) -> None:
    srt = (built / "quotes.en.srt").read_text(encoding="utf-8")
    assert "I wanted to belong somewhere" in srt and "all lies" in srt
    assert "welcome" not in srt  # words outside the cuts never show


def test_quote_not_found_shows_the_nearest_passages(tmp_path: Path, interview: Path) -> None:
    result = run_cli(config(tmp_path, interview, quote_cuts("it was all a lie from the start")))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(
        f"error: {tmp_path}/quotes.yaml:9: clips.quotes.cuts[0].quote: "
        "'it was all a lie from the start' is not said in source 'interview' "
        "(expected words from its transcript, the first and last exactly as heard; "
        "nearest: 00:01:"
    )
    assert "all lies" in line
    assert not (tmp_path / "out").exists()


def test_ambiguous_quote_lists_matches_until_one_is_chosen(tmp_path: Path, interview: Path) -> None:
    result = run_cli(config(tmp_path, interview, quote_cuts("I was")))
    assert result.returncode == 2
    assert "'I was' is said 5 times in source 'interview' (1: 00:00:" in result.stderr
    assert "(expected one: add near: TIMECODE or occurrence: N)" in result.stderr
    result = run_cli(
        config(tmp_path, interview, quote_cuts("I was", extra=", occurrence: 2")), "--dry-run"
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "quote",
    [
        "but it was all lie",  # the last word is not the one said
        "ut it was all lies",  # nor the first
        "banana but it was all lies",  # a made-up first word
        "it was all lies banana",  # a word too many at the end
    ],
)
def test_a_quote_with_a_wrong_edge_word_is_an_error(
    tmp_path: Path, interview: Path, quote: str
) -> None:
    """The edge words of a quote must be heard exactly: none is dropped or added silently."""
    result = run_cli(config(tmp_path, interview, quote_cuts(quote)))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert f"clips.quotes.cuts[0].quote: {quote!r} is not said in source 'interview'" in line
    assert not (tmp_path / "out").exists()


INSIDE = "please ask questions and walk to someone you trust"  # said: "... and talk to ..."


def test_a_difference_inside_a_quote_is_a_warning_in_build_and_check(
    tmp_path: Path, interview: Path
) -> None:
    cfg = config(tmp_path, interview, quote_cuts(INSIDE))
    warning = (
        f"clips.quotes.cuts[0].quote: the quote differs inside from what was heard: "
        f"written {INSIDE!r}, heard 'please ask questions and talk to someone you trust.' "
        "(- walk + talk)"
    )
    result = run_cli(cfg, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert warning in result.stderr
    result = run_cli("check", cfg)
    assert result.returncode == 0, result.stdout
    assert "the quote differs inside from what was heard" in result.stdout
    result = run_cli("check", "--format", "json", cfg)
    [found] = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "cuts"]
    assert found["severity"] == "warning" and found["line"] == 9
    assert found["message"] == warning
    assert run_cli("check", "--strict", cfg).returncode == 2


def test_check_reports_an_edge_inside_a_word_as_the_build_does(
    tmp_path: Path, interview: Path
) -> None:
    """A timecode edge inside a word: the build snaps it and warns; check says the same."""
    found = run_cli("search", "belong", interview)
    [start] = re.findall(r"  (\d\d):(\d\d):(\d\d\.\d\d\d) --> ", found.stdout)[:1]
    inside = int(start[0]) * 3600 + int(start[1]) * 60 + float(start[2]) + 0.15  # in "belong"
    cut = f'      - {{source: interview, start: "{inside:.3f}", end: "{inside + 2:.3f}"}}\n'
    cfg = config(tmp_path, interview, cut)
    result = run_cli(cfg, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "starts inside the word 'belong'" in result.stderr
    result = run_cli("check", "--format", "json", cfg)
    messages = [f["message"] for f in json.loads(result.stdout)["findings"] if f["rule"] == "cuts"]
    assert any("starts inside the word 'belong'" in m for m in messages), messages
