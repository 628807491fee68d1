"""Transcription benchmark: faster-whisper against openai-whisper on the same weights.

Both engines transcribe the same 2-minute sample interview with the bundled ``base`` model
(openai-whisper runs the checkpoint exported from the same CTranslate2 weights), in one run,
one after the other, with the settings each uses by default (faster-whisper: int8, beam 5,
the speech windows decoded 8 at a time; openai-whisper: float32, greedy, one window after
another). faster-whisper greedy is shown too, for a like-for-like decoding, and faster-whisper
one window after another (as before batching), for what batching gains. The script prints
each real-time factor, their ratios and the word error rates, next to the targets. It is a
script, not a test: nothing asserts a timing.

    .venv/bin/python benchmarks/transcribe.py [--media FILE] [--language en|auto]
                                              [--repeat N] [--skip-openai] [--json FILE]

The real-time factor (RTF) is the wall-clock time to turn the file into a transcript
(decode the sound, VAD, language, Whisper, word times) over the audio's duration; loading
the model is timed apart. ``cpu`` is the CPU seconds this process used (``cpu RTF``: per
second of audio); ``others`` the CPU seconds the rest of the machine used meanwhile: a
wall-clock figure only means something when that is small.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.analysis.transcribe import run
from pipeline.analysis.transcribe.audio import decode, find_speech
from pipeline.analysis.transcribe.checks import wer
from pipeline.analysis.transcribe.settings import TranscribeSettings

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "interview.mp4"
SCRIPT = ROOT / "samples" / "interview.txt"
TARGET_RTF = 0.25
TARGET_RATIO = 2.5
TARGET_AGREEMENT = 0.05


@dataclass(frozen=True)
class Result:
    case: str
    load_s: float
    wall_s: float
    cpu_s: float
    others_cpu_s: float
    rtf: float
    cpu_rtf: float
    wer: float
    text: str


def busy_seconds() -> float:
    """CPU seconds all processes have used since boot (Linux), or 0 where unknown."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measure(fn: Callable[[], str]) -> tuple[str, float, float, float]:
    """Run ``fn``; return its result, wall seconds, own CPU seconds, others' CPU seconds."""
    cpu0, busy0, wall0 = time.process_time(), busy_seconds(), time.perf_counter()
    out = fn()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return out, wall, cpu, max(0.0, busy_seconds() - busy0 - cpu)


def case(
    media: Path, settings: TranscribeSettings, name: str, repeat: int, batched: bool = True
) -> Result:
    """Load the engine once, then transcribe ``media`` ``repeat`` times; keep the fastest.
    ``batched=False`` gives the engine no windows: faster-whisper decodes one after another."""
    model = run.model_for(settings)  # assembles or exports once, untimed
    began = time.perf_counter()
    engine = run.load_engine(model, settings)
    load = time.perf_counter() - began

    def transcribe() -> str:
        speech = find_speech(decode(media), settings.vad)
        if batched:
            _, _, raw = run.recognise(engine, speech, settings, lambda s: None)
        else:
            language, _ = run.choose_language(engine, speech, settings)
            raw = engine.decode(speech.samples, language, settings, lambda s: None)
        segments = run.source_segments(raw, speech, settings.hallucination_silence_s)
        return " ".join(s.text for s in segments)

    runs = [measure(transcribe) for _ in range(repeat)]
    text, wall, cpu, others = min(runs, key=lambda r: r[1])
    duration = len(decode(media)) / 16_000
    reference = SCRIPT.read_text(encoding="utf-8")
    rtf, cpu_rtf = wall / duration, cpu / duration
    return Result(name, load, wall, cpu, others, rtf, cpu_rtf, wer(reference, text), text)


def ensure_sample(media: Path, console: Console) -> Path:
    if not media.exists() and media == SAMPLE:
        console.print("generating the sample interview (samples/make_sample.py) ...")
        subprocess.run([sys.executable, str(ROOT / "samples" / "make_sample.py")], check=True)
    return media


