"""Each lint rule on crafted cues: the finding, its severity, its message and its line."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from pipeline.core.model import Cue, Span
from pipeline.subtitles.limits import SubtitleRules, rules_for
from pipeline.subtitles.lint import (
    Finding,
    LocatedCue,
    Track,
    lint_track,
    visible_length,
)

FILE = Path("subs/clip.bs.srt")
EN = Path("subs/clip.en.srt")
OK = SubtitleRules()  # 42 characters, 2 lines, 0.833-7 s, 20 cps, 25 fps


def track(*cues: tuple[int, int, str], lang: str = "bs", path: Path = FILE) -> Track:
    """Cues (start ms, end ms, text), as if written 4 lines apart from line 2 of ``path``."""
    located = tuple(
        LocatedCue(Cue(Span(start, end), text), path, 2 + 4 * i)
        for i, (start, end, text) in enumerate(cues)
    )
    return Track(lang, located, path)


def lint(t: Track, settings: SubtitleRules = OK, source: Track | None = None) -> list[str]:
    return [_short(f) for f in lint_track(t, settings, source, clip="demo")]


def _short(f: Finding) -> str:
    assert f.clip == "demo"
    return f"{f.where}: {f.severity}: {f.rule}: {f.message}"


def test_clean_track_has_no_findings() -> None:
    t = track((0, 2000, "Dobar dan."), (2080, 4000, "Kako ste?"))
    assert lint(t, SubtitleRules(clip_ms=4000)) == []


def test_cue_outside_the_clip_is_an_error_and_past_the_end_a_warning() -> None:
    t = track((1000, 2500, "Unutra i van"), (3000, 4000, "Poslije kraja"))
    assert lint(t, SubtitleRules(clip_ms=2000)) == [
        f"{FILE}:2: warning: past-end: ends at 00:00:02.500, after the clip ends at "
        "00:00:02.000 (cut there)",
        f"{FILE}:6: error: outside-clip: starts at 00:00:03.000, after the clip ends at "
        "00:00:02.000 (expected cues within the clip)",
    ]


def test_too_many_lines_and_too_long_a_line_on_its_own_line() -> None:
    long_line = "x" * 43
    t = track((0, 6000, f"one\n{long_line}\nthree"))
    assert lint(t) == [
        f"{FILE}:2: warning: lines: 3 lines (expected at most 2)",
        f"{FILE}:4: warning: line-length: 43 characters on one line (expected at most 42)",
    ]


def test_vertical_frames_allow_25_characters_and_3_lines() -> None:
    vertical = rules_for((1080, 1920), fps=Fraction(30))
    assert (vertical.max_chars, vertical.max_lines, vertical.fps) == (25, 3, 30)
    assert rules_for((1080, 1080), fps=Fraction(25)).max_chars == 42
    t = track((0, 3000, "a\nb\n" + "y" * 26))
    assert lint(t, vertical) == [
        f"{FILE}:5: warning: line-length: 26 characters on one line (expected at most 25)"
    ]


def test_duration_too_short_and_too_long() -> None:
    t = track((0, 832, "Da"), (1000, 1833, "Ne"), (3000, 10001, "Predugo"))
    assert lint(t) == [
        f"{FILE}:2: warning: duration: lasts 0.832 s (expected at least 833 ms)",
        f"{FILE}:10: warning: duration: lasts 7.001 s (expected at most 7000 ms)",
    ]


def test_reading_speed_counts_what_is_read() -> None:
    text = "<i>" + "a" * 41 + "</i>"  # 41 characters in 2 s: 20.5 cps; markup not counted
    assert lint(track((0, 2000, text))) == [
        f"{FILE}:2: warning: reading-speed: 20.5 characters per second (expected at most 20, "
        "ideally 17: shorten the text or lengthen the cue)"
    ]
    assert lint(track((0, 2000, "a" * 40))) == []


def test_arabic_harakat_and_combining_marks_are_not_counted() -> None:
    bare = "\u0645\u0631\u062d\u0628\u0627"  # 5 letters
    vowelled = "\u0645\u064e\u0631\u0652\u062d\u064e\u0628\u064b\u0627\u0670"
    assert visible_length(bare) == visible_length(vowelled) == 5
    assert visible_length("Cafe\u0301 \u200fok\u200e") == 7  # NFC é; bidi marks not counted
    text = " ".join([vowelled] * 7)  # 41 shown characters, 71 code points
    assert lint(track((0, 2100, text), lang="ar")) == []


def test_italics_in_right_to_left_languages() -> None:
    t = track((0, 2000, "<i>\u0645\u0631\u062d\u0628\u0627</i>"), lang="ar")
    assert lint(t) == [
        f"{FILE}:2: warning: italics: italics (expected none in right-to-left scripts)"
    ]
    assert lint(track((0, 2000, "<i>Zdravo</i>"))) == []


def test_order_overlap_and_gaps_of_two_frames() -> None:
    t = track(
        (0, 2000, "Prvi"),
        (2078, 4000, "Razmak 78 ms"),
        (4080, 6000, "Razmak 80 ms"),
        (5900, 8000, "Preklapanje"),
        (1000, 1900, "Van reda"),
    )
    assert lint(t) == [
        f"{FILE}:18: warning: order: starts at 00:00:01.000, before the cue above it "
        "(expected cues in time order)",
        f"{FILE}:18: warning: overlap: overlaps the cue before it by 1000 ms "
        "(expected one cue at a time)",
        f"{FILE}:6: warning: gap: starts 78 ms after the cue before it "
        "(expected a gap of at least 2 frames, 80 ms at 25 fps)",
        f"{FILE}:14: warning: overlap: overlaps the cue before it by 100 ms "
        "(expected one cue at a time)",
    ]


def test_gap_of_two_frames_at_29_97_fps_allows_rounding() -> None:
    ntsc = SubtitleRules(fps=Fraction(30000, 1001))
    assert lint(track((0, 2000, "a"), (2066, 4000, "b")), ntsc) == []
    assert lint(track((0, 2000, "a"), (2000, 4000, "b")), ntsc)[0].startswith(
        f"{FILE}:6: warning: gap: starts 0 ms after"
    )


def test_untranslated_missing_and_extra_against_the_source_language() -> None:
    en = track(
        (0, 2000, "I left in 2015."),
        (2100, 4000, "It was all lies."),
        (4100, 6000, "Nobody told us."),
        (6100, 8000, "Sarajevo"),
        lang="en",
        path=EN,
    )
    bs = track(
        (0, 2000, "Otišao sam 2015."),
        (2100, 4000, "<i>It was  all lies.</i>"),
        (6100, 8000, "Sarajevo"),
        (9000, 10000, "Višak"),
    )
    assert lint(bs, source=en) == [
        f"{FILE}:6: warning: untranslated: same text as the en cue 'It was all lies.' "
        "(expected a translation)",
        f"{FILE}:14: warning: extra: no en cue at 00:00:09.000-00:00:10.000 "
        "(expected the timing of the en cues)",
        f"{FILE}: warning: missing: no cue at 00:00:04.100-00:00:06.000, where en cue 3 says "
        "'Nobody told us.' (expected its translation)",
    ]
    assert lint(en, source=en) == []


def test_finding_text_names_file_line_language_and_rule() -> None:
    (finding,) = lint_track(track((0, 500, "Kratko")), OK, clip="demo")
    assert str(finding) == (
        f"{FILE}:2: warning: [bs] lasts 0.500 s (expected at least 833 ms) (duration)"
    )
    assert (finding.cue, finding.line, finding.lang) == (1, 2, "bs")


def test_one_set_of_rules_for_the_lint_and_for_cues_made_from_words() -> None:
    """One SubtitleRules, made by one rules_for: a rendition's own line settings win over its
    frame's, and Arabic cues made from words aim at 20 cps (the lint's target stays 17)."""
    assert rules_for() == SubtitleRules()
    own = rules_for((1080, 1920), chars=30, lines=2)
    assert (own.max_chars, own.max_lines) == (30, 2)
    assert rules_for(language="ar").cps_target == 20
    assert rules_for(language="bs").cps_target == OK.cps_target == 17
