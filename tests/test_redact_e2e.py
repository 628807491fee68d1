"""Redaction without leaks (issue 15), end to end through `build-clip` on flite speech heard by
faster-whisper base: a two-word name and its possessive bleeped whole, every language's forms
gone from every sidecar, soft track and card, and `build-clip check` counting the places."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from pipeline.config.load import load
from pipeline.core.redaction import Matcher, Term
from pipeline.prepare.plan import plan_build
from tests.conftest import need_ffmpeg, run_cli, write
from tests.test_finishing import SR, assert_only_tone, manifest, pcm, soft_tracks

pytestmark = [pytest.mark.slow, pytest.mark.ffmpeg, pytest.mark.xdist_group("redact")]

SAID = ("Yesterday I met John Smith and John Smith's brother in the city.",
        "Then we drove to the border at night.")  # fmt: skip
# Source time: sentence 1 from 0 s (Whisper: "John Smith" 1.10-1.62 s, "John Smith's"
# 1.90-2.62 s), sentence 2 from about 4.4 s.
EN = """\
1
00:00:00,000 --> 00:00:03,400
I met John
Smith and John Smith's brother

2
00:00:04,400 --> 00:00:06,600
Then we drove to the border at night.
"""
# The translator writes the name in cut 2 too, where nobody says it.
BS = """\
1
00:00:00,000 --> 00:00:03,400
Jučer sam upoznao Johna
Smitha i brata Johna Smitha.

2
00:00:04,400 --> 00:00:06,600
Onda smo noću vozili Johna Smitha.
"""
# On the clip's timeline (cut 2 starts at clip 3.6 s), UTF-8; "بجون": the name after "ب".
AR = """\
1
00:00:00,000 --> 00:00:03,400
التقيت بجون سميث وأخ جون سميث

2
00:00:03,900 --> 00:00:06,000
ثم قدنا إلى الحدود ليلا
"""
FORMS = {"bs": ("Johna Smitha", "Johnov"), "ar": ("جون سميث",)}
NAME = Matcher([Term("John Smith", FORMS)])  # every language's forms: the scan of outputs
UNIT = "[name\u00a0removed]"


def speech(path: Path) -> Path:
    """Two sentences said by flite (voice slt), a second apart, under testsrc2: 8 s."""
    need_ffmpeg()
    texts = []
    for k, sentence in enumerate(SAID):
        texts.append(write(path.with_name(f"said{k}.txt"), sentence))
    # fmt: off
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=8",
         "-f", "lavfi", "-i", f"flite=textfile={texts[0]}:voice=slt",
         "-f", "lavfi", "-i", f"flite=textfile={texts[1]}:voice=slt",
         "-filter_complex",
         "[1:a]aresample=48000,apad=pad_dur=1[a1];[2:a]aresample=48000[a2];"
         "[a1][a2]concat=n=2:v=0:a=1,apad=whole_dur=8,aformat=channel_layouts=stereo[a]",
         "-map", "0:v", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k", "-t", "8", str(path)],
        check=True,
    )
    # fmt: on
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The config: cut 1 (0-3.6 s) says the name twice, cut 2 (4.2-7 s) not at all."""
    tmp = tmp_path_factory.mktemp("redact-e2e")
    src = speech(tmp / "talk.mp4")
    write(tmp / "talk.en.srt", EN)
    write(tmp / "talk.bs.srt", BS)
    write(tmp / "names.ar.srt", AR)
    return write(
        tmp / "names.yaml",
        f"""\
version: 1
output: out
sources:
  talk: {{file: {src}, subtitles: {{en: talk.en.srt, bs: talk.bs.srt}}}}
transcription: {{language: en}}
clips:
  names:
    cuts:
      - {{source: talk, start: 0, end: 3.6, snap: none}}
      - {{source: talk, start: 4.2, end: 7, snap: none}}
    end: {{text: "For John Smith's family", duration: 1}}
    subtitles: {{burn: en, languages: {{en: source, bs: source, ar: names.ar.srt}}}}
renditions:
  main: {{size: 320x240, preset: ultrafast}}
audio: {{loudness: null}}
redact:
  - source: talk
    words:
      - {{term: John Smith, forms: {{bs: [Johna Smitha, Johnov], ar: [جون سميث]}}}}
      - Zebulon
    audio: bleep
    text: {{en: "[name removed]"}}
""",
    )


@pytest.fixture(scope="module")
def built(project: Path) -> tuple[Path, str]:
    """The output folder and the build's log."""
    result = run_cli(project)
    assert result.returncode == 0, result.stderr
    return project.parent / "out", result.stderr


