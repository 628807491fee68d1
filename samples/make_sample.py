#!/usr/bin/env python3
"""Synthesise the sample interview video and its source-timeline SRT.

Each sentence of ``interview.txt`` is spoken by ffmpeg's ``flite`` source, trimmed to its
audible part and laid on a timeline with fixed pauses, so every cue time in the SRT is
known exactly. The video is a dark gradient with a soft moving light and a burned-in
timecode. Standard library only; ffmpeg is always called with an argv list.

Usage: python samples/make_sample.py [--out samples/interview.mp4]
       [--srt samples/interview.en.srt] [--wav PATH] [--force]
"""

from __future__ import annotations

import argparse
import array
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEXT = HERE / "interview.txt"
WIDTH, HEIGHT, FPS = 1280, 720, 25
AUDIO_RATE = 48_000
VOICE = "slt"  # the flite voice Whisper understands best (kal16, rms, awb do worse)
TEMPO = 0.94  # flite speaks about 21 characters a second; keep the cues under 20 cps
LEAD_IN_S = 1.5
TAIL_S = 2.0
# Pauses between sentences (seconds); used in order, cycled if the text grows.
PAUSES_S = (
    0.90, 0.70, 1.30, 0.60, 0.85, 1.10, 0.65, 0.95, 1.60, 0.75, 1.20,
    0.60, 1.05, 0.70, 0.80, 1.40, 0.65, 0.90, 1.15, 0.75, 0.95,
)  # fmt: skip
SILENCE_PEAK = 328  # about -40 dBFS: quieter samples count as silence
MIN_GAP_S = 0.06  # shortest silence inside a sentence used as a cue split point
CUE_GAP_S = 0.042  # half the gap between split cues: 2 frames (80 ms) after rounding
MAX_CUE_CHARS = 84
MAX_LINE_CHARS = 42
# Words that should not end a line or a cue (articles, conjunctions, prepositions).
GLUE_WORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "to", "of", "in", "on", "at",
    "for", "with", "by", "from", "my", "your", "his", "her", "our", "their",
})  # fmt: skip


class SampleError(Exception):
    """A failure reported as one line on stderr."""


@dataclass(frozen=True)
class Spoken:
    """One sentence placed on the timeline (sample offsets at the speech rate)."""

    text: str
    start: int
    samples: array.array[int]


@dataclass(frozen=True)
class Cue:
    """One subtitle cue in milliseconds."""

    start_ms: int
    end_ms: int
    text: str


def read_sentences(path: Path) -> list[str]:
    """Return the non-empty, stripped lines of the interview text."""
    lines = path.read_text(encoding="utf-8").splitlines()
    sentences = [" ".join(line.split()) for line in lines if line.strip()]
    if not sentences:
        raise SampleError(f"no sentences in {path}")
    return sentences


def run_ffmpeg(args: list[str], cwd: Path | None = None) -> None:
    """Run ffmpeg quietly; raise SampleError with its last stderr line on failure."""
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
        raise SampleError(f"ffmpeg failed: {lines[-1]}")


def synthesise(sentences: list[str], work: Path) -> list[Path]:
    """Speak every sentence (slowed to TEMPO) into its own WAV with one ffmpeg call."""
    inputs: list[str] = []
    outputs: list[str] = []
    for i, sentence in enumerate(sentences):
        # Relative names (ffmpeg runs in `work`) need no filtergraph escaping.
        (work / f"s{i:03d}.txt").write_text(sentence, encoding="utf-8")
        inputs += ["-f", "lavfi", "-i", f"flite=textfile=s{i:03d}.txt:voice={VOICE}"]
        outputs += ["-map", f"{i}:a", "-af", f"atempo={TEMPO}", "-c:a", "pcm_s16le"]
        outputs.append(f"s{i:03d}.wav")
    run_ffmpeg(inputs + outputs, cwd=work)
    return [work / f"s{i:03d}.wav" for i in range(len(sentences))]


def read_wav(path: Path) -> tuple[array.array[int], int]:
    """Read a mono 16-bit WAV as (samples, rate)."""
    with wave.open(str(path), "rb") as wav:
        if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
            raise SampleError(f"unexpected WAV format from flite: {path.name}")
        samples = array.array("h", wav.readframes(wav.getnframes()))
        rate = wav.getframerate()
    if sys.byteorder == "big":
        samples.byteswap()
    return samples, rate


def trim_silence(samples: array.array[int]) -> array.array[int]:
    """Cut the silence before the first and after the last audible sample."""
    loud = [i for i, value in enumerate(samples) if abs(value) > SILENCE_PEAK]
    if not loud:
        raise SampleError("flite produced a silent sentence")
    return samples[loud[0] : loud[-1] + 1]


