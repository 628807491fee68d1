"""The review page: built from a real clip, escaped, self-contained, and checked in headless
Chromium (Debian's browser, driven by Playwright) opened from disk, with no server."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from markupsafe import escape

from pipeline.publish.manifest_record import Manifest
from pipeline.publish.review import write_index, write_review
from tests.conftest import run_cli, write

pytestmark = [pytest.mark.ffmpeg, pytest.mark.xdist_group("review")]

CHROMIUM = "/usr/bin/chromium"

SRT_WIDE = """1
00:00:01,000 --> 00:00:03,000
First cue on the wide source

2
00:00:06,000 --> 00:00:07,500
Second cue
"""
SRT_SMALL = "1\n00:00:00,500 --> 00:00:02,000\nSmall source speaks\n"
# A translator's file on the clip's timeline: Arabic, and text that must be escaped.
SRT_AR = """1
00:00:00,500 --> 00:00:02,500
كانت كلها أكاذيب <b>&</b> "quotes"

2
00:00:04,000 --> 00:00:05,000
غادرت
"""


@pytest.fixture(scope="module")
def clip_folder(tmp_path_factory: pytest.TempPathFactory, wide: Path, small: Path) -> Path:
    """A 3-cut clip from two sources, built by the command, with its review page."""
    tmp = tmp_path_factory.mktemp("review")
    write(tmp / "wide.en.srt", SRT_WIDE)
    write(tmp / "small.en.srt", SRT_SMALL)
    write(tmp / "demo.ar.srt", SRT_AR)
    config = write(
        tmp / "clip.yaml",
        f"""\
version: 1
output: out
sources:
  wide: {{file: {wide}, subtitles: {{en: wide.en.srt}}}}
  small: {{file: {small}, subtitles: {{en: small.en.srt}}}}
clips:
  demo:
    cuts:
      - {{source: wide, start: "00:00:00.500", end: "00:00:04.000"}}
      - {{source: small, start: 1, end: "00:00:03.500"}}
      - {{source: wide, start: "00:00:05", end: "00:00:07:10"}}
    subtitles: {{burn: none, languages: {{en: source, ar: demo.ar.srt}}}}
renditions:
  small: {{size: 320x180, preset: ultrafast}}
""",
    )
    result = run_cli(config, "--debug")
    assert result.returncode == 0, result.stderr
    write(tmp / "build.log", result.stderr)
    folder = tmp / "out" / "demo"
    if not (folder / "review.html").exists():  # until the build writes it itself
        write_review(folder, record_of(manifest_of(folder)))
        write_index(folder.parent)
    return folder


def manifest_of(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "demo.manifest.json").read_text("utf-8"))
    return data


def record_of(data: dict[str, Any]) -> Manifest:
    """The typed manifest of JSON data (which must read as one)."""
    manifest = Manifest.from_json(data)
    assert manifest is not None, data
    return manifest


class Links(HTMLParser):
    """Every src and href of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if k in ("src", "href") and v]


def links(page: Path) -> list[str]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def test_every_link_is_relative_and_present(clip_folder: Path) -> None:
    for page in (clip_folder / "review.html", clip_folder.parent / "index.html"):
        found = links(page)
        assert found, page
        for link in found:
            parts = urlsplit(link)
            assert not parts.scheme and not link.startswith("/"), link
            assert (page.parent / unquote(parts.path)).is_file(), link


def test_thumbnails_one_run_two_per_cut(clip_folder: Path) -> None:
    names = sorted(p.name for p in (clip_folder / "thumbs").glob("*.jpg"))
    assert names == [f"cut0{i}-{end}.jpg" for i in (1, 2, 3) for end in ("first", "last")]
    first = clip_folder / "thumbs" / "cut01-first.jpg"
    before = first.stat().st_mtime_ns
    write_review(clip_folder, record_of(manifest_of(clip_folder)))  # same video: thumbnails kept
    assert first.stat().st_mtime_ns == before


