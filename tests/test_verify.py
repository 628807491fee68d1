"""Words heard again (pipeline/verify/words.py): each rule of the comparison, and each
way it fails."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from pipeline.config.load import load, verifying
from pipeline.core.errors import ConfigError
from pipeline.core.model import Span, Word
from pipeline.edit.timeline import build_timeline
from pipeline.verify.words import PlannedCut, check_cut, planned_cuts, record
from tests.conftest import write


def words(*timed: tuple[str, int, int]) -> tuple[Word, ...]:
    return tuple(Word(Span(start, end), text) for text, start, end in timed)


SAID = words(
    ("I", 1000, 1200),
    ("wanted", 1200, 1600),
    ("to", 1600, 1700),
    ("belong", 1700, 2100),
    ("somewhere,", 2100, 2700),
)
CUT = PlannedCut(1, Span(900, 2900), SAID, ("Haris",))


def test_a_cut_heard_as_planned_passes_and_records_both_edges() -> None:
    heard = words(
        ("I", 1100, 1250),  # Whisper's times wander a little: within 0.3 s is the same word
        ("wanted", 1250, 1600),
        ("to", 1600, 1700),
        ("belong", 1700, 2100),
        ("somewhere.", 2100, 2850),
    )
    check = check_cut(CUT, heard)
    assert check.ok and check.reasons == ()
    assert check.share == 1.0
    assert record(check) == {
        "status": "ok",
        "first": {
            "word": "I",
            "planned": {"start_ms": 1000, "end_ms": 1200},
            "heard": {"start_ms": 1100, "end_ms": 1250},
        },
        "last": {
            "word": "somewhere,",
            "planned": {"start_ms": 2100, "end_ms": 2700},
            "heard": {"start_ms": 2100, "end_ms": 2850},
        },
        "share_heard": 1.0,
        "redacted_heard": [],
        "problems": [],
    }


def test_a_missing_first_word_fails() -> None:
    heard = SAID[1:]
    check = check_cut(CUT, heard)
    assert not check.ok
    assert check.first is not None and check.first.heard is None
    assert check.reasons == (
        "its first word 'I' is not heard in full with its start at 00:00:01.000 (±0.3 s; "
        "heard there: 'wanted to belong')",
    )
    assert record(check)["status"] == "failed"


def test_a_last_word_heard_half_a_second_late_fails() -> None:
    heard = (*SAID[:-1], Word(Span(2600, 3200), "somewhere"))
    check = check_cut(CUT, heard)
    assert [r.split(" (")[0] for r in check.reasons] == [
        "its last word 'somewhere,' is not heard in full with its end at 00:00:02.700"
    ]
    heard = (*SAID[:-1], Word(Span(2300, 2950), "somewhere"))  # 0.25 s late: the same word
    assert check_cut(CUT, heard).ok


def test_a_word_cut_in_half_is_not_the_word() -> None:
    heard = (*SAID[:-1], Word(Span(2100, 2400), "some"))
    assert "its last word 'somewhere,'" in check_cut(CUT, heard).reasons[0]


def test_a_word_heard_in_pieces_is_heard_in_full() -> None:
    cut = PlannedCut(1, Span(0, 2000), words(("ill-disposed", 500, 1500)))
    heard = words(("ill", 500, 800), ("-disposed", 800, 1450))
    check = check_cut(cut, heard)
    assert check.ok, check.reasons
    assert check.last is not None and check.last.heard == Span(500, 1450)


def test_a_redacted_word_heard_fails_wherever_it_is_in_the_cut() -> None:
    cut = PlannedCut(2, Span(0, 3000), words(("Then", 100, 400), ("he", 2400, 2700)), ("Haris",))
    heard = words(("Then", 100, 400), ("HARIS", 1000, 1400), ("he", 2400, 2700))
    check = check_cut(cut, heard)
    assert check.reasons == ("the redacted word 'Haris' is heard at 00:00:01.000",)
    assert record(check)["redacted_heard"] == [{"word": "Haris", "start_ms": 1000, "end_ms": 1400}]
    bleeped = words(("Then", 100, 400), ("he", 2400, 2700))
    assert check_cut(cut, bleeped).ok


def test_too_few_words_heard_fails_on_the_share() -> None:
    heard = (SAID[0], SAID[-1])  # the edges, but nothing between them
    check = check_cut(CUT, heard)
    assert check.share == 0.4
    assert check.reasons == ("only 40% of its words are heard (expected at least 75%)",)


def test_the_share_counts_words_in_order_and_ignores_extra_ones() -> None:
    heard = (*SAID[:2], Word(Span(1600, 1650), "uh"), *SAID[2:])
    assert check_cut(CUT, heard).share == 1.0
    swapped = (SAID[0], SAID[3], SAID[2], SAID[1], SAID[4])
    assert check_cut(CUT, swapped).share == 0.6  # of "belong to wanted", one is in order


def test_words_outside_the_cut_are_not_its_words() -> None:
    cut = PlannedCut(1, Span(5000, 7000), words(("lies", 5200, 5600)))
    heard = words(("lies", 1000, 1400))  # said in another cut
    assert check_cut(cut, heard).share == 0.0


def test_a_cut_without_words_passes_unless_a_redacted_word_is_heard() -> None:
    silent = PlannedCut(1, Span(0, 1000), (), ("Haris",))
    assert check_cut(silent, ()).ok
    assert not check_cut(silent, words(("Haris", 100, 500))).ok


def test_planned_words_are_moved_to_clip_time_through_the_timeline() -> None:
    timeline = build_timeline([("a", Span(10_000, 12_000)), ("a", Span(4000, 5000))], Fraction(25))
    cuts = planned_cuts(
        [
            words(("one", 10_100, 10_500)),
            words(("two", 4200, 4600), ("...", 4600, 4700), ("Haris.", 4700, 4900)),
        ],
        timeline,
        [(), ("Haris",)],
    )
    assert [(c.number, c.clip, c.words, c.redacted) for c in cuts] == [
        (1, Span(0, 2000), words(("one", 100, 500)), ()),
        # Nothing to hear in "...", and a bleeped name must not be heard: neither is planned.
        (2, Span(2000, 3000), words(("two", 2200, 2600)), ("Haris",)),
    ]


CONFIG = """\
version: 1
sources: {nh: nh.mp4}
clips: {a: {cuts: [{source: nh, start: 1, end: 2}]}}
"""


def test_verify_is_off_unless_the_config_or_the_command_line_says_words(tmp_path: Path) -> None:
    config = load(write(tmp_path / "a.yaml", CONFIG))
    assert config.project.verify == "none"
    assert verifying(config).project.verify == "words"
    assert load(write(tmp_path / "b.yaml", CONFIG + "verify: words\n")).project.verify == "words"
    with pytest.raises(ConfigError) as e:
        load(write(tmp_path / "c.yaml", CONFIG + "verify: yes\n"))
    assert [str(p) for p in e.value.problems] == [
        f"{tmp_path}/c.yaml:4: verify: True is not allowed (expected 'words' or 'none')"
    ]


def test_whisper_stretching_an_edge_word_over_the_pause_beside_it_is_heard() -> None:
    """Whisper hears the silence before a clip's first word as part of it (and after its
    last): the word is still heard in full. A word heard elsewhere, or half, is not."""
    stretched = words(
        ("I", 0, 1150),
        ("wanted", 1150, 1600),
        ("to", 1600, 1700),
        ("belong", 1700, 2100),
        ("somewhere.", 2100, 3900),
    )
    assert check_cut(CUT, stretched).ok
    half = words(*((w.text, w.span.start_ms, w.span.end_ms) for w in stretched[:4]))
    half += words(("somewhere.", 2100, 2350))  # its end lost: 350 ms
    assert not check_cut(CUT, half).ok
    far = words(("I", 3000, 3200), *((w.text, w.span.start_ms, w.span.end_ms) for w in SAID[1:]))
    assert not check_cut(CUT, far).ok


def test_a_two_word_name_heard_again_is_found_by_the_one_matcher() -> None:
    cut = PlannedCut(1, Span(0, 3000), words(("I", 0, 200), ("met", 200, 400)), ("John Smith",))
    heard = words(("I", 0, 200), ("met", 200, 400), ("John", 400, 700), ("Smith's", 700, 1100))
    check = check_cut(cut, heard)
    assert [(w.text, w.span) for w in check.redacted] == [("John Smith", Span(400, 1100))]
    assert not check.ok
