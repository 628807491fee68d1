"""The bad-input corpus: every case run through the `build-clip` command.

Each case must end with exit 2 (1 for a fault of the machine rather than of the inputs) and
one line on stderr that names the file (and the line, for a text file) and says what was
expected; no traceback; and the case's folder -- config, sources, subtitles, output folder --
byte for byte as it was: no partial output, no source touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import BUILD_CLIP, make_media, need_ffmpeg
from tests.media import ffmpeg, once, sha256, tree_hashes

pytestmark = [pytest.mark.ffmpeg]

CONFIG = "clip.yaml"
# Line numbers below refer to this config: 4 the source, 8 the cut, 9 the subtitles.
BASE = """\
version: 1
output: out
sources:
  s: {file: src.mp4, subtitles: {en: s.en.srt}}
clips:
  c:
    cuts:
      - {source: s, start: 0.5, end: 2}
    subtitles: {burn: en, languages: {en: source}}
renditions:
  r: {size: 160x120, preset: ultrafast}
"""
SRT = "1\n00:00:00,500 --> 00:00:01,500\nHello there\n"
NO_SUBS = BASE.replace("{file: src.mp4, subtitles: {en: s.en.srt}}", "src.mp4").replace(
    "    subtitles: {burn: en, languages: {en: source}}\n", ""
)
# A "billion laughs": eight lines that expand to 10**8 values.
ALIAS_BOMB = "version: 1\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 8)
)


MISSING, FOLDER = "<missing>", "<folder>"  # a case's file that is absent, or a folder


def edit(old: str, new: str, base: str = BASE) -> str:
    assert old in base, old
    return base.replace(old, new)


def cut(text: str) -> str:
    return edit("{source: s, start: 0.5, end: 2}", text)


@dataclass(frozen=True)
class Case:
    """One bad input.

    Attributes:
        config: the config's text (written as clip.yaml), or None for no config file.
        prefix: how the error line starts after ``error: ``; ``{cfg}`` is the config's path
            and ``{dir}`` the case's folder.
        says: text the error line must contain.
        files: files of the case: text, bytes, the name of a generated medium, MISSING or
            FOLDER (the defaults are a good src.mp4 and s.en.srt).
        code: the exit status.
        args: more arguments after the config.
        readonly: a folder of the case that is made read-only before the run.
    """

    config: str | bytes | None
    prefix: str
    says: str
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    code: int = 2
    args: tuple[str, ...] = ()
    readonly: str | None = None


def media_problem(name: str = "src.mp4") -> str:
    return "{cfg}:4: sources.s: {dir}/" + name + ": "


def srt_case(body: str | bytes, line: int | None, says: str) -> Case:
    where = f":{line}" if line else ""
    return Case(BASE, "{dir}/s.en.srt" + where + ": ", says, files={"s.en.srt": body})


CASES = [
    # --- the config file itself
    pytest.param(
        Case(None, "{cfg}: ", "no such file (expected a YAML config file)"), id="no-config"
    ),
    pytest.param(
        Case(None, "{cfg}: ", "is a folder (expected a YAML config file)", files={CONFIG: FOLDER}),
        id="config-is-a-folder",
    ),
    pytest.param(Case("", "{cfg}: ", "the config is empty (expected a mapping"), id="empty-config"),
    pytest.param(
        Case("# nothing but a comment\n\n", "{cfg}: ", "the config is empty"),
        id="comment-only-config",
    ),
    pytest.param(
        Case(
            "- version: 1\n- clips: {}\n", "{cfg}:1: ", "the config is a list (expected a mapping"
        ),
        id="config-is-a-list",
    ),
    pytest.param(
        Case("just words\n", "{cfg}:1: ", "the config is a str (expected a mapping"),
        id="config-is-a-scalar",
    ),
    pytest.param(
        Case(edit("clips:\n", "clips: {c: [\n"), "{cfg}:7: ", "YAML syntax error: "),
        id="yaml-syntax-error",
    ),
    pytest.param(
        Case(
            edit("  s: {file", "\ts: {file"),
            "{cfg}:4: ",
            "YAML syntax error: a tab (expected spaces",
        ),
        id="tab-indent",
    ),
    pytest.param(
        Case(
            BASE.encode("utf-8").replace(b"Hello", b"") + b"# caf\xe9\n",
            "{cfg}:12: ",
            "byte 0xE9 is not UTF-8 (expected a UTF-8 YAML file)",
        ),
        id="config-not-utf8",
    ),
    pytest.param(
        Case(edit("output: out", "output: out\x07"), "{cfg}:2: ", "character 0x07 is not allowed"),
        id="control-character",
    ),
    pytest.param(
        Case(
            BASE + "colour: red\n",
            "{cfg}:12: colour: ",
            "unknown key 'colour' (expected one of: version, output, sources, clips",
        ),
        id="unknown-top-key",
    ),
    pytest.param(
        Case(
            cut("{source: s, strat: 0.5, end: 2}"),
            "{cfg}:8: clips.c.cuts[0].strat: ",
            "unknown key 'strat' (expected one of: source, start, end",
        ),
        id="unknown-cut-key",
    ),
    pytest.param(
        Case(edit("version: 1\n", ""), "{cfg}:1: version: ", "missing required key 'version'"),
        id="no-version",
    ),
    pytest.param(
        Case(
            edit("version: 1", "version: 2"), "{cfg}:1: version: ", "2 is not allowed (expected 1)"
        ),
        id="version-2",
    ),
    pytest.param(
        Case(
            edit("preset: ultrafast", "preset: ultrafast, crf: high"),
            "{cfg}:11: renditions.r.crf: ",
            "'high': input should be a valid integer",
        ),
        id="crf-not-a-number",
    ),
    pytest.param(
        Case(
            edit("size: 160x120", "size: 161x120"),
            "{cfg}:11: renditions.r.size: ",
            "'161x120' is not a frame size (expected WIDTHxHEIGHT in even numbers",
        ),
        id="odd-frame-size",
    ),
    pytest.param(
        Case(
            edit("    cuts:\n      - {source: s, start: 0.5, end: 2}\n", "    cuts: {source: s}\n"),
            "{cfg}:7: clips.c.cuts: ",
            "should be a valid",
        ),
        id="cuts-not-a-list",
    ),
    pytest.param(
        Case(
            edit("  s: {file: src.mp4, subtitles: {en: s.en.srt}}", "  - src.mp4"),
            "{cfg}:3: sources: ",
            "should be a valid dictionary",
        ),
        id="sources-not-a-mapping",
    ),
    pytest.param(
        Case(
            cut("{source: s, start: [1], end: 2}"),
            "{cfg}:8: clips.c.cuts[0].start: ",
            "[1] is not a timecode (expected HH:MM:SS.mmm",
        ),
        id="timecode-is-a-list",
    ),
    pytest.param(
        Case(
            cut('{source: s, start: "1:0x", end: 2}'),
            "{cfg}:8: clips.c.cuts[0].start: ",
            "'1:0x' is not a timecode (expected",
        ),
        id="timecode-garbled",
    ),
    pytest.param(
        Case(
            cut("{source: s, start: -1, end: 2}"),
            "{cfg}:8: clips.c.cuts[0].start: ",
            "'-1' is not a timecode (expected",
        ),
        id="timecode-negative",
    ),
    pytest.param(
        Case(
            cut("{source: s, start: .inf, end: 2}"),
            "{cfg}:8: clips.c.cuts[0].start: ",
            "'inf' is not a timecode",
        ),
        id="timecode-infinite",
    ),
    pytest.param(
        Case(
            edit("    subtitles: {burn: en", "    subtitles: {burn: ar"),
            "{cfg}:9: clips.c.subtitles.burn[0]: ",
            "cannot burn 'ar': not in languages (expected one of: en)",
        ),
        id="burn-unknown-language",
    ),
    pytest.param(
        Case(
            edit("{en: s.en.srt}", "{en: s.en.srt, english: s.en.srt}"),
            "{cfg}:4: sources.s.subtitles.english: ",
            "'english' is not a language code (expected ISO 639-1",
        ),
        id="bad-language-code",
    ),
    pytest.param(
        Case(
            edit("renditions:", "  c:\n    cuts: [{source: s, start: 0, end: 1}]\nrenditions:"),
            "{cfg}:10: clips.c: ",
            "key given twice (expected each key once)",
        ),
        id="duplicate-clip-names",
    ),
    pytest.param(
        Case(
            edit("  c:\n", "  ../../evil:\n"),
            "{cfg}:6: clips.../../evil: ",
            "is not a safe name (expected letters, digits, '-' or '_'",
        ),
        id="clip-name-path",
    ),
    pytest.param(
        Case(
            edit("  c:\n", '  "my clip?":\n'),
            "{cfg}:6: clips.my clip?: ",
            "is not a safe name (expected",
        ),
        id="clip-name-unsafe-chars",
    ),
    pytest.param(
        Case(
            edit("  c:\n", "  51:\n"),
            "{cfg}:6: clips[51].[key]: ",
            "51: input should be a valid string",
        ),
        id="clip-name-a-number",
    ),
    pytest.param(
        Case(
            cut("{source: nh, start: 0.5, end: 2}"),
            "{cfg}:8: clips.c.cuts[0].source: ",
            "unknown source 'nh' (expected one of: s)",
        ),
        id="unknown-source-id",
    ),
    pytest.param(
        Case(
            cut('{source: s, quote: "hello", start: 1}'),
            "{cfg}:8: clips.c.cuts[0].start: ",
            "start given with quote (expected either a quote, or start and end)",
        ),
        id="quote-and-start",
    ),
    pytest.param(
        Case(
            edit("output: out", 'output: "out\\0"'),
            "{cfg}:2: output: ",
            "a NUL character in text (expected printable text)",
        ),
        id="nul-in-path",
    ),
    pytest.param(
        Case(
            edit(
                "  s: {file: src.mp4", "  s: {file: !!python/object/apply:os.system [touch pwned]"
            ),
            "{cfg}:4: sources.s.file: ",
            "is not allowed (expected plain YAML values)",
        ),
        id="python-tag",
    ),
    pytest.param(
        Case(ALIAS_BOMB, "{cfg}:", "aliases expand to too many values (expected at most"),
        id="alias-bomb",
    ),
    pytest.param(
        Case(
            "version: 1\nx: " + "[" * 300 + "]" * 300 + "\n",
            "{cfg}:2: ",
            "nested too deeply (expected at most",
        ),
        id="deep-nesting",
    ),
    pytest.param(
        Case(BASE, "{cfg}: ", "no clip named 'x' (expected one of: c)", args=("--clip", "x")),
        id="unknown-clip-option",
    ),
    # --- sources
    pytest.param(
        Case(
            BASE,
            media_problem(),
            "no such file (expected a video file)",
            files={"src.mp4": MISSING},
        ),
        id="missing-source",
    ),
    pytest.param(
        Case(
            BASE,
            media_problem(),
            "is not a file (expected a video file)",
            files={"src.mp4": FOLDER},
        ),
        id="source-is-a-folder",
    ),
    pytest.param(
        Case(
            BASE,
            media_problem(),
            "not a readable media file (ffprobe: Invalid data found when processing input; "
            "expected",
            files={"src.mp4": b"this is a text file, not a film\n"},
        ),
        id="text-file-named-mp4",
    ),
    pytest.param(
        Case(
            BASE,
            media_problem(),
            "is truncated: its 'mdat' box needs",
            files={"src.mp4": "truncated-tail"},
        ),
        id="truncated-mp4-index-at-end",
    ),
    pytest.param(
        Case(
            BASE,
            media_problem(),
            "is truncated: its 'mdat' box needs",
            files={"src.mp4": "truncated-data"},
        ),
        id="truncated-mp4-index-first",
    ),
    pytest.param(
        Case(BASE, media_problem(), "is empty (expected a video file)", files={"src.mp4": b""}),
        id="zero-byte-source",
    ),
    pytest.param(
        Case(BASE, media_problem(), "not a readable media file", files={"src.mp4": "noise"}),
        id="random-bytes-source",
    ),
    pytest.param(
        Case(
            BASE,
            media_problem(),
            "has no video stream (expected a video file with sound)",
            files={"src.mp4": "audio-only"},
        ),
        id="audio-only-source",
    ),
    pytest.param(
        Case(
            BASE,
            media_problem(),
            "has no audio stream (expected a video file with sound)",
            files={"src.mp4": "video-only"},
        ),
        id="video-only-source",
    ),
    # --- cuts against the source
    pytest.param(
        Case(
            cut("{source: s, start: 0.5, end: 9}"),
            "{cfg}:8: clips.c.cuts[0].end: ",
            "9 is past the end of source 's' (expected at most 00:00:03.000)",
        ),
        id="cut-past-the-end",
    ),
    pytest.param(
        Case(
            cut("{source: s, start: 7, end: 9}"),
            "{cfg}:8: clips.c.cuts[0].end: ",
            "9 is past the end of source 's' (expected at most",
        ),
        id="cut-wholly-outside",
    ),
    pytest.param(
        Case(
            cut('{source: s, start: 0, end: "99999999:00:00"}'),
            "{cfg}:8: clips.c.cuts[0].end: ",
            "is past the end of source 's'",
        ),
        id="cut-huge-timecode",
    ),
    pytest.param(
        Case(
            cut("{source: s, start: 2, end: 1}"),
            "{cfg}:8: clips.c.cuts[0].end: ",
            "end 1 is not after start 2 (expected end > start)",
        ),
        id="end-before-start",
    ),
    pytest.param(
        Case(
            cut("{source: s, start: 1.5, end: 1.5}"),
            "{cfg}:8: clips.c.cuts[0].end: ",
            "end 1.5 is not after start 1.5 (expected end > start)",
        ),
        id="end-equals-start",
    ),
    pytest.param(
        Case(
            cut('{source: s, start: "00:00:00:30", end: 2}'),
            "{cfg}:8: clips.c.cuts[0].start: ",
            "frame 30 does not exist at 25 fps (expected FF < 25)",
        ),
        id="frame-past-the-rate",
    ),
    # --- subtitle files (SUBTITLES.md)
    pytest.param(
        srt_case(
            "1\n00:00:0x,500 --> 00:00:01,500\nHello\n",
            2,
            "'00:00:0x,500' is not a time (expected HH:MM:SS,mmm",
        ),
        id="srt-unparsable-time",
    ),
    pytest.param(
        srt_case(
            "1\n00:00:01,500 --> 00:00:01,000\nHello\n",
            2,
            "not after its start 00:00:01.500 (expected end > start)",
        ),
        id="srt-end-before-start",
    ),
    pytest.param(
        srt_case(
            "1\n-00:00:01,500 --> 00:00:02,000\nHello\n",
            2,
            "negative time -00:00:01.500 (expected 00:00:00.000 or later)",
        ),
        id="srt-negative-time",
    ),
    pytest.param(
        srt_case(
            SRT + "\nstray words here\n",
            5,
            "'stray words here' is not part of a cue (expected a cue number",
        ),
        id="srt-text-not-a-cue",
    ),
    pytest.param(
        srt_case(
            "1\n00:00:00,500 --> 00:00:01,500\n\n",
            2,
            "the cue has no text (expected its text below the timing line)",
        ),
        id="srt-cue-without-text",
    ),
    pytest.param(
        srt_case(
            "1\n00:00:00,500 00:00:01,500\nHello\n",
            2,
            "is not a timing line (expected 00:00:01,000 --> 00:00:02,000 after cue number 1)",
        ),
        id="srt-no-arrow",
    ),
    pytest.param(srt_case(b"", None, "has no cues (expected SRT subtitles)"), id="srt-empty"),
    pytest.param(
        srt_case(
            "1\n00:00:00,500 --> 00:00:01,000\n\xe9t\xe9\n".encode("latin-1"),
            3,
            "byte 0xE9 is not UTF-8, and the file is not Arabic Windows-1256 either (expected",
        ),
        id="srt-latin-1",
    ),
    pytest.param(
        srt_case(
            "1\n00:00:00,500 --> 00:00:01,000\n日本語\n".encode("shift_jis"),
            3,
            "is not UTF-8, and the file is not Arabic Windows-1256 either (expected",
        ),
        id="srt-shift-jis",
    ),
    pytest.param(
        srt_case(
            b"\xff\xfe\x00\x00" + SRT.encode("utf-32-le"), None, "is UTF-32 text (expected UTF-8"
        ),
        id="srt-utf-32",
    ),
    pytest.param(
        srt_case(
            SRT.encode("utf-16-le"),
            None,
            "looks like UTF-16 text without a byte-order mark (expected",
        ),
        id="srt-utf-16-no-bom",
    ),
    pytest.param(
        srt_case("binary", None, "is a binary file (expected a text subtitle file"), id="srt-binary"
    ),
    pytest.param(
        srt_case(MISSING, None, "no such file (expected a readable SRT, WebVTT or ASS file)"),
        id="srt-missing",
    ),
    pytest.param(
        Case(
            edit("en: s.en.srt", "en: s.en.vtt"),
            "{dir}/s.en.vtt:1: ",
            "missing the WEBVTT header (expected 'WEBVTT' on the first line)",
            files={"s.en.vtt": SRT},
        ),
        id="vtt-without-header",
    ),
    pytest.param(
        Case(
            edit("en: s.en.srt", "en: s.en.vtt"),
            "{dir}/s.en.vtt:3: ",
            "'00:00.5' is not a time (expected [HH:]MM:SS.mmm",
            files={"s.en.vtt": "WEBVTT\n\n00:00.5 --> 00:01.000\nHi\n"},
        ),
        id="vtt-short-time",
    ),
    pytest.param(
        Case(
            edit("{en: source}", "{en: clip.en.srt}"),
            "{dir}/clip.en.srt:6: ",
            "[en] starts at 00:00:09.000, after the clip ends at 00:00:01.520 (expected cues "
            "within the clip)",
            files={"clip.en.srt": SRT + "\n2\n00:00:09,000 --> 00:00:10,000\nToo late\n"},
        ),
        id="srt-cue-outside-the-clip",
    ),
    # --- fonts
    pytest.param(
        Case(
            BASE + "style: {font: No Such Font Family}\n",
            "{cfg}:9: clips.c.subtitles.languages.en: ",
            "font 'No Such Font Family' is not installed (expected an installed font family",
        ),
        id="missing-font",
    ),
    pytest.param(
        Case(
            BASE,
            "{cfg}:9: clips.c.subtitles.languages.en: ",
            "no glyph for '\U0001f600' (U+1F600) in 'Noto Sans' (expected fonts that draw "
            "every character",
            files={"s.en.srt": "1\n00:00:00,500 --> 00:00:01,500\nHello \U0001f600\n"},
        ),
        id="glyph-missing-from-font",
    ),
    pytest.param(
        Case(
            edit(
                "    subtitles: {burn: en",
                '    title: {text: "Leaving \U0001f600"}\n    subtitles: {burn: en',
            ),
            "{cfg}:9: clips.c.title.text: ",
            "no glyph for '\U0001f600' (U+1F600) in 'Noto Sans' (expected a font that draws "
            "every character; set clips.c.title.font)",
        ),
        id="card-glyph-missing-from-font",
    ),
    pytest.param(
        Case(
            edit(
                "    subtitles: {burn: en",
                "    end: {text: Thanks, font: No Such Font Family}\n    subtitles: {burn: en",
            ),
            "{cfg}:9: clips.c.end.text: ",
            "font 'No Such Font Family' is not installed (expected an installed font family",
        ),
        id="card-font-missing",
    ),
    # --- outputs
    pytest.param(
        Case(
            edit("output: out", "output: src.mp4/out", NO_SUBS),
            "{cfg}:2: output: {dir}/src.mp4/out/c: ",
            "cannot create the output folder (Not a directory; expected a folder that can be "
            "written to)",
        ),
        id="output-folder-is-a-file",
    ),
    pytest.param(
        Case(
            edit("output: out", "output: ro/out", NO_SUBS),
            "{cfg}:2: output: {dir}/ro/out/c: ",
            "cannot create the output folder (",
            readonly="ro",
        ),
        id="unwritable-output-folder",
    ),
    pytest.param(
        Case(
            edit("src.mp4", "out/c/c.r.nosubs.mp4", NO_SUBS),
            "{cfg}:2: output: ",
            "output {dir}/out/c/c.r.nosubs.mp4 would overwrite an input (expected an output "
            "folder apart from the sources)",
            files={"out/c/c.r.nosubs.mp4": "good"},
        ),
        id="output-equals-source",
    ),
    pytest.param(
        Case(
            edit("en: s.en.srt", "en: out/c/c.en.srt"),
            "{cfg}:2: output: ",
            "output {dir}/out/c/c.en.srt would overwrite an input (expected an output folder "
            "apart from the sources)",
            files={"out/c/c.en.srt": SRT},
        ),
        id="sidecar-equals-subtitle-input",
    ),
]


@pytest.fixture(scope="session")
def bad_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Generated media by name: a good source and broken ones made from it."""
    need_ffmpeg()
    folder = once(tmp_path_factory, "bad-media", make_bad_media)
    return {p.name.split(".")[0]: p for p in folder.iterdir() if p.name != ".done"}


