"""Words -> subtitle cues, by the numbers in SUBTITLES.md (Netflix, BBC).

Cue boundaries are chosen by dynamic programming over the word list: each cue must fit two
lines of 42 characters, last at most 7 s and hold no long pause; among those, the cheapest
split favours breaks after sentence ends, then commas, then pauses, and a reading speed near
17 characters per second. Lines break after punctuation or before a conjunction, never
after an article or a preposition, and lean bottom-heavy.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from pipeline.core.model import Cue, Span, Timeline, Transcript, Word
from pipeline.subtitles.limits import SubtitleRules, rules_for


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Latin, with the CJK full stop and full-width ? !, the Arabic ?, the Devanagari danda and the
# Urdu full stop (escaped: some look like Latin marks).
SENTENCE_END = tuple(".?!…。\uff1f\uff01؟\u0964\u06d4")
# Abbreviations that end in a full stop but not a sentence ("And Mr." must not stand alone).
_ABBREVIATIONS = {
    "en": _set(
        "mr mrs ms dr prof st jr sr mt gen col lt sgt capt cpt rev gov sen rep vs approx dept "
        "e.g i.e a.m p.m u.s u.k u.n"
    ),
    "de": _set("dr prof hr fr nr bzw z.b u.a d.h usw ca vgl st"),
    "bs": _set("dr prof gosp gđa gđica br sv npr tj itd"),
    "fr": _set("m mme mlle dr pr st"),
}
for _same in ("hr", "sr"):
    _ABBREVIATIONS[_same] = _ABBREVIATIONS["bs"]


def ends_sentence(word: str, language: str) -> bool:
    """True when a word ends a sentence: a sentence mark, but not an abbreviation or an
    initial ("Mr.", "Dr.", "e.g.", "J.").

    >>> ends_sentence("lies.", "en"), ends_sentence("Mr.", "en"), ends_sentence("J.", "en")
    (True, False, False)
    """
    if not word.endswith(SENTENCE_END):
        return False
    if not word.endswith("."):
        return True
    bare = word.strip("\"'\u201c\u201d\u2018\u2019()[]").rstrip(".")
    if len(bare) == 1 and bare.isupper() and bare != "I":  # an initial
        return False
    return bare.casefold() not in _ABBREVIATIONS.get(language.split("-")[0], ())


_CLAUSE_END = tuple(",;:\u2013\u2014،؛")  # with en and em dashes
NO_SPACES = _set("zh ja th lo km my yue bo")
# A line or cue should not end on these (article + noun, preposition + phrase, pronoun + verb).
_NO_BREAK_AFTER = {
    "en": _set(
        "a an the my your his her its our their this these those to of in on at for "
        "with from by about into i you he she we they is was are were be been not"
    ),
    "de": _set(
        "der die das den dem des ein eine einen einem einer ich du er sie wir ihr zu "
        "in an auf mit von für aus bei nach über nicht"
    ),
    "bs": _set("u na sa s od do za iz o po ja ti on ona mi vi oni ne se"),
}
# A new line may well start with these (a conjunction or a preposition).
_BREAK_BEFORE = {
    "en": _set(
        "and but or so because that which who when where while if to of in on at for "
        "with from about like than after before"
    ),
    "de": _set("und aber oder weil dass wenn als denn in an auf mit von zu für aus bei nach"),
    "bs": _set("i a ali ili jer da kad kada što u na sa od do za iz"),
}
for _same in ("hr", "sr"):
    _NO_BREAK_AFTER[_same], _BREAK_BEFORE[_same] = _NO_BREAK_AFTER["bs"], _BREAK_BEFORE["bs"]


def text_length(text: str) -> int:
    """Characters as a reader counts them: NFC, without combining marks (so without Arabic
    harakat) or invisible format characters.

    >>> text_length("Café"), text_length("مَرْحَبًا")
    (4, 5)
    """
    return sum(
        1
        for ch in unicodedata.normalize("NFC", text)
        if unicodedata.category(ch) not in ("Mn", "Me", "Cf")
    )


def join_words(words: Sequence[str], language: str) -> str:
    return ("" if language in NO_SPACES else " ").join(words)


def _bare(word: str) -> str:
    return word.strip("\"'“”\u2018\u2019()[]¿¡").rstrip(".,;:!?…")


def _break_cost(words: Sequence[str], k: int, language: str) -> float:
    """The cost of breaking between ``words[k-1]`` and ``words[k]`` (lines and cues alike)."""
    before = words[k - 1]
    if ends_sentence(before, language):
        return 0.0
    if before.endswith(_CLAUSE_END):
        return 0.5
    cost = 2.0
    # An abbreviation ("Mr.") belongs with the name after it, like an article with its noun.
    if before.endswith(".") or _bare(before).lower() in _NO_BREAK_AFTER.get(language, ()):
        cost += 3.0
    if k < len(words) and _bare(words[k]).lower() in _BREAK_BEFORE.get(language, ()):
        cost -= 1.0
    return cost


def layout(words: Sequence[str], language: str, rules: SubtitleRules) -> list[str] | None:
    """The cue's text in lines, or None when it cannot fit ``rules.max_lines`` lines.

    Dynamic programming over (first word, lines left): each state is solved once and tries
    only the first lines that fit ``rules.max_chars``, so a cue of n words costs about
    n x lines x (words on a line) steps, not a search over every split (issue 18: a
    1000-word cue took 72 s).
    """
    found = _Layout(words, language, rules).best(0, rules.max_lines)
    return found[1] if found else None


class _Layout:
    def __init__(self, words: Sequence[str], language: str, rules: SubtitleRules) -> None:
        self.words, self.language, self.rules = words, language, rules
        self.space = 0 if language in NO_SPACES else 1
        # Characters before each word, joined: a word's length does not change when it is
        # joined to another (text_length counts no combining mark a word could begin with).
        self.before = [0]
        for w in words:
            self.before.append(self.before[-1] + text_length(w))
        self.memo: dict[tuple[int, int], tuple[float, list[str]] | None] = {}

    def length(self, i: int, j: int) -> int:
        """Characters of ``words[i:j]`` joined."""
        return self.before[j] - self.before[i] + self.space * (j - i - 1)

    def best(self, i: int, lines: int) -> tuple[float, list[str]] | None:
        """The cheapest layout of ``words[i:]`` in at most ``lines`` lines (None: none fits)."""
        if (i, lines) not in self.memo:
            self.memo[(i, lines)] = self._solve(i, lines)
        return self.memo[(i, lines)]

    def _solve(self, i: int, lines: int) -> tuple[float, list[str]] | None:
        words, rules, n = self.words, self.rules, len(self.words)
        max_chars = rules.max_chars
        if self.length(i, n) <= max_chars:
            return 0.0, [join_words(words[i:], self.language)]
        if lines <= 1 or self.length(i, n) > lines * (max_chars + self.space):
            return None  # more text than the lines left can hold
        best: tuple[float, list[str]] | None = None
        for k in range(i + 1, n):
            a = self.length(i, k)
            if a > max_chars:
                break  # a longer first line fits even less
            rest = self.best(k, lines - 1)
            if rest is None:
                continue
            b = text_length(rest[1][0])
            shape = abs(a - b) / max_chars + (0.3 if a > b else 0.0)  # bottom-heavy
            cost = _break_cost(words, k, self.language) + shape + rest[0]
            if best is None or cost < best[0]:
                best = (cost, [join_words(words[i:k], self.language), *rest[1]])
        return best


def _lines_needed(lengths: Sequence[int], space: int, max_chars: int) -> int:
    """Lines that greedy filling needs (the fewest possible); a too-long word counts as one."""
    lines, used = 1, -space
    for n in lengths:
        if used + space + n > max_chars and used >= 0:
            lines, used = lines + 1, n
        else:
            used += space + n
    return lines


def _end_cost(words: Sequence[Word], texts: Sequence[str], j: int, language: str) -> float:
    """The cost of ending a cue after ``words[j-1]``: low at sentence ends and pauses."""
    if j == len(words):
        return 0.0
    pause = words[j].span.start_ms - words[j - 1].span.end_ms
    return max(0.0, _break_cost(texts, j, language) - pause / 1000)


MIN_SHOWN_MS = 40  # a cue shows for at least a frame (at 25 fps) before the gap to the next


def group_words(
    words: Sequence[Word], language: str, rules: SubtitleRules
) -> list[tuple[int, int]]:
    """Split ``words`` into cues ``[i, j)`` of least total cost (see the module doc)."""
    n, texts = len(words), [w.text for w in words]
    space = 0 if language in NO_SPACES else 1
    lengths = [text_length(t) for t in texts]
    sentence = [0, *(int(ends_sentence(t, language)) for t in texts)]
    for k in range(1, n + 1):
        sentence[k] += sentence[k - 1]
    best, back = [0.0] + [float("inf")] * n, [0] * (n + 1)
    shown_ms = rules.gap_ms + MIN_SHOWN_MS
    for j in range(1, n + 1):
        end_cost, chars = _end_cost(words, texts, j, language), -space
        for i in range(j - 1, -1, -1):
            chars += lengths[i] + space
            span = words[j - 1].span.end_ms - words[i].span.start_ms
            if i < j - 1 and (
                span > rules.max_ms
                or words[i + 1].span.start_ms - words[i].span.end_ms >= rules.pause_ms
                or _lines_needed(lengths[i:j], space, rules.max_chars) > rules.max_lines
            ):
                break
            seconds = min(max(span + rules.hang_ms, rules.min_ms), rules.max_ms) / 1000
            cps = chars / seconds
            cost = (
                best[i]
                + 1.0
                + end_cost
                + 0.4 * (sentence[j - 1] - sentence[i])
                + 0.25 * max(0.0, cps - rules.cps_target)
                + 1.0 * max(0.0, cps - rules.cps_limit)
            )
            if j < n and words[j].span.start_ms - words[i].span.start_ms < shown_ms:
                cost += 1000.0  # no room to show this cue and keep the gap before the next
            if cost < best[j]:
                best[j], back[j] = cost, i
    groups, j = [], n
    while j > 0:
        groups.append((back[j], j))
        j = back[j]
    return groups[::-1]


def _timed(
    groups: Sequence[tuple[Sequence[Word], int]], language: str, rules: SubtitleRules
) -> tuple[Cue, ...]:
    """Cues from word groups, each with the latest time it may end (its cut's end).

    A cue starts on its first word, ends up to ``hang_ms`` after its last one, lasts at
    least ``min_ms`` when there is room, closes gaps under ``close_gap_ms`` and keeps
    ``gap_ms`` clear before the next cue.
    """
    cues = []
    for k, (words, limit) in enumerate(groups):
        start, spoken = words[0].span.start_ms, words[-1].span.end_ms
        following = groups[k + 1][0][0].span.start_ms if k + 1 < len(groups) else None
        end = min(max(spoken + rules.hang_ms, start + rules.min_ms), start + rules.max_ms, limit)
        if following is not None:
            if following - end < rules.close_gap_ms:
                end = following - rules.gap_ms
            # Closing a gap never makes a cue longer than the longest one allowed.
            end = min(end, following - rules.gap_ms, start + rules.max_ms)
        end = max(min(end, limit), start + 1)  # closing a gap never carries a cue over a cut
        lines = layout([w.text for w in words], language, rules)
        text = "\n".join(lines) if lines else join_words([w.text for w in words], language)
        cues.append(Cue(Span(start, end), text))
    return tuple(cues)


def cues_from_words(
    words: Sequence[Word],
    language: str,
    rules: SubtitleRules | None = None,
    end_ms: int | None = None,
) -> tuple[Cue, ...]:
    """Cues for a run of words (one source, source time); none ends after ``end_ms``."""
    rules = rules or rules_for(language=language)
    limit = end_ms if end_ms is not None else 2**62
    groups = [(words[i:j], limit) for i, j in group_words(words, language, rules)]
    return _timed(groups, language, rules)


def timeline_cues(
    transcripts: Mapping[str, Transcript],
    timeline: Timeline,
    language: str,
    rules: SubtitleRules | None = None,
    kept: Sequence[Sequence[Word]] | None = None,
) -> tuple[Cue, ...]:
    """Cues on a clip, in clip time, from the words of each cut: never across a cut.

    ``kept`` holds the words each cut keeps (pipeline/edit/cuts.py: measured on the sound, so a
    word whose Whisper start swallowed the pause before a cut is still the cut's). Without
    it, a word belongs to the cut its middle falls in. Each word is shifted to clip time and
    kept inside the cut.
    """
    rules = rules or rules_for(language=language)
    groups: list[tuple[Sequence[Word], int]] = []
    for k, ts in enumerate(timeline.spans):
        shift = ts.shift_ms
        said = (
            kept[k]
            if kept is not None and len(kept) == len(timeline.spans)
            else [
                w
                for w in transcripts[ts.source].words
                if ts.src.start_ms <= (w.span.start_ms + w.span.end_ms) // 2 < ts.src.end_ms
            ]
        )
        words = [
            Word(
                Span(
                    min(max(w.span.start_ms + shift, ts.clip.start_ms), ts.clip.end_ms),
                    min(max(w.span.end_ms + shift, ts.clip.start_ms), ts.clip.end_ms),
                ),
                w.text,
                w.probability,
            )
            for w in said
        ]
        groups += [(words[i:j], ts.clip.end_ms) for i, j in group_words(words, language, rules)]
    return _timed(groups, language, rules)
