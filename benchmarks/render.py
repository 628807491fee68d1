"""Render benchmark: build-clip against a plain encode, the naive ffmpeg way and moviepy.

Every case renders the same 30 s clip (3 cuts of 10 s, burned English subtitles) with the
same encoder settings; the cases run in turn, in one process, and the script prints the
ratios between them next to their targets. It is a script, not a test: nothing here asserts
a timing. See benchmarks/README.md.

    .venv/bin/python benchmarks/render.py [--repeat N] [--workdir DIR] [--json FILE]
                                          [--skip-moviepy] [--skip-60] [--only KEYS]
"""

from __future__ import annotations

import argparse
import compileall
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

import pipeline
from pipeline.core.ffmpeg import escape_filter_arg

FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
BIN = Path(sys.executable).parent
PIP_HINT = f"{BIN / 'pip'} install 'moviepy>=2,<3'"
FONT = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
WIDTH, HEIGHT, FPS = 1280, 720, 25
CUT_S = 10
CUTS_10 = (60, 240, 480)  # 1:00, 4:00, 8:00 in the 10-minute source
CUTS_60 = (300, 1800, 3300)  # 5:00, 30:00, 55:00 in the 60-minute source
CLIP = "bench"
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "make_sample.py"
SPEECH_CUTS = (10, 40, 80)  # in the 2-minute sample interview: three 10 s cuts of speech
CUE_EVERY_S, CUE_S = 2.5, 2.2  # no cue crosses a cut edge (cuts start on whole 10 s)

# The settings every rendered output uses (build-clip's rendition defaults).
VIDEO_OUT = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"]
AUDIO_OUT = ["-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2"]
# Generated sources: cheap to make, small, and alike (only their length differs).
SOURCE_VIDEO = [
    *["-c:v", "libx264", "-preset", "ultrafast", "-g", "250", "-pix_fmt", "yuv420p"],
    *["-b:v", "1M", "-maxrate", "1M", "-bufsize", "2M"],
]
SOURCE_AUDIO = ["-c:a", "aac", "-b:a", "128k", "-ac", "2"]


class BenchError(Exception):
    """A command the benchmark needs failed."""


Steps = dict[str, float]  # a build's steps (see ``steps_of``): wall-clock seconds each


@dataclass(frozen=True)
class Case:
    """One way of making the clip; ``setup`` runs untimed before each timed ``run``."""

    key: str
    what: str
    run: Callable[[], Steps | None]  # a build-clip case says where its time went
    setup: Callable[[], None] = lambda: None
    config: Path | None = None  # build-clip's config, for the warm-up
    env: dict[str, str] | None = None  # build-clip's environment (its cache)


@dataclass(frozen=True)
class Ratio:
    name: str
    num: str
    den: str
    op: str  # "<=" or ">=", or "" for a figure shown with no target
    limit: float
    meaning: str


RATIOS = (
    Ratio("a/d", "a", "d", "<=", 1.10, "build-clip over a plain encode"),
    Ratio("b/a", "b", "a", ">=", 2.0, "naive ffmpeg vs build-clip"),
    Ratio("c/a", "c", "a", ">=", 2.5, "moviepy vs build-clip"),
    Ratio("a60/a10", "a60", "a", "<=", 1.15, "60-min vs 10-min source"),
    # No target: how much of a/d the two-pass loudness normalisation takes.
    Ratio("a0/d", "a0", "d", "", 0.0, "build-clip, loudness left alone, over d"),
    # What --verify adds (hearing the output again) is under half of the build's time.
    Ratio("sv/s", "sv", "s", "<=", 1.5, "speech clip: --verify over the same build"),
)


def run(
    argv: Sequence[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None
) -> None:
    """Run a command quietly; on failure raise BenchError with its last output lines."""
    args = [str(a) for a in argv]
    proc = subprocess.run(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr + proc.stdout).strip().splitlines()[-8:])
        raise BenchError(f"{shlex.join(args)}\nexited {proc.returncode}:\n{tail}")


def ffmpeg(*args: str | Path) -> None:
    run([FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args])


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def hms(seconds: float) -> str:
    m, s = divmod(seconds, 60)
    h, m = divmod(int(m), 60)
    return f"{h:02d}:{m:02d}:{s:06.3f}"


