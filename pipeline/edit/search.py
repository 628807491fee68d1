"""Find words in transcripts: each hit with its source time range and passage (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.core.model import Span, Word
from pipeline.edit.quotes import find


@dataclass(frozen=True)
class Hit:
    """One place a pattern is said: the words that say it, and some words around them."""

    span: Span
    text: str
    before: str
    after: str


def _hit(words: Sequence[Word], first: int, last: int, context: int) -> Hit:
    def join(part: Sequence[Word]) -> str:
        return " ".join(w.text.strip() for w in part)

    return Hit(
        Span(words[first].span.start_ms, words[last].span.end_ms),
        join(words[first : last + 1]),
        join(words[max(0, first - context) : first]),
        join(words[last + 1 : last + 1 + context]),
    )


def search(
    pattern: str, words: Sequence[Word], lang: str, regex: bool = False, context: int = 8
) -> list[Hit]:
    """Hits of ``pattern`` in time order: plain words match as quotes do (case, punctuation
    and small slips forgiven); with ``regex``, a Python regular expression over the text."""
    if not regex:
        return [_hit(words, m.first, m.last, context) for m in find(pattern, words, lang)]
    starts, text = [], ""
    for w in words:
        starts.append(len(text) + 1 if text else 0)
        text += (" " if text else "") + w.text.strip()
    hits = []
    for m in re.finditer(pattern, text, flags=re.IGNORECASE):
        if m.end() == m.start():
            continue
        first = max(i for i, s in enumerate(starts) if s <= m.start())
        last = max(i for i, s in enumerate(starts) if s < m.end())
        hits.append(_hit(words, first, last, context))
    return hits
