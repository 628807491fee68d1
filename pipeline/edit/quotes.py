"""Find a quote in a word-level transcript, tolerating case, punctuation and small slips (pure)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.core.model import Word

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}(?!\d))")  # 1,000 and 1.000 are one number
# Abbreviations as they are said, so that "Mr." in a quote matches "Mister" in a transcript.
_SPOKEN = {
    "en": {"mr": "mister", "mrs": "missus", "dr": "doctor", "prof": "professor", "ok": "okay"},
    "de": {"dr": "doktor", "prof": "professor", "hr": "herr", "fr": "frau"},
    "bs": {"dr": "doktor", "prof": "profesor"},
}


def _number_words(token: str, lang: str) -> list[str]:
    """Digits as the words a speaker says, where num2words knows the language."""
    try:
        from num2words import num2words

        return tokens(num2words(int(token), lang=lang), lang, numbers=False)
    except (ImportError, NotImplementedError, ValueError, OverflowError):
        return [token]


def tokens(text: str, lang: str = "en", numbers: bool = True) -> list[str]:
    """Normalised tokens: NFKC, case-folded, punctuation and apostrophes removed, digits spoken.

    >>> tokens("It\u2019s ALL lies -- 3 of them, Mr. Smith!")
    ['its', 'all', 'lies', 'three', 'of', 'them', 'mister', 'smith']
    """
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    spoken = _SPOKEN.get(lang.split("-")[0], {})
    out: list[str] = []
    for tok in _TOKEN.findall(_THOUSANDS.sub("", text)):
        tok = tok.replace("'", "")
        if numbers and tok.isdigit():
            out += _number_words(tok, lang)
        else:
            out.append(spoken.get(tok, tok))
    return out


@dataclass(frozen=True)
class Match:
    """Words ``first`` to ``last`` (inclusive), and their edit distance from the quote."""

    first: int
    last: int
    distance: int


def tolerance(quote_tokens: int) -> int:
    """Token edits allowed: one per eight words, at most three (a misheard word or two)."""
    return min(3, quote_tokens // 8)


def _distance(a: Sequence[str], b: Sequence[str]) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def _word_tokens(words: Sequence[Word], lang: str) -> tuple[list[str], list[int]]:
    """All tokens of the transcript, and the index of the word each came from."""
    flat: list[str] = []
    owner: list[int] = []
    for i, word in enumerate(words):
        toks = tokens(word.text, lang)
        flat += toks
        owner += [i] * len(toks)
    return flat, owner


def find(quote: str, words: Sequence[Word], lang: str = "en") -> list[Match]:
    """Every place the quote is said, best first within overlaps, in time order.

    The quote's first and last words must be said exactly (after normalisation: see
    :func:`tokens`) and be whole words of the transcript, so that a cut never drops or
    halves an edge word; inside, one word in eight may differ (see :func:`tolerance`).
    """
    q = tokens(quote, lang)
    if not q:
        return []
    flat, owner = _word_tokens(words, lang)
    tol = tolerance(len(q))
    found: list[Match] = []
    for i in range(len(flat)):
        if flat[i] != q[0] or (i > 0 and owner[i - 1] == owner[i]):
            continue  # not the quote's first word, or not the first token of a word
        best = min(
            (
                (_distance(q, flat[i : i + n]), abs(n - len(q)), n)
                for n in range(max(1, len(q) - tol), len(q) + tol + 1)
                if i + n <= len(flat)
                and flat[i + n - 1] == q[-1]
                and (i + n == len(flat) or owner[i + n] != owner[i + n - 1])
            ),
            default=None,
        )
        if best is not None and best[0] <= tol:
            found.append(Match(owner[i], owner[i + best[2] - 1], best[0]))
    return _best_of_overlaps(found)


def says_exactly(kept: Sequence[Word], quote: str, lang: str = "en") -> bool:
    """True when the kept words are the quote: its first word first, its last word last,
    and the words between within the tolerance of :func:`find`."""
    return any(m.first == 0 and m.last == len(kept) - 1 for m in find(quote, kept, lang))


def differences(quote: str, words: Sequence[Word], match: Match, lang: str = "en") -> str:
    """How the words of a match differ from the quote: "- written + heard" token by token.

    >>> from pipeline.core.model import Span
    >>> w = [Word(Span(0, 1), t) for t in "we were told lies".split()]
    >>> differences("we were sold lies", w, Match(0, 3, 1))
    '- sold + told'
    """
    heard = tokens(" ".join(w.text for w in words[match.first : match.last + 1]), lang)
    ops = difflib.SequenceMatcher(a=tokens(quote, lang), b=heard, autojunk=False).get_opcodes()
    written = tokens(quote, lang)
    parts = []
    for op, a0, a1, b0, b1 in ops:
        if op != "equal":
            parts += [f"- {' '.join(written[a0:a1])}"] if a1 > a0 else []
            parts += [f"+ {' '.join(heard[b0:b1])}"] if b1 > b0 else []
    return " ".join(parts)


def _best_of_overlaps(found: list[Match]) -> list[Match]:
    kept: list[Match] = []
    for m in sorted(found, key=lambda m: (m.distance, m.first)):
        if all(m.last < k.first or m.first > k.last for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.first)


def nearest(quote: str, words: Sequence[Word], lang: str = "en", count: int = 3) -> list[Match]:
    """The passages most like the quote (for "not found" messages), best first."""
    q = tokens(quote, lang)
    flat, owner = _word_tokens(words, lang)
    if not q or not flat:
        return []
    scored = []
    for i in range(len(flat)):
        lengths = range(max(1, len(q) - 2), len(q) + 3)
        dist, n = min((_distance(q, flat[i : i + n]), n) for n in lengths)
        scored.append(Match(owner[i], owner[min(i + n, len(flat)) - 1], dist))
    return sorted(_best_of_overlaps(scored), key=lambda m: m.distance)[:count]


def passage(words: Sequence[Word], match: Match) -> str:
    """The words of a match as text."""
    return " ".join(w.text.strip() for w in words[match.first : match.last + 1])
