"""How long one translator's cue of many words takes to lay out (issue 18: 72 s for 1000).

A cue whose lines are too long is laid out again (pipeline/prepare/cues.py ``rewrap``):
this times that for one cue of N words, which fits no number of lines the rules allow, the
worst case. A script, not a test: nothing asserts a timing.

    .venv/bin/python benchmarks/cue_layout.py              # 200, 1000 and 5000 words
    .venv/bin/python benchmarks/cue_layout.py 1000
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.core.model import Cue, Span
from pipeline.prepare.cues import rewrap
from pipeline.subtitles.limits import SubtitleRules


def main(counts: list[int]) -> None:
    for n in counts:
        text = " ".join(f"word{k % 7}" for k in range(n))
        start = time.perf_counter()
        rewrap([Cue(Span(0, 5000), text)], "en", SubtitleRules())
        print(f"{n:6d} words: {time.perf_counter() - start:8.3f} s", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [200, 1000, 5000])
