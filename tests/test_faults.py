"""Faults from outside: ffmpeg killed, the disk full, Ctrl-C, one bad config in a batch.

Each must end with a clear error (exit 1, or 130 for Ctrl-C), no partial file, no broken
cache entry, the sources untouched, and the next run must succeed.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BUILD_CLIP, make_media, need_ffmpeg, run_cli, write
from tests.media import ffmpeg, probe, tree_hashes

pytestmark = [pytest.mark.ffmpeg, pytest.mark.xdist_group("faults")]

CONFIG = """\
version: 1
output: out
sources:
  s: {source}
clips:
  c:
    cuts:
      - {{source: s, start: 0.2, end: 3.8}}
renditions:
  r: {{size: {size}, preset: {preset}}}
"""


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_ffmpeg()
    return make_media(tmp_path_factory.mktemp("faults") / "source.mp4", seconds=4)


def project(folder: Path, source: Path, size: str = "640x360", preset: str = "medium") -> Path:
    return write(folder / "c.yaml", CONFIG.format(source=source, size=size, preset=preset))


def leftovers(folder: Path) -> list[str]:
    """Every MP4 or partial file under ``folder``."""
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and (p.suffix == ".mp4" or "partial" in p.name)
    )


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def wait_for(
    what: Callable[[], int | None], proc: subprocess.Popen[str], seconds: float = 60
) -> int:
    """Poll ``what`` until it gives a value; fail if ``proc`` ends first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found is not None:
            return found
        if proc.poll() is not None:
            pytest.fail(f"ended before the fault could be made: {proc.communicate()}")
        time.sleep(0.01)
    proc.kill()
    pytest.fail("timed out waiting")


def render_ffmpeg(pid: int) -> int | None:
    """The pid of the rendering ffmpeg started by ``pid``, once it is running."""
    for child in children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmdline and cmdline[0].endswith(b"ffmpeg") and b"-filter_complex" in cmdline:
            return child
    return None