def burn_filter(srt: Path) -> str:
    return f"subtitles=filename={escape_filter_arg(str(srt))}"


# --- generated media (cached in the work folder) ------------------------------------------


def cached(path: Path, make: Callable[[Path], None], console: Console) -> Path:
    """``path``, made by ``make(temp)`` and renamed into place unless it already exists."""
    if path.exists():
        return path
    console.print(f"generating {path} ...", highlight=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.partial{path.suffix}")
    took = timed(lambda: make(tmp))
    tmp.replace(path)
    console.print(f"  done in {took:.1f} s", highlight=False)
    return path


def tone(seconds: int) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]


def make_source(seconds: int) -> Callable[[Path], None]:
    """Encode a test pattern and a tone: 1280x720 25 fps H.264, AAC 48 kHz stereo."""

    def make(out: Path) -> None:
        video = f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}:duration={seconds}"
        ffmpeg("-f", "lavfi", "-i", video, *tone(seconds), *SOURCE_VIDEO, *SOURCE_AUDIO,
               "-movflags", "+faststart", "-f", "mp4", out)  # fmt: skip

    return make


def make_repeated(part: Path, seconds: int, times: int) -> Callable[[Path], None]:
    """``times`` copies of ``part``'s video joined without re-encoding (the same bitstream,
    only longer), with a tone encoded for the whole length.

    The video is copied out of ``part`` first: fed a file whose AAC starts at -21 ms (the
    encoder's priming), the concat demuxer would shift the video by 21 ms, every keyframe
    would leave the whole seconds, and each cut would decode a GOP more than in ``part``.
    """

    def make(out: Path) -> None:
        video, listing = out.with_suffix(".video.mp4"), out.with_suffix(".txt")
        ffmpeg("-i", part, "-map", "0:v:0", "-c", "copy", "-f", "mp4", video)
        listing.write_text(f"file '{video.name}'\n" * times, encoding="utf-8")
        ffmpeg("-f", "concat", "-safe", "0", "-i", listing, *tone(seconds * times),
               "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", *SOURCE_AUDIO,
               "-movflags", "+faststart", "-f", "mp4", out)  # fmt: skip
        video.unlink()
        listing.unlink()

    return make


def write_srt(path: Path, seconds: int) -> Path:
    """A source-time SRT with a cue every 2.5 s over the whole source, every other one on two
    lines, within build-clip's subtitle lint (42 characters a line, 20 per second).
    Rewritten only when its text differs, so that its hash stays cached."""
    cues = []
    for n in range(1, int(seconds / CUE_EVERY_S) + 1):
        start = (n - 1) * CUE_EVERY_S
        text = (
            f"Cue {n}: what was said\nis what is shown."
            if n % 2
            else f"Cue {n}: the words as spoken."
        )
        times = f"{hms(start).replace('.', ',')} --> {hms(start + CUE_S).replace('.', ',')}"
        cues.append(f"{n}\n{times}\n{text}\n")
    text = "\n".join(cues)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Media:
    src10: Path
    srt10: Path
    src30: Path
    src60: Path | None
    srt60: Path | None


def prepare_media(work: Path, with_60: bool, console: Console) -> Media:
    media = work / "media"
    src10 = cached(media / "src10min.mp4", make_source(600), console)
    srt10 = write_srt(media / "src10min.en.srt", 600)
    src30 = cached(media / "src30s.mp4", make_source(30), console)
    if not with_60:
        return Media(src10, srt10, src30, None, None)
    src60 = cached(media / "src60min.mp4", make_repeated(src10, 600, 6), console)
    srt60 = write_srt(media / "src60min.en.srt", 3600)
    return Media(src10, srt10, src30, src60, srt60)


# --- the cases -----------------------------------------------------------------------------


