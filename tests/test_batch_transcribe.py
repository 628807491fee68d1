"""A source used by many configs is transcribed once, even by parallel workers (the cache lock).

The engine is replaced by a slow stand-in that counts its calls, so the test needs no model.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from pipeline.core.model import Segment, Span, Transcript, Word
from pipeline.run.batch import Options, run_batch
from pipeline.run.pools import LocalPool
from tests.conftest import write

pytestmark = [pytest.mark.ffmpeg]


def transcribed(folder: Path, name: str, source: Path) -> Path:
    """A config whose one clip burns English subtitles made from the source's transcript."""
    return write(
        folder / f"{name}.yaml",
        f"""\
version: 1
output: out
sources:
  s: {source}
transcription: {{language: en}}
clips:
  {name}:
    cuts: [{{source: s, start: 0, end: 2}}]
    subtitles: {{burn: en, languages: {{en: transcript}}}}
renditions:
  land: {{size: 160x90, preset: ultrafast}}
""",
    )


def test_shared_source_is_transcribed_once_by_parallel_workers(
    tmp_path: Path, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.analysis.transcribe import run
    from pipeline.analysis.transcribe.models import Model

    monkeypatch.setenv("BUILD_CLIP_CACHE", str(tmp_path / "cache"))
    calls: list[str] = []
    lock = threading.Lock()

    def slow_engine(media: Path, *_: object) -> Transcript:
        with lock:
            calls.append(media.name)
        time.sleep(1.0)  # long enough for the other worker to reach the cache too
        words = (Word(Span(200, 600), "Hello"), Word(Span(700, 1400), "there."))
        return Transcript("en", (Segment(Span(200, 1400), "Hello there.", words),), 1.0, 8000)

    monkeypatch.setattr(run, "transcribe", slow_engine)
    monkeypatch.setattr(run, "model_for", lambda _: Model("fake", tmp_path, "0" * 64))
    configs = [transcribed(tmp_path, name, small) for name in ("first", "second", "third")]
    summary = run_batch(configs, Options(dry_run=True), LocalPool(3))
    assert calls == ["small.mp4"]
    assert [(r.output.name if r.output else None, r.status, r.detail) for r in summary.rows] == [
        (f"{name}.land.en.mp4", "would build", "not built yet")
        for name in ("first", "second", "third")
    ]