def one_error(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.startswith("error: ")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_ffmpeg_killed_mid_render(tmp_path: Path, source: Path) -> None:
    # A large, slow encode: on an idle machine a small one ends before it can be killed.
    config = project(tmp_path, source, size="1920x1080", preset="slower")
    before = tree_hashes(source.parent)
    proc = subprocess.Popen(
        [BUILD_CLIP, str(config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    while True:  # the loudness pass may end between finding it and killing it: try the next
        child = wait_for(lambda: render_ffmpeg(proc.pid), proc)
        time.sleep(0.3)  # let it write some of the output
        try:
            os.kill(child, signal.SIGKILL)
            break
        except ProcessLookupError:
            continue
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    output = tmp_path / "out" / "c" / "c.r.nosubs.mp4"
    assert one_error(err) == (
        f"error: {output}: ffmpeg was stopped by SIGKILL: killed from outside, or by the system "
        "when memory ran out"
    )
    assert leftovers(tmp_path) == []
    assert tree_hashes(source.parent) == before
    again = run_cli(config)
    assert again.returncode == 0, again.stderr
    assert abs(float(probe(output)["format"]["duration"]) - 3.6) <= 0.04
    assert probe(output)["streams"][0]["width"] == 1920


def limit_file_size(size: int) -> Callable[[], None]:
    def preexec() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return preexec


def test_file_size_limit_reached(tmp_path: Path, source: Path) -> None:
    config = project(tmp_path, source, preset="ultrafast")
    result = subprocess.run(
        [BUILD_CLIP, str(config)],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=limit_file_size(40_000),
    )
    assert result.returncode == 1, result.stderr
    output = tmp_path / "out" / "c" / "c.r.nosubs.mp4"
    assert one_error(result.stderr) == (
        f"error: {output}: ffmpeg was stopped by SIGXFSZ: the file size limit was reached "
        "(ulimit -f)"
    )
    assert leftovers(tmp_path) == []
    assert run_cli(config).returncode == 0


def test_disk_full(tmp_path: Path, source: Path) -> None:
    """The output folder on a 100 KB tmpfs, mounted in a private mount namespace."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("mounting a small tmpfs needs root and unshare(1)")
    config = project(tmp_path, source, preset="ultrafast")
    (tmp_path / "out").mkdir()
    script = 'mount -t tmpfs -o size=100k tmpfs "$1" && shift && "$@"; echo "rc=$?"; ls -aR "$1"'
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(tmp_path / "out"), BUILD_CLIP, str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    if "rc=" not in result.stdout:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    assert "rc=1" in result.stdout, result.stdout + result.stderr
    line = one_error(result.stderr)
    assert line.startswith(f"error: {tmp_path}/out/c/c.r.nosubs.mp4: ffmpeg failed (exit 1): ")
    assert line.endswith("No space left on device")
    listing = result.stdout.split("rc=1", 1)[1]
    assert ".mp4" not in listing and "partial" not in listing  # seen inside the namespace


def test_ctrl_c_during_render(tmp_path: Path, source: Path) -> None:
    """Ctrl-C reaches the whole process group, ffmpeg included, as a terminal sends it."""
    config = project(tmp_path, source)
    proc = subprocess.Popen(
        [BUILD_CLIP, str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    wait_for(lambda: render_ffmpeg(proc.pid), proc)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert leftovers(tmp_path) == []
    again = run_cli(config)
    assert again.returncode == 0, again.stderr


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About a minute of synthetic speech (flite), as a WAV file."""
    need_ffmpeg()
    path = tmp_path_factory.mktemp("speech") / "speech.wav"
    text = (
        "I grew up in a small town where there was no work and nothing to do after school. "
        "They promised us dignity and purpose, but it was all lies. "
    ) * 5
    ffmpeg("-f", "lavfi", "-i", f"flite=text='{text}':voice=slt", "-ar", "16000", path)
    return path


@pytest.mark.slow
def test_ctrl_c_during_transcription(tmp_path: Path, speech: Path) -> None:
    from pipeline.core.stamps import cache_root

    cache = tmp_path / "cache"
    models = cache_root() / "models"  # share the assembled model, not the transcripts
    models.mkdir(parents=True, exist_ok=True)
    cache.mkdir()
    (cache / "models").symlink_to(models)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [BUILD_CLIP, "transcribe", str(speech), "-o", str(out), "--language", "en"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "BUILD_CLIP_CACHE": str(cache)},
    )

    def transcribing() -> int | None:
        return 1 if any((cache / "locks").glob("*.lock")) else None

    wait_for(transcribing, proc, seconds=120)
    time.sleep(2.0)  # decoding: the model is loaded and the audio read
    assert proc.poll() is None, "the transcription ended before Ctrl-C"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    entries = [p for p in cache.rglob("*") if p.is_file() and "locks" not in p.parts]
    assert [p for p in entries if "transcripts" in p.parts or "partial" in p.name] == []
    assert not out.exists() or list(out.iterdir()) == []


def test_one_failing_config_does_not_stop_a_batch(tmp_path: Path, source: Path) -> None:
    if run_cli("batch", "--help").returncode != 0:
        pytest.skip("build-clip batch is not there yet")
    good = [project(tmp_path / name, source, "160x90", "ultrafast") for name in ("a", "b")]
    broken = write(tmp_path / "broken" / "c.yaml", CONFIG.format(
        source=source, size="160x90", preset="ultrafast"
    ).replace("end: 3.8", "end: 9"))  # fmt: skip
    result = run_cli("batch", good[0], broken, good[1], "-j", "2")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for config in good:
        assert (config.parent / "out" / "c" / "c.r.nosubs.mp4").is_file()
    assert not (tmp_path / "broken" / "out").exists()
    assert f"error: {broken}:8: clips.c.cuts[0].end: 9 is past the end" in result.stderr


def test_ctrl_c_after_the_encode_keeps_no_output(
    tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C that lands after ffmpeg finished but before the rename (while the output is
    scanned for privacy) still leaves nothing: the render checks once more before renaming."""
    from pipeline.config.load import load
    from pipeline.prepare.plan import plan_build
    from pipeline.run import build
    from pipeline.run.pools import Stopped

    plan = plan_build(load(project(tmp_path, source, preset="ultrafast")))
    (job,) = plan.clips[0].jobs
    stopping = False
    scanned = build.check_privacy

    def scan_then_ctrl_c(job: build.Job, path: Path) -> build.Measured:
        nonlocal stopping
        measured = scanned(job, path)
        stopping = True  # the pool is told to stop while the finished file is checked
        return measured

    def progress(fraction: float) -> None:
        if stopping:
            raise Stopped

    monkeypatch.setattr(build, "check_privacy", scan_then_ctrl_c)
    with pytest.raises(Stopped):
        build.render_job(job, plan, progress)
    assert leftovers(tmp_path) == []
    build.render_job(job, plan, None)  # nothing in the way of the next run
    assert leftovers(tmp_path) == ["out/c/c.r.nosubs.mp4"]