def write_config(
    folder: Path, src: Path, srt: Path, cuts: Sequence[int], loudness: bool = True
) -> Path:
    """A build-clip config: one clip of the given 10 s cuts, English burned in, 1280x720;
    loudness normalised to the default target, or left alone (``audio: {loudness: null}``)."""
    data: dict[str, Any] = {
        "version": 1,
        "output": "out",
        "sources": {"src": {"file": str(src), "subtitles": {"en": str(srt)}}},
        "clips": {
            CLIP: {
                "cuts": [{"source": "src", "start": hms(s), "end": hms(s + CUT_S)} for s in cuts],
                "subtitles": {"burn": "en", "languages": {"en": "source"}},
            }
        },
        "renditions": {"landscape": {"size": f"{WIDTH}x{HEIGHT}"}},
    }
    if not loudness:
        data["audio"] = {"loudness": None}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def build_clip(
    key: str,
    what: str,
    config: Path,
    env: dict[str, str] | None = None,
    setup: Callable[[], None] = lambda: None,
) -> Case:
    """``build-clip CONFIG -q --debug`` into an emptied output folder: a full build every time
    (build-clip skips outputs its manifest records as up to date). ``-q`` keeps the progress
    display off; ``--debug`` adds a few log lines, which tell where the time went."""
    out = config.parent / "out"

    def prepare() -> None:
        shutil.rmtree(out, ignore_errors=True)
        setup()

    return Case(key, what, lambda: steps_of(config, env), prepare, config, env)


def make_interview(out: Path) -> None:
    """The sample interview (real flite speech), as the tests make it."""
    run([sys.executable, SAMPLE, "--out", out, "--srt", out.parent / "interview.en.srt"])


def write_speech_config(folder: Path, sample: Path, verify: bool) -> Path:
    """One clip of three 10 s cuts of the sample interview, English from its transcript
    burned in, 1280x720; with ``verify: words`` or without."""
    data: dict[str, Any] = {
        "version": 1,
        "output": "out",
        "sources": {"interview": str(sample)},
        "transcription": {"engine": "faster-whisper", "model": "base", "language": "en"},
        "clips": {
            CLIP: {
                "cuts": [
                    {"source": "interview", "start": hms(s), "end": hms(s + CUT_S)}
                    for s in SPEECH_CUTS
                ],
                "subtitles": {"burn": "en", "languages": {"en": "transcript"}},
            }
        },
        "renditions": {"landscape": {"size": f"{WIDTH}x{HEIGHT}"}},
        "verify": "words" if verify else "none",
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def forget_outputs(cache: Path, keep: Path) -> Callable[[], None]:
    """Drop every transcript in ``cache`` but those of ``keep`` (the source), so that each
    timed build with verification hears its output anew instead of finding it cached."""

    def forget() -> None:
        sha = hashlib.sha256(keep.read_bytes()).hexdigest()
        for entry in (cache / "transcripts").rglob("*.json"):
            if json.loads(entry.read_text(encoding="utf-8"))["media"]["sha256"] != sha:
                entry.unlink()

    return forget


def speech_cases(work: Path, console: Console) -> list[Case]:
    """(s) and (sv): the same build of a clip of speech, without and with ``verify: words``.
    They use a cache of their own (its first use assembles the model there, in the warm-up)."""
    sample = cached(work / "media" / "interview.mp4", make_interview, console)
    cache = work / "cache"
    env = {**os.environ, "BUILD_CLIP_CACHE": str(cache)}
    plain = write_speech_config(work / "s", sample, verify=False)
    heard = write_speech_config(work / "sv", sample, verify=True)
    return [
        build_clip("s", "build-clip, speech, 3 cuts", plain, env),
        build_clip("sv", "(s) with verify: words", heard, env, forget_outputs(cache, sample)),
    ]


STEPS = (
    "start-up, config, plan, lint",
    "loudness pass 1 (ebur128)",
    "render: the one encode",
    "output scanned (ffprobe beside ebur128)",
    "the rest: rename, sidecars, manifest, review page",
)


def steps_of(config: Path, env: dict[str, str] | None = None) -> Steps:
    """Build ``config``; each line of its ``--debug`` log is timed as it arrives, and its
    ffmpeg runs and output scan report how long they took: the build's wall-clock time, step
    by step (``STEPS``), and in all (``total``)."""
    start = time.perf_counter()
    argv = [str(BIN / "build-clip"), str(config), "-q", "--debug"]
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, errors="replace", env=env,
    )  # fmt: skip
    assert proc.stderr is not None
    lines = [(time.perf_counter() - start, line.strip()) for line in proc.stderr]
    if proc.wait() != 0:
        tail = "\n".join(line for _, line in lines[-8:])
        raise BenchError(f"{shlex.join(argv)}\nexited {proc.returncode}:\n{tail}")
    total = time.perf_counter() - start
    first = next((t for t, line in lines if line.startswith("DEBUG: ffmpeg: /")), total)
    runs = [
        float(m[1]) for _, ln in lines if (m := re.search(r"ffmpeg exited 0 after ([\d.]+) s", ln))
    ]
    scans = [
        float(m[1])
        for _, ln in lines
        if (m := re.match(r"DEBUG: (?:ffprobe|ffmpeg|ebur128) \S+partial\S*: ([\d.]+) s", ln))
    ]
    steps = dict.fromkeys(STEPS, 0.0)
    steps[STEPS[0]] = first
    steps[STEPS[1]] = runs[0] if len(runs) > 1 else 0.0
    steps[STEPS[2]] = runs[-1] if runs else 0.0
    steps[STEPS[3]] = max(scans, default=0.0)
    steps[STEPS[4]] = total - sum(steps.values())
    return {**steps, "total": total}


