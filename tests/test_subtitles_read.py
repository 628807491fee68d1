"""Reading translators' subtitle files: encodings, line ends, every error with its line."""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.errors import SubtitleError
from pipeline.core.model import Cue, Span
from pipeline.subtitles.decode import decode_bytes
from pipeline.subtitles.read import (
    SubtitleFile,
    load_subtitles,
    parse_subtitles,
    read_srt,
    read_subtitles,
    scan_subtitles,
)
from pipeline.subtitles.write import to_srt, to_vtt

SRT = "1\n00:00:01,000 --> 00:00:02,500\nHello there\n\n2\n00:00:03,000 --> 00:00:04,000\nBye\n"
ARABIC_TEXT = "مرحبا بكم في البرنامج\nقال: 3 مرات"  # noqa: RUF001 (Arabic letters)
ARABIC = f"1\n00:00:01,000 --> 00:00:03,000\n{ARABIC_TEXT}\n"
HELLO = (Cue(Span(1000, 2500), "Hello there"), Cue(Span(3000, 4000), "Bye"))


def save(tmp_path: Path, data: bytes, name: str = "t.srt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def errors(tmp_path: Path, text: str, name: str = "t.srt") -> list[str]:
    """The problems of a broken file, as ``line: message`` strings."""
    path = save(tmp_path, text.encode(), name)
    with pytest.raises(SubtitleError) as e:
        load_subtitles(path)
    assert all(p.path == path for p in e.value.problems)
    return [f"{p.line}: {p.message}" for p in e.value.problems]


# --- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("utf-16-le", b"\xff\xfe", "utf-16-le"),
        ("utf-16-be", b"\xfe\xff", "utf-16-be"),
    ],
)
def test_unicode_encodings(tmp_path: Path, encoding: str, bom: bytes, expected: str) -> None:
    sub = load_subtitles(save(tmp_path, bom + ARABIC.encode(encoding)))
    assert sub.encoding == expected
    assert sub.cues == (Cue(Span(1000, 3000), ARABIC_TEXT),)


def test_windows_1256_arabic_with_crlf(tmp_path: Path) -> None:
    data = ARABIC.replace("\n", "\r\n").encode("cp1256")
    sub = load_subtitles(save(tmp_path, data))
    assert sub.encoding == "cp1256"
    assert sub.cues[0].text == ARABIC_TEXT
    assert sub.lines == (2,)


def test_windows_1256_bytes_of_latin_text_rejected(tmp_path: Path) -> None:
    data = "1\n00:00:01,000 --> 00:00:02,000\nCafé crème, très déçu\n".encode("cp1256")
    path = save(tmp_path, data)
    with pytest.raises(SubtitleError) as e:
        load_subtitles(path)
    assert str(e.value) == (
        f"{path}:3: byte 0xE9 is not UTF-8, and the file is not Arabic Windows-1256 either "
        "(expected UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1256 for Arabic; "
        "save it as UTF-8)"
    )


def test_latin_1_rejected_naming_file_and_line(tmp_path: Path) -> None:
    data = "1\n00:00:01,000 --> 00:00:02,000\nGrüße aus München\n".encode("latin-1")
    with pytest.raises(SubtitleError) as e:
        load_subtitles(save(tmp_path, data))
    message = str(e.value)
    assert message.startswith(f"{tmp_path / 't.srt'}:3: byte 0xFC is not UTF-8")
    assert "save it as UTF-8" in message


def test_binary_file_rejected(tmp_path: Path) -> None:
    path = save(tmp_path, bytes(range(256)) * 4)
    with pytest.raises(SubtitleError) as e:
        load_subtitles(path)
    assert str(e.value) == (
        f"{path}: is a binary file (expected a text subtitle file: SRT, WebVTT or ASS)"
    )


def test_utf16_without_bom_is_named(tmp_path: Path) -> None:
    with pytest.raises(SubtitleError, match="UTF-16 text without a byte-order mark"):
        load_subtitles(save(tmp_path, SRT.encode("utf-16-le")))


