"""`build-clip batch` and `build-clip CONFIG -j N`: the pool, the summary, failures, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.cli.batch import expand
from pipeline.core import ffmpeg
from pipeline.run.batch import Options, run_batch
from pipeline.run.pools import Done, Failure, LocalPool, call
from tests.conftest import BUILD_CLIP, probe, run_cli, write

pytestmark = [pytest.mark.ffmpeg, pytest.mark.xdist_group("batch")]

SRT = "1\n00:00:00,500 --> 00:00:01,500\nHello\n"


def clip_config(
    folder: Path,
    name: str,
    source: Path,
    *,
    clip: str | None = None,
    end: str = "2",
    renditions: str = "  land: {size: 160x90, preset: ultrafast}\n",
    output: str = "out",
) -> Path:
    """A config with one clip of two cuts from ``source``, burning English subtitles."""
    write(folder / "src.en.srt", SRT)
    return write(
        folder / f"{name}.yaml",
        f"""\
version: 1
output: {output}
sources:
  s: {{file: {source}, subtitles: {{en: src.en.srt}}}}
clips:
  {clip or name}:
    cuts:
      - {{source: s, start: 0, end: 1}}
      - {{source: s, start: 1.5, end: {end}}}
    subtitles: {{burn: en, languages: {{en: source}}}}
