"""Rewrite tests/golden/*.argv.json from the current planner; review the diff before committing."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.core.redaction import as_unit
from tests import rtl
from tests.plans import GOLDEN, cases


def regen_rtl_png() -> None:
    """Render the Arabic reference frame through build-clip and keep its subtitle band."""
    with tempfile.TemporaryDirectory() as tmp:
        rtl.write_golden(rtl.render_with_build_clip(Path(tmp)))
    print(f"wrote {rtl.GOLDEN_PNG}")
    with tempfile.TemporaryDirectory() as tmp:
        before, replacement, after = rtl.REDACTED
        line = before + as_unit(replacement, rtl=True) + after
        rtl.render_band(line, Path(tmp) / "line.png").replace(rtl.REDACTED_PNG)
    print(f"wrote {rtl.REDACTED_PNG}")


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    regen_rtl_png()
    for name, cmd in cases().items():
        path = GOLDEN / f"{name}.argv.json"
        doc = {"args": list(cmd.args), "duration_ms": cmd.duration_ms}
        path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
