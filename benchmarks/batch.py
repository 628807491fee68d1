"""Batch benchmark: throughput of `build-clip batch` with -j 1 and -j 2, and a no-op rebuild.

Six small configs (one clip of three 3 s cuts each, 640x360, English subtitles burned) are
rendered with ``--force`` at each job count, through the installed command, as an operator
runs it; then ten configs that are all up to date are "rebuilt". Each figure is the median of
``--repeat`` runs, wall-clock time of the whole command (start-up included). It is a script,
not a test: nothing here asserts a timing. Targets (issue 7): -j 2 at least 1.3x faster than
-j 1 on 2 cores; the no-op rebuild of 10 configs under 2 s in all.

    .venv/bin/python benchmarks/batch.py [--repeat N] [--workdir DIR] [--jobs 1,2]
                                         [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BUILD_CLIP = str(Path(sys.executable).parent / "build-clip")
SOURCE_S = 60
CONFIGS, NOOP_CONFIGS = 6, 10
SPEEDUP_TARGET, NOOP_TARGET_S = 1.3, 2.0


def make_source(folder: Path) -> Path:
    """A 60 s 1280x720 interview stand-in with a tone, and an SRT with a cue every 3 s."""
    source = folder / "source.mp4"
    if not source.exists():
        subprocess.run(
            [
                *("ffmpeg", "-nostdin", "-v", "error", "-y"),
                *("-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=25:duration={SOURCE_S}"),
                *("-f", "lavfi", "-i", f"sine=frequency=330:duration={SOURCE_S}"),
                *("-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p"),
                *("-c:a", "aac", "-ac", "2", str(source)),
            ],
            check=True,
        )
    cues = [
        f"{i + 1}\n00:00:{s:02d},200 --> 00:00:{s + 2:02d},500\nLine number {i + 1}\n"
        for i, s in enumerate(range(0, SOURCE_S - 3, 3))
    ]
    (folder / "source.en.srt").write_text("\n".join(cues), encoding="utf-8")
    return source


def write_configs(folder: Path, count: int) -> list[Path]:
    """``count`` configs, each one clip of three 3 s cuts from a different part of the source."""
    paths = []
    for n in range(count):
        starts = [(n * 5 + k * 17) % (SOURCE_S - 4) for k in range(3)]
        cuts = "".join(f"      - {{source: src, start: {s}, end: {s + 3}}}\n" for s in starts)
        path = folder / f"clip{n:02d}.yaml"
        path.write_text(
            f"""\
version: 1
output: out
sources:
  src: {{file: source.mp4, subtitles: {{en: source.en.srt}}}}
clips:
  clip{n:02d}:
    cuts:
{cuts}    subtitles: {{burn: en, languages: {{en: source}}}}
renditions:
  small: {{size: 640x360}}
""",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def one_thread_ffmpeg(folder: Path) -> dict[str, str]:
    """An environment whose ffmpeg runs one encoder thread and one filter thread (the output
    file is the last argument): to weigh the pool size against ffmpeg's own threads."""
    wrapper = folder / "ffmpeg-1-thread"
    wrapper.write_text(
        "#!/usr/bin/env bash\n"
        f'exec {shutil.which("ffmpeg")} -filter_complex_threads 1 "${{@:1:$#-1}}" '
        '-threads 1 "${@: -1}"\n',
        encoding="utf-8",
    )
    wrapper.chmod(0o755)
    return {**os.environ, "FFMPEG_PATH": str(wrapper)}


def run_batch(configs: list[Path], *args: str, env: dict[str, str] | None = None) -> float:
    """Wall-clock seconds of one `build-clip batch` run; fails loudly if the batch fails."""
    start = time.perf_counter()
    result = subprocess.run(
        [BUILD_CLIP, "batch", *map(str, configs), "-q", *args],
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"batch failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return seconds


def measure(folder: Path, jobs: list[int], repeat: int) -> dict[str, Any]:
    """Each case ``repeat`` times, interleaved so that a busy spell hits every case alike."""
    configs = write_configs(folder, NOOP_CONFIGS)
    run_batch(configs, "-j", "2")  # build everything once (and warm the hash cache)
    cases: dict[str, tuple[int, dict[str, str] | None]] = {f"-j {j}": (j, None) for j in jobs}
    cases["-j 2, ffmpeg 1 thread"] = (2, one_thread_ffmpeg(folder))
    throughput: dict[str, list[float]] = {name: [] for name in cases}
    noop = []
    for _ in range(repeat):
        for name, (j, env) in cases.items():
            force = ["--force", "-j", str(j)]
            throughput[name].append(run_batch(configs[:CONFIGS], *force, env=env))
        noop.append(run_batch(configs, "-j", "2"))
    return {"throughput_s": throughput, "noop_s": noop, "load": os.getloadavg()}


def report(results: dict[str, Any]) -> None:
    print(
        f"machine: {os.cpu_count()} cores, load average {results['load'][0]:.1f} at the end; "
        f"medians of {len(results['noop_s'])} runs"
    )
    medians = {name: statistics.median(t) for name, t in results["throughput_s"].items()}
    for name, seconds in medians.items():
        per = seconds / CONFIGS
        print(f"  {CONFIGS} configs, {name:22} {seconds:6.2f} s ({per:.2f} s per config)")
    if "-j 1" in medians and "-j 2" in medians:
        speedup = medians["-j 1"] / medians["-j 2"]
        verdict = "meets" if speedup >= SPEEDUP_TARGET else "MISSES"
        print(f"  speed-up -j 2 over -j 1: {speedup:.2f}x ({verdict} the {SPEEDUP_TARGET}x target)")
    noop = statistics.median(results["noop_s"])
    verdict = "meets" if noop < NOOP_TARGET_S else "MISSES"
    print(
        f"  no-op rebuild of {NOOP_CONFIGS} configs: {noop:.2f} s "
        f"({verdict} the {NOOP_TARGET_S:.0f} s target; start-up included)"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--workdir", type=Path, help="keep the media and outputs here")
    p.add_argument("--jobs", default="1,2", help="job counts to compare (default 1,2)")
    p.add_argument("--json", type=Path, help="also write the raw timings here")
    args = p.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        make_source(folder)
        results = measure(folder, jobs, args.repeat)
    finally:
        if args.workdir is None:
            shutil.rmtree(folder, ignore_errors=True)
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
