"""Face detection benchmark: throughput of ``face_tracks`` on a 720p clip, on 2 cores.

Makes a 30 s 1280x720 clip (skimage's astronaut photo moving over a test pattern), scans it
with an empty cache and prints detected frames per second and seconds of video scanned per
second of wall clock. A script, not a test: nothing here asserts a timing.

    .venv/bin/python benchmarks/faces.py [--seconds N] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from importlib import resources
from pathlib import Path

from pipeline.analysis.faces import run
from pipeline.analysis.faces.values import DetectorSettings
from pipeline.core.model import Span


def make_clip(path: Path, seconds: int) -> None:
    photo = str(resources.files("skimage") / "data" / "astronaut.png")
    graph = "[1:v]scale=256:256[f];[0:v][f]overlay=x='100+20*t':y=200,format=yuv420p[v]"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=s=1280x720:r=25:d={seconds}",
         "-loop", "1", "-framerate", "25", "-i", photo,
         "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo",
         "-filter_complex", graph, "-map", "[v]", "-map", "2:a", "-t", str(seconds),
         "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", str(path)],
        check=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.threads])
    settings = DetectorSettings()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BUILD_CLIP_CACHE"] = str(Path(tmp) / "cache")
        clip = Path(tmp) / "clip720.mp4"
        make_clip(clip, args.seconds)
        run.face_tracks(clip, [Span(0, 1000)], threads=args.threads)  # model load, warm-up
        span = Span(2000, args.seconds * 1000)
        started = time.perf_counter()
        faces = run.face_tracks(clip, [span], margin_ms=0, threads=args.threads)
        wall = time.perf_counter() - started
    scanned_s = sum(s.duration_ms for s in faces.scanned) / 1000
    frames = scanned_s * 1000 / settings.sample_ms
    print(
        f"720p, {args.threads} cores, one frame every {settings.sample_ms} ms at "
        f"{settings.max_side} px: {frames:.0f} frames in {wall:.2f} s = {frames / wall:.1f} "
        f"frames/s, {scanned_s / wall:.1f} s of video per s; {len(faces.tracks)} track(s)"
    )


if __name__ == "__main__":
    main()
