"""Arabic burned subtitles: shaped, in the right order, compared with a reference frame."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline.languages import rtl_embed
from pipeline.model import Cue, Span
from pipeline.subtitles.write import AssStyle, to_ass
from tests import rtl
from tests.conftest import need_ffmpeg

pytestmark = [pytest.mark.ffmpeg]

# Strongly changed pixels as a share of the reference's text pixels: encoder noise and small
# rasteriser differences stay far below OK; words in another order change more than FAIL.
OK, FAIL = 0.05, 0.5


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_ffmpeg()
    return rtl.render_with_build_clip(tmp_path_factory.mktemp("rtl"))


def test_arabic_frame_matches_reference(rendered: Path) -> None:
    golden = rtl.band(rtl.GOLDEN_PNG, at=None)
    assert rtl.changed_share(rtl.band(rendered), golden) <= OK


def test_without_bidi_marks_the_frame_differs(rendered: Path, tmp_path: Path) -> None:
    # The same cue rendered by libass without the RLE...PDF embedding: words land elsewhere.
    w, h = rtl.SIZE
    style = AssStyle(w, h, "Noto Naskh Arabic", round(0.055 * h), round(0.08 * h), 2.0, rtl=False)
    ass = tmp_path / "plain.ass"
    ass.write_text(to_ass([Cue(Span(0, 3000), rtl.LINE)], style), encoding="utf-8")
    source = rtl.make_source(tmp_path / "src.mp4")
    out = tmp_path / "nobidi.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-i",
            str(source),
            "-vf",
            f"ass=filename={ass}:shaping=complex",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            str(out),
        ],
        check=True,
    )
    golden = rtl.band(rtl.GOLDEN_PNG, at=None)
    assert rtl.changed_share(rtl.band(out), golden) > FAIL


def test_rtl_embedding_is_added_at_render_time_only() -> None:
    assert rtl_embed("سطر\nline") == "\u202bسطر\u202c\n\u202bline\u202c"
