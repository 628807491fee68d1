"""Placing cuts on the clip and mapping cues through them."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.model import Cue, Span
from pipeline.edit.timeline import FRAGMENT_MS, build_timeline, map_cues

FPS = st.sampled_from([Fraction(25), Fraction(30000, 1001), Fraction(50), Fraction(24)])


@st.composite
def spans(draw: st.DrawFn, max_ms: int = 600_000) -> Span:
    start = draw(st.integers(0, max_ms - 50))
    return Span(start, draw(st.integers(start + 50, min(max_ms, start + 60_000))))


@st.composite
def cue_lists(draw: st.DrawFn) -> list[Cue]:
    return [Cue(s, f"cue {i}") for i, s in enumerate(draw(st.lists(spans(), max_size=30)))]


@given(st.lists(spans(), min_size=1, max_size=60), FPS)
def test_clip_length_is_the_rounded_sum_of_cuts(cuts: list[Span], fps: Fraction) -> None:
    timeline = build_timeline([("a", s) for s in cuts], fps)
    total_ms = sum(s.duration_ms for s in cuts)
    # Rounded once, from the running total: no drift however many cuts.
    assert abs(timeline.frames - total_ms * fps / 1000) <= Fraction(1, 2)
    assert timeline.spans[0].first_frame == 0
    for a, b in zip(timeline.spans, timeline.spans[1:], strict=False):
        assert a.first_frame + a.frames == b.first_frame
        assert a.clip.end_ms == b.clip.start_ms


@given(st.lists(spans(), min_size=1, max_size=20), cue_lists(), FPS)
def test_mapped_cues_stay_inside_their_cut(
    cuts: list[Span], cues: list[Cue], fps: Fraction
) -> None:
    timeline = build_timeline([("a", s) for s in cuts], fps)
    mapped = map_cues({"a": cues}, timeline)
    for cue in mapped:
        assert 0 <= cue.span.start_ms < cue.span.end_ms <= timeline.duration_ms
        # Each mapped piece lies inside one cut of the clip: it never crosses a cut.
        assert any(
            ts.clip.start_ms <= cue.span.start_ms and cue.span.end_ms <= ts.clip.end_ms
            for ts in timeline.spans
        )
    # Every overlap of a cue with a cut appears once, unless it falls in the last half frame
    # that rounding the cut to whole frames removed, or the cut leaves less than 0.5 s of
    # a cue that crosses its edge (such a piece is not shown on its own).
    pieces = []
    for ts in timeline.spans:
        for c in cues:
            part = c.span.intersect(ts.src)
            if part is None or part.start_ms - ts.src.start_ms >= ts.clip.duration_ms:
                continue
            shown = min(ts.clip.end_ms, part.end_ms + ts.shift_ms) - (part.start_ms + ts.shift_ms)
            if part == c.span or shown >= FRAGMENT_MS:
                pieces.append((ts, c))
    assert len(mapped) == len(pieces)
    for ts, c in pieces:
        assert any(m.text == c.text and ts.clip.start_ms <= m.span.start_ms for m in mapped)
    # No piece cut from a longer cue is shorter than 0.5 s.
    by_text = {c.text: c for c in cues}
    for m in mapped:
        if m.span.duration_ms < FRAGMENT_MS:
            assert any(by_text[m.text].span.end_ms <= ts.src.end_ms for ts in timeline.spans)


def test_mapping_example() -> None:
    timeline = build_timeline(
        [("a", Span(2000, 7000)), ("b", Span(1000, 3500)), ("a", Span(7000, 9400))], Fraction(25)
    )
    cues = {
        "a": [Cue(Span(1000, 4000), "one"), Cue(Span(6000, 8000), "two")],
        "b": [Cue(Span(500, 2500), "three")],
    }
    assert [(c.span.start_ms, c.span.end_ms, c.text) for c in map_cues(cues, timeline)] == [
        (0, 2000, "one"),
        (4000, 5000, "two"),
        (5000, 6500, "three"),
        (7520, 8520, "two"),
    ]
    assert timeline.duration_ms == 9920
    assert [s.frames for s in timeline.spans] == [125, 63, 60]


def test_a_piece_shorter_than_half_a_second_goes_to_its_neighbour() -> None:
    timeline = build_timeline([("a", Span(0, 5000)), ("a", Span(8000, 10_000))], Fraction(25))
    cues = [
        Cue(Span(1000, 4500), "said before the cut"),
        Cue(Span(4700, 6000), "crosses the first cut's end"),  # 0.3 s of it in cut 1
        Cue(Span(7800, 8300), "crosses the second cut's start"),  # 0.3 s in cut 2
        Cue(Span(8500, 9000), "short but whole"),
        Cue(Span(9900, 10_800), "mostly after the end"),  # 0.1 s, 0.5 s after the one before
    ]
    mapped = [(c.span.start_ms, c.span.end_ms, c.text) for c in map_cues({"a": cues}, timeline)]
    assert mapped == [
        (1000, 5000, "said before the cut"),  # stays up 0.5 s over the 0.3 s piece
        (5500, 6000, "short but whole"),  # a whole cue is never dropped
    ]


def test_cue_outside_every_cut_is_dropped() -> None:
    timeline = build_timeline([("a", Span(10_000, 12_000))], Fraction(25))
    assert map_cues({"a": [Cue(Span(0, 9_999), "before")]}, timeline) == ()
