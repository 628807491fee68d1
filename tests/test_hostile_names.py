"""Hostile file names: sources, subtitle files, the output folder and the temp folder.

Each hostile character names one source and its subtitle file; every clip burns its
subtitles, the output folder carries all the characters at once, and so does $TMPDIR -- so
the ASS file that libass reads goes through the filtergraph escaping for real. One
`build-clip` run renders them all.

The logo file and its folder carry all the characters too.
"""

from __future__ import annotations

import ast
import json
import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config.load import load
from pipeline.core.errors import ConfigError
from tests.conftest import BUILD_CLIP, frame_at, need_ffmpeg
from tests.media import Sync, ffmpeg, once, probe, sha256, sync_source

pytestmark = [pytest.mark.ffmpeg, pytest.mark.xdist_group("hostile")]

# Each name holds one hostile character (the dash leads its name, as an option would).
NAMES = {
    "space": "a b",
    "quote": "a'b",
    "double-quote": 'a"b',
    "colon": "a:b",
    "comma": "a,b",
    "semicolon": "a;b",
    "brackets": "a[b]c",
    "percent": "a%b%d",
    "equals": "a=b",
    "leading-dash": "-ab",
    "backslash": "a\\b",
    "arabic": "مقابلة",
    "emoji": "a😀b",
}
ALL = " '\",:;[x]%=\\مرحبا😀"
OUTPUT = f"-out {ALL}"
LOGO = f"logo {ALL}/-logo {ALL}.png"
SIZE = (320, 180)
SRT = "1\n00:00:00,200 --> 00:00:01,200\nHELLO\n"
CUT = (0.0, 2.0)


def clip_name(key: str) -> str:
    return f"c-{key}"


@dataclass(frozen=True)
class Built:
    """The project folder named with every hostile character, and how its build went."""

    root: Path
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Built:
    need_ffmpeg()
    folder = once(tmp_path_factory, "hostile", build_hostile)
    return Built(
        folder / f"-project {ALL}",
        int((folder / "rc").read_text()),
        (folder / "stdout").read_text(encoding="utf-8"),
        (folder / "stderr").read_text(encoding="utf-8"),
    )


