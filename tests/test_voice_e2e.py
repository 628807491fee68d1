"""Voice disguise heard end to end: `build-clip CONFIG` on the sample interview (flite
speech) renders one clip plain and one with ``voice: {disguise: N}``; the disguised one is
N semitones off in pitch, as long as the plain one, and Whisper still hears its words."""

from __future__ import annotations

import json
import math
import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pipeline.analysis.transcribe.checks import wer
from pipeline.analysis.transcribe.run import load_or_transcribe
from pipeline.analysis.transcribe.settings import settings_for
from pipeline.config.schema import TranscriptionSpec
from tests.conftest import probe, run_cli, write

pytestmark = [pytest.mark.slow, pytest.mark.ffmpeg, pytest.mark.xdist_group("sample")]

SEMITONES = -4
RATE = 16_000
# Cues 2-5 and 8-11 of the sample's SRT: whole sentences, about 33 s and 75 words.
CUTS = ((6.5, 22.5), (33.5, 50.5))
PITCH_TOLERANCE = 0.5  # semitones, on the median pitch of every voiced 40 ms frame
WER_MARGIN = 0.05  # the disguised clip's word error rate within 5 points of the plain one's


def config(folder: Path, interview: Path) -> Path:
    cuts = "".join(f"      - {{source: interview, start: {a}, end: {b}}}\n" for a, b in CUTS)
    return write(
        folder / "voice.yaml",
        f"""\
version: 1
output: out
sources:
  interview: {interview}
clips:
  plain:
    cuts:
{cuts}  disguised:
    cuts:
{cuts}    voice: {{disguise: {SEMITONES}}}
renditions:
  small: {{size: 320x180, preset: ultrafast}}
""",
    )


def decode(path: Path, spans: tuple[tuple[float, float], ...] = ()) -> np.ndarray[Any, Any]:
    """Mono 16 kHz samples of ``path``, or of its ``spans`` (seconds) end to end."""
    parts = []
    for start, end in spans or ((0.0, math.inf),):
        seek = ["-ss", str(start), "-t", str(end - start)] if end < math.inf else []
        raw = subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", *seek, "-i", str(path), "-map", "0:a:0",
             "-ac", "1", "-ar", str(RATE), "-f", "f32le", "-"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        parts.append(np.frombuffer(raw, np.float32))
    return np.concatenate(parts)


def median_pitch(samples: np.ndarray[Any, Any]) -> float:
    """The median fundamental frequency (Hz) of the voiced 40 ms frames, by autocorrelation:
    a frame is voiced when it is loud enough and repeats itself (a normalised peak over 0.6)
    at a lag between 70 and 400 Hz."""
    size, hop = RATE * 40 // 1000, RATE * 10 // 1000
    low, high = RATE // 400, RATE // 70
    loud = 0.1 * float(np.sqrt(np.mean(samples**2)))
    found = []
    for at in range(0, len(samples) - size, hop):
        frame = samples[at : at + size] - samples[at : at + size].mean()
        if float(np.sqrt(np.mean(frame**2))) < loud:
            continue
        corr = np.correlate(frame, frame, "full")[size - 1 :]
        corr = corr / (corr[0] + 1e-12)
        lag = low + int(np.argmax(corr[low:high]))
        if corr[lag] > 0.6:
            a, b, c = corr[lag - 1], corr[lag], corr[lag + 1]  # parabolic interpolation
            shift = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c else 0.0
            found.append(RATE / (lag + shift))
    assert len(found) > 200, "too few voiced frames to measure a pitch"
    return float(np.median(found))


def semitones(a: float, b: float) -> float:
    return 12 * math.log2(b / a)


def sync_lag_ms(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    """How late ``b``'s sound envelope is against ``a``'s (10 ms frames, +-200 ms)."""
    hop = RATE // 100
    n = min(len(a), len(b)) // hop
    x, y = (np.sqrt((s[: n * hop] ** 2).reshape(n, hop).sum(axis=1)) for s in (a, b))
    x, y = x - x.mean(), y - y.mean()

    def score(k: int) -> float:
        return float(np.dot(x[max(0, -k) : n - max(0, k)], y[max(0, k) : n - max(0, -k)]))

    return max(range(-20, 21), key=score) * 10.0


def reference(srt: Path) -> str:
    """The sample's own words inside the cuts (the SRT was made from the text it speaks)."""
    text = []
    for block in srt.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip().splitlines()
        if len(lines) < 3:
            continue
        h, m, s, ms = map(int, re.split(r"[:,]", lines[1].split(" --> ")[0]))
        start = h * 3600 + m * 60 + s + ms / 1000
        if any(a <= start < b for a, b in CUTS):
            text += lines[2:]
    return " ".join(text)


def heard(path: Path) -> str:
    spec = TranscriptionSpec(engine="faster-whisper", model="base", language="en")
    return " ".join(w.text for w in load_or_transcribe(path, settings_for(spec)).words)


def test_a_disguised_voice_is_shifted_in_sync_and_understood(
    tmp_path: Path, interview: Path
) -> None:
    result = run_cli(config(tmp_path, interview))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    plain, disguised = (out / f"{c}/{c}.small.nosubs.mp4" for c in ("plain", "disguised"))
    record = json.loads((out / "disguised/disguised.manifest.json").read_text(encoding="utf-8"))
    output = record["outputs"]["disguised.small.nosubs.mp4"]
    assert output["voice"] == {"interview": SEMITONES}
    assert output["inputs"]["voice"] == {"interview": SEMITONES}
    manifest = json.loads((out / "plain/plain.manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"]["plain.small.nosubs.mp4"]["voice"] is None
    assert "voice" not in manifest["outputs"]["plain.small.nosubs.mp4"]["inputs"]

    # (a) The pitch moved by N semitones; the plain render kept the source's.
    source_hz = median_pitch(decode(interview, CUTS))
    plain_audio, disguised_audio = decode(plain), decode(disguised)
    plain_hz, disguised_hz = median_pitch(plain_audio), median_pitch(disguised_audio)
    moved = semitones(plain_hz, disguised_hz)
    print(
        f"pitch: source {source_hz:.1f} Hz, plain {plain_hz:.1f} Hz, "
        f"disguised {disguised_hz:.1f} Hz ({moved:+.2f} st)"
    )
    assert abs(semitones(source_hz, plain_hz)) < PITCH_TOLERANCE
    assert abs(semitones(plain_hz, disguised_hz) - SEMITONES) < PITCH_TOLERANCE

    # (c) As long as the plain render, picture and sound, and the sound not moved in time.
    durations = []
    for path in (plain, disguised):
        streams = {s["codec_type"]: float(s["duration"]) for s in probe(path)["streams"]}
        durations.append(streams)
        assert abs(streams["audio"] - streams["video"]) < 0.05
    assert durations[0] == pytest.approx(durations[1], abs=0.001)
    assert abs(sync_lag_ms(plain_audio, disguised_audio)) <= 10

    # (b) Every word stays intelligible: Whisper hears about as many of them right.
    words = reference(interview.with_suffix(".en.srt"))
    plain_wer, disguised_wer = wer(words, heard(plain)), wer(words, heard(disguised))
    print(f"WER: plain {plain_wer:.3f}, disguised {disguised_wer:.3f} ({len(words.split())} words)")
    assert disguised_wer <= plain_wer + WER_MARGIN
