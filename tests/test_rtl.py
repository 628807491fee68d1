"""Arabic burned subtitles: shaped, in the right order, compared with a reference frame."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.languages import rtl_embed
from pipeline.core.model import Cue, Span
from pipeline.core.redaction import as_unit
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


def _gray(png: Path) -> Any:
    import numpy as np

    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(png), "-f", "rawvideo", "-pix_fmt",
         "gray", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(rtl.REDACTED_BAND, rtl.SIZE[0]).astype(int)


def _best_match(frame: Any, template: Any) -> float:
    """The smallest mean difference of ``template`` laid anywhere over ``frame`` (0: found)."""
    import numpy as np

    windows = np.lib.stride_tricks.sliding_window_view(frame, template.shape)
    return float(np.abs(windows - template).mean(axis=(2, 3)).min())


def test_a_replacement_in_an_arabic_line_is_one_unit_in_order(tmp_path: Path) -> None:
    need_ffmpeg()
    before, replacement, after = rtl.REDACTED
    line = rtl.render_band(before + as_unit(replacement, rtl=True) + after, tmp_path / "a.png")
    golden = _gray(rtl.REDACTED_PNG).astype("uint8").tobytes()
    assert rtl.changed_share(_gray(line).astype("uint8").tobytes(), golden) <= OK
    # OCR-free: "[name removed]" rendered on its own, left to right, is found whole in the
    # line ("[name" and "removed]" on one line, in this order, brackets not mirrored).
    alone = _gray(rtl.render_band(replacement, tmp_path / "alone.png", rtl=False))
    rows, cols = (alone > 128).any(axis=1).nonzero()[0], (alone > 128).any(axis=0).nonzero()[0]
    template = alone[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    found = _best_match(_gray(line), template)
    # The control: the same words mirrored (as a bidi error would show them) are not there.
    mirrored = _best_match(_gray(line), template[:, ::-1])
    assert found < 8 and mirrored > 3 * found, (found, mirrored)
