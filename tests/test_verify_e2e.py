"""A clip that proves what it says, end to end: `build-clip CONFIG --verify` on the sample
interview (real flite speech), heard again by faster-whisper base."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.stamps import cache_root, file_sha256
from tests.conftest import run_cli, write

pytestmark = [pytest.mark.slow, pytest.mark.ffmpeg, pytest.mark.xdist_group("sample")]

# Two whole sentences: "I wanted to belong somewhere, ... welcome." and "They promised ... lies."
TWO_CUTS = """\
      - {source: interview, start: "00:00:16.500", end: "00:00:22.500"}
      - {source: interview, start: "00:01:13.300", end: "00:01:17.500"}
"""
# The second cut ends just past the middle of "somewhere," (18.184-18.884 s in the source's
# transcript), so the word is kept but half of it is cut off.
HALF_WORD = """\
      - {source: interview, start: "00:01:13.300", end: "00:01:17.500"}
      - {source: interview, start: "00:00:16.500", end: "00:00:18.550", snap: none}
"""


def config(folder: Path, interview: Path, cuts: str, extra: str = "") -> Path:
    return write(
        folder / "verify.yaml",
        f"""\
version: 1
output: out
sources:
  interview: {interview}
transcription: {{engine: faster-whisper, model: base, language: en}}
clips:
  heard:
    cuts:
{cuts}
    subtitles: {{burn: [en, nosubs], languages: {{en: transcript}}}}
renditions:
  small: {{size: 640x360, preset: ultrafast}}
  square: {{size: 360x360, preset: ultrafast}}
{extra}""",
    )


def verification(folder: Path) -> list[dict[str, Any]]:
    manifest = json.loads((folder / "out/heard/heard.manifest.json").read_text(encoding="utf-8"))
    return [cut.get("verification") for cut in manifest["cuts"]]


def mp4s(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "out/heard").glob("*.mp4"))


def cache_of_source(folder: Path, source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point build-clip at a new cache that knows only ``source``'s transcripts (and shares
    the assembled models), so that the outputs are heard afresh whatever earlier runs left."""
    old, new = cache_root(), folder / "cache"
    (new / "transcripts").mkdir(parents=True)
    (new / "models").symlink_to(old / "models")
    sha = file_sha256(source)
    for entry in (old / "transcripts").rglob("*.json"):
        if json.loads(entry.read_text(encoding="utf-8"))["media"]["sha256"] == sha:
            to = new / entry.relative_to(old)
            to.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry, to)
    monkeypatch.setenv("BUILD_CLIP_CACHE", str(new))


def test_a_clip_of_two_cuts_is_heard_as_planned(
    tmp_path: Path, interview: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config(tmp_path, interview, TWO_CUTS)
    result = run_cli(path)  # without verification first: nothing is heard again
    assert result.returncode == 0, result.stderr
    assert verification(tmp_path) == [None, None]

    cache_of_source(tmp_path, interview, monkeypatch)
    result = run_cli(path, "--verify", "-v")  # the verification is one of the outputs' inputs
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built 4 video(s), 0 up to date"), result.stdout
    assert result.stderr.count("VAD kept") == 1, result.stderr  # 4 outputs, heard once
    first, second = verification(tmp_path)
    assert first["status"] == second["status"] == "ok", (first, second)
    assert first["first"]["word"] == "I" and first["last"]["word"] == "welcome."
    assert second["first"]["word"] == "They" and second["last"]["word"] == "lies."
    for cut in (first, second):
        for edge in ("first", "last"):
            planned, heard = cut[edge]["planned"], cut[edge]["heard"]
            # Heard in full: at most 0.3 s of the word's time missing (Whisper may stretch
            # an edge word over the pause beside it).
            assert heard["start_ms"] <= planned["start_ms"] + 300, cut
            assert heard["end_ms"] >= planned["end_ms"] - 300, cut
        assert cut["share_heard"] >= 0.75 and cut["redacted_heard"] == []
    # The second cut follows the first on the clip: its words were moved to clip time.
    assert second["first"]["planned"]["start_ms"] > first["last"]["planned"]["end_ms"]

    again = run_cli(path, "--verify", "--strict")  # up to date: nothing rendered or heard
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("built 0 video(s), 4 up to date"), again.stdout
    assert verification(tmp_path) == [first, second]


def test_a_word_cut_in_half_fails_the_verification(tmp_path: Path, interview: Path) -> None:
    path = config(tmp_path, interview, HALF_WORD, "verify: words\n")
    result = run_cli(path)  # verify: words in the config; without --strict, a warning
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "cut 2:" in line]
    assert len(warnings) == 4, result.stderr  # one per output: they all say the same
    assert "its last word 'somewhere' is not heard in full with its end at" in warnings[0]
    assert warnings[0].endswith("(the output is kept; --strict fails the build)")
    assert len(mp4s(tmp_path)) == 4
    first, second = verification(tmp_path)
    assert first["status"] == "ok", first
    assert second["status"] == "failed" and second["last"]["heard"] is None, second
    assert second["last"]["word"] == "somewhere"


def test_strict_fails_the_build_and_keeps_no_output(tmp_path: Path, interview: Path) -> None:
    result = run_cli(config(tmp_path, interview, HALF_WORD), "--verify", "--strict")
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors, result.stderr
    assert all(": cut 2: its last word 'somewhere' is not heard in full" in e for e in errors)
    assert errors[0].startswith(f"error: {tmp_path}/out/heard/heard.")
    assert mp4s(tmp_path) == []
    assert not list((tmp_path / "out/heard").glob(".*partial*"))
    assert verification(tmp_path)[1]["status"] == "failed"


def test_a_bleeped_name_is_not_heard(tmp_path: Path, interview: Path) -> None:
    # "A man called Haris started talking to me online": the transcript hears the name as
    # "Harry", the word a redaction names; it is bleeped, so it must not be heard again.
    cuts = '      - {source: interview, start: "00:00:22.600", end: "00:00:25.800"}\n'
    redact = "redact:\n  - {source: interview, words: [Harry], audio: bleep}\n"
    result = run_cli(config(tmp_path, interview, cuts, redact), "--verify", "--strict")
    assert result.returncode == 0, result.stderr
    [cut] = verification(tmp_path)
    assert cut["status"] == "ok", cut
    assert cut["redacted_heard"] == []
    manifest = json.loads((tmp_path / "out/heard/heard.manifest.json").read_text("utf-8"))
    inputs = manifest["outputs"]["heard.small.en.mp4"]["inputs"]
    assert inputs["verify"]["redacted"] == ["[removed]"]  # the shareable manifest names no one
    [private] = (tmp_path / ".build-clip/private").glob("*/heard.manifest.json")  # not shared
    record = json.loads(private.read_text("utf-8"))
    assert record["outputs"]["heard.small.en.mp4"]["inputs"]["verify"]["redacted"] == ["Harry"]
