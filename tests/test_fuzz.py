"""Fuzzing with Hypothesis: only the designed errors, never a crash.

The timecode parser, the subtitle readers (text and bytes), the config loader (random YAML
text and random documents), ffprobe reports, and the filtergraph escaping -- random file
names rendered through ffmpeg with the planned command.
"""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pipeline.analysis.media import media_info
from pipeline.config.load import load
from pipeline.config.schema import RenditionSpec
from pipeline.core import ffmpeg
from pipeline.core.errors import ConfigError, InputError, MediaError, SubtitleError
from pipeline.core.model import Cue, MediaInfo, Span
from pipeline.core.timecode import Timecode, format_ms, parse_timecode, seconds
from pipeline.edit.timeline import build_timeline
from pipeline.render.command import plan_render
from pipeline.subtitles.decode import decode_bytes
from pipeline.subtitles.read import parse_subtitles
from pipeline.subtitles.write import to_srt, to_vtt
from tests.conftest import make_media, need_ffmpeg

FUZZ = settings(max_examples=200, deadline=None)

# --- timecodes

TIMECODE_TEXT = st.text(alphabet="0123456789:.,-+ eE_xinfa", max_size=16)


@FUZZ
@given(
    st.one_of(
        TIMECODE_TEXT,
        st.text(max_size=20),
        st.integers(),
        st.floats(),
        st.none(),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    )
)
def test_timecode_parser_only_raises_value_error(value: object) -> None:
    try:
        tc = parse_timecode(value)
    except ValueError as e:
        assert "expected HH:MM:SS.mmm" in str(e)
        return
    assert isinstance(tc, Timecode) and tc.ms >= 0 and tc.frames >= 0
    assert tc.to_ms(Fraction(30000, 1001)) >= tc.ms


@FUZZ
@given(st.integers(min_value=0, max_value=10**9))
def test_timecodes_round_trip(ms: int) -> None:
    assert parse_timecode(format_ms(ms)).ms == ms
    assert parse_timecode(seconds(ms)).ms == ms


# --- subtitle readers

LINE = st.one_of(
    st.just(""),
    st.integers(min_value=-2, max_value=99999).map(str),
    st.builds(
        lambda a, b, arrow, extra: f"{a}{arrow}{b}{extra}",
        st.from_regex(r"-?\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,4}", fullmatch=True),
        st.from_regex(r"-?(\d{1,3}:)?\d{1,2}:\d{1,2}[,.]\d{1,4}", fullmatch=True),
        st.sampled_from([" --> ", "-->", " -> ", " --> --> "]),
        st.sampled_from(["", " align:start", "  "]),
    ),
    st.sampled_from(["WEBVTT", "NOTE a note", "STYLE", "<i>x</i>", "{\\an8}top", "<b>", "&amp;"]),
    st.text(max_size=30).map(lambda s: s.replace("\n", " ")),
)
SUBTITLE_TEXT = st.tuples(
    st.lists(LINE, max_size=25), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans()
).map(lambda t: ("\ufeff" if t[2] else "") + t[1].join(t[0]))


@FUZZ
@given(st.one_of(SUBTITLE_TEXT, st.text(max_size=200)), st.sampled_from(["srt", "vtt", "ass"]))
def test_subtitle_reader_only_raises_subtitle_errors(text: str, ext: str) -> None:
    path = Path(f"fuzz.{ext}")
    try:
        sub = parse_subtitles(text, path)
    except SubtitleError as e:
        assert e.problems and all(p.path == path for p in e.problems)
        assert all(p.line is None or p.line >= 1 for p in e.problems)
        return
    assert sub.cues and len(sub.cues) == len(sub.lines)
    for cue in sub.cues:
        assert 0 <= cue.span.start_ms < cue.span.end_ms and cue.text.strip()


@FUZZ
@given(st.one_of(st.binary(max_size=300), SUBTITLE_TEXT.map(lambda s: s.encode("utf-8"))))
def test_subtitle_decoder_only_raises_subtitle_errors(data: bytes) -> None:
    try:
        text, encoding = decode_bytes(Path("fuzz.srt"), data)
    except SubtitleError as e:
        assert str(e).startswith("fuzz.srt")
        return
    assert "\r" not in text and encoding in (
        "utf-8",
        "utf-8-sig",
        "utf-16-le",
        "utf-16-be",
        "cp1256",
    )


