"""What the command prints stays one line per item, however long its paths: scripts parse it."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.analysis.transcribe.jsonio import to_json
from pipeline.core.model import Segment, Span, Transcript, Word
from tests.conftest import run_cli


def _deep(tmp_path: Path) -> Path:
    folder = tmp_path.joinpath(*["a-rather-long-folder-name"] * 6)
    folder.mkdir(parents=True)
    return folder


def test_a_search_hit_is_one_line_under_a_long_path(tmp_path: Path) -> None:
    words = (Word(Span(1000, 1400), "we"), Word(Span(1450, 1900), "belong"))
    transcript = Transcript("en", (Segment(Span(1000, 1900), "we belong", words),))
    path = _deep(tmp_path) / "talk.transcript.json"
    path.write_text(to_json(transcript), encoding="utf-8")
    found = run_cli("search", "belong", path)
    assert found.returncode == 0, found.stderr
    assert re.search(
        rf"^{re.escape(str(path))}  00:00:01\.450 --> 00:00:01\.900$", found.stdout, re.M
    ), found.stdout


def test_an_error_about_a_long_path_is_one_line(tmp_path: Path) -> None:
    missing = _deep(tmp_path) / "missing-config-with-a-long-name.yaml"
    result = run_cli(missing)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert str(missing) in line


def test_help_lists_every_command() -> None:
    """`build-clip --help` names each command of the command table, with what it does."""
    from pipeline.cli.main import COMMANDS

    shown = run_cli("--help")
    assert shown.returncode == 0, shown.stderr
    for name in COMMANDS:
        assert re.search(rf"^  {name}\b.*\S\s{{2,}}\S", shown.stdout, re.M), (name, shown.stdout)