def make_bad_media(folder: Path) -> None:
    good = make_media(folder / "good.mp4", seconds=3)  # index (moov) at the end
    fast = folder / "fast.tmp.mp4"
    ffmpeg("-i", good, "-c", "copy", "-movflags", "+faststart", fast)
    (folder / "truncated-tail.mp4").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    (folder / "truncated-data.mp4").write_bytes(fast.read_bytes()[: fast.stat().st_size // 2])
    fast.unlink()
    (folder / "noise.mp4").write_bytes(bytes((i * 7919 + 13) % 251 for i in range(20000)))
    shutil.copyfile(good, folder / "binary.mp4")
    ffmpeg("-f", "lavfi", "-i", "sine=duration=3", "-c:a", "aac", folder / "audio-only.m4a")
    ffmpeg("-i", good, "-an", "-c", "copy", folder / "video-only.mp4")


def setup_case(folder: Path, case: Case, media: Mapping[str, Path]) -> Path:
    """Write a case's config and files into ``folder``; return the config's path."""
    files: dict[str, str | bytes] = {"src.mp4": "good", "s.en.srt": SRT}
    files.update(case.files)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content == MISSING:
            continue
        if content == FOLDER:
            path.mkdir()
        elif isinstance(content, str) and content in media:
            shutil.copyfile(media[content], path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    config = folder / CONFIG
    if case.config is not None and not config.exists():
        if isinstance(case.config, bytes):
            config.write_bytes(case.config)
        else:
            config.write_text(case.config, encoding="utf-8")
    return config


def run_build(
    config: Path, args: tuple[str, ...], readonly: Path | None
) -> subprocess.CompletedProcess[str]:
    """`build-clip CONFIG ARGS`, with ``readonly`` mounted read-only (root ignores modes)."""
    argv = [BUILD_CLIP, str(config), *args]
    if readonly is not None:
        if os.geteuid() != 0:
            readonly.chmod(0o555)
        elif shutil.which("unshare"):
            script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
            argv = ["unshare", "-m", "sh", "-c", script, "sh", str(readonly), *argv]
        else:
            pytest.skip("needs unshare(1) to make a read-only folder as root")
    return subprocess.run(argv, capture_output=True, text=True, check=False, cwd=config.parent)


def check(result: subprocess.CompletedProcess[str], case: Case, config: Path) -> str:
    """The common promises of a bad input; returns the error line."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    prefix = "error: " + case.prefix.format(cfg=config, dir=config.parent)
    assert line.startswith(prefix), f"{line!r} does not start with {prefix!r}"
    assert case.says.format(dir=config.parent) in line
    assert any(w in line for w in ("expected", "should be", "missing required key")), line
    assert result.returncode == case.code, result.stderr
    return line


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: Case, tmp_path: Path, bad_media: dict[str, Path]) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    config = setup_case(folder, case, bad_media)
    if case.readonly:
        (folder / case.readonly).mkdir()
    shared = {name: sha256(p) for name, p in bad_media.items()}
    before = tree_hashes(folder)
    result = run_build(config, case.args, folder / case.readonly if case.readonly else None)
    if case.readonly:
        (folder / case.readonly).chmod(0o755)
    check(result, case, config)
    assert tree_hashes(folder) == before  # nothing written, nothing changed
    assert {name: sha256(p) for name, p in bad_media.items()} == shared


QUOTE_CONFIG = """\
version: 1
output: out
sources:
  s: {interview}
transcription: {{language: en}}
clips:
  c:
    cuts:
      - {{source: s, quote: "{quote}"}}
renditions:
  r: {{size: 160x90, preset: ultrafast}}
"""
QUOTES = {
    "it was all a lie from the start": (
        "'it was all a lie from the start' is not said in source 's' (expected words from its "
        "transcript, the first and last exactly as heard; nearest: 00:"
    ),
    "I was": "'I was' is said 5 times in source 's' (1: 00:",
}


@pytest.mark.slow
@pytest.mark.xdist_group("sample")
def test_bad_quotes(tmp_path: Path, interview: Path) -> None:
    """A quote not found, and an ambiguous one, on the sample's transcript (made once, in the
    shared cache). One test for both, so that one worker makes the sample."""
    source = sha256(interview)
    for n, (quote, says) in enumerate(QUOTES.items()):
        folder = tmp_path / str(n)
        folder.mkdir()
        config = folder / CONFIG
        config.write_text(QUOTE_CONFIG.format(interview=interview, quote=quote), encoding="utf-8")
        result = run_build(config, (), None)
        line = check(result, Case(None, "{cfg}:9: clips.c.cuts[0].quote: ", says), config)
        assert line.endswith(")")
        assert not (folder / "out").exists()
    assert sha256(interview) == source