def test_control_character_rejected_with_line(tmp_path: Path) -> None:
    assert errors(tmp_path, SRT.replace("Bye", "B\x07ye")) == [
        "7: control character U+0007: a binary file? "
        "(expected a text subtitle file: SRT, WebVTT or ASS)"
    ]


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(SubtitleError, match=r"missing\.srt: no such file \(expected a readable"):
        load_subtitles(tmp_path / "missing.srt")


# --- line ends and lenient syntax --------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("final", ["", "\n", "\n\n"])
def test_line_ends_and_final_blank_line(tmp_path: Path, newline: str, final: str) -> None:
    text = SRT.rstrip("\n").replace("\n", newline) + final.replace("\n", newline)
    sub = load_subtitles(save(tmp_path, text.encode()))
    assert sub.cues == HELLO
    assert sub.lines == (2, 6)


def test_dot_before_milliseconds_and_no_index(tmp_path: Path) -> None:
    text = "00:00:01.000 --> 00:00:02.500\nHello there\n\n00:00:03,000 --> 00:00:04.000\nBye"
    assert read_subtitles(save(tmp_path, text.encode())) == HELLO


def test_missing_blank_line_between_cues_keeps_both(tmp_path: Path) -> None:
    text = SRT.replace("\n\n2\n", "\n2\n")
    assert read_srt(save(tmp_path, text.encode())) == HELLO


def test_text_is_nfc_and_stripped(tmp_path: Path) -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\n  Cafe\u0301  \n"
    assert read_subtitles(save(tmp_path, text.encode()))[0].text == "Caf\u00e9"


# --- errors, each with its line, all collected --------------------------------------------


def test_every_broken_entry_reported_with_its_line(tmp_path: Path) -> None:
    text = (
        "1\n00:00:03,000 --> 00:00:02,000\nBackwards\n\n"
        "2\n00:00:05,000 --> 00:00:05,000\nZero length\n\n"
        "some stray text\n\n"
        "3\n0:00:01,5 --> 00:00:09,000\nAmbiguous milliseconds\n\n"
        "4\n-00:00:01,000 --> 00:00:01,000\nNegative\n\n"
        "5\n00:00:06,000 - 00:00:07,000\nNo arrow\n\n"
        "6\n00:61:00,000 --> 00:62:00,000\nBad minutes\n\n"
        "7\n00:00:08,000 --> 00:00:09,000\n\n"
        "8\n00:00:10,000 --> 00:00:11,000\nFine\n\nsecond paragraph\n"
    )
    assert errors(tmp_path, text) == [
        "2: the cue ends at 00:00:02.000, not after its start 00:00:03.000 (expected end > start)",
        "6: the cue ends at 00:00:05.000, not after its start 00:00:05.000 (expected end > start)",
        "9: 'some stray text' is not part of a cue (expected a cue number or a timing line "
        "such as 00:00:01,000 --> 00:00:02,000; a blank line ends a cue)",
        "12: '0:00:01,5' is not a time (expected HH:MM:SS,mmm, e.g. 00:01:02,500)",
        "16: negative time -00:00:01.000 (expected 00:00:00.000 or later)",
        "20: '00:00:06,000 - 00:00:07,000' is not a timing line (expected "
        "00:00:01,000 --> 00:00:02,000 after cue number 5)",
        "24: '00:61:00,000' is not a time (expected minutes and seconds under 60)",
        "24: '00:62:00,000' is not a time (expected minutes and seconds under 60)",
        "28: the cue has no text (expected its text below the timing line)",
        "34: 'second paragraph' is not part of a cue (expected a cue number or a timing line "
        "such as 00:00:01,000 --> 00:00:02,000; a blank line ends a cue)",
    ]


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    assert errors(tmp_path, "\n\n") == ["None: has no cues (expected SRT subtitles)"]


# --- markup ------------------------------------------------------------------------------


