"""Voice disguise (``voice: {disguise: N}``) planned: config errors word for word, which
cuts are shifted, and the filter in the render and in the loudness measuring pass (no
ffmpeg needed; tests/test_voice_e2e.py hears the result)."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

from pipeline.config.load import load
from pipeline.config.schema import AudioSpec, RenditionSpec
from pipeline.core.errors import ConfigError
from pipeline.core.model import MediaInfo, Span
from pipeline.edit.timeline import build_timeline
from pipeline.prepare.jobs import disguise
from pipeline.publish.output_record import OutputRecord
from pipeline.publish.records import Unreadable
from pipeline.render.command import plan_render
from pipeline.render.finish import Finish
from pipeline.render.loudness import plan_scan
from pipeline.render.voice import disguise_filter, pitch_ratio
from tests.conftest import run_cli, write

CONFIG = """\
version: 1
output: out
sources:
  nh: {{file: nh.mp4{nh}}}
  lp: {{file: lp.mp4}}
clips:
  why:
    cuts:
      - {{source: nh, start: 1, end: 2}}
      - {{source: lp, start: 1, end: 2}}
{clip}"""

EXPECTED = "(expected a number of semitones from 1 to 12 up or -1 to -12 down, e.g. -4)"


def errors(tmp_path: Path, nh: str = "", clip: str = "") -> list[str]:
    path = write(tmp_path / "x.yaml", CONFIG.format(nh=nh, clip=clip))
    with pytest.raises(ConfigError) as e:
        load(path)
    return [str(p).replace(f"{tmp_path}/", "") for p in e.value.problems]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("0", "0"), ("0.5", "0.5"), ("13", "13"), ("-12.5", "-12.5"), ("high", "'high'"),
     ("true", "True"), (".nan", "nan"), ("[3]", "[3]")],
)  # fmt: skip
def test_a_bad_disguise_says_what_is_expected(tmp_path: Path, value: str, shown: str) -> None:
    assert errors(tmp_path, nh=f", voice: {{disguise: {value}}}") == [
        f"x.yaml:4: sources.nh.voice.disguise: {shown} is not a voice disguise {EXPECTED}"
    ]


def test_voice_errors_at_the_clip_and_unknown_keys(tmp_path: Path) -> None:
    clip = "    voice: {disguise: 20}\n"
    assert errors(tmp_path, nh=", voice: {pitch: 3}", clip=clip) == [
        "x.yaml:4: sources.nh.voice.disguise: missing required key 'disguise'",
        "x.yaml:4: sources.nh.voice.pitch: unknown key 'pitch' (expected one of: disguise)",
        f"x.yaml:11: clips.why.voice.disguise: 20 is not a voice disguise {EXPECTED}",
    ]


def test_a_bad_disguise_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "x.yaml", CONFIG.format(nh=", voice: {disguise: 0}", clip=""))
    result = run_cli(path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {path}:4: sources.nh.voice.disguise: 0 is not a voice disguise {EXPECTED}"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.yaml"]


def test_the_clip_overrides_the_source(tmp_path: Path) -> None:
    config = load(write(tmp_path / "x.yaml", CONFIG.format(nh=", voice: {disguise: -4}", clip="")))
    project = config.project
    clip = project.clips["why"]
    assert disguise(clip, project.sources, {"nh", "lp"}) == (("nh", -4.0),)
    assert disguise(clip, project.sources, {"lp"}) == ()
    text = CONFIG.format(nh=", voice: {disguise: -4}", clip="    voice: {disguise: 3.5}\n")
    project = load(write(tmp_path / "y.yaml", text)).project
    shifted = disguise(project.clips["why"], project.sources, {"nh", "lp"})
    assert shifted == (("lp", 3.5), ("nh", 3.5))


def test_semitones_are_a_ratio_and_formants_move_with_the_pitch() -> None:
    assert pitch_ratio(12) == 2.0
    assert pitch_ratio(-12) == 0.5
    assert disguise_filter(3) == (
        "rubberband=pitch=1.189207:formant=shifted:pitchq=quality:channels=together"
    )


MEDIA = {
    "nh": MediaInfo(Path("/m/nh.mp4"), 600_000, 1280, 720, Fraction(25), True),
    "lp": MediaInfo(Path("/m/lp.mp4"), 60_000, 640, 480, Fraction(25), True),
}
TIMELINE = build_timeline(
    [("nh", Span(4200, 9800)), ("lp", Span(1000, 3500)), ("nh", Span(9800, 12000))], Fraction(25)
)


def audio_chains(graph: str) -> dict[str, str]:
    """Each cut's audio chain by its label (a0, a1, ...)."""
    chains = [c for c in graph.split(";") if re.match(r"\[\d+:a:0\]", c)]
    return {c.rsplit("[", 1)[1].rstrip("]"): c for c in chains}


def graph_of(args: tuple[str, ...]) -> str:
    return args[args.index("-filter_complex") + 1]


def test_each_cut_is_shifted_by_its_source_before_the_trim_and_the_loudness() -> None:
    finish = Finish(disguise=(("nh", -4.0),), loudness="volume=3.00dB")
    args = plan_render(TIMELINE, MEDIA, RenditionSpec(size=(640, 360)), Path("/o.mp4"), None,
                       (), finish).args  # fmt: skip
    graph = graph_of(args)
    chains = audio_chains(graph)
    shift = disguise_filter(-4)
    assert [shift in chains[f"a{i}"] for i in range(3)] == [True, False, True]
    # Shifted right after the cut is read (with its guard), before the exact trim and fades.
    a0 = chains["a0"]
    assert a0.index("aformat=") < a0.index(shift) < a0.index("apad") < a0.index("atrim=")
    # One filtergraph: the shift comes before pass 2 of loudness normalisation.
    assert graph.index(shift) < graph.index("volume=3.00dB")
    # The measuring pass hears the same disguised cuts.
    scan = audio_chains(graph_of(plan_scan(TIMELINE, MEDIA, finish).args))
    assert scan == chains


def test_without_voice_nothing_changes() -> None:
    plain = plan_render(TIMELINE, MEDIA, RenditionSpec(size=(640, 360)), Path("/o.mp4"))
    assert "rubberband" not in graph_of(plain.args)
    assert "rubberband" not in graph_of(plan_scan(TIMELINE, MEDIA, Finish()).args)
    assert AudioSpec().loudness == -16.0  # the default target: disguise never turns it off


def test_the_manifest_record_keeps_the_disguise() -> None:
    record = OutputRecord(rendition="land", burned="nosubs", voice={"nh": -4.0})
    data = record.to_json()
    assert data["voice"] == {"nh": -4.0}
    assert OutputRecord.from_json(data) == record
    assert OutputRecord.from_json(OutputRecord().to_json()).voice is None
    with pytest.raises(Unreadable, match="voice"):
        OutputRecord.from_json({**data, "voice": {"nh": "low"}})
