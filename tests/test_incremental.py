"""Incremental builds: an output whose manifest records the same inputs is skipped, and
--dry-run says which input changed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline.publish.manifest import changed
from tests.conftest import make_media, run_cli, write

pytestmark = [pytest.mark.ffmpeg, pytest.mark.xdist_group("batch")]


def project(tmp: Path, source: Path) -> Path:
    """Two clips from one source: ``talk`` burns English subtitles, ``quiet`` has none; two
    renditions each."""
    write(tmp / "src.en.srt", "1\n00:00:00,200 --> 00:00:01,200\nHello\n")
    return write(
        tmp / "project.yaml",
        f"""\
version: 1
output: out
sources:
  src: {{file: {source}, subtitles: {{en: src.en.srt}}}}
clips:
  talk:
    cuts: [{{source: src, start: 0, end: 1.5}}]
    subtitles: {{burn: en, languages: {{en: source}}}}
  quiet:
    cuts: [{{source: src, start: 2, end: 3}}]
renditions:
  land: {{size: 160x90, preset: ultrafast}}
  tall: {{size: 90x160, preset: ultrafast}}
""",
    )


def plan_lines(cfg: Path, *extra: str) -> dict[str, str]:
    """``build-clip CONFIG --dry-run``: each MP4's file name -> what would happen to it."""
    result = run_cli(cfg, "--dry-run", *extra)
    assert result.returncode == 0, result.stderr
    lines = {}
    for line in result.stdout.splitlines():
        if line.startswith("up to date "):
            lines[Path(line.removeprefix("up to date ")).name] = "up to date"
        elif line.startswith("render "):
            path, _, why = line.removeprefix("render ").partition(" (")
            lines[Path(path).name] = why.partition("): ")[2]
    return lines


@pytest.fixture()
def built(tmp_path: Path, small: Path) -> Path:
    source = shutil.copy(small, tmp_path / "src.mp4")
    cfg = project(tmp_path, Path(source))
    result = run_cli(cfg)
    assert result.returncode == 0, result.stderr
    assert "built 4 video(s), 0 up to date" in result.stdout
    return cfg


def outputs(cfg: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in sorted((cfg.parent / "out").rglob("*.*"))}


def test_a_second_build_writes_nothing(built: Path) -> None:
    before = outputs(built)
    result = run_cli(built)
    assert result.returncode == 0, result.stderr
    assert "built 0 video(s), 4 up to date" in result.stdout
    assert outputs(built) == before  # no MP4, sidecar or manifest rewritten
    assert set(plan_lines(built).values()) == {"up to date"}


def test_a_changed_subtitle_file_rebuilds_only_what_burns_it(built: Path) -> None:
    write(built.parent / "src.en.srt", "1\n00:00:00,200 --> 00:00:01,300\nHello again\n")
    assert plan_lines(built) == {
        "talk.land.en.mp4": f"subtitle file '{built.parent}/src.en.srt' changed",
        "talk.tall.en.mp4": f"subtitle file '{built.parent}/src.en.srt' changed",
        "quiet.land.nosubs.mp4": "up to date",
        "quiet.tall.nosubs.mp4": "up to date",
    }
    quiet = outputs(built)["quiet.land.nosubs.mp4"]
    result = run_cli(built)
    assert "built 2 video(s), 2 up to date" in result.stdout
    assert outputs(built)["quiet.land.nosubs.mp4"] == quiet
    srt = (built.parent / "out/talk/talk.en.srt").read_text(encoding="utf-8")
    assert "Hello again" in srt


def test_a_changed_rendition_rebuilds_only_that_rendition(built: Path) -> None:
    text = built.read_text().replace(
        "tall: {size: 90x160, preset: ultrafast}",
        "tall: {size: 90x160, preset: ultrafast, crf: 30}",
    )
    built.write_text(text)
    lines = plan_lines(built)
    assert {k: v for k, v in lines.items() if v != "up to date"} == {
        "talk.tall.en.mp4": "rendition settings changed",
        "quiet.tall.nosubs.mp4": "rendition settings changed",
    }


