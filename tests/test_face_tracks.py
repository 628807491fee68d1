"""Face tracks from detections (pure): linking, gaps, hold, margin, smoothing, crossing faces,
and the span sets that decide what is scanned."""

from __future__ import annotations

from pipeline.analysis.faces.spans import merged, missing, wanted
from pipeline.analysis.faces.track import boxes_at, faces_at, grow, tracks
from pipeline.analysis.faces.values import Box, Detection, TrackSettings
from pipeline.core.model import Span

SIZE = (1280, 720)
ALL = (Span(0, 60_000),)
PLAIN = TrackSettings(max_gap_ms=1000, hold_ms=0, margin=0.0, smooth=0)


def face(t_ms: int, x: int, y: int = 100, side: int = 80) -> Detection:
    return Detection(t_ms, Box(x, y, x + side, y + side), 0.9)


def test_one_moving_face_is_one_track_interpolated_between_samples() -> None:
    found = [face(t, 100 + t // 10) for t in range(0, 2000, 200)]
    made = tracks(found, ALL, SIZE, PLAIN)
    assert [t.id for t in made.tracks] == [1]
    # halfway between the samples at 200 and 400 ms the face is at x = 130
    assert boxes_at(made.tracks[0], 300) == Box(130, 100, 210, 180)


def test_a_gap_shorter_than_max_gap_is_bridged() -> None:
    found = [face(t, 300) for t in (0, 200, 400)] + [face(t, 300) for t in (1200, 1400)]
    made = tracks(found, ALL, SIZE, PLAIN)
    assert len(made.tracks) == 1
    assert boxes_at(made.tracks[0], 800) == Box(300, 100, 380, 180)


def test_a_gap_longer_than_max_gap_starts_a_new_track() -> None:
    found = [face(t, 300) for t in (0, 200)] + [face(t, 300) for t in (2000, 2200)]
    made = tracks(found, ALL, SIZE, PLAIN)
    assert len(made.tracks) == 2
    assert faces_at(made, 1000) == []


def test_tracks_never_link_across_the_edge_of_a_scanned_span() -> None:
    scanned = (Span(0, 400), Span(600, 1000))
    found = [face(t, 300) for t in (0, 200, 600, 800)]
    assert len(tracks(found, scanned, SIZE, PLAIN).tracks) == 2


def test_each_track_is_held_before_it_appears_and_after_it_goes() -> None:
    found = [face(t, 300) for t in range(1000, 2000, 200)]
    made = tracks(found, ALL, SIZE, TrackSettings(hold_ms=500, margin=0.0, smooth=0))
    (track,) = made.tracks
    assert boxes_at(track, 499) is None
    assert boxes_at(track, 500) == Box(300, 100, 380, 180)
    assert boxes_at(track, 2300) == Box(300, 100, 380, 180)
    assert boxes_at(track, 2301) is None


def test_boxes_grow_by_the_margin_and_stay_in_the_frame() -> None:
    assert grow(Box(100, 100, 200, 300), 0.25, 1280, 720) == Box(75, 50, 225, 350)
    assert grow(Box(0, 650, 100, 720), 0.5, 1280, 720) == Box(0, 615, 150, 720)
    made = tracks([face(0, 1230, side=50)], ALL, SIZE, TrackSettings(margin=0.3))
    assert boxes_at(made.tracks[0], 0) == Box(1215, 85, 1280, 165)


def test_smoothing_never_uncovers_a_detection() -> None:
    # a jittery face: every smoothed box still covers the detection it was made from
    xs = [300, 325, 295, 330, 305, 320, 290, 315]
    found = [face(i * 200, x, side=60 + (i % 3) * 10) for i, x in enumerate(xs)]
    made = tracks(found, ALL, SIZE, TrackSettings(margin=0.0, smooth=2, hold_ms=0))
    (track,) = made.tracks
    for d in found:
        box = boxes_at(track, d.t_ms)
        assert box is not None and box.covers(d.box), d


def test_two_faces_crossing_keep_their_ids() -> None:
    # A walks right, B walks left; they pass each other (a little apart vertically)
    found = []
    for i in range(15):
        t = i * 200
        found.append(face(t, 100 + 60 * i, y=100))
        found.append(face(t, 940 - 60 * i, y=150))
    made = tracks(found, ALL, SIZE, PLAIN)
    assert len(made.tracks) == 2
    by_id = {t.id: t for t in made.tracks}
    starts = {i: boxes_at(t, 0) for i, t in by_id.items()}
    ends = {i: boxes_at(t, 2800) for i, t in by_id.items()}
    a = next(i for i, b in starts.items() if b is not None and b.x0 == 100)
    b = next(i for i in by_id if i != a)
    assert ends[a] == Box(940, 100, 1020, 180)
    assert ends[b] == Box(100, 150, 180, 230)


def test_a_face_missed_while_crossing_is_bridged_on_its_own_track() -> None:
    # where the two faces overlap the detector sees one (NMS); the other track is bridged
    found = []
    for i in range(15):
        t = i * 200
        found.append(face(t, 100 + 60 * i, y=100))
        if i not in (6, 7, 8):
            found.append(face(t, 940 - 60 * i, y=110))
    made = tracks(found, ALL, SIZE, PLAIN)
    assert len(made.tracks) == 2
    for track in made.tracks:
        first, last = boxes_at(track, 0), boxes_at(track, 2800)
        assert first is not None and last is not None
        assert (first.x0 < last.x0) == (first.y0 == 100)  # each kept its own direction


def test_spans_to_scan_are_widened_snapped_and_merged() -> None:
    got = wanted([Span(4200, 9800), Span(10_500, 12_000), Span(58_000, 59_900)], 1000, 200, 60_000)
    assert got == (Span(3200, 13_000), Span(57_000, 60_000))
    assert merged([Span(5, 9), Span(0, 5), Span(20, 20)]) == (Span(0, 9),)
    assert missing([Span(0, 10_000)], []) == (Span(0, 10_000),)
    assert missing([Span(0, 10_000)], [Span(0, 10_000)]) == ()
