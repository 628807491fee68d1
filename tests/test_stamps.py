"""What build-clip remembers about a file: kept by its identity, forgotten when it changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.analysis import media
from pipeline.core import stamps
from tests.conftest import need_ffmpeg
from tests.media import ffmpeg

pytestmark = pytest.mark.ffmpeg


def make(path: Path, size: str) -> Path:
    video = f"color=size={size}:rate=25:duration=1"
    ffmpeg("-f", "lavfi", "-i", video, "-f", "lavfi", "-i", "sine=duration=1", path)
    return path


def test_a_source_is_probed_once_per_change(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    need_ffmpeg()
    monkeypatch.setenv("BUILD_CLIP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(stamps, "_known", {})
    source = make(tmp_path / "a.mp4", "320x180")
    calls: list[Path] = []
    real = media.ffprobe_json

    def counted(path: Path, *args: Any) -> dict[str, Any]:
        calls.append(path)
        return real(path, *args)

    monkeypatch.setattr(media, "ffprobe_json", counted)
    first = media.probe(source)
    assert (first.width, first.height, len(calls)) == (320, 180, 1)
    assert media.probe(source) == first and len(calls) == 1  # later in the same run
    monkeypatch.setattr(stamps, "_known", {})  # the next run: the cache folder answers
    assert media.probe(source) == first and len(calls) == 1
    make(source, "640x360")  # the file changes under the same name
    assert media.probe(source).width == 640 and len(calls) == 2


def test_an_unwritable_cache_only_costs_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("BUILD_CLIP_CACHE", str(blocker / "cache"))
    monkeypatch.setattr(stamps, "_known", {})
    data = tmp_path / "data.bin"
    data.write_bytes(b"abc")
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert stamps.file_sha256(data) == expected
    assert not (blocker / "cache").exists()