def psnr(a: Path, b: Path) -> float:
    """The PSNR (dB) of picture ``b`` against picture ``a``: over 30 is the same frame."""
    out = subprocess.run(
        ["ffmpeg", "-hide_banner", "-i", str(a), "-i", str(b), "-lavfi", "psnr", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    value = out.rsplit("average:", 1)[1].split()[0]
    return float("inf") if value == "inf" else float(value)


def test_thumbnails_come_from_the_render(clip_folder: Path, tmp_path: Path) -> None:
    """The render writes them (no second decode of the clip), and they show the very frames
    that a decode of the finished clip gives (the review page's own way, as a reference)."""
    log = (clip_folder.parent.parent / "build.log").read_text(encoding="utf-8")
    commands = [line for line in log.splitlines() if "DEBUG: ffmpeg: " in line]
    # The loudness measure, the render, and the output scan (ebur128 of the finished file):
    # no ffmpeg run decodes the clip again for its thumbnails.
    assert len(commands) == 3, commands
    assert "select=" in commands[1] and "/%04d.jpg" in commands[1]
    assert commands[2].endswith("-map 0:a:0 -af ebur128=peak=true -f null -"), commands[2]
    assert not any("jpg" in c for c in (commands[0], commands[2]))
    made = tmp_path / "made"
    shutil.copytree(clip_folder / "thumbs", made)
    copy_folder = tmp_path / "demo"
    shutil.copytree(clip_folder, copy_folder, ignore=shutil.ignore_patterns("thumbs"))
    write_review(copy_folder, record_of(manifest_of(copy_folder)))  # decodes the clip for them
    for picture in sorted(made.glob("*.jpg")):
        assert psnr(copy_folder / "thumbs" / picture.name, picture) > 30, picture.name
    # Neighbouring cuts show other sources: the comparison can tell frames apart.
    assert psnr(made / "cut01-last.jpg", made / "cut02-first.jpg") < 20


def section_of(page: str, key: str) -> str:
    """The HTML of one ``<section id=key>`` of a page."""
    return page.split(f'<section id="{key}">', 1)[1].split("</section>", 1)[0]


def test_page_shows_what_the_manifest_records(clip_folder: Path) -> None:
    """Issue 14: the lint findings, each output's measured loudness and privacy scan, as the
    build recorded them -- their very values on the page, and "not recorded" nowhere."""
    page = (clip_folder / "review.html").read_text(encoding="utf-8")
    manifest = manifest_of(clip_folder)
    outputs = manifest["outputs"]
    assert outputs and all(out["sha256"] for out in outputs.values())

    lint, ar_file = section_of(page, "lint"), clip_folder.parents[1] / "demo.ar.srt"
    assert manifest["lint"], "the Arabic file's <b> is dropped with a warning"
    assert "Not recorded" not in lint and "No findings" not in lint
    for finding in manifest["lint"]:
        assert set(finding) == {"rule", "severity", "lang", "where", "message"}
        for value in finding.values():
            assert f">{escape(value)}<" in lint, value
    assert any(f["rule"] == "markup" and f["where"] == f"{ar_file}:2" for f in manifest["lint"]), (
        manifest["lint"]
    )

    loudness, privacy = section_of(page, "loudness"), section_of(page, "privacy")
    for section in (loudness, privacy):
        assert "Not recorded" not in section and "not recorded" not in section
    for name, out in outputs.items():
        assert f">{escape(name)}<" in loudness and f">{escape(name)}<" in privacy
        assert {"integrated_lufs", "true_peak_dbtp", "target_lufs"} <= set(out["loudness"]), out[
            "loudness"
        ]
        for label, value in out["loudness"].items():
            assert f'>{label}</th><td dir="auto"><span dir="auto">{value}<' in loudness
        assert out["privacy"] == {"ok": True, "findings": []}
    assert privacy.count('>ok</th><td dir="auto"><span dir="auto">yes<') == len(outputs)

    index = (clip_folder.parent / "index.html").read_text(encoding="utf-8")
    assert "not recorded" not in index.split("<tbody>", 1)[1]


def test_sections_not_recorded_then_recorded(clip_folder: Path, tmp_path: Path) -> None:
    manifest = manifest_of(clip_folder)
    folder = shutil.copytree(clip_folder, tmp_path / "demo")
    rich = copy.deepcopy(manifest)
    for cut in rich["cuts"]:  # as a build without transcripts records them
        for key in ("quote", "words", "text", "context_before", "context_after"):
            cut.pop(key, None)
    rich["cuts"][1] |= {
        "quote": "it was <all> lies",
        "words": [{"text": " it", "start_ms": 1}, {"text": " was"}, {"text": "<all> lies"}],
        "context_before": "قال لي & ثم",
        "context_after": "</td><script>alert(1)</script>",
        "verification": {"matches": False, "said": "it was <some> lies"},
    }
    rich["lint"] = [{"rule": "gap", "severity": "warning", "lang": "ar", "message": "a <gap>"}]
    rich["redactions"] = []
    for out in rich["outputs"].values():
        out["loudness"] = {"integrated_lufs": -16.1, "true_peak_dbtp": -1.5}
    html = write_review(folder, record_of(rich)).read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;/td&gt;&lt;script&gt;alert(1)" in html
    assert "it was &lt;all&gt; lies" in html and "قال لي &amp; ثم" in html
    assert '<p class="context" dir="auto"><b>Before:</b> قال لي &amp; ثم</p>' in html
    assert "a &lt;gap&gt;" in html and "integrated_lufs" in html and "-16.1" in html
    assert 'id="redactions">\n<h2>Redactions</h2>\n<p class="ok">None.</p>' in html
    assert "Not recorded" not in html.split('id="lint"')[1].split('id="provenance"')[0]
    assert "Words and context not recorded" in html  # cuts 1 and 3 have none
    verification = section_of(html, "verification")
    assert "it was &lt;some&gt; lies" in verification
    assert verification.count("not recorded") == 2  # cuts 1 and 3
    rich["lint"] = []
    html = write_review(folder, record_of(rich)).read_text(encoding="utf-8")
    assert '<p class="ok">No findings: the build&#39;s lint found nothing' in section_of(
        html, "lint"
    )


def test_index_lists_every_clip(clip_folder: Path) -> None:
    html = (clip_folder.parent / "index.html").read_text(encoding="utf-8")
    assert '<a href="demo/review.html" dir="auto">demo</a>' in html
    assert "1 of 1" in html


# In the browser.


class Tab:
    """A page of headless Chromium and the console errors and uncaught exceptions it logged."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: Path) -> Any:
        self.errors.clear()
        self.page.goto(path.as_uri())
        return self.page


@pytest.fixture(scope="module")
def tab() -> Iterator[Tab]:
    """Debian's Chromium, started by the test; missing only on a dev machine (CI has it)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]'")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: scripts/setup-system.sh installs chromium")
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        yield Tab(browser.new_page())
        browser.close()


def test_review_page_in_chromium(clip_folder: Path, tab: Tab) -> None:
    manifest = manifest_of(clip_folder)
    page = tab.open(clip_folder / "review.html")
    page.wait_for_function("document.getElementById('player').readyState >= 1", timeout=20000)
    duration = page.evaluate("document.getElementById('player').duration")
    assert abs(duration - manifest["duration_s"]) <= 2 / 25, duration
    assert page.evaluate("document.getElementById('player').videoWidth") == 320
    tracks = page.evaluate(LOAD_TRACKS)
    assert tracks == [[lang, 2, info["cues"]] for lang, info in manifest["languages"].items()]
    assert [n for _, _, n in tracks] == [3, 2]  # en: 3 cues across the cuts; ar: 2
    page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=20000)
    widths = page.evaluate("Array.from(document.images).map(i => i.naturalWidth)")
    assert widths == [320] * 6
    assert tab.errors == []


# Show every track, wait until each has loaded (readyState 2) or failed (3); then report
# [language, readyState, number of cues] for each.
LOAD_TRACKS = """async () => {
  const tracks = Array.from(document.querySelectorAll('#player track'));
  tracks.forEach(t => { t.track.mode = 'hidden'; });
  for (let i = 0; i < 200 && tracks.some(t => t.readyState < 2); i++) {
    await new Promise(r => setTimeout(r, 50));
  }
  return tracks.map(t => [t.srclang, t.readyState, t.track.cues ? t.track.cues.length : -1]);
}"""


def test_index_page_in_chromium(clip_folder: Path, tab: Tab) -> None:
    page = tab.open(clip_folder.parent / "index.html")
    page.click("text=demo")
    page.wait_for_load_state()
    assert page.url.endswith("/demo/review.html")
    assert tab.errors == []
