"""Redactions mapped through cuts, subtitle text redaction, privacy scan (loudness:
tests/test_loudness.py)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pipeline.config.schema import RedactSpec, TermSpec
from pipeline.core.model import Cue, Segment, Span, Transcript, Word
from pipeline.core.timecode import parse_timecode
from pipeline.edit.cuts import ResolvedCut
from pipeline.edit.timeline import build_timeline
from pipeline.prepare.plan import rewrap, verify_plan
from pipeline.prepare.redaction_report import Tally, Unheard, add_up, tally_clip
from pipeline.render.redact import (
    WORD_PAD_MS,
    clip_redactions,
    redact_cues,
    redact_text,
    said,
    source_spans,
)
from pipeline.subtitles.limits import SubtitleRules
from pipeline.verify.privacy import scan

WORDS = (
    Word(Span(1000, 1400), "My"),
    Word(Span(1400, 1800), "friend"),
    Word(Span(1800, 2300), "Haris,"),
    Word(Span(5000, 5500), "haris"),
)
TRANSCRIPT = Transcript("en", (Segment(Span(1000, 5500), "", WORDS),))


def test_word_redaction_finds_every_use_in_the_kept_material() -> None:
    timeline = build_timeline([("s", Span(0, 3000)), ("s", Span(4500, 6000))], Fraction(25))
    spec = RedactSpec(source="s", words=("Haris",), audio="bleep")
    spans = [r.span for _, r in clip_redactions([spec], timeline, {"s": TRANSCRIPT})]
    # Haris at 1.8-2.3 s (padded 40 ms) in cut 1; haris at 5.0-5.5 s is 0.5 s into cut 2.
    assert spans == [Span(1760, 2340), Span(3460, 4040)]


def test_timed_redaction_is_clipped_to_the_cuts() -> None:
    timeline = build_timeline([("s", Span(10_000, 12_000))], Fraction(25))
    spec = RedactSpec(
        source="s", start=parse_timecode(9), end=parse_timecode("00:00:10.500"), audio="mute"
    )
    [(_, red)] = clip_redactions([spec], timeline, {})
    assert red.span == Span(0, 500) and red.audio == "mute"


def test_text_is_replaced_in_every_language() -> None:
    spec = RedactSpec(source="s", words=("Haris",), text="[name removed]")
    timed = RedactSpec(source="s", start=parse_timecode(6), end=parse_timecode(7), text="[...]")
    timeline = build_timeline([("s", Span(0, 10_000))], Fraction(25))
    reds = clip_redactions([spec, timed], timeline, {"s": TRANSCRIPT})
    cues = [
        Cue(Span(0, 2000), "My friend Haris, HARIS"),
        Cue(Span(2000, 4000), "Harisović ok"),
        Cue(Span(6500, 8000), "something said here"),
        Cue(Span(3000, 3500), "قال هاريس Haris"),
    ]
    unit = "[name\u00a0removed]"  # one unit: never broken across lines
    assert [c.text for c in redact_cues(cues, reds, [spec], "en")] == [
        f"My friend {unit}, {unit}",
        "Harisović ok",
        "[...]",
        f"قال هاريس {unit}",
    ]
    # The name goes from the text even where the transcript never heard it.
    assert redact_cues(cues[:1], (), [spec])[0].text == f"My friend {unit}, {unit}"


JOHN = TermSpec(term="John Smith", forms={"bs": ("Johna Smitha",), "ar": ("جون سميث",)})
PER_LANG = RedactSpec(
    source="s", words=(JOHN,), audio="bleep", text={"en": "[name removed]", "ar": "[اسم]"}
)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # Two words across a line break, and a possessive, whole.
        (
            "en",
            "I met John\nSmith and John Smith's brother",
            "I met [name\u00a0removed] and [name\u00a0removed] brother",
        ),
        # An inflected form the config lists, the default replacement in the language.
        ("bs", "Upoznao sam Johna Smitha.", "Upoznao sam [uklonjeno]."),
        ("bs", "John Smith je otišao.", "[uklonjeno] je otišao."),
        # An attached Arabic prefix, the replacement isolated in the right-to-left line.
        ("ar", "التقيت بجون سميث", "التقيت \u2068[اسم]\u2069"),
        # A form of another language is not this one's (the scan of outputs knows them all).
        ("en", "Johna Smitha", "Johna Smitha"),
    ],
)
def test_every_language_loses_its_forms_of_the_term(lang: str, text: str, expected: str) -> None:
    [cue] = redact_cues([Cue(Span(0, 2000), text)], (), [PER_LANG], lang)
    assert cue.text == expected


def test_a_two_word_name_and_a_possessive_are_bleeped_whole() -> None:
    words = [
        Word(Span(900, 1080), "met"),
        Word(Span(1080, 1340), " John"),
        Word(Span(1340, 1640), " Smith"),
        Word(Span(1640, 1900), " and"),
        Word(Span(1900, 2120), " John"),
        Word(Span(2120, 2600), " Smith's"),
        Word(Span(2600, 2780), " brother"),
        Word(Span(3000, 3300), " Smith"),  # the surname alone is no term
    ]
    transcript = Transcript("en", (Segment(Span(900, 3300), "", tuple(words)),))
    assert said(PER_LANG, transcript) == [
        (Span(1080, 1640), "John Smith"),
        (Span(1900, 2600), "John Smith"),
    ]
    pad = WORD_PAD_MS
    assert source_spans(PER_LANG, transcript) == [
        Span(1080 - pad, 1640 + pad),
        Span(1900 - pad, 2600 + pad),
    ]


def test_written_but_not_heard_is_counted_and_found() -> None:
    """'Haris' is heard in cut 1 only; the Bosnian file writes it in both cuts."""
    haris = TermSpec(term="Haris", forms={"bs": ("Harisa",)})
    spec = RedactSpec(source="s", words=(haris, "Nobody"), audio="mute")
    timeline = build_timeline([("s", Span(0, 3000)), ("s", Span(5600, 8000))], Fraction(25))
    tracks = {
        "en": [Cue(Span(1000, 2000), "My friend Haris")],
        "bs": [Cue(Span(1000, 2000), "Moj prijatelj Haris"), Cue(Span(3500, 4000), "i Harisa")],
    }
    tallies, unheard = tally_clip([spec], timeline, {"s": TRANSCRIPT}, tracks)
    assert tallies == [
        Tally(0, "Haris", "s", 1, (("en", 1), ("bs", 2))),
        Tally(0, "Nobody", "s", 0, (("en", 0), ("bs", 0))),
    ]
    # Clip 3.5 s is 0.5 s into cut 2: source 6.1 s.
    assert unheard == [Unheard(0, "Haris", "bs", 3500, "s", 6100)]
    assert add_up(tallies + tallies)[0] == Tally(0, "Haris", "s", 2, (("en", 2), ("bs", 4)))
    # A redaction of the text alone keeps the sound on purpose: nothing to listen for.
    text_only = spec.model_copy(update={"audio": None})
    assert tally_clip([text_only], timeline, {"s": TRANSCRIPT}, tracks)[1] == []


def test_a_card_loses_every_language_s_forms() -> None:
    assert redact_text("Johna Smitha", [PER_LANG], "en", None) == "[name\u00a0removed]"
    assert redact_text("Johna Smitha", [PER_LANG], "en", "en") == "Johna Smitha"


def test_a_replacement_is_never_broken_across_lines() -> None:
    text = "Then my friend [name\u00a0removed] took us all the way to the border"
    [cue] = rewrap([Cue(Span(0, 3000), text)], "en", SubtitleRules(max_chars=20, max_lines=4))
    assert "[name\u00a0removed]" in cue.text.split("\n")


def test_privacy_scan_allows_only_the_allow_list() -> None:
    clean = {
        "format": {"tags": {"major_brand": "isom", "minor_version": "512"}},
        "streams": [
            {"codec_type": "video", "tags": {"handler_name": "VideoHandler"}},
            {"codec_type": "audio", "tags": {"language": "und"}},
        ],
    }
    assert scan(clean, 0) == []
    dirty = {
        "format": {"tags": {"location": "+48.85+002.29/", "com.apple.quicktime.make": "x"}},
        "streams": [
            {"codec_type": "video", "tags": {"handler_name": "Core Media Video"}},
            {"codec_type": "audio"},
            {"codec_type": "data"},
        ],
    }
    assert scan(dirty, 0) == [
        "container tag location='+48.85+002.29/'",
        "container tag com.apple.quicktime.make='x'",
        "streams ['video', 'audio', 'data'] (expected ['video', 'audio'])",
        "video stream tag handler_name='Core Media Video'",
    ]


def test_verification_expects_no_bleeped_word() -> None:
    """The words under a bleep (both of "John Smith", and what a timed redaction covers) are
    not among those to hear; every form of the name must not be heard."""
    words = tuple(
        Word(Span(a, b), t)
        for a, b, t in [(0, 500, "I"), (500, 900, "met"), (1000, 1300, "John"),
                        (1300, 1600, "Smith"), (1700, 2000, "again")]
    )  # fmt: skip
    cut = ResolvedCut("s", Span(0, 2500), Span(0, 2500), words=words)
    timeline = build_timeline([("s", Span(0, 2500))], Fraction(25))
    plan = verify_plan("words", None, [PER_LANG], [cut], timeline, [Span(960, 1640)])
    assert plan is not None
    [planned] = plan.cuts
    assert [w.text for w in planned.words] == ["I", "met", "again"]
    assert planned.redacted == ("John Smith", "Johna Smitha", "جون سميث")