def clip_srt(work: Path) -> Path:
    """The clip-time SRT that build-clip wrote in case (a): (b), (c) and (d) burn it too."""
    return work / "a10" / "out" / CLIP / f"{CLIP}.en.srt"


def naive(work: Path, src: Path, cuts: Sequence[int]) -> Callable[[], None]:
    """Each cut encoded alone (input seeking), joined with the concat demuxer, then burned."""
    folder = work / "naive"

    def render() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        parts = [folder / f"part{i}.mp4" for i in range(len(cuts))]
        for start, part in zip(cuts, parts, strict=True):
            ffmpeg("-ss", str(start), "-t", str(CUT_S), "-i", src, *VIDEO_OUT, *AUDIO_OUT, part)
        listing = folder / "parts.txt"
        listing.write_text("".join(f"file '{p.name}'\n" for p in parts), encoding="utf-8")
        joined = folder / "joined.mp4"
        ffmpeg("-f", "concat", "-safe", "0", "-i", listing, "-c", "copy", joined)
        ffmpeg(
            "-i",
            joined,
            "-vf",
            burn_filter(clip_srt(work)),
            *VIDEO_OUT,
            "-c:a",
            "copy",
            "-movflags",
            "+faststart",
            folder / "final.mp4",
        )

    return render


def floor(work: Path, src30: Path) -> Callable[[], None]:
    """One plain encode of a 30 s source with the same subtitles burned in."""
    out = work / "floor" / "floor.mp4"

    def render() -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        ffmpeg(
            "-i",
            src30,
            "-vf",
            burn_filter(clip_srt(work)),
            *VIDEO_OUT,
            *AUDIO_OUT,
            "-movflags",
            "+faststart",
            out,
        )

    return render


def moviepy_case(work: Path, src: Path, cuts: Sequence[int]) -> Callable[[], None]:
    """moviepy in a child process (its import and setup are timed, it can't touch us)."""
    folder = work / "moviepy"
    spec = folder / "spec.json"
    env = {**os.environ, "FFMPEG_BINARY": FFMPEG, "IMAGEIO_FFMPEG_EXE": FFMPEG}

    def render() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        job = {
            "source": str(src),
            "cuts": list(cuts),
            "srt": str(clip_srt(work)),
            "font": str(FONT),
            "output": str(folder / "moviepy.mp4"),
        }
        spec.write_text(json.dumps(job), encoding="utf-8")
        run([sys.executable, Path(__file__).resolve(), "--moviepy-worker", spec], folder, env)

    return render


def moviepy_worker(spec_path: Path) -> None:
    """The child side of case (c): cut, join, subtitle and encode with moviepy 2.x."""
    job = json.loads(spec_path.read_text(encoding="utf-8"))
    import moviepy  # type: ignore
    from moviepy.video.tools.subtitles import SubtitlesClip  # type: ignore

    source = moviepy.VideoFileClip(job["source"])
    video = moviepy.concatenate_videoclips([source.subclipped(s, s + CUT_S) for s in job["cuts"]])

    def text_clip(text: str) -> Any:
        return moviepy.TextClip(
            font=job["font"],
            text=text,
            font_size=40,
            color="white",
            stroke_color="black",
            stroke_width=2,
            method="caption",
            size=(WIDTH - 160, None),
            text_align="center",
        )

    subtitles = SubtitlesClip(job["srt"], make_textclip=text_clip, encoding="utf-8")
    final = moviepy.CompositeVideoClip([video, subtitles.with_position(("center", HEIGHT - 150))])
    final.write_videofile(
        job["output"],
        fps=FPS,
        codec="libx264",
        preset="veryfast",
        ffmpeg_params=["-crf", "20"],
        pixel_format="yuv420p",
        audio_codec="aac",
        audio_bitrate="160k",
        audio_fps=48000,
        logger=None,
    )
    source.close()


