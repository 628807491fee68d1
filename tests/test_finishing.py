"""Finishing and protection, end to end through `build-clip`, checked from the outside.

Fit modes and focus (pixel probes), subtitle layout per rendition, two-pass loudness (EBU
R128 measured by ffmpeg's ``ebur128``), redaction of sound (tones measured with numpy), of
subtitle text (sidecars and soft tracks) and of picture regions, the privacy of outputs
made from phone footage, and what the manifest records. Media are tiny and made by lavfi;
each module fixture renders once and is checked by several tests.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pipeline.config.load import load
from pipeline.prepare.plan import plan_build
from tests.conftest import BUILD_CLIP, SAMPLES, need_ffmpeg, probe, run_cli, write

pytestmark = [pytest.mark.ffmpeg, pytest.mark.xdist_group("finishing")]

SR = 48000
FFMPEG = ("ffmpeg", "-nostdin", "-v", "error", "-y")


# --- media and measurements ------------------------------------------------------------


def lavfi(path: Path, video: str, audio: str, *extra: str) -> Path:
    """An H.264/AAC file from lavfi sources (``extra`` goes before the output path)."""
    need_ffmpeg()
    # fmt: off
    subprocess.run(
        [*FFMPEG, "-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio,
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "192k", *extra, str(path)],
        check=True,
    )
    # fmt: on
    return path


def gray(path: Path, n: int, vf: str = "") -> np.ndarray:
    """Frame ``n`` (exactly, by index) as gray pixels, rows x columns."""
    chain = f"select=eq(n\\,{n})" + (f",{vf}" if vf else "")
    # fmt: off
    out = subprocess.run(
        [*FFMPEG, "-i", str(path), "-vf", chain, "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    ).stdout
    # fmt: on
    w, h = frame_size(path) if not vf else _size_of(vf)
    return np.frombuffer(out, np.uint8).reshape(h, w).astype(np.float64)


def _size_of(vf: str) -> tuple[int, int]:
    w, h = re.findall(r"crop=(\d+):(\d+)", vf)[-1]
    return int(w), int(h)


@functools.cache
def frame_size(path: Path) -> tuple[int, int]:
    video = next(s for s in probe(path)["streams"] if s["codec_type"] == "video")
    return int(video["width"]), int(video["height"])


def sharpness(pixels: np.ndarray) -> float:
    """Mean squared difference of horizontal neighbours: high for edges, low when blurred."""
    return float(np.mean(np.diff(pixels, axis=1) ** 2))


def assert_only_tone(x: np.ndarray, spans: Sequence[tuple[int, int]]) -> None:
    """Nothing but the 1 kHz bleep inside each span (ms) of ``x``: the name is gone. Read 25 ms
    in from each edge, away from the AAC codec's smearing of the switch."""
    for start, end in spans:
        inside = x[round(start / 1000 * SR) + 1200 : round(end / 1000 * SR) - 1200]
        spectrum = np.abs(np.fft.rfft(inside)) ** 2
        hz = np.fft.rfftfreq(len(inside), 1 / SR)
        bleep = spectrum[(hz > 950) & (hz < 1050)].sum()
        assert spectrum.sum() - bleep < 0.01 * bleep, (start, end)


def pcm(path: Path) -> np.ndarray:
    """The first audio track, decoded to mono float samples at 48 kHz."""
    # fmt: off
    out = subprocess.run(
        [*FFMPEG, "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(SR),
         "-f", "f32le", "-"],
        capture_output=True, check=True,
    ).stdout
    # fmt: on
    return np.frombuffer(out, np.float32).astype(np.float64)


WINDOW = SR // 40  # 25 ms: a whole number of periods of both 440 Hz and 1000 Hz


def tone(samples: np.ndarray, hz: float) -> float:
    """Amplitude of one frequency in a stretch of samples (a single DFT bin)."""
    n = np.arange(len(samples))
    return float(2 * abs(np.dot(samples, np.exp(-2j * np.pi * hz * n / SR))) / len(samples))


