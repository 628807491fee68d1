"""Config errors, asserted word for word: each one says file:line, where, and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config.load import load
from pipeline.config.schema import SubtitleSpec
from pipeline.config.sources import FromFile, FromSource, FromTranscript, language_source
from pipeline.core.errors import ConfigError
from tests.conftest import write

GOOD = """\
version: 1
output: out/
sources:
  nh: {file: media/nh.mp4, subtitles: {bs: subs/nh.bs.srt}}
  lp: {file: media/lp.mp4, subtitles: {bs: subs/lp.bs.srt}}
clips:
  why:
    cuts:
      - {source: nh, start: "00:00:04.200", end: "00:00:09.800"}
      - {source: lp, start: 01:05, end: 70}
    subtitles: {burn: bs, languages: {bs: source, en: subs/why.en.srt}}
renditions:
  land: {size: 1920x1080}
"""


def errors(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path / "x.yaml", text)
    with pytest.raises(ConfigError) as e:
        load(path)
    return [str(p).replace(f"{tmp_path}/", "") for p in e.value.problems]


def test_good_config_resolves_paths_and_times(tmp_path: Path) -> None:
    config = load(write(tmp_path / "configs" / "x.yaml", GOOD))
    project = config.project
    assert project.output == tmp_path / "configs" / "out"
    assert project.sources["nh"].file == tmp_path / "configs" / "media" / "nh.mp4"
    cuts = project.clips["why"].cuts
    assert [(c.start.ms, c.end.ms) for c in cuts] == [(4200, 9800), (65000, 70000)]
    subs = project.clips["why"].subtitles
    assert subs.burn == ("bs",)
    assert subs.languages["en"] == FromFile(tmp_path / "configs" / "subs" / "why.en.srt")
    assert project.renditions["land"].size == (1920, 1080)


def test_every_problem_at_once_with_lines(tmp_path: Path) -> None:
    text = (
        GOOD.replace('end: "00:00:09.800"', "end: '00:01:0x'")
        .replace("start: 01:05", "strat: 01:05")
        .replace("1920x1080", "1921x1080")
    )
    assert errors(tmp_path, text) == [
        "x.yaml:9: clips.why.cuts[0].end: '00:01:0x' is not a timecode (expected HH:MM:SS.mmm, "
        "MM:SS.mmm, seconds or HH:MM:SS:FF)",
        "x.yaml:10: clips.why.cuts[1].strat: unknown key 'strat' (expected one of: source, "
        "start, end, quote, near, occurrence, snap)",
        "x.yaml:13: renditions.land.size: '1921x1080' is not a frame size (expected WIDTHxHEIGHT "
        "in even numbers, e.g. 1920x1080)",
    ]


def test_cross_checks(tmp_path: Path) -> None:
    text = GOOD.replace("source: lp, start: 01:05, end: 70", "source: zz, start: 80, end: 70")
    text = text.replace("burn: bs", "burn: [ar]").replace("  why:", "  'why not':")
    assert errors(tmp_path, text) == [
        "x.yaml:7: clips.why not: 'why not' is not a safe name (expected letters, digits, '-' "
        "or '_', up to 64)",
        "x.yaml:10: clips.why not.cuts[1].source: unknown source 'zz' (expected one of: nh, lp)",
        "x.yaml:10: clips.why not.cuts[1].end: end 70 is not after start 80 (expected end > start)",
        "x.yaml:11: clips.why not.subtitles.burn[0]: cannot burn 'ar': not in languages "
        "(expected one of: bs, en)",
    ]


def test_source_language_must_exist_for_every_source(tmp_path: Path) -> None:
    text = GOOD.replace("languages: {bs: source", "languages: {bs: source, de: source")
    assert errors(tmp_path, text) == [
        "x.yaml:11: clips.why.subtitles.languages.de: source 'lp' has no 'de' subtitles "
        "(expected sources.lp.subtitles.de)",
        "x.yaml:11: clips.why.subtitles.languages.de: source 'nh' has no 'de' subtitles "
        "(expected sources.nh.subtitles.de)",
    ]


def test_cut_is_timecodes_or_quote(tmp_path: Path) -> None:
    text = GOOD.replace("start: 01:05, end: 70", "start: 01:05").replace(
        '{source: nh, start: "00:00:04.200", end: "00:00:09.800"}',
        '{source: nh, start: 1, quote: "it was all lies", occurrence: 0}',
    )
    assert errors(tmp_path, text) == [
        "x.yaml:9: clips.why.cuts[0].occurrence: 0: input should be greater than or equal to 1",
    ]
    text = text.replace("occurrence: 0", "occurrence: 2")
    assert errors(tmp_path, text) == [
        "x.yaml:9: clips.why.cuts[0].start: start given with quote (expected either a quote, "
        "or start and end)",
        "x.yaml:10: clips.why.cuts[1]: missing required key 'end' (expected start and end, or "
        "a quote)",
    ]


def test_empty_sections(tmp_path: Path) -> None:
    text = "version: 1\nsources: {}\nclips:\n  a: {cuts: []}\n"
    assert errors(tmp_path, text) == [
        "x.yaml:2: sources: no sources (expected at least one)",
        "x.yaml:4: clips.a.cuts: no cuts (expected at least one)",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "x.yaml: the config is empty (expected a mapping with version, sources and clips)"),
        (
            "- 1\n- 2\n",
            "x.yaml:1: the config is a list (expected a mapping with version, sources and clips)",
        ),
        (
            "version: 1\nclips: {a: [}\n",
            "x.yaml:2: YAML syntax error: expected the node content, but found '}'",
        ),
        (
            "version: 1\n\tsources: {}\n",
            "x.yaml:2: YAML syntax error: a tab (expected spaces: YAML indents with spaces only)",
        ),
        ("version: 1\nversion: 2\n", "x.yaml:2: version: key given twice (expected each key once)"),
    ],
)
def test_document_level_errors(tmp_path: Path, text: str, message: str) -> None:
    assert errors(tmp_path, text) == [message]


def test_wrong_version_and_types(tmp_path: Path) -> None:
    text = GOOD.replace("version: 1", "version: 2").replace(
        "{size: 1920x1080}", "{size: 1920x1080, crf: high}"
    )
    assert errors(tmp_path, text) == [
        "x.yaml:1: version: 2 is not allowed (expected 1)",
        "x.yaml:13: renditions.land.crf: 'high': input should be a valid integer, unable to "
        "parse string as an integer",
    ]


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="is a folder"):
        load(tmp_path)


def test_a_language_source_is_a_tagged_type_written_as_the_config_wrote_it(tmp_path: Path) -> None:
    spec = SubtitleSpec.model_validate(
        {"languages": {"en": "source", "de": "transcript", "ar": "clip.ar.srt"}},
        context={"base": tmp_path},
    )
    assert spec.languages == {
        "en": FromSource(),
        "de": FromTranscript(),
        "ar": FromFile(tmp_path / "clip.ar.srt"),
    }
    dumped = spec.model_dump(mode="json")["languages"]  # fingerprints and manifests: text
    assert dumped == {"en": "source", "de": "transcript", "ar": str(tmp_path / "clip.ar.srt")}
    assert [str(m) for m in spec.languages.values()] == list(dumped.values())
    assert language_source(FromSource()) == FromSource()


def test_a_language_source_that_is_not_text_says_so(tmp_path: Path) -> None:
    path = write(
        tmp_path / "x.yaml",
        GOOD.replace("en: subs/why.en.srt", "en: [subs/why.en.srt]"),
    )
    with pytest.raises(ConfigError) as e:
        load(path)
    [problem] = e.value.problems
    assert str(problem).endswith(
        "x.yaml:11: clips.why.subtitles.languages.en: input should be a valid string"
    ), str(problem)