def table(results: list[Result]) -> Table:
    table = Table("case", "load s", "wall s", "RTF", "cpu s", "cpu RTF", "others cpu s", "WER")
    for r in results:
        table.add_row(
            r.case,
            f"{r.load_s:.1f}",
            f"{r.wall_s:.1f}",
            f"{r.rtf:.3f}",
            f"{r.cpu_s:.1f}",
            f"{r.cpu_rtf:.3f}",
            f"{r.others_cpu_s:.1f}",
            f"{r.wer:.1%}",
        )
    return table


def report(results: list[Result], console: Console) -> dict[str, float]:
    """Print the table and the figures against their targets; return the figures."""
    console.print(table(results))
    by = {r.case: r for r in results}
    fw = by["faster-whisper"]
    ok = "ok" if fw.rtf <= TARGET_RTF else "MISSED"
    console.print(f"faster-whisper RTF {fw.rtf:.3f} (target <= {TARGET_RTF}): {ok}")
    figures = {"faster_rtf": fw.rtf, "faster_cpu_rtf": fw.cpu_rtf}
    if "faster-whisper unbatched" in by:
        gain = by["faster-whisper unbatched"].wall_s / fw.wall_s
        console.print(f"batched / one window after another: {gain:.2f}x faster")
        figures["batching_gain"] = gain
    if "openai-whisper" in by:
        ow = by["openai-whisper"]
        ratio, agree = ow.wall_s / fw.wall_s, wer(fw.text, ow.text)
        figures |= {
            "openai_rtf": ow.rtf,
            "ratio": ratio,
            "engines_wer": agree,
            "ratio_cpu": ow.cpu_s / fw.cpu_s,
        }
        console.print(
            f"openai-whisper / faster-whisper = {ratio:.2f} wall, {figures['ratio_cpu']:.2f} "
            f"cpu (target >= {TARGET_RATIO}): {'ok' if ratio >= TARGET_RATIO else 'MISSED'}"
        )
        if "faster-whisper greedy" in by:  # the same decoding: greedy in both
            greedy = ow.wall_s / by["faster-whisper greedy"].wall_s
            console.print(
                f"openai-whisper / faster-whisper greedy (the same decoding) = {greedy:.2f} "
                f"wall (target >= {TARGET_RATIO}): {'ok' if greedy >= TARGET_RATIO else 'MISSED'}"
            )
            figures["ratio_greedy"] = greedy
        console.print(f"transcripts differ by {agree:.1%} WER (target <= {TARGET_AGREEMENT:.0%})")
    others = max(r.others_cpu_s / max(r.wall_s, 1e-9) for r in results)
    if others > 0.05 * (os.cpu_count() or 1):
        console.print(
            f"[yellow]warning: other processes used {others:.2f} CPUs meanwhile; the wall-clock "
            "figures are not reliable (cpu RTF is this process's CPU seconds per audio second)[/]"
        )
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--media", type=Path, default=SAMPLE, help="default: the sample interview")
    p.add_argument("--language", default="en", help="en (default, as a config gives) or auto")
    p.add_argument("--repeat", type=int, default=1, help="faster-whisper runs; the best counts")
    p.add_argument("--skip-openai", action="store_true")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args(argv)
    console = Console(highlight=False)
    media = ensure_sample(args.media, console)
    base = TranscribeSettings(language=args.language)
    cases = [
        ("faster-whisper", base, args.repeat, True),
        ("faster-whisper greedy", replace(base, beam_size=1), 1, True),
        ("faster-whisper unbatched", base, 1, False),
    ]
    if args.skip_openai:
        pass
    elif importlib.util.find_spec("whisper") is None:
        console.print("openai-whisper is not installed: pip install -e '.[openai]'")
    else:
        cases.append(("openai-whisper", replace(base, engine="openai-whisper"), 1, True))
    results = []
    for name, settings, repeat, batched in cases:
        console.print(f"{name} ...")
        results.append(case(media, settings, name, repeat, batched))
    figures = report(results, console)
    console.print(f"threads: {os.cpu_count()} CPUs, media {media}")
    if args.json:
        args.json.write_text(
            json.dumps({"figures": figures, "cases": [asdict(r) for r in results]}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
