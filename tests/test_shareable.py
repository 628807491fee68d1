"""The output folder is shareable (issue 15, item 3): end to end through `build-clip`, no file
under `out/` says a redacted name in any of its forms; the real words are kept outside it;
a build whose files would say one fails and leaves none of them there."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import opentimelineio as otio
import pytest

from pipeline.core.redaction import Matcher, Term
from pipeline.publish.shareable import Redactor, private_folder
from pipeline.verify.leaks import find, scan_text, views
from tests.conftest import SAMPLES, run_cli, write

pytestmark = [pytest.mark.slow, pytest.mark.ffmpeg, pytest.mark.xdist_group("sample")]

# Whisper base hears "Haris" as "Harry" and "Fazilu" as "Fizzulu" (samples/README.md): the
# config names what is heard, and the forms the name takes in each language.
TERMS = """\
      - {term: Harry, forms: {en: [Harry Haris], bs: [Haris, Harisom], ar: [هاريس]}}
      - {term: Fizzulu, forms: {bs: [Fazilu]}}
"""
# Every form, as a plain case-insensitive substring: the test does not only trust the matcher.
RAW = ("harry", "haris", "harisom", "fizzulu", "fazilu", "هاريس")


def texts(path: Path) -> Iterator[tuple[str, str]]:
    """What a file says, read by the test itself: an MP4's tags and subtitle tracks, a text
    file as UTF-8; images say nothing."""
    if path.suffix == ".mp4":
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams",
             "-show_chapters", str(path)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        yield "tags", probe.stdout
        subs = [s for s in json.loads(probe.stdout)["streams"] if s["codec_type"] == "subtitle"]
        for k in range(len(subs)):
            track = subprocess.run(
                ["ffmpeg", "-v", "error", "-i", str(path), "-map", f"0:s:{k}", "-f", "srt", "-"],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            yield f"track {k}", track.stdout
    elif path.suffix not in {".jpg", ".png"}:
        yield "text", path.read_text(encoding="utf-8")


def said(folder: Path, matcher: Matcher) -> list[str]:
    """Every file under ``folder`` that says a term (by the matcher, or a raw name)."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(folder)).casefold()
        found += [f"{path}: name has {r}" for r in RAW if r in name]
        for where, text in texts(path):
            found += [f"{path} {where}: {r}" for r in RAW if r in text.casefold()]
            found += [f"{path} {where}: {t} (matcher)" for _, t in find(matcher, text)]
    return found


def matcher() -> Matcher:
    return Matcher(
        [
            Term("Harry", {"en": ("Harry Haris",), "bs": ("Haris", "Harisom"), "ar": ("هاريس",)}),
            Term("Fizzulu", {"bs": ("Fazilu",)}),
        ]
    )


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, interview: Path) -> Path:
    """A clip of the sample interview built and exported: a quote and context with the names,
    Bosnian subtitles that say them, an Arabic translation that says one, and a
    source file whose name holds a two-word name, a possessive, an inflected form and an Arabic
    form with a prefix."""
    folder = tmp_path_factory.mktemp("shared")
    media = folder / "Harry Haris's tapes" / "وهاريس intervju s Harisom.mp4"
    media.parent.mkdir()
    shutil.copyfile(interview, media)
    bs = shutil.copyfile(SAMPLES / "interview.bs.srt", folder / "interview.bs.srt")
    write(
        folder / "story.ar.srt",
        "1\n00:00:00,500 --> 00:00:03,000\nقال لي هاريس إنه صديقي\n\n"  # noqa: RUF001
        "2\n00:00:03,500 --> 00:00:05,500\nثم جاء صديقه وهاريس\n",  # with a prefix
    )
    config = write(
        folder / "share.yaml",
        f"""\
version: 1
output: out
sources:
  interview: {{file: "{media}", subtitles: {{bs: {bs.name}}}}}
transcription: {{engine: faster-whisper, model: base, language: en}}
clips:
  story:
    cuts:
      - {{source: interview, quote: "a man called Harry started talking to me online"}}
      - {{source: interview, start: "00:00:56.300", end: "00:00:59.600"}}
    subtitles: {{burn: [nosubs, ar], languages: {{en: transcript, bs: source, ar: story.ar.srt}}}}
renditions:
  small: {{size: 320x180, preset: ultrafast}}
redact:
  - source: interview
    audio: bleep
    words:
{TERMS}""",
    )
    # --verify --strict: the output is heard again, and the build fails if the name is heard.
    result = run_cli(config, "--verify", "--strict")
    assert result.returncode == 0, result.stderr
    exported = run_cli("export", config, "--format", "otio")
    assert exported.returncode == 0, exported.stderr
    assert "media: story.small.nosubs.mp4, redacted" in exported.stdout, exported.stdout
    return folder


