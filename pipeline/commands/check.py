"""``build-clip check CONFIG``: validate the config, media and every subtitle file; lint report.

Exit status: 0 with no findings or only warnings, 2 with errors (``--strict``: with any).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.check import check_project
from pipeline.cli import _common
from pipeline.config import load, require_clips
from pipeline.subtitles.lint import Finding

__all__ = ["check_project", "make_parser", "run"]

DESCRIPTION = """\
Check a cut list before building: the config, every media file and every subtitle file
(encoding, timing, stray text), then lint each language of each clip against the subtitle
rules (line length, lines per cue, duration, reading speed, gaps, overlaps, cues outside the
clip, untranslated, missing or extra cues compared with the clip's source language).

Exit status: 0 when there are no errors (warnings are listed), 2 when there are errors.
"""


def make_parser() -> argparse.ArgumentParser:
    """Options of ``build-clip check``."""
    p = argparse.ArgumentParser(
        prog="build-clip check",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("config", type=Path, help="the YAML cut list")
    p.add_argument(
        "--clip", action="append", default=[], metavar="NAME", help="check only this clip"
    )
    p.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 2)")
    p.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="a readable report (default) or JSON for scripts",
    )
    _common(p)
    return p


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Check, print the report, and return the exit status."""
    config = load(args.config)
    require_clips(config, args.clip)
    findings = check_project(config, tuple(args.clip))
    if args.strict:
        findings = [replace(f, severity="error") for f in findings]
    if args.format == "json":
        out.print(to_json(findings), markup=False, highlight=False, soft_wrap=True)
    else:
        print_report(findings, out, quiet=args.quiet)
    return 2 if any(f.severity == "error" for f in findings) else 0


def to_json(findings: list[Finding]) -> str:
    """The findings as a JSON document: counts and one object per finding."""
    counts = Counter(f.severity for f in findings)
    items = [{**asdict(f), "path": str(f.path) if f.path else None} for f in findings]
    document = {
        "ok": not counts["error"],
        "errors": counts["error"],
        "warnings": counts["warning"],
        "findings": items,
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def print_report(findings: list[Finding], out: Console, quiet: bool = False) -> None:
    """Counts by rule and language, then every finding as ``file:line: severity: ...``."""
    if quiet:
        findings = [f for f in findings if f.severity == "error"]
    elif findings:
        out.print(count_table(findings))
    for f in findings:
        out.print(str(f), markup=False, highlight=False, soft_wrap=True)
    counts = Counter(f.severity for f in findings)
    if not quiet:
        summary = f"{counts['error']} error(s), {counts['warning']} warning(s)"
        out.print(summary if findings else "no problems found", highlight=False)


def count_table(findings: list[Finding]) -> Table:
    """Rows: rule (and severity); columns: languages; cells: how many findings."""
    langs = sorted({f.lang or "-" for f in findings})
    counts = Counter((f.rule, f.severity, f.lang or "-") for f in findings)
    table = Table(title="Findings by rule and language")
    for heading in ("rule", "severity", *langs, "total"):
        table.add_column(heading, justify="left" if heading in ("rule", "severity") else "right")
    for rule, severity in sorted({(r, s) for r, s, _ in counts}, key=lambda rs: (rs[1], rs[0])):
        row = [counts[(rule, severity, lang)] for lang in langs]
        table.add_row(rule, severity, *(str(n) if n else "" for n in row), str(sum(row)))
    return table
