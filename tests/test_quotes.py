"""Quote matching and cut snapping on crafted transcripts (pure; no model, no ffmpeg)."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.analysis.edges import Envelope, refine
from pipeline.core.model import Segment, Span, Transcript, Word
from pipeline.edit.quotes import differences, find, nearest, passage, tokens
from pipeline.edit.snap import snap
from pipeline.edit.timeline import build_timeline
from pipeline.subtitles.segment import timeline_cues

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
    # One misheard word in nine is forgiven inside a quote; in a short quote nothing is.
    [m] = find("they promised us dignity and purpose but it were all lies", WORDS)
    assert passage(WORDS, m) == "They promised us dignity and purpose, but it was all lies."
    assert m.distance == 1
    assert differences("they promised us dignity and purpose but it were all lies", WORDS, m) == (
        "- were + was"
    )
    assert find("it were all lies", WORDS) == []


def test_an_edge_word_must_be_said_exactly() -> None:
    """A wrong, missing or made-up first or last word is never forgiven: the cut would drop
    or add a word silently."""
    long = "they promised us dignity and purpose but it was all lies"
    assert len(find(long, WORDS)) == 1
    for wrong in (
        "hey promised us dignity and purpose but it was all lies",  # first word misheard
        "they promised us dignity and purpose but it was all lie",  # last word misheard
        "banana they promised us dignity and purpose but it was all lies",  # made up
        "they promised us dignity and purpose but it was all lies banana",
        "promised us dignity and purpose but it was all lies we",
    ):
        assert find(wrong, WORDS) == [], wrong
    # Equal distances never resolve to a span that drops the quote's last word.
    [m] = find("I wanted to belong somewhere It was all lies all of it and I was", WORDS)
    assert passage(WORDS, m).endswith("and I was")


def test_an_edge_must_be_a_whole_word() -> None:
    words = words_of("the ill-disposed men left")
    assert find("disposed men left", words) == []
    assert find("the ill", words) == []
    [m] = find("ill-disposed men", words)
    assert passage(words, m) == "ill-disposed men"
    [m] = find("ill disposed men", words)  # the hyphen is punctuation
    assert (m.first, m.last) == (1, 2)


def test_abbreviations_match_the_words_said() -> None:
    words = words_of("and Mister Smith said no")
    [m] = find("Mr. Smith said", words)
    assert passage(words, m) == "Mister Smith said"
    assert tokens("1,000 men") == tokens("one thousand men")


def test_nearest_passages_for_a_missing_quote() -> None:
    best = nearest("I wanted to be long somewhere", WORDS)
    assert passage(WORDS, best[0]).startswith("I wanted to belong")


def sound_of(words: list[Word], end_ms: int = 10_000, noise: tuple[Span, ...] = ()) -> Envelope:
    """An envelope that is loud (-20 dB) where the words are and where ``noise`` is, and
    quiet (-90 dB) elsewhere, in 10 ms frames."""
    loud = [w.span for w in words] + list(noise)
    return Envelope(
        0,
        tuple(
            -20.0 if any(s.start_ms <= t < s.end_ms for s in loud) else -90.0
            for t in range(0, end_ms, 10)
        ),
    )


def fake_quietest(span: Span, prefer: int) -> int:
    return min(max(prefer, span.start_ms), span.end_ms)


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
    sound = sound_of(words)
    result = snap(Span(1500, 1800), words, 10_000, sound.quietest)
    assert 1400 + 20 <= result.span.start_ms <= 1450 - 20
    assert 1850 + 20 <= result.span.end_ms <= 1900 - 20


def test_snap_puts_an_edge_in_the_quiet_part_of_a_gap() -> None:
    """A breath right where the pre-roll would start the cut: the edge moves past it into
    the silence, not into the word."""
    words = words_of("one two", start=1000, word_ms=400, gap_ms=1000)  # two: 2400-2800
    breath = Span(2200, 2330)
    sound = sound_of(words, noise=(breath,))
    result = snap(Span(2400, 2800), words, 10_000, sound.quietest)
    assert breath.end_ms <= result.span.start_ms <= 2400 - 20
    assert sound.levels[sound.index(result.span.start_ms)] == -90.0
    # Without the breath, the full pre-roll.
    assert snap(Span(2400, 2800), words, 10_000, sound_of(words).quietest).span.start_ms == 2285


def test_word_edges_are_moved_onto_their_sound() -> None:
    """Whisper's "ask" swallowed the 0.9 s pause before it, "not" starts in the pause before
    it and runs over the pause after it; the edges move to where the pauses are."""
    said = [Span(1000, 1500), Span(2400, 2900), Span(3300, 3600), Span(4000, 4400)]
    whisper = [
        Word(Span(1000, 1500), "and"),
        Word(Span(1500, 2900), "ask"),
        Word(Span(2900, 3900), "not"),
        Word(Span(3900, 4400), "you"),
    ]
    sound = sound_of([Word(s, "") for s in said])
    refined = refine(whisper, sound, [0, 1, 2])
    assert [w.span for w in refined] == said
    assert [w.text for w in refined] == [w.text for w in whisper]
    # Only the boundaries asked for move.
    assert [w.span for w in refine(whisper, sound, [2])][1:] == [
        Span(1500, 2900),
        Span(2900, 3600),
        Span(4000, 4400),
    ]
    # Words said in one breath: no pause, Whisper's boundary stays.
    breath = [Word(Span(1000, 1500), "one"), Word(Span(1500, 2000), "breath")]
    assert refine(breath, sound_of(breath), [0]) == tuple(breath)
    # A word of no length gets one.
    [alone] = refine([Word(Span(8000, 8000), "uh")], sound, [])
    assert alone.span == Span(8000, 8060)


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