def test_markup_kept_and_dropped_with_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<I>Top</I> <font color=red>red</font>\n\n"
        "2\n00:00:03,000 --> 00:00:04,000 X1:10 X2:20\n<b>bold</b> {\\b1}x{\\b0}\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\n<font face=Arial>again</font>\n"
    )
    path = save(tmp_path, text.encode())
    sub = load_subtitles(path)
    assert [c.text for c in sub.cues] == ["{\\an8}<i>Top</i> red", "bold x", "again"]
    assert [f"{w.line}: {w.message}" for w in sub.warnings] == [
        "2: dropped <font> markup from 2 cues, first here (only <i> and {\\an8} are kept)",
        "6: ignored cue settings in 1 cue, first here (position and style come from the build)",
        "6: dropped <b> markup from 1 cue, first here (only <i> and {\\an8} are kept)",
        "6: dropped {\\b1} markup from 1 cue, first here (only <i> and {\\an8} are kept)",
        "6: dropped {\\b0} markup from 1 cue, first here (only <i> and {\\an8} are kept)",
    ]
    with caplog.at_level(logging.WARNING, logger="pipeline.subtitles.read"):
        read_subtitles(path)
    assert f"{path}:2: dropped <font> markup from 2 cues" in caplog.text


def test_scan_keeps_the_readable_cues_and_every_broken_one(tmp_path: Path) -> None:
    """What `build-clip check` reads (issue 14): a broken cue does not hide the others."""
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nFirst\n\n"
        "2\n00:00:03,000 --> 00:00:0x,000\nBad time\n\n"
        "3\n00:00:05,000 --> 00:00:04,000\nBackwards\n\n"
        "4\n00:00:06,000 --> 00:00:07,000\n<b>Last</b>\n"
    )
    path = save(tmp_path, text.encode())
    sub = scan_subtitles(path)
    assert sub.cues == (Cue(Span(1000, 2000), "First"), Cue(Span(6000, 7000), "Last"))
    assert sub.lines == (2, 14)
    assert [f"{p.line}: {p.message}" for p in sub.errors] == [
        "6: '00:00:0x,000' is not a time (expected HH:MM:SS,mmm, e.g. 00:01:02,500)",
        "10: the cue ends at 00:00:04.000, not after its start 00:00:05.000 (expected end > start)",
    ]
    assert [w.line for w in sub.warnings] == [14]
    with pytest.raises(SubtitleError) as e:  # the build refuses the file, naming both
        load_subtitles(path)
    assert e.value.problems == sub.errors


# --- WebVTT and ASS ----------------------------------------------------------------------


def test_webvtt(tmp_path: Path) -> None:
    text = (
        "WEBVTT - made by hand\nKind: captions\n\nNOTE a comment\nthat spans lines\n\n"
        "intro\n00:01.000 --> 00:02.500 align:start\n<v Bob>Hello &amp; there</v>\n"
        "00:00:03.000 --> 00:00:04.000\nno blank line before me\n"
    )
    sub = load_subtitles(save(tmp_path, text.encode(), "t.vtt"))
    assert sub.format == "vtt"
    assert sub.cues == (
        Cue(Span(1000, 2500), "Hello & there"),
        Cue(Span(3000, 4000), "no blank line before me"),
    )
    assert sub.lines == (8, 10)


def test_webvtt_errors(tmp_path: Path) -> None:
    text = "00:01.000 --> 00:00.500\nBackwards\n\n00:02.000 --> 00:03\nShort\n"
    assert errors(tmp_path, text, "t.vtt") == [
        "1: missing the WEBVTT header (expected 'WEBVTT' on the first line)",
        "1: the cue ends at 00:00:00.500, not after its start 00:00:01.000 (expected end > start)",
        "4: '00:03' is not a time (expected [HH:]MM:SS.mmm, e.g. 00:01:02.500)",
    ]


ASS = """[Script Info]
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, \
Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, \
Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,2,\
2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,{\\an8\\i1}Hello{\\i0}\\Nworld, yes
Comment: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,a note, not a cue
Dialogue: 0,0:00:03.00,0:00:04.00,Default,,0,0,0,,{\\b1}bold{\\b0}
"""


def test_ass_read_with_pysubs2_and_lines(tmp_path: Path) -> None:
    sub = load_subtitles(save(tmp_path, ASS.encode(), "t.ass"))
    assert sub.format == "ass"
    assert sub.cues == (
        Cue(Span(1000, 2500), "{\\an8}<i>Hello</i>\nworld, yes"),
        Cue(Span(3000, 4000), "bold"),
    )
    assert sub.lines == (10, 12)
    assert [f"{w.line}: {w.message}" for w in sub.warnings] == [
        "12: dropped {\\b1} markup from 1 cue, first here (only <i> and {\\an8} are kept)",
        "12: dropped {\\b0} markup from 1 cue, first here (only <i> and {\\an8} are kept)",
    ]


