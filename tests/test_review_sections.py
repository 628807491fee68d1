"""The review page's optional sections: "not recorded" for a missing entry, and only for it
(issue 14). Pages written from hand-made manifests; no media, no ffmpeg."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.publish.manifest_record import SCHEMA_VERSION, Manifest
from pipeline.publish.review import write_index, write_review

KEYS = ("lint", "redactions", "loudness", "privacy", "verification")


def full_manifest() -> dict[str, Any]:
    """A manifest that records every section: two outputs (not on disk), two cuts."""
    span = {"start": "00:00:01.000", "end": "00:00:02.000", "start_ms": 1000, "end_ms": 2000}
    cut = {"source": "a", "source_span": span, "clip_span": span, "frames": 25, "words": []}
    output = {
        "rendition": "land",
        "burned": "nosubs",
        "sha256": "ab" * 32,
        "loudness": {"integrated_lufs": -16.2, "true_peak_dbtp": -1.7, "target_lufs": -16.0},
        "privacy": {"ok": True, "findings": []},
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "clip": "demo",
        "duration_s": 1.0,
        "cuts": [
            cut | {"verification": {"matches": True, "checked_words": 7}},
            cut | {"verification": {"matches": False, "checked_words": 3}},
        ],
        "lint": [
            {
                "rule": "line-length",
                "severity": "warning",
                "lang": "bs",
                "where": "demo.bs.srt:3",
                "message": "49 characters on one line (expected at most 42)",
            }
        ],
        "redactions": [],
        "outputs": {"demo.land.mp4": output, "demo.land.en.mp4": copy.deepcopy(output)},
    }


def drop(key: str) -> Callable[[dict[str, Any]], None]:
    """Remove one section's entry, where the build writes it."""

    def remove(manifest: dict[str, Any]) -> None:
        parts = {"loudness": "outputs", "privacy": "outputs", "verification": "cuts"}
        if key not in parts:
            del manifest[key]
            return
        records = manifest[parts[key]]
        for record in records.values() if isinstance(records, dict) else records:
            del record[key]

    return remove


def section_of(page: str, key: str) -> str:
    return page.split(f'<section id="{key}">', 1)[1].split("</section>", 1)[0]


def page_of(tmp_path: Path, manifest: dict[str, Any]) -> str:
    folder = tmp_path / "out" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    record = Manifest.from_json(manifest)
    assert record is not None, manifest
    return write_review(folder, record).read_text(encoding="utf-8")


def test_every_section_recorded_shows_its_values(tmp_path: Path) -> None:
    page = page_of(tmp_path, full_manifest())
    assert "not recorded" not in page.lower()
    assert "49 characters on one line (expected at most 42)" in section_of(page, "lint")
    assert "demo.bs.srt:3" in section_of(page, "lint")
    assert section_of(page, "redactions").endswith('<p class="ok">None.</p>')
    loudness = section_of(page, "loudness")
    assert loudness.count("-16.2") == 2 and loudness.count("-1.7") == 2
    assert ">demo.land.en.mp4<" in loudness and ">demo.land.en.mp4<" in section_of(page, "privacy")
    verification = section_of(page, "verification")
    assert verification.count(">checked_words<") == 2 and ">7<" in verification
    assert ">no<" in verification  # cut 2 does not match


@pytest.mark.parametrize("key", KEYS)
def test_a_missing_section_alone_says_not_recorded(tmp_path: Path, key: str) -> None:
    manifest = full_manifest()
    drop(key)(manifest)
    page = page_of(tmp_path, manifest)
    assert "not recorded" in section_of(page, key).lower()
    for other in KEYS:
        if other != key:
            assert "not recorded" not in section_of(page, other).lower(), other


def test_an_output_not_built_says_so_and_the_rest_show(tmp_path: Path) -> None:
    manifest = full_manifest()
    manifest["outputs"]["demo.land.en.mp4"] |= {"sha256": None, "loudness": None, "privacy": None}
    page = page_of(tmp_path, manifest)
    for key in ("loudness", "privacy"):
        section = section_of(page, key)
        assert section.count("not recorded: this output was not built") == 1, key
        assert ">demo.land.mp4<" in section
    assert "-16.2" in section_of(page, "loudness")


def test_index_summarises_each_outputs_privacy_scan(tmp_path: Path) -> None:
    manifest = full_manifest()
    page_of(tmp_path, manifest)
    folder = tmp_path / "out" / "demo"

    def privacy_cell(m: dict[str, Any]) -> str:
        (folder / "demo.manifest.json").write_text(json.dumps(m), encoding="utf-8")
        index = write_index(folder.parent).read_text(encoding="utf-8")
        return index.split("<tbody>", 1)[1].split("</tr>", 1)[0].rsplit("<td", 1)[1]

    assert ">clean<" in privacy_cell(manifest)
    manifest["outputs"]["demo.land.en.mp4"]["privacy"] = {"ok": False, "findings": ["gps"]}
    assert ">FOUND<" in privacy_cell(manifest)
    drop("privacy")(manifest)
    assert ">not recorded<" in privacy_cell(manifest)
