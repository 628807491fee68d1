"""End to end through the `build-clip` command on generated media, checked with ffprobe."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest

from pipeline.run.commands import NOTE
from tests.conftest import BUILD_CLIP, frame_at, probe, run_cli, write

pytestmark = [pytest.mark.ffmpeg, pytest.mark.xdist_group("e2e")]

SRT_WIDE = """1
00:00:01,000 --> 00:00:03,000
First cue on the wide source

2
00:00:06,000 --> 00:00:07,500
Second cue
"""
SRT_SMALL = "1\n00:00:00,500 --> 00:00:02,000\nSmall source speaks\n"


def config(tmp: Path, wide: Path, small: Path, cuts: str, burn: str = "en") -> Path:
    write(tmp / "wide.en.srt", SRT_WIDE)
    write(tmp / "small.en.srt", SRT_SMALL)
    return write(
        tmp / "clip.yaml",
        f"""\
version: 1
output: out
sources:
  wide: {{file: {wide}, subtitles: {{en: wide.en.srt}}}}
  small: {{file: {small}, subtitles: {{en: small.en.srt}}}}
clips:
  demo:
    cuts:
{cuts}
    subtitles: {{burn: {burn}, languages: {{en: source}}}}
renditions:
  land: {{size: 640x360, preset: ultrafast}}
""",
    )


MIXED = """\
      - {source: wide, start: "00:00:00.500", end: "00:00:04.000"}
      - {source: small, start: 1, end: "00:00:03.500"}
      - {source: wide, start: "00:00:05", end: "00:00:07:10"}
