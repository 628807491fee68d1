"""How far Whisper's word edges are from the sound, before and after pipeline/analysis/edges.py.

The truth is where speech meets silence: ffmpeg's ``silencedetect`` on the recording marks
each pause, and the word that ends just before a pause (or starts just after it) should
end (start) there. For every such word edge this prints the error of Whisper's raw time and
of the refined time, then the median and the worst of each.

    .venv/bin/python benchmarks/word_edges.py                  # JFK (real speech) and the sample
    .venv/bin/python benchmarks/word_edges.py --media FILE     # any recording

The recordings: ``scripts/fetch_speech.py --name jfk`` (public domain, fetched by
version and sha256) and the sample interview (``samples/make_sample.py``).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.analysis.edges import refine  # noqa: E402
from pipeline.analysis.media import envelope  # noqa: E402
from pipeline.analysis.transcribe import load_or_transcribe, settings_for  # noqa: E402
from pipeline.core.model import Span, Word  # noqa: E402

NEAR_MS = 1500  # a word edge is compared with a pause this close to it, or not at all


def pauses(path: Path, noise_db: int = -30, min_s: float = 0.15) -> list[Span]:
    """The silences of a recording, by ffmpeg's silencedetect."""
    argv = ["ffmpeg", "-nostdin", "-i", str(path), "-af"]
    argv += [f"silencedetect=n={noise_db}dB:d={min_s}", "-f", "null", "-"]
    text = subprocess.run(argv, capture_output=True, text=True, check=True).stderr
    starts = [float(x) for x in re.findall(r"silence_start: ([\d.]+)", text)]
    ends = [float(x) for x in re.findall(r"silence_end: ([\d.]+)", text)]
    return [Span(round(a * 1000), round(b * 1000)) for a, b in zip(starts, ends, strict=False)]


def edges(words: list[Word], silences: list[Span]) -> list[tuple[int, str, int]]:
    """(word index, "start" or "end", true time) for words next to a pause."""
    out = []
    for s in silences:
        if s.start_ms > 0:  # speech ends here: the last word before the pause
            before = [i for i, w in enumerate(words) if w.span.start_ms < s.start_ms]
            if before and abs(words[before[-1]].span.end_ms - s.start_ms) < NEAR_MS:
                out.append((before[-1], "end", s.start_ms))
        after = [i for i, w in enumerate(words) if w.span.end_ms > s.end_ms]
        if after and abs(words[after[0]].span.start_ms - s.end_ms) < NEAR_MS:
            out.append((after[0], "start", s.end_ms))
    return out


def measure(path: Path) -> tuple[list[int], list[int]]:
    transcript = load_or_transcribe(path, settings_for(None))
    words = list(transcript.words)
    sound = envelope(path, Span(0, transcript.duration_ms + 1000))
    refined = list(refine(words, sound, range(-1, len(words))))
    raw_err, new_err = [], []
    print(f"\n{path.name}: {len(words)} words")
    print(f"{'word':<14} {'edge':<5} {'truth':>7} {'raw':>7} {'refined':>7}")
    for i, edge, truth in edges(words, pauses(path)):
        raw = getattr(words[i].span, f"{edge}_ms")
        new = getattr(refined[i].span, f"{edge}_ms")
        raw_err.append(abs(raw - truth))
        new_err.append(abs(new - truth))
        print(f"{words[i].text:<14} {edge:<5} {truth:>7} {raw - truth:>+7} {new - truth:>+7}")
    return raw_err, new_err


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--media", type=Path, action="append")
    args = parser.parse_args()
    media = args.media
    if not media:
        fetch = [sys.executable, str(ROOT / "scripts/fetch_speech.py"), "--name", "jfk"]
        jfk = subprocess.run(fetch, capture_output=True, text=True, check=True).stdout.strip()
        subprocess.run([sys.executable, str(ROOT / "samples/make_sample.py")], check=True)
        media = [Path(jfk), ROOT / "samples/interview.mp4"]
    for path in media:
        raw, new = measure(path)
        if raw:
            print(
                f"{path.name}: {len(raw)} edges; |error| median raw {statistics.median(raw)} ms, "
                f"refined {statistics.median(new)} ms; worst raw {max(raw)} ms, refined "
                f"{max(new)} ms"
            )


if __name__ == "__main__":
    main()