def test_the_audio_heard_again_does_not_say_the_name(shared: Path) -> None:
    manifest = json.loads((shared / "out/story/story.manifest.json").read_text("utf-8"))
    checks = [cut["verification"] for cut in manifest["cuts"]]
    assert [c["redacted_heard"] for c in checks] == [[], []], checks
    assert all(c["status"] == "ok" for c in checks), checks


def test_no_file_of_the_output_folder_says_a_name(shared: Path) -> None:
    out = shared / "out"
    names = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert {"index.html", "story/review.html", "story/story.manifest.json"} <= names
    assert {"story/story.otio", "story/story.bs.srt", "story/story.ar.vtt"} <= names
    assert said(out, matcher()) == []
    manifest = json.loads((out / "story/story.manifest.json").read_text(encoding="utf-8"))
    first = manifest["cuts"][0]
    assert first["quote"].startswith("a man called [removed]"), first["quote"]
    assert "[removed]" in first["text"] and "[removed]" in manifest["sources"]["interview"]["file"]


def test_the_export_points_at_the_redacted_video(shared: Path) -> None:
    timeline = otio.adapters.read_from_file(str(shared / "out/story/story.otio"))
    clips = list(timeline.find_clips())
    assert len(clips) == 4  # two cuts, video and audio
    for clip in clips:
        url = clip.media_reference.target_url
        assert url.endswith("/out/story/story.small.nosubs.mp4"), url
    video = [c for c in clips if c.parent().kind == otio.schema.TrackKind.Video]
    # The cuts follow each other in the rendered file, from its first frame.
    assert video[0].source_range.start_time.value == 0
    second = video[1].source_range.start_time.value
    assert second == video[0].source_range.duration.value
    markers = [m.name for c in video for m in c.markers]
    assert any(m.startswith("quote: a man called [removed]") for m in markers), markers


def test_the_real_words_are_kept_outside_the_output_folder(shared: Path) -> None:
    private = shared / ".build-clip/private/share"
    record = json.loads((private / "story.manifest.json").read_text(encoding="utf-8"))
    assert record["cuts"][0]["quote"] == "a man called Harry started talking to me online"
    assert "Harry" in record["cuts"][0]["text"]
    assert "Harisom" in record["sources"]["interview"]["file"]
    assert not private.is_relative_to(shared / "out")