"""


def durations(path: Path) -> tuple[float, float, float, dict[str, object]]:
    info = probe(path)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    return (
        float(info["format"]["duration"]),
        float(video["duration"]),
        float(audio["duration"]),
        info,
    )


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, wide: Path, small: Path) -> Path:
    tmp = tmp_path_factory.mktemp("mixed")
    result = run_cli(config(tmp, wide, small, MIXED))
    assert result.returncode == 0, result.stderr
    return tmp / "out" / "demo" / "demo.land.en.mp4"


def test_mixed_sources_duration_and_sync(mixed: Path) -> None:
    total, video, audio, info = durations(mixed)
    cuts = 3.5 + 2.5 + 2.4  # the last cut ends at 7 s + 10 frames at 25 fps
    frame = 1 / 25
    assert abs(video - cuts) <= frame
    assert abs(audio - video) <= frame
    assert abs(total - cuts) <= frame
    streams = info["streams"]
    # Video, audio, and every language as a soft track tagged with its ISO 639-2 code.
    assert [s["codec_type"] for s in streams] == ["video", "audio", "subtitle"]  # type: ignore[index]
    v, a, sub = streams  # type: ignore[misc]
    assert (sub["codec_name"], sub["tags"]["language"]) == ("mov_text", "eng")
    assert (v["width"], v["height"], v["r_frame_rate"], v["pix_fmt"]) == (
        640,
        360,
        "25/1",
        "yuv420p",
    )
    assert (a["sample_rate"], a["channels"], a["codec_name"]) == ("48000", 2, "aac")


def test_no_identifying_tags(mixed: Path) -> None:
    info = probe(mixed)
    tags = dict(info["format"].get("tags", {}))
    for stream in info["streams"]:
        tags.update({f"stream.{k}": v for k, v in stream.get("tags", {}).items()})
    for key in tags:
        assert not any(bad in key for bad in ("location", "encoder", "creation_time", "title"))
    handlers = {s.get("tags", {}).get("handler_name") for s in info["streams"]}
    assert handlers == {"VideoHandler", "SoundHandler", "SubtitleHandler"}  # ffmpeg's defaults
    assert b"SecretCam" not in mixed.read_bytes()


def test_subtitle_pixels_only_while_a_cue_shows(
    mixed: Path, tmp_path: Path, wide: Path, small: Path
) -> None:
    plain = config(tmp_path, wide, small, MIXED, burn="none")
    assert run_cli(plain).returncode == 0
    nosubs = tmp_path / "out" / "demo" / "demo.land.nosubs.mp4"
    bottom = slice(640 * 290, 640 * 350)  # the band where bottom-centre subtitles are drawn

    def changed(at: float) -> int:
        a, b = frame_at(mixed, at)[bottom], frame_at(nosubs, at)[bottom]
        return sum(1 for x, y in zip(a, b, strict=True) if abs(x - y) > 64)

    # Clip 0.5-2.5 s shows cue 1 and 3.5-4.5 s the small source's cue; none at 3.2 s or 6.0 s.
    assert changed(1.5) > 300
    assert changed(4.0) > 300
    assert changed(3.2) < 20
    assert changed(6.0) < 20


def test_sidecars_in_clip_time(mixed: Path) -> None:
    srt = (mixed.parent / "demo.en.srt").read_text(encoding="utf-8")
    assert srt.startswith("1\n00:00:00,500 --> 00:00:02,500\nFirst cue on the wide source\n")
    # Cut 1 lasts 3.5 s = 87.5 frames; the second cut starts on frame 88, at 3.52 s.
    assert "00:00:03,520 --> 00:00:04,520\nSmall source speaks" in srt
    assert (mixed.parent / "demo.en.vtt").read_text(encoding="utf-8").startswith("WEBVTT\n")


def test_dry_run_prints_commands_and_writes_nothing(
    tmp_path: Path, wide: Path, small: Path
) -> None:
    result = run_cli(config(tmp_path, wide, small, MIXED), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "render " in result.stdout and "-filter_complex" in result.stdout
    assert not (tmp_path / "out").exists()


def ran_commands(stderr: str) -> list[list[str]]:
    """The commands a build logged with ``--debug`` (pipeline/core/ffmpeg.py ``run``, and the
    output scan of pipeline/analysis/media.py ``measure_output``), as argv lists, with what a
    dry run cannot know in its place (pipeline/run/commands.py): the temp folder's random
    name, the partial file beside the output, the gain the measuring pass decided."""
    commands = []
    for line in stderr.splitlines():
        head, sep, command = line.partition(": ")
        program, sep2, rest = command.partition(": ")
        if head != "DEBUG" or not sep or not sep2 or program not in ("ffmpeg", "ffprobe"):
            continue
        argv = []
        for arg in shlex.split(rest):
            arg = re.sub(r"build-clip-[a-z0-9_]{8}", "build-clip-XXXXXXXX", arg)
            arg = re.sub(r"/\.([^/]+)\.[a-z0-9_]{8}\.partial\.mp4", r"/\1.mp4", arg)
            arg = re.sub(r"volume=-?[0-9.]+dB", "MEASURED_GAIN", arg)
            argv.append(arg)
        commands.append(argv)
    return commands


def test_dry_run_lists_the_commands_the_build_runs(tmp_path: Path, wide: Path, small: Path) -> None:
    """`--dry-run` prints every command a render runs, in order and with the same arguments:
    the loudness measuring pass, the render with the measured gain, the output scan."""
    cfg = config(tmp_path, wide, small, MIXED)
    dry = run_cli(cfg, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    listed = [
        shlex.split(line.strip())
        for line in dry.stdout.splitlines()
        if line.startswith("  ") and not line.startswith("  #")
    ]
    build = run_cli(cfg, "--debug")
    assert build.returncode == 0, build.stderr
    ran = ran_commands(build.stderr)
    assert [argv[0] for argv in ran] == [argv[0] for argv in listed]
    assert len(ran) == 4  # measure, render, then ffprobe and ebur128 scan the output
    assert "ebur128=peak=true" in ran[0][ran[0].index("-filter_complex") + 1]
    assert "MEASURED_GAIN" in ran[1][ran[1].index("-filter_complex") + 1]
    assert ran == listed
    assert f"  {NOTE}" in dry.stdout.splitlines()


def test_cut_past_the_end_is_a_located_error(tmp_path: Path, wide: Path, small: Path) -> None:
    cuts = '      - {source: wide, start: 1, end: "00:00:30"}\n'
    result = run_cli(config(tmp_path, wide, small, cuts))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {tmp_path}/clip.yaml:9: clips.demo.cuts[0].end: 00:00:30 is past the end of "
        "source 'wide' (expected at most 00:00:12.000)"
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_bad_source_is_reported_before_rendering(tmp_path: Path, wide: Path, small: Path) -> None:
    text_file = write(tmp_path / "notes.mp4", "not a video")
    result = run_cli(config(tmp_path, text_file, small, MIXED))
    assert result.returncode == 2
    line = result.stderr.strip()
    assert line.startswith(
        f"error: {tmp_path}/clip.yaml:4: sources.wide: {text_file}: not a readable media file"
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_output_equal_to_a_source_is_refused(tmp_path: Path, wide: Path, small: Path) -> None:
    victim = tmp_path / "out" / "demo" / "demo.land.en.mp4"
    victim.parent.mkdir(parents=True)
    victim.write_bytes(wide.read_bytes())
    cfg = config(tmp_path, victim, small, "      - {source: wide, start: 1, end: 2}\n")
    before = victim.read_bytes()
    result = run_cli(cfg)
    assert result.returncode == 2
    assert "would overwrite an input" in result.stderr
    assert victim.read_bytes() == before


def test_ffmpeg_failure_leaves_no_partial_file(tmp_path: Path, wide: Path, small: Path) -> None:
    cfg = config(tmp_path, wide, small, MIXED)
    env = {
        **os.environ,
        "FFMPEG_PATH": str(
            write(
                tmp_path / "ffmpeg",
                "#!/bin/sh\necho 'Conversion failed: disk on fire' >&2\nexit 1\n",
            )
        ),
    }
    os.chmod(env["FFMPEG_PATH"], 0o755)
    result = subprocess.run(
        [BUILD_CLIP, str(cfg)], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 1
    assert result.stderr.strip().endswith("ffmpeg failed (exit 1): Conversion failed: disk on fire")
    assert [p.name for p in (tmp_path / "out" / "demo").iterdir() if p.suffix == ".mp4"] == []


def _size(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except FileNotFoundError:  # renamed or removed since it was listed
        return 0


def test_interrupt_leaves_no_partial_file(tmp_path: Path, wide: Path, small: Path) -> None:
    cfg = config(tmp_path, wide, small, MIXED)
    # A slow encode, so that the interrupt surely lands mid-render.
    cfg.write_text(cfg.read_text().replace("640x360, preset: ultrafast", "1920x1080, preset: slow"))
    proc = subprocess.Popen(
        [BUILD_CLIP, str(cfg)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    folder = tmp_path / "out" / "demo"
    deadline = time.monotonic() + 20
    # The MP4's own partial file, being encoded (not a sidecar's, written after the rename).
    while time.monotonic() < deadline and not any(
        _size(p) > 0 for p in folder.glob(".demo.land.en.*.partial.mp4")
    ):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert not list(folder.glob("*.mp4")) and not list(folder.glob(".*partial*"))


def test_dissolves_shorten_the_clip_by_exactly_their_overlap(
    tmp_path: Path, wide: Path, small: Path
) -> None:
    cfg = config(tmp_path, wide, small, MIXED)
    text = cfg.read_text().replace("  demo:\n", "  demo:\n    transition: {duration: 0.4}\n")
    cfg.write_text(text)
    assert run_cli(cfg).returncode == 0
    total, video, audio, _ = durations(tmp_path / "out" / "demo" / "demo.land.en.mp4")
    expected = 3.5 + 2.5 + 2.4 - 2 * 0.4  # two transitions of 10 frames each
    assert abs(video - expected) <= 1 / 25 and abs(audio - video) <= 1 / 25
    assert abs(total - expected) <= 1 / 25
    cfg.write_text(text.replace("duration: 0.4", "duration: 1.5"))
    result = run_cli(cfg)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "clips.demo.transition.duration: cut 2 lasts 2.5 s, too short for 1.5 s transitions "
        "at both ends (expected cuts longer than twice the transition)"
    )


def test_branding_cards_bumper_and_logo(tmp_path: Path, wide: Path, small: Path) -> None:
    logo = tmp_path / "logo.png"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=0xFF00FF:s=100x50",
            "-frames:v",
            "1",
            str(logo),
        ],
        check=True,
    )
    cfg = config(tmp_path, wide, small, MIXED, burn="[en, nosubs]")
    text = cfg.read_text().replace(
        "  demo:\n",
        (
            "  demo:\n    title: {text: \"Why: 'it was all lies', 100% [sic]; end\", duration: 1}\n"
            '    end: {text: "قال لي Haris إن العالم ضدنا منذ 2015.", duration: 1.2}\n'
        ),
    )
    text = text.replace(
        "clips:\n",
        f"branding:\n  intro: {small}\n  logo: {{file: {logo}, "
        "position: top-left, width: 0.2, opacity: 1}\nclips:\n",
    )
    cfg.write_text(text)
    result = run_cli(cfg)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out" / "demo"
    _, video, audio, _ = durations(out / "demo.land.nosubs.mp4")
    expected = 8 + 1 + (3.5 + 2.5 + 2.4) + 1.2  # intro, title, cuts, end card
    assert abs(video - expected) <= 1 / 25 and abs(audio - video) <= 1 / 25
    # Subtitles shift past the intro and the title card (9 s).
    assert "00:00:09,500 --> 00:00:11,500\nFirst cue" in (out / "demo.en.srt").read_text()
    # The logo's magenta in the top-left corner, over the cuts and the cards alike.
    for at in (9.5 + 2, 18.0):
        frame = subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-ss",
                str(at),
                "-i",
                str(out / "demo.land.nosubs.mp4"),
                "-frames:v",
                "1",
                "-vf",
                "crop=20:10:50:30",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "rgb24",
                "-",
            ],
            capture_output=True,
            check=True,
        ).stdout
        r, g, b = frame[0], frame[1], frame[2]
        assert r > 200 and g < 60 and b > 200, (at, r, g, b)
