"""The typed manifest (issue 16): its JSON read back is the same record, a file that is not a
manifest of this schema reads as None, and the review page shows what the record holds.
No media, no ffmpeg."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from pipeline.publish.manifest_record import SCHEMA_VERSION, Manifest, read_manifest_file
from pipeline.publish.output_record import Loudness, Measured, OutputRecord, Privacy
from pipeline.publish.records import (
    CutRecord,
    LanguageRecord,
    LintRecord,
    RedactionRecord,
    SourceRecord,
    SpanRecord,
    WordRecord,
)
from pipeline.publish.review import write_index, write_review

SPAN = SpanRecord("00:00:01.000", "00:00:02.000", 1000, 2000)


def a_manifest() -> Manifest:
    """A manifest with every entry recorded, as a build writes it."""
    cut = CutRecord(
        source="interview",
        written={"start": "00:00:01.000", "end": "00:00:02.000"},
        requested=SPAN,
        source_span=SPAN,
        snapped=False,
        clip_span=SpanRecord("00:00:00.000", "00:00:01.000", 0, 1000),
        frames=25,
        clip_frames=(0, 24),
        quote=None,
        words=(WordRecord("It", 1000, 1300), WordRecord("was", 1300, 1600)),
        text="It was",
        context_before="",
        context_after="lies.",
        verification={"status": "ok", "problems": []},
    )
    output = OutputRecord(
        rendition="land",
        burned="nosubs",
        size=(640, 360),
        fps="25/1",
        duration_s=1.0,
        sha256="ab" * 32,
        fingerprint="cd" * 32,
        inputs={"tool": "0.1.0", "sources": {"interview": "ef" * 32}},
        loudness=Loudness({"integrated_lufs": -16.2, "true_peak_dbtp": -1.7}, -16.0),
        privacy=Privacy.of([]),
    )
    return Manifest(
        clip="demo",
        tool={"name": "build-clip", "version": "0.1.0"},
        config="/work/clip.yaml",
        duration_s=1.0,
        sources={"interview": SourceRecord("/media/interview.mp4", "ef" * 32, 120_000)},
        cuts=(cut,),
        languages={"en": LanguageRecord("source", 3)},
        redactions=(RedactionRecord(SPAN, "bleep", None), RedactionRecord(SPAN, None, (0.25,) * 4)),
        lint=(LintRecord("gap", "warning", "en", "demo.en.srt:3", "a gap of 0.1 s"),),
        outputs={"demo.land.nosubs.mp4": output, "demo.land.en.mp4": OutputRecord("land", "en")},
    )


def test_round_trip_through_json() -> None:
    manifest = a_manifest()
    data = json.loads(manifest.text())
    assert data["schema_version"] == SCHEMA_VERSION
    again = Manifest.from_json(data)
    assert again == manifest
    assert again is not None and json.loads(again.text()) == data


def test_the_json_keeps_the_fields_of_the_manifest() -> None:
    """The keys and values users and tests read (the manifest before it was typed)."""
    data = a_manifest().to_json()
    assert list(data) == [
        "schema_version", "tool", "clip", "config", "duration_s", "sources", "cuts",
        "languages", "redactions", "lint", "outputs",
    ]  # fmt: skip
    built = data["outputs"]["demo.land.nosubs.mp4"]
    assert built["loudness"] == {
        "integrated_lufs": -16.2,
        "true_peak_dbtp": -1.7,
        "target_lufs": -16.0,
    }
    assert built["privacy"] == {"ok": True, "findings": []}
    assert built["size"] == [640, 360] and built["fps"] == "25/1"
    unbuilt = data["outputs"]["demo.land.en.mp4"]
    assert (unbuilt["sha256"], unbuilt["inputs"], unbuilt["loudness"]) == (None, None, None)
    cut = data["cuts"][0]
    assert cut["words"][0] == {"text": "It", "start_ms": 1000, "end_ms": 1300}
    assert cut["written"] == {"start": "00:00:01.000", "end": "00:00:02.000"}
    assert cut["clip_frames"] == [0, 24] and cut["verification"]["status"] == "ok"
    assert data["redactions"][1] == {"clip_span": SPAN.to_json(), "audio": None, "blur": [0.25] * 4}
    assert data["languages"] == {"en": {"from": "source", "cues": 3}}


def test_never_linted_has_no_lint_entry() -> None:
    manifest = Manifest(clip="demo", redactions=())
    data = manifest.to_json()
    assert "lint" not in data and data["redactions"] == []
    assert Manifest.from_json(data) == manifest


def test_measured_travels_between_processes() -> None:
    """What a render measured goes back from a worker (a thread, or Dask: pickled)."""
    measured = Measured("ab" * 32, Loudness({"integrated_lufs": -16.0}, None), Privacy.of([]))
    assert pickle.loads(pickle.dumps(measured)) == measured


@pytest.mark.parametrize(
    "text",
    [
        "",  # empty
        "{not json",  # cut short
        "[]",  # not an object
        json.dumps({**a_manifest().to_json(), "schema_version": SCHEMA_VERSION + 1}),
        json.dumps({k: v for k, v in a_manifest().to_json().items() if k != "schema_version"}),
        json.dumps({**a_manifest().to_json(), "cuts": {"not": "a list"}}),
        json.dumps({**a_manifest().to_json(), "outputs": {"x.mp4": {"sha256": 3}}}),
        json.dumps({**a_manifest().to_json(), "clip": None}),
    ],
    ids=["empty", "corrupt", "list", "newer", "older", "cuts", "sha256", "clip"],
)
def test_a_corrupt_or_other_version_manifest_reads_as_none(tmp_path: Path, text: str) -> None:
    path = tmp_path / "demo.manifest.json"
    path.write_text(text, encoding="utf-8")
    assert read_manifest_file(path) is None
    assert read_manifest_file(tmp_path / "missing.manifest.json") is None


def test_review_page_shows_the_recorded_privacy_scan_and_loudness(tmp_path: Path) -> None:
    """Every value the manifest records is on the page: "not recorded" only for what is not
    (here, the output that was not built)."""
    folder = tmp_path / "out" / "demo"
    folder.mkdir(parents=True)
    manifest = a_manifest()
    (folder / "demo.manifest.json").write_text(manifest.text(), encoding="utf-8")
    page = write_review(folder, manifest).read_text(encoding="utf-8")
    loudness, privacy = section_of(page, "loudness"), section_of(page, "privacy")
    figures = {"integrated_lufs": -16.2, "true_peak_dbtp": -1.7, "target_lufs": -16.0}
    for label, value in figures.items():
        assert f'>{label}</th><td dir="auto"><span dir="auto">{value}<' in loudness, label
    assert '>ok</th><td dir="auto"><span dir="auto">yes<' in privacy
    for section in (loudness, privacy):
        assert ">demo.land.nosubs.mp4<" in section
        assert section.count("not recorded: this output was not built") == 1  # the en one
        assert "Not recorded" not in section
    for key in ("lint", "redactions", "verification"):
        assert "not recorded" not in section_of(page, key).lower(), key
    assert "a gap of 0.1 s" in section_of(page, "lint")
    assert "bleep" in section_of(page, "redactions")
    index = write_index(folder.parent).read_text(encoding="utf-8")
    row = index.split("<tbody>", 1)[1]
    assert "not recorded" not in row and ">clean<" in row


def test_a_built_output_not_measured_says_not_recorded(tmp_path: Path) -> None:
    folder = tmp_path / "out" / "demo"
    folder.mkdir(parents=True)
    data: dict[str, Any] = a_manifest().to_json()
    data["outputs"]["demo.land.nosubs.mp4"] |= {"loudness": None, "privacy": None}
    del data["outputs"]["demo.land.en.mp4"]
    manifest = Manifest.from_json(data)
    assert manifest is not None
    page = write_review(folder, manifest).read_text(encoding="utf-8")
    assert "Not recorded" in section_of(page, "loudness")
    assert "Not recorded" not in section_of(page, "lint")


def section_of(page: str, key: str) -> str:
    return page.split(f'<section id="{key}">', 1)[1].split("</section>", 1)[0]