WORDS = st.text(alphabet=st.sampled_from("abcXYZ çşž مرحبا 123!?é"), min_size=1, max_size=20).map(
    lambda s: unicodedata.normalize("NFC", " ".join(s.split()))
)


@st.composite
def cue_lists(draw: st.DrawFn) -> list[Cue]:
    cues, at = [], 0
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        start = at + draw(st.integers(min_value=0, max_value=5000))
        end = start + draw(st.integers(min_value=1, max_value=7000))
        lines = draw(st.lists(WORDS.filter(bool), min_size=1, max_size=2))
        cues.append(Cue(Span(start, end), "\n".join(lines)))
        at = end
    return cues


@FUZZ
@given(cue_lists())
def test_written_subtitles_read_back_the_same(cues: list[Cue]) -> None:
    assert parse_subtitles(to_srt(cues), Path("a.srt")).cues == tuple(cues)
    assert parse_subtitles(to_vtt(cues), Path("a.vtt")).cues == tuple(cues)


# --- the config loader

KEYS = [
    "version", "output", "sources", "clips", "cuts", "source", "start", "end", "quote", "near",
    "occurrence", "snap", "file", "subtitles", "burn", "languages", "renditions", "size", "fit",
    "fps", "preset", "crf", "style", "font", "transcription", "s", "c", "en", "ar", "r",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(["1", "00:00:01.5", "01:02", "1:0x", "320x240", "source", "a.mp4", "en"]),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=5)), inner, max_size=5),
    ),
    max_leaves=30,
)