def lay_out(clips: list[array.array[int]], texts: list[str], rate: int) -> tuple[list[Spoken], int]:
    """Place the clips after a lead-in with the fixed pauses; return them and the total."""
    spoken: list[Spoken] = []
    pos = round(LEAD_IN_S * rate)
    for i, (clip, text) in enumerate(zip(clips, texts, strict=True)):
        if i:
            pos += round(PAUSES_S[(i - 1) % len(PAUSES_S)] * rate)
        spoken.append(Spoken(text, pos, clip))
        pos += len(clip)
    frame = rate // FPS
    total = math.ceil((pos + TAIL_S * rate) / frame) * frame
    return spoken, total


def write_track(spoken: list[Spoken], total: int, rate: int, path: Path) -> None:
    """Write the whole speech track as a mono 16-bit WAV."""
    track = array.array("h", bytes(2 * total))
    for item in spoken:
        track[item.start : item.start + len(item.samples)] = item.samples
    if sys.byteorder == "big":
        track.byteswap()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(track.tobytes())


def split_cost(left: str, right: str, limit: int, bonus: float) -> float:
    """Cost of breaking between `left` and `right`: lower is better."""
    cost = abs(len(left) - len(right)) + (0.5 if len(left) > len(right) else 0.0)
    if left[-1] in ",;:.":
        cost -= bonus  # break after punctuation
    if left.rsplit(" ", 1)[-1].lower() in GLUE_WORDS:
        cost += 8  # never leave an article, conjunction or preposition at a line end
    if max(len(left), len(right)) > limit:
        cost += 1000  # over the limit: only when nothing else exists
    return cost


def best_split(text: str, limit: int, bonus: float) -> tuple[str, str]:
    """Split at the cheapest word boundary; punctuation earns `bonus` characters."""
    words = text.split(" ")
    pairs = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    if not pairs:
        return text, ""
    return min(pairs, key=lambda pair: split_cost(pair[0], pair[1], limit, bonus))


def wrap_lines(text: str) -> str:
    """Break a cue into at most two lines of at most MAX_LINE_CHARS."""
    if len(text) <= MAX_LINE_CHARS:
        return text
    top, bottom = best_split(text, MAX_LINE_CHARS, bonus=10)
    return f"{top}\n{bottom}" if bottom else top


def fits(text: str) -> bool:
    """True when the text fits one cue (two lines within the limits)."""
    return len(text) <= MAX_CUE_CHARS and all(
        len(line) <= MAX_LINE_CHARS for line in wrap_lines(text).split("\n")
    )


def split_text(text: str) -> list[str]:
    """Split a sentence into cue texts, preferring a comma near the middle."""
    if fits(text) or " " not in text:
        return [text]
    left, right = best_split(text, MAX_CUE_CHARS, bonus=len(text) / 2)
    return split_text(left) + split_text(right)


def quiet_runs(samples: array.array[int], rate: int) -> list[tuple[int, int]]:
    """Silent stretches (10 ms windows) of at least MIN_GAP_S inside a clip."""
    step = rate // 100
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for pos in range(0, len(samples), step):
        window = samples[pos : pos + step]
        quiet = max(window) <= SILENCE_PEAK and -min(window) <= SILENCE_PEAK
        if quiet and start is None:
            start = pos
        elif not quiet and start is not None:
            if pos - start >= MIN_GAP_S * rate:
                runs.append((start, pos))
            start = None
    return runs


def cut_points(item: Spoken, parts: list[str], rate: int) -> list[tuple[int, int]]:
    """For each boundary between parts: (end of the left part, start of the right one)."""
    runs = quiet_runs(item.samples, rate)
    total_chars = sum(len(part) + 1 for part in parts) - 1
    n, done, points = len(item.samples), 0, []
    for part in parts[:-1]:
        done += len(part) + 1
        guess = round(n * done / total_chars)
        near = [r for r in runs if abs((r[0] + r[1]) / 2 - guess) <= n / 4]
        if near:
            gap = min(near, key=lambda r: abs((r[0] + r[1]) / 2 - guess))
            guess = (gap[0] + gap[1]) // 2
        else:
            gap = (guess, guess)
        half = round(CUE_GAP_S * rate)  # at least 2 frames between the two cues
        points.append((min(gap[0], guess - half), max(gap[1], guess + half)))
    return points


