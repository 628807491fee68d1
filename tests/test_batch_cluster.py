"""`build-clip batch --cluster`: the same jobs on a Dask LocalCluster of 2 worker processes
give the same outputs as the local pool, and errors come back into the same summary."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_batch import clip_config, table

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow, pytest.mark.xdist_group("cluster")]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    try:
        yield str(cluster.scheduler_address)
    finally:
        cluster.close()


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*.mp4"))
    }


def test_cluster_batch_matches_a_local_batch(tmp_path: Path, small: Path, scheduler: str) -> None:
    two = "  land: {size: 160x90, preset: ultrafast}\n  tall: {size: 90x160, preset: ultrafast}\n"
    local, remote = tmp_path / "local", tmp_path / "cluster"
    for folder in (local, remote):
        folder.mkdir()
        clip_config(folder, "one", small, renditions=two)
        clip_config(folder, "two", small)
        clip_config(folder, "bad", small, end='"00:00:0x"')
    by_pool = run_cli("batch", *sorted(local.glob("*.yaml")), "-j", "2")
    by_cluster = run_cli("batch", *sorted(remote.glob("*.yaml")), "--cluster", scheduler)
    assert by_pool.returncode == by_cluster.returncode == 1, by_cluster.stderr
    rows = table(by_cluster.stdout)
    assert {name: cells[2] for name, cells in rows.items()} == {
        "one.land.en.mp4": "built",
        "one.tall.en.mp4": "built",
        "two.land.en.mp4": "built",
        "bad.yaml": "failed",
    }
    assert f"error: {remote}/bad.yaml:9: clips.bad.cuts[1].end:" in by_cluster.stderr
    assert "3 built, 1 failed in" in by_cluster.stdout
    assert f"(cluster {scheduler})" in by_cluster.stdout
    assert digests(remote / "out") == digests(local / "out")  # the very same bytes
    for clip in ("one", "two"):
        manifest = json.loads((remote / f"out/{clip}/{clip}.manifest.json").read_text())
        assert all(entry["fingerprint"] for entry in manifest["outputs"].values())
    again = run_cli("batch", *sorted(remote.glob("[ot]*.yaml")), "--cluster", scheduler)
    assert again.returncode == 0, again.stderr
    assert "0 built, 3 up to date, 0 failed" in again.stdout


def test_an_unreachable_scheduler_is_one_error(tmp_path: Path, small: Path) -> None:
    pytest.importorskip("distributed")
    cfg = clip_config(tmp_path, "one", small)
    result = run_cli("batch", cfg, "--cluster", "tcp://127.0.0.1:9")
    assert result.returncode == 1
    assert result.stderr.startswith("error: tcp://127.0.0.1:9: cannot reach the Dask scheduler")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    result = run_cli("batch", cfg, "--cluster", "scheduler")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: --cluster 'scheduler': missing port number in address 'scheduler' "
        "(expected tcp://HOST:8786)"
    )