def make_cases(
    args: argparse.Namespace, work: Path, media: Media | None, console: Console
) -> list[Case]:
    """The cases in the order of a round: (a) first, as it writes the clip SRT the others
    burn, and (a60) next to it, as their ratio is the finest one measured; then (s) and (sv).
    ``media`` is None when only (s) and (sv) are asked for."""
    speech = speech_cases(work, console) if not args.only or args.only & {"s", "sv"} else []
    if media is None:
        return [c for c in speech if c.key in args.only]
    config = write_config(work / "a10", media.src10, media.srt10, CUTS_10)
    cases = [build_clip("a", "build-clip, 10-min source", config)]
    if media.src60 is not None and media.srt60 is not None:
        config = write_config(work / "a60", media.src60, media.srt60, CUTS_60)
        cases.append(build_clip("a60", "build-clip, 60-min source", config))
    else:
        console.print("(a60) skipped: --skip-60")
    config = write_config(work / "a0", media.src10, media.srt10, CUTS_10, loudness=False)
    cases += [
        build_clip("a0", "build-clip, loudness left alone", config),
        Case("d", "plain 30 s encode + burn", floor(work, media.src30)),
        Case("b", "naive: 3 encodes, concat, burn", naive(work, media.src10, CUTS_10)),
    ]
    if args.skip_moviepy:
        console.print("(c) moviepy skipped: --skip-moviepy")
    elif importlib.util.find_spec("moviepy") is None:
        console.print(f"(c) moviepy skipped: not installed (install it: {PIP_HINT})")
    else:
        cases.append(Case("c", "moviepy 2.x", moviepy_case(work, media.src10, CUTS_10)))
    cases += speech
    return [c for c in cases if not args.only or c.key in args.only]


# --- running and reporting -----------------------------------------------------------------


def machine() -> dict[str, str]:
    proc = subprocess.run([FFMPEG, "-version"], capture_output=True, text=True, check=False)
    info = {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": platform.processor() or platform.machine(),
        "ffmpeg": (proc.stdout.splitlines() or ["?"])[0].split(" Copyright")[0],
        "python": platform.python_version(),
    }
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [ln for ln in cpuinfo.read_text().splitlines() if ln.startswith("model name")]
        info["cpu"] = names[0].split(":", 1)[1].strip() if names else info["cpu"]
    if importlib.util.find_spec("moviepy") is not None:
        info["moviepy"] = importlib.metadata.version("moviepy")
    return info


def warm_up(cases: Sequence[Case], media: Media | None, console: Console) -> None:
    """Untimed: fontconfig's cache, the package's bytecode (Python writes it on a first run,
    unless PYTHONDONTWRITEBYTECODE is set, as it is on some CI machines), and each build-clip
    config planned once (--dry-run), which also fills build-clip's cache of what it knows of
    the sources (hashes, ffprobe's reports): every timed build is a steady-state one."""
    compileall.compile_dir(Path(pipeline.__file__).parent, quiet=1)
    if media is not None:
        color = f"color=c=black:size={WIDTH}x{HEIGHT}:rate={FPS}:duration=1"
        ffmpeg("-f", "lavfi", "-i", color, "-vf", burn_filter(media.srt10), "-f", "null", "-")
    for case in cases:
        if case.config is not None:
            argv = [BIN / "build-clip", case.config, "--dry-run"]
            took = timed(functools.partial(run, argv, env=case.env))
            console.print(
                f"warm-up: ({case.key}) build-clip --dry-run: {took:.2f} s", highlight=False
            )