renditions:
{renditions}""",
    )


def table(stdout: str) -> dict[str, list[str]]:
    """Summary rows by output name (or config name for a config that failed)."""
    rows = {}
    for line in stdout.splitlines()[1:]:
        cells = line.split()
        if len(cells) >= 3 and cells[0].endswith(".yaml"):
            rows[cells[1] if cells[1] != "-" else Path(cells[0]).name] = cells
    return rows


def test_batch_builds_every_output_and_reports_a_broken_config(tmp_path: Path, small: Path) -> None:
    two = "  land: {size: 160x90, preset: ultrafast}\n  tall: {size: 90x160, preset: ultrafast}\n"
    clip_config(tmp_path, "one", small, renditions=two)
    clip_config(tmp_path, "two", small)
    clip_config(tmp_path, "bad", small, end='"00:00:0x"')
    result = run_cli("batch", tmp_path / "*.yaml", "-j", "2")
    assert result.returncode == 1, result.stderr
    out = tmp_path / "out"
    built = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.mp4"))
    assert built == ["one/one.land.en.mp4", "one/one.tall.en.mp4", "two/two.land.en.mp4"]
    assert abs(float(probe(out / "two/two.land.en.mp4")["format"]["duration"]) - 1.5) < 0.05
    rows = table(result.stdout)
    assert [rows[n][2] for n in ("one.land.en.mp4", "one.tall.en.mp4", "two.land.en.mp4")] == [
        "built"
    ] * 3
    bad = rows["bad.yaml"]
    assert bad[2] == "failed" and "bad.yaml:9: clips.bad.cuts[1].end:" in " ".join(bad)
    assert "3 built, 1 failed in" in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith(f"error: {tmp_path}/bad.yaml:9: ")
    assert not list(out.rglob("*partial*"))


def test_batch_records_each_clips_lint_warnings_in_its_manifest(
    tmp_path: Path, small: Path
) -> None:
    """Issue 14: the warnings of the lint gate are in the manifest, for the review page; a
    run that lints nothing (all up to date) keeps them."""
    cfg = clip_config(tmp_path, "warned", small)
    write(tmp_path / "src.en.srt", SRT.replace("Hello", "<b>Hello</b>"))
    result = run_cli("batch", cfg)
    assert result.returncode == 0, result.stderr
    manifest = tmp_path / "out/warned/warned.manifest.json"
    check = json.loads(run_cli("check", "--format", "json", cfg).stdout)["findings"]
    expected = [
        {
            "rule": f["rule"],
            "severity": f["severity"],
            "lang": f["lang"],
            "where": f"{f['path']}:{f['line']}",
            "message": f["message"],
        }
        for f in check
    ]
    assert {(f["rule"], f["where"]) for f in expected} == {
        ("markup", f"{tmp_path / 'src.en.srt'}:2"),
        ("duration", f"{tmp_path / 'src.en.srt'}:2"),
    }
    assert json.loads(manifest.read_text(encoding="utf-8"))["lint"] == expected
    page = (tmp_path / "out/warned/review.html").read_text(encoding="utf-8")
    assert "dropped &lt;b&gt; markup from 1 cue" in page
    again = run_cli("batch", cfg)
    assert again.returncode == 0 and "up to date" in again.stdout, again.stdout
    assert json.loads(manifest.read_text(encoding="utf-8"))["lint"] == expected


def test_a_failed_render_does_not_stop_the_others(tmp_path: Path, small: Path) -> None:
    fake = write(
        tmp_path / "ffmpeg",
        '#!/bin/sh\ncase "$*" in *boom*) echo "Conversion failed: boom" >&2; exit 1;; esac\n'
        'exec ffmpeg "$@"\n',
    )
    fake.chmod(0o755)
    clip_config(tmp_path, "boom", small)
    clip_config(tmp_path, "fine", small)
    env = {**os.environ, "FFMPEG_PATH": str(fake)}
    configs = [str(tmp_path / "boom.yaml"), str(tmp_path / "fine.yaml")]
    result = subprocess.run(
        [BUILD_CLIP, "batch", *configs, "-j", "1"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 1
    rows = table(result.stdout)
    assert rows["fine.land.en.mp4"][2] == "built"
    assert rows["boom.land.en.mp4"][2] == "failed"
    assert "ffmpeg failed (exit 1): Conversion failed: boom" in " ".join(rows["boom.land.en.mp4"])
    assert (tmp_path / "out/fine/fine.land.en.mp4").is_file()
    assert [p.name for p in (tmp_path / "out/boom").iterdir() if "mp4" in p.name] == []
    # The failure is not recorded as built: the next run (with a working ffmpeg) builds it.
    again = run_cli("batch", *configs)
    assert again.returncode == 0, again.stderr
    rows = table(again.stdout)
    assert rows["boom.land.en.mp4"][2] == "built"
    assert " ".join(rows["boom.land.en.mp4"]).endswith("not built yet")
    assert rows["fine.land.en.mp4"][2:5] == ["up", "to", "date"]


def test_a_lint_error_fails_its_config_as_it_stops_a_build(tmp_path: Path, small: Path) -> None:
    write(
        tmp_path / "clip.ar.srt",
        "1\n00:00:00,500 --> 00:00:01,000\nIn\n\n2\n00:00:05,000 --> 00:00:06,000\nOut\n",
    )
    cfg = clip_config(tmp_path, "lint", small)
    cfg.write_text(
        cfg.read_text().replace(
            "burn: en, languages: {en: source}", "burn: ar, languages: {ar: clip.ar.srt}"
        )
    )
    clip_config(tmp_path, "fine", small)
    expected = (
        f"{tmp_path}/clip.ar.srt:6: [ar] starts at 00:00:05.000, after the clip ends at "
        "00:00:01.500 (expected cues within the clip)"
    )
    single = run_cli(cfg)
    assert (single.returncode, single.stderr.strip()) == (2, f"error: {expected}")
    result = run_cli("batch", tmp_path / "*.yaml")
    assert result.returncode == 1
    rows = table(result.stdout)
    assert rows["lint.yaml"][2] == "failed" and " ".join(rows["lint.yaml"][3:]) == expected
    assert rows["fine.land.en.mp4"][2] == "built"
    assert not (tmp_path / "out/lint").exists()


def test_build_config_with_jobs_uses_the_pool(tmp_path: Path, small: Path) -> None:
    two = "  land: {size: 160x90, preset: ultrafast}\n  tall: {size: 90x160, preset: ultrafast}\n"
    cfg = clip_config(tmp_path, "demo", small, renditions=two)
    result = run_cli(cfg, "-j", "2")
    assert result.returncode == 0, result.stderr
    assert f"built 2 video(s), 0 up to date, in {tmp_path}/out/demo" in result.stdout
    assert sorted(p.name for p in (tmp_path / "out/demo").glob("*.mp4")) == [
        "demo.land.en.mp4",
        "demo.tall.en.mp4",
    ]


def test_two_configs_writing_one_clip_folder_fail_one(tmp_path: Path, small: Path) -> None:
    first = clip_config(tmp_path, "first", small, clip="same")
    second = clip_config(tmp_path, "second", small, clip="same")
    result = run_cli("batch", first, second)
    assert result.returncode == 1
    rows = [line.split() for line in result.stdout.splitlines() if "same.land.en.mp4" in line]
    # Whichever is planned first writes the clip; the other is refused, naming it.
    statuses = {Path(r[0]).name: r[2] for r in rows}
    assert sorted(statuses.values()) == ["built", "failed"]
    winner = first if statuses["first.yaml"] == "built" else second
    assert f"same.land.en.mp4: also written by {winner}" in result.stderr
    assert len(list((tmp_path / "out").rglob("*.mp4"))) == 1


def test_bad_usage_is_exit_2(tmp_path: Path) -> None:
    result = run_cli("batch", tmp_path / "nothing-*.yaml")
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: no config matches '{tmp_path}/nothing-*.yaml'"
    result = run_cli("batch", "x.yaml", "-j", "0")
    assert result.returncode == 2
    assert "'0' is not a number of jobs (expected 1 or more)" in result.stderr


def test_interrupt_stops_the_batch_with_no_partial_file(tmp_path: Path, wide: Path) -> None:
    slow = "  big: {size: 1920x1080, preset: veryslow}\n"
    for name in ("a", "b", "c"):
        clip_config(tmp_path, name, wide, end="8", renditions=slow)
    proc = subprocess.Popen(
        [BUILD_CLIP, "batch", *sorted(map(str, tmp_path.glob("*.yaml"))), "-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list(tmp_path.rglob(".*partial*"))) < 2:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted: no partial output was kept" in err
    assert not list(tmp_path.rglob("*partial*")) and not list(tmp_path.rglob("*.mp4"))


def test_stopping_pool_kills_an_ffmpeg_that_reports_nothing(tmp_path: Path) -> None:
    """A render whose ffmpeg says nothing for a long time (here: it waits for input that
    never comes) is stopped by killing its ffmpeg, not left to the next progress report."""
    fifo = tmp_path / "never.wav"
    os.mkfifo(fifo)  # opening it for reading blocks until a writer comes: none will
    out = tmp_path / "out.wav"
    command = ffmpeg.FfmpegCommand(("-y", "-i", str(fifo), str(out)), out, 1000)
    pool = LocalPool(1)
    started = threading.Event()

    def progress(fraction: float) -> None:
        started.set()

    try:
        pool.submit(call, ffmpeg.run, (command, pool.progress(progress)))
        assert started.wait(10)  # its first report (0, before ffmpeg starts)
        time.sleep(0.5)  # ffmpeg is running, blocked on the FIFO
        before = time.monotonic()
        pool.stop(grace_s=1, render_grace_s=60)
        assert time.monotonic() - before < 30  # not the 60 s grace for renders
        _, result = pool.wait()
        assert isinstance(result, Failure)
        assert not pool._busy
        assert not ffmpeg._running
    finally:
        ffmpeg.kill_runs(list(ffmpeg._running))  # none, unless this test failed
        pool.close()


def test_pool_runs_tasks_side_by_side_and_no_more() -> None:
    pool = LocalPool(2)
    both = threading.Barrier(2, timeout=5)
    lock, running, peak = threading.Lock(), [0], [0]

    def task(n: int) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        if n < 2:
            both.wait()  # returns only if two tasks run at the same time
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return n

    try:
        tickets = {pool.submit(call, task, (n,)): n for n in range(5)}
        results = dict(pool.wait() for _ in range(5))
    finally:
        pool.close()
    assert {tickets[t]: r.value for t, r in results.items() if isinstance(r, Done)} == {
        n: n for n in range(5)
    }
    assert peak[0] == 2


def test_stop_waits_for_a_render_to_give_up_and_clean_up() -> None:
    pool = LocalPool(1)
    cleaned = threading.Event()

    def render(on_progress: Callable[[float], None]) -> None:
        try:
            while True:
                on_progress(0.5)
                time.sleep(0.01)
        finally:
            time.sleep(0.3)  # removing the temp file, killing ffmpeg
            cleaned.set()

    try:
        pool.submit(call, render, (pool.progress(lambda _: None),))
        time.sleep(0.1)
        pool.stop(grace_s=0.0)
        assert cleaned.is_set()
        assert pool.wait()[1] == Failure(("stopped",))
    finally:
        pool.close()


def test_a_bug_in_a_task_is_a_failure_with_its_traceback() -> None:
    def broken() -> None:
        raise ZeroDivisionError("division by zero")

    result = call(broken, ())
    assert isinstance(result, Failure)
    assert result.lines == ("internal error: ZeroDivisionError: division by zero",)
    assert "Traceback" in result.trace


def test_missing_config_is_a_row_not_a_crash(tmp_path: Path) -> None:
    summary = run_batch([tmp_path / "gone.yaml"], Options(), LocalPool(1))
    assert [(r.status, r.detail) for r in summary.rows] == [
        ("failed", f"{tmp_path}/gone.yaml: no such file (expected a YAML config file)")
    ]


def test_globs_are_expanded_once_each(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        write(tmp_path / name, "")
    configs, empty = expand([str(tmp_path / "*.yaml"), str(tmp_path / "a.yaml"), "none-*.yml"])
    assert configs == [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    assert empty == ["none-*.yml"]
