"""``faces:`` in the config: errors word for word with their lines, the clip's replacing the
project's (no media needed; tests/test_faces_render.py renders it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config.faces import FacesSpec
from pipeline.config.load import load
from pipeline.core.errors import ConfigError
from tests.conftest import run_cli, write

CONFIG = """\
version: 1
output: out
sources:
  nh: nh.mp4
clips:
  why:
    cuts:
      - {{source: nh, start: 1, end: 2}}
{clip}{project}"""

KEEP = "(expected SOURCE/TRACK, a source id and the track's number, e.g. nh/3)"


def errors(tmp_path: Path, clip: str = "", project: str = "") -> list[str]:
    path = write(tmp_path / "x.yaml", CONFIG.format(clip=clip, project=project))
    with pytest.raises(ConfigError) as e:
        load(path)
    return [str(p).replace(f"{tmp_path}/", "") for p in e.value.problems]


def test_the_defaults_and_the_clip_replacing_the_project(tmp_path: Path) -> None:
    path = write(
        tmp_path / "x.yaml",
        CONFIG.format(
            clip="    faces: {mode: box, keep: [nh/3]}\n", project="faces: {keep: [nh/1, nh/2]}\n"
        ),
    )
    project = load(path).project
    assert project.faces == FacesSpec(mode="blur", keep=("nh/1", "nh/2"))
    assert project.clips["why"].faces == FacesSpec(mode="box", keep=("nh/3",))
    assert FacesSpec() == FacesSpec(mode="blur", keep=())


def test_a_mode_that_does_not_exist(tmp_path: Path) -> None:
    assert errors(tmp_path, project="faces: {mode: smudge}\n") == [
        "x.yaml:9: faces.mode: 'smudge' is not allowed (expected 'blur', 'pixelate' or 'box')"
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("nh", "'nh'"), ("nh/x", "'nh/x'"), ("/3", "'/3'"), ("3", "3"), ("nh/-1", "'nh/-1'")],
)
def test_a_malformed_keep_id(tmp_path: Path, value: str, shown: str) -> None:
    assert errors(tmp_path, clip=f"    faces:\n      keep:\n        - {value}\n") == [
        f"x.yaml:11: clips.why.faces.keep[0]: {shown} is not a face track {KEEP}"
    ]


def test_an_unknown_source_in_keep_and_an_unknown_key(tmp_path: Path) -> None:
    assert errors(
        tmp_path,
        clip="    faces: {keep: [lp/1], blur: 3}\n",
        project="faces:\n  keep:\n    - nh/1\n    - xx/2\n",
    ) == [
        "x.yaml:9: clips.why.faces.blur: unknown key 'blur' (expected one of: mode, keep)",
    ]


def test_unknown_sources_in_keep(tmp_path: Path) -> None:
    assert errors(
        tmp_path,
        clip="    faces: {keep: [lp/1]}\n",
        project="faces:\n  keep:\n    - nh/1\n    - xx/2\n",
    ) == [
        "x.yaml:13: faces.keep[1]: unknown source 'xx' in 'xx/2' (expected one of: nh)",
        "x.yaml:9: clips.why.faces.keep[0]: unknown source 'lp' in 'lp/1' (expected one of: nh)",
    ]


def test_a_bad_faces_key_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "x.yaml", CONFIG.format(clip="", project="faces: {keep: [nh]}\n"))
    result = run_cli(path)
    assert result.returncode == 2
    shown = f"error: {path}:9: faces.keep[0]: 'nh' is not a face track {KEEP}"
    assert result.stderr.strip() == shown
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.yaml"]


@pytest.mark.ffmpeg
def test_a_kept_track_on_a_source_without_faces_says_none_was_found(
    tmp_path: Path, small: Path
) -> None:
    """A test pattern has no face: the error says so, not "expected one of: " and nothing."""
    path = write(
        tmp_path / "x.yaml",
        f"""\
version: 1
output: out
sources:
  nh: {small}
faces: {{keep: [nh/1]}}
clips:
  why:
    cuts:
      - {{source: nh, start: 1, end: 2}}
renditions:
  r: {{size: 320x180, preset: ultrafast}}
""",
    )
    result = run_cli(path)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line == (
        f"error: {path}:5: faces.keep[0]: no face track 'nh/1' "
        "(the detector found no face in the cuts of source 'nh')"
    )
    assert not (tmp_path / "out").exists()
