"""The one matcher for redacted terms (pipeline/core/redaction.py): every form a name
can hide in."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.redaction import Matcher, Term, as_unit, fold, problem_with, replacement_for

JOHN = Term("John Smith", forms={"bs": ("Johnov", "Johna")}, patterns={"bs": (r"smith\w{1,3}",)})
HARIS = Term("Haris", forms={"ar": ("هاريس",), "bs": ("Harisa", "Harisu")})
JON_AR = Term("جون")
MATCH = Matcher([JOHN, HARIS, JON_AR])


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("I met John Smith there.", "en", "I met X there."),
        ("I met John\nSmith there.", "en", "I met X there."),  # across a line break
        ("I met JOHN  smith.", "en", "I met X."),
        ("John_Smith", "en", "X"),
        ("JohnSmith said", "en", "X said"),
        ("John Smith's car", "en", "X car"),  # possessive, whole
        ("Haris's car, Haris' car", "en", "X car, X car"),
        ("the Smith-Jones family", "en", "the Smith-Jones family"),  # "Smith" alone is no term
        ("Haris-Jones and Abu-Haris", "en", "X and X"),  # hyphenated forms, whole
        ("J<i>oh</i>n Smith", "en", "X"),  # markup inside the word
        ("Jo\u200bhn Sm\u00adith", "en", "X"),  # zero-width space, soft hyphen
        ("Hàris", "en", "X"),  # diacritics
        ("Johnov brat i Harisa", "bs", "X brat i X"),  # listed inflected forms
        ("Smithovi", "bs", "X"),  # a pattern
        ("Smithovi", "en", "Smithovi"),  # ... of another language only
        ("وجون ولجون", "ar", "X X"),  # attached prefixes
        ("جـون والجون", "ar", "X X"),  # tatweel, ال
        ("قال هاريس", "ar", "قال X"),  # another script, given per language
        ("Johnny and Harison are others", "en", "Johnny and Harison are others"),
    ],
)
def test_every_form_is_found(text: str, lang: str, expected: str) -> None:
    assert MATCH.replace(text, lang, "X") == expected


def test_the_scan_knows_every_language_s_forms() -> None:
    """With no language (a scan of the output folder) every form of every language counts."""
    assert [h.term for h in MATCH.find("Harisa, هاريس and Smithovi")] == [
        "Haris",
        "Haris",
        "John Smith",
    ]


def test_transcript_words_are_hit_whole() -> None:
    words = [" I", " met", " John", " Smith's", " brother,", " Haris."]
    assert MATCH.words(words, "en") == [(2, 3, "John Smith"), (5, 5, "Haris")]


def test_the_replacement_is_plain_text() -> None:
    for text in (r"\g<0>", r"\1", "\\", "$1"):
        assert MATCH.replace("Haris left", "en", text) == f"{text} left"


def test_empty_and_punctuation_terms_are_refused() -> None:
    assert problem_with("") is not None
    assert problem_with(" ...!") == "' ...!' has no letter or digit (expected a word or a name)"
    assert problem_with("\u200b") is not None
    assert problem_with("Al") is None


def test_replacement_per_language_and_as_one_unit() -> None:
    texts = {"en": "[name removed]", "ar": "[تم حذف الاسم]"}
    assert replacement_for(texts, "en") == "[name removed]"
    assert replacement_for(texts, "bs") == "[uklonjeno]"  # a default in the language
    assert replacement_for(None, "xx") == "[…]"
    assert replacement_for("[x]", "ar") == "[x]"
    assert as_unit("[name removed]", rtl=False) == "[name\u00a0removed]"
    assert as_unit("[name removed]", rtl=True) == "\u2068[name\u00a0removed]\u2069"


def test_fold_keeps_a_map_to_the_original() -> None:
    folded = fold("A<b>É</b>\u0640x")
    assert folded.text == "aex"
    assert folded.origin == (0, 4, 10)


def test_bad_terms_are_config_errors_with_their_line(tmp_path: Path) -> None:
    from tests.conftest import run_cli, write

    (tmp_path / "a.mp4").write_bytes(b"")
    cfg = write(
        tmp_path / "c.yaml",
        """\
version: 1
sources: {s: a.mp4}
clips:
  c:
    cuts: [{source: s, start: 0, end: 1}]
redact:
  - source: s
    words: ["...", {term: Haris, forms: {bs: [""]}, patterns: {bs: ["(x"]}}]
    text: {en: " "}
""",
    )
    result = run_cli("check", cfg)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: {cfg}:8: redact[0].words[0]: '...' has no letter or digit (expected a word "
        "or a name)",
        f"error: {cfg}:8: redact[0].words[1].forms.bs: '' has no letter or digit (expected a "
        "word or a name)",
        f"error: {cfg}:8: redact[0].words[1].patterns.bs: '(x' is not a regular expression "
        "(missing ), unterminated subpattern at position 0)",
        f"error: {cfg}:9: redact[0].text.en: an empty replacement (expected text to show)",
    ]