def test_source_content_counts_not_its_timestamp(built: Path, media_dir: Path) -> None:
    source = built.parent / "src.mp4"
    os.utime(source, ns=(1, 1))  # touched, same bytes: still up to date
    assert set(plan_lines(built).values()) == {"up to date"}
    other = make_media(media_dir / "other-src.mp4", size="640x480", rate=30, seconds=8)
    shutil.copy(other, source)
    assert set(plan_lines(built).values()) == {"source 'src' changed"}


def test_force_missing_and_tampered_outputs(built: Path) -> None:
    out = built.parent / "out"
    (out / "talk/talk.land.en.mp4").unlink()
    with (out / "quiet/quiet.land.nosubs.mp4").open("ab") as f:
        f.write(b"\0")
    lines = plan_lines(built)
    assert lines["talk.land.en.mp4"] == "not built yet"
    assert lines["quiet.land.nosubs.mp4"] == "the output was changed since it was built"
    assert lines["talk.tall.en.mp4"] == "up to date"
    assert set(plan_lines(built, "--force").values()) == {"--force"}
    result = run_cli(built, "--force", "--clip", "quiet")
    assert "built 2 video(s), 0 up to date" in result.stdout


def test_batch_dry_run_lists_what_would_be_built_and_why(built: Path) -> None:
    write(built.parent / "src.en.srt", "1\n00:00:00,200 --> 00:00:01,300\nChanged\n")
    before = outputs(built)
    result = run_cli("batch", built, "--dry-run")
    assert result.returncode == 0, result.stderr
    rows = [line.split(None, 3) for line in result.stdout.splitlines()[1:5]]
    assert sorted((r[1], r[2], r[3].strip()) for r in rows) == [
        ("quiet.land.nosubs.mp4", "up", "to date"),
        ("quiet.tall.nosubs.mp4", "up", "to date"),
        (
            "talk.land.en.mp4",
            "would",
            f"build        subtitle file '{built.parent}/src.en.srt' changed",
        ),
        (
            "talk.tall.en.mp4",
            "would",
            f"build        subtitle file '{built.parent}/src.en.srt' changed",
        ),
    ]
    assert "0 built, 2 up to date, 2 would build, 0 failed" in result.stdout
    assert outputs(built) == before


def test_the_manifest_records_each_outputs_inputs(built: Path) -> None:
    data = json.loads((built.parent / "out/talk/talk.manifest.json").read_text(encoding="utf-8"))
    entry = data["outputs"]["talk.land.en.mp4"]
    inputs = entry["inputs"]
    assert set(inputs) == {
        "tool",
        "sources",
        "cuts",
        "timeline",
        "language",
        "subtitle_files",
        "cues",
        "rendition",
        "style",
        "transcription",
    }
    assert list(inputs["subtitle_files"]) == [str(built.parent / "src.en.srt")]
    assert len(entry["fingerprint"]) == 64 and len(entry["sha256"]) == 64


def test_changed_names_the_first_input_that_differs() -> None:
    old = {
        "tool": "0.1.0",
        "sources": {"a": "1", "b": "2"},
        "subtitle_files": {"x.srt": "3"},
        "cuts": "c",
        "timeline": "t",
        "language": {"en": "source"},
        "cues": "q",
        "rendition": "r",
        "style": "s",
        "transcription": {},
    }
    assert changed(old, {**old, "tool": "0.2.0"}) == "build-clip version changed (0.1.0 -> 0.2.0)"
    assert changed(old, {**old, "sources": {"a": "1"}}) == "source 'b' removed"
    assert changed(old, {**old, "subtitle_files": {}, "cues": "z"}) == (
        "subtitle file 'x.srt' removed"
    )
    assert changed(old, {**old, "cuts": "d"}) == "cuts changed"
    model = {"en": {"engine": "faster-whisper", "model": "small"}}
    assert changed(old, {**old, "transcription": model}) == (
        "transcription engine or model changed"
    )