def test_a_name_a_pattern_finds_fails_the_build_and_leaves_no_file(
    tmp_path: Path, small: Path
) -> None:
    # The Bosnian translation says "Harisom": no form covers it, a pattern (under German) does.
    # Subtitles are redacted in their own language's forms; the folder is scanned in all.
    write(tmp_path / "clip.bs.srt", "1\n00:00:00,500 --> 00:00:02,500\nRazgovarao sam s Harisom.\n")
    config = write(
        tmp_path / "leak.yaml",
        f"""\
version: 1
output: out
sources:
  s: {small}
clips:
  leak:
    cuts: [{{source: s, start: 0, end: 3}}]
    subtitles: {{burn: none, languages: {{bs: clip.bs.srt}}}}
renditions:
  small: {{size: 320x240, preset: ultrafast}}
redact:
  - source: s
    words: [{{term: Haris, patterns: {{de: ["haris\\\\w+"]}}}}]
""",
    )
    result = run_cli(config)
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    leaked = [line for line in lines if "says the redacted term 'Haris'" in line]
    where = {line.split(": ")[1].rsplit("/", 1)[-1] for line in leaked}
    assert {"leak.bs.srt", "leak.bs.vtt", "leak.small.nosubs.mp4", "review.html"} <= where, lines
    assert any("leak.small.nosubs.mp4: subtitle track 0 line 3" in line for line in leaked), lines
    assert any("were moved out of the output folder" in line for line in lines), lines
    out = tmp_path / "out"
    for path in out.rglob("*"):
        if path.is_file():
            for _, text in texts(path):
                assert "harisom" not in text.casefold(), path
    assert not (out / "leak/leak.small.nosubs.mp4").exists()
    kept = tmp_path / ".build-clip/private/leak/leaked/leak"
    assert (kept / "leak.bs.srt").read_text(encoding="utf-8").count("Harisom") == 1
    again = run_cli(config)  # the next build makes the video again, and fails again
    assert again.returncode == 1 and "leak.small.nosubs.mp4" in again.stderr, again.stderr


# --- pure: the scan's reading of a text, the redactor, the private folder ---------------------


def test_the_scan_reads_through_markup_entities_and_json_escapes() -> None:
    m = Matcher([Term("Haris", {"bs": ("Harisom",)})])
    assert find(m, "<td>Ali</td><td>Harisom</td>") == [(1, "Haris")]
    assert find(m, '{"a": "\\u0048aris"}') == [(None, "Haris")]
    assert find(m, "&#72;aris") == [(None, "Haris")]
    assert find(m, "Haris\nHaris") == [(1, "Haris"), (2, "Haris")]
    assert find(m, "Harrison Ford") == []
    assert len(views("plain")) == 2
    leak = scan_text(m, Path("/o/x.srt"), "", "1\n\nHaris")[0]
    assert leak.line() == "/o/x.srt: line 3: says the redacted term 'Haris'"


def test_the_redactor_replaces_in_keys_values_and_the_language_asked() -> None:
    hiding = Redactor(Matcher([Term("Haris", {"ar": ("هاريس",)})]), {"Haris": {"ar": "[اسم]"}})
    data = {"Haris.mp4": ["said وهاريس", 3, None], "n": "Haris's"}
    assert hiding.data(data) == {"[removed].mp4": ["said [removed]", 3, None], "n": "[removed]"}
    assert hiding.text("قال هاريس", "ar") == "قال [اسم]"
    assert Redactor().text("Haris") == "Haris"


def test_the_private_folder_is_never_inside_the_output_folder(tmp_path: Path) -> None:
    config = tmp_path / "p.yaml"
    assert private_folder(config, tmp_path / "out", tmp_path / "c") == (
        tmp_path / ".build-clip/private/p"
    )
    inside = private_folder(config, tmp_path, tmp_path / "c")
    assert inside.parent == tmp_path / "c/private" and not inside.is_relative_to(tmp_path / "o")


def test_a_name_said_over_several_word_records_becomes_one_record() -> None:
    """A manifest lists a cut's words one by one: "John", "Smith's" must not spell the name."""
    redactor = Redactor(Matcher([Term("John Smith")]), {"John Smith": "[name removed]"})
    words = [
        {"text": "met", "start_ms": 0, "end_ms": 200},
        {"text": "John", "start_ms": 200, "end_ms": 400},
        {"text": "Smith's", "start_ms": 400, "end_ms": 700},
        {"text": "brother", "start_ms": 700, "end_ms": 900},
    ]
    assert redactor.data({"words": words}) == {
        "words": [
            {"text": "met", "start_ms": 0, "end_ms": 200},
            {"text": "[name removed]", "start_ms": 200, "end_ms": 700},
            {"text": "brother", "start_ms": 700, "end_ms": 900},
        ]
    }
