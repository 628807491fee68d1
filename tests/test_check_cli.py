"""`build-clip check` through the installed command, on a generated video and crafted subtitles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import make_media, run_cli, write

pytestmark = pytest.mark.ffmpeg

# Source time; the clip cuts 1-5 s of the source, so these land at 0-1.5, 1.6-3, 3.1-4 s.
SOURCE_EN = """\
1
00:00:01,000 --> 00:00:02,500
I left in 2015.

2
00:00:02,600 --> 00:00:04,000
It was all lies.

3
00:00:04,100 --> 00:00:05,000
Nobody told us.
"""
GOOD_BS = """\
1
00:00:00,000 --> 00:00:01,500
Otišao sam 2015.

2
00:00:01,600 --> 00:00:03,000
Sve su bile laži.

3
00:00:03,100 --> 00:00:04,000
Niko nije rekao.
"""
ARABIC = (
    "1\r\n00:00:00,000 --> 00:00:01,500\r\nغادرت في عام 2015.\r\n\r\n"  # noqa: RUF001
    "2\r\n00:00:01,600 --> 00:00:03,000\r\nكانت كلها أكاذيب.\r\n\r\n"  # noqa: RUF001
    "3\r\n00:00:03,100 --> 00:00:04,000\r\nلم يخبرنا أحد.\r\n"
)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_media(tmp_path_factory.mktemp("check") / "v.mp4", seconds=6)


def project(tmp: Path, media: Path, bs: str) -> Path:
    """A config with a burned English source track, Bosnian and Arabic (Windows-1256) files."""
    write(tmp / "v.en.srt", SOURCE_EN)
    write(tmp / "demo.bs.srt", bs)
    (tmp / "demo.ar.srt").write_bytes(ARABIC.encode("cp1256"))
    return write(
        tmp / "clip.yaml",
        f"""\
version: 1
sources:
  v: {{file: {media}, subtitles: {{en: v.en.srt}}}}
clips:
  demo:
    cuts:
      - {{source: v, start: 1, end: 5}}
    subtitles:
      burn: en
      languages: {{en: source, bs: demo.bs.srt, ar: demo.ar.srt}}
renditions:
  land: {{size: 640x360, preset: ultrafast}}