def test_ass_errors_all_reported(tmp_path: Path) -> None:
    text = ASS.replace("0:00:02.50,", "0:00:00.50,").replace("0:00:03.00,", "0:00:0x.00,")
    assert errors(tmp_path, text, "t.ass") == [
        "10: the cue ends at 00:00:00.500, not after its start 00:00:01.000 (expected end > start)",
        "12: '0:00:0x.00' is not a time (expected H:MM:SS.cc, e.g. 0:01:02.50)",
    ]


def test_format_sniffed_from_content(tmp_path: Path) -> None:
    vtt = to_vtt(HELLO).encode()
    assert load_subtitles(save(tmp_path, vtt, "named.srt")).format == "vtt"
    assert load_subtitles(save(tmp_path, ASS.encode(), "named.txt")).format == "ass"


# --- properties --------------------------------------------------------------------------

_ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "Zs", "S"),
    exclude_characters="<>{}\\\u00a0\u1680\u2028\u2029\u3000",
)
_LINE = (
    st.text(_ALPHABET, min_size=1, max_size=30)
    .map(str.strip)
    .filter(lambda s: bool(s) and "-->" not in s and not s.isdigit())
)


@st.composite
def cues(draw: st.DrawFn) -> list[Cue]:
    out, t = [], 0
    for _ in range(draw(st.integers(1, 6))):
        t += draw(st.integers(0, 10**7))
        length = draw(st.integers(1, 10**6))
        text = "\n".join(draw(st.lists(_LINE, min_size=1, max_size=3)))
        out.append(Cue(Span(t, t + length), text))
    return out


def _nfc(cue: Cue) -> Cue:
    return Cue(cue.span, unicodedata.normalize("NFC", cue.text))


@given(cues())
@settings(max_examples=200, deadline=None)
def test_srt_round_trip(cue_list: list[Cue]) -> None:
    sub = parse_subtitles(to_srt(cue_list), Path("rt.srt"))
    assert sub.cues == tuple(_nfc(c) for c in cue_list)


@given(cues())
@settings(max_examples=100, deadline=None)
def test_vtt_round_trip(cue_list: list[Cue]) -> None:
    sub = parse_subtitles(to_vtt(cue_list), Path("rt.vtt"))
    assert [c.span for c in sub.cues] == [c.span for c in cue_list]


_SRTISH = st.lists(
    st.one_of(
        st.sampled_from(["", "1", "00:00:01,000 --> 00:00:02,000", "WEBVTT", "-->", "<i>x"]),
        st.from_regex(r"-?\d{1,3}:\d{1,3}:\d{1,3}[,.]\d{0,4} ?--> ?\d{1,2}:\d\d:\d\d[,.]\d{1,3}"),
        st.text(max_size=20),
    ),
    max_size=12,
).map("\n".join)


def _parses_or_subtitle_error(text: str, name: str) -> None:
    try:
        result = parse_subtitles(text, Path(name))
    except SubtitleError as e:
        assert e.problems
        assert all(p.path == Path(name) for p in e.problems)
    else:
        assert isinstance(result, SubtitleFile)
        assert result.cues
        assert all(c.span.end_ms > c.span.start_ms >= 0 for c in result.cues)


@given(_SRTISH, st.sampled_from(["f.srt", "f.vtt", "f.ass"]))
@settings(max_examples=150, deadline=None)
def test_fuzz_text_gives_cues_or_subtitle_error(text: str, name: str) -> None:
    _parses_or_subtitle_error(text, name)
    _parses_or_subtitle_error("WEBVTT\n\n" + text, name)
    _parses_or_subtitle_error("[Script Info]\n[Events]\nDialogue: " + text, name)


@given(st.binary(max_size=200), st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe"]))
@settings(max_examples=200, deadline=None)
def test_fuzz_bytes_gives_cues_or_subtitle_error(data: bytes, bom: bytes) -> None:
    path = Path("f.srt")
    try:
        text, _ = decode_bytes(path, bom + data)
    except SubtitleError as e:
        assert str(e).startswith("f.srt")
    else:
        _parses_or_subtitle_error(text, "f.srt")