def load_text(text: str | bytes) -> None:
    """Load ``text`` as a config: a Config, or a ConfigError naming the file; nothing else."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "replace"))
        try:
            load(path)
        except ConfigError as e:
            assert e.exit_code == 2 and e.problems
            assert all(p.path == path for p in e.problems), str(e)


@FUZZ
@given(DOCUMENTS)
def test_config_loader_on_random_documents(doc: Any) -> None:
    load_text(yaml.safe_dump(doc, allow_unicode=True))


@FUZZ
@given(
    st.fixed_dictionaries(
        {
            "version": st.sampled_from([1, 2, "1"]),
            "sources": st.dictionaries(
                st.sampled_from(["s", "t", "a b", "1"]), DOCUMENTS, max_size=2
            ),
            "clips": st.dictionaries(
                st.sampled_from(["c", "../x", "d"]),
                st.fixed_dictionaries(
                    {
                        "cuts": st.lists(
                            st.dictionaries(st.sampled_from(KEYS[5:12]), SCALARS), max_size=3
                        )
                    },
                    optional={"subtitles": DOCUMENTS},
                ),
                max_size=2,
            ),
        },
        optional={"renditions": DOCUMENTS, "style": DOCUMENTS, "output": SCALARS},
    )
)
def test_config_loader_on_config_like_documents(doc: dict[str, Any]) -> None:
    load_text(yaml.safe_dump(doc, allow_unicode=True))


@FUZZ
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_config_loader_on_random_text(text: str | bytes) -> None:
    load_text(text)


# --- ffprobe reports (what a hostile file can make ffprobe say)

# ffprobe's JSON has ints for sizes and channels, text for rates, durations and tags; a
# hostile file chooses the values.
RATE_TEXT = st.one_of(
    st.sampled_from(["0/0", "1/0", "25/1", "30000/1001", "-25/1", "N/A", "", "1e400/1"]),
    st.from_regex(r"-?\d{1,7}/-?\d{1,5}", fullmatch=True),
)
NUMBER_TEXT = st.one_of(
    st.sampled_from(["N/A", "nan", "inf", "-inf", "1e400", "", "0", "-1", "3.000000"]),
    st.floats().map(str),
    st.integers(-(10**6), 10**12).map(str),
)
SOME_INT = st.integers(-(2**40), 2**40)


def sar_text(rate: str) -> str:
    return rate.replace("/", ":")


def stream(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"codec_type": st.just(kind)},
        optional={
            "width": SOME_INT, "height": SOME_INT, "channels": SOME_INT,
            "avg_frame_rate": RATE_TEXT, "r_frame_rate": RATE_TEXT,
            "sample_aspect_ratio": st.one_of(RATE_TEXT.map(sar_text), st.text(max_size=4)),
            "duration": NUMBER_TEXT, "sample_rate": NUMBER_TEXT,
            "tags": st.dictionaries(st.sampled_from(["rotate", "title"]), NUMBER_TEXT, max_size=2),
            "side_data_list": st.lists(
                st.fixed_dictionaries({"rotation": st.one_of(SOME_INT, st.floats())}), max_size=1
            ),
            "disposition": st.fixed_dictionaries({"attached_pic": st.integers(0, 1)}),
        },
    )  # fmt: skip


@FUZZ
@given(
    st.lists(
        st.one_of(stream("video"), stream("audio"), stream("data")), min_size=0, max_size=3
    ).map(lambda extra: extra),
    stream("video"),
    stream("audio"),
    st.one_of(st.none(), NUMBER_TEXT),
)
def test_probe_reports_only_raise_media_errors(
    extra: list[dict[str, Any]], video: dict[str, Any], audio: dict[str, Any], duration: str | None
) -> None:
    data = {"streams": [*extra, video, audio], "format": {"duration": duration}}
    try:
        info = media_info(Path("x.mp4"), data, Path("x.mp4"))
    except MediaError as e:
        assert all(p.path == Path("x.mp4") and "expected" in p.message for p in e.problems)
        return
    assert isinstance(info, MediaInfo)
    assert info.width > 0 and info.height > 0 and info.fps > 0 and info.duration_ms > 0
    assert info.sample_rate > 0 and info.channels > 0 and info.rotation in range(360)


# --- filtergraph escaping, for real

ARABIC = "\u0645\u0631\u062d\u0628\u0627"  # a word of Arabic letters
HOSTILE = st.text(
    alphabet=st.sampled_from([*" '\",:;[]%=\\-_.$`!&|<>(){}*?#~^@\t", *"aZ9é😀", *ARABIC]),
    min_size=1,
    max_size=16,
).filter(lambda s: s not in (".", "..") and not s.startswith("."))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_ffmpeg()
    return make_media(tmp_path_factory.mktemp("fuzz") / "tiny.mp4", size="64x36", seconds=1)


ASS = """[Script Info]
ScriptType: v4.00+
PlayResX: 64
PlayResY: 36

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, Alignment
Style: Default,Noto Sans,12,&H00FFFFFF,2

[Events]
Format: Layer, Start, End, Style, Text
Dialogue: 0,0:00:00.00,0:00:01.00,Default,x
"""


@pytest.mark.ffmpeg
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=HOSTILE)
def test_hostile_names_render_through_ffmpeg(tiny: Path, name: str) -> None:
    """A source, a burned ASS file and an output, all named ``name``, in the planned command."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / name
        try:
            folder.mkdir()
        except OSError:
            assume(False)  # not a possible name here (too long in bytes, ...)
        source, burn, out = (
            folder / f"{name}.mp4",
            folder / f"{name}.ass",
            folder / f"{name}.out.mp4",
        )
        shutil.copyfile(tiny, source)
        burn.write_text(ASS, encoding="utf-8")
        media = {"s": MediaInfo(source, 1000, 64, 36, Fraction(25), True)}
        timeline = build_timeline([("s", Span(0, 200))], Fraction(25))
        rendition = RenditionSpec(size=(64, 36), preset="ultrafast")
        ffmpeg.run(plan_render(timeline, media, rendition, out, burn))
        assert out.stat().st_size > 0


def test_the_designed_errors_are_input_errors() -> None:
    """What the fuzz tests accept is exit 2, never a build failure in disguise."""
    for error in (ConfigError, SubtitleError, MediaError):
        assert issubclass(error, InputError) and error([]).exit_code == 2
