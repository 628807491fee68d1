"""Every way a build ends (issue 15): SIGTERM and SIGHUP as Ctrl-C, SIGKILL through the
parent-death signal of its children and the next build's clean-up. End to end through the
`build-clip` command, on a slow render so that the signal lands mid-encode."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from pipeline.core import files
from tests.conftest import BUILD_CLIP
from tests.test_build_e2e import MIXED, config

ROOT = Path(__file__).resolve().parents[1]
SLOW = "1920x1080, preset: slow"


def _slow(tmp: Path, wide: Path, small: Path) -> Path:
    cfg = config(tmp, wide, small, MIXED)
    cfg.write_text(cfg.read_text().replace("640x360, preset: ultrafast", SLOW))
    return cfg


def _env(tmp: Path) -> dict[str, str]:
    """The child's own TMPDIR, to see its temp folders (and theirs only)."""
    (tmp / "tmp").mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp / "tmp")}


def _start_mid_render(cfg: Path, tmp: Path) -> subprocess.Popen[str]:
    """Start `build-clip CFG` and return once the MP4's own partial file is being encoded."""
    proc = subprocess.Popen(
        [BUILD_CLIP, str(cfg)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp),
        start_new_session=True,  # its signals are the test's alone
    )
    deadline = time.monotonic() + 30
    while not _partials(tmp) or not any(_size(p) > 0 for p in _partials(tmp)):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the render did not start"
        time.sleep(0.02)
    return proc


def _partials(tmp: Path) -> list[Path]:
    return list((tmp / "out" / "demo").glob(".demo.land.en.*.partial.mp4"))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _programs_writing(tmp: Path) -> list[str]:
    """The command lines of live processes that mention the test's folder (its ffmpeg)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")  # a zombie's is empty
        except OSError:
            continue
        if any(str(tmp).encode() in arg for arg in argv):
            found.append(" ".join(a.decode(errors="replace") for a in argv))
    return found


def _gone(tmp: Path, within_s: float) -> list[str]:
    """The programs still writing after ``within_s`` seconds (none, in a passing test)."""
    deadline = time.monotonic() + within_s
    while (left := _programs_writing(tmp)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def _temp_folders(tmp: Path) -> list[Path]:
    return list((tmp / "tmp").glob("build-clip-*"))


@pytest.mark.ffmpeg
@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_signal_mid_render_cleans_up_like_ctrl_c(
    tmp_path: Path, wide: Path, small: Path, sig: signal.Signals
) -> None:
    proc = _start_mid_render(_slow(tmp_path, wide, small), tmp_path)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err
    assert err.strip().splitlines()[-1] == f"stopped by {sig.name}: no partial output was kept"
    folder = tmp_path / "out" / "demo"
    assert not list(folder.glob("*.mp4")) and not list(folder.glob(".*partial*"))
    assert not list(folder.glob(".thumbs-*"))
    assert not _temp_folders(tmp_path)
    assert not _gone(tmp_path, 1.0)


@pytest.mark.ffmpeg
@pytest.mark.slow
def test_sigterm_while_the_engine_loads_beside_the_encode_exits_143(
    tmp_path: Path, wide: Path, small: Path
) -> None:
    """With ``verify: words`` the Whisper engine loads beside the encode; a SIGTERM then must
    not leave it to the interpreter's finalization, where CTranslate2 aborted the process
    ("terminate called without an active exception": exit 134, 139 in a container)."""
    cfg = _slow(tmp_path, wide, small)
    cfg.write_text(cfg.read_text() + "verify: words\n")
    proc = _start_mid_render(cfg, tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 143, err
    assert "terminate called" not in err
    assert err.strip().splitlines()[-1] == "stopped by SIGTERM: no partial output was kept"


@pytest.mark.ffmpeg
@pytest.mark.slow
def test_sigkill_takes_ffmpeg_along_and_the_next_build_removes_the_partial(
    tmp_path: Path, wide: Path, small: Path
) -> None:
    cfg = _slow(tmp_path, wide, small)
    proc = _start_mid_render(cfg, tmp_path)
    proc.kill()
    proc.communicate(timeout=10)
    assert not _gone(tmp_path, 2.0), "ffmpeg outlived build-clip"
    [partial] = _partials(tmp_path)  # what a killed build leaves: no code of it ran
    assert len(_temp_folders(tmp_path)) == 1
    cfg.write_text(cfg.read_text().replace(SLOW, "640x360, preset: ultrafast"))
    result = subprocess.run(
        [BUILD_CLIP, str(cfg)], capture_output=True, text=True, env=_env(tmp_path), check=False
    )
    assert result.returncode == 0, result.stderr
    assert f"removed {partial}, left by a build that was stopped" in result.stderr
    folder = tmp_path / "out" / "demo"
    assert (folder / "demo.land.en.mp4").exists()
    assert not list(folder.glob(".*partial*")) and not _temp_folders(tmp_path)


def test_remove_stale_keeps_what_a_live_build_holds(tmp_path: Path) -> None:
    left = tmp_path / ".clip.land.en.ab_cd123.partial.mp4"
    left.write_bytes(b"x")
    other = tmp_path / ".notes.partial.txt"  # not build-clip's naming
    other.write_bytes(b"x")
    stale_temp = tmp_path / "build-clip-dead0000"
    stale_temp.mkdir()
    (stale_temp / files.LOCK_NAME).write_text("123\n")
    unknown_temp = tmp_path / "build-clip-nolock00"  # not made by temp_folder: not judged
    unknown_temp.mkdir()
    with (
        files.atomic_path(tmp_path / "clip.land.en.mp4") as live,
        files.temp_folder(files.TEMP_PREFIX, tmp_path) as live_temp,
    ):
        live.write_bytes(b"being written")
        removed = files.remove_stale(tmp_path, True, files.TEMP_PREFIX)
        assert sorted(removed) == sorted([left, stale_temp])
        assert live.exists() and (live_temp / files.LOCK_NAME).exists()
    assert (tmp_path / "clip.land.en.mp4").read_bytes() == b"being written"
    assert other.exists() and unknown_temp.exists() and not live_temp.exists()


def test_every_program_is_started_through_children() -> None:
    """pipeline/core/children.py alone starts programs: each must die with build-clip."""
    starts = re.compile(r"\bsubprocess\.(run|Popen|call|check_call|check_output)\(|os\.system\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "pipeline").rglob("*.py"))
        if path.name != "children.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if starts.search(line)
    ]
    assert offenders == []
