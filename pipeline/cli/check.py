"""``build-clip check CONFIG``: validate the config, media and every subtitle file; lint report.

Exit status: 0 with no findings or only warnings, 2 with errors (``--strict``: with any).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.cli.common import add_common_options
from pipeline.config.load import load, require_clips
from pipeline.prepare.check import Report, check_project, check_report
from pipeline.prepare.redaction_report import Tally
from pipeline.subtitles.lint import Finding

__all__ = ["Report", "check_project", "check_report", "make_parser", "run"]

DESCRIPTION = """\
Check a cut list before building: the config, every media file and every subtitle file
(encoding, timing, stray text), then lint each language of each clip against the subtitle
rules (line length, lines per cue, duration, reading speed, gaps, overlaps, cues outside the
clip, untranslated, missing or extra cues compared with the clip's source language), and
count where each redacted term matched: heard in the cuts, written in each language.

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
    add_common_options(p)
    return p


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Check, print the report, and return the exit status."""
    config = load(args.config)
    require_clips(config, args.clip)
    report = check_report(config, tuple(args.clip))
    findings = report.findings
    if args.strict:
        findings = [replace(f, severity="error") for f in findings]
    if args.format == "json":
        text = to_json(findings, report.redactions)
        out.print(text, markup=False, highlight=False, soft_wrap=True)
    else:
        print_report(findings, out, quiet=args.quiet, redactions=report.redactions)
    return 2 if any(f.severity == "error" for f in findings) else 0


def to_json(findings: list[Finding], redactions: Sequence[Tally] = ()) -> str:
    """The findings as a JSON document: counts, one object per finding, and where each
    redacted term matched (``redact``: its index in the config's ``redact`` list)."""
    counts = Counter(f.severity for f in findings)
    items = [{**asdict(f), "path": str(f.path) if f.path else None} for f in findings]
    document = {
        "ok": not counts["error"],
        "errors": counts["error"],
        "warnings": counts["warning"],
        "findings": items,
        "redactions": [
            {
                "redact": t.index,
                "term": t.term,
                "source": t.source,
                "audio": t.audio,
                "subtitles": dict(t.langs),
            }
            for t in redactions
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def print_report(
    findings: list[Finding],
    out: Console,
    quiet: bool = False,
    redactions: Sequence[Tally] = (),
) -> None:
    """Where each redacted term matched, counts by rule and language, then every finding as
    ``file:line: severity: ...``."""
    if quiet:
        findings = [f for f in findings if f.severity == "error"]
    elif redactions:
        out.print(redaction_table(redactions))
    if findings and not quiet:
        out.print(count_table(findings))
    for f in findings:
        out.print(str(f), markup=False, highlight=False, soft_wrap=True)
    counts = Counter(f.severity for f in findings)
    if not quiet:
        summary = f"{counts['error']} error(s), {counts['warning']} warning(s)"
        out.print(summary if findings else "no problems found", highlight=False)


def redaction_table(redactions: Sequence[Tally]) -> Table:
    """Rows: redacted terms; columns: the audio (words heard inside the cuts) and each
    language (cues written, on the clips); cells: how many places matched."""
    langs = sorted({lang for t in redactions for lang, _ in t.langs})
    table = Table(title="Redacted terms: places matched")
    for heading in ("redact", "term", "source", "audio", *langs):
        table.add_column(heading, justify="left" if heading in ("term", "source") else "right")
    for t in redactions:
        written = dict(t.langs)
        row = [str(t.audio), *(str(written[x]) if x in written else "-" for x in langs)]
        # Text, not markup: a term may hold "[".
        table.add_row(*(Text(cell) for cell in (str(t.index), t.term, t.source, *row)))
    return table


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