def tones(samples: np.ndarray, hz: float, start: float, end: float) -> np.ndarray:
    """Amplitude of ``hz`` in each 25 ms window from ``start`` to ``end`` seconds."""
    return np.array(
        [
            tone(samples[i : i + WINDOW], hz)
            for i in range(round(start * SR), round(end * SR), WINDOW)
        ]
    )


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) by ffmpeg's ebur128 filter."""
    # fmt: off
    err = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
         "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr
    # fmt: on
    summary = err[err.rfind("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary)
    assert integrated and peak, summary
    return float(integrated.group(1)), float(peak.group(1))


def loudness_range(path: Path) -> float:
    """The loudness range (LU) by ffmpeg's ebur128 filter."""
    # fmt: off
    err = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
         "-af", "ebur128", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr
    # fmt: on
    found = re.search(r"LRA:\s+([\d.]+) LU", err[err.rfind("Summary:") :])
    assert found, err
    return float(found.group(1))


def build(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_cli(config, *args)
    assert result.returncode == 0, result.stderr
    return result


def build_all(configs: Sequence[Path]) -> dict[Path, str]:
    """Build several configs at once (each is a separate `build-clip`); their stderr."""
    procs = [
        subprocess.Popen(
            [BUILD_CLIP, str(c)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for c in configs
    ]
    logs = {}
    for config, proc in zip(configs, procs, strict=True):
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        logs[config] = err
    return logs


def manifest(folder: Path, clip: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (folder / clip / f"{clip}.manifest.json").read_text(encoding="utf-8")
    )
    return data


# --- 1. fit modes and focus --------------------------------------------------------------

FIT_RENDITIONS = {
    "land": ("640x360", "pad", None),
    "square": ("360x360", "pad", None),
    "vpad": ("360x640", "pad", None),
    "vcrop": ("360x640", "crop", None),
    "vblur": ("360x640", "blur", None),
    "vleft": ("360x640", "crop", "[0, 0.5]"),
    "vright": ("360x640", "crop", "[1, 0.5]"),
}
N = 12  # the frame probed: the cut starts at 0 at the source's rate, so it is source frame 12


@pytest.fixture(scope="module")
def fit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("fit")
    src = lavfi(
        tmp / "wide.mp4",
        "testsrc2=size=1280x720:rate=25:duration=2",
        "sine=frequency=440:sample_rate=48000:duration=2",
    )
    renditions = "".join(
        f"  {name}: {{size: {size}, fit: {mode}, preset: ultrafast"
        + (f", focus: {focus}" if focus else "")
        + "}\n"
        for name, (size, mode, focus) in FIT_RENDITIONS.items()
    )
    cfg = write(
        tmp / "fit.yaml",
        f"""\
version: 1
output: out
sources:
  wide: {src}
clips:
  fit:
    cuts:
      - {{source: wide, start: 0, end: 1}}
renditions:
{renditions}audio: {{loudness: null}}
""",
    )
    build(cfg)
    outputs = {name: tmp / "out" / "fit" / f"fit.{name}.nosubs.mp4" for name in FIT_RENDITIONS}
    return {"source": src, **outputs}


def test_every_rendition_has_its_frame_size(fit: dict[str, Path]) -> None:
    for name, (size, _, _) in FIT_RENDITIONS.items():
        w, h = map(int, size.split("x"))
        assert frame_size(fit[name]) == (w, h), name


def test_pad_puts_black_bars_above_and_below(fit: dict[str, Path]) -> None:
    # 1280x720 scaled into 360 wide is 202 high: 219 rows of bars above and below in 9:16,
    # 79 in 1:1; 16:9 into 16:9 needs none.
    vpad = gray(fit["vpad"], N)
    assert vpad[:210].max() < 30 and vpad[-210:].max() < 30
    assert vpad[230:410].mean() > 60
    square = gray(fit["square"], N)
    assert square[:75].max() < 30 and square[-75:].max() < 30
    assert square[90:270].mean() > 60
    assert gray(fit["land"], N)[:20].mean() > 60


def test_crop_fills_the_frame(fit: dict[str, Path]) -> None:
    for name in ("vcrop", "vleft", "vright"):
        frame = gray(fit[name], N)
        assert frame[:40].mean() > 40 and frame[-40:].mean() > 40, name


def test_blur_fills_the_bars_with_a_blurred_copy(fit: dict[str, Path]) -> None:
    blur, crop, pad = gray(fit["vblur"], N), gray(fit["vcrop"], N), gray(fit["vpad"], N)
    top = slice(0, 200)
    assert blur[top].mean() > 40  # not bars
    # The background is the centre of the picture, like the crop, but without its sharp
    # edges (testsrc2's colour bars).
    assert sharpness(blur[top]) < 0.1 * sharpness(crop[top])
    # The picture itself is the padded one, in the middle.
    assert np.abs(blur[225:415] - pad[225:415]).mean() < 4


def test_crop_focus_keeps_the_chosen_side(fit: dict[str, Path]) -> None:
    left, right = gray(fit["vleft"], N), gray(fit["vright"], N)
    assert np.abs(left - right).mean() > 30
    # The source scaled to 640 high is 1138 wide: focus 0 keeps its left 360 columns,
    # focus 1 its right 360 columns.
    ref_left = gray(fit["source"], N, "scale=-2:640,crop=360:640:0:0")
    ref_right = gray(fit["source"], N, "scale=-2:640,crop=360:640:iw-360:0")
    assert np.abs(left - ref_left).mean() < 6 < np.abs(left - ref_right).mean()
    assert np.abs(right - ref_right).mean() < 6 < np.abs(right - ref_left).mean()


# --- 2. subtitle layout per rendition ----------------------------------------------------

CUE_66 = "We left the city at night and walked for three days to the border."
CUE_80 = "We left the city at night and walked for three days until we reached the border."
LAYOUT_SRT = f"""\
1
00:00:00,200 --> 00:00:01,800
{CUE_66}

2
00:00:02,200 --> 00:00:03,800
{CUE_80}
"""


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain grey picture with two long cues, burned in 16:9 (first) and 9:16."""
    tmp = tmp_path_factory.mktemp("layout")
    src = lavfi(
        tmp / "grey.mp4",
        "color=c=gray:size=640x360:rate=25:duration=4",
        "sine=frequency=440:sample_rate=48000:duration=4",
    )
    write(tmp / "grey.en.srt", LAYOUT_SRT)
    cfg = write(
        tmp / "layout.yaml",
        f"""\
version: 1
output: out
sources:
  grey: {{file: {src}, subtitles: {{en: grey.en.srt}}}}
clips:
  talk:
    cuts:
      - {{source: grey, start: 0, end: 4}}
    subtitles: {{burn: en, languages: {{en: source}}}}
renditions:
  land: {{size: 640x360, preset: ultrafast}}
  vert: {{size: 360x640, fit: crop, preset: ultrafast}}
audio: {{loudness: null}}
""",
    )
    build(cfg)
    return cfg


def cues_by_rendition(cfg: Path) -> dict[str, Any]:
    plan = plan_build(load(cfg))
    return {job.rendition: job for job in plan.jobs}


def text_rows(frame: np.ndarray) -> list[tuple[int, int]]:
    """Runs of rows holding white subtitle fill (the grey background is 128, outlines black)."""
    rows = (frame > 200).any(axis=1)
    runs, start = [], None
    for y, lit in enumerate([*rows, False]):
        if lit and start is None:
            start = y
        elif not lit and start is not None:
            runs.append((start, y))
            start = None
    return runs


def test_each_rendition_lays_out_its_own_lines(layout: Path) -> None:
    jobs = cues_by_rendition(layout)
    land, vert = jobs["land"].cues[0].text.split("\n"), jobs["vert"].cues[0].text.split("\n")
    assert len(land) == 2 and max(map(len, land)) <= 42, land
    assert len(vert) == 3 and max(map(len, vert)) <= 25, vert
    assert " ".join(vert) == " ".join(land) == CUE_66
    # A smaller font (a share of the frame height) and a 20 % bottom margin in 9:16.
    land_style, vert_style = jobs["land"].style, jobs["vert"].style
    assert vert_style.font_px / 640 < 0.75 * land_style.font_px / 360
    assert vert_style.margin_px == round(0.2 * 640)
    # The sidecars are written once, from the first rendition (16:9).
    srt = (layout.parent / "out" / "talk" / "talk.en.srt").read_text(encoding="utf-8")
    assert "\n".join(land) in srt


def test_a_long_cue_uses_the_fewest_lines_that_fit(layout: Path) -> None:
    land = cues_by_rendition(layout)["land"].cues[1].text.split("\n")
    assert len(land) == 2 and max(map(len, land)) <= 42, land


def test_burned_16_9_frame_shows_the_cue_on_two_lines(layout: Path) -> None:
    frame = gray(layout.parent / "out" / "talk" / "talk.land.en.mp4", 25)
    runs = text_rows(frame)
    assert len(runs) == 2, runs
    # Bottom margin 8 % of 360 = 29 px; the last line has no descenders.
    assert 360 - 29 - 22 <= runs[-1][1] <= 360 - 29


def test_burned_9_16_text_is_smaller_and_clear_of_the_bottom_fifth(layout: Path) -> None:
    land = text_rows(gray(layout.parent / "out" / "talk" / "talk.land.en.mp4", 25))
    vert = text_rows(gray(layout.parent / "out" / "talk" / "talk.vert.en.mp4", 25))
    assert vert and vert[-1][1] <= 640 * 0.8
    assert vert[-1][1] >= 640 * 0.8 - 30  # near the margin, not floating mid-frame
    tallest = max(b - a for a, b in vert) / 640, max(b - a for a, b in land) / 360
    assert tallest[0] < 0.8 * tallest[1]


def test_burned_9_16_frame_shows_the_cue_on_three_lines(layout: Path) -> None:
    runs = text_rows(gray(layout.parent / "out" / "talk" / "talk.vert.en.mp4", 25))
    assert len(runs) == 3, runs


# --- 3. loudness -------------------------------------------------------------------------

# A quiet 440 Hz tone in a syllable rhythm (about -30 LUFS) with a 1 ms click each second
# whose peak (-6 dBFS) would clip after the gain: the true-peak limit has work to do.
TONE = "0.034*sin(2*PI*440*t)*if(lt(mod(t\\,1)\\,0.5)\\,1\\,0.3)"
QUIET = f"aevalsrc='{TONE}+0.5*lt(mod(t+0.25\\,1)\\,0.001)*sin(2*PI*1000*t)':s=48000:d=4:c=stereo"
GENTLE = f"aevalsrc='{TONE}':s=48000:d=4:c=stereo"  # the same without the click
TARGETS = {  # config: (source, audio settings)
    "default": ("quiet", ""),
    "quieter": ("quiet", "audio: {loudness: -20}\n"),
    "unchanged": ("quiet", "audio: {loudness: null}\n"),
    "gentle": ("gentle", ""),
}


@pytest.fixture(scope="module")
def loud(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("loud")
    black = "color=c=black:size=160x120:rate=25:duration=4"
    sources = {"quiet": lavfi(tmp / "quiet.mp4", black, QUIET)}
    sources["gentle"] = lavfi(tmp / "gentle.mp4", black, GENTLE)
    configs = [
        write(
            tmp / f"{name}.yaml",
            f"""\
version: 1
output: {name}
sources:
  quiet: {sources[source]}
clips:
  talk:
    cuts:
      - {{source: quiet, start: 0, end: 4}}
renditions:
  main: {{size: 160x120, preset: ultrafast}}
{extra}""",
        )
        for name, (source, extra) in TARGETS.items()
    ]
    logs = build_all(configs)
    (tmp / "logs").mkdir()
    for config, err in logs.items():
        write(tmp / "logs" / f"{config.stem}.txt", err)
    return {
        "source": sources["quiet"],
        "gentle source": sources["gentle"],
        **{n: tmp / n / "talk" / "talk.main.nosubs.mp4" for n in TARGETS},
        **{f"{n} log": tmp / "logs" / f"{n}.txt" for n in TARGETS},
    }


def test_source_is_quiet(loud: dict[str, Path]) -> None:
    integrated, peak = ebur128(loud["source"])
    assert -31.5 <= integrated <= -28.5
    assert peak > -7


def test_default_target_is_minus_16_lufs_under_the_true_peak_limit(
    loud: dict[str, Path],
) -> None:
    integrated, peak = ebur128(loud["default"])
    assert abs(integrated - -16) <= 1
    assert peak <= -1.5


def test_a_target_of_minus_20(loud: dict[str, Path]) -> None:
    integrated, peak = ebur128(loud["quieter"])
    assert abs(integrated - -20) <= 1
    assert peak <= -1.5


def test_one_gain_reaches_the_target_when_the_peaks_allow_it(loud: dict[str, Path]) -> None:
    """Without the click, -16 LUFS is 14 dB up and the peaks stay under -1.5 dBTP: the
    level is set by one gain (linear), so it lands on the target and the loudness range is
    the source's, and nothing is compressed."""
    integrated, peak = ebur128(loud["gentle"])
    assert abs(integrated - -16) <= 0.3
    assert peak <= -1.5
    assert loudness_range(loud["gentle"]) == pytest.approx(
        loudness_range(loud["gentle source"]), abs=0.3
    )
    assert "compresses" not in loud["gentle log"].read_text(encoding="utf-8")


def test_the_build_warns_when_loudnorm_must_compress(loud: dict[str, Path]) -> None:
    log = loud["default log"].read_text(encoding="utf-8")
    assert log == (
        f"WARNING: {loud['default']}: one gain to -16.0 LUFS would put the true peak over "
        "-1.5 dBTP, so loudnorm compresses the loudest parts (its dynamic mode)\n"
    )


def test_loudness_null_leaves_levels_alone(loud: dict[str, Path]) -> None:
    source, _ = ebur128(loud["source"])
    integrated, _ = ebur128(loud["unchanged"])
    assert abs(integrated - source) <= 1


def test_manifest_records_loudness_and_its_target(loud: dict[str, Path]) -> None:
    for name, target in (("default", -16.0), ("quieter", -20.0), ("unchanged", None)):
        out = loud[name]
        record = manifest(out.parents[1], "talk")["outputs"][out.name]
        assert record["loudness"]["target_lufs"] == target
        integrated, peak = ebur128(out)
        assert record["loudness"]["integrated_lufs"] == pytest.approx(integrated, abs=0.15)
        assert record["loudness"]["true_peak_dbtp"] == pytest.approx(peak, abs=0.15)


# --- 4-6, 8. redaction: sound, subtitle text, picture; the manifest -------------------------

SRT_EN = """\
1
00:00:00,600 --> 00:00:01,400
Good morning everyone

2
00:00:01,700 --> 00:00:02,400
My friend Haris helped us

3
00:00:03,600 --> 00:00:04,400
We never saw him again
"""
SRT_BS = """\
1
00:00:01,600 --> 00:00:02,300
Moj prijatelj nam je pomogao

2
00:00:03,600 --> 00:00:04,400
Haris je ostao tamo
"""
NAME = "[name removed]"
UNIT = NAME.replace(" ", "\u00a0")  # as subtitles show it: one unit, never broken


@pytest.fixture(scope="module")
def redacted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three clips of one 440 Hz source, each cut from 0.5 s to 4.5 s (so source time 1.5 s is
    clip time 1 s): bleeped 1-2 s with text replaced and 0-3 s blurred; muted 1-2 s; plain.
    The same file under three source ids keeps the redactions apart."""
    tmp = tmp_path_factory.mktemp("redact")
    src = lavfi(
        tmp / "tone.mp4",
        "testsrc2=size=320x240:rate=25:duration=5",
        "sine=frequency=440:sample_rate=48000:duration=5",
        "-ac",
        "2",
    )
    write(tmp / "tone.en.srt", SRT_EN)
    write(tmp / "tone.bs.srt", SRT_BS)
    cfg = write(
        tmp / "redact.yaml",
        f"""\
version: 1
output: out
sources:
  tone: {{file: {src}, subtitles: {{en: tone.en.srt, bs: tone.bs.srt}}}}
  quiet: {src}
  plain: {src}
clips:
  bleep:
    cuts:
      - {{source: tone, start: 0.5, end: 4.5}}
    subtitles: {{burn: none, languages: {{en: source, bs: source}}}}
  mute:
    cuts:
      - {{source: quiet, start: 0.5, end: 4.5}}
  plain:
    cuts:
      - {{source: plain, start: 0.5, end: 4.5}}
renditions:
  main: {{size: 320x240, preset: ultrafast}}
audio: {{loudness: null}}
redact:
  - {{source: tone, start: 1.5, end: 2.5, audio: bleep, text: "{NAME}"}}
  - {{source: tone, start: 0.5, end: 3.5, blur: [0.25, 0.25, 0.5, 0.5]}}
  - {{source: quiet, start: 1.5, end: 2.5, audio: mute}}
""",
    )
    build(cfg)
    return tmp / "out"


def output(out: Path, clip: str) -> Path:
    return out / clip / f"{clip}.main.nosubs.mp4"


def test_redacted_outputs_keep_their_duration(redacted: Path) -> None:
    for clip in ("bleep", "mute", "plain"):
        info = probe(output(redacted, clip))
        assert float(info["format"]["duration"]) == pytest.approx(4.0, abs=0.001), clip
        for stream in info["streams"][:2]:
            assert float(stream["duration"]) == pytest.approx(4.0, abs=0.001), clip
        assert len(pcm(output(redacted, clip))) >= 4 * SR


def test_bleep_replaces_the_sound_inside_the_span(redacted: Path) -> None:
    x = pcm(output(redacted, "bleep"))
    ref = float(np.median(tones(x, 440, 0.2, 0.8)))
    assert ref > 0.05
    inside = (1.05, 1.95)
    assert tones(x, 440, *inside).max() < 0.01 * ref
    assert tones(x, 1000, *inside).min() > 0.1 * ref  # the bleep: a steady 1 kHz tone
    for outside in ((0.05, 0.95), (2.05, 3.95)):
        assert tones(x, 440, *outside).min() > 0.8 * ref, outside
        assert tones(x, 1000, *outside).max() < 0.01 * ref, outside


def test_bleep_sounds_at_about_minus_12_dbfs(redacted: Path) -> None:
    x = pcm(output(redacted, "bleep"))  # loudness: null, so no gain after the bleep
    assert float(np.median(tones(x, 1000, 1.2, 1.8))) == pytest.approx(0.25, rel=0.15)


def test_mute_silences_the_span_only(redacted: Path) -> None:
    x = pcm(output(redacted, "mute"))
    ref = float(np.median(tones(x, 440, 0.2, 0.8)))
    assert np.sqrt(np.mean(x[round(1.05 * SR) : round(1.95 * SR)] ** 2)) < 1e-3 * ref
    for outside in ((0.05, 0.95), (2.05, 3.95)):
        assert tones(x, 440, *outside).min() > 0.8 * ref, outside
        assert tones(x, 1000, *outside).max() < 0.01 * ref, outside  # no bleep


def edges(x: np.ndarray, hz: float, present_outside: bool) -> tuple[float, float]:
    """Where a tone that changes state once near 1 s and once near 2 s does so, to about a
    millisecond: the share of each 25 ms window in which it sounds, summed."""
    ref = float(np.median(tones(x, hz, 0.2, 0.8) if present_outside else tones(x, hz, 1.2, 1.8)))
    first = np.clip(tones(x, hz, 0.5, 1.5) / ref, 0, 1).sum() / 40
    second = np.clip(tones(x, hz, 1.5, 2.5) / ref, 0, 1).sum() / 40
    if present_outside:  # sounds from 0.5 s until the span, and from its end until 2.5 s
        return 0.5 + first, 2.5 - second
    return 1.5 - first, 1.5 + second  # sounds from the span's start until its end


def test_redaction_edges_are_sample_accurate(redacted: Path) -> None:
    bleeped, muted = pcm(output(redacted, "bleep")), pcm(output(redacted, "mute"))
    spans = {
        "bleep: sound cut": edges(bleeped, 440, present_outside=True),
        "bleep: tone": edges(bleeped, 1000, present_outside=False),
        "mute: sound cut": edges(muted, 440, present_outside=True),
    }
    for what, (start, end) in spans.items():
        assert start == pytest.approx(1.0, abs=0.003), (what, start, end)
        assert end == pytest.approx(2.0, abs=0.003), (what, start, end)


def soft_tracks(path: Path) -> dict[str, str]:
    """Each soft subtitle track of an MP4 as SRT text, by its language tag."""
    streams = [s for s in probe(path)["streams"] if s["codec_type"] == "subtitle"]
    return {
        s["tags"]["language"]: subprocess.run(
            [*FFMPEG, "-i", str(path), "-map", f"0:s:{k}", "-f", "srt", "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for k, s in enumerate(streams)
    }


def test_redacted_text_in_every_sidecar_and_soft_track(redacted: Path) -> None:
    folder = redacted / "bleep"
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("bleep.*.*t"))}
    assert sorted(texts) == ["bleep.bs.srt", "bleep.bs.vtt", "bleep.en.srt", "bleep.en.vtt"]
    tracks = soft_tracks(output(redacted, "bleep"))
    assert sorted(tracks) == ["bos", "eng"]
    texts |= {f"track {lang}": text for lang, text in tracks.items()}
    for where, text in texts.items():
        assert UNIT in text, where
        for said in ("My friend Haris", "Moj prijatelj"):
            assert said not in text, (where, said)
    # The cue over the redaction is replaced at its clip time (source 2.2 s = clip 1.7 s);
    # a timed redaction leaves the name where it is said outside its span.
    assert f"00:00:01,200 --> 00:00:01,900\n{UNIT}\n" in texts["bleep.en.srt"]
    assert "Haris je ostao tamo" in texts["bleep.bs.srt"]
    assert "Haris je ostao tamo" in texts["track bos"]


def test_a_longer_replacement_is_laid_out_again(tmp_path: Path) -> None:
    """'[name removed]' is longer than the name: the line it lands in would not fit."""
    src = lavfi(
        tmp_path / "talk.mp4",
        "color=c=black:size=320x240:rate=25:duration=4",
        "sine=frequency=440:sample_rate=48000:duration=4",
    )
    line = "Then my friend Haris took us to the border"  # 42 characters: the limit
    write(tmp_path / "talk.en.srt", f"1\n00:00:00,500 --> 00:00:03,500\n{line}\n")
    cfg = write(
        tmp_path / "long.yaml",
        f"""\
version: 1
output: out
sources:
  talk: {{file: {src}, subtitles: {{en: talk.en.srt}}}}
clips:
  long:
    cuts:
      - {{source: talk, start: 0, end: 4}}
    subtitles: {{burn: en, languages: {{en: source}}}}
renditions:
  main: {{size: 320x240, preset: ultrafast}}
audio: {{loudness: null}}
redact:
  - {{source: talk, words: [Haris], text: "{NAME}"}}
""",
    )
    build(cfg)
    srt = (tmp_path / "out" / "long" / "long.en.srt").read_text(encoding="utf-8")
    lines = srt.split("\n\n")[0].splitlines()[2:]
    assert " ".join(lines) == line.replace("Haris", UNIT)
    assert len(lines) == 2 and all(len(t) <= 42 for t in lines), lines
    check = run_cli("check", cfg, "--strict")
    assert check.returncode == 0, check.stdout + check.stderr


def test_blur_only_redaction_leaves_the_words_on_screen(redacted: Path) -> None:
    # 'Good morning everyone' (clip 0.1-0.9 s) overlaps only the blur (clip 0-3 s).
    srt = (redacted / "bleep" / "bleep.en.srt").read_text(encoding="utf-8")
    assert "Good morning everyone" in srt


def test_blur_hides_the_region_while_its_span_shows(redacted: Path) -> None:
    blurred, plain = output(redacted, "bleep"), output(redacted, "plain")
    region = (slice(60, 180), slice(80, 240))  # [0.25, 0.25, 0.5, 0.5] of 320x240
    for n in (0, 37, 74):  # frames in clip time 0-3 s
        a, b = gray(blurred, n), gray(plain, n)
        assert a[region].var() < 0.5 * b[region].var(), n
        assert sharpness(a[region]) < 0.1 * sharpness(b[region]), n
        outside = np.abs(a - b)
        outside[region] = 0
        assert outside.mean() < 1, n
    for n in (76, 90):  # after the span: unchanged
        a, b = gray(blurred, n), gray(plain, n)
        assert np.abs(a - b)[region].mean() < 2, n


def test_manifest_lists_redactions_in_clip_time(redacted: Path) -> None:
    data = manifest(redacted, "bleep")
    spans = [
        (r["clip_span"]["start_ms"], r["clip_span"]["end_ms"], r["audio"], r["blur"])
        for r in data["redactions"]
    ]
    assert spans == [(1000, 2000, "bleep", None), (0, 3000, None, [0.25, 0.25, 0.5, 0.5])]
    [(name, record)] = data["outputs"].items()
    out = redacted / "bleep" / name
    sha = subprocess.run(["sha256sum", str(out)], capture_output=True, text=True, check=True)
    assert record["sha256"] == sha.stdout.split()[0]
    assert record["duration_s"] == data["duration_s"] == 4.0
    assert record["privacy"] == {"ok": True, "findings": []}
    assert record["loudness"]["target_lufs"] is None  # loudness: null in this config
    mute = manifest(redacted, "mute")["redactions"]
    assert [(r["clip_span"]["start_ms"], r["clip_span"]["end_ms"], r["audio"]) for r in mute] == [
        (1000, 2000, "mute")
    ]
    assert manifest(redacted, "plain")["redactions"] == []


# --- 7. privacy ----------------------------------------------------------------------------

GPS = "+48.8577+002.2950"
SECRETS = [b"48.8577", b"002.2950", b"iPhone", b"Apple", b"com.apple", b"SecretCam"]
SECRETS += [b"SecretMic", b"Core Media", b"Secret note", b"2024-05-01", b"Lavf", b"Lavc"]


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One clip cut from Android-style and iPhone-style footage, with every tag to strip."""
    tmp = tmp_path_factory.mktemp("privacy")
    video = "testsrc2=size=320x240:rate={rate}:duration=3"
    android = lavfi(
        tmp / "android.mp4",
        video.format(rate=25),
        "sine=frequency=440:sample_rate=48000:duration=3",
        *("-metadata", f"location={GPS}/", "-metadata", f"location-eng={GPS}/"),
        *("-metadata", "creation_time=2024-05-01T10:00:00Z"),
        *("-metadata:s:v", "handler_name=SecretCam", "-metadata:s:a", "handler_name=SecretMic"),
        *("-timecode", "01:00:00:00"),  # a tmcd data track
    )
    note = write(tmp / "note.srt", "1\n00:00:00,000 --> 00:00:02,000\nSecret note\n")
    # fmt: off
    iphone = tmp / "iphone.mov"
    subprocess.run(
        [*FFMPEG, "-f", "lavfi", "-i", video.format(rate=30),
         "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=3", "-i", str(note),
         "-map", "0", "-map", "1", "-map", "2",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
         "-c:s", "mov_text", "-movflags", "use_metadata_tags",
         "-metadata", f"com.apple.quicktime.location.ISO6709={GPS}+035.000/",
         "-metadata", "com.apple.quicktime.make=Apple",
         "-metadata", "com.apple.quicktime.model=iPhone 15",
         "-metadata", "creation_time=2024-05-01T10:00:00Z",
         "-metadata:s:v", "handler_name=Core Media Video", "-timecode", "01:00:00:00",
         str(iphone)],
        check=True,
    )
    # fmt: on
    cfg = write(
        tmp / "privacy.yaml",
        f"""\
version: 1
output: out
sources:
  android: {android}
  iphone: {iphone}
clips:
  private:
    cuts:
      - {{source: android, start: 0.5, end: 1.5}}
      - {{source: iphone, start: 1, end: 2}}
renditions:
  main: {{size: 320x240, preset: ultrafast}}
""",
    )
    build(cfg)
    return tmp / "out" / "private" / "private.main.nosubs.mp4"


def test_sources_carry_what_must_be_stripped(private: Path) -> None:
    folder = private.parents[2]
    android, iphone = probe(folder / "android.mp4"), probe(folder / "iphone.mov")
    assert android["format"]["tags"]["location"] == f"{GPS}/"
    assert iphone["format"]["tags"]["com.apple.quicktime.model"] == "iPhone 15"
    assert [s["codec_type"] for s in android["streams"]] == ["video", "audio", "data"]
    assert [s["codec_type"] for s in iphone["streams"]] == ["video", "audio", "subtitle", "data"]
    assert b"iPhone" in (folder / "iphone.mov").read_bytes()


def test_output_has_no_identifying_tags_or_streams(private: Path) -> None:
    info = probe(private)
    brands = {"major_brand", "minor_version", "compatible_brands"}
    assert set(info["format"].get("tags", {})) <= brands
    assert [s["codec_type"] for s in info["streams"]] == ["video", "audio"]
    defaults = {"video": "VideoHandler", "audio": "SoundHandler"}
    for s in info["streams"]:
        tags = dict(s.get("tags", {}))
        assert tags.pop("handler_name") == defaults[s["codec_type"]]
        assert tags.pop("vendor_id", "[0][0][0][0]") == "[0][0][0][0]"
        tags.pop("language", None)
        assert tags == {}, s["codec_type"]
        assert "side_data_list" not in s
    data = private.read_bytes()
    for secret in SECRETS:
        assert secret not in data, secret


def test_manifest_says_the_privacy_scan_passed(private: Path) -> None:
    [record] = manifest(private.parents[1], "private")["outputs"].values()
    assert record["privacy"] == {"ok": True, "findings": []}


# --- redaction by words on the sample interview (Whisper) ---------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group("sample")
def test_word_redaction_on_the_sample(tmp_path: Path, interview: Path) -> None:
    """'Haris' is said twice; Whisper hears 'Harry' and 'Paris' (the translators' files say
    Haris): the words to hide are listed as the transcript has them."""
    search = run_cli("search", "Harry", interview)
    assert search.returncode == 0, search.stderr
    cfg = write(
        tmp_path / "words.yaml",
        f"""\
version: 1
output: out
sources:
  nh:
    file: {interview}
    subtitles: {{en: {interview.with_suffix(".en.srt")}, bs: {SAMPLES / "interview.bs.srt"}}}
transcription: {{language: en}}
clips:
  names:
    cuts:
      - {{source: nh, start: 22, end: 26, snap: none}}
      - {{source: nh, start: 96.5, end: 100, snap: none}}
    subtitles: {{burn: none, languages: {{en: source, bs: source}}}}
renditions:
  small: {{size: 320x180, preset: ultrafast}}
audio: {{loudness: null}}
redact:
  - {{source: nh, words: [Haris, Harry, Paris], audio: bleep, text: "{NAME}"}}
""",
    )
    build(cfg)
    folder = tmp_path / "out" / "names"
    spans = [
        (r["clip_span"]["start_ms"], r["clip_span"]["end_ms"], r["audio"])
        for r in manifest(tmp_path / "out", "names")["redactions"]
    ]
    assert len(spans) == 2, spans  # once in each cut
    assert spans[0][1] <= 4000 <= spans[1][0]
    for start, end, audio in spans:
        assert audio == "bleep" and 300 <= end - start <= 700
    x = pcm(folder / "names.small.nosubs.mp4")
    assert_only_tone(x, [(start, end) for start, end, _ in spans])
    for name in ("names.en.srt", "names.bs.srt", "names.en.vtt", "names.bs.vtt"):
        text = (folder / name).read_text(encoding="utf-8")
        assert UNIT in text and "Haris" not in text and "Harry" not in text, name
