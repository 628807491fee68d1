r"""A translator's file that carries ASS markup (issue 18): nothing of it reaches the frame.

Through ``build-clip``: each hostile cue burns as the plain word would (same pixel box), the
build warns with file and line, and ``<i>`` burns as italics, not as literal tags.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline.subtitles.read import scan_subtitles
from tests.conftest import frame_at, need_ffmpeg, run_cli, write

W, H = 640, 360
# Each cue shows for one second; the frame is read in its middle.
CUES = [
    "Hi",  # the reference
    r"{{\fs120}\fs120}Hi",
    r"{\pos(10,10)}Hi",
    r"{\p1}m 0 0 l 300 0 300 300 0 300{\p0}Hi",
    r"{\alpha&HFF&\fnDejaVu Serif}Hi",
    "<i>Hi</i>",
    "a < b & c > d",
]


def _source(path: Path) -> Path:
    need_ffmpeg()
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"color=c=0x203040:size={W}x{H}:rate=25:duration={len(CUES)}",
         "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", str(len(CUES)),
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
         str(path)],
        check=True,
    )  # fmt: skip
    return path


def _box(frame: bytes) -> tuple[int, int, int, int] | None:
    """The bounding box (left, top, right, bottom) of the bright (text) pixels of a frame."""
    rows = [y for y in range(H) if max(frame[y * W : (y + 1) * W]) > 160]
    cols = [x for x in range(W) if max(frame[x::W]) > 160]
    return (cols[0], rows[0], cols[-1], rows[-1]) if rows and cols else None


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("hostile")
    source = _source(folder / "plain.mp4")
    write(
        folder / "en.srt",
        "".join(
            f"{k + 1}\n00:00:0{k},050 --> 00:00:0{k},950\n{text}\n\n" for k, text in enumerate(CUES)
        ),
    )
    write(
        folder / "clip.yaml",
        f"version: 1\noutput: out\nsources:\n  s: {source.name}\nclips:\n  c:\n"
        f"    cuts: [{{source: s, start: 0, end: {len(CUES)}}}]\n"
        "    subtitles: {burn: en, languages: {en: en.srt}}\n"
        f"renditions:\n  r: {{size: {W}x{H}, preset: ultrafast}}\n",
    )
    result = run_cli(folder / "clip.yaml")
    assert result.returncode == 0, result.stderr
    return folder / "out" / "c" / "c.r.en.mp4", result.stdout + result.stderr


def test_injected_tags_burn_as_the_plain_word(built: tuple[Path, str]) -> None:
    video, _ = built
    boxes = [_box(frame_at(video, k + 0.5)) for k in range(len(CUES))]
    plain = boxes[0]
    assert plain is not None and plain[1] > H // 2, boxes  # at the bottom, normal size
    for text, box in zip(CUES[1:5], boxes[1:5], strict=True):
        assert box is not None, f"{text!r} burned nothing"
        assert all(abs(a - b) <= 2 for a, b in zip(box, plain, strict=True)), (text, box, plain)


def test_italics_burn_as_italics_not_as_tags(built: tuple[Path, str]) -> None:
    video, _ = built
    plain, italic = _box(frame_at(video, 0.5)), _box(frame_at(video, 5.5))
    assert plain is not None and italic is not None
    # "<i>Hi</i>" as literal text would be about four times as wide as "Hi".
    assert italic[2] - italic[0] <= (plain[2] - plain[0]) * 1.3 + 4, (italic, plain)
    assert italic != plain  # slanted, so not the same pixels


def test_the_build_warns_with_file_and_line(built: tuple[Path, str]) -> None:
    _, output = built
    assert r"en.srt:6: [en] dropped {\fs120} markup" in output, output
    assert r"en.srt:10: [en] dropped {\pos(10,10)} markup" in output, output
    assert "en.srt:14: [en] dropped an ASS drawing" in output, output
    assert r"en.srt:18: [en] dropped {\fnDejaVu Serif} markup" in output, output


def test_the_vtt_sidecar_escapes_text_and_reads_back(built: tuple[Path, str]) -> None:
    video, _ = built
    vtt = video.parent / "c.en.vtt"
    text = vtt.read_text(encoding="utf-8")
    assert "\na &lt; b &amp; c &gt; d\n" in text, text
    assert "\n<i>Hi</i>\n" in text, text
    assert "\\" not in text and "{" not in text, text  # no ASS left in the sidecar
    assert [c.text for c in scan_subtitles(vtt).cues] == ["Hi"] * 5 + ["<i>Hi</i>", CUES[-1]]