def make_cues(spoken: list[Spoken], rate: int) -> list[Cue]:
    """One cue per sentence, long sentences split in time at pauses or by length."""
    cues: list[Cue] = []
    for item in spoken:
        parts = split_text(item.text)
        bounds = [0, *(p for pair in cut_points(item, parts, rate) for p in pair)]
        bounds.append(len(item.samples))
        for k, part in enumerate(parts):
            start = item.start + bounds[2 * k]
            end = item.start + bounds[2 * k + 1]
            start_ms = start * 1000 // rate
            end_ms = -(-end * 1000 // rate)
            cues.append(Cue(start_ms, end_ms, part))
    return cues


def srt_time(ms: int) -> str:
    """Format milliseconds as an SRT timestamp."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d},{millis:03d}"


def srt_text(cues: list[Cue]) -> str:
    """Render cues as SRT (LF line endings)."""
    blocks = [
        f"{n}\n{srt_time(c.start_ms)} --> {srt_time(c.end_ms)}\n{wrap_lines(c.text)}\n"
        for n, c in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)


def video_graph(duration: float) -> str:
    """Filtergraph for the background, the moving light and the timecode."""
    bg = (
        f"gradients=s={WIDTH}x{HEIGHT}:r={FPS}:d=0.04:c0=0x0a1020:c1=0x22344a"
        f":x0=0:y0=0:x1={WIDTH}:y1={HEIGHT}:seed=1,format=yuv420p,"
        f"loop=loop=-1:size=1,settb=1/{FPS},setpts=N[bg]"
    )
    light = (
        f"color=c=0xd8c8a0:s=360x360:r={FPS}:d=0.04,format=yuva420p,"
        "geq=lum='lum(X,Y)':cb='cb(X,Y)':cr='cr(X,Y)'"
        ":a='70*exp(-((X-180)*(X-180)+(Y-180)*(Y-180))/6000)',"
        f"loop=loop=-1:size=1,settb=1/{FPS},setpts=N[light]"
    )
    top = (
        "[bg][light]overlay=x='760+220*sin(2*PI*t/40)':y='160+90*cos(2*PI*t/27)'"
        f":eval=frame,trim=duration={duration:.3f},"
        r"drawtext=font='Noto Sans':timecode='00\:00\:00\:00'"
        f":rate={FPS}:x=16:y=14:fontsize=22:fontcolor=white@0.9"
        ":box=1:boxcolor=black@0.45:boxborderw=6,format=yuv420p[v]"
    )
    return ";".join((bg, light, top))


def encode(track: Path, duration: float, out: Path) -> None:
    """Encode the video with the speech track into `out` atomically."""
    part = partial_path(out)
    try:
        run_ffmpeg([
            "-i", str(track), "-filter_complex", video_graph(duration),
            "-map", "[v]", "-map", "0:a", "-t", f"{duration:.3f}",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-g", str(2 * FPS),
            "-pix_fmt", "yuv420p", "-r", str(FPS),
            "-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k", "-ar", str(AUDIO_RATE), "-ac", "2",
            "-map_metadata", "-1", "-fflags", "+bitexact", "-movflags", "+faststart",
            "-f", "mp4", str(part),
        ])  # fmt: skip
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)


def write_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text (no BOM, LF) through a temp file and rename."""
    part = partial_path(path)
    part.write_bytes(text.encode("utf-8"))
    os.replace(part, path)


def partial_path(path: Path) -> Path:
    """Temp name beside `path` (``x.partial.mp4``; matches ``*.partial.*`` in .gitignore)."""
    return path.with_name(f"{path.stem}.partial{path.suffix}")


def up_to_date(outputs: list[Path]) -> bool:
    """True when every output exists and is newer than this script and the text."""
    sources = max(Path(__file__).stat().st_mtime, TEXT.stat().st_mtime)
    return all(p.exists() and p.stat().st_mtime > sources for p in outputs)


def build(out: Path, srt: Path, wav: Path | None) -> tuple[float, int]:
    """Make the video and the SRT; return (duration in seconds, number of cues)."""
    sentences = read_sentences(TEXT)
    for path in (out, srt, wav):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="make_sample_") as tmp:
        work = Path(tmp)
        loaded = [read_wav(p) for p in synthesise(sentences, work)]
        rate = loaded[0][1]
        if any(r != rate for _, r in loaded):
            raise SampleError("flite returned WAVs with different sample rates")
        clips = [trim_silence(samples) for samples, _ in loaded]
        spoken, total = lay_out(clips, sentences, rate)
        track = work / "speech.wav"
        write_track(spoken, total, rate, track)
        cues = make_cues(spoken, rate)
        encode(track, total / rate, out)
        if wav is not None:
            shutil.copyfile(track, partial_path(wav))
            os.replace(partial_path(wav), wav)
    write_atomic(srt, srt_text(cues))
    return total / rate, len(cues)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "interview.mp4")
    parser.add_argument("--srt", type=Path, default=HERE / "interview.en.srt")
    parser.add_argument("--wav", type=Path, help="also keep the speech track (mono WAV)")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point: build unless the outputs are up to date."""
    args = parse_args(argv)
    outputs = [args.out, args.srt] + ([args.wav] if args.wav else [])
    if not args.force and up_to_date(outputs):
        print(f"up to date: {args.out} and {args.srt} (use --force to rebuild)")
        return 0
    if shutil.which("ffmpeg") is None:
        print("make_sample: error: ffmpeg not found on PATH", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        duration, n_cues = build(args.out, args.srt, args.wav)
    except (SampleError, OSError) as exc:
        print(f"make_sample: error: {exc}", file=sys.stderr)
        return 1
    print(f"video: {args.out} ({duration:.2f} s, {WIDTH}x{HEIGHT} @ {FPS} fps)")
    print(f"subtitles: {args.srt} ({n_cues} cues, source time)")
    if args.wav:
        print(f"speech: {args.wav}")
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
