"""Post-checks on a transcript: flags for likely hallucinations, and word error rate.

Whisper can loop on a phrase or invent text in silence; both show as segments with repeated
word n-grams or more characters per second than anyone speaks (research/standards.md D3.5).
Those segments are kept and flagged: an editor decides. Only what openai-whisper's
``hallucination_silence_threshold`` drops is dropped: a segment of anomalous words (very
improbable, very short or very long) with silence longer than the threshold on both sides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from pipeline.core.model import Segment, Word

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


def word_anomaly(word: Word) -> float:
    """How unlike a real word it is: improbable, or too short or too long to be said
    (openai-whisper's ``word_anomaly_score``, also faster-whisper's)."""
    seconds = word.span.duration_ms / 1000
    score = 1.0 if word.probability < 0.15 else 0.0
    if seconds < 0.133:
        score += (0.133 - seconds) * 15
    if seconds > 2.0:
        score += seconds - 2.0
    return score


def is_anomaly(segment: Segment | None) -> bool:
    """Whether a segment's first 8 words look invented rather than heard."""
    if segment is None:
        return False
    words = [w for w in segment.words if _WORD.search(w.text)][:8]
    if not words:
        return False
    score = sum(word_anomaly(w) for w in words)
    return score >= 3 or score + 0.01 >= len(words)


def drop_isolated_anomalies(
    segments: Sequence[Segment], silence_s: float | None, duration_ms: int
) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """``(kept, dropped)``: an anomalous segment goes when the silence before it and the
    silence after it (or an anomalous neighbour) are longer than ``silence_s``, as with
    openai-whisper's ``hallucination_silence_threshold``.

    Applied on source time after decoding, so that it holds whatever the engine and however
    it decoded (faster-whisper's batched decoding does not apply the option itself).
    """
    if silence_s is None:
        return tuple(segments), ()
    limit = round(silence_s * 1000)
    kept: list[Segment] = []
    dropped: list[Segment] = []
    for i, segment in enumerate(segments):
        if is_anomaly(segment):
            after = segments[i + 1] if i + 1 < len(segments) else None
            start = kept[-1].span.end_ms if kept else 0
            end = after.span.start_ms if after else duration_ms
            if segment.span.start_ms - start > limit and (
                end - segment.span.end_ms > limit or is_anomaly(after)
            ):
                dropped.append(segment)
                continue
        kept.append(segment)
    return tuple(kept), tuple(dropped)


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
