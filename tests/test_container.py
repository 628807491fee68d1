"""The container image really builds and really renders: scripts/podman-test.sh builds the
Dockerfile with podman and renders the demo config inside it (about 3 minutes on 2 cores)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import probe

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.ffmpeg, pytest.mark.xdist_group("container")]


def test_image_builds_and_renders_the_demo(tmp_path: Path) -> None:
    if os.geteuid() != 0 and not shutil.which("podman"):
        pytest.skip("needs podman, or root to install it (apt-get install podman buildah runc)")
    result = subprocess.run(
        ["bash", str(ROOT / "scripts/podman-test.sh"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "ok: the demo's outputs were rendered in the image" in result.stderr
    assert "again on a cluster of the image" in result.stderr
    # podman stop mid-render: exit status 143, no partial file in the mounted folder.
    assert "ok: podman stop ended a render with status 143 and left no partial file" in (
        result.stderr
    )
    manifests = sorted((tmp_path / "out").glob("*/*.manifest.json"))
    outputs = {
        manifest.parent / name: entry
        for manifest in manifests
        for name, entry in json.loads(manifest.read_text(encoding="utf-8"))["outputs"].items()
    }
    assert any(path.name.startswith("why-i-left.") for path in outputs)
    for path, entry in outputs.items():
        info = probe(path)
        assert [s["codec_type"] for s in info["streams"]][:2] == ["video", "audio"]
        assert abs(float(info["format"]["duration"]) - entry["duration_s"]) < 0.05
    first = (tmp_path / "first.txt").read_text(encoding="utf-8")
    assert f"{len(outputs)} built, 0 failed" in first
    second = (tmp_path / "second.txt").read_text(encoding="utf-8")
    assert f"0 built, {len(outputs)} up to date, 0 failed" in second
