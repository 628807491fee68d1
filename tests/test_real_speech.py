"""The words on screen are the words spoken, on real recorded speech (not synthetic).

The recording is John F. Kennedy's inaugural address (1961; a US government work, public
domain), fetched pinned by package version and sha256 (scripts/fetch_speech.py). Whisper
base times its words roughly here: "ask" starts 0.5 s early (it swallows the pause before
it) and "what" runs 1 s over the pause after it into "your". The truth is where ffmpeg's
silencedetect finds the pauses.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.edit.quotes import tokens
from tests.conftest import run_cli, write

pytestmark = [pytest.mark.slow, pytest.mark.ffmpeg, pytest.mark.xdist_group("jfk")]

ROOT = Path(__file__).resolve().parent.parent


def recording(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A recording under a still picture, as an MP4 (the recording is cached per user)."""
    fetch = [sys.executable, str(ROOT / "scripts/fetch_speech.py"), "--name", name]
    done = subprocess.run(fetch, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    wav = Path(done.stdout.strip())
    out = tmp_path_factory.mktemp(name) / f"{name}.mp4"
    subprocess.run(
        [
            "ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi",
            "-i", "color=c=0x203040:s=320x240:r=25", "-i", str(wav), "-shortest",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "192k", str(out),
        ],
        check=True,
    )  # fmt: skip
    return out


@pytest.fixture(scope="session")
def jfk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """JFK's "ask not what your country can do for you" (11 s)."""
    return recording(tmp_path_factory, "jfk")


@pytest.fixture(scope="session")
def sonnet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LibriVox reading of Shakespeare's Sonnet I (53 s): Whisper base gives
    "self-substantial" in two pieces, " self" and "-substantial"."""
    return recording(tmp_path_factory, "sonnet")


def silences(path: Path) -> list[tuple[int, int]]:
    """The pauses of a recording (ms), by silencedetect at -30 dB, 0.15 s or longer."""
    argv = ["ffmpeg", "-nostdin", "-i", str(path), "-af", "silencedetect=n=-30dB:d=0.15"]
    text = subprocess.run([*argv, "-f", "null", "-"], capture_output=True, text=True).stderr
    starts = re.findall(r"silence_start: ([\d.]+)", text)
    ends = re.findall(r"silence_end: ([\d.]+)", text)
    return [
        (round(float(a) * 1000), round(float(b) * 1000)) for a, b in zip(starts, ends, strict=False)
    ]


def in_a_pause(ms: int, pauses: list[tuple[int, int]]) -> bool:
    return any(a <= ms <= b for a, b in pauses)


CUTS = """\
      - {source: jfk, quote: "And so my"}
      - {source: jfk, quote: "fellow Americans"}
      - {source: jfk, quote: "ask not what your country can do for you"}
      - {source: jfk, start: "8.0", end: "10.9"}
"""
EDGE = """\
      - {source: jfk, quote: "ask not what"}
"""
COUNTRY_ENDS_MS = 10_400  # the last word's sound, read off the waveform
SAID = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


def config(folder: Path, media: Path, cuts: str, edge: str = EDGE) -> Path:
    return write(
        folder / "jfk.yaml",
        f"""\
version: 1
output: out
sources:
  jfk: {media}
transcription: {{language: en}}
clips:
  ask:
    cuts:
{cuts}
    subtitles: {{burn: en, languages: {{en: transcript}}}}
  edge:
    cuts:
{edge}
    subtitles: {{burn: en, languages: {{en: transcript}}}}
renditions:
  small: {{size: 320x240, preset: ultrafast}}
""",
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, jfk: Path) -> Path:
    folder = tmp_path_factory.mktemp("ask")
    result = run_cli(config(folder, jfk, CUTS))
    assert result.returncode == 0, result.stderr
    return folder / "out"


def test_every_cut_edge_lies_in_a_pause_or_joins_the_next_cut(built: Path, jfk: Path) -> None:
    manifest = json.loads((built / "ask/ask.manifest.json").read_text(encoding="utf-8"))
    spans = [(c["source_span"]["start_ms"], c["source_span"]["end_ms"]) for c in manifest["cuts"]]
    pauses = silences(jfk)
    # "And so my" and "fellow Americans" are said without a pause: one joint, no sound twice.
    assert spans[0][1] == spans[1][0]
    for k, (start, end) in enumerate(spans):
        if k != 1:
            assert in_a_pause(start, pauses) or start == 0, (k, start, pauses)
        if k not in (0, 3):
            assert in_a_pause(end, pauses), (k, end, pauses)
    # The speech ends in crowd noise (no pause at -30 dB): "country" ends at about 10.4 s.
    assert spans[3][1] >= COUNTRY_ENDS_MS
    # Whisper's "ask" starts 0.5 s early, in the pause: the cut starts close to the sound.
    ask = next(b for a, b in pauses if a <= spans[2][0] <= b)
    assert ask - spans[2][0] <= 200
    # Whisper's "what" runs 1.1 s over the pause after it and touches "your": the cut of
    # "ask not what" ends in that pause, before "your" is said (at about 5.42 s).
    edge = json.loads((built / "edge/edge.manifest.json").read_text(encoding="utf-8"))
    [(_, end)] = [(c["source_span"]["start_ms"], c["source_span"]["end_ms"]) for c in edge["cuts"]]
    your = next(b for a, b in pauses if a < end <= b)
    assert end < your


def test_the_clip_says_exactly_the_words_of_its_cuts(built: Path, tmp_path: Path) -> None:
    """An independent transcription of the output: every word in full, no fragment of a
    neighbouring word at any edge, nothing said twice."""
    clip = built / "ask/ask.small.en.mp4"
    result = run_cli("transcribe", clip, "-o", tmp_path, "--format", "json", "--language", "en")
    assert result.returncode == 0, result.stderr
    doc = json.loads((tmp_path / "ask.small.en.transcript.json").read_text(encoding="utf-8"))
    heard = tokens(" ".join(s["text"] for s in doc["segments"]))
    assert heard == tokens(SAID)


def test_a_quote_with_a_misheard_edge_word_is_an_error(tmp_path: Path, jfk: Path) -> None:
    cuts = '      - {source: jfk, quote: "asked not what your country can do for you"}\n'
    result = run_cli(config(tmp_path, jfk, cuts))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "'asked not what your country can do for you' is not said in source 'jfk'" in line
    assert "nearest: 00:00:0" in line and "ask not what your country can do for you" in line
    assert not (tmp_path / "out").exists()


def test_word_pieces_are_one_word_everywhere(tmp_path: Path, sonnet: Path) -> None:
    """Whisper's " self" + "-substantial" is one word in the transcript, the subtitles, the
    sidecars, the manifest and search, and no cut lands between the pieces."""
    result = run_cli("transcribe", sonnet, "-o", tmp_path, "--format", "json", "--language", "en")
    assert result.returncode == 0, result.stderr
    doc = json.loads((tmp_path / "sonnet.transcript.json").read_text(encoding="utf-8"))
    words = [w for s in doc["segments"] for w in s["words"]]
    [word] = [w for w in words if w["text"] == "self-substantial"]
    assert [p["text"] for p in word["pieces"]] == [" self", "-substantial"]  # provenance
    inside = (word["pieces"][0]["end_ms"] + 20) / 1000  # between the two pieces
    found = run_cli("search", "self-substantial fuel", sonnet)
    assert "[self-substantial fuel,]" in found.stdout, found.stdout
    cfg = write(
        tmp_path / "sonnet.yaml",
        f"""\
version: 1
output: out
sources:
  s: {sonnet}
transcription: {{language: en}}
clips:
  fuel:
    cuts:
      - {{source: s, quote: "with self-substantial fuel"}}
      - {{source: s, start: "{inside:.3f}", end: "{inside + 1.2:.3f}"}}
    subtitles: {{burn: en, languages: {{en: transcript}}}}
renditions:
  small: {{size: 320x240, preset: ultrafast}}
""",
    )
    result = run_cli(cfg)
    assert result.returncode == 0, result.stderr
    assert "starts inside the word 'self-substantial'" in result.stderr
    srt = (tmp_path / "out/fuel/fuel.en.srt").read_text(encoding="utf-8")
    assert srt.count("self-substantial") == 2 and "-substantial" not in srt.replace("self-", "")
    manifest = json.loads((tmp_path / "out/fuel/fuel.manifest.json").read_text(encoding="utf-8"))
    first, second = manifest["cuts"]
    assert first["text"] == "with self-substantial fuel,"
    assert second["text"].startswith("self-substantial")
    # The cut asked to start between the pieces starts before the first one is said (in the
    # pause before "self", which Whisper's start of the word swallowed).
    assert second["source_span"]["start_ms"] < word["pieces"][0]["end_ms"] - 200