""",
    )


def test_clean_project_exits_0(tmp_path: Path, media: Path) -> None:
    result = run_cli("check", project(tmp_path, media, GOOD_BS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "no problems found"


def test_warnings_exit_0_and_strict_exits_2(tmp_path: Path, media: Path) -> None:
    bs = GOOD_BS.replace("Sve su bile laži.", "It was all lies.")
    config = project(tmp_path, media, bs)
    result = run_cli("check", config)
    assert result.returncode == 0, result.stdout + result.stderr
    bs_file = tmp_path / "demo.bs.srt"
    assert (
        f"{bs_file}:6: warning: [bs] same text as the en cue 'It was all lies.' "
        "(expected a translation) (untranslated)"
    ) in result.stdout
    assert "Findings by rule and language" in result.stdout
    assert result.stdout.rstrip().endswith("0 error(s), 1 warning(s)")
    strict = run_cli("check", "--strict", config)
    assert strict.returncode == 2
    assert f"{bs_file}:6: error: [bs] same text" in strict.stdout


def test_errors_exit_2_with_file_and_line(tmp_path: Path, media: Path) -> None:
    bs = GOOD_BS + "\n4\n00:00:05,000 --> 00:00:06,000\nPoslije kraja klipa.\n"
    config = project(tmp_path, media, bs)
    write(tmp_path / "v.en.srt", SOURCE_EN.replace("00:00:02,600 -->", "00:00:04,600 -->"))
    result = run_cli("check", config)
    assert result.returncode == 2, result.stdout + result.stderr
    out = result.stdout
    assert (
        f"{tmp_path / 'v.en.srt'}:6: error: [en] the cue ends at 00:00:04.000, not after its "
        "start 00:00:04.600 (expected end > start) (read)"
    ) in out
    assert (
        f"{tmp_path / 'demo.bs.srt'}:14: error: [bs] starts at 00:00:05.000, after the clip "
        "ends at 00:00:04.000 (expected cues within the clip) (outside-clip)"
    ) in out
    assert "Traceback" not in result.stderr


def test_json_report(tmp_path: Path, media: Path) -> None:
    bs = GOOD_BS.replace("00:00:01,600 --> 00:00:03,000", "00:00:01,600 --> 00:00:03,050")
    result = run_cli("check", "--format", "json", project(tmp_path, media, bs))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["ok"], report["errors"], report["warnings"]) == (True, 0, 1)
    (finding,) = report["findings"]
    assert finding == {
        "rule": "gap",
        "severity": "warning",
        "lang": "bs",
        "path": str(tmp_path / "demo.bs.srt"),
        "line": 10,
        "cue": 3,
        "message": "starts 50 ms after the cue before it (expected a gap of at least 2 frames, "
        "80 ms at 25 fps)",
        "clip": "demo",
    }


def test_bad_encoding_and_missing_media_reported_together(tmp_path: Path, media: Path) -> None:
    config = project(tmp_path, media, GOOD_BS)
    (tmp_path / "demo.bs.srt").write_bytes(GOOD_BS.encode("cp1250"))  # a Bosnian classic
    config.write_text(config.read_text().replace(str(media), str(tmp_path / "gone.mp4")))
    result = run_cli("check", "--format", "json", config)
    assert result.returncode == 2
    found = {(f["rule"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]}
    assert found == {
        ("read", str(tmp_path / "demo.bs.srt"), 3),  # 'š' in Windows-1250 is not UTF-8
        ("media", str(config), 3),
    }


def test_unknown_clip_and_bad_config_are_one_line_errors(tmp_path: Path, media: Path) -> None:
    config = project(tmp_path, media, GOOD_BS)
    result = run_cli("check", "--clip", "nope", config)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {config}: no clip named 'nope' (expected one of: demo)"
    )
    config.write_text(config.read_text().replace("cuts:", "cutz:"))
    result = run_cli("check", config)
    assert result.returncode == 2
    assert "unknown key 'cutz'" in result.stderr


def test_characters_no_font_draws_are_errors_as_in_the_build(tmp_path: Path, media: Path) -> None:
    """The check reports what the build would refuse: a burned cue and a title card with a
    character their fonts lack, each at its line in the config."""
    config = project(tmp_path, media, GOOD_BS)
    write(
        tmp_path / "v.en.srt", SOURCE_EN.replace("It was all lies.", "It was all lies \U0001f600")
    )
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("    subtitles:\n", '    title: {text: "\U0001f600"}\n    subtitles:\n')
    )
    result = run_cli("check", config)
    assert result.returncode == 2, result.stdout + result.stderr
    glyph = "no glyph for '\U0001f600' (U+1F600) in 'Noto Sans'"
    assert (
        f"{config}:8: error: [] clips.demo.title.text: {glyph} (expected a font that draws "
        "every character; set clips.demo.title.font) (glyphs)"
    ) in result.stdout
    # The second cue of the clip, moved 2.48 s on by the title card (2.5 s in whole frames).
    assert (
        f"{config}:11: error: [en] clips.demo.subtitles.languages.en: cue 2 at 00:00:04.080: "
        f"{glyph} (expected fonts that draw every character; set style.fonts.en) (glyphs)"
    ) in result.stdout
    build = run_cli(config)
    assert build.returncode == 2 and glyph in build.stderr
    assert not (tmp_path / "out").exists()


# Cue 2's timing line is broken (line 6), cue 3 ends before it starts (line 10), and cue 1,
# readable, has a line of 49 characters (line 3).
BROKEN_BS = """\
1
00:00:00,000 --> 00:00:01,500
Otišao sam 2015. godine, i nikad se nisam vratio.

2
00:00:01,600 --> 00:00:03,O00
Sve su bile laži.

3
00:00:03,100 --> 00:00:02,000
Niko nije rekao.
"""


def test_broken_cues_hide_no_other_finding_of_their_file(tmp_path: Path, media: Path) -> None:
    """Issue 14: each unreadable cue is an error at its line, and the readable cues of the
    same file are still linted; the build refuses the file, naming every broken cue."""
    config = project(tmp_path, media, BROKEN_BS)
    bs_file = tmp_path / "demo.bs.srt"
    expected = [
        (
            "line-length",
            "warning",
            3,
            "49 characters on one line (expected at most 42)",
        ),
        (
            "read",
            "error",
            6,
            "'00:00:03,O00' is not a time (expected HH:MM:SS,mmm, e.g. 00:01:02,500)",
        ),
        (
            "read",
            "error",
            10,
            "the cue ends at 00:00:02.000, not after its start 00:00:03.100 (expected end > start)",
        ),
    ]
    result = run_cli("check", config)
    assert result.returncode == 2, result.stdout + result.stderr
    for rule, severity, line, message in expected:
        assert f"{bs_file}:{line}: {severity}: [bs] {message} ({rule})" in result.stdout

    report = json.loads(run_cli("check", "--format", "json", config).stdout)
    found = [
        (f["rule"], f["severity"], f["line"], f["message"])
        for f in report["findings"]
        if f["path"] == str(bs_file) and f["rule"] in ("read", "line-length")
    ]
    assert found == expected
    assert report["errors"] == 2

    build = run_cli(config)
    assert build.returncode == 2, build.stdout + build.stderr
    assert build.stderr.splitlines() == [
        f"error: {bs_file}:6: {expected[1][3]}",
        f"error: {bs_file}:10: {expected[2][3]}",
    ]
    assert not (tmp_path / "out").exists()
