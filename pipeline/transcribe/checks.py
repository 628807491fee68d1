"""Post-checks on a transcript: flags for likely hallucinations, and word error rate.

Whisper can loop on a phrase or invent text in silence; both show as segments with repeated
word n-grams or more characters per second than anyone speaks (research/standards.md D3.5).
The segments are kept and flagged, never dropped: an editor decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from pipeline.model import Segment

MAX_CPS = 25.0  # faster than fast speech: about 25 characters per second
REPEATS = 3  # an n-gram (n >= 2) this many times back to back is a loop
RUN = 4  # the same word this many times in a row is a loop ("no, no, no" is speech)
_WORD = re.compile(r"[\w']+")


def tokens(text: str) -> list[str]:
    """Lower-case words without punctuation, for comparing texts.

    >>> tokens("It was all lies -- ALL of it.")
    ['it', 'was', 'all', 'lies', 'all', 'of', 'it']
    """
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def repeats(words: Sequence[str]) -> bool:
    """True when a word n-gram repeats back to back like a decoding loop.

    >>> repeats("thank you thank you thank you".split()), repeats("no no no".split())
    (True, False)
    """
    for n in range(1, 6):
        copies = RUN if n == 1 else REPEATS
        for i in range(len(words) - copies * n + 1):
            gram = words[i : i + n]
            if all(words[i + k * n : i + (k + 1) * n] == gram for k in range(1, copies)):
                return True
    return False


def flags(segment: Segment) -> tuple[str, ...]:
    """The reasons to distrust a segment: ``repetition``, ``too-fast``."""
    found = []
    if repeats(tokens(segment.text)):
        found.append("repetition")
    seconds = segment.span.duration_ms / 1000
    chars = len(segment.text.strip())
    if chars and (seconds <= 0 or chars / seconds > MAX_CPS):
        found.append("too-fast")
    return tuple(found)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: (substitutions + deletions + insertions) / reference words.

    >>> wer("it was all lies", "it was all lies"), wer("it was all lies", "it is lies")
    (0.0, 0.5)
    """
    ref, hyp = tokens(reference), tokens(hypothesis)
    if not ref:
        return float(bool(hyp))
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / len(ref)
