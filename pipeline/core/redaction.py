"""One matcher for a redacted term, in every language and every file (pure).

A name that reaches the audience can cost a person their safety, so a term is found in all
the forms a text can hide it in: several words across word and line breaks ("John\\nSmith"),
its possessive ("John's"), hyphenated and joined forms ("Smith-Jones", "John_Smith",
"JohnSmith"), with case, diacritics, zero-width characters, soft hyphens, Arabic tatweel,
bidi controls and markup inside the word ("J<i>oh</i>n") set aside, and in Arabic with an
attached prefix (و ف ب ل ك, ال). A term can list its own forms and patterns per language
(an inflected "Johnov", another script's "جون").

The text is folded (:func:`fold`) with a map back to the original characters, matched, and
replaced in the original: the replacement is plain text, never a template.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# Characters that hide inside a word without showing: zero-width, soft hyphen, tatweel,
# bidi controls, the BOM.
_INVISIBLE = frozenset(
    "\u00ad\u0640\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
_APOSTROPHES = frozenset("'\u2019\u2018\u02bc`\u00b4")
_MARKUP = re.compile(r"<[^<>\n]{0,200}>|\{[^{}\n]{0,200}\}")  # HTML-ish tags, ASS overrides
_JOINERS = "-\u2010\u2011_"  # a hyphen or an underscore joins two parts of one name
_ARABIC_PREFIX = "(?:[\u0648\u0641]?[\u0628\u0644\u0643]?(?:\u0627\u0644)?)"  # و ف + ب ل ك + ال
_LETTER = r"[^\W_]"

# The replacement where the config gives none for a language.
DEFAULT_TEXT = {
    "en": "[removed]",
    "ar": "[محذوف]",
    "bs": "[uklonjeno]",
    "hr": "[uklonjeno]",
    "sr": "[uklonjeno]",
    "de": "[entfernt]",
    "fr": "[supprimé]",
    "sq": "[hequr]",
}
FALLBACK_TEXT = "[…]"  # script-neutral, for a language with no default of its own


@dataclass(frozen=True)
class Folded:
    """A text folded for matching, and for each of its characters the index of the
    original character it came from."""

    text: str
    origin: tuple[int, ...]


def fold(text: str) -> Folded:
    """Case folded, without diacritics, markup or invisible characters; apostrophes as "'",
    line breaks as spaces.

    >>> fold("J<i>OH</i>\\u00adn\\u2019s\\nCafé").text
    "john's cafe"
    """
    out: list[str] = []
    origin: list[int] = []
    hidden = {i for m in _MARKUP.finditer(text) for i in range(m.start(), m.end())}
    for i, ch in enumerate(text):
        if i in hidden or ch in _INVISIBLE:
            continue
        if ch in _APOSTROPHES:
            parts = "'"
        elif ch.isspace():
            parts = " "
        else:
            decomposed = unicodedata.normalize("NFKD", ch)
            parts = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        out += parts
        origin += [i] * len(parts)
    return Folded("".join(out), tuple(origin))


@dataclass(frozen=True)
class Term:
    """A redacted term as the config gives it: the term (one or several words), and per
    language its other written forms and patterns (regular expressions over folded text)."""

    term: str
    forms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    patterns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def written(self, lang: str | None) -> tuple[str, ...]:
        """The term and its forms in ``lang`` (every language's, when None)."""
        langs = self.forms if lang is None else {lang: self.forms.get(lang, ())}
        return (self.term, *(f for forms in langs.values() for f in forms))

    def regexes(self, lang: str | None) -> tuple[str, ...]:
        langs = self.patterns if lang is None else {lang: self.patterns.get(lang, ())}
        return tuple(p for patterns in langs.values() for p in patterns)


def problem_with(term: str) -> str | None:
    """Why ``term`` cannot be a redacted term (None: it can): it must have a letter or digit.

    >>> problem_with("..."), problem_with("Haris")
    ("'...' has no letter or digit (expected a word or a name)", None)
    """
    if not any(ch.isalnum() for ch in fold(term).text):
        return f"{term!r} has no letter or digit (expected a word or a name)"
    return None


def _words(form: str) -> list[str]:
    return [w for w in re.split(rf"[\s{re.escape(_JOINERS)}]+", fold(form).text) if w]


def _form_regex(form: str) -> str:
    """A written form as a pattern over folded text: its words apart (by spaces, line
    breaks, hyphens, underscores) or joined, an Arabic prefix before an Arabic word."""
    words = _words(form)
    parts = [re.escape(w).replace("'", "'?") for w in words]
    body = rf"[\s{re.escape(_JOINERS)}]*".join(parts)
    if words and "\u0600" <= words[0][0] <= "\u06ff":
        body = _ARABIC_PREFIX + body
    return body


@dataclass(frozen=True)
class Hit:
    """Where a term was found in an original text: ``text[start:end]``."""

    start: int
    end: int
    term: str


class Matcher:
    """Finds redacted terms; one compiled pattern per language asked for."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms = tuple(terms)
        self._compiled: dict[str | None, re.Pattern[str] | None] = {}

    def _pattern(self, lang: str | None) -> re.Pattern[str] | None:
        if lang not in self._compiled:
            named = []
            for k, term in enumerate(self.terms):
                alternatives = [_form_regex(f) for f in term.written(lang) if _words(f)]
                alternatives += list(term.regexes(lang))
                if alternatives:
                    alternatives.sort(key=len, reverse=True)
                    named.append(f"(?P<t{k}>{'|'.join(alternatives)})")
            compound = rf"(?:{_LETTER}+[{re.escape(_JOINERS)}])*"  # "Abu-" before, "-Jones" after
            tail = rf"(?:[{re.escape(_JOINERS)}]{_LETTER}+)*(?:'s|s'|')?"
            self._compiled[lang] = (
                re.compile(rf"(?<!{_LETTER}){compound}(?:{'|'.join(named)}){tail}(?!{_LETTER})")
                if named
                else None
            )
        return self._compiled[lang]

    def find(self, text: str, lang: str | None = None) -> list[Hit]:
        """Every place a term is written in ``text``, in the forms of ``lang`` (all
        languages' forms when None), as spans of the original text."""
        pattern = self._pattern(lang)
        if pattern is None or not text:
            return []
        folded = fold(text)
        hits = []
        for m in pattern.finditer(folded.text):
            if m.end() == m.start():
                continue
            k = int(next(name for name, v in m.groupdict().items() if v is not None)[1:])
            start, end = folded.origin[m.start()], folded.origin[m.end() - 1] + 1
            hits.append(Hit(start, _after_markup(text, end), self.terms[k].term))
        return hits

    def replace(self, text: str, lang: str | None, replacement: str) -> str:
        """``text`` with every hit replaced by ``replacement`` (plain text)."""
        out, last = [], 0
        for hit in self.find(text, lang):
            out += [text[last : hit.start], replacement]
            last = hit.end
        return "".join(out) + text[last:]

    def words(self, texts: Sequence[str], lang: str | None = None) -> list[tuple[int, int, str]]:
        """The runs of words (first and last index, inclusive) that say a term, for words
        given one by one (a transcript's): a word is hit whole, its possessive included."""
        joined, starts = "", []
        for text in texts:
            starts.append(len(joined))
            joined += text.strip() + " "
        runs = []
        for hit in self.find(joined, lang):
            first = max(i for i, s in enumerate(starts) if s <= hit.start)
            last = max(i for i, s in enumerate(starts) if s < hit.end)
            runs.append((first, last, hit.term))
        return runs


def _after_markup(text: str, end: int) -> int:
    """``end`` moved past a closing tag that directly follows (so "J<i>ohn</i>" leaves no
    dangling "</i>")."""
    m = re.compile(r"</[^<>\n]{1,20}>").match(text, end)
    return m.end() if m else end


def replacement_for(texts: Mapping[str, str] | str | None, lang: str) -> str:
    """The replacement shown in ``lang``: the config's (one for all, or one per language),
    else a default in the language, else a script-neutral one."""
    if isinstance(texts, str):
        return texts
    if texts and lang in texts:
        return texts[lang]
    return DEFAULT_TEXT.get(lang.split("-")[0], FALLBACK_TEXT)


def as_unit(replacement: str, rtl: bool) -> str:
    """The replacement laid out as one unit: no line break inside it (no-break spaces), and
    inside a right-to-left line isolated as its own direction (FSI ... PDI), so that
    "[name removed]" is neither split nor mirrored."""
    unit = replacement.replace(" ", "\u00a0")
    return f"\u2068{unit}\u2069" if rtl else unit


def terms(words: Iterable[object]) -> tuple[Term, ...]:
    """The terms of a config's ``redact: [{words: [...]}]`` (strings or TermSpec)."""
    out = []
    for word in words:
        if isinstance(word, str):
            out.append(Term(word))
        else:
            spec = word  # pipeline.config.schema.TermSpec (not imported: this module is pure)
            out.append(
                Term(
                    spec.term,  # type: ignore[attr-defined]
                    dict(spec.forms),  # type: ignore[attr-defined]
                    dict(spec.patterns),  # type: ignore[attr-defined]
                )
            )
    return tuple(out)