@dataclass(frozen=True)
class Sample:
    """One timed run: wall-clock seconds, CPU seconds of our child processes, CPU seconds
    that other processes on the machine used meanwhile (they make wall-clock noisy), and a
    build's steps (build-clip cases)."""

    wall: float
    cpu: float
    others: float
    steps: Steps | None = None


def busy_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (0 where /proc/stat is absent)."""
    try:
        fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def sample(fn: Callable[[], Steps | None]) -> Sample:
    def children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    cpu, busy = children(), busy_cpu_s()
    start = time.perf_counter()
    steps = fn()
    wall = time.perf_counter() - start
    cpu, busy = children() - cpu, busy_cpu_s() - busy
    return Sample(wall, cpu, max(0.0, busy - cpu) if busy else 0.0, steps)


def measure(cases: Sequence[Case], repeat: int, console: Console) -> dict[str, list[Sample]]:
    """Run every case ``repeat`` times, interleaved round by round so drift hits all alike;
    every other round runs backwards, so no case always follows the same one (the clip SRT
    that (a) writes is there from round 1 on)."""
    runs: dict[str, list[Sample]] = {c.key: [] for c in cases}
    for round_no in range(1, repeat + 1):
        for case in cases if round_no % 2 else reversed(cases):
            case.setup()
            s = sample(case.run)
            runs[case.key].append(s)
            console.print(
                f"  round {round_no}/{repeat}  ({case.key}) {case.what}: {s.wall:.2f} s "
                f"(cpu {s.cpu:.1f} s; other processes {s.others:.1f} cpu-s)",
                highlight=False,
            )
    return runs


def median(runs: Sequence[Sample]) -> Sample:
    return Sample(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        statistics.median(r.others for r in runs),
    )


def ratios(runs: dict[str, list[Sample]]) -> dict[str, dict[str, Any]]:
    """Each target ratio on wall-clock medians (pass/fail), with the CPU-time ratio and the
    median of the ratios round by round (each round's two runs close in time) beside."""
    medians = {key: median(samples) for key, samples in runs.items()}
    out: dict[str, dict[str, Any]] = {}
    for r in RATIOS:
        target = f"{r.op} {r.limit:.2f}" if r.op else "-"
        row: dict[str, Any] = {"target": target, "value": None, "pass": None}
        row["cpu_value"] = row["paired_value"] = None
        if r.num in medians and r.den in medians:
            num, den = medians[r.num], medians[r.den]
            value = num.wall / den.wall
            row["value"], row["cpu_value"] = round(value, 3), round(num.cpu / den.cpu, 3)
            pairs = zip(runs[r.num], runs[r.den], strict=True)
            row["paired_value"] = round(statistics.median(a.wall / b.wall for a, b in pairs), 3)
            if r.op:
                row["pass"] = value <= r.limit if r.op == "<=" else value >= r.limit
        out[r.name] = row
    return out


def times_table(cases: Sequence[Case], runs: dict[str, list[Sample]]) -> Table:
    table = Table(title="Seconds (30 s clip, 1280x720 25 fps, libx264 veryfast crf 20, aac 160k)")
    table.add_column("case")
    table.add_column("what")
    for col in ("wall s", "cpu s", "others cpu-s"):
        table.add_column(col, justify="right")
    table.add_column("wall s, each run")
    for c in cases:
        m = median(runs[c.key])
        each = ", ".join(f"{r.wall:.2f}" for r in runs[c.key])
        table.add_row(c.key, c.what, f"{m.wall:.2f}", f"{m.cpu:.1f}", f"{m.others:.1f}", each)
    return table


def ratios_table(result: dict[str, dict[str, Any]]) -> Table:
    table = Table(title="Ratios of medians (targets on wall-clock)")
    for col in ("ratio", "meaning", "wall", "target", "result", "cpu", "by round"):
        right = col in ("wall", "target", "cpu", "by round")
        table.add_column(col, justify="right" if right else "left")
    for r in RATIOS:
        row = result[r.name]
        verdict = {True: "[green]pass[/]", False: "[red]FAIL[/]", None: "skipped"}[row["pass"]]
        if not r.op and row["value"] is not None:
            verdict = "(figure)"
        shown = [
            "-" if row[k] is None else f"{row[k]:.3f}"
            for k in ("value", "cpu_value", "paired_value")
        ]
        table.add_row(r.name, r.meaning, shown[0], row["target"], verdict, *shown[1:])
    return table


def noise_note(runs: dict[str, list[Sample]], nproc: int) -> str | None:
    """A warning when other processes took a real share of the CPUs during the timed runs."""
    wall = sum(r.wall for rs in runs.values() for r in rs)
    others = sum(r.others for rs in runs.values() for r in rs)
    share = others / (wall * nproc) if wall else 0.0
    if share < 0.05:
        return None
    return (
        f"warning: other processes used {share:.0%} of the {nproc} CPUs during the timed runs; "
        "wall-clock figures are noisy (use --repeat, an idle machine, or read the cpu column)"
    )


def breakdown(runs: Sequence[Sample]) -> Steps:
    """The median of each step over a build-clip case's runs."""
    steps = [r.steps for r in runs if r.steps]
    return {k: statistics.median(s[k] for s in steps) for k in steps[0]} if steps else {}


def breakdown_table(steps: Steps, floor_s: float | None) -> Table:
    table = Table(title="Where (a)'s time goes: medians of its runs (from build-clip --debug)")
    table.add_column("step")
    table.add_column("wall s", justify="right")
    table.add_column("share of d", justify="right")
    for step, seconds in steps.items():
        share = f"{seconds / floor_s:.1%}" if floor_s else "-"
        table.add_row(step, f"{seconds:.2f}", share)
    return table


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run each case N times (interleaved) and use the median",
    )
    p.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/build-clip-bench"),
        help="generated media and outputs; media is reused when present",
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    p.add_argument("--skip-moviepy", action="store_true", help="leave out case (c)")
    p.add_argument("--skip-60", action="store_true", help="leave out case (a60)")
    p.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        default=set(),
        metavar="KEYS",
        help="run only these cases (comma-separated keys, e.g. s,sv)",
    )
    p.add_argument("--moviepy-worker", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    return args


def figures(
    cases: Sequence[Case], runs: dict[str, list[Sample]], result: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The JSON form of the measurements and ratios."""
    out: dict[str, Any] = {}
    for c in cases:
        m = median(runs[c.key])
        out[c.key] = {
            "what": c.what,
            "wall_s": round(m.wall, 3),
            "cpu_s": round(m.cpu, 3),
            "others_cpu_s": round(m.others, 3),
            "runs": [
                {"wall": round(r.wall, 3), "cpu": round(r.cpu, 3), "others": round(r.others, 3)}
                for r in runs[c.key]
            ],
        }
    return {"seconds": out, "ratios": result}


def benchmark(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    """Prepare media, time every case, print the tables; return the figures."""
    started = time.perf_counter()
    info = machine()
    console.print(f"machine: nproc {info['nproc']}, {info['cpu']}", highlight=False)
    console.print(f"         {info['ffmpeg']}", highlight=False)
    work = args.workdir.resolve()
    pattern = not args.only or bool(args.only - {"s", "sv"})  # the test-pattern sources
    media = prepare_media(work, not args.skip_60, console) if pattern else None
    cases = make_cases(args, work, media, console)
    warm_up(cases, media, console)
    runs = measure(cases, args.repeat, console)
    result = ratios(runs)
    console.print(times_table(cases, runs))
    console.print(ratios_table(result))
    steps = breakdown(runs["a"]) if "a" in runs else {}
    if steps:
        console.print(breakdown_table(steps, median(runs["d"]).wall if "d" in runs else None))
    note = noise_note(runs, int(info["nproc"]))
    if note:
        console.print(note, style="yellow", highlight=False)
    total = time.perf_counter() - started
    console.print(f"total run time {total:.1f} s ({args.repeat} round(s))", highlight=False)
    return {
        "machine": info,
        "repeat": args.repeat,
        **figures(cases, runs, result),
        "breakdown_s": {step: round(t, 3) for step, t in steps.items()},
        "noise": note,
        "total_s": round(total, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.moviepy_worker:
        moviepy_worker(args.moviepy_worker)
        return 0
    console = Console()
    try:
        figures = benchmark(args, console)
    except BenchError as e:
        console.print(f"error: {e}", highlight=False, markup=False)
        return 1
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        console.print(f"wrote {args.json}", highlight=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