def build_hostile(folder: Path) -> None:
    """One source per hostile name, in a folder named with all of them; built once."""
    root = folder / f"-project {ALL}"
    root.mkdir()
    black = sync_source(folder / "black.mp4", Sync(seconds=2.5, flashes=()))
    (root / LOGO).parent.mkdir()
    ffmpeg("-f", "lavfi", "-i", "color=c=white:s=64x64", "-frames:v", "1", root / LOGO)
    sources, clips = {}, {}
    for key, name in NAMES.items():
        (root / f"{name}.mp4").write_bytes(black.read_bytes())
        (root / f"{name}.en.srt").write_text(SRT, encoding="utf-8")
        sid = key.replace("-", "_")
        sources[sid] = {"file": f"{name}.mp4", "subtitles": {"en": f"{name}.en.srt"}}
        clips[clip_name(key)] = {
            "cuts": [{"source": sid, "start": CUT[0], "end": CUT[1]}],
            "subtitles": {"burn": "en", "languages": {"en": "source"}},
        }
    config = {
        "version": 1,
        "output": OUTPUT,
        "sources": sources,
        "clips": clips,
        "renditions": {"r": {"size": f"{SIZE[0]}x{SIZE[1]}", "preset": "ultrafast"}},
        "style": {"size": 0.15},  # big letters, easy to see in a small frame
        "branding": {"logo": {"file": f"{LOGO}", "position": "top-right", "opacity": 1}},
    }
    path = root / f"-{ALL}.yaml"
    path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp = root / f"tmp {ALL}"
    tmp.mkdir()
    before = {p.name: sha256(p) for p in root.iterdir() if p.is_file()}
    result = subprocess.run(
        [BUILD_CLIP, "-j", "2", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=folder,
        env={**os.environ, "TMPDIR": str(tmp)},
    )
    assert {p.name: sha256(p) for p in root.iterdir() if p.is_file()} == before
    assert list(tmp.iterdir()) == []  # temp files cleaned up
    (folder / "rc").write_text(str(result.returncode))
    (folder / "stdout").write_text(result.stdout, encoding="utf-8")
    (folder / "stderr").write_text(result.stderr, encoding="utf-8")


def test_build_succeeds(hostile: Built) -> None:
    assert hostile.returncode == 0, hostile.stderr
    assert "Traceback" not in hostile.stderr


@pytest.mark.parametrize("key", list(NAMES))
def test_hostile_name_renders_with_its_subtitles(hostile: Built, key: str) -> None:
    folder = hostile.root / OUTPUT / clip_name(key)
    out = folder / f"{clip_name(key)}.r.en.mp4"
    info = probe(out)
    assert abs(float(info["format"]["duration"]) - (CUT[1] - CUT[0])) <= 1 / 25
    # The burned cue shows from 0.2 to 1.2 s: white letters on the black picture.
    band = slice(SIZE[0] * SIZE[1] // 2, SIZE[0] * SIZE[1])  # the lower half
    cue, after = frame_at(out, 0.7), frame_at(out, 1.6)
    lit = sum(1 for px in cue[band] if px > 160)
    dark = sum(1 for px in after[band] if px > 160)
    assert lit > 100 and dark == 0, (lit, dark)
    # The logo (white, top right) shows all along.
    w = SIZE[0]
    upper_right = [px for y in range(SIZE[1] // 2) for px in after[y * w + w // 2 : (y + 1) * w]]
    assert sum(1 for px in upper_right if px > 160) > 200
    assert (folder / f"{clip_name(key)}.en.srt").read_text(encoding="utf-8") == SRT + "\n"


def test_summary_names_the_output_folder_exactly(
    hostile: Built,
) -> None:
    assert f"{OUTPUT}/{clip_name('brackets')}" in hostile.stdout.replace("\n", "")


def test_dry_run_commands_can_be_pasted_into_a_shell(
    hostile: Built,
) -> None:
    root = hostile.root
    config = next(root.glob("*.yaml"))
    result = subprocess.run(
        [BUILD_CLIP, "--dry-run", "--force", "--clip", clip_name("quote"), str(config)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "100000"},
    )
    assert result.returncode == 0, result.stderr
    command = next(ln for ln in result.stdout.splitlines() if "-filter_complex" in ln)
    argv = shlex.split(command)
    assert f"file:{root}/{NAMES['quote']}.mp4" in argv


# --- security: no shell, outputs confined to the output folder, a non-root container

ROOT = Path(__file__).resolve().parents[1]
SHELL_CALLS = {("os", "system"), ("os", "popen"), ("subprocess", "getoutput")}
SHELL_CALLS |= {("subprocess", "getstatusoutput"), ("os", "execl"), ("os", "spawnl")}


def test_no_shell_anywhere() -> None:
    """No ``shell=True``, ``os.system`` or the like in the package: argv lists only."""
    found = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and (func.value.id, func.attr) in SHELL_CALLS
            ):
                found.append(f"{path.name}:{node.lineno}: {func.value.id}.{func.attr}")
            found += [
                f"{path.name}:{node.lineno}: shell=True"
                for kw in node.keywords
                if kw.arg == "shell"
                and not (isinstance(kw.value, ast.Constant) and not kw.value.value)
            ]
    assert found == []


def test_the_container_runs_as_a_non_root_user() -> None:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    users = [ln.split()[1] for ln in lines if ln.strip().upper().startswith("USER ")]
    assert users and users[-1] not in ("root", "0", "0:0")


NAMES_TO_TRY = st.lists(
    st.sampled_from([*"aZ09-_./\\ :", "..", "%2e", "\u202e", "\0"]), min_size=1, max_size=8
).map("".join)


@settings(max_examples=200, deadline=None)
@given(clip=NAMES_TO_TRY, rendition=NAMES_TO_TRY, lang=NAMES_TO_TRY)
def test_outputs_stay_in_the_output_folder(clip: str, rendition: str, lang: str) -> None:
    """Whatever the names, a config that loads writes only inside its output folder."""
    doc = {
        "version": 1,
        "output": "out",
        "sources": {"s": {"file": "a.mp4", "subtitles": {lang: "a.srt"}}},
        "clips": {clip: {"cuts": [{"source": "s", "start": 0, "end": 1}],
                         "subtitles": {"burn": lang, "languages": {lang: "source"}}}},
        "renditions": {rendition: {"size": "64x36"}},
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.yaml"
        path.write_text(json.dumps(doc), encoding="utf-8")
        try:
            project = load(path).project
        except ConfigError:
            return
        out = project.output.resolve()
        for name in project.clips:
            for rname in project.renditions:
                for target in (f"{name}.{rname}.{lang}.mp4", f"{name}.{lang}.srt"):
                    written = (project.output / name / target).resolve()
                    assert written.parent.parent == out, written