def test_the_two_word_name_and_its_possessive_are_bleeped_whole(built: tuple[Path, str]) -> None:
    out, _ = built
    spans = [
        (r["clip_span"]["start_ms"], r["clip_span"]["end_ms"], r["audio"])
        for r in manifest(out, "names")["redactions"]
    ]
    # Each run of words is one span: "John Smith" (1.10-1.62 s) and "John Smith's"
    # (1.90-2.62 s), 40 ms either side: both words of each, whole.
    assert len(spans) == 2, spans
    (a0, a1, _), (b0, b1, _) = spans
    assert a0 <= 1100 and a1 >= 1620 and b0 <= 1900 and b1 >= 2620, spans
    assert all(audio == "bleep" for *_, audio in spans)
    x = pcm(out / "names" / "names.main.en.mp4")
    assert_only_tone(x, [(start, end) for start, end, _ in spans])
    # "Yesterday I met" (0-1.1 s) is still heard, and no tone over it.
    said = x[round(0.1 * SR) : round(1.0 * SR)]
    assert float(np.sqrt(np.mean(said**2))) > 0.01
    spectrum = np.abs(np.fft.rfft(said)) ** 2
    hz = np.fft.rfftfreq(len(said), 1 / SR)
    assert spectrum[(hz > 950) & (hz < 1050)].sum() < 0.3 * spectrum.sum()


def test_no_form_of_the_name_in_any_sidecar_or_soft_track(built: tuple[Path, str]) -> None:
    out, _ = built
    folder = out / "names"
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("names.*.*t"))}
    assert len(texts) == 6, sorted(texts)
    tracks = soft_tracks(folder / "names.main.en.mp4")
    assert sorted(tracks) == ["ara", "bos", "eng"]
    texts |= {f"track {lang}": text for lang, text in tracks.items()}
    for where, text in texts.items():
        assert NAME.find(text) == [], (where, NAME.find(text))
        for part in ("John", "Smith", "جون", "سميث"):
            assert part not in text, (where, part)
    # Each language's replacement, one unit; isolated in the Arabic lines.
    assert texts["names.en.srt"].count(UNIT) == 2
    assert texts["names.bs.srt"].count("[uklonjeno]") == 3
    assert "Onda smo noću vozili [uklonjeno]." in texts["names.bs.srt"]
    assert texts["names.ar.srt"].count("\u2068[محذوف]\u2069") == 2
    assert "التقيت \u2068[محذوف]\u2069" in texts["names.ar.srt"]  # the prefix goes too


def test_the_end_card_loses_the_name(project: Path) -> None:
    [job] = plan_build(load(project)).jobs
    [card] = [text for text in job.card_texts if text]
    assert "John" not in card and "Smith" not in card
    assert "For [name\u00a0removed] family" in card


def test_written_but_not_heard_is_a_warning_of_the_build(built: tuple[Path, str]) -> None:
    _, log = built
    assert (
        "redact[0]: 'John Smith' is written in the bs subtitles at 00:00:03.800 (source talk "
        "at 00:00:04.400) but not heard there: listen, and redact the sound by time if it is "
        "said"
    ) in log


def test_check_counts_each_term_per_language(project: Path) -> None:
    result = run_cli("check", project, "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["redactions"] == [
        {
            "redact": 0,
            "term": "John Smith",
            "source": "talk",
            "audio": 2,
            "subtitles": {"en": 2, "bs": 3, "ar": 2},
        },
        {
            "redact": 0,
            "term": "Zebulon",
            "source": "talk",
            "audio": 0,
            "subtitles": {"en": 0, "bs": 0, "ar": 0},
        },
    ]
    redaction = [f for f in report["findings"] if f["rule"] == "redaction"]
    lines = project.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "- source" in text)
    zebulon = next(n for n, text in enumerate(lines, 1) if "Zebulon" in text)
    assert [(f["severity"], f["lang"], f["line"], f["message"]) for f in redaction] == [
        (
            "warning",
            "bs",
            line,
            "redact[0]: 'John Smith' is written in the bs subtitles at 00:00:03.800 (source "
            "talk at 00:00:04.400) but not heard there: listen, and redact the sound by time "
            "if it is said",
        ),
        (
            "warning",
            "",
            zebulon,
            "redact[0].words[1]: 'Zebulon' matches nothing: not heard in the cuts of source "
            "'talk', not written in their subtitles (expected the term as it is said or written "
            "there; a misspelt name redacts nothing)",
        ),
    ]
    table = run_cli("check", project)
    assert table.returncode == 0, table.stderr
    assert "Redacted terms: places matched" in table.stdout
    row = next(r for r in table.stdout.splitlines() if "John Smith" in r and "talk" in r)
    # redact, term, source, audio, then the languages in order: ar, bs, en.
    assert [cell.strip() for cell in row.split("│")[1:-1]] == [
        "0", "John Smith", "talk", "2", "2", "3", "2",
    ]  # fmt: skip
