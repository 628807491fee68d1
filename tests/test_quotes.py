"""Quote matching and cut snapping on crafted transcripts (pure; no model, no ffmpeg)."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.model import Segment, Span, Transcript, Word
from pipeline.quotes import find, nearest, passage, tokens
from pipeline.snap import snap
from pipeline.subtitles.segment import timeline_cues
from pipeline.timeline import build_timeline

TEXT = (
    "They promised us dignity and purpose, but it was all lies. I wanted to belong "
    "somewhere. It was all lies, all of it, and I was 19."
)


def words_of(text: str, start: int = 1000, word_ms: int = 300, gap_ms: int = 100) -> list[Word]:
    out, t = [], start
    for w in text.split():
        out.append(Word(Span(t, t + word_ms), w))
        t += word_ms + gap_ms
    return out


WORDS = words_of(TEXT)


def test_tokens_forgive_case_punctuation_apostrophes_and_digits() -> None:
    assert tokens("It\u2019s ALL lies, 19!") == ["its", "all", "lies", "nineteen"]
    assert tokens("it's") == tokens("It\u2019s") == tokens("its")


def test_quote_found_once_with_punctuation_ignored() -> None:
    [m] = find("but it was ALL lies", WORDS)
    assert passage(WORDS, m) == "but it was all lies."


def test_quote_said_twice_gives_both_in_time_order() -> None:
    matches = find("it was all lies", WORDS)
    assert [passage(WORDS, m) for m in matches] == ["it was all lies.", "It was all lies,"]


def test_digits_match_number_words() -> None:
    [m] = find("and I was nineteen", WORDS)
    assert passage(WORDS, m) == "and I was 19."


def test_small_slip_is_tolerated_in_a_long_quote() -> None:
    # One misheard word in nine is forgiven; in a short quote nothing is.
    [m] = find("they promised us dignity and purpose but it were", WORDS)
    assert passage(WORDS, m).startswith("They promised")
    assert find("it were all lies", WORDS) == []


def test_nearest_passages_for_a_missing_quote() -> None:
    best = nearest("I wanted to be long somewhere", WORDS)
    assert passage(WORDS, best[0]).startswith("I wanted to belong")


def fake_quietest(span: Span) -> int:
    return (span.start_ms + span.end_ms) // 2


def test_snap_moves_edges_out_of_words_with_margins() -> None:
    words = words_of("one two three four", start=1000, word_ms=400, gap_ms=400)
    # one 1000-1400, two 1800-2200, three 2600-3000, four 3400-3800
    result = snap(Span(1900, 2700), words, 10_000, fake_quietest)
    assert [w.text for w in result.words] == ["two", "three"]
    assert result.span == Span(1680, 3200)  # 120 ms before "two", 200 ms after "three"
    assert result.notes[0] == "starts inside the word 'two'"
    assert result.notes[1] == "ends inside the word 'three'"


def test_snap_never_reaches_into_the_neighbouring_word() -> None:
    words = words_of("one two three", start=1000, word_ms=400, gap_ms=50)
    # one 1000-1400, two 1450-1850, three 1900-2300: gaps of 50 ms, under the margins
    result = snap(Span(1500, 1800), words, 10_000, fake_quietest)
    assert result.span == Span(1425, 1875)  # the quietest point of each 50 ms gap


def test_snap_leaves_an_edge_in_silence_alone() -> None:
    words = words_of("one two", start=1000, word_ms=400, gap_ms=2000)
    result = snap(Span(500, 1800), words, 10_000, fake_quietest)
    assert result.span == Span(500, 1800) and result.notes == ()


@st.composite
def transcript_and_cuts(draw: st.DrawFn) -> tuple[Transcript, list[Span]]:
    vocab = [
        "I",
        "was",
        "told",
        "to",
        "stop.",
        "Then",
        "the",
        "rules",
        "changed,",
        "slowly",
        "Haris",
        "extraordinarily",
        "a",
        "it",
    ]
    t, words = 0, []
    for _ in range(draw(st.integers(1, 60))):
        t += draw(st.integers(0, 1500))
        length = draw(st.integers(80, 900))
        words.append(Word(Span(t, t + length), draw(st.sampled_from(vocab))))
        t += length
    cuts = []
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, t))
        cuts.append(Span(start, draw(st.integers(start + 40, t + 2000))))
    return Transcript("en", (Segment(Span(0, t), "", tuple(words)),)), cuts


@settings(max_examples=150, deadline=None)
@given(transcript_and_cuts(), st.sampled_from([Fraction(25), Fraction(30000, 1001)]))
def test_cues_from_words_stay_in_their_cut(
    data: tuple[Transcript, list[Span]], fps: Fraction
) -> None:
    transcript, cuts = data
    timeline = build_timeline([("s", c) for c in cuts], fps)
    cues = timeline_cues({"s": transcript}, timeline, "en")
    for a, b in itertools.pairwise(cues):
        assert a.span.end_ms <= b.span.start_ms  # in order, never overlapping
    for cue in cues:
        assert 0 <= cue.span.start_ms < cue.span.end_ms <= timeline.duration_ms
        assert any(
            ts.clip.start_ms <= cue.span.start_ms and cue.span.end_ms <= ts.clip.end_ms
            for ts in timeline.spans
        ), "a cue crosses a cut"
    # Every word whose middle lies in a cut is shown once, in order.
    kept = [
        w.text
        for ts in timeline.spans
        for w in transcript.words
        if ts.src.start_ms <= (w.span.start_ms + w.span.end_ms) // 2 < ts.src.end_ms
    ]
    shown = " ".join(c.text.replace("\n", " ") for c in cues).split()
    assert shown == kept
