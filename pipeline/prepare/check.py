"""Check a project before building: the build's own preparation, collecting what it finds.

Problems in subtitle files, media and cuts become findings (not exceptions), so that one run
reports everything; only a config that cannot be loaded stops the check. The findings are
those a build refuses or shows (pipeline/prepare/plan.py ``plan_build``), from one walk.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from pipeline.config.schema import Config
from pipeline.prepare.lint import by_clip, source_language
from pipeline.prepare.plan import TranscribeProgress, plan_build
from pipeline.prepare.redaction_report import Tally
from pipeline.subtitles.lint import Finding

__all__ = ["Report", "by_clip", "check_project", "check_report", "source_language"]


@dataclass(frozen=True)
class Report:
    """What a check found: its findings, and where each redacted term matched."""

    findings: list[Finding]
    redactions: list[Tally] = field(default_factory=list)


def check_project(
    config: Config, clips: Collection[str] = (), on_transcribe: TranscribeProgress | None = None
) -> list[Finding]:
    """Every finding for the named clips (all when empty), sorted by file and line."""
    return check_report(config, clips, on_transcribe).findings


def check_report(
    config: Config, clips: Collection[str] = (), on_transcribe: TranscribeProgress | None = None
) -> Report:
    """Every finding for the named clips (all when empty), sorted by file and line, and the
    places each redacted term matched in them."""
    plan = plan_build(config, tuple(clips), on_transcribe, collect=True)
    return Report(list(plan.findings), list(plan.redactions))
